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

An example that spans modules (results that cross them: RSP140, RSP141, RSP309) is a tree
written as `# file: path` sections; it runs through `migrate apply` on the whole tree, and its
`use_instead` gives every file of the tree afterwards.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sdk_validation import validate_source

from migrate.catalog import loader as catalog
from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source
from migrate.run.tree import run

SECTIONS = ("what", "why", "example", "use_instead", "fix_safety")
RULES = list(catalog.load().rules.values())
IDS = [f"{rule.code}-{rule.name}" for rule in RULES]
# Hand-written `use_instead` that calls a wrapper's own `responses.create` (instructor's
# `response_model=`), not the SDK's: there is no SDK request body to validate.
NOT_SDK_REQUESTS = {"RSP002"}


def _run(source: str, settings: Settings = Settings()):
    return migrate_source("example.py", source.encode(), settings)


_FILE = re.compile(r"^# file: (\S+)\n", re.M)


def _tree(text: str) -> dict[str, str] | None:
    """{path: source} of an example written as `# file: path` sections, or None."""
    parts = _FILE.split(text)
    if len(parts) == 1:
        return None
    assert not parts[0].strip(), "text before the first `# file:` line"
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _run_tree(files: dict[str, str], root: Path):
    """Write the tree, run the tool over it (writing), return (calls by file, files after)."""
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source)
    results = list(run([str(root)], Settings(), write=True))
    assert all(r.status != "failed" for r in results), [r.reason for r in results]
    after = {name: (root / name).read_text() for name in files}
    return [call for r in results for call in r.calls], after


def _outcome(rule: catalog.Rule, tmp_path: Path):
    """(calls, changed?, the example's files after a run or None) for one rule's example."""
    example = rule.docs["example"]
    files = _tree(example)
    if files is None:
        ast.parse(example)
        result = _run(example)
        assert result.status != "failed", result.reason
        return result.calls, result.status == "changed", None
    for source in files.values():
        ast.parse(source)
    calls, after = _run_tree(files, tmp_path)
    return calls, after != files, after


def _parametrize(test):
    return pytest.mark.parametrize("rule", RULES, ids=IDS)(test)


@_parametrize
def test_rule_has_every_doc_section(rule: catalog.Rule) -> None:
    missing = [s for s in SECTIONS if not rule.docs.get(s, "").strip()]
    assert not missing, f"{rule.code} lacks {missing} in rules/rules.toml"


@_parametrize
def test_example_triggers_the_rule(rule: catalog.Rule, tmp_path: Path) -> None:
    calls, _, _ = _outcome(rule, tmp_path)
    hits = [call for call in calls if rule.code in {f.code for f in call.findings}]
    got = [(call.line, call.outcome, [f.code for f in call.findings]) for call in calls]
    assert hits, f"no call in the example has {rule.code}: {got}"
    expected = {"migrated"} if rule.safety in ("safe", "review") else {"reported", "skipped"}
    assert {call.outcome for call in hits} <= expected, got


@_parametrize
def test_use_instead_is_what_the_tool_writes_or_a_valid_hand_rewrite(rule: catalog.Rule, tmp_path: Path) -> None:
    example, after = rule.docs["example"], rule.docs["use_instead"]
    if _tree(example) is not None:
        _, changed, written = _outcome(rule, tmp_path / "before")
        if rule.safety in ("safe", "review"):
            assert written == _tree(after)
            _, rewritten = _run_tree(written, tmp_path / "again")
            assert rewritten == written
        else:
            assert not changed
            for source in _tree(after).values():
                ast.parse(source)
        return
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
