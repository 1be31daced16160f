"""Every fixture: the rewrite is exact, the outcomes match the markers, the output parses,
a second run changes nothing, and every emitted request validates strictly against the SDK."""

from __future__ import annotations

import ast

import pytest
from fixture_cases import FIXTURES, Case, cases, markers
from sdk_validation import validate_source

from migrate.catalog.linelength import line_length
from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source

CASES = cases()
REWRITES = [c for c in CASES if c.after is not None]


def _run(source: bytes, name: str):
    """The tool on a fixture, at the fixture's line length (this repository's). A case named
    `..._unsafe` is run with --unsafe (the fixes of the unsafe tier applied)."""
    return migrate_source(
        name, source, Settings(unsafe=name.endswith("_unsafe"), line_length=line_length(FIXTURES / name))
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rewrite_is_exact(case: Case) -> None:
    result = _run(case.before.read_bytes(), case.id)
    assert result.status != "failed", result.reason
    produced = result.migrated if result.status == "changed" else case.before.read_bytes()
    assert produced.decode() == case.expected_source().decode()
    if case.after is None:
        assert result.status == "unchanged"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_outcomes_match_markers(case: Case) -> None:
    source = case.before.read_text()
    result = _run(case.before.read_bytes(), case.id)
    expected = markers(source)
    got = {}
    for call in result.calls:
        codes = frozenset(f.code for f in call.findings) - {"RSP100"}
        got[call.line] = (call.outcome, codes)
    assert got == expected


@pytest.mark.parametrize("case", REWRITES, ids=[c.id for c in REWRITES])
def test_output_parses_and_is_idempotent(case: Case) -> None:
    after = case.after.read_bytes()
    ast.parse(after)
    again = _run(after, case.id)
    assert again.status == "unchanged", again.migrated.decode() if again.migrated else again.reason


@pytest.mark.parametrize("case", REWRITES, ids=[c.id for c in REWRITES])
def test_emitted_requests_validate_against_sdk(case: Case) -> None:
    assert validate_source(case.after.read_text()) == []
