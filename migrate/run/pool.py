"""Migrate many files in worker processes; results come back in the order the files were given.

Before that, on large trees, the cheap stages a run does before the engine run in workers too:
the `ast` gate (`scan_in_pool`) and the unit pre-pass's text test (`select_in_pool`), forked
before LibCST is loaded, which they never import.

The parent warms what every worker needs (LibCST's parser, the scope analysis, the rule
catalog) and then forks, so the workers start with it loaded. Workers only compute: they
ignore SIGINT (the parent decides when to stop), never write a file, and send back results
without the original bytes, which the parent already holds. Where ``fork`` is not available
the workers are spawned and warm themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Sequence

from migrate.catalog.settings import Settings
from migrate.engine.gate import Scan, gate
from migrate.engine.units import Unit
from migrate.run.fileio import read_quietly
from migrate.run.tasks import Candidate, Task, TaskResult, migrate_task

# Below this many files to look at, starting workers costs more than it saves: for the engine,
# and for the `ast` gate alone (a few milliseconds a file).
MIN_FILES = 8
MIN_GATE_FILES = 64
# ... and for the text test of the unit pre-pass (a file read and searched: well under 1 ms).
MIN_SELECT_FILES = 1000

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
    _ignore_sigint()
    _settings, _timeout = settings, timeout
    warm()  # a no-op after fork; what a spawned worker needs


def _work(task: Task) -> TaskResult:
    assert _settings is not None
    outcome = migrate_task(task, _settings, _timeout)
    for result in outcome.values() if isinstance(outcome, dict) else (outcome,):
        result.original = None  # the parent has the bytes
    return outcome


def scan_in_pool(sources: Sequence[bytes], *, jobs: int) -> Generator[Scan | None, None, None]:
    """The `ast` gate's scan of each source (None: it doesn't parse), in order, from `jobs`
    workers forked before anything heavy is loaded: they never import LibCST."""
    from migrate.catalog import loader as catalog

    catalog.load()  # read once, here: forked workers inherit it
    workers = _context().Pool(min(jobs, len(sources)), initializer=_ignore_sigint)
    try:
        yield from workers.imap(gate, sources, chunksize=4)
        workers.close()
    finally:
        workers.terminate()
        workers.join()


def select_in_pool(paths: Sequence[str], test: Callable[[bytes], bool], *, jobs: int) -> set[str]:
    """The paths whose bytes pass `test` (a picklable callable), read and tested by `jobs`
    workers forked before anything heavy is loaded; an unreadable file does not pass."""
    workers = _context().Pool(min(jobs, len(paths)), initializer=_ignore_sigint)
    try:
        chunks = [(paths[i : i + 256], test) for i in range(0, len(paths), 256)]
        found = set().union(*workers.imap(_select, chunks))
        workers.close()
        return found
    finally:
        workers.terminate()
        workers.join()


def _select(chunk: tuple[Sequence[str], Callable[[bytes], bool]]) -> set[str]:
    paths, test = chunk
    return {path for path in paths if (data := read_quietly(path)) is not None and test(data)}


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def migrate_in_pool(
    tasks: Sequence[Task], settings: Settings, *, jobs: int, timeout: float | None
) -> Generator[TaskResult, None, None]:
    """Yield the outcome of each task (a file, or a unit of files), in order. Closing the generator
    (or an exception in the consumer, or Ctrl-C) stops the workers at once."""
    warm()
    workers = _context().Pool(min(jobs, len(tasks)), initializer=_start, initargs=(settings, timeout))
    try:
        for task, outcome in zip(tasks, workers.imap(_work, tasks, chunksize=1), strict=True):
            if isinstance(outcome, dict):
                assert isinstance(task, Unit)  # a unit's outcome: its files' results by path
                for path, result in outcome.items():
                    result.original = task.data[path]
            else:
                assert isinstance(task, Candidate)
                outcome.original = task.data
            yield outcome
        workers.close()
    finally:
        workers.terminate()
        workers.join()
