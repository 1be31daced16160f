"""One choice: `completion.choices` used as a list, where the call returns a single choice.

A call the tool migrates has no `n`, or `n=1` (any other `n` is reported, RSP201), so its
`choices` holds exactly one choice, which Responses has no list for: the response itself plays
that choice (results.toml maps `choices[0]` to it). So a use of the list is written as a person
would write it for one value, with `completion` in place of the choice's name:

* `for choice in completion.choices: <body>` becomes `<body>`, dedented;
* `[<elt> for choice in completion.choices]` becomes `[<elt>]`;
* `len(completion.choices)` becomes `1`; where it is compared with a number as the whole test of
  an `if` with no `else` that the one choice makes always true (`if len(completion.choices) > 0:`),
  the `if` goes and its body stays, dedented, as a person writes it for a response that always
  has its answer. Any other comparison (always false, with an `else`, in an `assert`) keeps
  `1` in place of the length, which reads the same.

Only where that keeps the meaning: a loop without `else`, `break` or `continue`, whose target is a
plain name bound nowhere else and read only inside the loop (and not in a function or lambda
defined there, which may run when the result's name holds another response), over the choices
of a plain name that nothing in the loop binds again. Anything else is reported (RSP313).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.nodes import Parents, qualified_names
from migrate.analysis.scopes import Assignment
from migrate.analysis.walk import children
from migrate.rewrite.edits import Edit


@dataclass
class OneChoice:
    """What a use of `completion.choices` becomes: its edits, and the name that takes the choice
    (to be followed as a choice), if any."""

    edits: list[Edit] = field(default_factory=list)
    target: cst.Name | None = None


def one_choice(
    node: cst.CSTNode, parent: cst.CSTNode | None, parents: Parents, scopes: Mapping
) -> OneChoice | str | None:
    """`node` is `completion.choices` (already rewritten to `completion` by its chain edit).
    None: not a use this module knows; a string: why this use can't be rewritten."""
    call = parents.get(parent) if isinstance(parent, cst.Arg) else None
    if isinstance(parent, cst.Arg) and call is not None and _len_call(call, parent, scopes):
        guard = _always_true_guard(call, parents)
        if guard is not None:
            return OneChoice([Edit(guard, _unrolled(guard))])
        return OneChoice([Edit(call, lambda updated: cst.Integer("1"))])
    base = node.value if isinstance(node, cst.Attribute) else None
    if isinstance(parent, cst.For) and parent.iter is node:
        if not isinstance(base, cst.Name):
            return None
        return _loop(parent, base, parents, scopes)
    if isinstance(parent, cst.CompFor) and parent.iter is node:
        comprehension = parents.get(parent)
        if not isinstance(base, cst.Name) or not isinstance(comprehension, cst.ListComp):
            return None
        return _comprehension(comprehension, parent, base, scopes, parents)
    return None


def _len_call(call: cst.CSTNode | None, arg: cst.Arg, scopes: Mapping) -> bool:
    """`len(arg)`, the builtin."""
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Name)
        and len(call.args) == 1
        and call.args[0] is arg
        and arg.keyword is None
        and not arg.star
    ):
        return False
    return qualified_names(scopes, call.func) == {"builtins.len"}


_COMPARE = {
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
}


def _always_true_guard(call: cst.CSTNode, parents: Parents) -> cst.If | None:
    """The `if` whose whole test is `len(completion.choices) <op> <int>`, true for one choice,
    with no `else` (nor written `elif`), and its body a block: the test can go."""
    comparison = parents.get(call)
    if not (
        isinstance(comparison, cst.Comparison)
        and comparison.left is call
        and len(comparison.comparisons) == 1
        and isinstance(comparison.comparisons[0].comparator, cst.Integer)
        and not comparison.lpar
    ):
        return None
    target = comparison.comparisons[0]
    compare = _COMPARE.get(type(target.operator))
    assert isinstance(target.comparator, cst.Integer)
    if compare is None or not compare(1, int(target.comparator.value, 0)):
        return None
    statement = parents.get(comparison)
    if not (isinstance(statement, cst.If) and statement.test is comparison and statement.orelse is None):
        return None
    above = parents.get(statement)
    if isinstance(above, cst.If) and above.orelse is statement:
        return None  # `elif`
    if not isinstance(statement.body, cst.IndentedBlock) or any(line.comment for line in statement.body.footer):
        return None
    return statement


def _unrolled(guard: cst.If):
    """The `if`'s body in its place, with the comments above it and on its line."""
    assert isinstance(guard.body, cst.IndentedBlock)
    header = guard.body.header.comment

    def unroll(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.If) and isinstance(updated.body, cst.IndentedBlock)
        return _flattened(updated.body, list(updated.leading_lines), header)

    return unroll


def _flattened(block: cst.IndentedBlock, moved: list[cst.EmptyLine], header: cst.Comment | None) -> cst.CSTNode:
    """A block's statements in place of the compound statement that held it; `moved` (the lines
    above that statement) and the comment on its header line go above the first one."""
    body = list(block.body)
    if header is not None:
        moved = [*moved, cst.EmptyLine(comment=header)]
    first = body[0] if body else None
    if moved and isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        body[0] = first.with_changes(leading_lines=[*moved, *first.leading_lines])
    return cst.FlattenSentinel(body)  # type: ignore[return-value]


