"""A result (or a part of it: a message, a tool call) passed to a function of the module.

`execute_function_call(tool_call)`, where `execute_function_call` is a plain module-level
function of the same module: the value is followed into the function's parameter, whose reads
are rewritten like any other reader's. That holds only if the tool sees every call of the
function: its name is only ever called (never passed on, decorated or bound again), every call
passes the parameter by position or by name (no `*args`, `**kwargs`, no default taken), and every
value passed there is followed from a migrated call of the same kind (the planner checks that
last part, across the module's calls: migrate/engine/plan.py). A function another module of the
run imports (by name, under another name, or as an attribute of its module: `tools.f(value)`)
is followed only when that module is planned with this one and passes migrated values too
(migrate/engine/units.py `helper_links`; the follower's `_passed_across` on the
caller's side, plan.py `_plan_params` on the function's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from migrate.analysis.nodes import Parents, brief, in_tree_order, short_code
from migrate.analysis.scopes import Assignment


@dataclass
class Refused:
    """Why the parameter can't be followed (`how` the value is used, for RSP301) and where."""

    how: str
    at: cst.CSTNode


@dataclass
class Passed:
    """The function a value is passed to, the parameter that takes it, and the value every call
    of the function passes there."""

    function: cst.FunctionDef
    param: cst.Param
    values: list[cst.BaseExpression]


def passed_to_function(
    node: cst.CSTNode, parent: cst.CSTNode | None, parents: Parents, scopes: Mapping
) -> Passed | Refused | None:
    """What `f(..., node, ...)` passes `node` to. None: not an argument of a call of a function
    of this module; Refused: why its parameter can't be followed."""
    if not isinstance(parent, cst.Arg) or parent.value is not node or parent.star:
        return None
    call = parents.get(parent)
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name):
        return None
    function = _module_function(call.func, parents, scopes)
    if function is None:
        return None
    name = function.name.value
    shown = brief(node)
    param = _parameter(function, call, parent)
    if param is None:
        return Refused(f"`{shown}` is passed to `{name}()` where no plain parameter takes it", node)
    calls = calls_of(function, parents, scopes)
    if not isinstance(calls, list):
        return Refused(f"`{shown}` is passed to `{name}()`, whose name is used other than called", calls)
    values = []
    for other in calls:
        value = _value_for(function, param, other)
        if value is None:
            how = f"`{shown}` is passed to `{name}()`, which is also called as `{short_code(other)}`"
            return Refused(how, other)
        values.append(value)
    return Passed(function, param, values)


def _module_function(func: cst.Name, parents: Parents, scopes: Mapping) -> cst.FunctionDef | None:
    scope = scopes.get(func)
    accesses = [a for a in scope.accesses[func] if a.node is func] if scope is not None else []
    if len(accesses) != 1 or len(accesses[0].referents) != 1:
        return None
    (referent,) = accesses[0].referents
    node = getattr(referent, "node", None) if isinstance(referent, Assignment) else None
    if not isinstance(node, cst.FunctionDef) or not isinstance(parents.get(node), cst.Module):
        return None
    return node


def calls_of(function: cst.FunctionDef, parents: Parents, scopes: Mapping) -> list[cst.Call] | cst.CSTNode:
    """Every call of the function, or the first use of its name that is not a call (or the
    function itself, when it is decorated or its name is bound elsewhere too)."""
    if function.decorators:
        return function
    scope = scopes.get(function)
    bound = [a for a in scope.assignments[function.name.value]] if scope is not None else []
    if len(bound) != 1 or not isinstance(bound[0], Assignment) or bound[0].node is not function:
        return function
    calls = []
    for access in in_tree_order(bound[0].references, parents):
        call = parents.get(access.node)
        if not (isinstance(call, cst.Call) and call.func is access.node):
            return access.node
        calls.append(call)
    return calls


def _positional(function: cst.FunctionDef) -> list[cst.Param]:
    return [*function.params.posonly_params, *function.params.params]


def _parameter(function: cst.FunctionDef, call: cst.Call, arg: cst.Arg) -> cst.Param | None:
    if any(a.star for a in call.args):
        return None
    if arg.keyword is not None:
        for param in (*function.params.params, *function.params.kwonly_params):
            if param.name.value == arg.keyword.value:
                return param
        return None
    index = [a for a in call.args if a.keyword is None].index(arg)
    positional = _positional(function)
    return positional[index] if index < len(positional) else None


def _value_for(function: cst.FunctionDef, param: cst.Param, call: cst.Call) -> cst.BaseExpression | None:
    """The value `call` passes to `param`; None when that is not plain to see."""
    if any(a.star for a in call.args):
        return None
    positional = _positional(function)
    plain = [a for a in call.args if a.keyword is None]
    if param in positional and positional.index(param) < len(plain):
        return plain[positional.index(param)].value
    if param in function.params.posonly_params:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param.name.value:
            return arg.value
    return None
