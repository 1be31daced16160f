"""Every rule documents itself in rules/rules.toml, and its examples run as tests.

Sections (ruff's skeleton): `what`, `why`, `example` (before), `use_instead` (after) and
`fix_safety`. For every rule:

* `example` is a complete module on which the engine reports the rule for some call
  (among the applied fixes of a migrated call, or the reasons of a reported/skipped one);
* safe/review rules: the call is migrated and the output is exactly `use_instead`, which
  the tool leaves unchanged on a second run;
* report-only rules: the file is left unchanged, and `use_instead` (what a person writes
  by hand) parses;
* every Responses request written in `use_instead` validates strictly against the SDK.
"""

from __future__ import annotations

import ast

import pytest

from migrate import catalog
from migrate.engine import migrate_source
from migrate.settings import Settings
from sdk_validation import validate_source

SECTIONS = ("what", "why", "example", "use_instead", "fix_safety")
RULES = list(catalog.load().rules.values())
IDS = [f"{rule.code}-{rule.name}" for rule in RULES]
# Hand-written `use_instead` that calls a wrapper's own `responses.create` (instructor's
# `response_model=`), not the SDK's: there is no SDK request body to validate.
NOT_SDK_REQUESTS = {"RSP002"}


def _run(source: str, settings: Settings = Settings()):
    return migrate_source("example.py", source.encode(), settings)


def _parametrize(test):
    return pytest.mark.parametrize("rule", RULES, ids=IDS)(test)


@_parametrize
def test_rule_has_every_doc_section(rule: catalog.Rule) -> None:
    missing = [s for s in SECTIONS if not rule.docs.get(s, "").strip()]
    assert not missing, f"{rule.code} lacks {missing} in rules/rules.toml"


@_parametrize
def test_example_triggers_the_rule(rule: catalog.Rule) -> None:
    example = rule.docs["example"]
    ast.parse(example)
    result = _run(example)
    assert result.status != "failed", result.reason
    hits = [call for call in result.calls if rule.code in {f.code for f in call.findings}]
    got = [(call.line, call.outcome, [f.code for f in call.findings]) for call in result.calls]
    assert hits, f"no call in the example has {rule.code}: {got}"
    expected = {"migrated"} if rule.safety in ("safe", "review") else {"reported", "skipped"}
    assert {call.outcome for call in hits} <= expected, got


@_parametrize
def test_use_instead_is_what_the_tool_writes_or_a_valid_hand_rewrite(rule: catalog.Rule) -> None:
    example, after = rule.docs["example"], rule.docs["use_instead"]
    result = _run(example)
    if rule.safety in ("safe", "review"):
        assert result.status == "changed", result.reason
        assert result.migrated.decode() == after
        again = _run(after)
        assert again.status == "unchanged", again.migrated.decode() if again.migrated else again.reason
    else:
        assert result.status == "unchanged", result.migrated.decode() if result.migrated else result.reason
        ast.parse(after)


@_parametrize
def test_use_instead_requests_validate_against_sdk(rule: catalog.Rule) -> None:
    if rule.code in NOT_SDK_REQUESTS:
        pytest.skip("the request goes through a wrapper's own API")
    assert validate_source(rule.docs["use_instead"]) == []
