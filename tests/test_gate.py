"""The `ast` gate finds exactly the call sites LibCST finds, at the positions LibCST gives."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fixture_cases import cases
from migrate import catalog
from migrate.detect import find_call_sites
from migrate.gate import call_site_positions

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gate_positions_match_libcst(case) -> None:
    data = case.before.read_bytes()
    rules = catalog.load()
    module = cst.parse_module(data)
    sites, _ = find_call_sites(module, rules)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    expected = []
    for site in sites:
        r = positions[site.call]
        expected.append((r.start.line, r.start.column + 1, r.end.line, r.end.column))
    assert call_site_positions(ast.parse(data), rules.methods) == expected


def test_gate_skips_files_that_only_mention_completions() -> None:
    source = b"import readline\nreadline.set_completer(None)  # shell completions\nx = 'completions'\n"
    assert call_site_positions(ast.parse(source), catalog.load().methods) == []


def test_negative_path_never_imports_libcst_or_openai(tmp_path) -> None:
    import subprocess
    import sys

    (tmp_path / "shell.py").write_text("x = 'tab completions'\n")
    (tmp_path / "plain.py").write_text("print(1)\n")
    code = (
        "import sys\nfrom migrate.runner import run\nfrom migrate.settings import Settings\n"
        f"results = list(run([{str(tmp_path)!r}], Settings(), write=False))\n"
        "assert [r.status for r in results] == ['unchanged', 'unchanged'], results\n"
        "print(sorted(m for m in ('libcst', 'openai') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
