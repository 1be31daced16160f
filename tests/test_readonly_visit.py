"""migrate/analysis/readonly_visit.py makes the same visitor calls as LibCST's own `visit`, so LibCST's
scope analysis (and our finder) computes the same thing through it, only faster."""

from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode
from libcst.metadata import MetadataWrapper, ScopeProvider
from libcst.metadata.expression_context_provider import ExpressionContextVisitor
from libcst.metadata.scope_provider import ScopeVisitor

from migrate.analysis import readonly_visit
from migrate.analysis.readonly_visit import FORMATTING, plan_of, readonly_visits, walk

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
# Fixtures and examples, and a few standard-library modules for syntax they don't use.
CORPUS = sorted([*ROOT.glob("fixtures/**/*.py"), *ROOT.glob("examples/**/*.py")]) + [
    STDLIB / name for name in ("dataclasses.py", "string.py", "asyncio/tasks.py", "re/_parser.py")
]
# Syntax the corpus may lack: every field a plan can skip (f-string format specs, `import *`),
# match statements, type parameters, walrus, star expressions, decorators, lambdas, async.
ZOO = """
from . import *
from .a import (b as c, d)
import x.y as z
@dec(1)
class C[T: int = str, *Ts, **P](B, metaclass=M):
    x: int = 1
    async def f(self, a, /, b=2, *args, c: "C", **kw) -> "list[C]":
        async with a as (q, r), b:
            async for i in aiter():
                yield [j async for j in i if (k := j)]
        return f"{a!r:>{b}} {c=} {d:{e}.{f}}" f"{g}" "h"
def g(*, x=lambda y, *z: y[1:2, ::3], **k):
    global G; del x; x += 1; x @= y
    match k:
        case {"a": [1, *rest]} | C(b=2) if rest: pass
        case str() as s: raise E from s
    try: pass
    except* (A, B) as e: pass
    finally: assert x, y
type Alias[T] = list[T]
print(not a and b or c is not d, -x, ~y, a if b else c, {**d}, {*s}, (t,), a < b <= c != d)
"""


def _modules() -> list[tuple[str, cst.Module]]:
    out = [("zoo", cst.parse_module(ZOO))]
    for path in CORPUS:
        try:
            out.append(
                (
                    str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                    cst.parse_module(path.read_bytes()),
                )
            )
        except (cst.ParserSyntaxError, cst.CSTValidationError):
            continue  # fixtures of unparseable files
    return out


MODULES = _modules()


class _AllEvents(cst.CSTVisitor):
    """Records every callback LibCST makes, attributes included."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_visit(self, node: CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        # Skip one kind of subtree, as visitors do by returning False.
        return not isinstance(node, cst.Lambda)

    def on_leave(self, original_node: CSTNode) -> None:
        self.events.append(("leave", id(original_node)))

    def on_visit_attribute(self, node: CSTNode, attribute: str) -> None:
        self.events.append(("visit_attr", id(node), attribute))

    def on_leave_attribute(self, original_node: CSTNode, attribute: str) -> None:
        self.events.append(("leave_attr", id(original_node), attribute))


class _Plain(cst.CSTVisitor):
    """No attribute callbacks: node events only."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_visit(self, node: CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node: CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


class _Hooked(_Plain):
    """One attribute hook, as LibCST's ScopeVisitor has (`visit_ClassDef_bases`)."""

    def visit_ClassDef_bases(self, node: cst.ClassDef) -> None:
        self.events.append(("bases", id(node)))

    def leave_FormattedStringExpression_format_spec(self, node: cst.FormattedStringExpression) -> None:
        self.events.append(("format_spec", id(node)))


class _Typed(cst.CSTVisitor):
    """Only `visit_<Type>`/`leave_<Type>` methods, as most visitors have (LibCST's scope
    analysis among them): one skips children, one is a staticmethod."""

    events: list[tuple]

    def __init__(self) -> None:
        self.events = []

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", id(node)))

    def leave_Call(self, original_node: cst.Call) -> None:
        self.events.append(("call", id(original_node)))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.events.append(("lambda", id(node)))
        return False

    @staticmethod
    def visit_Integer(node: cst.Integer) -> None:
        _Typed.seen_integers.append(id(node))

    seen_integers: ClassVar[list[int]] = []


@pytest.mark.slow
@pytest.mark.parametrize("visitor_type", [_AllEvents, _Plain, _Hooked, _Typed])
def test_walk_makes_the_calls_libcst_makes(visitor_type) -> None:
    for name, module in MODULES:
        expected, got = visitor_type(), visitor_type()
        _Typed.seen_integers = []
        module.visit(expected)
        integers, _Typed.seen_integers = _Typed.seen_integers, []
        assert walk(module, got) is module
        assert got.events == expected.events, name
        assert _Typed.seen_integers == integers


