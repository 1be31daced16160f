"""Values passed by name: `tools=TOOLS`, `response_format=FORMAT`, `messages=history`.

A name is followed when it is bound once, to a literal, and every other use of it is one the
tool understands: passed as the same keyword to a recognised call site, or, for a message
list, grown with `.append(...)`, `.extend([...])`, `.insert(i, ...)` or `+= [...]`, emptied, or
measured with `len()`. The literal (and every message added to the list) is then converted
where it is written, and all the calls that share the value migrate together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.nodes import Parents, code_of, describe_use, in_tree_order, short_code
from migrate.analysis.scopes import Assignment, GlobalScope

LIST_KEEPERS = ("pop", "clear")


@dataclass
class Shared:
    keyword: str
    binding: cst.Name
    literal: cst.BaseExpression
    # Message lists: literal messages added later ((method, node): "append"/"insert" a dict,
    # "extend"/"iadd" a list literal) and values appended that are not literals: those must be
    # claimed by the result follower (the model's own message), else the list can't be followed.
    added: list[tuple[str, cst.BaseExpression]] = field(default_factory=list)
    pending: list[cst.BaseExpression] = field(default_factory=list)
    users: list[cst.Call] = field(default_factory=list)
    # A public module-level name: other modules may import it and must be migrated too.
    exported: bool = False
    # Imported from another module of the run that converts it where it is written (the module's
    # path): used here as it is (migrate/engine/units.py migrate_unit); `binding` and `literal`
    # are then the name the import binds.
    elsewhere: str = ""


def binding_of(name: cst.Name, scopes: Mapping, parents: Parents | None = None) -> Assignment | None:
    """The one assignment `name` (an access) refers to. `x += [...]` on a list mutates it in
    place, so augmented assignments of the same name don't count as other values."""
    found = _bindings(name, scopes, parents)
    return found[0] if found else None


def _bindings(name: cst.Name, scopes: Mapping, parents: Parents | None) -> list[Assignment]:
    """[the binding, *its `+=` rebindings], or [] when the name may hold other values."""
    scope = scopes.get(name)
    if scope is None:
        return []
    accesses = [a for a in scope.accesses[name] if a.node is name]
    if len(accesses) != 1 or not accesses[0].referents:
        return []
    candidates = accesses[0].referents
    if not all(isinstance(a, Assignment) for a in candidates):
        return []
    scope_of = next(iter(candidates)).scope
    everything = [a for a in scope_of.assignments[name.value] if isinstance(a, Assignment)]
    everything = in_tree_order(everything, parents) if parents is not None else everything
    augmented = [a for a in everything if parents is not None and isinstance(parents.get(a.node), cst.AugAssign)]
    plain = [a for a in everything if a not in augmented]
    if len(plain) != 1:
        return []
    return [plain[0], *augmented]


def analyze(
    name: cst.Name,
    keyword: str,
    scopes: Mapping,
    parents: Parents,
    site_calls: set[cst.CSTNode],
) -> Shared | str:
    """Follow `keyword=name`; a string is the reason it can't be followed."""
    bindings = _bindings(name, scopes, parents)
    if not bindings:
        return f"`{name.value}` is not bound once in this module"
    assignment = bindings[0]
    target = assignment.node
    literal = _assigned_literal(target, parents)
    if literal is None or not isinstance(target, cst.Name):  # (a literal is only found for a name)
        return f"`{name.value}` is not assigned a literal"
    shared = Shared(keyword, target, literal)
    shared.exported = isinstance(assignment.scope, GlobalScope) and not name.value.startswith("_")
    is_list = keyword == "messages"
    if len(bindings) > 1 and not is_list:
        return f"`{name.value}` is changed with `+=`"
    accesses = {id(a): a for binding in bindings for a in binding.references}
    for augmented in bindings[1:]:  # `name += [...]` binds the name: no read of it, but an add
        node = augmented.node
        reason = _list_use(node, parents.get(node), parents, shared) if isinstance(node, cst.Name) else "used"
        if reason is not None:
            return f"`{name.value}` is {reason}"
    for access in in_tree_order(accesses.values(), parents):
        node = access.node
        if not isinstance(node, cst.Name) or any(r not in bindings for r in access.referents):
            return f"`{name.value}` may hold other values"
        parent = parents.get(node)
        if isinstance(parent, cst.Arg) and parent.keyword is not None and parent.keyword.value == keyword:
            call = parents.get(parent)
            if isinstance(call, cst.Call) and call in site_calls:
                shared.users.append(call)
                continue
            return f"`{name.value}` is passed to `{code_of(call.func).strip() if isinstance(call, cst.Call) else '?'}`"
        reason = _list_use(node, parent, parents, shared) if is_list else "used"
        if reason == "used":
            return describe_use(parent, name.value)
        if reason is not None:
            return f"`{name.value}` is {reason}"
    return shared


