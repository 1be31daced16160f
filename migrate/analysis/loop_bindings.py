"""Which value a read of a name sees, where loops make it plain: a name that is the variable of
several `for` loops in one scope (`for chunk in stream:` twice, or once over a stream and once
over a list) holds, inside each loop's body, that loop's item and nothing else.

A loop *owns* the reads in its body when its target is the plain name and nothing else in its
body binds that name: each pass binds the name right before the body runs. A read in a function,
lambda or generator expression defined in the body is not owned (it may run later, when the
name holds another value), and neither is a read in the loop's `else` or its iterable. A read
no loop owns is *free*: it may see any value the name is given in the scope.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from migrate.analysis.nodes import Parents

# Code that may run after the statement that defines it: a read there is never owned.
_DEFERRED = (cst.Lambda, cst.FunctionDef, cst.GeneratorExp, cst.ClassDef)


class LoopReads:
    """The loops that own reads of one name in one scope, given the nodes that bind it there."""

    def __init__(self, bindings: Iterable[cst.CSTNode], parents: Parents) -> None:
        self._parents = parents
        bound = list(bindings)
        self.loops: list[cst.For] = []
        for node in bound:
            loop = parents.get(node)
            if not (isinstance(loop, cst.For) and loop.target is node and isinstance(node, cst.Name)):
                continue
            if any(other is not node and self._in_body(other, loop) for other in bound):
                continue  # something in its body binds the name again
            self.loops.append(loop)

    def loop_of(self, binding: cst.CSTNode) -> cst.For | None:
        """The owning loop whose variable `binding` is."""
        loop = self._parents.get(binding)
        return loop if isinstance(loop, cst.For) and loop in self.loops else None

    def owner(self, read: cst.CSTNode) -> cst.For | None:
        """The loop that owns `read` (the one value it can see is that loop's item); None: free."""
        return next((loop for loop in self.loops if self._in_body(read, loop)), None)

    def _in_body(self, node: cst.CSTNode | None, loop: cst.For) -> bool:
        while node is not None and node is not loop:
            if node is loop.body:
                return True
            if isinstance(node, _DEFERRED):
                return False
            node = self._parents.get(node)
        return False
