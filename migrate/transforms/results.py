"""Follow every use of a call's result and plan the rewrite of each read (api-mapping.md §d.1).

A result is followed through attribute/subscript/call chains (`resp.choices[0].message.content`),
`await`, and plain assignments to a name (`resp = ...`, `msg = resp.choices[0].message`), whose
every reader is then followed in turn. A read is rewritten when its path is in rules/results.toml;
anything else done with the value is a blocker: the whole call is then left alone and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import libcst as cst
from libcst.metadata import Assignment, CodeRange, Scope as BaseScope

from migrate.catalog import Catalog, Segment, format_path
from migrate.cst_helpers import code_of
from migrate.findings import Finding


@dataclass(frozen=True)
class ChainEdit:
    """Replace the chain node `target` (`depth` segments above its base) with base + `to`."""

    target: cst.CSTNode
    depth: int
    to: tuple[Segment, ...]


@dataclass
class Followed:
    edits: list[ChainEdit] = field(default_factory=list)
    fixes: list[Finding] = field(default_factory=list)
    blockers: list[Finding] = field(default_factory=list)
    # Assignments (by target Name node) that bind this result; and other bindings that
    # share readers with them (the planner couples those call sites).
    bindings: set[cst.CSTNode] = field(default_factory=set)
    shared_with: set[cst.CSTNode] = field(default_factory=set)


class ResultFollower:
    def __init__(
        self,
        catalog: Catalog,
        scopes: Mapping[cst.CSTNode, BaseScope | None],
        parents: Mapping[cst.CSTNode, cst.CSTNode],
        positions: Mapping[cst.CSTNode, CodeRange],
        call_bindings: Mapping[cst.CSTNode, str],
    ) -> None:
        self.kinds = catalog.results
        self.scopes = scopes
        self.parents = parents
        self.positions = positions
        # Name nodes that bind the result of some recognised call site -> its result kind.
        self.call_bindings = call_bindings

    def follow(self, node: cst.CSTNode, kind: str) -> Followed:
        out = Followed()
        self._value(node, kind, out, set())
        return out

    def _line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    # ------------------------------------------------------------------ a value in context
    def _value(self, node: cst.CSTNode, kind: str, out: Followed, seen: set[int]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        parent = self.parents.get(node)
        if isinstance(parent, cst.Await) and parent.expression is node:
            self._value(parent, kind, out, seen)
            return
        if _extends_chain(parent, node):
            self._chain(node, kind, out, seen)
            return
        self._whole(node, kind, out, seen, shown=code_of(node).strip())

    def _whole(self, node: cst.CSTNode, kind: str, out: Followed, seen: set[int], shown: str) -> None:
        """The value (of a non-leaf kind) is used as a whole."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.Expr):
            return  # discarded
        target = _assigned_name(parent, node)
        if isinstance(parent, cst.AnnAssign) and target is not None:
            annotation = code_of(parent.annotation.annotation).strip()
            out.blockers.append(Finding.of("RSP304", name=target.value, annotation=annotation, line=self._line(node)))
            return
        if target is not None:
            self._binding(target, kind, out, seen)
            return
        out.blockers.append(Finding.of("RSP301", how=_how(parent, shown), line=self._line(node)))

    # ------------------------------------------------------------------ chains
    def _chain(self, base: cst.CSTNode, kind: str, out: Followed, seen: set[int]) -> None:
        nodes: list[cst.CSTNode] = []
        segments: list[Segment | tuple[str, object]] = []
        current = base
        parent = self.parents.get(current)
        while _extends_chain(parent, current):
            assert parent is not None
            segments.append(_segment(parent))
            nodes.append(parent)
            current = parent
            parent = self.parents.get(current)

        consumed, to, final_kind, fixes = self._match(kind, segments)
        shown_base = code_of(base).strip() if isinstance(base, cst.Name) else "<result>"
        if final_kind is None:  # reached a leaf: rewrite the matched part, keep the rest
            out.edits.append(ChainEdit(nodes[consumed - 1], consumed, to))
            out.fixes.extend(fixes)
            return
        if consumed < len(segments):
            path = shown_base + format_path(tuple(segments))  # type: ignore[arg-type]
            out.blockers.append(Finding.of("RSP302", path=path, line=self._line(nodes[consumed])))
            return
        # The chain ends on a non-leaf value (e.g. `resp.choices[0].message`): it may only be
        # bound to a name, whose readers are followed in turn.
        top = nodes[-1]
        out.edits.append(ChainEdit(top, consumed, to))
        out.fixes.extend(fixes)
        self._whole(top, final_kind, out, seen, shown=shown_base + format_path(tuple(segments)))  # type: ignore[arg-type]

    def _match(self, kind: str, segments: list) -> tuple[int, tuple[Segment, ...], str | None, list[Finding]]:
        consumed = 0
        to: tuple[Segment, ...] = ()
        fixes: list[Finding] = []
        current: str | None = kind
        while current is not None:
            for entry in self.kinds[current]:
                n = len(entry.path)
                if tuple(segments[consumed : consumed + n]) == entry.path:
                    consumed += n
                    to += entry.to
                    if entry.fix:
                        fixes.append(Finding.of(entry.fix))
                    current = entry.kind
                    break
            else:
                return consumed, to, current, fixes
            if current is None:
                return consumed, to, None, fixes
        return consumed, to, None, fixes

    # ------------------------------------------------------------------ names
    def _binding(self, target: cst.Name, kind: str, out: Followed, seen: set[int]) -> None:
        scope = self.scopes.get(target)
        assignment = None
        if scope is not None:
            for candidate in scope.assignments[target.value]:
                if isinstance(candidate, Assignment) and candidate.node is target:
                    assignment = candidate
        if assignment is None:
            out.blockers.append(Finding.of("RSP303", name=target.value, line=self._line(target)))
            return
        out.bindings.add(target)
        for access in assignment.references:
            others = [r for r in access.referents if r is not assignment]
            for other in others:
                other_node = getattr(other, "node", None)
                if other_node is not None and self.call_bindings.get(other_node) == kind:
                    out.shared_with.add(other_node)
                else:
                    out.blockers.append(Finding.of("RSP303", name=target.value, line=self._line(access.node)))
                    return
            node = access.node
            if not isinstance(node, cst.Name):
                out.blockers.append(Finding.of("RSP301", how="is named in a string", line=self._line(target)))
                return
            parent = self.parents.get(node)
            if isinstance(parent, cst.Del):
                continue
            self._value(node, kind, out, seen)


