"""Machine report formats: SARIF 2.1.0 (code scanning), GitHub annotations, Markdown (PR comment)."""

from __future__ import annotations

import json
from typing import IO, Sequence

from migrate import __version__, catalog
from migrate.findings import CallSite, FileResult
from migrate.report import Summary, _diff_name

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"safe": "note", "review": "warning", "unsafe": "warning", "report-only": "warning"}


def _rule_help(rule) -> str:
    sections = [("What it does", "what"), ("Why", "why"), ("Fix safety", "fix_safety")]
    parts = [f"{title}: {rule.docs[key].strip()}" for title, key in sections if key in rule.docs]
    return "\n\n".join(parts) or rule.summary


def _findings_to_show(call: CallSite) -> list:
    """Reported/skipped calls: every reason. Migrated calls: the fixes a person should review."""
    rules = catalog.load().rules
    if call.outcome == "migrated":
        return [f for f in call.findings if rules[f.code].safety in ("review", "unsafe")]
    if call.outcome == "suppressed":
        return []
    return call.findings


def write_sarif(results: Sequence[FileResult], summary: Summary, out: IO[str]) -> None:
    rules = list(catalog.load().rules.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    sarif_results = []
    for result in results:
        for call in result.calls:
            for finding in _findings_to_show(call):
                rule = rules[index[finding.code]]
                level = "note" if call.outcome == "skipped" else _SARIF_LEVEL[rule.safety]
                location: dict = {"artifactLocation": {"uri": _diff_name(result.path), "uriBaseId": "%SRCROOT%"}}
                properties: dict = {"outcome": call.outcome, "method": call.method}
                if call.cell is None:
                    location["region"] = {"startLine": call.line, "startColumn": call.column}
                else:  # a notebook: lines of the JSON file mean nothing; name the cell instead
                    properties.update(cell=call.cell, line=call.line, column=call.column)
                sarif_results.append(
                    {
                        "ruleId": rule.code,
                        "ruleIndex": index[rule.code],
                        "level": level,
                        "message": {"text": f"{_cell_prefix(call)}{finding.message()} ({call.outcome})"},
                        "locations": [{"physicalLocation": location}],
                        "properties": properties,
                    }
                )
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{r.path}: {r.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _diff_name(r.path)}}}],
        }
        for r in results
        if r.status == "failed"
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "openai-responses-migrate",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/openai-responses-migrate/",
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.docs.get("what", rule.summary).strip()},
                                "help": {"text": _rule_help(rule)},
                                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.safety]},
                                "properties": {"fix-safety": rule.safety},
                            }
                            for rule in rules
                        ],
                    }
                },
                "invocations": [
                    {"executionSuccessful": summary.failed == 0, "toolExecutionNotifications": notifications}
                ],
                "results": sarif_results,
            }
        ],
    }
    json.dump(document, out, indent=2)
    out.write("\n")


def _cell_prefix(call: CallSite) -> str:
    return "" if call.cell is None else f"cell {call.cell}, line {call.line}: "


def _escape_property(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def write_github(results: Sequence[FileResult], summary: Summary, out: IO[str]) -> None:
    """GitHub Actions workflow commands: one annotation per finding, errors for failed files."""
    for result in results:
        name = _escape_property(_diff_name(result.path))
        if result.status == "failed":
            out.write(f"::error file={name},title=migrate::{_escape_data(result.reason)}\n")
        for call in result.calls:
            for finding in _findings_to_show(call):
                kind = "notice" if call.outcome in ("skipped", "migrated") else "warning"
                title = _escape_property(f"{finding.code} ({call.outcome})")
                at = f",line={call.line},col={call.column}" if call.cell is None else ""
                out.write(
                    f"::{kind} file={name}{at},title={title}::"
                    f"{_escape_data(_cell_prefix(call) + finding.message())}\n"
                )


def write_markdown(results: Sequence[FileResult], summary: Summary, out: IO[str]) -> None:
    """A summary table and collapsible per-file details, to post as a pull-request comment."""
    o = summary.outcomes
    w = out.write
    w("## openai-responses-migrate\n\n")
    w("| files scanned | call sites | migrated | reported | skipped (not OpenAI's) | suppressed | files changed | failed |\n")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    w(
        f"| {summary.files} | {summary.calls} | {o['migrated']} | {o['reported']} | {o['skipped']} "
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
    for result in results:
        shown = [(call, _findings_to_show(call)) for call in result.calls]
        shown = [(call, findings) for call, findings in shown if findings or call.outcome == "migrated"]
        if not shown and result.status not in ("failed", "skipped"):
            continue
        w(f"<details><summary><code>{_md(_diff_name(result.path))}</code>")
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
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
