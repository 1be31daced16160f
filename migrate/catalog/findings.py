"""Findings and per-call-site / per-file outcomes: plain values, rendered through the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CallOutcome = Literal["migrated", "reported", "skipped", "suppressed"]
FileStatus = Literal["changed", "unchanged", "skipped", "failed"]


class FindingError(Exception):
    """A finding the catalog can't render, an unknown code or a missing template argument: a bug in the tool."""


@dataclass(frozen=True)
class Finding:
    """One rule firing: a code and the arguments of its message template."""

    code: str
    args: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **args: Any) -> Finding:
        """The finding of rule `code`; an unknown code, or a missing argument of its message
        template, is a bug in the tool (FindingError, reported per file by the engine)."""
        from migrate.catalog import loader as catalog

        rules = catalog.load().rules
        if code not in rules:
            raise FindingError(f"rule {code!r} is not in the catalog (rules/rules.toml)")
        missing = rules[code].args - args.keys()
        if missing:
            raise FindingError(f"{code} is missing the message argument(s) {', '.join(sorted(missing))}")
        return cls(code, tuple(sorted(args.items())))

    def message(self) -> str:
        from migrate.catalog import loader as catalog

        return catalog.load().rule(self.code).render(dict(self.args))


@dataclass
class CallSite:
    """What became of one recognised call site."""

    line: int
    column: int
    method: str
    outcome: CallOutcome
    # For a migrated call: the fixes applied (review-tier ones are listed in the report).
    # For a reported / skipped call: why it was left untouched (the first is the main reason).
    findings: list[Finding] = field(default_factory=list)
    # In a notebook: the cell (1-based, every cell counted); `line` is then relative to it.
    cell: int | None = None
    # Not a call site of its own: a call of a function of another module ("pkg.helpers.ask")
    # that returns a call site's result, whose reads here migrate with that call site.
    via: str | None = None
    # Mistakes in how the user addressed this call, e.g. an unknown rule code in its
    # `# migrate: ignore[...]` marker (with the closest valid code). They don't change the outcome.
    warnings: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.findings[0].code if self.findings else "RSP100"


@dataclass
class FileResult:
    path: str
    status: FileStatus
    calls: list[CallSite] = field(default_factory=list)
    reason: str = ""
    # A skipped file the run could not look into (over its time budget, not round-tripped by
    # LibCST, an nbformat it can't read): it may hold calls, so a --check / --diff run fails.
    unchecked: bool = False
    original: bytes | None = None
    migrated: bytes | None = None
    # Links across modules (migrate/analysis/links.py), for the run over the tree: the functions of this
    # module that return a migrated result (name -> its kind), and the imported functions whose
    # results could not be followed here (qualified name -> why).
    returns: dict[str, str] = field(default_factory=dict)
    unfollowed: dict[str, str] = field(default_factory=dict)
    # Public module-level values converted where they are written (name -> keyword), which
    # other modules may import (and then use as already converted).
    values: dict[str, str] = field(default_factory=dict)
    # Functions of other modules a result is passed to here: qualified name -> {parameter: kind};
    # and, in a function's own module, those whose parameters were followed (name -> {parameter:
    # kind}) or can't be (name -> why).
    passes: dict[str, dict[str, str]] = field(default_factory=dict)
    helpers: dict[str, dict[str, str]] = field(default_factory=dict)
    refused_helpers: dict[str, str] = field(default_factory=dict)
