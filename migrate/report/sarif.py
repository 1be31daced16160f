"""SARIF 2.1.0 for code scanning: one result per finding shown, and the rules those results
name, with their docs (not the whole catalog: the document stays small).

Levels follow what code-scanning users expect: a reason a call was left untouched (reported)
is a `warning`; a review note on a migrated call, and a skipped call, are a `note`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO

from migrate import __version__
from migrate.catalog import loader as catalog
from migrate.catalog.findings import FileResult
from migrate.report.diff import diff_name
from migrate.report.summary import Summary, cell_prefix, findings_to_show

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


# A rule's default level: `warning` for rules that leave a call untouched, `note` for fixes.
_SARIF_LEVEL = {"safe": "note", "review": "note", "unsafe": "note", "report-only": "warning"}
_OUTCOME_LEVEL = {"reported": "warning", "migrated": "note", "skipped": "note"}


def _rule_help(rule) -> str:
    sections = [("What it does", "what"), ("Why", "why"), ("Fix safety", "fix_safety")]
    parts = [f"{title}: {rule.docs[key].strip()}" for title, key in sections if key in rule.docs]
    return "\n\n".join(parts) or rule.summary


def write_sarif(results: Sequence[FileResult], summary: Summary, out: IO[str]) -> None:
    catalog_rules = catalog.load().rules
    shown = [(result, call, findings_to_show(call)) for result in results for call in result.calls]
    used = sorted({f.code for _, _, findings in shown for f in findings})
    rules = [catalog_rules[code] for code in used]
    index = {rule.code: i for i, rule in enumerate(rules)}
    sarif_results = []
    for result, call, findings in shown:
        for finding in findings:
            rule = rules[index[finding.code]]
            level = _OUTCOME_LEVEL[call.outcome]
            location: dict = {"artifactLocation": {"uri": diff_name(result.path), "uriBaseId": "%SRCROOT%"}}
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
                    "message": {"text": f"{cell_prefix(call)}{finding.message()} ({call.outcome})"},
                    "locations": [{"physicalLocation": location}],
                    "properties": properties,
                }
            )
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{r.path}: {r.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": diff_name(r.path)}}}],
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
    json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    out.write("\n")
