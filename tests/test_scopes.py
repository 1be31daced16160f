"""migrate/analysis/scopes.py says what LibCST's ScopeProvider says, node for node: the same
scopes (kind, node, parent) for the same nodes, and per scope the same bindings (name, kind,
node, reads), the same reads (node, flags, bindings), the same lookups by name and the same
qualified names for every name, attribute, call, subscript and string.

Deliberate differences, left out of the comparison: formatting nodes (whitespace, comments,
commas, brackets: walk.FORMATTING) have no scope with us (LibCST gives them their
surroundings'; nothing asks), and our sets keep insertion order where LibCST's order changes
from one process to the next."""

from __future__ import annotations

import ast
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from libcst import CSTNode
from libcst.metadata import MetadataWrapper, ScopeProvider
from syntax_corpus import names, parsed

from migrate.analysis import scopes as ours
from migrate.analysis import walk as our_walk
from migrate.analysis.scopes import (
    Assignment,
    BuiltinAssignment,
    ClassScope,
    FunctionScope,
    GlobalScope,
    ImportAssignment,
    QualifiedNameSource,
    resolve_scopes,
)
from migrate.analysis.walk import FORMATTING

_NAMED = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.Decorator,
    cst.FunctionDef,
    cst.ClassDef,
    cst.BaseString,
)


def facts(module: cst.Module, scopes, libcst: bool) -> tuple[dict, dict, dict]:
    """What a scope analysis says, with nodes named by their place in the tree (nodes parsed
    from string annotations, anew by each run, by their code), scopes by kind and node, and
    bindings and reads by what they are."""
    order: dict[CSTNode, int] = {}

    class Order(cst.CSTVisitor):
        def on_visit(self, node: CSTNode) -> bool:
            order[node] = len(order)
            return True

    module.visit(Order())

    def node(n: CSTNode | None) -> object:
        if n is None:
            return None
        return order[n] if n in order else (type(n).__name__, cst.Module([]).code_for_node(n))

    def scope(s) -> object:
        return (type(s).__name__, node(getattr(s, "node", None)))

    def binding(a) -> object:
        return (a.name, type(a).__name__, node(getattr(a, "node", None)), scope(a.scope))

    def read(a) -> object:
        return (node(a.node), scope(a.scope))

    where = {}
    for n, s in scopes.items():
        if libcst and type(n) in FORMATTING:
            continue
        assert type(n) not in FORMATTING
        where[node(n)] = scope(s)
    contents = {}
    for s in {id(s): s for s in scopes.values()}.values():
        names = {a.name for a in s.assignments} | {a.node.value for a in s.accesses if isinstance(a.node, cst.Name)}
        contents[scope(s)] = {
            "parent": scope(s.parent),
            "globals": scope(s.globals),
            "assignments": sorted(
                repr((binding(a), sorted(map(repr, map(read, a.references))))) for a in s.assignments
            ),
            "accesses": sorted(
                repr((read(a), a.is_annotation, a.is_type_hint, sorted(map(repr, map(binding, a.referents)))))
                for a in s.accesses
            ),
            "by node": sorted(repr((read(a), sorted(map(repr, map(read, s.accesses[a.node]))))) for a in s.accesses),
            "lookups": sorted(repr((name, name in s, sorted(map(repr, map(binding, s[name]))))) for name in names),
            "qualified": sorted(repr((name, _qualified(s, name))) for name in names),
        }
    qualified = {node(n): _qualified(s, n) for n, s in scopes.items() if isinstance(n, _NAMED) and n in order}
    return where, contents, qualified


def _qualified(scope, node) -> list[tuple[str, str]]:
    return sorted((q.name, q.source.name) for q in scope.get_qualified_names_for(node))


def _compare(module: cst.Module) -> dict:
    expected = facts(module, MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider), libcst=True)
    got = facts(module, resolve_scopes(module), libcst=False)
    assert got[0] == expected[0]  # where
    assert got[1].keys() == expected[1].keys()
    for key, value in expected[1].items():
        assert got[1][key] == value, key
    assert got[2] == expected[2]  # qualified names of every name
    return expected[1]


# A few modules in the quick loop (`-m "not slow"`); the whole corpus in the full run.
QUICK = {"zoo", "scope zoo", "dataclasses.py"}


@pytest.mark.parametrize(
    "name", [name if name in QUICK else pytest.param(name, marks=pytest.mark.slow) for name in names()]
)
def test_the_same_scopes_as_libcst(name: str) -> None:
    module = parsed(name)
    if module is None:
        pytest.skip("a fixture of a file that does not parse")
    _compare(module)


def test_the_comparison_sees_a_lot() -> None:
    module = parsed("scope zoo")
    assert module is not None
    contents = _compare(module)
    kinds = {key[0] for key in contents}
    assert kinds == {"GlobalScope", "FunctionScope", "ClassScope", "ComprehensionScope", "AnnotationScope"}
    assert sum(len(c["accesses"]) for c in contents.values()) > 100


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # generated code: `"a"()` and the like
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=hypothesmith.from_grammar())
def test_the_same_scopes_as_libcst_on_arbitrary_code(source: str) -> None:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        assume(False)
    try:
        MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    except Exception as error:  # (`nonlocal` at module level, say): then the same error
        with pytest.raises(type(error)):
            resolve_scopes(module)
        return
    _compare(module)


