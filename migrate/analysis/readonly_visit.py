"""Read-only LibCST traversals without LibCST's node rebuilding.

`node.visit(visitor)` rebuilds every node it passes, even for a `CSTVisitor` that can't change
anything: `_visit_and_replace_children` constructs (and validates) a copy of each node, which
is then thrown away (LibCST's own "TODO: provide traversal where children are not replaced").
For the analysis of a file (our finder, and LibCST's ExpressionContextProvider and
ScopeProvider, which walk the whole module themselves) that copy is most of the cost.

`walk(node, visitor)` makes the same calls on the visitor, in the same order, as
`node.visit(visitor)` does for a `CSTVisitor` (`on_visit`, `on_visit_attribute`, the children,
`on_leave_attribute`, `on_leave`), without the copies. Which fields a node type visits, and in
what order, is read once per type from the source of its `_visit_and_replace_children` (a single
`return Type(field=visit_*(self, "field", ...), ...)` or `self.__class__(...)`); a type whose
method doesn't have that shape is visited by LibCST itself. tests/test_readonly_visit.py checks
the event sequences against LibCST's on every fixture, and the scope analysis results.

`readonly_visits()` routes `CSTNode.visit` through `walk` for `CSTVisitor`s while it is active,
in the thread that activated it (transformers, and other threads, get LibCST's own visit), so
LibCST's metadata providers get the same treatment. It also keeps, per class, the names
`BatchableCSTVisitor.get_visitors` finds (LibCST looks them up with `inspect.getmembers` on
every instance: a few milliseconds per provider per file). A visitor with `visit_*`/`leave_*`
callbacks set on the instance is visited by LibCST itself; what a class has is read once, so a
visitor class changed after its first walk is not seen changed.

Formatting nodes (whitespace, comments, newlines, and the commas, dots, colons, parentheses
and brackets LibCST keeps as nodes; about half of a tree) can be left out, for visitor classes
the caller names (`readonly_visits(formatting_free=...)`, `walk(..., formatting=False)`) that
have no callback of their own for them. No other node is ever inside one, so every other node
is visited exactly as before; what such a visitor misses is `on_visit`/`on_leave` for
formatting nodes: LibCST's scope analysis then gives them no scope (its documentation says it
has none for "formatting information nodes"), and our finder no parent.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator

import libcst as cst
from libcst import CSTNode, CSTVisitor, MaybeSentinel
from libcst._nodes.base import BaseLeaf

try:  # the traversal MetadataWrapper runs batchable providers in (libcst/_batched_visitor.py)
    from libcst._batched_visitor import _BatchedCSTVisitor
except ImportError:  # pragma: no cover - a LibCST without it: those visitors take the slow path
    _BatchedCSTVisitor = None  # type: ignore[assignment,misc]

# Per node type: its visited fields in order, each with whether it is visited only when not
# None (`format_spec=(visit_sequence(...) if format_spec is not None else None)`); None when
# the type's method isn't the expected shape and LibCST must visit it.
Plan = tuple[tuple[str, bool], ...]
_PLANS: dict[type, Plan | None] = {}
_IS_NODE: dict[type, bool] = {}
# Per visitor class: the (node type name, field) pairs with `visit_T_field`/`leave_T_field`
# hooks, or None when the class overrides the attribute callbacks (every event is delivered).
_HOOKS: dict[type, frozenset[tuple[str, str]] | None] = {}
_MODULE_ONLY = frozenset({"visit_Module", "leave_Module"})
# Nodes that hold only whitespace, comments and punctuation (and so no other kind of node).
FORMATTING: frozenset[type] = frozenset(
    {
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.TrailingWhitespace,
        cst.Newline,
        cst.EmptyLine,
        cst.Comment,
        cst.Comma,
        cst.Dot,
        cst.Colon,
        cst.Semicolon,
        cst.AssignEqual,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    }
)
_NO_SKIP: frozenset[type] = frozenset()
_SKIPPED: dict[type, frozenset[type]] = {}  # per visitor class, with formatting=False
_formatting_free: frozenset[type] = frozenset()  # readonly_visits(formatting_free=...) while active
_owner: int | None = None  # the thread readonly_visits() is active in

_libcst_visit = CSTNode.visit
_CSTVISITOR_MRO = frozenset(CSTVisitor.__mro__)
_libcst_get_visitors = cst.BatchableCSTVisitor.get_visitors
_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}


def plan_of(node_type: type[CSTNode]) -> Plan | None:
    if node_type not in _PLANS:
        _PLANS[node_type] = _read_plan(node_type)
    return _PLANS[node_type]


def _read_plan(node_type: type[CSTNode]) -> Plan | None:
    method = node_type._visit_and_replace_children
    if method is BaseLeaf._visit_and_replace_children:  # leaves: `return self`
        return ()
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    except (OSError, TypeError, SyntaxError):
        return None
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef):
        return None
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if not body:  # abstract: `...`
        return None
    *setup, last = body
    built = last.value if isinstance(last, ast.Return) else None
    if isinstance(built, ast.Name) and len(setup) >= 1:  # `ret = Type(...); return ret`
        bound = setup.pop()
        if not (isinstance(bound, ast.Assign) and [ast.unparse(t) for t in bound.targets] == [built.id]):
            return None
        built = bound.value
    # Anything before the constructor may only name the node's own fields (`names = self.names`).
    for statement in setup:
        if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Attribute)):
            return None
        if ast.unparse(statement.value.value) != "self":
            return None
    if not (isinstance(built, ast.Call) and ast.unparse(built.func) in (node_type.__name__, "self.__class__")):
        return None
    if built.args:
        return None
    plan: list[tuple[str, bool]] = []
    for keyword in built.keywords:
        if keyword.arg is None:  # `**fields`: not a field of its own
            return None
        visits = [
            c
            for c in ast.walk(keyword.value)
            if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id.startswith("visit_")
        ]
        if not visits:
            if not isinstance(keyword.value, ast.Attribute):  # `star=self.star`: not visited
                return None
            continue
        fields = {c.args[1].value for c in visits if len(c.args) == 4 and isinstance(c.args[1], ast.Constant)}
        if fields != {keyword.arg} or len(visits) > 2:
            return None
        value = keyword.value
        if isinstance(value, ast.IfExp):
            branches = [b for b in (value.body, value.orelse) if not (isinstance(b, ast.Constant) and b.value is None)]
            if len(branches) == 1 and ast.unparse(value.test) == f"{keyword.arg} is not None":
                plan.append((keyword.arg, True))
                continue
            if len(branches) != 2:
                return None
        elif not isinstance(value, ast.Call):
            return None
        plan.append((keyword.arg, False))
    return tuple(plan)


def hooks_of(visitor_type: type[CSTVisitor]) -> frozenset[tuple[str, str]] | None:
    if visitor_type not in _HOOKS:
        if (
            visitor_type.on_visit_attribute is not CSTVisitor.on_visit_attribute
            or visitor_type.on_leave_attribute is not CSTVisitor.on_leave_attribute
        ):
            _HOOKS[visitor_type] = None
        else:
            _HOOKS[visitor_type] = frozenset((node, field) for node, field in _own_callbacks(visitor_type) if field)
    return _HOOKS[visitor_type]


def _skipped(visitor_type: type[CSTVisitor], formatting: bool) -> frozenset[type]:
    """The node types a walk may leave out for this visitor: formatting, unless it asks for it."""
    if formatting:
        return _NO_SKIP
    if visitor_type not in _SKIPPED:
        names = {t.__name__ for t in FORMATTING}
        watched = any(node in names for node, _ in _own_callbacks(visitor_type))
        _SKIPPED[visitor_type] = _NO_SKIP if watched else FORMATTING
    return _SKIPPED[visitor_type]


def _own_callbacks(visitor_type: type[CSTVisitor]) -> list[tuple[str, str]]:
    """(node type name, field or "") of the `visit_*`/`leave_*` methods `visitor_type` defines
    or inherits from classes other than CSTVisitor's own (which has a no-op stub for every node
    type and field)."""
    found = []
    names: set[str] = set()
    for klass in visitor_type.__mro__:
        if klass in _CSTVISITOR_MRO:
            continue
        names.update(vars(klass))
    for name in sorted(names):
        prefix, _, rest = name.partition("_")
        node, _, field = rest.partition("_")
        if (
            prefix in ("visit", "leave")
            and node[:1].isupper()
            and getattr(visitor_type, name) is not getattr(CSTVisitor, name, None)
        ):
            found.append((node, field))
    return found


def walk(node: CSTNode, visitor: CSTVisitor, *, formatting: bool = True) -> CSTNode:
    """`node.visit(visitor)` for a read-only visitor, without rebuilding nodes. Returns `node`.
    `formatting=False`: leave out formatting nodes (see the module's docstring)."""
    visitor_type = type(visitor)
    if any(name.startswith(("visit_", "leave_")) for name in getattr(visitor, "__dict__", ())):
        _libcst_visit(node, visitor)  # callbacks on the instance: only getattr finds them
        return node  # what LibCST's visit returns for a CSTVisitor
    hooks = hooks_of(visitor_type)
    skip = _skipped(visitor_type, formatting)
    enters, leaves = _callbacks(visitor_type)
    if hooks is None and _module_only(node, visitor):
        visitor.on_visit(node)
        visitor.on_leave(node)
    else:
        _walk(node, visitor, hooks, skip, enters, leaves)
    return node


# Per visitor class that keeps CSTVisitor's `on_visit` (`on_leave`): node type -> its
# `visit_<Type>` (`leave_<Type>`) function, or None for CSTVisitor's no-op stub. What
# `on_visit` would look up by name for every node, looked up once.
Callbacks = dict[type, Callable[[CSTVisitor, CSTNode], object] | None]
_CALLBACKS: dict[type, tuple[Callbacks | None, Callbacks | None]] = {}


def _callbacks(visitor_type: type[CSTVisitor]) -> tuple[Callbacks | None, Callbacks | None]:
    if visitor_type not in _CALLBACKS:
        _CALLBACKS[visitor_type] = (
            {} if visitor_type.on_visit is CSTVisitor.on_visit else None,
            {} if visitor_type.on_leave is CSTVisitor.on_leave else None,
        )
    return _CALLBACKS[visitor_type]


def _callback(
    table: Callbacks, visitor: CSTVisitor, node_type: type, prefix: str
) -> Callable[[CSTVisitor, CSTNode], object] | None:
    name = prefix + node_type.__name__
    found = inspect.getattr_static(type(visitor), name, None)
    method: Callable[[CSTVisitor, CSTNode], object] | None
    if found is None or found is inspect.getattr_static(CSTVisitor, name, None):
        method = None
    elif inspect.isfunction(found):
        method = found
    else:  # a staticmethod, say: call it as `on_visit` would
        method = lambda visitor, node: getattr(visitor, name)(node)  # noqa: E731
    table[node_type] = method
    return method


def _module_only(node: CSTNode, visitor: CSTVisitor) -> bool:
    """A batched traversal whose visitors only look at the Module itself (LibCST's scope and
    expression-context providers each run their own visitor from `visit_Module`): the rest of
    the tree would call nothing."""
    return (
        _BatchedCSTVisitor is not None
        and type(visitor) is _BatchedCSTVisitor
        and isinstance(node, cst.Module)
        and visitor.before_visit is None
        and visitor.after_leave is None
        and set(visitor.visitor_methods) <= _MODULE_ONLY
    )


def _is_node(value: object) -> bool:
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, CSTNode)
    return known