def _assigned_literal(target: cst.CSTNode, parents: Mapping) -> cst.BaseExpression | None:
    if not isinstance(target, cst.Name):
        return None
    parent = parents.get(target)
    value = None
    if isinstance(parent, cst.AssignTarget):
        statement = parents.get(parent)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            value = statement.value
    elif isinstance(parent, cst.AnnAssign) and parent.target is target:
        value = parent.value
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.SimpleString)):
        return value
    return None


def _list_use(node: cst.Name, parent, parents: Mapping, shared: Shared) -> str | None:
    """None when this use of a message list is understood (and recorded), else why not."""
    if isinstance(parent, cst.Attribute) and parent.value is node:
        call = parents.get(parent)
        method = parent.attr.value
        if not (isinstance(call, cst.Call) and call.func is parent):
            return f"read as `.{method}`"
        args = [a.value for a in call.args if a.keyword is None and not a.star]
        if len(args) != len(call.args):
            return f"changed by `.{method}(...)` with keyword or unpacked arguments"
        if method == "append" and len(args) == 1:
            if isinstance(args[0], cst.Dict):
                shared.added.append(("append", args[0]))
            else:
                shared.pending.append(args[0])
            return None
        if method == "insert" and len(args) == 2 and isinstance(args[1], cst.Dict):
            shared.added.append(("insert", args[1]))
            return None
        if method == "extend" and len(args) == 1 and isinstance(args[0], (cst.List, cst.Tuple)):
            shared.added.append(("extend", args[0]))
            return None
        if method in LIST_KEEPERS and isinstance(parents.get(call), cst.Expr):
            return None
        return f"changed by `.{method}(...)` in a way the tool does not follow"
    if isinstance(parent, cst.AugAssign) and parent.target is node and isinstance(parent.operator, cst.AddAssign):
        if isinstance(parent.value, (cst.List, cst.Tuple)):
            shared.added.append(("iadd", parent.value))
            return None
        return "extended with something other than a list literal"
    if isinstance(parent, cst.Arg):
        call = parents.get(parent)
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "len":
            return None
    return "used"


def follow_content(name: cst.Name, scopes: Mapping, parents: Mapping) -> Shared | None:
    """`{"role": "user", "content": parts}` where `parts` is bound once to a list literal and
    read nowhere else: the list is converted where it is written (its chat parts become
    Responses parts), as a shared value of the call."""
    bindings = _bindings(name, scopes, parents if isinstance(parents, Parents) else None)
    if len(bindings) != 1 or not isinstance(bindings[0].node, cst.Name):
        return None
    literal = _assigned_literal(bindings[0].node, parents)
    if not isinstance(literal, (cst.List, cst.Tuple)):
        return None
    if [a.node for a in bindings[0].references] != [name]:
        return None
    shared = Shared("content", bindings[0].node, literal)
    shared.exported = isinstance(bindings[0].scope, GlobalScope) and not name.value.startswith("_")
    return shared


def analyze_definition(module: cst.Module, name: str, keyword: str, scopes: Mapping, parents: Parents) -> Shared | str:
    """A public module-level value that other modules pass as `keyword=` (`TOOLS` in a tools.py
    with no call of its own; migrate/engine/units.py `requested_values`): followed when it is
    bound once, by a plain assignment of a literal at the module's top level, and read nowhere in
    its own module; a string is the reason it can't be."""
    targets = top_level_targets(module, name)
    if not targets:
        return f"`{name}` is not assigned at the top level of its module"
    scope = scopes.get(targets[0])
    assignments = list(scope.assignments[name]) if scope is not None else []
    if len(targets) != 1 or len(assignments) != 1 or assignments[0].node is not targets[0]:
        return f"`{name}` is bound more than once in its module"
    literal = _assigned_literal(targets[0], parents)
    if literal is None:
        return f"`{name}` is not assigned a literal"
    uses = in_tree_order(assignments[0].references, parents)
    if uses:
        parent = parents.get(uses[0].node)
        if isinstance(parent, cst.Subscript):
            return f"`{name}` is read by key in its own module (`{short_code(parent)}`)"
        return f"{describe_use(parent, name)} in its own module"
    shared = Shared(keyword, targets[0], literal)
    shared.exported = True
    return shared


def top_level_targets(module: cst.Module, name: str) -> list[cst.Name]:
    """The names `name = ...` and `name: T = ...` bind at the top level of `module`, in order."""
    return [
        target
        for line in module.body
        if isinstance(line, cst.SimpleStatementLine)
        for statement in line.body
        for target in _assigned_names(statement)
        if target.value == name
    ]


def _assigned_names(statement: cst.BaseSmallStatement) -> list[cst.Name]:
    if isinstance(statement, cst.Assign):
        return [t.target for t in statement.targets if isinstance(t.target, cst.Name)]
    if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
        return [statement.target]
    return []
