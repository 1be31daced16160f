"""Laying out new code so it reads like the code around it: string literals in the file's
quote style, comma-separated sequences rebuilt with their separators, trailing commas and
indentation, dict literals made or re-keyed, and blocks shifted to a new indentation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
    # Comments to put on their own lines above the element (moved here with what it was made from).
    comments: list[cst.Comment] = field(default_factory=list)


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


_NO_WS = cst.SimpleWhitespace("")
_SPACE = cst.SimpleWhitespace(" ")
_ONE_LEVEL = cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace("    "))


def _comment_line(line: cst.TrailingWhitespace) -> cst.TrailingWhitespace | None:
    return line if line.comment is not None else None


def _bare(ws: Any) -> Any:
    """`ws` without its comments and blank lines: the shape of a separator."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return ws


def _with_lines(shape: Any, first: cst.TrailingWhitespace | None, lines: list[cst.EmptyLine], home: Any) -> Any:
    """A separator of `shape` carrying a trailing comment and lines above what follows; on one
    line (`shape` simple) they need a line break, indented like `home` (where they came from)."""
    if first is None and not lines:
        return shape
    if not isinstance(shape, cst.ParenthesizedWhitespace):
        # (a comment is never dropped: with nowhere to take the indentation from, one level in)
        shape = home if isinstance(home, cst.ParenthesizedWhitespace) else _ONE_LEVEL
    return shape.with_changes(first_line=first or cst.TrailingWhitespace(), empty_lines=lines)


def _close_of(arg: cst.Arg) -> Any:
    return arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg


