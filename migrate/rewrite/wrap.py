"""Re-wrapping a rewritten call to the file's line length, the way ruff format (and black)
would: a call that no longer fits on its line gets its arguments on a line of their own, or one
per line with a magic trailing comma when they don't fit there either; a call whose arguments
were put on a line of their own only because the call was too long is joined again when it now
fits. Only calls laid out that way are touched (arguments on one line, no comments between
them); a call written one argument per line, or hugging its brackets, keeps its layout.

Widths are measured on the statement's code as generated, plus its block's indentation, as
ruff measures them: pragma comments (`# noqa`, `# type:`, ...) at the end of a line don't count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from migrate.rewrite.layout import shift_indent

_PRAGMA = re.compile(r"\s*#\s*(noqa|type:|pyright:|pylint:|mypy:|nosec|isort:|ruff:)")


def width(line: str) -> int:
    """The width ruff gives `line` (a line of code without its line break)."""
    found = _PRAGMA.search(line)
    return len(line[: found.start()] if found else line)


def _depth(text: str) -> int:
    """Brackets opened and not closed in `text` (closed and not opened count too)."""
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def _one_line(args: Sequence[cst.Arg]) -> bool:
    """The arguments, written on one line, without comments or line breaks inside."""
    for arg in args[:-1]:
        if not isinstance(arg.comma, cst.Comma) or not isinstance(arg.comma.whitespace_after, cst.SimpleWhitespace):
            return False
    module = cst.Module(body=[])
    return all("\n" not in module.code_for_node(a.value) and "#" not in module.code_for_node(a) for a in args)


def _flat(call: cst.Call) -> cst.Call:
    args = [a.with_changes(whitespace_after_arg=cst.SimpleWhitespace("")) for a in call.args]
    args = [
        a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        if i < len(args) - 1
        else a.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        for i, a in enumerate(args)
    ]
    return call.with_changes(whitespace_before_args=cst.SimpleWhitespace(""), args=args)


def _break(extra: str, open_line: cst.TrailingWhitespace | None = None) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=open_line or cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace(extra)
    )


def _collapsed(call: cst.Call, extra: str, unit: str, open_line: cst.TrailingWhitespace | None) -> cst.Call:
    flat = _flat(call)
    args = list(flat.args)
    args[-1] = args[-1].with_changes(whitespace_after_arg=_break(extra))
    return flat.with_changes(whitespace_before_args=_break(extra + unit, open_line), args=args)


def _exploded(call: cst.Call, extra: str, unit: str, open_line: cst.TrailingWhitespace | None) -> cst.Call:
    args = []
    for position, arg in enumerate(call.args):
        last = position == len(call.args) - 1
        after = _break(extra if last else extra + unit)
        comma = cst.Comma(whitespace_after=after)
        args.append(arg.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""), comma=comma))
    return call.with_changes(whitespace_before_args=_break(extra + unit, open_line), args=args)


def _layout(call: cst.Call) -> str | None:
    """`flat` (all on the call's line), `collapsed` (arguments on a line of their own), or None."""
    if not call.args or not _one_line(call.args) or isinstance(call.args[-1].comma, cst.Comma):
        return None
    lead = call.whitespace_before_args
    close = call.args[-1].whitespace_after_arg
    if isinstance(lead, cst.SimpleWhitespace) and isinstance(close, cst.SimpleWhitespace):
        return "flat"
    if isinstance(lead, cst.ParenthesizedWhitespace) and isinstance(close, cst.ParenthesizedWhitespace):
        if lead.empty_lines or close.empty_lines or close.first_line.comment is not None:
            return None
        return "collapsed"
    return None


def fits(statement: cst.SimpleStatementLine, indent: int, line_length: int) -> bool:
    """Every line of `statement` (in a block indented `indent` columns) fits `line_length`."""
    code = cst.Module(body=[]).code_for_node(statement.with_changes(leading_lines=()))
    return all(indent + width(line.rstrip("\r")) <= line_length for line in code.split("\n"))


def _unparenthesized(
    statement: cst.SimpleStatementLine, call: cst.Call, indent: int, line_length: int, unit: str
) -> tuple[cst.SimpleStatementLine, cst.Call]:
    """`x = (\n    call(...)\n)`, parenthesized because `x = call(` was too long, without the
    parentheses once it fits (the call got a shorter name), as ruff would write it."""
    small = statement.body[0] if len(statement.body) == 1 else None
    if not isinstance(small, (cst.Assign, cst.AnnAssign, cst.Return)) or small.value is not call:
        return statement, call
    if len(call.lpar) != 1 or len(call.rpar) != 1:
        return statement, call
    after, before = call.lpar[0].whitespace_after, call.rpar[0].whitespace_before
    for ws in (after, before):
        if not isinstance(ws, cst.ParenthesizedWhitespace) or ws.empty_lines or ws.first_line.comment is not None:
            return statement, call
    bare = shift_indent(call.with_changes(lpar=[], rpar=[]), -len(unit))
    unwrapped = _replace(statement, call, bare)
    if not fits(unwrapped, indent, line_length):
        return statement, call
    return unwrapped, bare


def _replace(statement: cst.SimpleStatementLine, old: cst.Call, new: cst.Call) -> cst.SimpleStatementLine:
    replaced = statement.deep_replace(old, new)
    assert isinstance(replaced, cst.SimpleStatementLine)
    return replaced


def rewrap(
    statement: cst.SimpleStatementLine, calls: Sequence[cst.Call], indent: int, line_length: int, unit: str
) -> cst.SimpleStatementLine:
    """`statement` with each of `calls` (nodes in it) re-wrapped to `line_length`; `indent` is
    the width of the statement's block indentation, `unit` one level of indentation."""
    module = cst.Module(body=[])
    for call in calls:
        statement, call = _unparenthesized(statement, call, indent, line_length, unit)
        layout = _layout(call)
        if layout is None:
            continue
        code = module.code_for_node(statement)
        call_code = module.code_for_node(call)
        at = code.find(call_code)
        if at < 0 or code.find(call_code, at + 1) >= 0:
            continue
        start = code.rfind("\n", 0, at) + 1
        end = code.find("\n", at + len(call_code))
        end = len(code) if end < 0 else end
        head, tail = code[start:at], code[at + len(call_code) : end]
        if _depth(head) or _depth(tail.split("#", 1)[0]):
            continue  # inside another bracket on its line: ruff would split that one first
        extra = head[: len(head) - len(head.lstrip(" \t"))]
        lead = call.whitespace_before_args
        open_line = lead.first_line if isinstance(lead, cst.ParenthesizedWhitespace) else None
        open_line = open_line if open_line is not None and open_line.comment is not None else None
        flat_code = module.code_for_node(_flat(call))
        fits_flat = "\n" not in flat_code and indent + width(head + flat_code + tail.rstrip("\r")) <= line_length
        if layout == "collapsed":
            if open_line is None and fits_flat:
                statement = _replace(statement, call, _flat(call))
                continue
            lines = [head + call_code.split("\n")[0], *call_code.split("\n")[1:-1], call_code.split("\n")[-1] + tail]
        else:
            if fits_flat:
                continue
            lines = [head + call_code + tail]
        if all(indent + width(line.rstrip("\r")) <= line_length for line in lines) and layout == "collapsed":
            continue
        collapsed = _collapsed(call, extra, unit, open_line)
        collapsed_lines = module.code_for_node(collapsed).split("\n")
        collapsed_lines[0] = head + collapsed_lines[0]
        collapsed_lines[-1] += tail
        if all(indent + width(line.rstrip("\r")) <= line_length for line in collapsed_lines):
            new = collapsed
        else:
            new = _exploded(call, extra, unit, open_line)
        statement = _replace(statement, call, new)
    return statement
