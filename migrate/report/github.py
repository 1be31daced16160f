"""GitHub Actions workflow commands: an annotation per finding shown, an error per failed file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from migrate.catalog.findings import FileResult
from migrate.report.diff import diff_name
from migrate.report.summary import Summary, cell_prefix, findings_to_show


def _escape_property(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def write_github(results: Sequence[FileResult], summary: Summary, out: IO[str]) -> None:
    """GitHub Actions workflow commands: one annotation per finding, errors for failed files."""
    for result in results:
        name = _escape_property(diff_name(result.path))
        if result.status == "failed":
            out.write(f"::error file={name},title=migrate::{_escape_data(result.reason)}\n")
        for call in result.calls:
            at = f",line={call.line},col={call.column}" if call.cell is None else ""
            for warning in call.warnings:
                out.write(f"::warning file={name}{at},title=migrate::{_escape_data(cell_prefix(call) + warning)}\n")
            for finding in findings_to_show(call):
                kind = "notice" if call.outcome in ("skipped", "migrated") else "warning"
                title = _escape_property(f"{finding.code} ({call.outcome})")
                out.write(
                    f"::{kind} file={name}{at},title={title}::{_escape_data(cell_prefix(call) + finding.message())}\n"
                )
