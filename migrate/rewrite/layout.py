"""Laying out new code so it reads like the code around it: string literals in the file's
quote style, comma-separated sequences rebuilt with their separators, trailing commas and
indentation, dict literals made or re-keyed, and blocks shifted to a new indentation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)


def quote_like(template: cst.BaseExpression | None, text: str) -> cst.SimpleString:
    """A string literal for `text`, using the quote style of `template` when it is a string."""
    quote = '"'
    if isinstance(template, cst.SimpleString) and template.value[len(template.prefix) :].startswith("'"):
        quote = "'"
    if quote in text or "\\" in text or "\n" in text:
        return cst.SimpleString(repr(text))
    return cst.SimpleString(f"{quote}{text}{quote}")


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
        elif item.origin is None or item.origin == len(old) - 1 or not isinstance(node.comma, cst.Comma):
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


def shift_indent(node: N, delta: int) -> N:
    """Move every line break inside `node` by `delta` columns (for elements lifted a level)."""
    if not delta:
        return node
    return node.visit(_Shift(delta))  # type: ignore[return-value]


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
