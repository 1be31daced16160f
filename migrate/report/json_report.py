"""The JSON report (`--format json`): every call with its findings, the files, the totals."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from migrate.catalog import loader as catalog
from migrate.catalog.findings import CallSite, FileResult
from migrate.report.diff import unified_diff
from migrate.report.summary import Summary

JSON_SCHEMA_VERSION = 1


def call_record(path: str, call: CallSite) -> dict:
    rules = catalog.load().rules
    cell = {} if call.cell is None else {"cell": call.cell}  # notebooks: `line` is in that cell
    return {
        "path": path,
        **cell,
        "line": call.line,
        "column": call.column,
        "method": call.method,
        "outcome": call.outcome,
        "code": call.code,
        "message": call.findings[0].message() if call.findings else "",
        "findings": [{"code": f.code, "safety": rules[f.code].safety, "message": f.message()} for f in call.findings],
        # A call of another module's function that returns a migrated result (RSP141): which one.
        **({} if call.via is None else {"via": call.via}),
        # Mistakes in how the call was addressed (an unknown code in its `# migrate: ignore[...]`).
        **({"warnings": list(call.warnings)} if call.warnings else {}),
    }


def write_json(results: Iterable[FileResult], summary: Summary, out: IO[str], *, with_diff: bool) -> None:
    calls: list[dict] = []
    files: list[dict[str, str]] = []
    for result in results:
        calls.extend(call_record(result.path, c) for c in result.calls)
        entry = {"path": result.path, "status": result.status, "reason": result.reason}
        if with_diff and result.status == "changed":
            entry["diff"] = unified_diff(result)
        if result.status != "unchanged" or result.calls:
            files.append(entry)
    document = {
        "version": JSON_SCHEMA_VERSION,
        "calls": calls,
        "files": files,
        "summary": {
            "files_scanned": summary.files,
            "files_changed": summary.changed,
            "files_failed": summary.failed,
            "files_skipped": summary.skipped_files,
            "call_sites": summary.calls,
            "migrated": summary.outcomes["migrated"],
            "reported": summary.outcomes["reported"],
            "skipped": summary.outcomes["skipped"],
            "suppressed": summary.outcomes["suppressed"],
            "held_back_unsafe": summary.held_back_unsafe,
            "reported_by_rule": dict(sorted(summary.reported_by_rule.items())),
            "review_by_rule": dict(sorted(summary.review_by_rule.items())),
        },
    }
    json.dump(document, out, indent=2)
    out.write("\n")
