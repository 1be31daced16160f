"""`migrate verify PATH -- COMMAND...`: prove a migration by running the program twice.

The tree is copied twice.  One copy stays as it is (the original), the other is
migrated in-process (``migrate.run.tree.run(..., write=True)``) with the settings of the
``[tool.migrate]`` table nearest to PATH, as ``apply`` would be.  COMMAND then runs in
each copy against its own local fake OpenAI server (:class:`migrate.verify.server.FakeOpenAI`;
``OPENAI_BASE_URL`` points at it, ``OPENAI_API_KEY`` is a dummy, so no real endpoint
is ever called).  The server validates every request strictly and answers with a
deterministic function of the request's meaning, so a correct migration produces the
same requests (compared in canonical form), the same answers and the same output.

Reported:

* requests the server rejected as invalid (in either run);
* requests whose canonical forms differ, paired in order, with the first differing field;
* a different number of requests, exit status or stdout (a short unified diff);
* chat.completions requests still sent by the migrated run (calls the tool left alone:
  information, not a failure).

The last line is the verdict: ``verify: OK — N requests, identical answers`` (exit 0)
or ``verify: FAILED — ...`` (exit 1).  Exit 2 means verify itself could not run.

With ``revision``, the original tree is ``git archive REVISION`` of the repository
holding PATH and the migrated tree is the working tree as it is (the tool is not run):
this checks a migration that was already applied and committed or staged.

Which tree is copied: the current directory when PATH is inside it (so COMMAND can
name files outside PATH, e.g. ``migrate verify src/ -- python scripts/demo.py``),
otherwise PATH itself (its parent for a file).  Virtualenvs, VCS and cache directories
are not copied.  COMMAND runs in the copy of the current directory, with the copy (and
PATH's copy, when PATH is a source root such as ``src/``) first on ``PYTHONPATH``, so
an editable install of the original doesn't shadow the copies.
"""

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

__all__ = ["Comparison", "RunRecord", "compare_runs", "register", "verify", "verify_command"]

# Directories never copied into the temporary trees.
SKIPPED_DIRS = frozenset(
    ".git .hg .svn .venv venv .tox .nox .eggs __pycache__ .mypy_cache .pytest_cache .ruff_cache"
    " .hypothesis node_modules build dist site-packages _build __pypackages__".split()
)
MAX_FILES = 50_000
DIFF_LINES = 30


class VerifyError(Exception):
    """verify itself cannot run (exit 2)."""


@dataclass
class RunRecord:
    """One run of the command: its process result and the requests the server saw."""

    label: str  # "original" | "migrated"
    stdout: str
    stderr: str
    returncode: int
    requests: list  # migrate.verify.server.RecordedRequest


@dataclass
class Comparison:
    failures: list = field(default_factory=list)  # short reasons, for the verdict
    details: list = field(default_factory=list)  # report lines
    notes: list = field(default_factory=list)  # information that doesn't fail the check
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def verdict(self) -> str:
        if self.ok:
            return f"verify: OK — {self.requests} request{'s' if self.requests != 1 else ''}, identical answers"
        return "verify: FAILED — " + ", ".join(self.failures)


def short_code(value: Any, limit: int = 160) -> str:
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(request: Any) -> str:
    kind = {"chat": "chat.completions", "responses": "responses"}.get(request.api, request.path)
    return f"#{request.index + 1} {kind}{' (stream)' if request.stream else ''}"


