"""Run the engine over files: discover, migrate, write atomically, yield results in order.

Every file named or found ends as one FileResult, whatever goes wrong with it (a missing
path, a permission error, a broken symlink, a file that changed under us): the run goes on.

Ctrl-C and SIGTERM: inside :func:`stop_on_sigint`, the signal never lands in the middle of a write or
between a write and the yield that reports it. While a file is being read and parsed it
abandons that file at once; otherwise the file in hand is finished (written and yielded)
first. Either way :func:`run` then returns normally, every file it yielded is fully done,
no temporary file is left, and ``stop.requested`` tells the caller to exit with
``stop.exit_code`` (:data:`EXIT_INTERRUPTED` for Ctrl-C, 143 for SIGTERM).

SIGKILL: the files of a unit are written after a journal (:mod:`migrate.run.journal`); the
next run rolls back a unit a killed run left half-written, then migrates it again.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from migrate.analysis.links import Links
from migrate.analysis.test_files import chat_wire_line, chat_wrapped_at, is_example_file, is_test_file, may_wrap_chat
from migrate.catalog.findings import FileResult, Finding
from migrate.catalog.loader import WireTests
from migrate.catalog.settings import Settings
from migrate.engine.gate import gate
from migrate.engine.pipeline import MAX_FILE_BYTES, might_contain_call_sites, too_large
from migrate.engine.units import (
    Unit,
    find_units,
    helper_links,
    imported_values,
    join_units,
    module_name,
    refused_helpers,
)
from migrate.run import journal, pool, project
from migrate.run.discovery import Discovered, find_git_root, iter_files
from migrate.run.fileio import ALREADY_WRITTEN, FileChangedError, read_bytes, read_quietly, write_atomic
from migrate.run.tasks import Candidate, Task, TaskResult, migrate_task

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C'd command


class Stop:
    """A stop request shared by a signal handler and :func:`run`."""

    def __init__(self) -> None:
        self.requested = False
        self.signal = signal.SIGINT
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

    @property
    def exit_code(self) -> int:
        """What the process exits with when it stopped: 128 + the signal, as shells report it."""
        return 128 + self.signal

    def _on_sigint(self, signum, frame) -> None:
        self.requested = True
        self.signal = signum
        if self._interruptible:
            raise KeyboardInterrupt


@contextmanager
def stop_on_sigint() -> Iterator[Stop]:
    """Turn Ctrl-C, and SIGTERM (what `timeout`, CI cancellation and container stops send), into
    a clean stop between files (see the module docstring).

    Outside the main thread signals can't be caught: the Stop is then never requested.
    """
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {signum: signal.signal(signum, stop._on_sigint) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
    max_bytes: int | None = MAX_FILE_BYTES,
    on_note: Callable[[str], None] | None = None,
    include_importers: bool = False,
) -> Iterator[FileResult]:
    """Yield one FileResult per file, in discovery order, writing each change as it goes (see
    `_run`). A call migrated outside the tests is listed with the test files of the run that
    mock or record the chat endpoint (RSP142): they must change with it. `include_importers`:
    the project's files outside the run that import a helper whose result would change join the
    run (after its own files), rather than the helper's call being refused (RSP309)."""
    from migrate.catalog import loader as catalog

    marks = catalog.load().wire_tests
    mocked: list[tuple[str, int]] = []  # (test file, line): filled before the first result
    for result in _run(
        paths,
        settings,
        write,
        exclude,
        stop,
        jobs,
        timeout,
        on_total,
        max_bytes,
        on_note,
        mocked,
        marks,
        include_importers,
    ):
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
    max_bytes: int | None,
    on_note: Callable[[str], None] | None,
    mocked: list[tuple[str, int]],
    marks: WireTests,
    include_importers: bool = False,
) -> Iterator[FileResult]:
    """Yield one FileResult per file, in discovery order, writing each change as it goes.

    The files are found and read first (cheap: most are settled by the text test there); those
    that may hold call sites are then migrated in this process, or with `jobs` > 1 and enough
    of them, in a pool of worker processes (see :mod:`migrate.run.pool`). Only this process writes.
    `timeout` bounds the seconds spent on one file (it is then skipped); `on_total` is told
    how many files there are once they are found. A file with call sites above `max_bytes`
    (None or 0: no limit) is skipped with that reason, before any parser sees it. When writing,
    what an earlier killed run left in the directories of the files found is cleaned up first
    (:func:`migrate.run.journal.recover`); `on_note` is told what was done, one line each.
    Without `write`, the files a killed run may have left half written are failed, saying so.

    With `stop` (from :func:`stop_on_sigint`), a Ctrl-C ends the run cleanly between files;
    without it, KeyboardInterrupt propagates as usual (no temporary file is left either way).
    """
    caller_handles_interrupts = stop is not None
    stop = stop or Stop()
    try:
        with stop.interruptible():
            found = list(iter_files(paths, exclude=exclude, report_skipped=True))
            half_written: set[str] = set()
            if write:
                notes = journal.recover(_directories(paths, found))
                if on_note is not None:
                    for note in notes:
                        on_note(note)
            else:
                half_written = journal.pending(_directories(paths, found))
            if on_total is not None:
                on_total(len(found))
            wrappers: list[tuple[str, int, str]] = []
            settled = _without_call_sites([_read(item, mocked, marks, max_bytes, wrappers) for item in found], jobs)
            if half_written:
                settled = [_half_written(item) if _real(item.path) in half_written else item for item in settled]
            importers: list[str] = []
            units = _units(settled, jobs, paths, exclude, importers)
            if include_importers and importers:  # the project's files that import what would change join the run
                extra = [Discovered(Path(path)) for path in importers]
                found += extra
                settled += _without_call_sites(
                    [_read(item, mocked, marks, max_bytes, wrappers) for item in extra], jobs
                )
                units = _units(settled, jobs, paths, exclude)
            settled, units = _values_and_helpers(settled, units, jobs, paths, exclude)
            settled, units = _chat_wrapped(settled, units, wrappers, marks, paths, exclude)
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