def _extends_chain(parent: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    if isinstance(parent, cst.Attribute):
        return parent.value is node
    if isinstance(parent, cst.Subscript):
        return parent.value is node
    if isinstance(parent, cst.Call):
        return parent.func is node
    return False


def _segment(node: cst.CSTNode) -> tuple[str, object]:
    if isinstance(node, cst.Attribute):
        return ("attr", node.attr.value)
    if isinstance(node, cst.Subscript):
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            value = node.slice[0].slice.value
            if isinstance(value, cst.Integer):
                return ("index", int(value.value, 0))
        return ("index", "<" + code_of(node).strip() + ">")
    assert isinstance(node, cst.Call)
    return ("call", None) if not node.args else ("call", "<args>")


def _assigned_name(parent: cst.CSTNode | None, node: cst.CSTNode) -> cst.Name | None:
    """The plain name `node` is assigned to (`name = node`), if that is what `parent` does."""
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is node and isinstance(parent.target, cst.Name):
        return parent.target
    return None


def _how(parent: cst.CSTNode | None, shown: str) -> str:
    if isinstance(parent, cst.Return):
        return f"`{shown}` is returned"
    if isinstance(parent, (cst.Yield, cst.From)):
        return f"`{shown}` is yielded"
    if isinstance(parent, cst.Arg):
        return f"`{shown}` is passed to a function"
    if isinstance(parent, (cst.AssignTarget, cst.Assign, cst.AnnAssign, cst.AugAssign)):
        return f"`{shown}` is stored"
    if isinstance(parent, (cst.Element, cst.DictElement, cst.StarredElement)):
        return f"`{shown}` is put in a container"
    if isinstance(parent, (cst.For, cst.CompFor)):
        return f"`{shown}` is iterated"
    return f"`{shown}` is used as a whole"


def apply_chain_edit(edit: ChainEdit, updated: cst.BaseExpression) -> cst.BaseExpression:
    """Rebuild `updated` (the edited chain node) as its base plus the new path."""
    base = updated
    for _ in range(edit.depth):
        if isinstance(base, cst.Attribute):
            base = base.value
        elif isinstance(base, cst.Subscript):
            base = base.value
        elif isinstance(base, cst.Call):
            base = base.func
        else:  # pragma: no cover - the planner only records chains it walked
            raise ValueError("chain edit does not match the tree")
    result: cst.BaseExpression = base
    for kind, value in edit.to:
        if kind == "attr":
            result = cst.Attribute(value=result, attr=cst.Name(str(value)))
        elif kind == "index":
            result = cst.Subscript(value=result, slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(value))))])
        else:
            result = cst.Call(func=result)
    if isinstance(updated, cst.BaseExpression) and (updated.lpar or updated.rpar):
        result = result.with_changes(lpar=updated.lpar, rpar=updated.rpar)
    return result
