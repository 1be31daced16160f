"""The `migrate` command line (typer). Heavy imports (LibCST, rich) happen only when needed."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import Enum
from typing import IO, NoReturn

import typer

from migrate import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Migrate OpenAI Chat Completions calls to the Responses API, and report what can't be migrated.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


# Seconds one file may take before it is skipped (--timeout-per-file): far above the slowest
# real file measured (a few seconds), low enough that a pathological one can't stall a run.
DEFAULT_TIMEOUT = 60.0
# Megabytes above which a file with call sites is skipped (--max-file-size): see pipeline.py.
MAX_FILE_MB = 5.0


class Format(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


COLOR_HELP = "Style the output: `auto` (on a terminal, unless NO_COLOR is set), `always` or `never`."


def _color(value: Color) -> Color:
    from migrate.report.style import set_color

    set_color(value.value)
    return value


class StorePolicy(str, Enum):
    false = "false"
    omit = "omit"


def _version(value: bool) -> None:
    if value:
        print(f"migrate {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Migrate OpenAI Chat Completions calls to the Responses API."""


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


@app.command()
def apply(
    paths: list[str] = typer.Argument(..., help="Files or directories to migrate; `-` reads stdin and writes stdout."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff; write nothing."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if anything would change or is reported."),
    output_format: Format = typer.Option(Format.text, "--format", help="Report format."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    select: list[str] | None = typer.Option(None, "--select", help="Only these rules (codes, prefixes or names)."),
    ignore: list[str] | None = typer.Option(None, "--ignore", help="Turn these rules off (codes, prefixes or names)."),
    unsafe: bool | None = typer.Option(None, "--unsafe", help="Also apply fixes of the unsafe tier."),
    add_todo: bool = typer.Option(False, "--add-todo", help="Write `# TODO(migrate): CODE ...` above reported calls."),
    exclude: list[str] | None = typer.Option(None, "--exclude", help="Extra gitignore-style patterns to skip."),
    instructions: bool | None = typer.Option(
        None, "--instructions/--keep-system-in-input", help="Hoist a leading system message to `instructions=`."
    ),
    store: StorePolicy | None = typer.Option(
        None, "--store", help="`false`: write store=False where the chat call had no store=; `omit`: don't."
    ),
    stdin_filename: str | None = typer.Option(None, "--stdin-filename", help="The name of the file read from stdin."),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1, help="Worker processes for files with call sites (default: one per CPU)."
    ),
    timeout_per_file: float = typer.Option(
        DEFAULT_TIMEOUT,
        "--timeout-per-file",
        min=0,
        help="Skip a file that takes longer than this many seconds (0: no limit).",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Print only what fails the run (reported calls, failed files) and errors."
    ),
    color: Color = typer.Option(Color.auto, "--color", callback=_color, help=COLOR_HELP),
    max_file_size: float = typer.Option(
        MAX_FILE_MB, "--max-file-size", min=0, help="Skip a file with call sites above this many MB (0: no limit)."
    ),
    include_importers: bool = typer.Option(
        False,
        "--include-importers",
        help="Also migrate the project's files outside the run that import a helper it changes.",
    ),
) -> None:
    """Rewrite chat.completions call sites to responses.* (or, with --diff/--check, show what would change)."""
    from migrate.catalog import config
    from migrate.catalog import loader as catalog
    from migrate.catalog.settings import Settings

    for name, value in (("--timeout-per-file", timeout_per_file), ("--max-file-size", max_file_size)):
        if not math.isfinite(value):
            typer.echo(f"error: {name} {value} is not a finite number (0 means no limit)", err=True)
            raise typer.Exit(2)
    rules = catalog.load()
    try:
        found = config.find_pyproject([stdin_filename] if paths == ["-"] and stdin_filename else paths)
        cfg = config.load(found, rules) if found else config.Config()
        cli_select, cli_ignore = _split(select), _split(ignore)
        for name, given, codes in (("--select", select, cli_select), ("--ignore", ignore, cli_ignore)):
            if given is not None and not codes:
                # An empty --select would otherwise mean "no selection", i.e. every rule.
                raise config.ConfigError(f"{name}: no rule given (name codes, prefixes or rule names)")
        config.check_codes(cli_select, rules, "--select")
        config.check_codes(cli_ignore, rules, "--ignore")
    except config.ConfigError as error:
        _fail(str(error))
    settings = Settings(
        instructions=cfg.instructions if instructions is None else instructions,
        store=(cfg.store if store is None else store.value),  # type: ignore[arg-type]
        unsafe=cfg.unsafe if unsafe is None else unsafe,
        disabled=config.resolve(cli_select or cfg.select, [*cfg.ignore, *cli_ignore], rules),
        add_todo=add_todo,
    )
    if paths == ["-"]:
        code = _apply_stdin(
            settings, diff=diff, check=check, output_format=output_format, name=stdin_filename, quiet=quiet
        )
    else:
        # The report file is opened first: one that can't be written stops the run before it starts.
        with _report_file(output) as report:
            code = _apply_paths(
                paths,
                settings,
                diff=diff,
                check=check,
                output_format=output_format,
                output=report,
                exclude=[*cfg.exclude, *(exclude or [])],
                jobs=jobs,
                timeout=timeout_per_file or None,
                max_bytes=int(max_file_size * 1_000_000) or None,
                quiet=quiet,
                include_importers=include_importers,
            )
    raise typer.Exit(code)


