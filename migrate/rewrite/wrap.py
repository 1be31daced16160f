"""Re-wrapping a rewritten call to the file's line length, the way ruff format (and black)
would: a call that no longer fits on its line gets its arguments on a line of their own, or one
per line with a magic trailing comma when they don't fit there either; a call whose arguments
were put on a line of their own only because the call was too long is joined again when it now
fits. Only calls laid out that way are touched (arguments on one line, no comments between
them); a call written one argument per line, or hugging its brackets, keeps its layout.
A statement or `if`/`elif`/`while`/`for` header whose rewritten result expression no longer fits
is split likewise (`reflow`, `reflow_compound`), for the shapes the result rewrites produce.

Widths are measured on the statement's code as generated, plus its block's indentation, as
ruff measures them: pragma comments (`# noqa`, `# type:`, ...) at the end of a line don't count.
"""

from __future__ import annotations

import ast
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


# ------------------------------------------------------------------ long result expressions
#
# A result read rewritten into a longer expression (rewrite/results.py, rewrite/streams.py) can
# push a statement past the line length. It is split the way ruff format splits it, for the
# shapes those rewrites produce; anything else is left as it is (never worse, never invalid:
# the result is re-parsed and must be the same code, and every line must fit).


class _Bail(Exception):
    """The shape is not one this module knows how to split as ruff would."""


_CODE = cst.Module(body=[])


def _flat_code(node: cst.CSTNode) -> str:
    code = _CODE.code_for_node(node)
    if "\n" in code or "\r" in code or "#" in code or "\\" in code:
        raise _Bail
    return code


def _bare(expr: cst.BaseExpression) -> str:
    """`expr` without its own parentheses."""
    if len(expr.lpar) > 1:
        raise _Bail
    return _flat_code(expr.with_changes(lpar=[], rpar=[]))


_COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp)


