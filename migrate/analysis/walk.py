"""Read-only walks of a LibCST tree, without LibCST's node copies and without touching LibCST.

This module owns how the analysis gets from a node to its children. `node.visit(visitor)`
rebuilds (and validates) every node it passes, even for a visitor that can change nothing;
`walk(node, visitor)` makes the same `on_visit`/`on_leave` calls in the same order and rebuilds
nothing. It reads each node type's child fields from a table (`_TABLE`, made by
scripts/gen_walk_table.py from LibCST's source and checked against LibCST by tests/test_walk.py),
in the order LibCST visits them, which is the order of `node.children`; a type the table lacks
(a newer LibCST's) is walked through the public `node.children`, correct but slower. With
`formatting=False` the formatting nodes (whitespace, comments and the punctuation LibCST keeps
as nodes: `FORMATTING`, about half a tree), which never hold any other kind of node, are left
out. Only public LibCST API is used at run time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst
from libcst import CSTNode, CSTVisitor

# Nodes that hold only whitespace, comments and punctuation (and so no other kind of node).
FORMATTING: frozenset[type[CSTNode]] = frozenset(
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

# Per node type name, its child fields in visit order. A field holds one node (or None, or
# MaybeSentinel) unless marked `*` (a sequence of nodes) or `?` (a sequence, a node or None);
# `~` marks fields that hold only formatting nodes.
# table:start
_TABLE: dict[str, str] = {
    "Add": "~whitespace_before ~whitespace_after",
    "AddAssign": "~whitespace_before ~whitespace_after",
    "And": "~whitespace_before ~whitespace_after",
    "AnnAssign": "target annotation ~equal value ~semicolon",
    "Annotation": "~whitespace_before_indicator ~whitespace_after_indicator annotation",
    "Arg": "~whitespace_after_star keyword ~equal value ~comma ~whitespace_after_arg",
    "AsName": "~whitespace_before_as name ~whitespace_after_as",
    "Assert": "~whitespace_after_assert test ~comma msg ~semicolon",
    "Assign": "targets* value ~semicolon",
    "AssignEqual": "~whitespace_before ~whitespace_after",
    "AssignTarget": "target ~whitespace_before_equal ~whitespace_after_equal",
    "Asynchronous": "~whitespace_after",
    "Attribute": "~lpar* value ~dot attr ~rpar*",
    "AugAssign": "target operator value ~semicolon",
    "Await": "~lpar* ~whitespace_after_await expression ~rpar*",
    "BinaryOperation": "~lpar* left operator right ~rpar*",
    "BitAnd": "~whitespace_before ~whitespace_after",
    "BitAndAssign": "~whitespace_before ~whitespace_after",
    "BitInvert": "~whitespace_after",
    "BitOr": "~whitespace_before ~whitespace_after",
    "BitOrAssign": "~whitespace_before ~whitespace_after",
    "BitXor": "~whitespace_before ~whitespace_after",
    "BitXorAssign": "~whitespace_before ~whitespace_after",
    "BooleanOperation": "~lpar* left operator right ~rpar*",
    "Break": "~semicolon",
    "Call": "~lpar* func ~whitespace_after_func ~whitespace_before_args args* ~rpar*",
    "ClassDef": "~leading_lines* decorators* ~lines_after_decorators* ~whitespace_after_class name ~whitespace_after_name type_parameters ~whitespace_after_type_parameters ~lpar bases* keywords* ~rpar ~whitespace_before_colon body",
    "Colon": "~whitespace_before ~whitespace_after",
    "Comma": "~whitespace_before ~whitespace_after",
    "Comment": "",
    "CompFor": "~whitespace_before asynchronous ~whitespace_after_for target ~whitespace_before_in ~whitespace_after_in iter ifs* inner_for_in",
    "CompIf": "~whitespace_before ~whitespace_before_test test",
    "Comparison": "~lpar* left comparisons* ~rpar*",
    "ComparisonTarget": "operator comparator",
    "ConcatenatedString": "~lpar* left ~whitespace_between right ~rpar*",
    "Continue": "~semicolon",
    "Decorator": "~leading_lines* ~whitespace_after_at decorator ~trailing_whitespace",
    "Del": "target ~whitespace_after_del ~semicolon",
    "Dict": "~lpar* ~lbrace elements* ~rbrace ~rpar*",
    "DictComp": "~lpar* ~lbrace key ~whitespace_before_colon ~whitespace_after_colon value for_in ~rbrace ~rpar*",
    "DictElement": "key ~whitespace_before_colon ~whitespace_after_colon value ~comma",
    "Divide": "~whitespace_before ~whitespace_after",
    "DivideAssign": "~whitespace_before ~whitespace_after",
    "Dot": "~whitespace_before ~whitespace_after",
    "Element": "value ~comma",
    "Ellipsis": "~lpar* ~rpar*",
    "Else": "~leading_lines* ~whitespace_before_colon body",
    "EmptyLine": "~whitespace ~comment ~newline",
    "Equal": "~whitespace_before ~whitespace_after",
    "ExceptHandler": "~leading_lines* ~whitespace_after_except type name ~whitespace_before_colon body",
    "ExceptStarHandler": "~leading_lines* ~whitespace_after_except ~whitespace_after_star type name ~whitespace_before_colon body",
    "Expr": "value ~semicolon",
    "Finally": "~leading_lines* ~whitespace_before_colon body",
    "Float": "~lpar* ~rpar*",
    "FloorDivide": "~whitespace_before ~whitespace_after",
    "FloorDivideAssign": "~whitespace_before ~whitespace_after",
    "For": "~leading_lines* asynchronous ~whitespace_after_for target ~whitespace_before_in ~whitespace_after_in iter ~whitespace_before_colon body orelse",
    "FormattedString": "~lpar* parts* ~rpar*",
    "FormattedStringExpression": "~whitespace_before_expression expression ~equal ~whitespace_after_expression format_spec?",
    "FormattedStringText": "",
    "From": "~whitespace_before_from ~whitespace_after_from item",
    "FunctionDef": "~leading_lines* decorators* ~lines_after_decorators* asynchronous ~whitespace_after_def name ~whitespace_after_name type_parameters ~whitespace_after_type_parameters ~whitespace_before_params params returns ~whitespace_before_colon body",
    "GeneratorExp": "~lpar* elt for_in ~rpar*",
    "Global": "~whitespace_after_global names* ~semicolon",
    "GreaterThan": "~whitespace_before ~whitespace_after",
    "GreaterThanEqual": "~whitespace_before ~whitespace_after",
    "If": "~leading_lines* ~whitespace_before_test test ~whitespace_after_test body orelse",
    "IfExp": "~lpar* body ~whitespace_before_if ~whitespace_after_if test ~whitespace_before_else ~whitespace_after_else orelse ~rpar*",
    "Imaginary": "~lpar* ~rpar*",
    "Import": "~whitespace_after_import names* ~semicolon",
    "ImportAlias": "name asname ~comma",
    "ImportFrom": "~whitespace_after_from ~relative* module ~whitespace_before_import ~whitespace_after_import ~lpar names? ~rpar ~semicolon",
    "ImportStar": "",
    "In": "~whitespace_before ~whitespace_after",
    "IndentedBlock": "~header body* ~footer*",
    "Index": "~whitespace_after_star value",
    "Integer": "~lpar* ~rpar*",
    "Is": "~whitespace_before ~whitespace_after",
    "IsNot": "~whitespace_before ~whitespace_between ~whitespace_after",
    "Lambda": "~lpar* ~whitespace_after_lambda params ~colon body ~rpar*",
    "LazyImport": "~whitespace_after_lazy ~whitespace_after_import names* ~semicolon",
    "LazyImportFrom": "~whitespace_after_lazy ~whitespace_after_from ~relative* module ~whitespace_before_import ~whitespace_after_import ~lpar names? ~rpar ~semicolon",
    "LeftCurlyBrace": "~whitespace_after",
    "LeftParen": "~whitespace_after",
    "LeftShift": "~whitespace_before ~whitespace_after",
    "LeftShiftAssign": "~whitespace_before ~whitespace_after",
    "LeftSquareBracket": "~whitespace_after",
    "LessThan": "~whitespace_before ~whitespace_after",
    "LessThanEqual": "~whitespace_before ~whitespace_after",
    "List": "~lpar* ~lbracket elements* ~rbracket ~rpar*",
    "ListComp": "~lpar* ~lbracket elt for_in ~rbracket ~rpar*",
    "Match": "~leading_lines* ~whitespace_after_match subject ~whitespace_before_colon ~whitespace_after_colon cases* ~footer*",
    "MatchAs": "~lpar* pattern ~whitespace_before_as ~whitespace_after_as name ~rpar*",
    "MatchCase": "~leading_lines* ~whitespace_after_case pattern ~whitespace_before_if ~whitespace_after_if guard ~whitespace_before_colon body",
    "MatchClass": "~lpar* cls ~whitespace_after_cls ~whitespace_before_patterns patterns* kwds* ~whitespace_after_kwds ~rpar*",
    "MatchKeywordElement": "key ~whitespace_before_equal ~whitespace_after_equal pattern ~comma",
    "MatchList": "~lpar* ~lbracket patterns* ~rbracket ~rpar*",
    "MatchMapping": "~lpar* ~lbrace elements* ~whitespace_before_rest rest ~trailing_comma ~rbrace ~rpar*",
    "MatchMappingElement": "key ~whitespace_before_colon ~whitespace_after_colon pattern ~comma",
    "MatchOr": "~lpar* patterns* ~rpar*",
    "MatchOrElement": "pattern separator",
    "MatchSequenceElement": "value ~comma",
    "MatchSingleton": "value",
    "MatchStar": "~whitespace_before_name name ~comma",
    "MatchTuple": "~lpar* patterns* ~rpar*",
    "MatchValue": "value",
    "MatrixMultiply": "~whitespace_before ~whitespace_after",
    "MatrixMultiplyAssign": "~whitespace_before ~whitespace_after",
    "Minus": "~whitespace_after",
    "Module": "~header* body* ~footer*",
    "Modulo": "~whitespace_before ~whitespace_after",
    "ModuloAssign": "~whitespace_before ~whitespace_after",
    "Multiply": "~whitespace_before ~whitespace_after",
    "MultiplyAssign": "~whitespace_before ~whitespace_after",
    "Name": "~lpar* ~rpar*",
    "NameItem": "name ~comma",
    "NamedExpr": "~lpar* target ~whitespace_before_walrus ~whitespace_after_walrus value ~rpar*",
    "Newline": "",
    "Nonlocal": "~whitespace_after_nonlocal names* ~semicolon",
    "Not": "~whitespace_after",
    "NotEqual": "~whitespace_before ~whitespace_after",
    "NotIn": "~whitespace_before ~whitespace_between ~whitespace_after",
    "Or": "~whitespace_before ~whitespace_after",
    "Param": "~whitespace_after_star name annotation ~equal default ~comma ~whitespace_after_param",
    "ParamSlash": "~comma ~whitespace_after",
    "ParamSpec": "name ~whitespace_after_star",
    "ParamStar": "~comma",
    "Parameters": "posonly_params* posonly_ind params* star_arg kwonly_params* star_kwarg",
    "ParenthesizedWhitespace": "~first_line ~empty_lines* ~last_line",
    "Pass": "~semicolon",
    "Plus": "~whitespace_after",
    "Power": "~whitespace_before ~whitespace_after",
    "PowerAssign": "~whitespace_before ~whitespace_after",
    "Raise": "~whitespace_after_raise exc cause ~semicolon",
    "Return": "~whitespace_after_return value ~semicolon",
    "RightCurlyBrace": "~whitespace_before",
    "RightParen": "~whitespace_before",
    "RightShift": "~whitespace_before ~whitespace_after",
    "RightShiftAssign": "~whitespace_before ~whitespace_after",
    "RightSquareBracket": "~whitespace_before",
    "Semicolon": "~whitespace_before ~whitespace_after",
    "Set": "~lpar* ~lbrace elements* ~rbrace ~rpar*",
    "SetComp": "~lpar* ~lbrace elt for_in ~rbrace ~rpar*",
    "SimpleStatementLine": "~leading_lines* body* ~trailing_whitespace",
    "SimpleStatementSuite": "~leading_whitespace body* ~trailing_whitespace",
    "SimpleString": "~lpar* ~rpar*",
    "SimpleWhitespace": "",
    "Slice": "lower ~first_colon upper ~second_colon step",
    "StarredDictComp": "~lpar* ~lbrace ~whitespace_before_value value for_in ~rbrace ~rpar*",
    "StarredDictElement": "~whitespace_before_value value ~comma",
    "StarredElement": "~lpar* ~whitespace_before_value value ~rpar* ~comma",
    "Subscript": "~lpar* value ~whitespace_after_value ~lbracket slice* ~rbracket ~rpar*",
    "SubscriptElement": "slice ~comma",
    "Subtract": "~whitespace_before ~whitespace_after",
    "SubtractAssign": "~whitespace_before ~whitespace_after",
    "TemplatedString": "~lpar* parts* ~rpar*",
    "TemplatedStringExpression": "~whitespace_before_expression expression ~equal ~whitespace_after_expression format_spec?",
    "TemplatedStringText": "",
    "TrailingWhitespace": "~whitespace ~comment ~newline",
    "Try": "~leading_lines* ~whitespace_before_colon body handlers* orelse finalbody",
    "TryStar": "~leading_lines* ~whitespace_before_colon body handlers* orelse finalbody",
    "Tuple": "~lpar* elements* ~rpar*",
    "TypeAlias": "~whitespace_after_type name ~whitespace_after_name type_parameters ~whitespace_after_type_parameters ~whitespace_after_equals value ~semicolon",
    "TypeParam": "param ~equal ~whitespace_after_star default ~comma",
    "TypeParameters": "~lbracket params* ~rbracket",
    "TypeVar": "name ~colon bound",
    "TypeVarTuple": "name ~whitespace_after_star",
    "UnaryOperation": "~lpar* operator expression ~rpar*",
    "While": "~leading_lines* ~whitespace_after_while test ~whitespace_before_colon body orelse",
    "With": "~leading_lines* asynchronous ~whitespace_after_with ~lpar items* ~rpar ~whitespace_before_colon body",
    "WithItem": "item asname ~comma",
    "Yield": "~lpar* ~whitespace_after_yield value ~rpar*",
}
# table:end

ONE, MANY, EITHER = 0, 1, 2
Fields = tuple[tuple[str, int], ...]


def _fields(spec: str, formatting: bool) -> Fields:
    out = []
    for word in spec.split():
        if word.startswith("~") and not formatting:
            continue
        name = word.strip("~*?")
        out.append((name, MANY if word.endswith("*") else EITHER if word.endswith("?") else ONE))
    return tuple(out)


def _load() -> tuple[dict[type[CSTNode], Fields], dict[type[CSTNode], Fields]]:
    """The table by node type, with and without formatting fields; an entry whose type or
    fields this LibCST doesn't have is left out (its nodes are walked through `children`)."""
    every: dict[type[CSTNode], Fields] = {}
    content: dict[type[CSTNode], Fields] = {}
    for name, spec in _TABLE.items():
        node_type = getattr(cst, name, None)
        if not (isinstance(node_type, type) and issubclass(node_type, CSTNode)):
            continue
        known = {f.name for f in dataclasses.fields(node_type)}
        if all(word.strip("~*?") in known for word in spec.split()):
            every[node_type] = _fields(spec, formatting=True)
            content[node_type] = _fields(spec, formatting=False)
    return every, content