def compare_runs(original: RunRecord, migrated: RunRecord) -> Comparison:
    """Compare two runs of the same command (original tree vs migrated tree)."""
    from migrate.verify.canonical import first_difference

    result = Comparison(requests=len(migrated.requests))
    # 1. Invalid requests.
    for run in (original, migrated):
        invalid = [r for r in run.requests if r.errors]
        if invalid:
            result.failures.append(f"{len(invalid)} invalid request{'s' if len(invalid) > 1 else ''} ({run.label})")
            for request in invalid:
                result.details.append(
                    f"[{run.label}] request {_describe(request)} was rejected (HTTP {request.status}):"
                )
                result.details.extend(f"    {line}" for line in request.errors[:8])
    # 2. Requests, paired in order.
    differing = 0
    for left, right in zip(original.requests, migrated.requests, strict=False):  # the counts may differ: see below
        if left.errors or right.errors:
            continue
        found = first_difference(left.canonical, right.canonical)
        if found is not None:
            differing += 1
            where, a, b = found
            result.details.append(
                f"request {_describe(left)} -> {_describe(right)}: the request's meaning changed at `{where}`:\n"
                f"    original: {short_code(a)}\n    migrated: {short_code(b)}"
            )
    if differing:
        result.failures.append(f"{differing} request{'s' if differing > 1 else ''} changed meaning")
    if len(original.requests) != len(migrated.requests):
        result.failures.append(f"{len(original.requests)} requests became {len(migrated.requests)}")
        result.details.append(
            f"the original run sent {len(original.requests)} request(s), the migrated run {len(migrated.requests)}"
        )
    if not original.requests and not migrated.requests:
        result.failures.append("the command sent no requests (nothing was verified)")
    # 3. Chat requests still sent by the migrated run.
    still_chat = [r for r in migrated.requests if r.api == "chat"]
    if still_chat:
        result.notes.append(
            f"the migrated run still sent {len(still_chat)} chat.completions request(s) "
            f"({', '.join(_describe(r) for r in still_chat[:5])}{', ...' if len(still_chat) > 5 else ''}): "
            "calls the tool left alone"
        )
    # 4. Process results.
    if original.returncode != 0:
        result.failures.append(f"the command failed on the original tree (exit {original.returncode})")
        result.details.extend(_tail(original))
    if migrated.returncode != original.returncode:
        result.failures.append(f"exit status {original.returncode} became {migrated.returncode}")
        result.details.extend(_tail(migrated))
    if original.stdout != migrated.stdout:
        result.failures.append("stdout differs")
        diff = list(
            difflib.unified_diff(
                original.stdout.splitlines(),
                migrated.stdout.splitlines(),
                "original stdout",
                "migrated stdout",
                lineterm="",
            )
        )
        result.details.append("stdout differs:")
        result.details.extend("    " + line for line in diff[:DIFF_LINES])
        if len(diff) > DIFF_LINES:
            result.details.append(f"    ... ({len(diff) - DIFF_LINES} more diff lines)")
    return result


def _tail(run: RunRecord, lines: int = 8) -> list:
    tail = run.stderr.strip().splitlines()[-lines:]
    return [f"[{run.label}] exit {run.returncode}; stderr ends with:"] + [f"    {line}" for line in tail]


# --------------------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------------------


def _ignore(directory: str, names: list[str]) -> list[str]:
    skipped = [n for n in names if n in SKIPPED_DIRS]
    for name in names:
        if name not in skipped and os.path.isfile(os.path.join(directory, name, "pyvenv.cfg")):
            skipped.append(name)  # a virtualenv under another name
    return skipped


def _count_files(root: Path) -> int:
    count = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _ignore(directory, dirs)]
        count += len(files)
        if count > MAX_FILES:
            break
    return count


def _copy_tree(root: Path, dest: Path) -> None:
    if _count_files(root) > MAX_FILES:
        raise VerifyError(f"{root} holds more than {MAX_FILES} files; run verify from the project's directory")
    shutil.copytree(root, dest, ignore=_ignore, symlinks=True)


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=120)
    except FileNotFoundError as error:
        raise VerifyError("git is not installed") from error
    if done.returncode != 0:
        raise VerifyError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def _archive(root: Path, revision: str, dest: Path) -> None:
    import tarfile

    dest.mkdir(parents=True)
    archive = dest.parent / "revision.tar"
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", f"--output={archive}", revision],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except FileNotFoundError as error:
        raise VerifyError("git is not installed") from error
    if done.returncode != 0:
        raise VerifyError(f"git archive {revision}: {done.stderr.strip() or 'failed'}")
    with tarfile.open(archive) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - depends on the Python version
            tar.extractall(dest)
    archive.unlink()


