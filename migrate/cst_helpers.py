"""Small LibCST helpers: literal values, dict views, and edits of comma-separated sequences
that keep the surrounding formatting (separators, trailing commas, indentation)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, TypeVar

import libcst as cst

if TYPE_CHECKING:
    from libcst.metadata import Access, BaseAssignment

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
    if isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)) or (
        isinstance(node, (cst.List, cst.Tuple, cst.Dict, cst.UnaryOperation, cst.ConcatenatedString))
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
            if key is None or key in self.items:
                self.static = False
                continue
            self.items[key] = element

    @classmethod
    def of(cls, node: cst.BaseExpression) -> "DictView | None":
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

    def keys(self) -> set[str]:
        return set(self.items)


def quote_like(template: cst.BaseExpression | None, text: str) -> cst.SimpleString:
    """A string literal for `text`, using the quote style of `template` when it is a string."""
    quote = '"'
    if isinstance(template, cst.SimpleString) and template.value[len(template.prefix) :].startswith("'"):
        quote = "'"
    if quote in text or "\\" in text or "\n" in text:
        return cst.SimpleString(repr(text))
    return cst.SimpleString(f"{quote}{text}{quote}")


# ----------------------------------------------------------------- sequences with commas

@dataclass
class Item:
    """An element of a rebuilt sequence; `origin` is its index in the old sequence, if any."""

    node: Any
    origin: int | None = None


def _separator(old: Sequence[Any], lead: cst.BaseParenthesizableWhitespace | None) -> cst.Comma:
    for element in old[:-1]:
        if isinstance(element.comma, cst.Comma):
            return element.comma
    if isinstance(lead, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=lead)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def rebuild(old: Sequence[Any], new: Sequence[Item], lead: cst.BaseParenthesizableWhitespace | None) -> list[Any]:
    """Lay out `new` with the separators of `old`.

    Elements that kept their place keep their comma; moved or new elements get the
    sequence's usual separator; the last element gets the old last element's comma, so a
    trailing comma (and the closing bracket's indentation) survives. `lead` is the whitespace
    after the opening bracket, used as the separator of a one-element multi-line sequence.
    """
    if not new:
        return []
    separator = _separator(old, lead)
    trailing = old[-1].comma if old else cst.MaybeSentinel.DEFAULT
    out = []
    last_index = len(new) - 1
    for position, item in enumerate(new):
        node = item.node
        if position == last_index:
            node = node.with_changes(comma=trailing)
        elif item.origin is None or item.origin == len(old) - 1:
            node = node.with_changes(comma=separator)
        elif not isinstance(node.comma, cst.Comma):
            node = node.with_changes(comma=separator)
        out.append(node)
    return out


def indent_of(ws: Any) -> int | None:
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return len(ws.last_line.value)
    return None


def element_indent(elements: Sequence[Any], lead: Any) -> int | None:
    """The indentation of the elements of a multi-line sequence (None when on one line)."""
    indent = indent_of(lead)
    if indent is not None:
        return indent
    for element in elements[:-1]:
        if isinstance(element.comma, cst.Comma):
            return indent_of(element.comma.whitespace_after)
    return None


class _Shift(cst.CSTTransformer):
    def __init__(self, delta: int) -> None:
        self.delta = delta

    def leave_ParenthesizedWhitespace(
        self, original_node: cst.ParenthesizedWhitespace, updated_node: cst.ParenthesizedWhitespace
    ) -> cst.ParenthesizedWhitespace:
        text = updated_node.last_line.value
        if self.delta >= 0:
            text = " " * self.delta + text
        elif text.startswith(" " * -self.delta):
            text = text[-self.delta :]
        return updated_node.with_changes(last_line=cst.SimpleWhitespace(text))


N = TypeVar("N", bound=cst.CSTNode)
A = TypeVar("A", bound="Access | BaseAssignment")


def shift_indent(node: N, delta: int) -> N:
    """Move every line break inside `node` by `delta` columns (for elements lifted a level)."""
    if not delta:
        return node
    return node.visit(_Shift(delta))  # type: ignore[return-value]


def dict_lead(node: cst.Dict) -> cst.BaseParenthesizableWhitespace:
    return node.lbrace.whitespace_after


def list_lead(node: cst.List | cst.Tuple) -> Any:
    if isinstance(node, cst.List):
        return node.lbracket.whitespace_after
    return node.lpar[0].whitespace_after if node.lpar else None


def make_dict_element(key: str, value: cst.BaseExpression, like: cst.BaseExpression | None = None) -> cst.DictElement:
    return cst.DictElement(
        key=quote_like(like, key),
        value=value,
        whitespace_before_colon=cst.SimpleWhitespace(""),
        whitespace_after_colon=cst.SimpleWhitespace(" "),
    )


def make_dict(pairs: Sequence[tuple[str, cst.BaseExpression]], like: cst.BaseExpression | None = None) -> cst.Dict:
    elements = [Item(make_dict_element(k, v, like)) for k, v in pairs]
    return cst.Dict(elements=rebuild([], elements, None))


def rekey(element: cst.DictElement, key: str) -> cst.DictElement:
    return element.with_changes(key=quote_like(element.key, key))



class Parents(dict):
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
    """The qualified names LibCST's scope analysis gives `node` (none where it has no scope)."""
    scope = scopes.get(node)
    if scope is None:
        return set()
    try:
        return {q.name for q in scope.get_qualified_names_for(node)}
    except Exception:  # pragma: no cover - defensive: LibCST raises on odd nodes
        return set()
