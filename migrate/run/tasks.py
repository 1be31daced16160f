"""What the engine is given to do, and doing it: a file that may hold call sites (a
:class:`Candidate`), or a unit of files planned together; each ends as a FileResult within
its time budget, in this process or in a worker of :mod:`migrate.run.pool`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from migrate.analysis.links import NO_LINKS, Links
from migrate.catalog.findings import FileResult
from migrate.catalog.linelength import line_length
from migrate.catalog.settings import Settings
from migrate.engine.budget import OutOfTime, time_budget
from migrate.engine.gate import Scan
from migrate.engine.pipeline import migrate_source
from migrate.engine.units import Unit, migrate_unit

_PYTHON_SUFFIXES = (".py", ".pyw", ".pyi", ".ipynb")


@dataclass(frozen=True)
class Candidate:
    """A file read whole that may contain call sites: the engine must look at it."""

    path: str
    data: bytes
    notebook: bool
    scan: Scan | None = None  # the `ast` gate's findings, when it has run (the file parses)
    links: Links = NO_LINKS  # what the run knows of values crossing its boundary (units.imported_values)


Task = Candidate | Unit


TaskResult = FileResult | dict[str, FileResult]


def migrate_task(task: Task, settings: Settings, timeout: float | None = None) -> TaskResult:
    """A file's result, or for a unit, every one of its files' results by path."""
    if isinstance(task, Unit):
        return migrate_unit(
            task, lambda path, data, links: migrate_candidate(Candidate(path, data, False), settings, timeout, links)
        )
    return migrate_candidate(task, settings, timeout, task.links)


def migrate_candidate(
    item: Candidate, settings: Settings, timeout: float | None = None, links: Links = NO_LINKS
) -> FileResult:
    """The engine on one file, within its time budget: a FileResult whatever happens."""
    settings = replace(settings, line_length=line_length(item.path))
    try:
        with time_budget(timeout):
            if item.notebook:
                from migrate.engine.notebook import migrate_notebook

                result = migrate_notebook(item.path, item.data, settings, links)
            else:
                result = migrate_source(item.path, item.data, settings, links, item.scan)
    except OutOfTime:
        return FileResult(
            item.path,
            "skipped",
            reason=f"took longer than {timeout:g}s (--timeout-per-file); left unchanged",
            original=item.data,
            unchecked=True,
        )
    if result.status == "failed" and not item.path.endswith(_PYTHON_SUFFIXES):
        result.reason += " (not a .py file)"
    if result.original is None:
        result.original = item.data
    return result
