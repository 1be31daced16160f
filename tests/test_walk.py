"""migrate/analysis/walk.py makes the calls LibCST's own `visit` makes, in the same order, and
its table of child fields is LibCST's, for every node type LibCST has."""

from __future__ import annotations

import inspect
import sys

import libcst as cst
import pytest
from libcst import CSTNode
from syntax_corpus import ROOT, modules

from migrate.analysis import walk as walk_module
from migrate.analysis.walk import ALL_FIELDS, CONTENT_FIELDS, FORMATTING, children, walk

sys.path.insert(0, str(ROOT / "scripts"))
import gen_walk_table


class _Recorder(cst.CSTVisitor):
    """Every node event; skips the inside of lambdas, as a visitor does by returning False."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return not isinstance(node, cst.Lambda)

    def on_leave(self, original_node: CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


class _Typed(cst.CSTVisitor):
    """`visit_<Type>`/`leave_<Type>` methods only, as the finder has: one skips children."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", id(node)))

    def visit_Call(self, node: cst.Call) -> None:
        self.events.append(("call", id(node)))

    def leave_Call(self, original_node: cst.Call) -> None:
        self.events.append(("left call", id(original_node)))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.events.append(("lambda", id(node)))
        return False


class _OnInstance(cst.CSTVisitor):
    """Callbacks set on the instance (found by `on_visit`'s getattr)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.visit_Name = lambda node: self.events.append(("name", id(node)))
        self.visit_Comma = lambda node: self.events.append(("comma", id(node)))


def _formatting_ids(module: cst.Module) -> set[int]:
    """Every node in or under a formatting node."""
    found: set[int] = set()

    class Collect(cst.CSTVisitor):
        depth = 0

        def on_visit(self, node: CSTNode) -> bool:
            self.depth += type(node) in FORMATTING
            if self.depth:
                found.add(id(node))
            return True

        def on_leave(self, original_node: CSTNode) -> None:
            self.depth -= type(original_node) in FORMATTING

    module.visit(Collect())
    return found


@pytest.mark.slow  # every module of the corpus
@pytest.mark.parametrize("visitor_type", [_Recorder, _Typed, _OnInstance])
def test_walk_makes_the_calls_libcst_makes(visitor_type) -> None:
    total = 0
    for name, module in modules():
        expected, got = visitor_type(), visitor_type()
        module.visit(expected)
        walk(module, got)
        assert got.events == expected.events, name
        total += len(got.events)
    assert total > 20_000


@pytest.mark.slow  # every module of the corpus
@pytest.mark.parametrize("visitor_type", [_Recorder, _Typed, _OnInstance])
def test_walk_without_formatting_makes_the_same_calls_for_every_other_node(visitor_type) -> None:
    left_out = 0
    for name, module in modules()[::3]:
        skipped = _formatting_ids(module)
        expected, got = visitor_type(), visitor_type()
        module.visit(expected)
        walk(module, got, formatting=False)
        assert got.events == [e for e in expected.events if e[1] not in skipped], name
        left_out += len(expected.events) - len(got.events)
    # (_Typed sees no formatting node anyway; _OnInstance only commas)
    assert left_out > {_Recorder: 10_000, _OnInstance: 1_000, _Typed: -1}[visitor_type]


@pytest.mark.slow  # every module of the corpus
def test_the_table_is_libcsts_order_of_children() -> None:
    """For every node of the corpus, the table's children are `node.children`, in order."""
    seen: set[type] = set()
    for name, module in modules():
        stack: list[CSTNode] = [module]
        while stack:
            node = stack.pop()
            expected = node.children
            assert [id(c) for c in children(node)] == [id(c) for c in expected], (name, type(node).__name__)
            content = [id(c) for c in expected if type(c) not in FORMATTING]
            assert [id(c) for c in children(node, formatting=False)] == content, (name, type(node).__name__)
            seen.add(type(node))
            stack.extend(expected)
    assert len(seen) > 150  # nearly every node type is in the corpus


def _concrete_node_types() -> set[type]:
    return {
        t for t in vars(cst).values() if isinstance(t, type) and issubclass(t, CSTNode) and not inspect.isabstract(t)
    }


def test_every_libcst_node_type_has_a_table_entry() -> None:
    """A LibCST upgrade that adds a node type (or renames a field) fails here, rather than
    the walk silently falling back to `node.children` for it."""
    types = _concrete_node_types()
    assert len(types) > 150
    assert sorted(t.__name__ for t in types - set(ALL_FIELDS)) == []
    assert set(CONTENT_FIELDS) == set(ALL_FIELDS)


def test_the_table_is_what_the_generator_makes() -> None:
    """It also catches a change of order in a type the corpus lacks: rerun
    `python scripts/gen_walk_table.py --write`."""
    assert gen_walk_table.table() == walk_module._TABLE


def test_formatting_fields_hold_only_formatting_nodes() -> None:
    for node_type, fields in ALL_FIELDS.items():
        content = set(CONTENT_FIELDS[node_type])
        assert [f for f in fields if f in content] == list(CONTENT_FIELDS[node_type])
    assert ("lpar", walk_module.MANY) not in CONTENT_FIELDS[cst.Name]
    assert CONTENT_FIELDS[cst.Attribute] == (("value", walk_module.ONE), ("attr", walk_module.ONE))


def test_a_type_missing_from_the_table_is_walked_through_its_children(monkeypatch) -> None:
    for table in (ALL_FIELDS, CONTENT_FIELDS):
        monkeypatch.delitem(table, cst.Call)
        monkeypatch.delitem(table, cst.Name)
    for name, module in modules()[:40]:
        for formatting in (True, False):
            expected, got = _Recorder(), _Recorder()
            if formatting:
                module.visit(expected)
            else:
                skipped = _formatting_ids(module)
                module.visit(expected)
                expected.events = [e for e in expected.events if e[1] not in skipped]
            walk(module, got, formatting=formatting)
            assert got.events == expected.events, name


def test_a_visitor_wanting_attribute_callbacks_is_refused() -> None:
    class Attributes(cst.CSTVisitor):
        def on_visit_attribute(self, node: CSTNode, attribute: str) -> None:
            pass

    with pytest.raises(TypeError):
        walk(modules()[0][1], Attributes())


def test_a_visitor_of_formatting_nodes_sees_them_with_formatting() -> None:
    class Comments(cst.CSTVisitor):
        def __init__(self) -> None:
            self.seen: list[str] = []

        def visit_Comment(self, node: cst.Comment) -> None:
            self.seen.append(node.value)

    module = cst.parse_module("x = 1  # one\n# two\n")
    with_formatting, without = Comments(), Comments()
    walk(module, with_formatting)
    walk(module, without, formatting=False)
    assert with_formatting.seen == ["# one", "# two"] and without.seen == []