def _formatting_ids(module: cst.Module) -> set[int]:
    """Every node in or under a formatting node."""
    found: set[int] = set()

    class Collect(cst.CSTVisitor):
        def __init__(self) -> None:
            self.depth = 0

        def on_visit(self, node: CSTNode) -> bool:
            self.depth += type(node) in FORMATTING
            if self.depth:
                found.add(id(node))
            return True

        def on_leave(self, original_node: CSTNode) -> None:
            self.depth -= type(original_node) in FORMATTING

    module.visit(Collect())
    return found


@pytest.mark.slow
@pytest.mark.parametrize("visitor_type", [_AllEvents, _Plain, _Hooked, _Typed])
def test_walk_without_formatting_makes_the_same_calls_for_every_other_node(visitor_type) -> None:
    left_out = 0
    for name, module in MODULES[:80]:
        skipped = _formatting_ids(module)
        expected, got = visitor_type(), visitor_type()
        module.visit(expected)
        walk(module, got, formatting=False)
        assert got.events == [e for e in expected.events if e[1] not in skipped], name
        left_out += len(expected.events) - len(got.events)
    assert left_out > 10_000 or visitor_type is _Typed  # it sees no formatting nodes anyway


def test_a_visitor_of_formatting_nodes_sees_them_all() -> None:
    class Comments(cst.CSTVisitor):
        def __init__(self) -> None:
            self.events: list[tuple] = []

        def visit_Comment(self, node: cst.Comment) -> None:
            self.events.append(("comment", node.value))

        def visit_Name(self, node: cst.Name) -> None:
            self.events.append(("name", node.value))

    expected, got = Comments(), Comments()
    module = MODULES[0][1].with_changes(header=[cst.EmptyLine(comment=cst.Comment("# hello"))])
    module.visit(expected)
    walk(module, got, formatting=False)
    assert ("comment", "# hello") in got.events
    assert got.events == expected.events


def test_the_walks_are_not_trivial() -> None:
    """The comparison above would pass for a walker that sees nothing in both; it sees a lot."""
    visitor = _Hooked()
    walk(MODULES[0][1], visitor)
    kinds = {e[0] for e in visitor.events}
    assert kinds == {"visit", "leave", "bases", "format_spec"}
    assert len(visitor.events) > 500


def test_every_libcst_node_type_has_a_plan() -> None:
    """A LibCST upgrade that changes the shape of `_visit_and_replace_children` makes those
    types fall back to LibCST's own visit (correct, slower): this test says which."""
    types = [
        t
        for t in vars(cst).values()
        if isinstance(t, type)
        and issubclass(t, CSTNode)
        and not getattr(t._visit_and_replace_children, "__isabstractmethod__", False)
    ]
    assert len(types) > 150
    assert [t.__name__ for t in types if plan_of(t) is None] == []
    assert plan_of(cst.FormattedStringExpression)[-1] == ("format_spec", True)
    assert ("names", False) in plan_of(cst.ImportFrom)


def test_a_type_without_a_plan_is_visited_by_libcst(monkeypatch) -> None:
    monkeypatch.setitem(readonly_visit._PLANS, cst.Call, None)
    for name, module in MODULES[:40]:
        expected, got = _AllEvents(), _AllEvents()
        module.visit(expected)
        with readonly_visits():
            walk(module, got)
        assert got.events == expected.events, name


def _scope_facts(module: cst.Module, scopes) -> tuple:
    """Everything scope analysis says, with nodes named by their place in the tree (string
    annotations are parsed afresh by each run: those nodes are named by their code)."""
    order: dict[CSTNode, int] = {}

    class Order(cst.CSTVisitor):
        def on_visit(self, node: CSTNode) -> bool:
            order[node] = len(order)
            return True

    module.visit(Order())

    def name(node) -> object:
        if node is None:
            return None
        return order[node] if node in order else (type(node).__name__, cst.Module([]).code_for_node(node))

    scope_ids: dict[int, int] = {}
    for scope in scopes.values():
        if scope is not None:
            scope_ids.setdefault(id(scope), len(scope_ids))
    where = sorted(
        (repr(name(n)), scope_ids.get(id(s)), type(s).__name__, type(n) in FORMATTING) for n, s in scopes.items()
    )
    contents = {}
    for scope in {id(s): s for s in scopes.values() if s is not None}.values():
        assignments = sorted(
            repr(
                (
                    a.name,
                    name(getattr(a, "node", None)),
                    type(a).__name__,
                    sorted(repr(name(getattr(r, "node", None))) for r in a.references),
                )
            )
            for a in scope.assignments
        )
        accesses = sorted(
            repr(
                (
                    name(a.node),
                    a.is_annotation,
                    a.is_type_hint,
                    sorted(repr(name(getattr(r, "node", None))) for r in a.referents),
                )
            )
            for a in scope.accesses
        )
        qualified = sorted(
            repr(sorted(q.name for q in scope.get_qualified_names_for(a.name))) for a in scope.assignments
        )
        contents[scope_ids[id(scope)]] = (type(scope).__name__, assignments, accesses, qualified)
    return where, contents


