"""A name that would become an alias of the result: `message = completion.choices[0].message`.

Responses reads the model's message as the response itself, so the assignment would become
`message = completion`, a line no one would write. Where `message` is provably the same object
as `completion` wherever it is read, the line goes and `message` is read as `completion`: every
binding of `message` is that assignment, written right after a binding of `completion` (the
statement just before it in the same block), and every binding of `completion` is followed by
one; both names live in one scope, and `message` is read only there (not in a nested function
or class). Then nothing can run between a new value of `completion` and `message` taking it.
The line must carry no comment and no blank line before it, which would go with it. Anything
else keeps the assignment (`message = completion`), which is still right.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import libcst as cst

from migrate.analysis.nodes import Parents, code_of
from migrate.analysis.scopes import Assignment
from migrate.rewrite.edits import Edit


def alias_edits(value: cst.CSTNode, base: cst.Name, parents: Parents, scopes: Mapping) -> list[Edit] | None:
    """The edits that drop `alias = value` (value: a chain on `base` that Responses reads as
    `base` itself) and read `base` for `alias`; None when that can't be proven right."""
    alias = _assigned(value, parents)
    if alias is None:
        return None
    scope = scopes.get(alias)
    base_scope = _scope_of(base, scopes)
    if scope is None or base_scope is not scope:
        return None
    shape = code_of(value).strip()
    aliases = list(scope.assignments[alias.value])
    bases = list(scope.assignments[base.value])
    if not aliases or not bases or not all(isinstance(a, Assignment) for a in (*aliases, *bases)):
        return None
    statements = []
    for assignment in aliases:
        statement = _statement(assignment.node, parents)
        if statement is None or code_of(_value(statement)).strip() != shape:
            return None
        before = _previous(statement, parents)
        if before is None or _target_of(before) not in {b.node for b in bases}:
            return None
        statements.append(statement)
    for assignment in bases:
        statement = _line(assignment.node, parents)
        after = _next(statement, parents) if statement is not None else None
        if after is None or after not in statements:
            return None
    if any(isinstance(parents.get(access.node), cst.Del) for b in bases for access in b.references):
        return None
    reads = []
    for assignment in aliases:
        for access in assignment.references:
            node = access.node
            if not isinstance(node, cst.Name) or scopes.get(node) is not scope:
                return None
            if any(r not in aliases for r in access.referents) or isinstance(parents.get(node), cst.Del):
                return None
            reads.append(node)
    name = base.value
    edits = [Edit(statement, _remove) for statement in statements]
    edits.extend(Edit(read, partial(_renamed, name=name)) for read in reads)
    return edits


def _renamed(updated: cst.CSTNode, name: str) -> cst.CSTNode:
    assert isinstance(updated, cst.Name)
    return updated.with_changes(value=name)


def _remove(updated: cst.CSTNode) -> cst.CSTNode:
    return cst.RemovalSentinel.REMOVE  # type: ignore[return-value]


def _scope_of(name: cst.Name, scopes: Mapping):
    """The scope that binds what `name` (a read) refers to, if it refers to one thing there."""
    scope = scopes.get(name)
    accesses = [a for a in scope.accesses[name] if a.node is name] if scope is not None else []
    if len(accesses) != 1 or not accesses[0].referents:
        return None
    found = {referent.scope for referent in accesses[0].referents}
    return found.pop() if len(found) == 1 else None


def _assigned(value: cst.CSTNode, parents: Parents) -> cst.Name | None:
    """`alias` in a statement line that is only `alias = value`."""
    assign = parents.get(value)
    if not isinstance(assign, cst.Assign) or assign.value is not value or len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    return target if isinstance(target, cst.Name) and _statement(target, parents) is not None else None


def _line(target: cst.CSTNode, parents: Parents) -> cst.SimpleStatementLine | None:
    """The line of `target = ...` when it is the line's only statement."""
    holder = parents.get(target)
    assign = parents.get(holder) if isinstance(holder, cst.AssignTarget) else None
    line = parents.get(assign) if isinstance(assign, cst.Assign) and len(assign.targets) == 1 else None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    return line


def _statement(target: cst.CSTNode, parents: Parents) -> cst.SimpleStatementLine | None:
    """The line of `target = ...`, to be dropped: its only statement, without comments or blank
    lines before it."""
    line = _line(target, parents)
    if line is None or line.leading_lines or line.trailing_whitespace.comment is not None:
        return None
    return line


def _value(line: cst.SimpleStatementLine) -> cst.BaseExpression:
    statement = line.body[0]
    assert isinstance(statement, cst.Assign)
    return statement.value


def _target_of(line: cst.CSTNode) -> cst.CSTNode | None:
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        statement = line.body[0]
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return statement.targets[0].target
    return None


def _siblings(line: cst.CSTNode, parents: Parents) -> tuple[list, int] | None:
    block = parents.get(line)
    body = list(getattr(block, "body", ()))
    index = next((i for i, s in enumerate(body) if s is line), None)
    return (body, index) if index is not None else None


def _previous(line: cst.CSTNode, parents: Parents) -> cst.CSTNode | None:
    found = _siblings(line, parents)
    if found is None or found[1] == 0:
        return None
    return found[0][found[1] - 1]


def _next(line: cst.CSTNode, parents: Parents) -> cst.CSTNode | None:
    found = _siblings(line, parents)
    if found is None or found[1] + 1 >= len(found[0]):
        return None
    return found[0][found[1] + 1]
