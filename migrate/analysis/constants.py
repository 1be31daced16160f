"""The string an argument given by name is proven to hold: `model=FT_MODEL`, `model=model` (a
parameter's default), `model=self.model`, `api_version=API_VERSION`.

A value is known only where the tool sees its one binding:

* a name bound once in its scope (no other assignment, `+=`, `global` rebinding, import, loop
  or `with` target) by `NAME = <value>` or `NAME: T = <value>`;
* a parameter, through its default: the value the call runs with whenever its caller passes
  none (a parameter without a default is not known);
* `self.<attr>` in a method, through the one value its class ever stores there (the caller
  decides, see `SelfAttributes.only_value` in migrate/rewrite/attributes.py);

and the value so bound is a string literal, or again one of these. Anything else is unknown
(None): callers then do what they do for a value they can't read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import libcst as cst

from migrate.analysis.nodes import string_value
from migrate.analysis.scopes import Assignment

_MAX_DEPTH = 8

# `self.<attr>` -> the one value stored there, or why not (a string), or None: not on `self`.
AttributeValue = Callable[[cst.Attribute], "cst.BaseExpression | str | None"]


@dataclass(frozen=True)
class KnownString:
    value: str
    # Reached through a parameter's default: the value unless the caller passes another.
    default: bool = False


def known_string(
    node: cst.BaseExpression,
    scopes: Mapping,
    parents: Mapping[cst.CSTNode, cst.CSTNode],
    attribute: AttributeValue | None = None,
) -> KnownString | None:
    """The string `node` is proven to hold, or None."""
    return _known(node, scopes, parents, attribute, 0, False)


def _known(
    node: cst.BaseExpression,
    scopes: Mapping,
    parents: Mapping[cst.CSTNode, cst.CSTNode],
    attribute: AttributeValue | None,
    depth: int,
    default: bool,
) -> KnownString | None:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = string_value(node)
        return KnownString(value, default) if value is not None else None
    if isinstance(node, cst.Name):
        assignment = _only_binding(node, scopes)
        if assignment is None:
            return None
        target = assignment.node
        if isinstance(target, cst.Param):
            if target.default is None:
                return None
            return _known(target.default, scopes, parents, attribute, depth + 1, True)
        bound = _assigned_value(target, parents)
        return _known(bound, scopes, parents, attribute, depth + 1, default) if bound is not None else None
    if isinstance(node, cst.Attribute) and attribute is not None:
        stored = attribute(node)
        if isinstance(stored, cst.BaseExpression):
            return _known(stored, scopes, parents, attribute, depth + 1, default)
    return None


def _only_binding(name: cst.Name, scopes: Mapping) -> Assignment | None:
    """The assignment `name` (an access) refers to, when it is the only one of its scope."""
    scope = scopes.get(name)
    if scope is None:
        return None
    accesses = [a for a in scope.accesses[name] if a.node is name]
    if len(accesses) != 1 or len(accesses[0].referents) != 1:
        return None
    (assignment,) = accesses[0].referents
    if not isinstance(assignment, Assignment) or len(assignment.scope.assignments[name.value]) != 1:
        return None
    return assignment


def _assigned_value(target: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.BaseExpression | None:
    """The value of `target = value` (a single target) or `target: T = value`."""
    parent = parents.get(target)
    if isinstance(parent, cst.AssignTarget) and parent.target is target:
        statement = parents.get(parent)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return statement.value
    if isinstance(parent, cst.AnnAssign) and parent.target is target:
        return parent.value
    return None
