"""The human report (rich), printed as results arrive, grouped by file, then a summary."""

from __future__ import annotations

from typing import IO

from migrate.catalog import loader as catalog
from migrate.catalog.findings import FileResult
from migrate.report.summary import Summary, where


class TextReport:
    """The human report, printed as results arrive (grouped by file), then a summary."""

    def __init__(self, stream: IO[str], *, verb: str, files: bool = True, quiet: bool = False) -> None:
        from migrate.report.style import console

        self.console = console(stream, highlight=False, soft_wrap=True)
        self.show_files = files
        # --quiet: only what fails the run (reported calls, failed files and files that could
        # not be checked) and warnings; no migrated calls, no summary.
        self.quiet = quiet
        self.verb = verb
        self.rules = catalog.load().rules

    def file(self, result: FileResult) -> None:
        if not self.show_files:
            return
        c = self.console
        interesting = [call for call in result.calls if call.outcome != "suppressed" or call.warnings]
        if self.quiet:
            interesting = [call for call in interesting if call.outcome == "reported" or call.warnings]
            if result.status == "skipped" and not result.unchecked and not interesting:
                return
        if result.status in ("failed", "skipped"):
            style = "red" if result.status == "failed" else "yellow"
            c.print(f"[bold]{result.path}[/]: [{style}]{result.status}[/] {_escape(result.reason)}")
        elif interesting:
            c.print(f"[bold]{result.path}[/]")
        width = max([7, *(len(where(call)) for call in interesting)])
        for call in interesting:
            at = where(call)
            for i, warning in enumerate(call.warnings):
                c.print(f"  {at if i == 0 else '':>{width}}  [magenta]warning[/]   {_escape(warning)}")
            if call.warnings:
                at = ""
            if call.outcome == "suppressed":
                continue
            if call.outcome == "migrated":
                c.print(f"  {at:>{width}}  [green]migrated[/]  {_escape(call.findings[0].message())}")
                for f in call.findings[1:]:
                    if self.rules[f.code].safety == "review":
                        c.print(f"  {'':>{width}}  [cyan]review[/]    {f.code} {_escape(f.message())}")
            else:
                style = "yellow" if call.outcome == "reported" else "dim"
                for i, f in enumerate(call.findings):
                    label = call.outcome if i == 0 else ""
                    c.print(
                        f"  {at if i == 0 else '':>{width}}  [{style}]{label:<9}[/] {f.code} {_escape(f.message())}"
                    )

    def summary(self, summary: Summary) -> None:
        if self.quiet:
            return
        o = summary.outcomes
        changed = "would change" if self.verb == "check" else "changed"
        self.console.print(
            f"\n{summary.files} file{'s' if summary.files != 1 else ''} scanned: "
            f"{summary.calls} call site{'s' if summary.calls != 1 else ''} found, "
            f"{o['migrated']} migrated, {o['reported']} reported, {o['skipped']} skipped ({summary.skipped_why})"
            + (f", {o['suppressed']} suppressed" if o["suppressed"] else "")
            + "; "
            f"{summary.changed} file{'s' if summary.changed != 1 else ''} {changed}"
            + (f", [red]{summary.failed} failed[/]" if summary.failed else "")
            + (f", {summary.skipped_files} skipped" if summary.skipped_files else "")
            + "."
        )
        if summary.check and summary.unchecked:
            n = summary.unchecked
            files = f"{n} file{'s' if n != 1 else ''}"
            self.console.print(f"[red]{files} could not be checked[/] (skipped above): the check fails (exit 2).")
        if summary.reported_by_rule:
            parts = ", ".join(f"{code} ×{n}" for code, n in sorted(summary.reported_by_rule.items()))  # noqa: RUF001 - the multiplication sign is meant
            self.console.print(f"Left untouched, by rule: {parts}")
        if summary.unresolved:
            n = summary.unresolved
            self.console.print(
                f"{n} call{'s' if n != 1 else ''} skipped because the tool can't tell the client is OpenAI's (RSP004): "
                "annotate it (`client: OpenAI`) or create it where the tool can follow it (each finding names the "
                "step it could not follow) "
                f"and run again to migrate {'them' if n != 1 else 'it'}; `migrate explain RSP004` says more."
            )
        if summary.held_back_unsafe:
            self.console.print(
                f"{summary.held_back_unsafe} call(s) held back by unsafe fixes (apply them with --unsafe)."
            )
        if summary.review_by_rule:
            parts = ", ".join(f"{code} ×{n}" for code, n in sorted(summary.review_by_rule.items()))  # noqa: RUF001 - the multiplication sign is meant
            self.console.print(f"Migrated with changes to review: {parts}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