class _Lines:
    def __init__(self, indent: int, line_length: int, unit: str) -> None:
        self.indent, self.line_length, self.unit = indent, line_length, unit

    def fits(self, line: str) -> bool:
        return self.indent + width(line) <= self.line_length

    def content(self, pad: str, prefix: str, expr: cst.BaseExpression, tail: str) -> list[str]:
        """`expr` on lines at `pad`, after `prefix`, before `tail`; split at its lowest-priority
        operator when it doesn't fit, as inside brackets, or else at its last brackets."""
        flat = _flat_code(expr)
        if self.fits(pad + prefix + flat + tail):
            return [pad + prefix + flat + tail]
        inner = expr
        if expr.lpar:
            return self.brackets(pad, prefix, expr, tail)
        if isinstance(inner, cst.IfExp):
            return [
                *self.content(pad, prefix, inner.body, ""),
                *self.content(pad, "if ", inner.test, ""),
                *self.content(pad, "else ", inner.orelse, tail),
            ]
        if isinstance(inner, cst.BooleanOperation):
            operands = _chain(inner)
            lines: list[str] = []
            for position, (operator, operand) in enumerate(operands):
                last = position == len(operands) - 1
                lead = prefix if operator is None else operator + " "
                if isinstance(operand, cst.BooleanOperation) and not operand.lpar:
                    raise _Bail  # mixed `and`/`or`: ruff's priorities are not modelled here
                lines += self.content(pad, lead, operand, tail if last else "")
            return lines
        if isinstance(inner, cst.Comparison):
            parts: list[tuple[str, cst.BaseExpression]] = [(prefix, inner.left)]
            parts += [(_flat_code(c.operator).strip() + " ", c.comparator) for c in inner.comparisons]
            lines = []
            for position, (lead, operand) in enumerate(parts):
                lines += self.content(pad, lead, operand, tail if position == len(parts) - 1 else "")
            return lines
        if isinstance(inner, cst.GeneratorExp):
            raise _Bail  # a generator without its own parentheses: an argument, handled there
        return self.brackets(pad, prefix, expr, tail)

    def comprehension(self, pad: str, comp: cst.BaseExpression) -> list[str]:
        """A comprehension's clauses inside its brackets at `pad`: on one line, else one a line."""
        flat = _bare(comp)
        if flat.startswith(("(", "[", "{")):
            flat = flat[1:-1]
        if self.fits(pad + flat):
            return [pad + flat]
        assert isinstance(comp, _COMPREHENSIONS)
        lines = self.content(pad, "", comp.elt, "")
        clause: cst.CompFor | None = comp.for_in
        while clause is not None:
            keyword = "async for " if clause.asynchronous is not None else "for "
            lines += self.content(pad, keyword + _flat_code(clause.target) + " in ", clause.iter, "")
            for condition in clause.ifs:
                lines += self.content(pad, "if ", condition.test, "")
            clause = clause.inner_for_in
        return lines

    def brackets(self, pad: str, prefix: str, expr: cst.BaseExpression, tail: str) -> list[str]:
        """`expr` split at its last pair of brackets (ruff's right-hand split)."""
        inner = pad + self.unit
        if expr.lpar:
            body = expr.with_changes(lpar=[], rpar=[])
            if isinstance(body, cst.GeneratorExp):
                middle = self.comprehension(inner, body)
            else:
                middle = self.content(inner, "", body, "")
            return [pad + prefix + "(", *middle, pad + ")" + tail]
        if isinstance(expr, (cst.ListComp, cst.SetComp)):
            opening = "[" if isinstance(expr, cst.ListComp) else "{"
            closing = "]" if opening == "[" else "}"
            return [pad + prefix + opening, *self.comprehension(inner, expr), pad + closing + tail]
        if isinstance(expr, cst.Call):
            head = pad + prefix + _flat_code(expr.func) + "("
            args = list(expr.args)
            if not args:
                raise _Bail
            if len(args) == 1 and isinstance(args[0].value, cst.GeneratorExp) and not args[0].value.lpar:
                if args[0].keyword is not None or args[0].star:
                    raise _Bail
                return [head, *self.comprehension(inner, args[0].value), pad + ")" + tail]
            items = [(_arg_prefix(a), a.value) for a in args]
            return [head, *self.items(inner, items, explode=False), pad + ")" + tail]
        if isinstance(expr, cst.Dict):
            items = []
            for element in expr.elements:
                if not isinstance(element, cst.DictElement):
                    raise _Bail
                items.append((_flat_code(element.key) + ": ", element.value))
            if not items:
                raise _Bail
            return [pad + prefix + "{", *self.items(inner, items, explode=True), pad + "}" + tail]
        if isinstance(expr, cst.List):
            items = [(_star(e), e.value) for e in expr.elements]
            if not items:
                raise _Bail
            return [pad + prefix + "[", *self.items(inner, items, explode=True), pad + "]" + tail]
        raise _Bail

    def items(self, pad: str, items: list[tuple[str, cst.BaseExpression]], *, explode: bool) -> list[str]:
        """Comma-separated items at `pad`: a call's arguments on one line if they fit there, else
        (and always a list's or dict's items, once split) one a line with a trailing comma; a
        lone argument split in turn."""
        if explode and len(items) == 1:
            raise _Bail  # ruff's layout of a lone item is not modelled here
        together = pad + ", ".join(prefix + _flat_code(value) for prefix, value in items)
        if not explode and self.fits(together):
            return [together]
        if len(items) == 1:  # a lone argument gets no trailing comma
            return self.content(pad, items[0][0], items[0][1], "")
        lines: list[str] = []
        for prefix, value in items:
            lines += self.content(pad, prefix, value, ",")
        return lines


def _chain(node: cst.BooleanOperation) -> list[tuple[str | None, cst.BaseExpression]]:
    """The operands of `a and b and c` (one operator, no parentheses) with the operator before each."""
    spelled = "and" if isinstance(node.operator, cst.And) else "or"
    left = node.left
    if isinstance(left, cst.BooleanOperation) and not left.lpar and type(left.operator) is type(node.operator):
        operands = _chain(left)
    else:
        operands = [(None, left)]
    return [*operands, (spelled, node.right)]


def _arg_prefix(arg: cst.Arg) -> str:
    if arg.keyword is not None:
        return arg.keyword.value + "="
    return arg.star if isinstance(arg.star, str) else ""


def _star(element: cst.BaseElement) -> str:
    return "*" if isinstance(element, cst.StarredElement) else ""


def _operators(expr: cst.BaseExpression) -> int:
    """How many lowest-priority operators `expr` has at its top level (0: it is not an operation)."""
    if expr.lpar:
        return 0
    if isinstance(expr, cst.BooleanOperation):
        return len(_chain(expr)) - 1
    if isinstance(expr, cst.IfExp):
        return 1
    if isinstance(expr, cst.Comparison):
        return len(expr.comparisons)
    return 0


_REDUNDANT = (cst.BooleanOperation, cst.IfExp, cst.Comparison, cst.Call, cst.Name, cst.Attribute)