def _fail(message: str) -> NoReturn:
    """A usage or environment error: one line on stderr, exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def _report_file(output: str | None) -> Iterator[IO[str] | None]:
    if output is None:
        yield None
        return
    try:
        handle = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed below, after the run
    except OSError as error:
        _fail(f"cannot write the report to {output}: {error.strerror or error}")
    with handle:
        yield handle


def _apply_paths(
    paths,
    settings,
    *,
    diff,
    check,
    output_format: Format,
    output,
    exclude,
    jobs,
    timeout,
    max_bytes,
    quiet=False,
    include_importers=False,
) -> int:
    from migrate.report.summary import Summary
    from migrate.report.text import TextReport
    from migrate.run.pool import default_jobs
    from migrate.run.progress import progress_bar
    from migrate.run.tree import run, stop_on_sigint

    write = not (diff or check)
    verb = "apply" if write else "check"
    summary = Summary(check=not write)
    # The per-file text report goes to the terminal unless another format was asked for.
    to_terminal = output_format is Format.text and output is None
    live = TextReport(sys.stderr, verb=verb, files=to_terminal, quiet=quiet)
    kept = []  # what the final report needs, without the files' bytes unless it shows diffs
    with (
        stop_on_sigint() as stop,
        # --color always styles a pipe too, but a bar is drawn on a terminal only.
        progress_bar(live.console if sys.stderr.isatty() else _NOT_A_TERMINAL) as bar,
    ):  # Ctrl-C: finish the file at hand, stop, summarise
        results = run(
            paths,
            settings,
            write=write,
            exclude=exclude,
            stop=stop,
            jobs=jobs or default_jobs(),
            timeout=timeout,
            on_total=bar.start,
            max_bytes=max_bytes,
            on_note=lambda note: print(f"note: {note}", file=sys.stderr),
            include_importers=include_importers,
        )
        for result in results:
            summary.add(result)
            live.file(result)
            bar.advance()
            if diff and result.status == "changed":
                _write_diff(result)
            if not to_terminal and (result.calls or result.status != "unchanged"):
                kept.append(result if diff else replace(result, original=None, migrated=None))
    if summary.files == 0 and not stop.requested and not quiet:
        where = ", ".join(paths)
        excluded = " (or every one is excluded)" if exclude else ""
        print(f"warning: no Python files or notebooks found in {where}{excluded}", file=sys.stderr)
    if to_terminal:
        live.summary(summary)
    else:
        default = sys.stderr if diff else sys.stdout
        _write_report(output_format, kept, summary, output or default, verb=verb, with_diff=diff, quiet=quiet)
        if output is not None:
            live.summary(summary)
    if stop.requested:
        done = "files changed" if write else "files would change"
        print(
            f"interrupted: stopped after {summary.files} files ({summary.changed} {done}); run again to go on",
            file=sys.stderr,
        )
        return stop.exit_code
    return summary.exit_code


class _NotATerminal:
    is_terminal = False


_NOT_A_TERMINAL = _NotATerminal()


def _write_diff(result) -> None:
    """The file's diff on stdout, in the file's own bytes (`git apply` compares bytes)."""
    from migrate.report.diff import unified_diff_bytes

    sys.stdout.flush()
    sys.stdout.buffer.write(unified_diff_bytes(result))
    sys.stdout.buffer.flush()


def _write_report(
    output_format: Format, results, summary, stream, *, verb: str, with_diff: bool, quiet: bool = False
) -> None:
    if output_format is Format.text:
        from migrate.report.text import TextReport

        text = TextReport(stream, verb=verb, quiet=quiet)
        for result in results:
            text.file(result)
        text.summary(summary)
    elif output_format is Format.json:
        from migrate.report.json_report import write_json

        write_json(results, summary, stream, with_diff=with_diff)
    elif output_format is Format.sarif:
        from migrate.report.sarif import write_sarif

        write_sarif(results, summary, stream)
    elif output_format is Format.concise:
        from migrate.report.concise import write_concise

        write_concise(results, stream)
    elif output_format is Format.github:
        from migrate.report.github import write_github

        write_github(results, summary, stream)
    else:
        from migrate.report.markdown import write_markdown

        write_markdown(results, summary, stream)


def _apply_stdin(
    settings, *, diff: bool, check: bool, output_format: Format, name: str | None, quiet: bool = False
) -> int:
    from migrate.engine.pipeline import migrate_source
    from migrate.report.summary import Summary

    data = sys.stdin.buffer.read()
    if name and name.endswith(".ipynb"):
        from migrate.engine.notebook import migrate_notebook as migrate_one
    else:
        migrate_one = migrate_source
    result = migrate_one(name or "<stdin>", data, settings)
    summary = Summary(check=diff or check)
    summary.add(result)
    if diff:
        _write_diff(result)
    elif not check and output_format is Format.text:
        sys.stdout.buffer.write(result.migrated if result.status == "changed" and result.migrated else data)
        sys.stdout.flush()
    verb = "check" if (diff or check) else "apply"
    stream = sys.stdout if output_format is not Format.text and (diff or check) else sys.stderr
    _write_report(output_format, [result], summary, stream, verb=verb, with_diff=diff, quiet=quiet)
    return summary.exit_code


@app.command()
def rules(color: Color = typer.Option(Color.auto, "--color", callback=_color, help=COLOR_HELP)) -> None:
    """List every rule: code, name, fix safety and what it catches."""
    from rich.table import Table

    from migrate.catalog import loader as catalog
    from migrate.report.style import console

    table = Table("code", "name", "safety", "summary", box=None, pad_edge=False)
    for rule in catalog.load().rules.values():
        table.add_row(rule.code, rule.name, rule.safety, rule.summary)
    console(soft_wrap=False).print(table)


@app.command()
def explain(
    code: str = typer.Argument(..., help="A rule code (RSP201) or name (unsupported-parameter)."),
    color: Color = typer.Option(Color.auto, "--color", callback=_color, help=COLOR_HELP),
) -> None:
    """Show a rule's documentation: what it does, why, an example and what to do instead."""
    from rich.markdown import Markdown

    from migrate.catalog import config
    from migrate.catalog import loader as catalog
    from migrate.report.style import console

    rules = catalog.load().rules
    by_name = {rule.name: rule for rule in rules.values()}
    rule = rules.get(code.upper()) or by_name.get(code)
    if rule is None:
        hint = config.did_you_mean(code, [*rules, *by_name])
        typer.echo(f"error: unknown rule `{code}`{hint}", err=True)
        raise typer.Exit(2)
    out = console()
    # Prose is rendered (and wrapped to the width); code is printed as it is, never wrapped, so
    # that what is copied from the terminal or a pipe is the code itself.
    for i, (part, is_code) in enumerate(rule_parts(rule)):
        if i:
            out.print()
        if is_code:
            out.print(part, markup=False, highlight=False, soft_wrap=True)
        else:
            out.print(Markdown(part))


def rule_parts(rule) -> list[tuple[str, bool]]:
    """A rule's documentation as Markdown prose and Python code, in order: (text, is_code)."""
    docs = rule.docs
    parts = [(f"# {rule.code} {rule.name}\n\n*Fix safety: {rule.safety}.* {rule.summary}", False)]
    for title, key, code_block in (
        ("What it does", "what", False),
        ("Why", "why", False),
        ("Example", "example", True),
        ("Use instead", "use_instead", True),
        ("Fix safety", "fix_safety", False),
    ):
        text = docs.get(key, "").strip()
        if text:
            parts.extend([(f"## {title}", False), (text, True)] if code_block else [(f"## {title}\n\n{text}", False)])
    return parts


def render_rule_markdown(rule) -> str:
    """The rule's documentation as one Markdown document."""
    return "\n\n".join(f"```python\n{text}\n```" if code else text for text, code in rule_parts(rule)) + "\n"


def _register_verify() -> None:
    from migrate.verify.command import register

    register(app)


_register_verify()


def main() -> None:
    try:
        app()
    except OSError as error:  # an environment error the run didn't turn into a value: one line, never a traceback
        where = f": {error.filename}" if error.filename else ""
        print(f"error: {error.strerror or error}{where}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