def layout_args(
    old: Sequence[cst.Arg], lead: cst.BaseParenthesizableWhitespace, new: Sequence[Item]
) -> tuple[cst.BaseParenthesizableWhitespace, list[cst.Arg]] | None:
    """Lay out the arguments `new` of a call whose arguments were `old`, in the call's style.

    Two elements that were neighbours keep the separator between them as written (blank lines
    and comments included). Between new neighbours goes the call's usual separator (one per
    line, all on one line, or hugging), carrying the comment that trailed the first one on its
    line and the comments that stood above the second (above an argument that was dropped:
    above the next one). The closing bracket keeps its place and the trailing comma its
    presence; no argument keeps the line break that used to close the call. None when the
    call is laid out comma-first (not handled here).
    """
    if not new:
        return lead, []
    comma_first = any(
        isinstance(a.comma, cst.Comma) and isinstance(a.whitespace_after_arg, cst.ParenthesizedWhitespace) for a in old
    )
    if comma_first:
        return None  # comma-first
    count = len(old)
    before: list[Any] = [lead, *(a.comma.whitespace_after for a in old[:-1])]  # type: ignore[union-attr]
    leading = [list(ws.empty_lines) if isinstance(ws, cst.ParenthesizedWhitespace) else [] for ws in before]
    trailing: list[cst.TrailingWhitespace | None] = []
    for position in range(count):
        after = before[position + 1] if position + 1 < count else _close_of(old[position])
        trailing.append(_comment_line(after.first_line) if isinstance(after, cst.ParenthesizedWhitespace) else None)
    close = _close_of(old[-1]) if old else _NO_WS
    close_lines = list(close.empty_lines) if isinstance(close, cst.ParenthesizedWhitespace) else []
    has_trailing_comma = bool(old) and isinstance(old[-1].comma, cst.Comma)
    shape = _separator_shape(old, lead, has_trailing_comma)
    kept = {item.origin for item in new if item.origin is not None}
    # Lines above a dropped argument stay above what follows it.
    carried: dict[int | None, list[cst.EmptyLine]] = {}
    pending: list[cst.EmptyLine] = []
    for position in range(count):
        if position in kept:
            carried[position] = [*pending, *leading[position]]
            pending = []
        else:
            pending += [line for line in leading[position] if line.comment is not None]
    tail_lines = [*pending, *close_lines]

    def lines_above(item: Item, home: Any) -> list[cst.EmptyLine]:
        lines = carried.get(item.origin, []) if item.origin is not None else []
        if item.comments and isinstance(home, cst.ParenthesizedWhitespace):
            made = [cst.EmptyLine(indent=home.indent, whitespace=home.last_line, comment=c) for c in item.comments]
            lines = [*lines, *made]
        return lines

    first = new[0]
    if first.origin == 0 and not first.comments:
        new_lead = lead
    else:
        open_line = lead.first_line if isinstance(lead, cst.ParenthesizedWhitespace) else None
        home = lead if isinstance(lead, cst.ParenthesizedWhitespace) else shape
        new_lead = _with_lines(_bare(lead), open_line, lines_above(first, home), home)
        if isinstance(new_lead, cst.ParenthesizedWhitespace) and open_line is not None:
            new_lead = new_lead.with_changes(first_line=open_line)
    out: list[cst.Arg] = []
    # A comment that ended a line of arguments, when what follows it now stays on that line: it
    # goes to the end of the line, before the next line break.
    carried_comment: cst.TrailingWhitespace | None = None
    for position, item in enumerate(new):
        node: cst.Arg = item.node
        origin = item.origin
        closed_the_call = origin is not None and origin == count - 1 and not has_trailing_comma
        if closed_the_call or not isinstance(node.whitespace_after_arg, cst.SimpleWhitespace):
            node = node.with_changes(whitespace_after_arg=_NO_WS)
        first_line = trailing[origin] if origin is not None else None
        if position < len(new) - 1:
            following = new[position + 1]
            if origin is not None and following.origin == origin + 1 and not following.comments:
                comma = old[origin].comma
            else:
                home = before[following.origin] if following.origin is not None else shape
                first_line = first_line or carried_comment
                carried_comment = None
                breaks = isinstance(shape, cst.ParenthesizedWhitespace) or isinstance(home, cst.ParenthesizedWhitespace)
                if first_line is not None and not breaks:
                    carried_comment, first_line = first_line, None
                ws = _with_lines(shape, first_line, lines_above(following, home), home)
                comma = cst.Comma(whitespace_before=_NO_WS, whitespace_after=ws)
            out.append(node.with_changes(comma=comma))
            continue
        # the last argument: the closing bracket's whitespace follows it
        if origin is not None and origin == count - 1:
            ws = close
            free = isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is None
            if carried_comment is not None and free:
                ws = ws.with_changes(first_line=carried_comment)
        else:
            ws = _with_lines(_bare(close), first_line or carried_comment, tail_lines, close)
        if has_trailing_comma:
            out.append(node.with_changes(comma=cst.Comma(whitespace_before=_NO_WS, whitespace_after=ws)))
        else:
            out.append(node.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=ws))
    return new_lead, out


def one_per_line(args: Sequence[cst.Arg], lead: cst.BaseParenthesizableWhitespace) -> bool:
    """The call's arguments are separated by line breaks (a new one gets a line of its own)."""
    has_trailing_comma = bool(args) and isinstance(args[-1].comma, cst.Comma)
    return isinstance(_separator_shape(args, lead, has_trailing_comma), cst.ParenthesizedWhitespace)


def _separator_shape(old: Sequence[cst.Arg], lead: Any, has_trailing_comma: bool) -> Any:
    """The whitespace after a comma between two arguments, as this call writes it."""
    for arg in old[:-1]:
        if isinstance(arg.comma, cst.Comma):
            return _bare(arg.comma.whitespace_after)
    if isinstance(lead, cst.ParenthesizedWhitespace) and has_trailing_comma:
        return _bare(lead)  # one argument on its own line, with a magic trailing comma
    return _SPACE


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


class _FirstBreak(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: int | None = None

    def visit_ParenthesizedWhitespace(self, node: cst.ParenthesizedWhitespace) -> bool:
        if self.found is None:
            self.found = len(node.last_line.value)
        return False


def first_break(node: cst.CSTNode) -> int | None:
    """The indentation of the first line break inside `node` (None: it is on one line)."""
    visitor = _FirstBreak()
    node.visit(visitor)
    return visitor.found


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
