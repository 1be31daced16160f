"""migrate/engine/codegen.py: a module's code by statement is LibCST's code for the whole module, for
the original and for a rewritten module that shares most of its statements."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate.engine.codegen import ModuleCode

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    b"",
    b"\n",
    b"\n\n",
    b"# only a comment\n",
    b"# only a comment",
    b"x = 1",
    b"x = 1\r\ny = 2\r\n",
    b"x = 1\ry = 2\r",
    b"\xef\xbb\xbfx = 1\n",
    b"# -*- coding: latin-1 -*-\ns = '\xe9'\n",
    b"def f():\n\tif x:\n\t\treturn '''a\nb\rc'''\nclass C:  pass\n",
    b"import os\n\n\n# trailing comment\n\n",
    b"if x:\n    pass\n    # footer of the block\n# footer of the module\n",
    b"x = 1; y = 2  # two\n\\\n\nz = 3\n",
]
FILES = sorted(ROOT.glob("fixtures/**/*.py"))


class _RenameFirstName(cst.CSTTransformer):
    """Rewrites one statement: the first `Name` found becomes `renamed`. Like the engine's own
    rewrite, it doesn't enter the statements it leaves alone (LibCST rebuilds what it enters)."""

    def __init__(self) -> None:
        self.done = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        return not self.done and super().on_visit(node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.done:
            return updated_node
        self.done = True
        return updated_node.with_changes(value="renamed")


def _check(data: bytes) -> None:
    module = cst.parse_module(data)
    codes = ModuleCode(module)
    assert codes.code() == module.code
    assert codes.bytes() == module.bytes
    lines = codes.first_lines()
    assert list(lines) == list(module.body)
    new = module.visit(_RenameFirstName())
    assert codes.code(new) == new.code
    assert codes.bytes(new) == new.bytes


@pytest.mark.parametrize("data", SOURCES)
def test_code_by_statement_is_libcsts_code(data: bytes) -> None:
    _check(data)


@pytest.mark.slow
def test_code_by_statement_is_libcsts_code_for_every_fixture() -> None:
    checked = 0
    for path in FILES:
        try:
            cst.parse_module(path.read_bytes())
        except cst.ParserSyntaxError:
            continue
        _check(path.read_bytes())
        checked += 1
    assert checked > 300


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "x = 1",
                "# c",
                "",
                "def f():\n    return 2\n    # in block",
                "  # indented comment",
                "if a:\n  b\n",
                "s = '''\n'''",
            ]
        ),
        max_size=8,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_code_by_statement_is_libcsts_code_for_generated_modules(lines: list[str], newline: str, final: bool) -> None:
    text = newline.join(line.replace("\n", newline) for line in lines) + (newline if final else "")
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError:
        return
    _check(text.encode())


def test_unchanged_statements_are_generated_once(monkeypatch) -> None:
    source = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(20)).encode()
    module = cst.parse_module(source)
    codes = ModuleCode(module)
    codes.bytes()
    generated = []
    original = cst.Module.code_for_node
    monkeypatch.setattr(cst.Module, "code_for_node", lambda self, node: generated.append(node) or original(self, node))
    new = module.visit(_RenameFirstName())
    assert codes.code(new) == original(new, new)
    assert generated == [new.body[0]]  # only the rewritten statement
    assert codes.first_lines()[module.body[3]] == 11  # its two blank lines first: `def f3` is on line 13
