"""Migrate many files in worker processes; results come back in the order the files were given.

Before that, on large trees, the cheap stages a run does before the engine run in workers too:
the `ast` gate (`scan_in_pool`) and the unit pre-pass's text test (`select_in_pool`), forked
before LibCST is loaded, which they never import.

The parent warms what every worker needs (LibCST's parser, the scope analysis, the rule
catalog) and then forks, so the workers start with it loaded. Workers only compute: they
ignore SIGINT and SIGTERM (the parent decides when to stop), never write a file, and send back
results without the original bytes, which the parent already holds. Where ``fork`` is not
available the workers are spawned and warm themselves.

Faults (see :mod:`migrate.run.workers`): a worker that dies (killed, out of memory, a crash in
LibCST's native parser) fails its file with the reason, one that runs past the file's budget
(``--timeout-per-file`` plus :data:`GRACE`) is ended and its file skipped; either way a new
worker takes its place and the other files finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Literal

from migrate.catalog.findings import FileResult
from migrate.catalog.settings import Settings
from migrate.engine.gate import Scan, gate
from migrate.engine.units import Unit
from migrate.run.fileio import read_quietly
from migrate.run.tasks import Candidate, Task, TaskResult, migrate_task
from migrate.run.workers import Lost, map_ordered

# Below this many files to look at, starting workers costs more than it saves: for the engine,
# and for the `ast` gate alone (a few milliseconds a file).
MIN_FILES = 8
MIN_GATE_FILES = 64
# ... and for the text test of the unit pre-pass (a file read and searched: well under 1 ms).
MIN_SELECT_FILES = 1000
# A file this large always goes to a worker, even with -j 1 or few files: LibCST's native
# parser may run for minutes or crash on it, and only a worker can be ended or die alone.
ISOLATE_BYTES = 1 << 20
# Seconds a worker gets past --timeout-per-file before the parent ends it (its own timer
# normally stops the file first, unless the file is inside LibCST's native parser).
GRACE = 2.0

_settings: Settings | None = None
_timeout: float | None = None


def default_jobs() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# A small file with a call site and the syntax most files have, for warm().
_WARM_UP = b"""import json
from dataclasses import dataclass
from openai import OpenAI

client = OpenAI()


@dataclass
class Answer:
    text: str = ""

    def show(self, width: int = 80) -> str:
        return f"{self.text[:width]!r:>{width}}"


def ask(question: str, *, model: str = "gpt-4.1") -> Answer:
    for word in question.split():
        if not word:
            break
    messages = [{"role": "user", "content": question}]
    completion = client.chat.completions.create(model=model, messages=messages, max_tokens=100)
    return Answer(json.dumps({"a": completion.choices[0].message.content}))
"""


def warm() -> None:
    """Import and exercise the engine's heavy parts once (inherited by forked workers): LibCST,
    its metadata, the transforms and the rule catalog, and what the engine learns per node type."""
    from migrate.engine.pipeline import migrate_source

    migrate_source("warm-up.py", _WARM_UP, Settings())


def _start(settings: Settings, timeout: float | None) -> None:
    global _settings, _timeout
    _settings, _timeout = settings, timeout
    warm()  # a no-op after fork; what a spawned worker needs


def _work(task: Task) -> TaskResult:
    assert _settings is not None
    outcome = migrate_task(task, _settings, _timeout)
    for result in outcome.values() if isinstance(outcome, dict) else (outcome,):
        result.original = None  # the parent has the bytes
    return outcome


def scan_in_pool(sources: Sequence[bytes], *, jobs: int) -> Generator[Scan | None, None, None]:
    """The `ast` gate's scan of each source (None: it doesn't parse, or its worker died: the engine
    then looks at it in a worker of its own), in order, from `jobs` workers forked before anything
    heavy is loaded: they never import LibCST."""
    from migrate.catalog import loader as catalog

    catalog.load()  # read once, here: forked workers inherit it
    yield from map_ordered(gate, sources, jobs=jobs, lost=lambda lost: None)


def select_in_pool(paths: Sequence[str], test: Callable[[bytes], bool], *, jobs: int) -> set[str]:
    """The paths whose bytes pass `test` (a picklable callable), read and tested by `jobs`
    workers forked before anything heavy is loaded; an unreadable file does not pass, and a
    chunk whose worker dies counts as passing (the pre-pass then parses those files itself)."""
    chunks = [(paths[i : i + 256], test) for i in range(0, len(paths), 256)]
    found: set[str] = set()
    for selected in map_ordered(_select, chunks, jobs=jobs, lost=lambda lost: set(lost.item[0])):
        found |= selected
    return found


def _select(chunk: tuple[Sequence[str], Callable[[bytes], bool]]) -> set[str]:
    paths, test = chunk
    return {path for path in paths if (data := read_quietly(path)) is not None and test(data)}


def deadline(task: Task, timeout: float | None) -> float | None:
    """The seconds a worker may spend on a task before the parent ends it: the budget of each of
    its files (twice over for a unit, planned in rounds) and a grace for the worker's own timer,
    which stops Python code at `timeout` (not a stretch inside LibCST's native parser)."""
    if not timeout:
        return None
    if isinstance(task, Unit):
        return 2 * timeout * len(task.paths) + GRACE
    return timeout + GRACE


def lost_result(lost: Lost[Task], timeout: float | None) -> TaskResult:
    """The outcome of a task whose worker died or overran: its files, left unchanged."""
    task = lost.item
    status: Literal["skipped", "failed"]
    if lost.kind == "overran":
        seconds = deadline(task, timeout) or 0
        status = "skipped"
        reason = f"took longer than {timeout:g}s (--timeout-per-file); the worker was ended; left unchanged"
        if isinstance(task, Unit):
            reason = (
                f"took longer than {seconds:g}s for {len(task.paths)} modules that migrate together "
                "(--timeout-per-file); the worker was ended; left unchanged"
            )
    else:
        status, reason = "failed", f"{lost.reason} while migrating it; left unchanged"
        if isinstance(task, Unit) and lost.kind != "raised":
            reason = f"{lost.reason} while migrating {len(task.paths)} modules that migrate together; left unchanged"
    unchecked = status == "skipped"  # --check can't pass over a file it did not check
    if isinstance(task, Unit):
        return {
            path: FileResult(path, status, reason=reason, original=task.data[path], unchecked=unchecked)
            for path in task.paths
        }
    return FileResult(task.path, status, reason=reason, original=task.data, unchecked=unchecked)


def migrate_in_pool(
    tasks: Sequence[Task], settings: Settings, *, jobs: int, timeout: float | None
) -> Generator[TaskResult, None, None]:
    """Yield the outcome of each task (a file, or a unit of files), in order. Closing the generator
    (or an exception in the consumer, or Ctrl-C) stops the workers at once. A worker that dies or
    overruns its task's deadline is ended and replaced; the task's files are failed / skipped."""
    warm()
    outcomes = map_ordered(
        _work,
        tasks,
        jobs=jobs,
        lost=lambda lost: lost_result(lost, timeout),
        initializer=_start,
        initargs=(settings, timeout),
        deadline=lambda task: deadline(task, timeout),
    )
    try:
        for task, outcome in zip(tasks, outcomes, strict=True):
            if isinstance(outcome, dict):
                assert isinstance(task, Unit)  # a unit's outcome: its files' results by path
                for path, result in outcome.items():
                    result.original = task.data[path]
            else:
                assert isinstance(task, Candidate)
                outcome.original = task.data
            yield outcome
    finally:
        outcomes.close()
