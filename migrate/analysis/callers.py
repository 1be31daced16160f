"""Who may call a function, for a parameter without an OpenAI annotation (#15): the calls that
give the parameter its value, when the module shows every one of them.

`def ask(client, q): client.chat.completions.create(...)`: the parameter is a client of whatever
its callers pass. That is known only when every caller is in sight, so only for functions no
code outside the module can reach:

* a function nested in another (`def` inside a `def`), every reference to it a direct call in
  its enclosing function (not returned, stored, passed on or decorated);
* a private module-level function (`_ask`), every reference to it in the module a direct call,
  not spelled there as a string or an attribute (`__all__`, `getattr`), and named by no other
  module of the project (the resolver asks its project: migrate/analysis/definitions.py);
* a private method (`_ask(self, client)`), called only as `self._ask(...)` in its own class
  and named by no other module of the project.

A public function, a method, a pytest fixture may be called by code the tool never sees (a
library's users, pytest), so its parameter stays unresolved whoever calls it in the project.
`callers` finds the calls and the argument each gives the parameter (None: its default), or
why they can't all be known; the resolver then resolves every argument (call_sites.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from migrate.analysis.nodes import code_of, describe_use
from migrate.analysis.scopes import Assignment, ClassScope, FunctionScope, GlobalScope, Scope
from migrate.analysis.walk import descendants


@dataclass(frozen=True)
class Callers:
    """The calls of a function that give a parameter its value."""

    function: cst.FunctionDef
    shown: str  # "`_ask()`", for messages
    # Each call with the argument it passes the parameter; None: it leaves it to its default.
    calls: tuple[tuple[cst.Call, cst.BaseExpression | None], ...]
    # The name other modules of the project must not use (a module-level function or a method):
    # the resolver asks its project. None for a nested function.
    named: str | None


def callers(
    param: cst.Param, scopes: Mapping[cst.CSTNode, Scope | None], parents: Mapping[cst.CSTNode, cst.CSTNode]
) -> Callers | str:
    """The calls of the function whose parameter `param` is, each with what it passes there, or
    why the tool can't know them all (a message part: "`ask()` is public: ...")."""
    params = parents.get(param)
    function = parents.get(params) if params is not None else None
    if not isinstance(params, cst.Parameters) or not isinstance(function, cst.FunctionDef):
        return "it is a lambda's"
    name = function.name.value
    shown = f"`{name}()`"
    if param is params.star_arg or param is params.star_kwarg:
        return f"it is a `*` parameter of {shown}"
    scope = scopes.get(function.name)
    private = name.startswith("_") and not name.endswith("__")
    if isinstance(scope, ClassScope) and name.startswith("__") and name.endswith("__"):
        cls = scope.node
        owner = f"`{cls.name.value}`" if isinstance(cls, cst.ClassDef) else "its class"
        return f"{shown} is a special method of {owner}, whose calls the tool does not follow"
    if isinstance(scope, ClassScope) and not private:
        return f"{shown} is a public method: code outside the module may call it"
    if isinstance(scope, GlobalScope) and not private:
        return f"{shown} is public: code outside the module (its users, pytest) may call it"
    if function.decorators:
        return f"{shown} is decorated with `@{_short(function.decorators[0].decorator)}`"
    if isinstance(scope, ClassScope):
        return _method_calls(param, params, function, scope, parents)
    if not isinstance(scope, (GlobalScope, FunctionScope)):
        return f"{shown} is defined where the tool does not follow its calls"
    assignments = list(scope.assignments[name])
    if len(assignments) != 1 or not isinstance(assignments[0], Assignment) or assignments[0].node is not function:
        return f"`{name}` is bound more than once"
    calls: list[cst.Call] = []
    for access in sorted(assignments[0].references, key=lambda a: _position(parents, a.node)):
        call = parents.get(access.node)
        if not (isinstance(call, cst.Call) and call.func is access.node):
            return f"`{name}` is referenced without being called ({_use(access.node, parents)})"
        calls.append(call)
    if isinstance(scope, GlobalScope):
        spelled = _spelled(_module(function, parents), name, parents, attributes=True)
        if spelled is not None:
            return spelled
    return _given(param, params, function, shown, calls, name if isinstance(scope, GlobalScope) else None)


def _spelled(
    module: cst.CSTNode, name: str, parents: Mapping[cst.CSTNode, cst.CSTNode], *, attributes: bool
) -> str | None:
    """A use of `name` in the module that is no plain reference: a string spelling it
    (`getattr(mod, "_ask")`, `__all__`) or, with `attributes`, an attribute of that name
    (`sys.modules[__name__]._ask`)."""
    for node in descendants(module):
        if isinstance(node, cst.SimpleString) and _string(node) == name:
            return f'"{name}" is spelled in the module (`{_short(_statement(node, parents))}`)'
        if attributes and isinstance(node, cst.Attribute) and node.attr.value == name:
            return f"`.{name}` is read in the module (`{_short(_statement(node, parents))}`)"
    return None


