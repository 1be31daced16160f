"""What the tool can see of a value it can't read as a literal: is it seen to be a list, a
dict or a comprehension rather than text?

A message's `content` takes text in both APIs, but a list of chat content parts there changes
shape. `Shapes.not_text` says why a value may be such a list (or dict), following what the
module shows: the bindings of a name (its assigned values, `+=`, a parameter's annotation or
default), the builtins that build sequences, the annotation and the `return`s of a function
of the module that is called, the items of a dict or list literal a subscripted name is bound
to, and both sides of `+`, `if ... else` and `or`. A value nothing
shows to be a sequence (a parameter without annotation, an attribute, a call of another
module's function) is taken as the text the chat call sent: it is sent unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import libcst as cst

from migrate.analysis.nodes import short_code
from migrate.analysis.scopes import Assignment, BuiltinAssignment
from migrate.catalog.loader import Sequences

_MAX_DEPTH = 6
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class Shapes:
    def __init__(self, scopes: Mapping, parents: Mapping[cst.CSTNode, cst.CSTNode], sequences: Sequences) -> None:
        self.scopes = scopes
        self.parents = parents
        self.sequences = sequences

    def not_text(self, node: cst.BaseExpression) -> str | None:
        """Why `node` may hold a list or a dict (a phrase), or None when nothing shows it."""
        return self._why(node, 0, set())

    def _why(self, node: cst.BaseExpression, depth: int, seen: set[int]) -> str | None:
        if depth > _MAX_DEPTH or id(node) in seen:
            return None
        seen.add(id(node))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return f"`{short_code(node)}`, a list"
        if isinstance(node, cst.Dict):
            return f"`{short_code(node)}`, a dict"
        if isinstance(node, _COMPREHENSIONS):
            return f"`{short_code(node)}`, a comprehension"
        if isinstance(node, cst.Name):
            return self._name(node, depth, seen)
        if isinstance(node, cst.Call):
            return self._call(node, depth, seen)
        if isinstance(node, cst.Subscript):
            return self._item(node, depth, seen)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._why(node.left, depth + 1, seen) or self._why(node.right, depth + 1, seen)
        if isinstance(node, cst.IfExp):
            return self._why(node.body, depth + 1, seen) or self._why(node.orelse, depth + 1, seen)
        if isinstance(node, cst.BooleanOperation):
            return self._why(node.left, depth + 1, seen) or self._why(node.right, depth + 1, seen)
        return None

    def _name(self, node: cst.Name, depth: int, seen: set[int]) -> str | None:
        for assignment in self._referents(node):
            if not isinstance(assignment, Assignment):
                continue
            target = assignment.node
            if isinstance(target, cst.Param):
                if target.annotation is not None and self._sequence_annotation(target.annotation.annotation):
                    return f"`{node.value}`, annotated `{short_code(target.annotation.annotation)}`"
                if target.default is not None and (why := self._why(target.default, depth + 1, seen)):
                    return f"`{node.value}`, whose default is {why}"
                if target.star == "*":
                    return f"`{node.value}`, a `*` parameter (a tuple)"
                if target.star == "**":
                    return f"`{node.value}`, a `**` parameter (a dict)"
                continue
            parent = self.parents.get(target)
            if isinstance(parent, cst.AnnAssign) and self._sequence_annotation(parent.annotation.annotation):
                return f"`{node.value}`, annotated `{short_code(parent.annotation.annotation)}`"
            for value in self._assigned(target):
                why = self._why(value, depth + 1, seen)
                if why is not None:
                    return why if why.startswith(f"`{node.value}`") else f"`{node.value}`, bound to {why}"
        return None

    def _item(self, node: cst.Subscript, depth: int, seen: set[int]) -> str | None:
        """`PARTS["vision"]`, `SAMPLES[0]`: an item of a dict or list literal the name is bound to."""
        if not isinstance(node.value, cst.Name):
            return None
        for assignment in self._referents(node.value):
            if not isinstance(assignment, Assignment):
                continue
            for container in self._assigned(assignment.node):
                if not isinstance(container, (cst.Dict, cst.List, cst.Tuple)):
                    continue
                for item in (e.value for e in container.elements):
                    why = self._why(item, depth + 1, seen)
                    if why is not None:
                        return f"`{short_code(node)}`, an item of `{node.value.value}`, which holds {why}"
        return None

    def _call(self, node: cst.Call, depth: int, seen: set[int]) -> str | None:
        func = node.func
        if not isinstance(func, cst.Name):
            return None
        for assignment in self._referents(func):
            if isinstance(assignment, BuiltinAssignment) and func.value in self.sequences.constructors:
                return f"`{short_code(node)}`, a `{func.value}`"
            if isinstance(assignment, Assignment) and isinstance(assignment.node, cst.FunctionDef):
                definition = assignment.node
                if definition.returns is not None and self._sequence_annotation(definition.returns.annotation):
                    return f"`{short_code(node)}`, which returns `{short_code(definition.returns.annotation)}`"
                for value in _returns(definition.body):
                    why = self._why(value, depth + 1, seen)
                    if why is not None:
                        return f"`{short_code(node)}`, which returns {why}"
        return None

    def _referents(self, node: cst.Name) -> list:
        scope = self.scopes.get(node)
        if scope is None:
            return []
        return [r for access in scope.accesses[node] if access.node is node for r in access.referents]

    def _assigned(self, target: cst.CSTNode) -> Iterator[cst.BaseExpression]:
        parent = self.parents.get(target)
        if isinstance(parent, cst.AssignTarget) and parent.target is target:
            statement = self.parents.get(parent)
            if isinstance(statement, cst.Assign):
                yield statement.value
        elif isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is target:
            if parent.value is not None:
                yield parent.value
        elif isinstance(parent, cst.NamedExpr) and parent.target is target:
            yield parent.value

    def _sequence_annotation(self, annotation: cst.BaseExpression) -> bool:
        if isinstance(annotation, cst.BinaryOperation):  # `list[str] | None`
            return self._sequence_annotation(annotation.left) or self._sequence_annotation(annotation.right)
        if isinstance(annotation, cst.Subscript):
            base = annotation.value
            last = _last_name(base)
            if last in ("Optional", "Union"):
                return any(
                    isinstance(e.slice, cst.Index) and self._sequence_annotation(e.slice.value)
                    for e in annotation.slice
                )
            return last in self.sequences.annotations
        return _last_name(annotation) in self.sequences.annotations


def _last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _returns(body: cst.CSTNode) -> Iterator[cst.BaseExpression]:
    """The values of the `return` statements of a function body (not of nested functions)."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Return):
            if node.value is not None:
                yield node.value
            continue
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and node is not body:
            continue
        stack.extend(node.children)