def _split_value(lines: _Lines, prefix: str, expr: cst.BaseExpression, tail: str) -> list[str]:
    """The right-hand side of a statement (or a compound statement's test) that doesn't fit, as
    ruff splits it: a parenthesized value inside its parentheses; an operation with one operator
    whose first operand is parenthesized at that operand's parentheses; any other operation in
    added parentheses, one operand a line; a call, list or dict at its own brackets."""
    if len(expr.lpar) == 1 and isinstance(expr.with_changes(lpar=[], rpar=[]), _REDUNDANT):
        bare = prefix + _bare(expr) + tail
        if lines.fits(bare):
            return [bare]  # ruff drops parentheses that aren't needed
    if isinstance(expr, cst.NamedExpr) and not expr.lpar:  # `if found := [...]:`
        value = expr.value
        if isinstance(value, (cst.Call, cst.Dict, cst.List, cst.ListComp, cst.SetComp)) and not value.lpar:
            return lines.brackets("", f"{prefix}{_flat_code(expr.target)} := ", value, tail)
        raise _Bail
    operators = _operators(expr)
    if operators == 0:
        if isinstance(expr, (cst.Call, cst.Dict, cst.List, cst.ListComp, cst.SetComp)) or expr.lpar:
            return lines.brackets("", prefix, expr, tail)
        raise _Bail
    if operators == 1 and isinstance(expr, cst.BooleanOperation) and expr.left.lpar:
        first = lines.brackets("", prefix, expr.left, "")
        operator = "and" if isinstance(expr.operator, cst.And) else "or"
        first[-1] += f" {operator} {_flat_code(expr.right)}{tail}"
        return first
    if isinstance(expr, cst.BooleanOperation):
        last = _chain(expr)[-1][1]
    elif isinstance(expr, cst.Comparison):
        last = expr.comparisons[-1].comparator
    else:
        last = expr.orelse  # type: ignore[attr-defined]
    if operators == 1 and not isinstance(expr, cst.IfExp):
        found = _last_brackets(last)
        code, last_code = _flat_code(expr), _flat_code(last)
        if found is not None and code.endswith(last_code):  # `a and not any(...)`: split at `any(`
            lead, bracketed = found
            split = lines.brackets("", prefix + code[: -len(last_code)] + lead, bracketed, tail)
            if all(lines.fits(line) for line in split):
                return split
        elif any(c in last_code for c in "([{"):
            raise _Bail  # ruff may split that operand's brackets instead of adding parentheses
    elif operators == 1 and any(c in _flat_code(last) for c in "([{"):
        raise _Bail
    return [prefix + "(", *lines.content(lines.unit, "", expr, ""), ")" + tail]


def _last_brackets(operand: cst.BaseExpression) -> tuple[str, cst.BaseExpression] | None:
    """`("not ", any(...))` for an operand ending in brackets with something inside, else None."""
    lead = ""
    while isinstance(operand, cst.UnaryOperation) and not operand.lpar:
        lead += _flat_code(operand.operator)
        operand = operand.expression
    if len(operand.lpar) == 1 or isinstance(operand, (cst.ListComp, cst.SetComp)):
        return lead, operand
    if isinstance(operand, cst.Call) and operand.args and not operand.lpar:
        return lead, operand
    if isinstance(operand, (cst.List, cst.Dict)) and operand.elements and not operand.lpar:
        return lead, operand
    return None