def _statement(node: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.CSTNode:
    """The statement holding `node` (the line that shows it); for a compound one, its header."""
    while not isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
        parent = parents.get(node)
        if parent is None:
            return node
        node = parent
    return node


def _string(node: cst.SimpleString) -> str | None:
    try:
        value = node.evaluated_value
    except Exception:  # pragma: no cover - a string LibCST can't evaluate
        return None
    return value if isinstance(value, str) else None


def _method_calls(
    param: cst.Param,
    params: cst.Parameters,
    function: cst.FunctionDef,
    scope: ClassScope,
    parents: Mapping[cst.CSTNode, cst.CSTNode],
) -> Callers | str:
    """A private method: every `.<name>` in the module a call `self.<name>(...)` in its class."""
    name = function.name.value
    shown = f"`self.{name}()`"
    positional = [*params.posonly_params, *params.params]
    if not positional or positional[0] is param or positional[0].name.value != "self":
        return f"{shown} does not take `self` first"
    cls = scope.node
    assert isinstance(cls, cst.ClassDef)
    assignments = list(scope.assignments[name])
    if len(assignments) != 1 or any(assignment.references for assignment in assignments):
        return f"`{name}` is bound more than once in `{cls.name.value}`, or read there by name"
    module = _module(cls, parents)
    calls: list[cst.Call] = []
    for node in descendants(module):
        if not (isinstance(node, cst.Attribute) and node.attr.value == name):
            continue
        call = parents.get(node)
        if not (isinstance(call, cst.Call) and call.func is node and _is_self(node.value)):
            return f"`.{name}` is used other than as `self.{name}(...)` ({_use(node, parents)})"
        if _class_of(node, parents) is not cls:
            return f"`self.{name}(...)` is called outside `{cls.name.value}` ({_short(call)})"
        calls.append(call)
    spelled = _spelled(module, name, parents, attributes=False)
    if spelled is not None:
        return spelled
    return _given(param, params, function, shown, calls, name, offset=1)


def _given(
    param: cst.Param,
    params: cst.Parameters,
    function: cst.FunctionDef,
    shown: str,
    calls: list[cst.Call],
    named: str | None,
    offset: int = 0,
) -> Callers | str:
    """What each call passes `param` (by position or keyword; None: its default)."""
    if not calls:
        return f"{shown} is never called in this module"
    positional = [*params.posonly_params, *params.params][offset:]
    index = next((i for i, p in enumerate(positional) if p is param), None)
    keyword = param.name.value if not any(p is param for p in params.posonly_params) else None
    given: list[tuple[cst.Call, cst.BaseExpression | None]] = []
    for call in calls:
        if any(arg.star for arg in call.args):
            return f"`{_short(call)}` passes `*` arguments"
        plain = [arg for arg in call.args if arg.keyword is None]
        value = plain[index].value if index is not None and index < len(plain) else None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                value = arg.value
        given.append((call, value))
    return Callers(function, shown, tuple(given), named)


def _use(node: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> str:
    """How a reference that is no call is used, for a message: the call it is passed to
    (`executor.submit(_ask, c)`), else what the statement does with it (`inner` is returned)."""
    shown = _short(node)
    around: cst.CSTNode = node
    parent = parents.get(around)
    while parent is not None and not isinstance(parent, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
        if isinstance(parent, cst.Call):
            return f"`{_short(parent)}`"
        if isinstance(parent, cst.Decorator):
            return f"`@{_short(parent.decorator)}`"
        around, parent = parent, parents.get(parent)
    return describe_use(parents.get(node), shown)


def _module(node: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.CSTNode:
    while (parent := parents.get(node)) is not None:
        node = parent
    return node


def _class_of(node: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.ClassDef | None:
    """The class whose method (or a function nested in one) holds `node`."""
    current: cst.CSTNode | None = node
    seen_function = False
    while current is not None:
        current = parents.get(current)
        if isinstance(current, cst.FunctionDef):
            seen_function = True
        elif isinstance(current, cst.ClassDef):
            return current if seen_function else None
    return None


def _position(parents: Mapping[cst.CSTNode, cst.CSTNode], node: cst.CSTNode) -> int:
    position_of = getattr(parents, "position_of", None)
    return position_of(node) if position_of is not None else 0


def _is_self(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def _short(node: cst.CSTNode) -> str:
    text = " ".join(code_of(node).split())
    return text if len(text) <= 60 else text[:57] + "..."