@pytest.mark.slow
def test_scope_analysis_is_the_same_through_readonly_visits() -> None:
    """The same scopes, assignments, accesses and qualified names; without formatting nodes,
    only those nodes have no scope."""
    checked = 0
    # The migrated halves of fixture pairs add little the originals don't have.
    modules = [(name, module) for name, module in MODULES if not (name.endswith(".after.py") or "/after/" in name)]
    for name, module in modules:
        expected = _scope_facts(module, MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider))
        with readonly_visits():
            scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
        assert _scope_facts(module, scopes) == expected, name
        with readonly_visits(formatting_free=(ScopeVisitor, ExpressionContextVisitor)):
            scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
        where, contents = _scope_facts(module, scopes)
        assert contents == expected[1], name
        assert where == [w for w in expected[0] if not w[-1]], name
        checked += bool(contents)
    assert checked == len(modules) > 150


def test_batchable_visitors_find_their_methods_as_with_libcst() -> None:
    from libcst.metadata import (
        ExpressionContextProvider,
        ParentNodeProvider,
        PositionProvider,
    )

    for provider in (ScopeProvider, ExpressionContextProvider, ParentNodeProvider, PositionProvider):
        if not issubclass(provider, cst.BatchableCSTVisitor):
            continue
        expected = {name: method.__func__ for name, method in provider().get_visitors().items()}
        assert expected
        with readonly_visits():
            for instance in (provider(), provider()):  # the second from the names kept
                found = instance.get_visitors()
                assert {name: method.__func__ for name, method in found.items()} == expected
                assert all(method.__self__ is instance for method in found.values())


def test_readonly_visits_leaves_transformers_and_restores_libcst() -> None:
    original = CSTNode.visit
    original_get_visitors = cst.BatchableCSTVisitor.get_visitors

    class Rename(cst.CSTTransformer):
        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
            return updated_node.with_changes(value=updated_node.value.upper())

    with readonly_visits():
        assert CSTNode.visit is not original
        with readonly_visits():  # nested use keeps it on
            pass
        assert CSTNode.visit is not original
        assert cst.parse_module("a = b\n").visit(Rename()).code == "A = B\n"
    assert CSTNode.visit is original
    assert cst.BatchableCSTVisitor.get_visitors is original_get_visitors
    with pytest.raises(KeyboardInterrupt), readonly_visits(formatting_free=(ScopeVisitor,)):
        raise KeyboardInterrupt  # a file's time budget running out, say
    assert (
        CSTNode.visit is original and readonly_visit._formatting_free == frozenset() and readonly_visit._owner is None
    )


SMALL = cst.parse_module("f(a, b)  # c\nx = [1, 2]\n")


def _names_seen(visitor_type, module: cst.Module = SMALL) -> tuple[list, list]:
    """What a visitor records through LibCST's visit, and through readonly_visits."""
    expected, got = visitor_type(), visitor_type()
    module.visit(expected)
    with readonly_visits(formatting_free=(visitor_type,)):
        module.visit(got)
    return expected.events, got.events


def test_callbacks_set_on_the_instance_are_called() -> None:
    class OnInstance(cst.CSTVisitor):
        def __init__(self) -> None:
            self.events: list = []
            self.visit_Name = lambda node: self.events.append(node.value)
            self.visit_Comma = lambda node: self.events.append(",")

    expected, got = _names_seen(OnInstance)
    assert got == expected == ["f", "a", ",", "b", "x", ","]


def test_other_visitors_see_formatting_while_the_analysis_leaves_it_out() -> None:
    """Formatting is left out only for the classes named, not for a batchable visitor run
    through LibCST's batching, say."""

    class Commas(cst.BatchableCSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def visit_Comma(self, node: cst.Comma) -> None:
            self.count += 1

    expected, got = Commas(), Commas()
    MetadataWrapper(SMALL).visit_batched([expected])
    with readonly_visits(formatting_free=(ScopeVisitor, ExpressionContextVisitor)):
        MetadataWrapper(SMALL).visit_batched([got])
    assert got.count == expected.count == 2


def test_other_threads_get_libcsts_visit() -> None:
    import threading

    class Count(cst.CSTVisitor):
        def __init__(self) -> None:
            self.nodes = 0

        def on_visit(self, node: CSTNode) -> bool:
            self.nodes += 1
            return True

    expected = Count()
    SMALL.visit(expected)
    with readonly_visits(formatting_free=(Count,)):
        counter = Count()
        thread = threading.Thread(target=lambda: SMALL.visit(counter))
        thread.start()
        thread.join()
        here = Count()
        SMALL.visit(here)
    assert counter.nodes == expected.nodes > here.nodes  # the other thread saw formatting too


def test_sequences_of_other_types_are_walked() -> None:
    class Tuple(tuple):
        pass

    module = cst.Module(body=Tuple(cst.parse_module("x = 1\ny = 2\n").body))
    expected, got = _names_seen(_Typed, module)
    assert len(got) == len(expected) == 2 and got != []
