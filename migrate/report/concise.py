"""One line per finding (`--format concise`): `path:line:col: RSPnnn message`, as ruff prints
it, so editors and terminals can jump to it. It lists what fails the run (every reason a call
is reported; a file that failed or could not be checked) and warnings; not migrated or skipped
calls, which the summary counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from migrate.catalog.findings import CallSite, FileResult


def _at(path: str, call: CallSite) -> str:
    if call.cell is not None:  # ruff's spelling for notebooks: the cell, then the line in it
        return f"{path}:cell {call.cell}:{call.line}:{call.column}"
    return f"{path}:{call.line}:{call.column}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_concise(results: Iterable[FileResult], out: IO[str]) -> None:
    for result in results:
        if result.status == "failed" or (result.status == "skipped" and result.unchecked):
            out.write(f"{result.path}:1:1: {result.status}: {_one_line(result.reason)}\n")
        for call in result.calls:
            for warning in call.warnings:
                out.write(f"{_at(result.path, call)}: warning: {_one_line(warning)}\n")
            if call.outcome == "reported":
                for finding in call.findings:
                    out.write(f"{_at(result.path, call)}: {finding.code} {_one_line(finding.message())}\n")