@dataclass
class _Layout:
    root: Path  # the tree that is copied
    target: Path  # PATH, relative to root
    cwd: Path  # where the command runs, relative to root


def _layout(path: str, revision: str | None) -> _Layout:
    target = Path(path).resolve()
    if not target.exists():
        raise VerifyError(f"{path}: no such file or directory")
    cwd = Path.cwd().resolve()
    if revision is not None:
        root = Path(
            _git(target if target.is_dir() else target.parent, "rev-parse", "--show-toplevel").strip()
        ).resolve()
    elif target == cwd or cwd in target.parents:
        root = cwd
    else:
        root = target if target.is_dir() else target.parent
    run_in = cwd.relative_to(root) if (cwd == root or root in cwd.parents) else Path(".")
    return _Layout(root, target.relative_to(root), run_in)


def _python_path(tree: Path, layout: _Layout) -> list:
    paths = [str(tree / layout.cwd)]
    target = tree / layout.target
    if target.is_dir() and target != tree / layout.cwd:
        # A source root (src/) goes on the path itself; a package, its parent.
        paths.append(str(target.parent if (target / "__init__.py").exists() else target))
    return paths


# --------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------


@dataclass
class VerifyOutcome:
    comparison: Comparison
    original: RunRecord
    migrated: RunRecord
    migration: list = field(default_factory=list)  # lines about what the tool did

    @property
    def exit_code(self) -> int:
        return 0 if self.comparison.ok else 1


@dataclass(frozen=True)
class _Options:
    """What `apply` would run with: the `[tool.migrate]` settings found from PATH."""

    settings: Any  # migrate.catalog.settings.Settings
    exclude: tuple[str, ...] = ()


def _options(path: str) -> _Options:
    """The `[tool.migrate]` table nearest to PATH (the original, not the copy), read as `apply` reads it."""
    from migrate.catalog import config
    from migrate.catalog import loader as catalog
    from migrate.catalog.settings import Settings

    rules = catalog.load()
    try:
        found = config.find_pyproject([path])
        cfg = config.load(found, rules) if found else config.Config()
    except config.ConfigError as error:
        raise VerifyError(str(error)) from error
    settings = Settings(
        instructions=cfg.instructions,
        store=cfg.store,  # type: ignore[arg-type]  # validated by config.load
        unsafe=cfg.unsafe,
        disabled=config.resolve(cfg.select, cfg.ignore, rules),
    )
    return _Options(settings, tuple(cfg.exclude))


def _migrate_tree(target: Path, options: _Options | None = None) -> list:
    from migrate.catalog.settings import Settings
    from migrate.run.tree import run

    options = options or _Options(Settings())
    changed, migrated, reported, failed = [], 0, 0, []
    for result in run([str(target)], options.settings, write=True, exclude=options.exclude):
        if result.status == "changed":
            changed.append(result.path)
        elif result.status == "failed":
            failed.append(f"{result.path}: {result.reason}")
        for call in result.calls:
            migrated += call.outcome == "migrated"
            reported += call.outcome == "reported"
    lines = [
        f"migrated {migrated} call{'s' if migrated != 1 else ''}"
        f" in {len(changed)} file{'s' if len(changed) != 1 else ''}"
        + (f"; {reported} call{'s' if reported != 1 else ''} reported and left alone" if reported else "")
    ]
    lines.extend(f"  failed: {line}" for line in failed)
    return lines


