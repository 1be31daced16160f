"""Reads whose number changes in Responses, kept only where they key dicts nobody reads keys of.

A chat tool-call delta's `index` counts the tool calls of a message (0, 1, ...); the Responses
event's `output_index` counts every output item, reasoning and messages included, so the same
call may be 0 in one API and 1 in the other. Code that accumulates deltas into a dict keyed by
the number ends with the same values in the same order under other keys. The rewrite is kept
only when no code can see those keys:

* each read is used as a key: `d[read]`, `d.<keyed method>(read, ...)`, `read in d`, directly
  or through a name bound to the read and to nothing else;
* each such dict is a name bound only to new empty dicts (`{}`, `dict()`, `defaultdict(...)`,
  as rules/results.toml `_keys` lists), made anew for each stream (in the call's scope, inside
  every loop around the call), keyed only by these reads, and otherwise only tested for
  truth, passed to `len()` or used through methods that don't show the keys (`.values()`).

Anything else (`d.items()`, `for k in d`, `d[0]`, `return d`, the read printed) is RSP307.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from migrate.analysis.nodes import code_of, truth_tested
from migrate.analysis.scopes import Assignment
from migrate.catalog.findings import Finding
from migrate.catalog.loader import KeyedDicts


class KeyCheck:
    def __init__(self, table: KeyedDicts, scopes: Mapping, parents: Mapping, positions) -> None:
        self.table = table
        self.scopes = scopes
        self.parents = parents
        self.positions = positions

    def problems(self, reads: list[cst.CSTNode], call: cst.CSTNode) -> list[Finding]:
        """RSP307 for the first read (or dict it keys) whose keys some code could see; `call`
        makes the stream the reads come from."""
        keys: dict[cst.CSTNode, cst.CSTNode] = {}  # an expression holding a key -> its read
        for read in reads:
            held = self._holders(read)
            if held is None:
                return [self._finding(read, "is bound to a name that also holds other values", read)]
            keys.update((node, read) for node in held)
        dicts: dict[cst.CSTNode, tuple[str, list[Assignment], cst.CSTNode]] = {}  # by first binding
        for node, read in keys.items():
            store = self._keyed_store(node)
            if store is None:
                return [self._finding(read, f"is used in `{_shown(self._user(node))}`", node)]
            bindings = self._dict_bindings(store)
            if bindings is None:
                return [self._finding(read, f"keys `{store.value}`, which isn't always a new, empty dict", store)]
            if not self._one_per_stream(bindings, call):
                return [
                    self._finding(
                        read, f"keys `{store.value}`, which may collect the tool calls of several responses", store
                    )
                ]
            dicts.setdefault(bindings[0].node, (store.value, bindings, read))
        for name, bindings, read in dicts.values():
            for node in self._in_order(access.node for assignment in bindings for access in assignment.references):
                how = self._use_problem(node, keys)
                if how is not None:
                    return [self._finding(read, f"keys `{name}`, and `{_shown(self._user(node))}` {how}", node)]
        return []

    def _in_order(self, nodes) -> list[cst.CSTNode]:
        return sorted(set(nodes), key=lambda n: (self.positions[n].start.line, self.positions[n].start.column))

    def _finding(self, read: cst.CSTNode, how: str, where: cst.CSTNode) -> Finding:
        return Finding.of("RSP307", read=code_of(read).strip(), how=how, line=self.positions[where].start.line)

    # ------------------------------------------------------------------ the reads
    def _holders(self, read: cst.CSTNode) -> list[cst.CSTNode] | None:
        """The expressions that hold the read's value: itself, or every use of the one name
        it is bound to (`index = delta.index`). None: that name holds other values too."""
        statement = self.parents.get(read)
        if not (isinstance(statement, cst.Assign) and statement.value is read and len(statement.targets) == 1):
            return [read]
        target = statement.targets[0].target
        if not isinstance(target, cst.Name):
            return [read]  # stored elsewhere: not a key
        scope = self.scopes.get(target)
        bound = [a for a in scope.assignments[target.value]] if scope is not None else []
        if len(bound) != 1 or not isinstance(bound[0], Assignment) or bound[0].node is not target:
            return None
        return self._in_order(access.node for access in bound[0].references)

    def _keyed_store(self, node: cst.CSTNode) -> cst.Name | None:
        """`d` when `node` is a key of `d`: `d[node]`, `d.setdefault(node, ...)`, `node in d`."""
        parent = self.parents.get(node)
        candidate: cst.CSTNode | None = None
        if isinstance(parent, cst.Index):
            candidate = getattr(self.parents.get(self.parents.get(parent)), "value", None)
        elif isinstance(parent, cst.Arg):
            func = getattr(self.parents.get(parent), "func", None)
            candidate = func.value if isinstance(func, cst.Attribute) else None
        elif isinstance(parent, cst.Comparison) and parent.comparisons:
            candidate = parent.comparisons[0].comparator
        if isinstance(candidate, cst.Name) and self._key_in(candidate) == (True, node):
            return candidate
        return None

    # ------------------------------------------------------------------ the dicts
    def _dict_bindings(self, name: cst.Name) -> list[Assignment] | None:
        """Every binding of the dict `name` refers to, if each makes a new empty dict."""
        scope = self.scopes.get(name)
        if scope is None:
            return None
        accesses = [a for a in scope.accesses[name] if a.node is name]
        if len(accesses) != 1 or not accesses[0].referents:
            return None
        referents = accesses[0].referents
        if not all(isinstance(a, Assignment) for a in referents):
            return None
        home = next(iter(referents)).scope
        bindings = [a for a in home.assignments[name.value]]
        if not all(isinstance(a, Assignment) and self._new_empty_dict(a.node) for a in bindings):
            return None
        return bindings

    def _one_per_stream(self, bindings: list[Assignment], call: cst.CSTNode) -> bool:
        """Is a new dict made for each stream? Bound in the scope of the call and inside each
        loop around it there. (Across responses, chat's numbers and `output_index` collide
        differently: a message before the call shifts `output_index` alone.)"""
        scope = self.scopes.get(call)
        if scope is None or any(b.scope is not scope for b in bindings):
            return False
        return all(any(self._within(b.node, loop) for b in bindings) for loop in self._loops_around(call))

    def _loops_around(self, node: cst.CSTNode | None) -> list[cst.CSTNode]:
        loops: list[cst.CSTNode] = []
        node = self.parents.get(node)
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)):
            if isinstance(node, (cst.For, cst.While)):
                loops.append(node)
            node = self.parents.get(node)
        return loops

    def _within(self, node: cst.CSTNode | None, ancestor: cst.CSTNode) -> bool:
        while node is not None and node is not ancestor:
            node = self.parents.get(node)
        return node is ancestor

    def _new_empty_dict(self, target: cst.CSTNode) -> bool:
        statement = self.parents.get(self.parents.get(target))
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            value = statement.value
        else:
            statement = self.parents.get(target)
            if not (
                isinstance(statement, cst.AnnAssign) and statement.target is target and statement.value is not None
            ):
                return False
            value = statement.value
        if isinstance(value, cst.Dict):
            return not value.elements
        if not isinstance(value, cst.Call):
            return False
        scope = self.scopes.get(value)
        names = {q.name for q in scope.get_qualified_names_for(value.func)} if scope is not None else set()
        if not names & self.table.new:
            return False
        return "builtins.dict" not in names or not value.args  # `dict(...)` with arguments has keys

    def _use_problem(self, node: cst.CSTNode, keys: Mapping[cst.CSTNode, cst.CSTNode]) -> str | None:
        """None when this use of the dict is keyed by one of `keys` or blind to the keys."""
        keyed, key = self._key_in(node)
        if keyed:
            return None if key in keys else "uses it with other keys"
        return None if self._blind_to_keys(node) else "can see its keys"

    def _key_in(self, node: cst.CSTNode) -> tuple[bool, cst.CSTNode | None]:
        """Is this use of the dict `node` a keyed access (`d[k]`, `d.get(k)`, `k in d`), and by what key?"""
        parent = self.parents.get(node)
        if isinstance(parent, cst.Subscript) and parent.value is node:
            index = parent.slice[0].slice if len(parent.slice) == 1 else None
            return True, index.value if isinstance(index, cst.Index) else None
        if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value in self.table.keyed:
            call = self.parents.get(parent)
            if isinstance(call, cst.Call) and call.func is parent:
                first = call.args[0] if call.args and call.args[0].keyword is None and not call.args[0].star else None
                return True, first.value if first is not None else None
        if (
            isinstance(parent, cst.ComparisonTarget)
            and parent.comparator is node
            and isinstance(parent.operator, (cst.In, cst.NotIn))
        ):
            comparison = self.parents.get(parent)
            if isinstance(comparison, cst.Comparison) and len(comparison.comparisons) == 1:
                return True, comparison.left
        return False, None

    def _blind_to_keys(self, node: cst.CSTNode) -> bool:
        """`len(d)`, `if d:`, `d.values()`: uses that don't show the keys."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            call = self.parents.get(parent)
            return (
                isinstance(call, cst.Call)
                and call.func is parent
                and parent.attr.value in self.table.keyless
                and not call.args
            )
        if isinstance(parent, cst.Arg) and parent.value is node and not parent.star:
            call = self.parents.get(parent)
            return (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Name)
                and call.func.value == "len"
                and len(call.args) == 1
            )
        return truth_tested(parent, node, self.parents)

    def _user(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The statement that uses `node` (for a compound statement, its header)."""
        statement = self.parents.get(node)
        while statement is not None and not isinstance(statement, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            statement = self.parents.get(statement)
        return statement


def _shown(statement: cst.CSTNode | None) -> str:
    """A statement's first line, e.g. `for key in calls`, shortened."""
    if statement is None:
        return ""
    if hasattr(statement, "leading_lines"):
        statement = statement.with_changes(leading_lines=())
    text = code_of(statement).strip().splitlines()[0].rstrip(":").strip()
    return text if len(text) <= 60 else text[:57] + "..."
