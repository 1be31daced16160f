"""Generate the child-field table of migrate/analysis/walk.py from the installed LibCST.

    python scripts/gen_walk_table.py           print the table (a Python dict literal)
    python scripts/gen_walk_table.py --write   rewrite it in migrate/analysis/walk.py, between the markers

For each concrete node type: the fields `_visit_and_replace_children` visits, in the order it
visits them (which is also the order of `node.children`), read from LibCST's source. Each
field is marked from its type hints: `*` always a sequence of nodes, `?` a sequence or a
single node or None, `~` formatting only (whitespace, comments, punctuation: walk.FORMATTING).
A development tool: it reads LibCST's private source, which the runtime never does.
tests/test_walk.py fails when the committed table differs from what this prints.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
import textwrap
import typing
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parent.parent
WALK = ROOT / "migrate" / "analysis" / "walk.py"
START = "# table:start"
END = "# table:end"
sys.path.insert(0, str(ROOT))


def node_types() -> list[type[cst.CSTNode]]:
    """Every concrete node class LibCST exports."""
    found = {
        t
        for t in vars(cst).values()
        if isinstance(t, type) and issubclass(t, cst.CSTNode) and not inspect.isabstract(t)
    }
    return sorted(found, key=lambda t: t.__name__)


def visited_fields(node_type: type[cst.CSTNode]) -> list[str]:
    """The keyword arguments of the `Type(...)` built by `_visit_and_replace_children` whose
    value calls a `visit_*` helper, in source order."""
    source = textwrap.dedent(inspect.getsource(node_type._visit_and_replace_children))
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    calls = [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.Call) and ast.unparse(n.func) in (node_type.__name__, "self.__class__", "type(self)")
    ]
    if not calls:  # leaves: `return self`
        assert "return self" in source, node_type
        return []
    (call,) = calls
    assert not call.args, node_type
    fields = []
    for keyword in call.keywords:
        visits = [
            c for c in ast.walk(keyword.value) if isinstance(c, ast.Call) and ast.unparse(c.func).startswith("visit_")
        ]
        if visits:
            assert {ast.literal_eval(c.args[1]) for c in visits} == {keyword.arg}, (node_type, keyword.arg)
            assert keyword.arg is not None
            fields.append(keyword.arg)
    return fields


def _kinds(hint: object) -> list[tuple[bool, object]]:
    """(in a sequence, type) for each alternative of a field's type hint."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or (origin is not None and origin.__name__ == "UnionType"):
        return [k for arg in typing.get_args(hint) for k in _kinds(arg)]
    if origin is not None and getattr(origin, "__name__", "") == "Sequence":
        return [(True, t) for _, t in _kinds(typing.get_args(hint)[0])]
    return [(False, hint)]


def field_spec(node_type: type[cst.CSTNode], field: str, formatting: frozenset[type]) -> str:
    exported = set(node_types())
    hints = typing.get_type_hints(node_type)
    alternatives = _kinds(hints[field])
    kinds = [(seq, t) for seq, t in alternatives if isinstance(t, type) and issubclass(t, cst.CSTNode)]
    assert kinds, (node_type, field)
    concrete = [c for _, t in kinds for c in [t, *_subclasses(t)] if c in exported]
    is_formatting = {c in formatting for c in concrete}
    assert len(is_formatting) == 1, (node_type, field, "mixes formatting and other nodes")
    sequences = {seq for seq, _ in kinds}
    optional = (False, type(None)) in alternatives
    mark = "*" if sequences == {True} and not optional else "?" if True in sequences else ""
    return ("~" if is_formatting.pop() else "") + field + mark


def _subclasses(t: type) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = t.__subclasses__()
    for sub in subclasses:
        found += [sub, *_subclasses(sub)]
    return found


def table() -> dict[str, str]:
    from migrate.analysis.walk import FORMATTING

    return {t.__name__: " ".join(field_spec(t, f, FORMATTING) for f in visited_fields(t)) for t in node_types()}


def render(entries: dict[str, str]) -> str:
    lines = [START, "_TABLE: dict[str, str] = {"]
    lines += [f'    "{name}": "{spec}",' for name, spec in entries.items()]
    lines += ["}", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    text = render(table())
    if not args.write:
        print(text)
        return
    source = WALK.read_text()
    head, rest = source.split(START, 1)
    _, tail = rest.split(END, 1)
    WALK.write_text(head + text + tail)


if __name__ == "__main__":
    main()