def _run_once(label: str, tree: Path, layout: _Layout, command: Sequence[str], timeout: float) -> RunRecord:
    from migrate.verify.programs import run_command
    from migrate.verify.server import FakeOpenAI

    with FakeOpenAI() as server:
        done = run_command(
            command, server.base_url, cwd=str(tree / layout.cwd), timeout=timeout, extra_path=_python_path(tree, layout)
        )
        requests = server.requests
    return RunRecord(label, done.stdout, done.stderr, done.returncode, requests)


def verify(path: str, command: Sequence[str], revision: str | None = None, *, timeout: float = 300) -> VerifyOutcome:
    """Run ``command`` on the original and on the migrated copy of the tree; compare."""
    if not command:
        raise VerifyError("no command given (usage: migrate verify PATH -- COMMAND...)")
    layout = _layout(path, revision)
    with tempfile.TemporaryDirectory(prefix="migrate-verify-") as tmp:
        original, migrated = Path(tmp) / "original", Path(tmp) / "migrated"
        if revision is not None:
            _archive(layout.root, revision, original)
            _copy_tree(layout.root, migrated)
            migration = [f"original: {revision}; migrated: the working tree"]
        else:
            _copy_tree(layout.root, original)
            _copy_tree(layout.root, migrated)
            migration = _migrate_tree(migrated / layout.target, _options(path))
        for tree in (original, migrated):
            if not (tree / layout.cwd).is_dir():
                raise VerifyError(f"{layout.cwd} does not exist in the {tree.name} tree")
        first = _run_once("original", original, layout, command, timeout)
        second = _run_once("migrated", migrated, layout, command, timeout)
    return VerifyOutcome(compare_runs(first, second), first, second, migration)


def render(outcome: VerifyOutcome) -> str:
    lines = list(outcome.migration)
    counts = []
    for run in (outcome.original, outcome.migrated):
        apis = {"chat": 0, "responses": 0}
        for request in run.requests:
            apis[request.api] = apis.get(request.api, 0) + 1
        counts.append(
            f"{run.label}: {len(run.requests)} request{'' if len(run.requests) == 1 else 's'}"
            f" ({apis['chat']} chat.completions, {apis['responses']} responses), exit {run.returncode}"
        )
    lines.extend(counts)
    lines.extend(f"note: {note}" for note in outcome.comparison.notes)
    lines.extend(outcome.comparison.details)
    lines.append(outcome.comparison.verdict)
    return "\n".join(lines) + "\n"


def verify_command(
    path: str, command: list[str], revision: str | None = None, *, out: TextIO | None = None, timeout: float = 300
) -> int:
    """The `migrate verify` command: prints a report ending in the verdict; returns the exit code."""
    out = out or sys.stdout
    command = list(command)
    if command and command[0] == "--":
        command = command[1:]
    try:
        outcome = verify(path, command, revision, timeout=timeout)
    except VerifyError as error:
        out.write(f"verify: error: {error}\n")
        return 2
    except ImportError as error:  # openai / pydantic missing
        out.write(f"verify: error: {error}; install the extra: pip install 'openai-responses-migrate[verify]'\n")
        return 2
    out.write(render(outcome))
    out.flush()
    return outcome.exit_code


def register(app: Any) -> None:
    """Add the ``verify`` command to a typer app."""
    import typer

    @app.command(
        "verify",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": False},
    )
    def verify_cli(
        path: str = typer.Argument(..., help="The file or directory to migrate (in a temporary copy)."),
        command: list[str] = typer.Argument(..., help="The command to run in both trees, after `--`."),
        revision: str | None = typer.Option(
            None, "--revision", help="Compare the working tree against this git revision instead of migrating a copy."
        ),
        timeout: float = typer.Option(300, "--timeout", help="Seconds each run of the command may take."),
    ) -> None:
        """Prove a migration: run COMMAND on the original and the migrated tree against local fake OpenAI servers."""
        raise typer.Exit(verify_command(path, command, revision, timeout=timeout))
