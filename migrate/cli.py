"""The `migrate` command line (typer). Heavy imports (LibCST, rich) happen only when needed."""

from __future__ import annotations

import sys
from enum import Enum
from typing import List, Optional

import typer

from migrate import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Migrate OpenAI Chat Completions calls to the Responses API, and report what can't be migrated.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    text = "text"
    json = "json"


class StorePolicy(str, Enum):
    false = "false"
    omit = "omit"


def _version(value: bool) -> None:
    if value:
        print(f"migrate {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Migrate OpenAI Chat Completions calls to the Responses API."""


@app.command()
def apply(
    paths: List[str] = typer.Argument(..., help="Files or directories to migrate; `-` reads stdin and writes stdout."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff; write nothing."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if anything would change or is reported."),
    output_format: Format = typer.Option(Format.text, "--format", help="Report format."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", help="Extra gitignore-style patterns to skip."),
    instructions: bool = typer.Option(
        True, "--instructions/--keep-system-in-input", help="Hoist a leading system message to `instructions=`."
    ),
    store: StorePolicy = typer.Option(
        StorePolicy.false, "--store", help="`false`: write store=False where the chat call had no store=; `omit`: don't."
    ),
    allow_fine_tuned: bool = typer.Option(
        False, "--allow-fine-tuned", help="Migrate calls on fine-tuned models (ft:...) instead of reporting them."
    ),
) -> None:
    """Rewrite chat.completions call sites to responses.* (or, with --diff/--check, show what would change)."""
    from migrate.settings import Settings

    settings = Settings(instructions=instructions, store=store.value, allow_fine_tuned=allow_fine_tuned)
    if paths == ["-"]:
        raise typer.Exit(_apply_stdin(settings, diff=diff, check=check, output_format=output_format))
    raise typer.Exit(
        _apply_paths(paths, settings, diff=diff, check=check, output_format=output_format, exclude=exclude or [])
    )


def _apply_paths(paths, settings, *, diff: bool, check: bool, output_format: Format, exclude: list[str]) -> int:
    from migrate.report import Summary, TextReport, unified_diff, write_json
    from migrate.runner import run

    write = not (diff or check)
    summary = Summary()
    text = TextReport(sys.stderr, verb="apply" if write else "check") if output_format is Format.text else None
    kept = []
    for result in run(paths, settings, write=write, exclude=exclude):
        summary.add(result)
        if text is not None:
            text.file(result)
            if diff and result.status == "changed":
                sys.stdout.write(unified_diff(result))
                sys.stdout.flush()
        elif result.calls or result.status != "unchanged":
            kept.append(result)
    if text is not None:
        text.summary(summary)
    else:
        write_json(kept, summary, sys.stdout, with_diff=diff)
    return summary.exit_code


def _apply_stdin(settings, *, diff: bool, check: bool, output_format: Format) -> int:
    from migrate.engine import migrate_source
    from migrate.report import Summary, TextReport, unified_diff, write_json

    data = sys.stdin.buffer.read()
    result = migrate_source("<stdin>", data, settings)
    summary = Summary()
    summary.add(result)
    if output_format is Format.json:
        write_json([result], summary, sys.stdout, with_diff=diff)
    elif diff:
        sys.stdout.write(unified_diff(result))
    elif not check:
        sys.stdout.buffer.write(result.migrated if result.status == "changed" and result.migrated else data)
    if output_format is Format.text:
        report = TextReport(sys.stderr, verb="check" if (diff or check) else "apply")
        report.file(result)
        report.summary(summary)
    return summary.exit_code


@app.command()
def rules() -> None:
    """List every rule: code, name, fix safety and what it catches."""
    from rich.console import Console
    from rich.table import Table

    from migrate import catalog

    table = Table("code", "name", "safety", "summary", box=None, pad_edge=False)
    for rule in catalog.load().rules.values():
        table.add_row(rule.code, rule.name, rule.safety, rule.summary)
    Console(soft_wrap=False).print(table)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