def _walk(
    node: CSTNode,
    visitor: CSTVisitor,
    hooks: frozenset[tuple[str, str]] | None,
    skip: frozenset[type],
    enters: Callbacks | None,
    leaves: Callbacks | None,
) -> None:
    """`hooks`: the (node type name, field) pairs to call `on_visit_attribute`/`on_leave_attribute`
    for, or None for every field; `enters`/`leaves`: the callbacks table, or None to call the
    visitor's own `on_visit`/`on_leave`."""
    node_type = type(node)
    plan = _PLANS[node_type] if node_type in _PLANS else plan_of(node_type)
    if plan is None:
        _libcst_visit(node, visitor)
        return
    if enters is None:
        go = visitor.on_visit(node)
    else:
        enter = enters[node_type] if node_type in enters else _callback(enters, visitor, node_type, "visit_")
        go = enter is None or enter(visitor, node) is not False
    if go:
        name = node_type.__name__
        for field, only_if_set in plan:
            value = getattr(node, field)
            events = (hooks is None or (hooks and (name, field) in hooks)) and not (only_if_set and value is None)
            if events:
                visitor.on_visit_attribute(node, field)
            if type(value) is tuple or type(value) is list:
                for child in value:
                    if type(child) not in skip:
                        _walk(child, visitor, hooks, skip, enters, leaves)
            elif _is_node(value):
                if type(value) not in skip:
                    _walk(value, visitor, hooks, skip, enters, leaves)
            elif value is not None and not isinstance(value, MaybeSentinel):  # another sequence type
                for child in value:
                    if type(child) not in skip:
                        _walk(child, visitor, hooks, skip, enters, leaves)
            if events:
                visitor.on_leave_attribute(node, field)
    if leaves is None:
        visitor.on_leave(node)
    else:
        leave = leaves[node_type] if node_type in leaves else _callback(leaves, visitor, node_type, "leave_")
        if leave is not None:
            leave(visitor, node)