def _directories(paths: Sequence[str], found) -> list[str]:
    """The directories of the files found and the directories named: where a killed run may have
    left a journal or a temporary file."""
    named = [p for p in paths if Path(p).is_dir()]
    return list(dict.fromkeys([*named, *(str(item.path.parent) for item in found)]))


def _real(path: str) -> str:
    return os.path.realpath(path)


def _half_written(item: FileResult | Candidate) -> FileResult:
    return FileResult(
        item.path, "failed", reason=journal.PENDING, original=item.data if isinstance(item, Candidate) else None
    )


def _read(
    found,
    mocked: list[tuple[str, int]],
    marks: WireTests,
    max_bytes: int | None = None,
    wrappers: list[tuple[str, int, str]] | None = None,
) -> FileResult | Candidate:
    """Settle a found file without the engine where possible: errors, skips, and files the
    text test rules out (their bytes are not kept). A test file that mentions the chat
    endpoint the way mocks do is added to `mocked`; a module (neither a test nor an example)
    that names the chat method's module to wrap it, to `wrappers` (path, line, the name)."""
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
    refused = too_large(data, max_bytes)
    if refused is not None:
        return FileResult(path, "skipped", reason=refused, unchecked=True)
    if is_test_file(path, marks):
        line = chat_wire_line(data, marks)
        if line is not None:
            mocked.append((path, line))
    elif wrappers is not None and may_wrap_chat(path, marks):
        wrapped = chat_wrapped_at(data, marks)
        if wrapped is not None:
            wrappers.append((path, *wrapped))
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
            if found is not None and not found.has_sites:
                out.append(FileResult(item.path, "unchanged"))
                continue
            item = replace(item, scan=found)  # the engine (and the pre-pass) won't parse it again
        out.append(item)
    return out


def _units(
    settled: list[FileResult | Candidate],
    jobs: int = 1,
    paths: Sequence[str] = (),
    exclude: Sequence[str] = (),
    importers: list[str] | None = None,
) -> list[Unit]:
    """Files that must be planned together because results cross between them (units.py). The
    project's files outside the run are read for importers too (:mod:`migrate.run.project`):
    those that import what would change are added to `importers`."""
    candidates = {item.path: item.data for item in settled if isinstance(item, Candidate)}
    if not candidates:
        return []
    from migrate.catalog import loader as catalog

    readable = [item.path for item in settled if isinstance(item, Candidate) or item.status == "unchanged"]
    scans = {item.path: item.scan for item in settled if isinstance(item, Candidate) and item.scan is not None}
    select = None
    if jobs > 1 and len(readable) - len(candidates) >= pool.MIN_SELECT_FILES:
        select = functools.partial(pool.select_in_pool, jobs=jobs)
    found = [item.path for item in settled]
    outside = functools.partial(_not_looked_into, settled, paths, found, exclude)
    units = find_units(readable, candidates, catalog.load().methods, read_quietly, scans, select, outside, importers)
    if importers:  # (a file of the run the engine won't look into is not one to add to it)
        run_files = set(found)
        importers[:] = [path for path in importers if path not in run_files]
    return units


