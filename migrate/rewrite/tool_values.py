"""Tools given by name inside a tool list: `tools=[save_contact]`, `TOOLS = [save_contact]`,
`functions=[lookup]`, and the function of a tool, `{"type": "function", "function": lookup}`.

A whole tool given by name changes shape where it is written, so it is followed as a shared
value (migrate/rewrite/shared.py): bound once, to a dict literal, and used nowhere but as an
element of a list literal that is the same keyword's value at a recognised call site, or that
is bound to a name followed for that keyword (`TOOLS = [save_contact]`, `tools=TOOLS`). It is
then converted where it is written, together with every call that uses it, or not at all.

The function of a tool given by name (`"function": lookup`) is not changed at all: the tool is
written `{"type": "function", **lookup, "strict": False}`, its items spread where chat nested
them. That needs `lookup` bound once to a dict literal with literal keys that nothing changes:
used only as such a `"function":` value or read by key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import libcst as cst

from migrate.analysis.nodes import DictView, Parents, describe_use, short_code
from migrate.analysis.scopes import Assignment, GlobalScope
from migrate.rewrite.shared import Shared
from migrate.rewrite.shared import analyze as analyze_shared


def follow_tool(
    name: cst.Name,
    keyword: str,
    scopes: Mapping,
    parents: Mapping,
    site_calls: set[cst.CSTNode],
    requested: Collection[cst.CSTNode] = (),
) -> Shared | str:
    """`keyword=[..., name, ...]`: the tool dict `name` is bound to, followed, or why not.
    `requested`: names bound to tool lists that other modules pass (`TOOLS = [name]`, read
    nowhere here: migrate/engine/plan.py `_plan_requested`)."""
    found = _dict_binding(name, scopes, parents)
    if isinstance(found, str):
        return found
    assignment, literal = found
    target = assignment.node
    assert isinstance(target, cst.Name)
    shared = Shared(keyword, target, literal)
    shared.exported = isinstance(assignment.scope, GlobalScope) and not name.value.startswith("_")
    for access in sorted(assignment.references, key=lambda a: _position(parents, a.node)):
        node = access.node
        element = parents.get(node)
        listed = parents.get(element) if isinstance(element, cst.Element) else None
        if isinstance(element, cst.Subscript) and element.value is node:
            return f"`{name.value}` is read by key (`{short_code(element)}`), which its Responses shape changes"
        if not isinstance(listed, (cst.List, cst.Tuple)):
            return describe_use(element, name.value)
        holder = parents.get(listed)
        if isinstance(holder, cst.Arg) and holder.keyword is not None and holder.keyword.value == keyword:
            call = parents.get(holder)
            if isinstance(call, cst.Call) and call in site_calls:
                shared.users.append(call)
                continue
            return f"`{name.value}` is in a `{keyword}=` list of a call the tool does not migrate"
        why = _in_followed_list(listed, holder, keyword, scopes, parents, site_calls, shared, requested)
        if why is not None:
            return f"`{name.value}` is put in a list that {why}"
    return shared


def _in_followed_list(
    listed: cst.BaseExpression,
    holder: cst.CSTNode | None,
    keyword: str,
    scopes: Mapping,
    parents: Mapping,
    site_calls: set[cst.CSTNode],
    shared: Shared,
    requested: Collection[cst.CSTNode] = (),
) -> str | None:
    """None when `listed` is the literal of a name followed for `keyword` (`TOOLS = [...]`)."""
    target = None
    if isinstance(holder, cst.Assign) and len(holder.targets) == 1 and holder.value is listed:
        target = holder.targets[0].target
    elif isinstance(holder, cst.AnnAssign) and holder.value is listed:
        target = holder.target
    if not isinstance(target, cst.Name):
        return "the tool does not follow"
    scope = scopes.get(target)
    assignments = scope.assignments[target.value] if scope is not None else ()
    references = [a.node for binding in assignments for a in binding.references]
    if target in requested and not references:
        return None  # converted for the calls of the modules that pass it
    if not references:
        return f"is not passed as `{keyword}=`"
    first = min(references, key=lambda n: _position(parents, n))
    if not isinstance(first, cst.Name) or not isinstance(parents, Parents):
        return "the tool does not follow"
    followed = analyze_shared(first, keyword, scopes, parents, site_calls)
    if isinstance(followed, str):
        return f"can't be followed: {followed}"
    shared.users.extend(followed.users)
    return None


def follow_function(name: cst.Name, scopes: Mapping, parents: Mapping) -> DictView | str:
    """`{"type": "function", "function": name}`: the function dict `name` is bound to, left as it
    is (its items are spread into the tool), or why it can't be."""
    found = _dict_binding(name, scopes, parents)
    if isinstance(found, str):
        return found
    assignment, literal = found
    view = DictView.of(literal)
    if view is None:
        return f"`{name.value}` is not a dict literal with literal keys"
    for access in sorted(assignment.references, key=lambda a: _position(parents, a.node)):
        node = access.node
        parent = parents.get(node)
        if isinstance(parent, cst.DictElement) and parent.value is node:
            continue  # `"function": name` (the tool is checked where it is converted)
        if isinstance(parent, cst.Subscript) and parent.value is node:
            if _read(parent, parents):
                continue  # `name["name"]`: read by key
            return f"`{name.value}` is changed through `{short_code(parent)}`"
        return describe_use(parent, name.value)
    return view


def _dict_binding(name: cst.Name, scopes: Mapping, parents: Mapping) -> tuple[Assignment, cst.Dict] | str:
    """The one assignment of `name` (an access), to a dict literal, or why not."""
    scope = scopes.get(name)
    accesses = [a for a in scope.accesses[name] if a.node is name] if scope is not None else []
    if len(accesses) != 1 or len(accesses[0].referents) != 1:
        return f"`{name.value}` is not bound once in this module"
    (assignment,) = accesses[0].referents
    if not isinstance(assignment, Assignment) or len(assignment.scope.assignments[name.value]) != 1:
        return f"`{name.value}` is not bound once in this module"
    target = assignment.node
    parent = parents.get(target)
    value = None
    if isinstance(parent, cst.AssignTarget) and parent.target is target:
        statement = parents.get(parent)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            value = statement.value
    elif isinstance(parent, cst.AnnAssign) and parent.target is target:
        value = parent.value
    if not isinstance(value, cst.Dict) or not isinstance(target, cst.Name):
        return f"`{name.value}` is not assigned a dict literal"
    return assignment, value


def _read(subscript: cst.Subscript, parents: Mapping) -> bool:
    """`x[k]` (and `x[k][j]`...) only read: not assigned, deleted, nor changed through."""
    node: cst.CSTNode = subscript
    parent = parents.get(node)
    while isinstance(parent, cst.Subscript) and parent.value is node:
        node, parent = parent, parents.get(parent)
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.Del)):
        return False
    if isinstance(parent, cst.AnnAssign) and parent.target is node:
        return False
    return not (isinstance(parent, cst.Attribute) and parent.value is node)


def _position(parents: Mapping, node: cst.CSTNode) -> int:
    position_of = getattr(parents, "position_of", None)
    return position_of(node) if position_of is not None else 0
