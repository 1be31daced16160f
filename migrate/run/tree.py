"""Run the engine over files: discover, migrate, write atomically, yield results in order.

Every file named or found ends as one FileResult, whatever goes wrong with it (a missing
path, a permission error, a broken symlink, a file that changed under us): the run goes on.

Ctrl-C: inside :func:`stop_on_sigint`, SIGINT never lands in the middle of a write or
between a write and the yield that reports it. While a file is being read and parsed it
abandons that file at once; otherwise the file in hand is finished (written and yielded)
first. Either way :func:`run` then returns normally, every file it yielded is fully done,
no temporary file is left, and ``stop.requested`` tells the caller to exit with
:data:`EXIT_INTERRUPTED`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from migrate.analysis.test_files import chat_wire_line, is_test_file
from migrate.catalog.findings import FileResult, Finding
from migrate.catalog.loader import WireTests
from migrate.catalog.settings import Settings
from migrate.engine.gate import gate
from migrate.engine.pipeline import might_contain_call_sites
from migrate.engine.units import Unit, find_units
from migrate.run import pool
from migrate.run.discovery import iter_files
from migrate.run.fileio import FileChangedError, read_bytes, write_atomic
from migrate.run.tasks import Candidate, Task, TaskResult, migrate_task

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C'd command


class Stop:
    """A stop request shared by a signal handler and :func:`run`."""

    def __init__(self) -> None:
        self.requested = False
        self._interruptible = False

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """While inside, a SIGINT raises KeyboardInterrupt at once (nothing is written here)."""
        try:
            self._interruptible = True
            if self.requested:
                raise KeyboardInterrupt
            yield
        finally:
            self._interruptible = False

    def _on_sigint(self, signum, frame) -> None:
        self.requested = True
        if self._interruptible:
            raise KeyboardInterrupt


@contextmanager
def stop_on_sigint() -> Iterator[Stop]:
    """Turn Ctrl-C into a clean stop between files (see the module docstring).

    Outside the main thread signals can't be caught: the Stop is then never requested.
    """
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, stop._on_sigint)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def run(
    paths: Sequence[str],
    settings: Settings,
    *,
    write: bool,
    exclude: Sequence[str] = (),
    stop: Stop | None = None,
    jobs: int = 1,
    timeout: float | None = None,
    on_total: Callable[[int], None] | None = None,
) -> Iterator[FileResult]:
    """Yield one FileResult per file, in discovery order, writing each change as it goes (see
    `_run`). A call migrated outside the tests is listed with the test files of the run that
    mock or record the chat endpoint (RSP142): they must change with it."""
    from migrate.catalog import loader as catalog

    marks = catalog.load().wire_tests
    mocked: list[tuple[str, int]] = []  # (test file, line): filled before the first result
    for result in _run(paths, settings, write, exclude, stop, jobs, timeout, on_total, mocked, marks):
        yield _with_tests_named(result, mocked, marks)


def _with_tests_named(result: FileResult, mocked: list[tuple[str, int]], marks: WireTests) -> FileResult:
    if not mocked or is_test_file(result.path, marks):
        return result
    shown = ", ".join(f"{path}:{line}" for path, line in mocked[:3]) + (", ..." if len(mocked) > 3 else "")
    for call in result.calls:
        if call.outcome == "migrated":
            note = Finding.of("RSP142", tests=shown)
            if note not in call.findings:
                call.findings.append(note)
    return result


def _run(
    paths: Sequence[str],
    settings: Settings,
    write: bool,
    exclude: Sequence[str],
    stop: Stop | None,
    jobs: int,
    timeout: float | None,
    on_total: Callable[[int], None] | None,
    mocked: list[tuple[str, int]],
    marks: WireTests,
) -> Iterator[FileResult]:
    """Yield one FileResult per file, in discovery order, writing each change as it goes.

    The files are found and read first (cheap: most are settled by the text test there); those
    that may hold call sites are then migrated in this process, or with `jobs` > 1 and enough
    of them, in a pool of worker processes (see :mod:`migrate.run.pool`). Only this process writes.
    `timeout` bounds the seconds spent on one file (it is then skipped); `on_total` is told
    how many files there are once they are found.

    With `stop` (from :func:`stop_on_sigint`), a Ctrl-C ends the run cleanly between files;
    without it, KeyboardInterrupt propagates as usual (no temporary file is left either way).
    """
    caller_handles_interrupts = stop is not None
    stop = stop or Stop()
    try:
        with stop.interruptible():
            found = list(iter_files(paths, exclude=exclude, report_skipped=True))
            if on_total is not None:
                on_total(len(found))
            settled = _without_call_sites([_read(item, mocked, marks) for item in found], jobs)
            units = _units(settled)
    except KeyboardInterrupt:
        if not caller_handles_interrupts:
            raise
        stop.requested, stop._interruptible = True, False
        return
    unit_of = {path: unit for unit in units for path in unit.paths}
    tasks: list[Task] = []
    for item in settled:
        unit = unit_of.get(item.path)
        if unit is not None and unit.paths[0] == item.path:
            tasks.append(unit)
        elif unit is None and isinstance(item, Candidate):
            tasks.append(item)
    migrated = _migrate_all(tasks, settings, jobs=jobs, timeout=timeout)
    done: dict[str, FileResult] = {}  # results of units, written, waiting for their turn
    try:
        for item in settled:
            if stop.requested:
                yield from done.values()  # written with a unit's first file: report them too
                return
            if item.path in done:
                yield done.pop(item.path)
                continue
            try:
                with stop.interruptible():
                    outcome = next(migrated) if item.path in unit_of or isinstance(item, Candidate) else item
            except KeyboardInterrupt:
                if not caller_handles_interrupts:
                    raise
                stop.requested, stop._interruptible = True, False
                yield from done.values()
                return
            if isinstance(outcome, dict):  # a unit's files: written together, yielded in turn
                done.update(_write_unit(outcome) if write else outcome)
                yield done.pop(item.path)
            else:
                yield _write_file(outcome) if write else outcome
    finally:
        migrated.close()


def _read(found, mocked: list[tuple[str, int]], marks: WireTests) -> FileResult | Candidate:
    """Settle a found file without the engine where possible: errors, skips, and files the
    text test rules out (their bytes are not kept). A test file that mentions the chat
    endpoint the way mocks do is added to `mocked`."""
    path = str(found.path)
    if found.error is not None:
        return FileResult(path, "failed", reason=found.error)
    if found.skipped is not None:
        return FileResult(path, "skipped", reason=found.skipped)
    try:
        data = read_bytes(found.path)
    except IsADirectoryError:
        return FileResult(path, "failed", reason="is a directory")
    except OSError as error:
        return FileResult(path, "failed", reason=f"cannot read: {_strerror(error)}")
    if is_test_file(path, marks):
        line = chat_wire_line(data, marks)
        if line is not None:
            mocked.append((path, line))
    notebook = found.path.suffix == ".ipynb"
    if not notebook and not might_contain_call_sites(data):
        return FileResult(path, "unchanged")
    return Candidate(path, data, notebook)


def _without_call_sites(settled: list[FileResult | Candidate], jobs: int = 1) -> list[FileResult | Candidate]:
    """Settle the candidates that parse and hold no call site (the engine's own `ast` gate, run
    here so that they never cost LibCST's import); the others stay candidates. With `jobs` > 1
    and enough of them, the gate runs in worker processes that never import LibCST."""
    sources = [item.data for item in settled if isinstance(item, Candidate) and not item.notebook]
    if not sources:
        return settled
    if jobs > 1 and len(sources) >= pool.MIN_GATE_FILES:
        scans = iter(pool.scan_in_pool(sources, jobs=jobs))
    else:
        scans = (gate(data) for data in sources)
    out: list[FileResult | Candidate] = []
    for item in settled:
        if isinstance(item, Candidate) and not item.notebook:
            found = next(scans)
            if found is not None and not found.positions:
                out.append(FileResult(item.path, "unchanged"))
                continue
            item = replace(item, scan=found)  # the engine (and the pre-pass) won't parse it again
        out.append(item)
    return out


def _units(settled: list[FileResult | Candidate]) -> list[Unit]:
    """Files that must be planned together because results cross between them (project.py)."""
    candidates = {item.path: item.data for item in settled if isinstance(item, Candidate)}
    if not candidates:
        return []
    from migrate.catalog import loader as catalog

    readable = [item.path for item in settled if isinstance(item, Candidate) or item.status == "unchanged"]
    scans = {item.path: item.scan for item in settled if isinstance(item, Candidate) and item.scan is not None}
    return find_units(readable, candidates, catalog.load().methods, _read_quietly, scans)


def _read_quietly(path: str) -> bytes | None:
    try:
        return read_bytes(Path(path))
    except OSError:
        return None


def _migrate_all(
    tasks: list[Task], settings: Settings, *, jobs: int, timeout: float | None
) -> Generator[TaskResult, None, None]:
    if jobs > 1 and len(tasks) >= pool.MIN_FILES:
        return pool.migrate_in_pool(tasks, settings, jobs=jobs, timeout=timeout)
    return (migrate_task(task, settings, timeout) for task in tasks)


def _write_file(result: FileResult) -> FileResult:
    if result.status != "changed" or result.migrated is None or result.original is None:
        return result
    try:
        write_atomic(result.path, result.migrated, expected=result.original)
    except FileChangedError as error:
        return FileResult(result.path, "failed", reason=f"{error}; not written", original=result.original)
    except OSError as error:
        return FileResult(result.path, "failed", reason=f"cannot write: {_strerror(error)}", original=result.original)
    return result


def _write_unit(results: dict[str, FileResult]) -> dict[str, FileResult]:
    """Write the changed files of a unit: all of them, or (a write failed) none. A file written
    before the failure gets its original bytes back."""
    written: list[FileResult] = []
    for path, result in results.items():
        outcome = _write_file(result)
        if outcome is result:
            written.append(result)
            continue
        for done in written:
            if done.status == "changed" and done.migrated is not None and done.original is not None:
                # Reported below as not written; the next run sees what is on disk.
                with suppress(OSError):
                    write_atomic(done.path, done.original, expected=done.migrated)
        why = f"not written: {path} could not be ({outcome.reason}), and these modules migrate together"
        return {
            other: outcome
            if other == path
            else FileResult(other, "failed", reason=why, original=results[other].original)
            for other in results
        }
    return results


def _strerror(error: OSError) -> str:
    return (error.strerror or str(error) or type(error).__name__).lower()