def _not_looked_into(
    settled: list[FileResult | Candidate], paths: Sequence[str], found: list[str], exclude: Sequence[str]
) -> list[str]:
    """The files that may import from the run's but that the engine never plans: the rest of the
    project, and the run's own files it skipped (too large, say), which would still read what
    the others change."""
    skipped = [item.path for item in settled if isinstance(item, FileResult) and item.status == "skipped"]
    return [*project.outside_files(paths, found, exclude), *skipped]


def _values_and_helpers(
    settled: list[FileResult | Candidate],
    units: list[Unit],
    jobs: int = 1,
    paths: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> tuple[list[FileResult | Candidate], list[Unit]]:
    """Tell each file which of its values other files of the project import (units.py
    `imported_values`): those are not converted where they are written, unless each importer
    is a file of the run planned with it; and which functions of other files of the run it
    calls (`helper_links`). The units, joined where a value or such a function links files."""
    candidates = {item.path: item.data for item in settled if isinstance(item, Candidate)}
    scans = {item.path: item.scan for item in settled if isinstance(item, Candidate) and item.scan is not None}
    readable = [item.path for item in settled if isinstance(item, Candidate) or item.status == "unchanged"]
    select = None
    if jobs > 1 and len(readable) - len(candidates) >= pool.MIN_SELECT_FILES:
        select = functools.partial(pool.select_in_pool, jobs=jobs)
    # The rest of the project, walked once for both.
    outside = functools.cache(
        functools.partial(_not_looked_into, settled, paths, [item.path for item in settled], exclude)
    )
    helpers = helper_links(readable, candidates, scans, read_quietly, select, outside)
    refused: dict[str, dict[str, str]] = {}
    followed: dict = {}
    requested: dict[str, dict[str, str]] = {}
    if any(scan.shared_names or scan.passed_names for scan in scans.values()):
        refused, followed, requested = imported_values(readable, candidates, scans, read_quietly, select, outside)
    if followed or helpers.imports:
        units = join_units(units, followed, [item.path for item in settled], candidates, read_quietly, helpers)
    for unit in units:
        unit.refused_values = {path: refused[path] for path in unit.paths if path in refused}
        unit.value_requests = {path: requested[path] for path in unit.paths if path in requested}
    planned = {path for unit in units for path in unit.paths}

    def links_of(path: str) -> Links:
        called = refused_helpers(helpers, path)  # matched by absolute name: the file's package resolves its own
        package = module_name(path)[1] if called else ""
        return Links(refused_values=refused.get(path, {}), package=package, helpers=called)

    settled = [
        replace(item, links=links_of(item.path))
        if isinstance(item, Candidate)
        and item.path not in planned
        and (item.path in refused or item.path in helpers.imports)
        else item
        for item in settled
    ]
    return settled, units


def _chat_wrapped(
    settled: list[FileResult | Candidate],
    units: list[Unit],
    wrappers: list[tuple[str, int, str]],
    marks: WireTests,
    paths: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> tuple[list[FileResult | Candidate], list[Unit]]:
    """Tell the tests and examples of a project that wraps the chat method itself (an
    instrumentation or tracing library: `wrappers`, found by `_read`, else among the project's
    files outside the run) where it does: they call chat on purpose, to exercise the wrapper,
    and their calls are reported (RSP219). A project is a git repository (a run over several
    is told of each one's own wrapper), or, outside any, the whole run."""
    exercised = [
        item.path
        for item in settled
        if isinstance(item, Candidate) and (is_test_file(item.path, marks) or is_example_file(item.path, marks))
    ]
    if not exercised:
        return settled, units
    repository = _Repositories()
    where: dict[str | None, str] = {}
    for path, line, name in wrappers:
        where.setdefault(repository(path), f"`{name}` at {path}:{line}")
    unknown = {repository(path) for path in exercised} - where.keys()
    if unknown:
        found = [item.path for item in settled]
        for path in project.outside_files(paths, found, exclude):
            if not may_wrap_chat(path, marks) or repository(path) not in unknown:
                continue
            data = read_quietly(path)
            wrapped = chat_wrapped_at(data, marks) if data is not None else None
            if wrapped is not None:
                where[repository(path)] = f"`{wrapped[1]}` at {path}:{wrapped[0]}"
                unknown.discard(repository(path))
                if not unknown:
                    break
    told = {path: where[repository(path)] for path in exercised if repository(path) in where}
    if not told:
        return settled, units
    planned = set()
    for unit in units:
        unit.chat_wrapped.update({path: told[path] for path in unit.paths if path in told})
        planned.update(unit.paths)
    settled = [
        replace(item, links=replace(item.links, chat_wrapped=told[item.path]))
        if isinstance(item, Candidate) and item.path in told and item.path not in planned
        else item
        for item in settled
    ]
    return settled, units


class _Repositories:
    """The git repository a file belongs to (its root, or None), looked up once per directory."""

    def __init__(self) -> None:
        self._roots: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        directory = os.path.dirname(os.path.realpath(path))
        if directory not in self._roots:
            self._roots[directory] = find_git_root(directory)
        return self._roots[directory]


def _migrate_all(
    tasks: list[Task], settings: Settings, *, jobs: int, timeout: float | None
) -> Generator[TaskResult, None, None]:
    if (jobs > 1 and len(tasks) >= pool.MIN_FILES) or any(_size(task) > pool.ISOLATE_BYTES for task in tasks):
        return pool.migrate_in_pool(tasks, settings, jobs=jobs, timeout=timeout)
    return (migrate_task(task, settings, timeout) for task in tasks)


def _size(task: Task) -> int:
    return max(map(len, task.data.values())) if isinstance(task, Unit) else len(task.data)


def _write_file(result: FileResult) -> FileResult:
    if result.status != "changed" or result.migrated is None or result.original is None:
        return result
    try:
        written = write_atomic(result.path, result.migrated, expected=result.original)
    except FileChangedError as error:
        return FileResult(result.path, "failed", reason=f"{error}; not written", original=result.original)
    except OSError as error:
        return FileResult(result.path, "failed", reason=f"cannot write: {_strerror(error)}", original=result.original)
    if not written:
        # Another run wrote these very bytes first: this run changed nothing. As a rerun would, it
        # keeps the calls still there (reported, skipped) and not the ones the other run migrated.
        kept = [call for call in result.calls if call.outcome != "migrated"]
        return replace(result, status="unchanged", calls=kept, reason=ALREADY_WRITTEN, migrated=None)
    return result


def _write_unit(results: dict[str, FileResult]) -> dict[str, FileResult]:
    """Write the changed files of a unit: all of them, or (a write failed) none. A file written
    before the failure gets its original bytes back; a kill between the first write and the last
    is rolled back by the next run, from the journal written first (:mod:`migrate.run.journal`)."""
    changed = [r for r in results.values() if r.status == "changed" and r.migrated is not None and r.original]
    if len(changed) < 2:
        return _write_files(results)
    try:
        record = journal.begin(changed[0].path, [(r.path, r.original or b"", r.migrated or b"") for r in changed])
    except OSError as error:
        why = f"not written: cannot write the journal of these modules that migrate together ({_strerror(error)})"
        return {path: FileResult(path, "failed", reason=why, original=r.original) for path, r in results.items()}
    try:
        return _write_files(results)
    finally:
        journal.finish(record)


def _write_files(results: dict[str, FileResult]) -> dict[str, FileResult]:
    written: list[FileResult] = []
    outcomes = dict(results)
    for path, result in results.items():
        outcome = outcomes[path] = _write_file(result)
        if outcome is result:
            written.append(result)
            continue
        if outcome.reason == ALREADY_WRITTEN:
            continue  # written by another run: not ours to roll back
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
    return outcomes


def _strerror(error: OSError) -> str:
    return (error.strerror or str(error) or type(error).__name__).lower()
