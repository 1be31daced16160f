"""A result yielded by a generator function of the module: `yield response`.

The value is followed into the variable of every loop over the generator's calls
(`for response in answers(...)`), when the tool sees all of them: the generator is a plain
module-level function (undecorated, its name bound once and only ever called), every call of it
is the iterable of a `for` loop or comprehension whose target is a plain name, and every value it
yields is followed from a migrated call of the same kind (the planner checks that last part,
as for a function's parameter: migrate/engine/plan.py). Nothing is yielded with `yield from`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from migrate.analysis.nodes import Parents
from migrate.analysis.walk import children
from migrate.rewrite.helpers import Refused, calls_of


@dataclass
class Yielded:
    """The generator, the loop variables that take what it yields, and every value it yields."""

    function: cst.FunctionDef
    targets: list[cst.Name]
    values: list[cst.BaseExpression]


def yielded_by(
    node: cst.CSTNode, parent: cst.CSTNode | None, parents: Parents, scopes: Mapping
) -> Yielded | Refused | None:
    """What `yield node` gives its value to. None: not yielded by a function of the module the
    tool follows; Refused: why its readers can't be followed."""
    if not isinstance(parent, cst.Yield) or parent.value is not node:
        return None
    function = _enclosing_function(parent, parents)
    if function is None or not isinstance(parents.get(function), cst.Module):
        return None
    name = function.name.value
    shown = f"`{node.value}` is" if isinstance(node, cst.Name) else "is"
    calls = calls_of(function, parents, scopes)
    if not isinstance(calls, list):
        return Refused(f"{shown} yielded by `{name}()`, whose name is used other than called", calls)
    targets = []
    for call in calls:
        loop = parents.get(call)
        if not (isinstance(loop, (cst.For, cst.CompFor)) and loop.iter is call and isinstance(loop.target, cst.Name)):
            return Refused(f"{shown} yielded by `{name}()`, which is called other than looped over", call)
        targets.append(loop.target)
    values = []
    for found in _yields(function.body):
        if found.value is None or isinstance(found.value, cst.From):
            return Refused(f"{shown} yielded by `{name}()`, which also yields other values", found)
        values.append(found.value)
    if not calls:
        return Refused(f"{shown} yielded by `{name}()`, which the module never calls", parent)
    return Yielded(function, targets, values)


def _enclosing_function(node: cst.CSTNode, parents: Parents) -> cst.FunctionDef | None:
    current: cst.CSTNode | None = parents.get(node)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        current = parents.get(current)
    return current if isinstance(current, cst.FunctionDef) else None


def _yields(node: cst.CSTNode):
    """The `yield` expressions of a function's body (not of the functions defined in it)."""
    for child in children(node, formatting=False):
        if isinstance(child, cst.Yield):
            yield child
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        yield from _yields(child)