ALL_FIELDS, CONTENT_FIELDS = _load()
_NOTHING: frozenset[type[CSTNode]] = frozenset()


def children(node: CSTNode, *, formatting: bool = True) -> Iterator[CSTNode]:
    """`node.children` in order, without formatting nodes if `formatting` is False."""
    fields = (ALL_FIELDS if formatting else CONTENT_FIELDS).get(type(node))
    if fields is None:
        skip = _NOTHING if formatting else FORMATTING
        yield from (child for child in node.children if type(child) not in skip)
        return
    for name, kind in fields:
        value = getattr(node, name)
        if kind == MANY:
            yield from value
        elif isinstance(value, CSTNode):
            yield value
        elif kind == EITHER and value is not None:
            yield from value


def descendants(node: CSTNode) -> Iterator[CSTNode]:
    """`node` and every node under it, in source order (through the table, no copies)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def walk(node: CSTNode, visitor: CSTVisitor, *, formatting: bool = True) -> None:
    """Make the `on_visit`/`on_leave` calls `node.visit(visitor)` makes, in the same order
    (`on_visit` returning False skips the node's children), without copying any node. The
    attribute callbacks (`on_visit_attribute`, `visit_<Type>_<field>`) are not made: nothing
    here uses them. `formatting=False`: formatting nodes are not visited."""
    if type(visitor).on_visit_attribute is not CSTVisitor.on_visit_attribute or (
        type(visitor).on_leave_attribute is not CSTVisitor.on_leave_attribute
    ):
        raise TypeError(f"{type(visitor).__name__} needs attribute callbacks, which walk() doesn't make")
    _walk(node, visitor, ALL_FIELDS if formatting else CONTENT_FIELDS, _NOTHING if formatting else FORMATTING)


def _walk(
    node: CSTNode, visitor: CSTVisitor, table: dict[type[CSTNode], Fields], skip: frozenset[type[CSTNode]]
) -> None:
    if visitor.on_visit(node):
        fields = table.get(type(node))
        if fields is None:
            for child in node.children:
                if type(child) not in skip:
                    _walk(child, visitor, table, skip)
        else:
            for name, kind in fields:
                value = getattr(node, name)
                if kind == MANY:
                    for child in value:
                        _walk(child, visitor, table, skip)
                elif isinstance(value, CSTNode):
                    _walk(value, visitor, table, skip)
                elif kind == EITHER and value is not None:
                    for child in value:
                        _walk(child, visitor, table, skip)
    visitor.on_leave(node)
