"""Render run results: the unified diff, the text report (rich) and the JSON report."""

from __future__ import annotations

import difflib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, AnyStr, Iterable

from migrate import catalog
from migrate.fileio import decode_for_display
from migrate.findings import CallSite, FileResult

JSON_SCHEMA_VERSION = 1


@dataclass
class Summary:
    files: int = 0
    changed: int = 0
    failed: int = 0
    skipped_files: int = 0
    calls: int = 0
    outcomes: Counter = field(default_factory=Counter)
    reported_by_rule: Counter = field(default_factory=Counter)
    review_by_rule: Counter = field(default_factory=Counter)
    # Reported calls that --unsafe would migrate.
    held_back_unsafe: int = 0

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.changed += result.status == "changed"
        self.failed += result.status == "failed"
        self.skipped_files += result.status == "skipped"
        rules = catalog.load().rules
        for call in result.calls:
            if call.via is not None:
                continue  # reads of another module's call site, counted there
            self.calls += 1
            self.outcomes[call.outcome] += 1
            if call.outcome == "migrated":
                for f in call.findings:
                    if rules[f.code].safety in ("review", "unsafe"):
                        self.review_by_rule[f.code] += 1
            elif call.outcome in ("reported", "skipped"):
                self.reported_by_rule[call.code] += 1
                codes = {f.code for f in call.findings}
                if codes and all(rules[c].safety == "unsafe" for c in codes):
                    self.held_back_unsafe += 1

    @property
    def exit_code(self) -> int:
        if self.failed:
            return 2
        if self.changed or self.outcomes["reported"]:
            return 1
        return 0


def unified_diff(result: FileResult) -> str:
    """The change as text (for reports): each side decoded as the file declares."""
    if result.original is None or result.migrated is None:
        return ""
    before, after = decode_for_display(result.original), decode_for_display(result.migrated)
    return "".join(_diff_lines(before, after, _diff_headers(result.path), "\n", "\\ No newline at end of file\n"))


def unified_diff_bytes(result: FileResult) -> bytes:
    """The change as `git diff` prints it: the file's own bytes (a latin-1 file's hunks stay
    latin-1, so `git apply` finds its lines), names in the filesystem's encoding."""
    if result.original is None or result.migrated is None:
        return b""
    headers = tuple(os.fsencode(h) for h in _diff_headers(result.path))
    return b"".join(_diff_lines(result.original, result.migrated, headers, b"\n", b"\\ No newline at end of file\n"))


def _diff_lines(before: AnyStr, after: AnyStr, headers: tuple[AnyStr, AnyStr], newline: AnyStr, no_newline: AnyStr) -> list[AnyStr]:
    def split(data: AnyStr) -> list[AnyStr]:
        # Lines end at "\n" only, as for git and patch: str.splitlines() would also cut at form
        # feeds, "\x85" or "\u2028" inside a line, and `git apply` would reject the hunks.
        *complete, last = data.split(newline)
        return [line + newline for line in complete] + ([last] if last else [])

    if isinstance(before, bytes):
        lines = difflib.diff_bytes(difflib.unified_diff, split(before), split(after), *headers)
    else:
        lines = difflib.unified_diff(split(before), split(after), *headers)
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith(newline):
            out.append(newline + no_newline)
    return out


def _diff_headers(path: str) -> tuple[str, str]:
    name = _diff_name(path)
    # Like git: a name with a space ends with a tab, so that `patch` reads all of it.
    end = "\t" if " " in name else ""
    return f"a/{name}{end}", f"b/{name}{end}"


def _diff_name(path: str) -> str:
    """The path as `git apply` expects it: relative to the working directory when possible."""

    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    if rel.startswith(".."):
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/").lstrip("/")


def where(call: CallSite) -> str:
    """A call's location for people: `line:column`, or `cell N, line M:column` in a notebook."""
    if call.cell is not None:
        return f"cell {call.cell}, line {call.line}:{call.column}"
    return f"{call.line}:{call.column}"


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
        "findings": [
            {"code": f.code, "safety": rules[f.code].safety, "message": f.message()} for f in call.findings
        ],
        # A call of another module's function that returns a migrated result (RSP141): which one.
        **({} if call.via is None else {"via": call.via}),
    }


def write_json(results: Iterable[FileResult], summary: Summary, out: IO[str], *, with_diff: bool) -> None:
    calls, files = [], []
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


class TextReport:
    """The human report, printed as results arrive (grouped by file), then a summary."""

    def __init__(self, stream: IO[str], *, verb: str, files: bool = True) -> None:
        from rich.console import Console

        self.console = Console(file=stream, highlight=False, soft_wrap=True)
        self.show_files = files
        self.verb = verb
        self.rules = catalog.load().rules

    def file(self, result: FileResult) -> None:
        if not self.show_files:
            return
        c = self.console
        interesting = [call for call in result.calls if call.outcome != "suppressed"]
        if result.status in ("failed", "skipped"):
            style = "red" if result.status == "failed" else "yellow"
            c.print(f"[bold]{result.path}[/]: [{style}]{result.status}[/] {_escape(result.reason)}")
        elif interesting:
            c.print(f"[bold]{result.path}[/]")
        width = max([7, *(len(where(call)) for call in interesting)])
        for call in interesting:
            if call.outcome == "suppressed":
                continue
            at = where(call)
            if call.outcome == "migrated":
                c.print(f"  {at:>{width}}  [green]migrated[/]  {_escape(call.findings[0].message())}")
                for f in call.findings[1:]:
                    if self.rules[f.code].safety == "review":
                        c.print(f"  {'':>{width}}  [cyan]review[/]    {f.code} {_escape(f.message())}")
            else:
                style = "yellow" if call.outcome == "reported" else "dim"
                for i, f in enumerate(call.findings):
                    label = call.outcome if i == 0 else ""
                    c.print(f"  {at if i == 0 else '':>{width}}  [{style}]{label:<9}[/] {f.code} {_escape(f.message())}")

    def summary(self, summary: Summary) -> None:
        o = summary.outcomes
        changed = "would change" if self.verb == "check" else "changed"
        self.console.print(
            f"\n{summary.files} file{'s' if summary.files != 1 else ''} scanned: "
            f"{summary.calls} call site{'s' if summary.calls != 1 else ''} found, "
            f"{o['migrated']} migrated, {o['reported']} reported, {o['skipped']} skipped (not OpenAI's)"
            + (f", {o['suppressed']} suppressed" if o["suppressed"] else "")
            + "; "
            f"{summary.changed} file{'s' if summary.changed != 1 else ''} {changed}"
            + (f", [red]{summary.failed} failed[/]" if summary.failed else "")
            + (f", {summary.skipped_files} skipped" if summary.skipped_files else "")
            + "."
        )
        if summary.reported_by_rule:
            parts = ", ".join(f"{code} ×{n}" for code, n in sorted(summary.reported_by_rule.items()))
            self.console.print(f"Left untouched, by rule: {parts}")
        if summary.held_back_unsafe:
            self.console.print(f"{summary.held_back_unsafe} call(s) held back by unsafe fixes (apply them with --unsafe).")
        if summary.review_by_rule:
            parts = ", ".join(f"{code} ×{n}" for code, n in sorted(summary.review_by_rule.items()))
            self.console.print(f"Migrated with changes to review: {parts}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