# -- what the callers in migrate/ rely on, spelled out -------------------------------------------


def _scopes(code: str):
    module = cst.parse_module(code)
    return module, resolve_scopes(module)


def _names(module: cst.Module, value: str) -> list[cst.Name]:
    found: list[cst.Name] = []

    class Find(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value == value:
                found.append(node)

    module.visit(Find())
    return found


def test_a_binding_node_is_the_target_name_the_statement_or_the_definition() -> None:
    module, scopes = _scopes(
        "import openai as oa\nfrom x import y\nclient = oa.OpenAI()\ndef f(p): pass\nclass C: pass\n"
    )
    g = scopes[module]
    assert isinstance(g, GlobalScope) and g.globals is g
    (client,) = g.assignments["client"]
    assert type(client) is Assignment and client.node is _names(module, "client")[0] and client.scope is g
    (oa,) = g.assignments["oa"]
    assert isinstance(oa, ImportAssignment) and oa.node is module.body[0].body[0]
    assert isinstance(next(iter(g.assignments["f"])).node, cst.FunctionDef)
    assert isinstance(next(iter(g.assignments["C"])).node, cst.ClassDef)
    function = module.body[3]
    (p,) = scopes[function.body].assignments["p"]
    assert isinstance(p.node, cst.Param) and isinstance(p.scope, FunctionScope) and p.scope.parent is g
    assert {q.name for q in g.get_qualified_names_for(module.body[2].body[0].value.func)} == {"openai.OpenAI"}
    assert {(q.name, q.source) for q in g.get_qualified_names_for("y")} == {("x.y", QualifiedNameSource.IMPORT)}


def test_reads_lead_to_their_bindings() -> None:
    module, scopes = _scopes("x = 1\ndef f():\n    return x, len\nx = 2\n")
    read = _names(module, "x")[1]
    scope = scopes[read]
    (access,) = [a for a in scope.accesses[read] if a.node is read]
    assert {a.node for a in access.referents} == {_names(module, "x")[0], _names(module, "x")[2]}
    (length,) = scope.accesses["len"]
    (builtin,) = length.referents
    assert isinstance(builtin, BuiltinAssignment) and not isinstance(builtin, Assignment)
    assert {(q.name, q.source) for q in scope.get_qualified_names_for("len")} == {
        ("builtins.len", QualifiedNameSource.BUILTIN)
    }
    assert all(access in a.references for a in access.referents)


def test_class_names_are_not_seen_from_methods() -> None:
    module, scopes = _scopes("class C:\n    a = 1\n    def m(self):\n        return a\n")
    read = _names(module, "a")[1]
    assert isinstance(scopes[module.body[0].body.body[0]], ClassScope)
    (access,) = scopes[read].accesses[read]
    assert not access.referents


def test_formatting_nodes_have_no_scope() -> None:
    module, scopes = _scopes("f(a, b)  # c\n")
    assert scopes.get(module.body[0].body[0].value.args[0].comma) is None
    assert scopes.get(module.body[0].trailing_whitespace) is None
    assert scopes[module.body[0].body[0].value.args[0]] is scopes[module]


def test_the_order_of_sets_is_the_same_every_time() -> None:
    module = parsed("scope zoo")
    assert module is not None
    runs = []
    for _ in range(2):
        scopes = resolve_scopes(module)
        g = scopes[module]
        runs.append([(a.name, [id(r.node) for r in a.references]) for a in g.assignments])
    assert runs[0] == runs[1]


# What migrate/ may take from libcst.metadata: positions, and the qualified-name values our
# resolver hands out too.
METADATA_VALUES = {
    "CodePosition",
    "CodeRange",
    "MetadataWrapper",
    "PositionProvider",
    "QualifiedName",
    "QualifiedNameSource",
}


def test_only_public_libcst_is_imported() -> None:
    """Nothing in migrate/ imports LibCST internals (`libcst._*`, the providers' own modules) or
    reads LibCST's source; the walk and the resolver import no patching tools."""
    package = Path(str(ours.__file__)).parents[1]
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        libcst = {name for name in imported if name.split(".")[0] == "libcst"}
        assert libcst <= {"libcst", "libcst.helpers", "libcst.metadata"}, path
        # Scope values come from our resolver: LibCST's classes would make isinstance tests fail.
        from_metadata = {
            alias.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "libcst.metadata"
            for alias in n.names
        }
        assert from_metadata <= METADATA_VALUES, path
    for module in (ours, our_walk):
        tree = ast.parse(Path(str(module.__file__)).read_text())
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not imported & {"inspect", "unittest.mock", "importlib"}, module.__name__


def test_what_libcst_refuses_is_refused() -> None:
    module = cst.parse_module("nonlocal x\n")
    with pytest.raises(NotImplementedError):
        MetadataWrapper(module).resolve(ScopeProvider)
    with pytest.raises(NotImplementedError):
        resolve_scopes(module)
