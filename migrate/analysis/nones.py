"""Is a value's None-ness thrown away where it is read?

A stream chunk's `delta.content` becomes None for every Responses event that carries no text
(several per answer), where chat had it None only on the last chunk. The rewrite keeps a
program's behaviour only where whether the value is None (or empty) is all that counts, or
where the value is used only once it is known not to be:

* a truth test (`if x:`, `not x`, `while x`, a comprehension's `if x`), `x is None` /
  `x is not None` (`==` / `!=` too), `x or ""` (printed, only with `end=""`: a printed empty
  string still ends its line, once per event);
* a use under such a test of the same expression: the body of `if x:` / `if x is not None:`
  (or `while`), `y if x else z`, `x and f(x)`, or after `if not x: continue` / `if x is None:
  continue` earlier in the same block. Only `continue` skips the events with None: `break`,
  `return` or `raise` there end the loop, which chat does on its last chunk and Responses on
  its first event (`response.created`), so such a read counts as one where None shows;
* a name bound to the value (`content = delta.content`), every read of which is one of these.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from migrate.analysis.nodes import code_of, truth_tested
from migrate.analysis.scopes import Assignment

_MAX_DEPTH = 4
# Only `continue` skips a value with no text and goes on: `break` / `return` / `raise` after a
# None test end the loop at chat's last chunk, but at Responses' first event.
_EXITS = (cst.Continue,)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def none_discarded(node: cst.CSTNode, parents: Mapping, scopes: Mapping, depth: int = 0) -> bool:
    """Is every use of `node`'s value one that throws its None-ness away?"""
    if depth > _MAX_DEPTH:
        return False
    parent = parents.get(node)
    if _tested(parent, node, parents):
        return True
    if isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.Or) and parent.left is node:
        right = parent.right
        if isinstance(right, cst.SimpleString) and right.evaluated_value in ("", b""):
            return not _printed_per_event(parent, parents)
    if _guarded(node, code_of(node).strip(), parents):
        return True
    target = _bound_name(parent, node, parents)
    if target is not None:
        return _every_read_discards(target, parents, scopes, depth)
    return False


def _printed_per_event(value: cst.CSTNode, parents: Mapping) -> bool:
    """`print(x or "")`: the empty string is printed with its line end, once per event (and
    Responses sends more events than chat sends chunks). `end=""` prints nothing for it."""
    arg = parents.get(value)
    call = parents.get(arg)
    if not (isinstance(arg, cst.Arg) and isinstance(call, cst.Call) and code_of(call.func).strip() == "print"):
        return False
    for other in call.args:
        if other.keyword is not None and other.keyword.value == "end":
            return not (isinstance(other.value, cst.SimpleString) and other.value.evaluated_value == "")
    return True


def _tested(parent: cst.CSTNode | None, node: cst.CSTNode, parents: Mapping) -> bool:
    if truth_tested(parent, node, parents):
        return True
    if isinstance(parent, cst.CompIf) and parent.test is node:
        return True
    return isinstance(parent, cst.Comparison) and _none_comparison(parent, node) is not None


def _none_comparison(comparison: cst.Comparison, node: cst.CSTNode) -> bool | None:
    """For `node is None` False, for `node is not None` True; None for anything else."""
    if len(comparison.comparisons) != 1:
        return None
    target = comparison.comparisons[0]
    other = target.comparator if comparison.left is node else comparison.left
    if node not in (comparison.left, target.comparator) or not (isinstance(other, cst.Name) and other.value == "None"):
        return None
    if isinstance(target.operator, (cst.Is, cst.Equal)):
        return False
    if isinstance(target.operator, (cst.IsNot, cst.NotEqual)):
        return True
    return None


def _guards(test: cst.BaseExpression, code: str) -> bool:
    """Does `test` being true show that the expression spelled `code` is neither None nor empty?"""
    if code_of(test).strip() == code:
        return True
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left = test.left
        if code in _spellings(left) and _none_comparison(test, left) is True:
            return True
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _guards(test.left, code) or _guards(test.right, code)
    return isinstance(test, cst.NamedExpr) and code in _spellings(test)


def _spellings(node: cst.BaseExpression) -> set[str]:
    """How the value of `node` is spelled: itself, and the name a walrus binds it to."""
    found = {code_of(node).strip()}
    if isinstance(node, cst.NamedExpr):
        found.add(code_of(node.target).strip())
    return found


def _excludes(test: cst.BaseExpression, code: str) -> bool:
    """Does `test` being false show that the expression spelled `code` is neither None nor empty?"""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _guards(test.expression, code)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left = test.left
        if code in _spellings(left) and _none_comparison(test, left) is False:
            return True
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _excludes(test.left, code) or _excludes(test.right, code)
    return False


def _guarded(node: cst.CSTNode, code: str, parents: Mapping) -> bool:
    """Is `node` evaluated only where a test of the same expression showed it is set?"""
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        if isinstance(parent, (cst.If, cst.While)) and child is parent.body and _guards(parent.test, code):
            return True
        if isinstance(parent, cst.IfExp) and child is parent.body and _guards(parent.test, code):
            return True
        if (
            isinstance(parent, cst.BooleanOperation)
            and isinstance(parent.operator, cst.And)
            and child is parent.right
            and _guards(parent.left, code)
        ):
            return True
        if isinstance(parent, (cst.IndentedBlock, cst.Module)) and _exited_before(parent.body, child, code):
            return True
        if isinstance(parent, _COMPREHENSIONS) and child is not parent.for_in and _filtered(parent.for_in, code):
            return True
        child, parent = parent, parents.get(parent)
    return False


def _filtered(for_in: cst.CompFor | None, code: str) -> bool:
    """A comprehension's `if` shows the expression is set for every item it makes."""
    while for_in is not None:
        if any(_guards(comp_if.test, code) for comp_if in for_in.ifs):
            return True
        for_in = for_in.inner_for_in
    return False


def _exited_before(body, statement: cst.CSTNode, code: str) -> bool:
    """An earlier statement of the block skips to the next item when the expression is not set."""
    for earlier in body:
        if earlier is statement:
            return False
        if isinstance(earlier, cst.If) and earlier.orelse is None and _excludes(earlier.test, code):
            block = earlier.body
            last = block.body[-1] if block.body else None
            if isinstance(last, cst.SimpleStatementLine):
                last = last.body[-1] if last.body else None
            elif isinstance(block, cst.SimpleStatementSuite):
                last = block.body[-1] if block.body else None
            if isinstance(last, _EXITS):
                return True
    return False


def _bound_name(parent: cst.CSTNode | None, node: cst.CSTNode, parents: Mapping) -> cst.Name | None:
    if isinstance(parent, cst.NamedExpr) and parent.value is node and isinstance(parent.target, cst.Name):
        return parent.target
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is node and isinstance(parent.target, cst.Name):
        return parent.target
    return None


def _every_read_discards(target: cst.Name, parents: Mapping, scopes: Mapping, depth: int) -> bool:
    scope = scopes.get(target)
    if scope is None:
        return False
    ours = [a for a in scope.assignments[target.value] if isinstance(a, Assignment) and a.node is target]
    if len(ours) != 1:
        return False
    for access in ours[0].references:
        read = access.node
        if not isinstance(read, cst.Name) or not none_discarded(read, parents, scopes, depth + 1):
            return False
    return True
