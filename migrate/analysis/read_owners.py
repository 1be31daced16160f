"""Which value a read of a name sees, where the code makes it plain. Two shapes:

* A name that is the variable of a `for` loop holds, inside the loop's body, that loop's item
  and nothing else (`for chunk in stream:` next to `for chunk in words:`), when nothing else in
  the body binds the name: each pass binds it right before the body runs.
* A name assigned by a statement (`response = ...`) holds that value in the statements that
  follow it in the same block, up to the next statement that binds the name anywhere inside it
  (`response = client.chat...` in one cell of a notebook, `response = requests.get(...)` in
  another): a block is only ever entered at its top, so every way to those statements goes
  through the assignment, and nothing between binds the name again.

Such a binding *owns* those reads. A read in a function, lambda, generator expression or class
defined there is not owned (it may run later, when the name holds another value), and neither
is a read in a loop's `else` or its iterable. Nothing is owned when the name is also bound from
code nested in its scope (`global` / `nonlocal`: a call may rebind it at any time) or declared
with an annotation alone (the declaration types every value). A read nothing owns is *free*: it
may see any value the name is given in the scope.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from migrate.analysis.nodes import Parents

# Code that may run after the statement that defines it: a read there is never owned.
_DEFERRED = (cst.Lambda, cst.FunctionDef, cst.GeneratorExp, cst.ClassDef)


class ReadOwners:
    """The bindings that own reads of one name in one scope, given the nodes that bind it there."""

    def __init__(self, bindings: Iterable[cst.CSTNode], parents: Parents) -> None:
        self._parents = parents
        self._bound = bound = list(bindings)
        self.loops: dict[cst.For, cst.CSTNode] = {}
        self.statements: dict[cst.CSTNode, tuple[tuple[cst.CSTNode, ...], int]] = {}
        if len({self._home(node) for node in bound}) > 1 or any(self._declared(node) for node in bound):
            return
        for node in bound:
            loop = parents.get(node)
            if isinstance(loop, cst.For) and loop.target is node and isinstance(node, cst.Name):
                if not any(other is not node and self._in(other, loop.body, deferred=True) for other in bound):
                    self.loops[loop] = node
                continue
            place = self._statement(node)
            if place is not None:
                self.statements[node] = place

    def owner(self, read: cst.CSTNode) -> cst.CSTNode | None:
        """The binding whose value is the only one `read` can see; None: the read is free."""
        for loop, target in self.loops.items():
            if self._in(read, loop.body):
                return target
        for target, (block, index) in self.statements.items():
            later = next((i for i in range(index + 1, len(block)) if self._in(read, block[i])), None)
            if later is None:
                continue
            between = block[index + 1 : later + 1]
            if not any(self._in(other, statement, deferred=True) for other in self._bound for statement in between):
                return target
        return None

    def _statement(self, node: cst.CSTNode) -> tuple[tuple[cst.CSTNode, ...], int] | None:
        """(the block, the index in it) of the statement `node` is the one target of, when it is
        an assignment that always binds it (`x = ...`, `x: T = ...`) alone on its line."""
        target = self._parents.get(node)
        small: cst.CSTNode | None
        if isinstance(target, cst.AssignTarget) and isinstance(self._parents.get(target), cst.Assign):
            small = self._parents.get(target)
        elif isinstance(target, cst.AnnAssign) and target.target is node and target.value is not None:
            small = target
        else:
            return None
        line = self._parents.get(small) if small is not None else None
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
            return None
        block = self._parents.get(line)
        if isinstance(block, (cst.Module, cst.IndentedBlock)):
            statements = tuple(block.body)
            return statements, statements.index(line)
        return None

    def _home(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The function, lambda or class `node` is written in (None: the module)."""
        found = self._parents.get(node)
        while found is not None and not isinstance(found, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            found = self._parents.get(found)
        return found

    def _declared(self, node: cst.CSTNode) -> bool:
        parent = self._parents.get(node)
        return isinstance(parent, cst.AnnAssign) and parent.value is None

    def _in(self, node: cst.CSTNode | None, outer: cst.CSTNode, deferred: bool = False) -> bool:
        """Is `node` inside `outer` (with `deferred`, also in code defined there)?"""
        while node is not None:
            if node is outer:
                return True
            if isinstance(node, _DEFERRED) and not deferred:
                return False
            node = self._parents.get(node)
        return False
