"""Markdown for a pull-request comment: a summary table, the reported calls (unfolded: they
need a person), then collapsible per-file details of the migrated and skipped calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from migrate.catalog import loader as catalog
from migrate.catalog.findings import CallSite, FileResult
from migrate.report.diff import diff_name
from migrate.report.summary import Summary, findings_to_show


def write_markdown(results: Sequence[FileResult], summary: Summary, out: IO[str]) -> None:
    """A summary table and collapsible per-file details, to post as a pull-request comment."""
    o = summary.outcomes
    w = out.write
    w("## openai-responses-migrate\n\n")
    w("| files scanned | call sites | migrated | reported | skipped | suppressed | files changed | failed |\n")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    w(
        f"| {summary.files} | {summary.calls} | {o['migrated']} | {o['reported']} "
        f"| {o['skipped']}{f' ({summary.skipped_why})' if o['skipped'] else ''} "
        f"| {o['suppressed']} | {summary.changed} | {summary.failed} |\n\n"
    )
    rules = catalog.load().rules
    if summary.reported_by_rule or summary.review_by_rule:
        w("| rule | name | left untouched | migrated, to review |\n|---|---|---:|---:|\n")
        for code in sorted(set(summary.reported_by_rule) | set(summary.review_by_rule)):
            w(
                f"| `{code}` | {rules[code].name} | {summary.reported_by_rule.get(code, 0)} "
                f"| {summary.review_by_rule.get(code, 0)} |\n"
            )
        w("\n")
    reported = [(result, call) for result in results for call in result.calls if call.outcome == "reported"]
    unchecked = [r for r in results if r.status == "failed" or (r.status == "skipped" and r.unchecked)]
    if reported:
        # What needs a person comes first, unfolded: every reason each call was left untouched.
        w("### Left untouched: to migrate by hand\n\n| file | line | rule | why |\n|---|---:|---|---|\n")
        for result, call in reported:
            for finding in call.findings:
                w(
                    f"| <code>{_md(diff_name(result.path))}</code> | {_md_line(call)} | `{finding.code}` "
                    f"| {_md(finding.message())} |\n"
                )
        w("\n")
    if unchecked:
        w("### Files not checked\n\n")
        for result in unchecked:
            w(f"* <code>{_md(diff_name(result.path))}</code> {result.status}: {_md(result.reason)}\n")
        w("\n")
    for result in results:
        # Folded, per file: the migrated calls with what to review, and the skipped calls.
        shown = [(call, findings_to_show(call)) for call in result.calls if call.outcome in ("migrated", "skipped")]
        shown = [(call, findings) for call, findings in shown if findings or call.outcome == "migrated"]
        if not shown and (result.status not in ("failed", "skipped") or result in unchecked):
            continue
        w(f"<details><summary><code>{_md(diff_name(result.path))}</code>")
        w(f" — {result.status}" + (f": {_md(result.reason)}" if result.reason else "") + "</summary>\n\n")
        if shown:
            w("| line | outcome | rule | message |\n|---:|---|---|---|\n")
            for call, findings in shown:
                for finding in findings or call.findings[:1]:
                    w(f"| {_md_line(call)} | {call.outcome} | `{finding.code}` | {_md(finding.message())} |\n")
        w("\n</details>\n\n")


def _md_line(call: CallSite) -> str:
    return str(call.line) if call.cell is None else f"cell {call.cell}, line {call.line}"


def _md(text: str) -> str:
    """Text for a table cell: on one line (a quoted multi-line call would end the row), with
    `|` escaped (GFM unescapes it inside code spans too) and no HTML."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