def _loop(loop: cst.For, base: cst.Name, parents: Parents, scopes: Mapping) -> OneChoice | str:
    if loop.orelse is not None or loop.asynchronous is not None:
        return "the loop has an `else` clause" if loop.orelse is not None else "the loop is `async for`"
    if not isinstance(loop.target, cst.Name):
        return "the loop unpacks the choice"
    if not isinstance(loop.body, cst.IndentedBlock):
        return "the loop's body is on its header line"
    if _jumps(loop.body):
        return "the loop's body has `break` or `continue`"
    if any(line.comment is not None for line in loop.body.footer):
        return "the loop's body ends with comments"
    reads = _reads_of(loop.target, scopes, inside=loop.body, parents=parents)
    if isinstance(reads, str):
        return reads
    if _rebinds(loop.body, base, scopes):
        return f"the loop binds `{base.value}` again"
    edits = [_rename(read, base.value) for read in reads]
    header = loop.body.header.comment

    def unroll(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.For) and isinstance(updated.body, cst.IndentedBlock)
        return _flattened(updated.body, list(updated.leading_lines), header)

    edits.append(Edit(loop, unroll))
    return OneChoice(edits, loop.target)


def _comprehension(
    comprehension: cst.ListComp, loop: cst.CompFor, base: cst.Name, scopes: Mapping, parents: Parents
) -> OneChoice | str:
    if loop.ifs or loop.inner_for_in is not None or loop.asynchronous is not None:
        return "the comprehension filters or nests"
    if not isinstance(loop.target, cst.Name):
        return "the comprehension unpacks the choice"
    reads = _reads_of(loop.target, scopes, inside=comprehension.elt, parents=parents)
    if isinstance(reads, str):
        return reads
    if _rebinds(comprehension.elt, base, scopes):
        return f"the comprehension binds `{base.value}` again"
    edits = [_rename(read, base.value) for read in reads]

    def single(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.ListComp)
        return cst.List(
            elements=[cst.Element(updated.elt)],
            lbracket=updated.lbracket,
            rbracket=updated.rbracket,
            lpar=updated.lpar,
            rpar=updated.rpar,
        )

    edits.append(Edit(comprehension, single))
    return OneChoice(edits, loop.target)


def _jumps(node: cst.CSTNode) -> bool:
    """A `break` or `continue` of the loop whose body `node` is (nested loops and functions have their own)."""
    for child in children(node, formatting=False):
        if isinstance(child, (cst.Break, cst.Continue)):
            return True
        if isinstance(child, (cst.For, cst.While)):
            if child.orelse is not None and _jumps(child.orelse):
                return True
            continue
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if _jumps(child):
            return True
    return False


def _reads_of(target: cst.Name, scopes: Mapping, inside: cst.CSTNode, parents: Parents) -> list[cst.Name] | str:
    """The reads of the loop variable, all inside the loop; a reason when it is bound elsewhere
    or read outside."""
    scope = scopes.get(target)
    assignments = [a for a in scope.assignments[target.value]] if scope is not None else []
    if len(assignments) != 1 or not isinstance(assignments[0], Assignment) or assignments[0].node is not target:
        return f"`{target.value}` is bound elsewhere too"
    within = set(_names(inside))
    reads = []
    for access in assignments[0].references:
        if not isinstance(access.node, cst.Name) or access.node not in within or len(access.referents) != 1:
            return f"`{target.value}` is read after the loop"
        if isinstance(parents.get(access.node), cst.Del):
            return f"`{target.value}` is deleted"
        if _deferred(access.node, inside, parents):
            # Read later, it would see whatever the result's name holds then, not this choice.
            return f"`{target.value}` is read in a function or lambda defined in the loop"
        reads.append(access.node)
    return reads


def _deferred(node: cst.CSTNode, inside: cst.CSTNode, parents: Parents) -> bool:
    """Is `node` in code defined inside `inside` that may run later (a function, a lambda, a
    generator expression, a class body)?"""
    current = parents.get(node)
    while current is not None and current is not inside:
        if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.GeneratorExp, cst.ClassDef)):
            return True
        current = parents.get(current)
    return False


def _rebinds(node: cst.CSTNode, base: cst.Name, scopes: Mapping) -> bool:
    """Does any name `base` spells inside `node` mean something else than `base` does there?"""
    referents = _referents(base, scopes)
    if referents is None:
        return True
    for name in _names(node):
        if name.value != base.value:
            continue
        found = _referents(name, scopes)
        if found is None or found != referents:
            return True
    return False


def _referents(name: cst.Name, scopes: Mapping) -> frozenset | None:
    scope = scopes.get(name)
    if scope is None:
        return None
    accesses = [a for a in scope.accesses[name] if a.node is name]
    if len(accesses) != 1:
        return None  # a binding, not a read
    return frozenset(accesses[0].referents)


def _names(node: cst.CSTNode):
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)  # `.attr` names no variable
        elif isinstance(current, cst.Arg):
            stack.append(current.value)  # nor does a keyword
        else:
            stack.extend(children(current, formatting=False))


def _rename(read: cst.Name, to: str) -> Edit:
    return Edit(read, lambda updated: updated.with_changes(value=to))
