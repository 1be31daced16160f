"""What every report counts and shows: the run's totals and exit code, where a call is, and
which findings of a call a report lists."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from migrate.catalog import loader as catalog
from migrate.catalog.findings import CallSite, FileResult

# A skipped call with this main code is on a receiver the tool could not resolve (which may
# well be an OpenAI client); the other skips are known not to be OpenAI's (another SDK, a
# wrapper, another server).
UNRESOLVED_CLIENT = frozenset({"RSP004"})


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
    # Skipped calls whose client could not be resolved (UNRESOLVED_CLIENT).
    unresolved: int = 0
    # Skipped files the run could not look into (FileResult.unchecked).
    unchecked: int = 0
    # A --check / --diff run: a file it could not look into fails it (exit 2).
    check: bool = False

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.changed += result.status == "changed"
        self.failed += result.status == "failed"
        self.skipped_files += result.status == "skipped"
        self.unchecked += result.status == "skipped" and result.unchecked
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
                self.unresolved += call.outcome == "skipped" and call.code in UNRESOLVED_CLIENT
                codes = {f.code for f in call.findings}
                if codes and all(rules[c].safety == "unsafe" for c in codes):
                    self.held_back_unsafe += 1

    @property
    def skipped_why(self) -> str:
        """What is known of the skipped calls: `not OpenAI's`, `client not resolved`, or both counted."""
        unresolved, others = self.unresolved, self.outcomes["skipped"] - self.unresolved
        if not unresolved:
            return "not OpenAI's"
        if not others:
            return "client not resolved"
        return f"{others} not OpenAI's, {unresolved} client not resolved"

    @property
    def exit_code(self) -> int:
        if self.failed or (self.check and self.unchecked):
            return 2
        if self.changed or self.outcomes["reported"]:
            return 1
        return 0


def where(call: CallSite) -> str:
    """A call's location for people: `line:column`, or `cell N, line M:column` in a notebook."""
    if call.cell is not None:
        return f"cell {call.cell}, line {call.line}:{call.column}"
    return f"{call.line}:{call.column}"


def findings_to_show(call: CallSite) -> list:
    """Reported/skipped calls: every reason. Migrated calls: the fixes a person should review."""
    rules = catalog.load().rules
    if call.outcome == "migrated":
        return [f for f in call.findings if rules[f.code].safety in ("review", "unsafe")]
    if call.outcome == "suppressed":
        return []
    return call.findings


def cell_prefix(call: CallSite) -> str:
    return "" if call.cell is None else f"cell {call.cell}, line {call.line}: "
