"""What nodes say: their code, literal values, dict literals read by key, truth tests,
assignment targets, tree order, qualified names, and how a value is used. Read-only; the
helpers that lay out new code are in `migrate.rewrite.layout`."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import libcst as cst

if TYPE_CHECKING:
    from migrate.analysis.scopes import Access, Assignment

NOT_LITERAL = object()
_EMPTY_MODULE = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


def truth_tested(parent: cst.CSTNode | None, node: cst.CSTNode, parents: Mapping | None = None) -> bool:
    """Is `node` only tested for truth? (`and`/`or` return an operand, so they count only when
    the whole boolean expression is itself tested.)"""
    if isinstance(parent, (cst.If, cst.While, cst.Assert)):
        return parent.test is node
    if isinstance(parent, cst.IfExp):
        return parent.test is node
    if isinstance(parent, cst.UnaryOperation):
        return isinstance(parent.operator, cst.Not)
    if isinstance(parent, cst.BooleanOperation) and parents is not None:
        return truth_tested(parents.get(parent), parent, parents)
    return False


def literal_value(node: cst.BaseExpression) -> Any:
    """The Python value of a literal expression, or NOT_LITERAL."""
    if isinstance(
        node,
        (
            cst.Name,
            cst.SimpleString,
            cst.Integer,
            cst.Float,
            cst.List,
            cst.Tuple,
            cst.Dict,
            cst.UnaryOperation,
            cst.ConcatenatedString,
        ),
    ):
        try:
            return ast.literal_eval(code_of(node).strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return NOT_LITERAL
    return NOT_LITERAL


def string_value(node: cst.BaseExpression) -> str | None:
    value = literal_value(node)
    return value if isinstance(value, str) else None


def is_stringish(node: cst.BaseExpression) -> bool:
    """True for expressions that are certainly strings (literals, f-strings, concatenations)."""
    if isinstance(node, (cst.SimpleString, cst.FormattedString)):
        return not (isinstance(node, cst.SimpleString) and "b" in node.prefix.lower())
    if isinstance(node, cst.ConcatenatedString):
        return is_stringish(node.left) and is_stringish(node.right)
    return False


class DictView:
    """A `{...}` literal whose keys are all string literals, read by key."""

    def __init__(self, node: cst.Dict) -> None:
        self.node = node
        self.items: dict[str, cst.DictElement] = {}
        self.static = True
        for element in node.elements:
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if not isinstance(element, cst.DictElement) or key is None or key in self.items:
                self.static = False
                continue
            self.items[key] = element

    @classmethod
    def of(cls, node: cst.BaseExpression | None) -> DictView | None:
        if isinstance(node, cst.Dict):
            view = cls(node)
            if view.static:
                return view
        return None

    def __contains__(self, key: str) -> bool:
        return key in self.items

    def get(self, key: str) -> cst.BaseExpression | None:
        element = self.items.get(key)
        return element.value if element is not None else None

    def str(self, key: str) -> str | None:
        value = self.get(key)
        return string_value(value) if value is not None else None

    def keys(self) -> set[builtins.str]:  # `str` in this class is the method above
        return set(self.items)


N = TypeVar("N", bound=cst.CSTNode)
A = TypeVar("A", bound="Access | Assignment")


class Parents(dict[cst.CSTNode, cst.CSTNode]):
    """Every node's parent, filled in pre-order (as the finder visits): the keys' order is the
    tree's order, which :func:`in_tree_order` uses."""

    _order: dict[cst.CSTNode, int] | None = None

    def position_of(self, node: cst.CSTNode) -> int:
        if self._order is None:
            self._order = {n: i for i, n in enumerate(self)}
        return self._order.get(node, -1)


def in_tree_order(found: Iterable[A], parents: Parents) -> list[A]:
    """Scope assignments or accesses sorted by where their node comes in the tree. LibCST's scope
    analysis hands them out in sets, whose order changes from one process to the next; whatever
    is decided by walking them must not."""
    return sorted(found, key=lambda item: parents.position_of(item.node))


def assigned_target(parent: cst.CSTNode | None, node: cst.CSTNode, kind: type[N]) -> N | None:
    """The single target of type `kind` that `node` is assigned to (`t = node`, `t: T = node`),
    if that is what `parent` does."""
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target if isinstance(target, kind) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is node and isinstance(parent.target, kind):
        return parent.target
    return None


def qualified_names(scopes: Mapping, node: cst.CSTNode) -> set[str]:
    """The qualified names the scope analysis gives `node` (none where it has no scope)."""
    scope = scopes.get(node)
    if scope is None:
        return set()
    try:
        return {q.name for q in scope.get_qualified_names_for(node)}
    except Exception:  # pragma: no cover - defensive: LibCST raises on odd nodes
        return set()


def short_code(node: cst.CSTNode, limit: int = 40) -> str:
    """The node's code on one line, cut to `limit` characters."""
    text = " ".join(code_of(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Brief(cst.CSTTransformer):
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        args = [cst.Arg(cst.Ellipsis())] if updated_node.args else []
        return updated_node.with_changes(args=args, whitespace_before_args=cst.SimpleWhitespace(""))


def brief(node: cst.CSTNode, limit: int = 60) -> str:
    """The node's code as a message quotes it: every call's arguments as `...`
    (`client.chat.completions.create(...).choices`), on one line, cut to `limit` characters."""
    shortened = node.visit(_Brief())
    assert isinstance(shortened, cst.CSTNode)
    return short_code(shortened, limit)


def describe_use(parent: cst.CSTNode | None, shown: str, parents: Mapping | None = None) -> str:
    """How a value escapes what the tool follows, for a finding's message (with `parents`, the
    function it is passed to is named)."""
    if isinstance(parent, cst.Return):
        return f"`{shown}` is returned"
    if isinstance(parent, (cst.Yield, cst.From)):
        return f"`{shown}` is yielded"
    if isinstance(parent, cst.Arg):
        call = parents.get(parent) if parents is not None else None
        if isinstance(call, cst.Call):
            return f"`{shown}` is passed to `{brief(call.func)}()`"
        return f"`{shown}` is passed to a function"
    if isinstance(parent, (cst.AssignTarget, cst.Assign, cst.AnnAssign, cst.AugAssign)):
        return f"`{shown}` is stored"
    if isinstance(parent, (cst.Element, cst.DictElement, cst.StarredElement)):
        return f"`{shown}` is put in a container"
    if isinstance(parent, (cst.For, cst.CompFor)):
        return f"`{shown}` is iterated"
    return f"`{shown}` is used as a whole"


def keyword_argument(call: cst.Call, name: str) -> cst.Arg | None:
    """The argument `call` passes as `name=...`, if any (a keyword can't be given twice)."""
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)
