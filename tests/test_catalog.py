"""The rule catalog is the single source of rule codes: code, data and fixtures agree with it."""

from __future__ import annotations

import re
from pathlib import Path

from fixture_cases import FIXTURES, markers

from migrate.catalog import loader as catalog

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"RSP\d{3}")


def _codes_in(paths) -> set[str]:
    return {code for path in paths for code in CODE.findall(path.read_text())}


def test_catalog_loads_and_is_well_formed() -> None:
    rules = catalog.load().rules
    assert rules, "no rules"
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names)), "rule names must be unique"
    for rule in rules.values():
        assert re.fullmatch(r"RSP\d{3}", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.summary.endswith("."), rule.code


def test_every_code_the_tool_names_is_in_the_catalog() -> None:
    named = _codes_in((ROOT / "migrate").rglob("*.py")) | _codes_in((ROOT / "rules").glob("*.toml"))
    assert named - catalog.load().rules.keys() == set()


def test_every_rule_can_be_produced_and_is_exercised_by_a_fixture() -> None:
    rules = set(catalog.load().rules)
    producible = _codes_in((ROOT / "migrate").rglob("*.py")) | _codes_in(
        p for p in (ROOT / "rules").glob("*.toml") if p.name != "rules.toml"
    )
    assert rules - producible == set(), "rules nothing in the code or the mapping data can emit"
    exercised = {"RSP100"}
    for path in FIXTURES.rglob("*.py"):
        for _, codes in markers(path.read_text()).values():
            exercised |= codes
    assert rules - exercised == set(), "rules no fixture exercises"


def test_messages_render_with_their_arguments() -> None:
    from migrate.catalog.findings import Finding

    assert "`seed`" in Finding.of("RSP201", param="seed", why="no seed").message()


def test_annotation_types_exist_in_the_installed_sdk() -> None:
    """Every chat type rules/annotations.toml recognises, and every Responses type it writes,
    can be imported from the SDK under that qualified name."""
    import importlib

    import pytest

    pytest.importorskip("openai")
    missing = []
    for types in catalog.load().annotations.types.values():
        for name in (*types, *types.values()):
            module, _, attr = name.rpartition(".")
            if not hasattr(importlib.import_module(module), attr):
                missing.append(name)
    assert missing == []
