"""The README's rules table is generated from rules/rules.toml and must not drift from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rules_table", ROOT / "scripts" / "gen_rules_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_rules_table_matches_rules_toml():
    gen = _generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(gen.START) == 1 and readme.count(gen.END) == 1
    assert readme == gen.replace_block(readme, gen.render_table()), (
        "README.md's rules table differs from rules/rules.toml: run `python scripts/gen_rules_table.py --write`"
    )