def _tight(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`expr` with the line breaks inside its parentheses dropped, when what they hold is on one
    line (`if (\n    a and b\n):` split earlier, its test since grown longer): split again."""
    if len(expr.lpar) != 1 or "#" in _CODE.code_for_node(expr):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _same(old: str, new: str) -> bool:
    try:
        return ast.dump(ast.parse(old)) == ast.dump(ast.parse(new))
    except SyntaxError:
        return False


def _statement_head(small: cst.BaseSmallStatement) -> tuple[str, cst.BaseExpression]:
    if isinstance(small, cst.Assign):
        return "".join(_flat_code(t.target) + " = " for t in small.targets), small.value
    if isinstance(small, cst.AugAssign):
        return f"{_flat_code(small.target)} {_flat_code(small.operator).strip()} ", small.value
    if isinstance(small, cst.Return) and small.value is not None:
        return "return ", small.value
    if isinstance(small, cst.Expr):
        return "", small.value
    raise _Bail


def reflow(statement: cst.SimpleStatementLine, indent: int, line_length: int, unit: str) -> cst.SimpleStatementLine:
    """`statement`, one line too long, split as ruff format would split it; as it is when its
    shape isn't one handled here or the split doesn't fit either."""
    if len(statement.body) != 1 or unit.strip(" ") != "" or statement.trailing_whitespace.comment is not None:
        return statement
    try:
        prefix, value = _statement_head(statement.body[0])
        code = _CODE.code_for_node(statement.body[0])
        lines = _split_value(_Lines(indent, line_length, unit), prefix, _tight(value), "")
    except _Bail:
        return statement
    new = "\n".join(lines) + "\n"
    if not _same(code, new) or not all(indent + width(line) <= line_length for line in lines):
        return statement
    parsed = cst.parse_statement(new)
    assert isinstance(parsed, cst.SimpleStatementLine)
    return parsed.with_changes(leading_lines=statement.leading_lines)


def header_fits(keyword: str, test: cst.BaseExpression, indent: int, line_length: int) -> bool:
    """The compound statement's header `keyword test:` fits (every line of it)."""
    code = keyword + _CODE.code_for_node(test) + ":"
    return all(indent + width(line.rstrip("\r")) <= line_length for line in code.split("\n"))


def reflow_header(
    keyword: str, test: cst.BaseExpression, indent: int, line_length: int, unit: str
) -> cst.BaseExpression | None:
    """The test of a compound statement `keyword test:` (keyword with its trailing space, e.g.
    `elif ` or `for x in `) split as ruff would split it, or None when it isn't handled."""
    if unit.strip(" ") != "":
        return None
    try:
        code = _CODE.code_for_node(test)
        lines = _split_value(_Lines(indent, line_length, unit), keyword, _tight(test), ":")
    except _Bail:
        return None
    if not all(indent + width(line) <= line_length for line in lines):
        return None
    new = "\n".join(lines)[len(keyword) : -1]
    alone = keyword.removeprefix("el").removeprefix("async ")  # a header that parses on its own
    if not _same(f"{alone}{code}:\n    pass\n", f"{alone}{new}:\n    pass\n"):
        return None
    header = cst.parse_statement(f"{alone}{new}:\n    pass\n")
    assert isinstance(header, (cst.If, cst.While, cst.For))
    return header.iter if isinstance(header, cst.For) else header.test


def _header(node: cst.CSTNode, is_elif: bool) -> tuple[str, cst.BaseExpression] | None:
    """`(keyword, test)` of an `if`/`elif`/`while`/`for` header written `keyword test:`."""
    body = getattr(node, "body", None)
    if not isinstance(body, cst.IndentedBlock) or body.header.comment is not None:
        return None
    spaces: tuple[cst.BaseParenthesizableWhitespace, ...]
    if isinstance(node, cst.If):
        keyword = "elif " if is_elif else "if "
        test, spaces, after = node.test, (node.whitespace_before_test,), node.whitespace_after_test
    elif isinstance(node, cst.While):
        keyword = "while "
        test, spaces, after = node.test, (node.whitespace_after_while,), node.whitespace_before_colon
    elif isinstance(node, cst.For):
        try:
            target = _flat_code(node.target)
        except _Bail:
            return None
        keyword = ("async for " if node.asynchronous is not None else "for ") + target + " in "
        test, spaces = node.iter, (node.whitespace_after_for, node.whitespace_before_in, node.whitespace_after_in)
        after = node.whitespace_before_colon
    else:
        return None
    if not all(isinstance(s, cst.SimpleWhitespace) and s.value == " " for s in spaces):
        return None
    if not isinstance(after, cst.SimpleWhitespace) or after.value:
        return None
    return keyword, test


def reflow_compound(
    original: cst.CSTNode, node: cst.CSTNode, is_elif: bool, indent: int, line_length: int, unit: str
) -> cst.CSTNode:
    """`node` (an `if`/`elif`/`while`/`for`) with its header split as ruff would split it, when
    the header fitted as written (`original`) and no longer does; else `node` as it is."""
    before, after = _header(original, is_elif), _header(node, is_elif)
    if before is None or after is None or not header_fits(*before, indent, line_length):
        return node
    if header_fits(*after, indent, line_length):
        return node
    new = reflow_header(*after, indent, line_length, unit)
    if new is None:
        return node
    field = "iter" if isinstance(node, cst.For) else "test"
    return node.with_changes(**{field: new})
