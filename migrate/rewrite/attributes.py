"""Results stored on `self.<attr>` in a method and read by the class's other methods.

`self.last = <result>` is followed into every read of `self.last` in the class when those are
provably all its readers and writers:

* `self` is the first parameter of a plain method (not a static or class method);
* the class is not decorated and derives from nothing but `object` (inherited or generated code
  could read the attribute), and does no dynamic attribute access (`getattr`, `setattr`,
  `delattr`, `vars`, `__dict__`, `__getattr__`, ...);
* no other object in the module has `.<attr>` read or written (the `self` of an unrelated class
  of the module aside), no `getattr` & co. in the module may name it (a literal other name is
  fine), and nothing in the module reads `vars(...)` or `__dict__`;
* the attribute is only ever assigned whole (no `+=`, `del`, unpacking or `for` target), and the
  class body binds the name only to `None` or declares it with an annotation.

Every value stored there is then one of the slot's `stores`, every read one of its `reads`;
anything else is why it can't be followed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.nodes import (
    Parents,
    assigned_target,
    code_of,
    in_tree_order,
    qualified_names,
    string_value,
)
from migrate.analysis.scopes import Assignment

# Functions that reach attributes by name (-> the position of the name argument; None: any
# attribute), and methods that intercept attribute access.
DYNAMIC_CALLS = {
    "builtins.getattr": 1,
    "builtins.setattr": 1,
    "builtins.delattr": 1,
    "builtins.hasattr": 1,
    "operator.attrgetter": 0,
    "builtins.vars": None,
}
DYNAMIC_METHODS = ("__getattr__", "__getattribute__", "__setattr__", "__delattr__")
NOT_SELF = ("builtins.staticmethod", "builtins.classmethod")


@dataclass
class Store:
    target: cst.CSTNode  # `self.attr` (or the name in the class body)
    value: cst.BaseExpression | None  # None: a declaration (`attr: T`)
    annotation: cst.Annotation | None = None


@dataclass
class Slot:
    cls: cst.ClassDef
    attr: str
    stores: list[Store] = field(default_factory=list)
    reads: list[cst.Attribute] = field(default_factory=list)

    @property
    def public(self) -> bool:
        """Readable from other modules: a public attribute of a public class."""
        return not self.attr.startswith("_") and not self.cls.name.value.startswith("_")


def stored_attribute(parent: cst.CSTNode | None, node: cst.CSTNode) -> cst.Attribute | None:
    """The attribute `node` is assigned to (`x.attr = node`, `x.attr: T = node`), if any."""
    return assigned_target(parent, node, cst.Attribute)


class SelfAttributes:
    """Which stores and reads a `self.<attr>` has in its class, or why they can't all be known."""

    def __init__(self, scopes: Mapping, parents: Parents, line: Callable[[cst.CSTNode], int]) -> None:
        self.scopes = scopes
        self.parents = parents
        self.line = line
        self._by_attr: dict[str, list[cst.Attribute]] | None = None
        self._dynamic: list[tuple[cst.Call, str, int | None]] | None = None
        self._slots: dict[tuple[int, str], Slot | str] = {}
        self._class_defs: list[cst.ClassDef] | None = None

    # ------------------------------------------------------------------ public
    def slot(self, target: cst.Attribute) -> Slot | str | None:
        """The slot `target` (`self.attr`) stores into; why not followable; None: not on `self`."""
        cls = self.method_class(target.value)
        if cls is None:
            return None
        attr = target.attr.value
        key = (id(cls), attr)
        if key not in self._slots:
            self._slots[key] = self._analyse(cls, attr)
        return self._slots[key]

    def only_value(self, target: cst.Attribute) -> cst.BaseExpression | str | None:
        """The one value `target` (`self.attr`, read in a method) ever holds: its class stores
        exactly one, in its body or on `self`, and nothing else in the module may write an
        attribute of that name (reads don't matter); why not; None: not on `self`. The class
        must pass the same checks as a slot's (not decorated, no bases, no dynamic access)."""
        cls = self.method_class(target.value)
        if cls is None:
            return None
        attr, name = target.attr.value, cls.name.value
        why = self._class_why(cls)
        if why is not None:
            return why
        values: list[cst.BaseExpression] = []
        body = cls.body.body
        scope = self.scopes.get(body[0]) if body else None
        for assignment in scope.assignments[attr] if scope is not None else ():  # any order: all must pass
            value = _whole_value(assignment.node, self.parents)
            if value is None:
                return f"`{name}.{attr}` is bound in the class body in another way at line {self.line(assignment.node)}"
            if value is not _DECLARED:
                values.append(value)
        why = self._reached_dynamically(cls, name, attr)
        if why is not None:
            return why
        for node in self._attributes().get(attr, ()):
            parent = self.parents.get(node)
            written = isinstance(parent, (cst.AssignTarget, cst.AugAssign)) and parent.target is node
            written = written or (isinstance(parent, cst.AnnAssign) and parent.target is node)
            if not written and _store_context(node, self.parents) is None:
                continue  # a read
            owner = self.method_class(node.value)
            if owner is not None and owner is not cls and not self._derives(owner, cls, 0):
                continue  # `self.<attr>` of an unrelated class of the module
            value = _whole_value(node, self.parents) if owner is cls else None
            if value is None:
                return f"`{code_of(node).strip()}` is written at line {self.line(node)}"
            if value is not _DECLARED:
                values.append(value)
        for other in self._classes():
            if other is not cls and self._derives(other, cls, 0):
                inner = self.scopes.get(other.body.body[0]) if other.body.body else None
                if inner is not None and inner.assignments[attr]:
                    return f"`{other.name.value}` derives from `{name}` and binds `{attr}`"
        if len(values) != 1:
            return f"`self.{attr}` is given {len(values)} values in `{name}`"
        return values[0]

    def method_class(self, node: cst.BaseExpression) -> cst.ClassDef | None:
        """The class of which `node` is the `self` parameter of a plain method."""
        if not isinstance(node, cst.Name):
            return None
        scope = self.scopes.get(node)
        accesses = [a for a in scope.accesses[node] if a.node is node] if scope is not None else []
        if len(accesses) != 1 or len(accesses[0].referents) != 1:
            return None
        referent = next(iter(accesses[0].referents))
        param = referent.node if isinstance(referent, Assignment) else None
        params = self.parents.get(param) if isinstance(param, cst.Param) else None
        function = self.parents.get(params) if isinstance(params, cst.Parameters) else None
        if not isinstance(function, cst.FunctionDef) or not isinstance(params, cst.Parameters):
            return None
        positional = [*params.posonly_params, *params.params]
        if not positional or positional[0] is not param:
            return None
        if any(self._names(d.decorator) & set(NOT_SELF) for d in function.decorators):
            return None
        block = self.parents.get(function)
        cls = self.parents.get(block) if isinstance(block, cst.IndentedBlock) else None
        return cls if isinstance(cls, cst.ClassDef) else None

    # ------------------------------------------------------------------ analysis
    def _analyse(self, cls: cst.ClassDef, attr: str) -> Slot | str:
        name = cls.name.value
        why = self._class_why(cls)
        if why is not None:
            return why
        slot = Slot(cls, attr)
        why = self._class_body(cls, attr, slot)
        if why is not None:
            return why
        why = self._reached_dynamically(cls, name, attr)
        if why is not None:
            return why
        for node in self._attributes().get(attr, ()):
            owner = self.method_class(node.value)
            if owner is not None and owner is not cls and self._derives(owner, cls, 0):
                return (
                    f"`{owner.name.value}` derives from `{name}` and uses `{code_of(node).strip()}`"
                    f" at line {self.line(node)}"
                )
            if owner is None:
                return f"`{code_of(node).strip()}` at line {self.line(node)} may be the same attribute"
            if owner is not cls:
                continue  # `self.<attr>` of an unrelated class of the module
            why = self._self_use(node, slot)
            if why is not None:
                return why
        return slot

    def _class_why(self, cls: cst.ClassDef) -> str | None:
        name = cls.name.value
        if cls.decorators:
            return f"`{name}` is decorated"
        for base in cls.bases:
            if base.keyword is not None or base.star or self._names(base.value) != {"builtins.object"}:
                return f"`{name}` derives from `{code_of(base.value).strip()}`, whose code may read it too"
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value in DYNAMIC_METHODS:
                return f"`{name}` defines `{statement.name.value}`"
        return None

    def _derives(self, cls: cst.ClassDef, ancestor: cst.ClassDef, depth: int) -> bool:
        """Might `cls` be a subclass of `ancestor`? (Bases resolved in this module; a base from
        elsewhere can't derive from a class of this module without importing it.)"""
        if depth > 8:
            return True
        for base in cls.bases:
            for found in self._classes_named(base.value):
                if found is ancestor or self._derives(found, ancestor, depth + 1):
                    return True
        return False

    def _classes_named(self, node: cst.BaseExpression) -> list[cst.ClassDef]:
        scope = self.scopes.get(node)
        if not isinstance(node, cst.Name) or scope is None:
            return []
        accesses = [a for a in scope.accesses[node] if a.node is node]
        referents = accesses[0].referents if accesses else ()
        return [r.node for r in referents if isinstance(r, Assignment) and isinstance(r.node, cst.ClassDef)]

    def _class_body(self, cls: cst.ClassDef, attr: str, slot: Slot) -> str | None:
        """The class body may bind the name to `None` or declare it (`attr: T`), nothing else."""
        body = cls.body.body
        scope = self.scopes.get(body[0]) if body else None
        for assignment in in_tree_order(scope.assignments[attr], self.parents) if scope is not None else ():
            node = assignment.node
            parent = self.parents.get(node)
            if isinstance(parent, cst.AnnAssign) and parent.target is node:
                slot.stores.append(Store(node, parent.value, parent.annotation))
                continue
            statement = self.parents.get(parent) if isinstance(parent, cst.AssignTarget) else None
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and _is_none(statement.value):
                slot.stores.append(Store(node, statement.value))
                continue
            return f"`{cls.name.value}.{attr}` is also bound in the class body at line {self.line(node)}"
        return None

    def _self_use(self, node: cst.Attribute, slot: Slot) -> str | None:
        """Record `self.attr` (in the class) as a store or a read."""
        parent = self.parents.get(node)
        shown = code_of(node).strip()
        if isinstance(parent, cst.AssignTarget):
            statement = self.parents.get(parent)
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                slot.stores.append(Store(node, statement.value))
                return None
            return f"`{shown}` is assigned together with other targets at line {self.line(node)}"
        if isinstance(parent, cst.AnnAssign) and parent.target is node:
            slot.stores.append(Store(node, parent.value, parent.annotation))
            return None
        if isinstance(parent, cst.AugAssign) and parent.target is node:
            return f"`{shown}` is augmented at line {self.line(node)}"
        how = _store_context(node, self.parents)
        if how is not None:
            return f"`{shown}` is {how} at line {self.line(node)}"
        slot.reads.append(node)
        return None

    # ------------------------------------------------------------------ module index
    def _attributes(self) -> dict[str, list[cst.Attribute]]:
        if self._by_attr is None:
            self._by_attr = {}
            for node in self.parents:
                if isinstance(node, cst.Attribute):
                    self._by_attr.setdefault(node.attr.value, []).append(node)
        return self._by_attr

    def _dynamic_calls(self) -> list[tuple[cst.Call, str, int | None]]:
        """Calls of `getattr` & co. in the module: (call, function name, name argument position)."""
        if self._dynamic is None:
            self._dynamic = []
            for node in self.parents:
                if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
                    hit = sorted(self._names(node.func) & DYNAMIC_CALLS.keys())
                    if hit:
                        self._dynamic.append((node, hit[0].rpartition(".")[2], DYNAMIC_CALLS[hit[0]]))
        return self._dynamic

    def _classes(self) -> list[cst.ClassDef]:
        if self._class_defs is None:
            self._class_defs = [node for node in self.parents if isinstance(node, cst.ClassDef)]
        return self._class_defs

    def _names(self, node: cst.CSTNode) -> set[str]:
        return qualified_names(self.scopes, node)

    def _reached_dynamically(self, cls: cst.ClassDef, name: str, attr: str) -> str | None:
        """Why `attr` may be read or written by name (`getattr`, `vars()`, `__dict__`), or None."""
        for call, function, index in self._dynamic_calls():
            if self._within(call, cls):
                return f"`{name}` uses `{function}()` at line {self.line(call)}"
            if index is None and not call.args:
                continue  # `vars()`: the local names
            arg = call.args[index].value if index is not None and len(call.args) > index else None
            text = string_value(arg) if arg is not None else None
            if text is None or attr in text.split("."):
                return f"`{code_of(call).strip()}` at line {self.line(call)} may reach it"
        for node in self._attributes().get("__dict__", ()):
            return f"`{code_of(node).strip()}` at line {self.line(node)} may reach it"
        return None

    def _within(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None:
            if current is ancestor:
                return True
            current = self.parents.get(current)
        return False


# A declaration without a value (`attr: T`), for `_whole_value`.
_DECLARED = cst.Name("None")


def _whole_value(target: cst.CSTNode, parents: Mapping) -> cst.BaseExpression | None:
    """What `target` is assigned whole (`target = v`, one target; `target: T = v`), `_DECLARED`
    for `target: T`, or None: bound some other way (several targets, `+=`, unpacked, ...)."""
    parent = parents.get(target)
    if isinstance(parent, cst.AssignTarget) and parent.target is target:
        statement = parents.get(parent)
        return statement.value if isinstance(statement, cst.Assign) and len(statement.targets) == 1 else None
    if isinstance(parent, cst.AnnAssign) and parent.target is target:
        return parent.value if parent.value is not None else _DECLARED
    return None


def _is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _store_context(node: cst.CSTNode, parents: Mapping) -> str | None:
    """How `node` is bound other than by a plain assignment (unpacked, a loop target, deleted)."""
    child, parent = node, parents.get(node)
    while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
        child, parent = parent, parents.get(parent)
    if isinstance(parent, cst.Del):
        return "deleted"
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign)) and child is not node:
        return "assigned by unpacking"
    if isinstance(parent, cst.AsName):
        return "a `with` or `except` target"
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.target is child:
        return "a loop target"
    return None
