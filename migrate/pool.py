"""Migrate many files in worker processes; results come back in the order the files were given.

The parent warms what every worker needs (LibCST's parser and scope analysis, the rule
catalog) and then forks, so the workers start with it loaded. Workers only compute: they
ignore SIGINT (the parent decides when to stop), never write a file, and send back results
without the original bytes, which the parent already holds. Where ``fork`` is not available
the workers are spawned and warm themselves.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
from typing import TYPE_CHECKING, Generator, Sequence

from migrate.findings import FileResult
from migrate.settings import Settings

if TYPE_CHECKING:
    from migrate.runner import Candidate

# Below this many files to look at, starting workers costs more than it saves.
MIN_FILES = 8

_settings: Settings | None = None
_timeout: float | None = None


def default_jobs() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def warm() -> None:
    """Import and exercise the engine's heavy parts once (inherited by forked workers)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, ScopeProvider

    from migrate import catalog

    importlib.import_module("migrate.plan")  # and with it LibCST's metadata and the transforms

    catalog.load()
    MetadataWrapper(cst.parse_module("import openai\nx = openai.OpenAI()\n")).resolve(ScopeProvider)


def _start(settings: Settings, timeout: float | None) -> None:
    global _settings, _timeout
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _settings, _timeout = settings, timeout
    warm()  # a no-op after fork; what a spawned worker needs


def _work(item: "Candidate") -> FileResult:
    from migrate.runner import migrate_candidate

    assert _settings is not None
    result = migrate_candidate(item, _settings, _timeout)
    result.original = None  # the parent has it
    return result


def migrate_in_pool(
    work: Sequence["Candidate"], settings: Settings, *, jobs: int, timeout: float | None
) -> Generator[FileResult, None, None]:
    """Yield the result for each of `work`, in order. Closing the generator (or an exception
    in the consumer, or Ctrl-C) stops the workers at once."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    warm()
    workers = context.Pool(min(jobs, len(work)), initializer=_start, initargs=(settings, timeout))
    try:
        for item, result in zip(work, workers.imap(_work, work, chunksize=1)):
            result.original = item.data
            yield result
        workers.close()
    finally:
        workers.terminate()
        workers.join()