def _visit(self: CSTNode, visitor):
    if isinstance(visitor, CSTVisitor) and threading.get_ident() == _owner:
        return walk(self, visitor, formatting=type(visitor) not in _formatting_free)
    return _libcst_visit(self, visitor)


def _get_visitors(self: cst.BatchableCSTVisitor):
    if threading.get_ident() != _owner or any(
        name.startswith(("visit_", "leave_")) for name in getattr(self, "__dict__", ())
    ):
        return _libcst_get_visitors(self)
    names = _VISITOR_NAMES.get(type(self))
    if names is None:
        names = _VISITOR_NAMES[type(self)] = tuple(_libcst_get_visitors(self))
    return {name: getattr(self, name) for name in names}


@contextlib.contextmanager
def readonly_visits(*, formatting_free: Iterable[type] = ()) -> Iterator[None]:
    """While active, in this thread, `node.visit(v)` for a `CSTVisitor` `v` is `walk(node, v)`,
    leaving out formatting nodes for the classes in `formatting_free`."""
    global _formatting_free, _owner
    if CSTNode.visit is _visit:  # already active: nested here (the outer settings hold), or elsewhere
        yield
        return
    try:  # (a time budget's alarm may interrupt anywhere: restore whatever was set)
        _owner, _formatting_free = threading.get_ident(), frozenset(formatting_free)
        CSTNode.visit = _visit  # type: ignore[method-assign]
        cst.BatchableCSTVisitor.get_visitors = _get_visitors  # type: ignore[method-assign]
        yield
    finally:
        CSTNode.visit = _libcst_visit  # type: ignore[method-assign]
        cst.BatchableCSTVisitor.get_visitors = _libcst_get_visitors  # type: ignore[method-assign]
        _owner, _formatting_free = None, frozenset()
