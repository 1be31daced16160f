"""Follow every use of a call's result and plan the rewrite of each read (docs/api-mapping.md#results).

A result is followed through attribute/subscript/call chains (`resp.choices[0].message.content`),
`await`, plain assignments to a name (`resp = ...`, `msg = resp.choices[0].message`) and loops
over list values (`for tc in msg.tool_calls:`), whose every reader is then followed in turn, and
`self.<attr>` stores into the class's reads (attributes.py). A read is rewritten as
rules/results.toml says, an annotation of the value as rules/annotations.toml says
(annotations.py); anything else done with the value is a blocker: the whole call is then left
alone and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import partial

import libcst as cst

from migrate.analysis.links import NO_LINKS, Links, absolute_module
from migrate.analysis.nodes import (
    Parents,
    assigned_target,
    brief,
    code_of,
    describe_use,
    in_tree_order,
    qualified_names,
    string_value,
    truth_tested,
)
from migrate.analysis.nones import none_discarded
from migrate.analysis.read_owners import ReadOwners
from migrate.analysis.scopes import Assignment
from migrate.analysis.scopes import Scope as BaseScope
from migrate.catalog.findings import Finding
from migrate.catalog.loader import Catalog, ResultPath, Segment, ValueUses, format_path
from migrate.rewrite.aliases import alias_edits
from migrate.rewrite.annotations import Retype, TypeMapper
from migrate.rewrite.attributes import SelfAttributes, Store, stored_attribute
from migrate.rewrite.choices import one_choice
from migrate.rewrite.edits import Edit
from migrate.rewrite.generators import yielded_by
from migrate.rewrite.helpers import Refused, passed_to_function
from migrate.rewrite.keys import KeyCheck
from migrate.rewrite.streams import GuardRefused, and_operand, narrowed, plan_text_loop, redundant_guard

Step = tuple[str, object]  # ("attr", name) | ("index", i) | ("call", None) | ("template", text)


@dataclass
class Followed:
    edits: list[Edit] = field(default_factory=list)
    fixes: list[Finding] = field(default_factory=list)
    blockers: list[Finding] = field(default_factory=list)
    # Assignments (by target Name node) that bind this result; and other bindings that
    # share readers with them (the planner couples those call sites).
    bindings: set[cst.CSTNode] = field(default_factory=set)
    shared_with: set[cst.CSTNode] = field(default_factory=set)
    # For each of those, the variable (a Name or `self.<attr>` node) that may hold either value.
    shared_via: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    # Shared values (message lists) this result was added to.
    shared_values: set[cst.CSTNode] = field(default_factory=set)
    # Reads whose number changes in Responses (a tool call's `index`): they may only key dicts.
    keys: list[cst.CSTNode] = field(default_factory=list)
    # Values passed to functions of other modules (links.helpers): (qualified name, parameter) -> kind.
    across: dict[tuple[str, str], str] = field(default_factory=dict)
    # Annotations rewritten to Responses types (their imports are planned once for the module).
    retypes: list[Retype] = field(default_factory=list)
    # Module functions that return this result (name -> the kind of value they return).
    returns: dict[str, str] = field(default_factory=dict)
    # Parameters of module functions this value is passed to (helpers.py): (function, param) -> (kind,
    # the value every call passes there), each of which some migrated call must account for in
    # `claimed` (the values this result reached, by their kind).
    passed: dict[tuple[str, cst.CSTNode], tuple[str, list[cst.CSTNode]]] = field(default_factory=dict)
    claimed: dict[cst.CSTNode, str] = field(default_factory=dict)


class ResultFollower:
    def __init__(
        self,
        catalog: Catalog,
        scopes: Mapping[cst.CSTNode, BaseScope | None],
        parents: Parents,
        positions,
        call_bindings: Mapping[cst.CSTNode, str],
        sinks: Callable[[cst.CSTNode, str, Followed], bool] | None = None,
        links: Links = NO_LINKS,
    ) -> None:
        self.kinds = catalog.results
        # What the run knows of this module's functions' callers in other modules.
        self.links = links
        self.uses = catalog.value_uses
        self.text_loop = catalog.text_loop
        # Templates that an `if` testing the read narrows (`narrow`): template -> (test, read).
        self.narrowing = {
            p.template: p.narrow for paths in self.kinds.values() for p in paths if p.narrow and p.template
        }
        self.scopes = scopes
        self.parents = parents
        self.positions = positions
        # Name nodes that bind the result of some recognised call site -> its result kind.
        self.call_bindings = call_bindings
        # Other places a whole value may go (e.g. appended to a followed message list).
        self.sinks = sinks
        self.key_check = KeyCheck(catalog.keyed_dicts, scopes, parents, positions)
        self.types = TypeMapper(catalog.annotations, scopes)
        self.attributes = SelfAttributes(scopes, parents, self._line)

    def follow(self, node: cst.CSTNode, kind: str) -> Followed:
        out = Followed()
        self._value(node, kind, out, set())
        if out.keys:
            out.blockers.extend(self.key_check.problems(out.keys, node))
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
        self._whole(node, kind, out, seen, shown=brief(node))

    def _whole(self, node: cst.CSTNode, kind: str, out: Followed, seen: set[int], shown: str) -> None:
        """The value (of a non-leaf kind) is used as a whole."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.Expr):
            return  # discarded
        target = _assigned_name(parent, node)
        if (
            isinstance(parent, cst.AnnAssign)
            and target is not None
            and not self._annotated(parent.annotation, kind, out, target.value, node)
        ):
            return
        if target is not None:
            self._binding(target, kind, out, seen)
            return
        if isinstance(parent, cst.NamedExpr) and parent.value is node and isinstance(parent.target, cst.Name):
            self._binding(parent.target, kind, out, seen)  # `if calls := msg.tool_calls:`
            self._value(parent, kind, out, seen)  # and the value where the walrus stands
            return
        if self._stored(node, parent, kind, out, seen):
            return
        if isinstance(parent, cst.Return) and parent.value is node and self._returned(parent, kind, out, seen):
            return
        if self._use_as_value(node, parent, kind, out, seen):
            return
        if self._passed(node, parent, kind, out, seen):
            return
        if self._yielded(node, parent, kind, out, seen):
            return
        if self.sinks is not None and self.sinks(node, kind, out):
            return
        out.blockers.append(Finding.of("RSP301", how=describe_use(parent, shown, self.parents), line=self._line(node)))

    def _returned(self, statement: cst.Return, kind: str, out: Followed, seen: set[int]) -> bool:
        """A value returned by a plain module-level function whose every use in this module is a
        call: the calls are values of the same kind, followed in turn. False: not followable."""
        function: cst.CSTNode | None = statement
        while function is not None and not isinstance(function, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            function = self.parents.get(function)
        if not isinstance(function, cst.FunctionDef) or function.decorators:
            return False
        if not isinstance(self.parents.get(function), cst.Module):
            return False  # methods and nested functions are called in ways this does not follow
        scope = self.scopes.get(function)
        if scope is None:
            return False
        bound = [a for a in scope.assignments[function.name.value] if isinstance(a, Assignment)]
        if len(bound) != 1 or bound[0].node is not function:
            return False
        calls = []
        for access in in_tree_order(bound[0].references, self.parents):
            call = self.parents.get(access.node)
            if not (isinstance(call, cst.Call) and call.func is access.node):
                return False
            calls.append(call)
        name = function.name.value
        if name in self.links.refused:
            out.blockers.append(Finding.of("RSP309", name=name, why=self.links.refused[name]))
            return True
        elsewhere = self.links.followed_elsewhere.get(name)
        if not calls and elsewhere is None:
            return False  # its readers are all elsewhere: an API of this module
        if function.returns is not None and not self._annotated(function.returns, kind, out, f"{name}()", function):
            return True
        out.bindings.add(function.name)  # every call returned from it migrates with this one, or none
        out.returns[name] = kind
        if elsewhere is not None:
            out.fixes.append(Finding.of("RSP140", name=name, modules=elsewhere))
        elif not name.startswith("_"):
            out.fixes.append(Finding.of("RSP135", name=name))
        for call in calls:
            self._value(call, kind, out, seen)
        return True

    def follow_parameter(self, param: cst.Param, kind: str) -> Followed:
        """The reads of a function's parameter that callers in other modules pass values of
        `kind` to (links.params)."""
        out = Followed()
        annotation = param.annotation
        if annotation is None or self._annotated(annotation, kind, out, param.name.value, param):
            self._binding(param, kind, out, set())
        if out.keys:
            out.blockers.extend(self.key_check.problems(out.keys, param))
        return out

    def _passed_across(self, node: cst.CSTNode, parent, kind: str, out: Followed) -> bool:
        """`execute_tool(value)` (or `run_tool(value)`, `tools.execute_tool(value)`), a function
        imported from another module of the run (links.helpers): the value is followed into its
        parameter there, once that module is planned with this one. False: not passed to such a
        function."""
        if not self.links.helpers or not isinstance(parent, cst.Arg) or parent.value is not node or parent.star:
            return False
        call = self.parents.get(parent)
        if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
            return False
        names = {_absolute(q, self.links.package) for q in qualified_names(self.scopes, call.func)}
        qualified = next((q for q in sorted(names) if q in self.links.helpers), None)
        if qualified is None:
            return False
        helper = self.links.helpers[qualified]
        name, shown = code_of(call.func).strip(), brief(node)
        args = tuple((a.keyword.value if a.keyword is not None else None, bool(a.star)) for a in call.args)
        param = helper.parameter(args, list(call.args).index(parent))
        if param is None:
            how = f"`{shown}` is passed to `{name}()` where no plain parameter takes it"
            out.blockers.append(Finding.of("RSP301", how=how, line=self._line(node)))
            return True
        out.claimed[node] = kind
        out.across[(qualified, param)] = kind
        if helper.refused is not None:
            how = f"`{shown}` is passed to `{name}()` (`{qualified}`), and {helper.refused}"
            out.blockers.append(Finding.of("RSP301", how=how, line=self._line(node)))
        elif not helper.confirmed or helper.params.get(param) != kind:
            how = (
                f"`{shown}` is passed to `{name}()` (`{qualified}`), whose parameter `{param}` is followed only"
                " when its module is planned with every module that calls it"
            )
            out.blockers.append(Finding.of("RSP301", how=how, line=self._line(node)))
        else:
            fix = Finding.of("RSP145", name=name, param=param)
            if fix not in out.fixes:
                out.fixes.append(fix)
        return True

    def _passed(self, node: cst.CSTNode, parent, kind: str, out: Followed, seen: set[int]) -> bool:
        """`helper(value)`, a function of this module: the value is followed into its parameter.
        False: not passed to a function of this module."""
        passed = passed_to_function(node, parent, self.parents, self.scopes)
        if passed is None:
            return self._passed_across(node, parent, kind, out)
        if isinstance(passed, Refused):
            finding = Finding.of("RSP301", how=passed.how, line=self._line(passed.at))
            if finding not in out.blockers:  # the same value passed twice to one function
                out.blockers.append(finding)
            return True
        name = passed.function.name.value
        if self._imported_elsewhere(node, f"is passed to `{name}()`", name, out):
            return True
        out.claimed[node] = kind
        out.passed[(name, passed.param)] = (kind, list(passed.values))
        annotation = passed.param.annotation
        if annotation is not None and not self._annotated(annotation, kind, out, passed.param.name.value, node):
            return True
        if not name.startswith("_"):
            fix = Finding.of("RSP145", name=name, param=passed.param.name.value)
            if fix not in out.fixes:
                out.fixes.append(fix)
        self._binding(passed.param, kind, out, seen)
        return True

    def _imported_elsewhere(self, node: cst.CSTNode, how: str, function: str, out: Followed) -> bool:
        """Is `function` (which `node` is passed to, or yielded by) refused by the run, or followed
        by another module that imports it? Then the value can't be followed into it (RSP301)."""
        if function not in self.links.refused and function not in self.links.followed_elsewhere:
            return False
        why = self.links.refused.get(function) or "another module of the run imports it"
        out.blockers.append(Finding.of("RSP301", how=f"`{brief(node)}` {how}, and {why}", line=self._line(node)))
        return True

    def _yielded(self, node: cst.CSTNode, parent, kind: str, out: Followed, seen: set[int]) -> bool:
        """`yield value` in a generator of this module: the value is followed into the variable
        of every loop over the generator's calls. False: not yielded by such a generator."""
        found = yielded_by(node, parent, self.parents, self.scopes)
        if found is None:
            return False
        if isinstance(found, Refused):
            out.blockers.append(Finding.of("RSP301", how=found.how, line=self._line(found.at)))
            return True
        name = found.function.name.value
        if self._imported_elsewhere(node, f"is yielded by `{name}()`", name, out):
            return True
        out.claimed[node] = kind
        out.passed[(name, found.function)] = (kind, list(found.values))
        out.bindings.add(found.function.name)  # every value it yields migrates together, or none
        if found.function.returns is not None:
            shown = code_of(found.function.returns.annotation).strip()
            why = "the generator's annotation is not rewritten"
            out.blockers.append(
                Finding.of("RSP304", name=f"{name}()", annotation=shown, line=self._line(node), why=why)
            )
            return True
        for target in found.targets:
            self._binding(target, kind, out, seen)
        return True

    def _use_as_value(self, node, parent, kind: str, out: Followed, seen: set[int]) -> bool:
        uses = self.uses.get(kind, ValueUses())
        if uses.truth and truth_tested(parent, node, self.parents):
            return True
        if uses.truth and _or_empty(parent, node):
            out.edits.append(Edit(parent, _or_operand))
            self._value(parent, kind, out, seen)  # `(msg.tool_calls or [])[0]` reads on
            return True
        if uses.len and isinstance(parent, cst.Arg):
            call = self.parents.get(parent)
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "len":
                return len(call.args) == 1
        if (
            uses.none_kept
            and isinstance(parent, cst.Comparison)
            and parent.left is node
            and _none_comparison(parent) is not None
        ):
            return True  # the Responses value is there wherever chat's was: the test reads the same
        if uses.none_check and isinstance(parent, cst.Comparison) and parent.left is node:
            negated = _none_comparison(parent)
            if negated is not None:
                in_test = truth_tested(self.parents.get(parent), parent, self.parents)
                out.edits.append(Edit(parent, partial(_emptiness, not_none=negated, in_test=in_test)))
                return True
        if uses.one_choice is not None:
            single = one_choice(node, parent, self.parents, self.scopes)
            if isinstance(single, str):
                out.blockers.append(Finding.of("RSP313", path=brief(node), line=self._line(node), why=single))
                return True
            if single is not None:
                out.edits.extend(single.edits)
                if single.target is not None:
                    self._binding(single.target, uses.one_choice, out, seen)
                return True
        if (
            uses.iterate is not None
            and isinstance(parent, (cst.For, cst.CompFor))
            and parent.iter is node
            and isinstance(parent.target, cst.Name)
        ):
            if self._text_loop(parent, uses.iterate, out, seen):
                return True
            self._binding(parent.target, uses.iterate, out, seen)
            return True
        if (
            uses.enter is not None
            and isinstance(parent, cst.WithItem)
            and parent.item is node
            and parent.asname is not None
            and isinstance(parent.asname.name, cst.Name)
        ):
            self._binding(parent.asname.name, uses.enter, out, seen)
            return True
        return False

    def _text_loop(self, loop: cst.CSTNode, kind: str, out: Followed, seen: set[int]) -> bool:
        """A `for` loop over a stream that uses only its text (streams.py). A loop that does
        more is followed read by read; where that stops at a test of `choices` /
        `finish_reason` the loop had, the call is reported with why (RSP315)."""
        spec = self.text_loop
        if spec is None or kind != spec.kind or not isinstance(loop, cst.For):
            return False
        planned = plan_text_loop(loop, spec, self.scopes, self.parents, self._line)
        if planned is None:
            return False
        if isinstance(planned, GuardRefused):
            assert isinstance(loop.target, cst.Name)
            by_reads = Followed()
            self._binding(loop.target, kind, by_reads, set(seen))
            guards = {self._line(guard) for guard in planned.guards}
            if any(dict(b.args).get("line") in guards for b in by_reads.blockers):
                guard = min(planned.guards, key=self._line)
                finding = Finding.of("RSP315", test=code_of(guard).strip(), line=self._line(guard), why=planned.why)
                out.blockers.append(finding)
            else:
                _merge(out, by_reads)
            return True
        out.edits.extend(planned.edits)
        out.fixes.extend(planned.fixes)
        out.bindings.add(loop.target)
        return True

    def _annotated(self, annotation: cst.Annotation, kind: str, out: Followed, name: str, at: cst.CSTNode) -> bool:
        """The annotation of a value of `kind` is rewritten to its Responses type. False (with a
        blocker) when the tool doesn't understand it."""
        retyped = self.types.retype(annotation, kind)
        if retyped.why is not None:
            shown = code_of(annotation.annotation).strip()
            out.blockers.append(Finding.of("RSP304", name=name, annotation=shown, line=self._line(at), why=retyped.why))
            return False
        for retype in retyped.retypes:
            out.edits.append(Edit(retype.node, retype.build))
            out.retypes.append(retype)
            fix = Finding.of("RSP138", annotation=retype.shown, new=retype.new)
            if fix not in out.fixes:
                out.fixes.append(fix)
        return True

    def _stored(self, node: cst.CSTNode, parent, kind: str, out: Followed, seen: set[int]) -> bool:
        """`self.<attr> = value` in a method: every read of `self.<attr>` in the class is a value of
        the same kind (see attributes.py for what must hold). False: not stored on `self`."""
        target = stored_attribute(parent, node)
        slot = self.attributes.slot(target) if target is not None else None
        if target is None or slot is None:
            return False
        shown = code_of(target).strip()
        if isinstance(slot, str):
            out.blockers.append(Finding.of("RSP308", attr=shown, line=self._line(node), why=slot))
            return True
        optional = False
        for store in slot.stores:
            if store.annotation is not None and not self._annotated(store.annotation, kind, out, shown, store.target):
                return True
            if store.target is target or store.value is None:
                continue
            if isinstance(store.value, cst.Name) and store.value.value == "None":
                optional = True
                continue
            roots = self._store_roots(store, kind)
            if not roots:
                why = f"it is also assigned `{code_of(store.value).strip()}` at line {self._line(store.target)}"
                out.blockers.append(Finding.of("RSP308", attr=shown, line=self._line(node), why=why))
                return True
            out.shared_with |= roots
            out.shared_via.update(dict.fromkeys(roots - out.shared_via.keys(), target))
        out.bindings.add(target)
        fix = Finding.of("RSP139", owner=slot.cls.name.value, attr=slot.attr)
        if slot.public and fix not in out.fixes:
            out.fixes.append(fix)
        keeps_none = optional and not self.uses.get(kind, ValueUses()).none_check
        for read in slot.reads:
            if keeps_none and _none_tested(read, self.parents):
                continue  # `self.last is None`, `if self.last:`: the same test on a Response
            self._value(read, kind, out, seen)
        return True

    def _store_roots(self, store: Store, kind: str) -> set[cst.CSTNode]:
        """The call bindings another value stored in the slot comes from (empty: anything else)."""
        if self.call_bindings.get(store.target) == kind:
            return {store.target}
        value = store.value
        if not isinstance(value, cst.Name):
            return self.derived_from(store.target, kind)
        scope = self.scopes.get(value)
        accesses = [a for a in scope.accesses[value] if a.node is value] if scope is not None else []
        if len(accesses) != 1 or not accesses[0].referents:
            return set()
        roots: set[cst.CSTNode] = set()
        for referent in accesses[0].referents:
            found = self.derived_from(getattr(referent, "node", None), kind)
            if not found:
                return set()
            roots |= found
        return roots

    # ------------------------------------------------------------------ chains
    def _chain(self, base: cst.CSTNode, kind: str, out: Followed, seen: set[int]) -> None:
        nodes: list[cst.CSTNode] = []
        segments: list[tuple[str, object]] = []
        current = base
        parent = self.parents.get(current)
        while _extends_chain(parent, current):
            assert parent is not None
            segments.append(_segment(parent))
            nodes.append(parent)
            current = parent
            parent = self.parents.get(current)

        consumed, steps, entry, final_kind, fixes = self._match(kind, segments)
        steps = self._narrowed(base, kind, nodes, segments, steps, out)
        shown_base = brief(base)
        shown = shown_base + format_path(tuple(segments))
        if consumed and not _base_allows(steps, base):
            out.blockers.append(Finding.of("RSP302", path=shown, line=self._line(nodes[0])))
            return
        if entry is not None and entry.compare is not None:
            self._compare(base, nodes[consumed - 1], consumed, steps, entry, out, shown)
            out.fixes.extend(fixes)
            return
        if final_kind is None and consumed:  # reached a leaf: rewrite the matched part, keep the rest
            target = nodes[consumed - 1]
            if entry is not None and entry.none_elsewhere and not none_discarded(target, self.parents, self.scopes):
                shown = shown_base + format_path(tuple(segments[:consumed]))
                out.blockers.append(
                    Finding.of("RSP310", path=shown, line=self._line(target), event=entry.none_elsewhere)
                )
                return
            bare = consumed == len(segments) and _parens_redundant(self.parents.get(target), target)
            out.edits.append(_chain_edit(target, consumed, steps, bare))
            out.fixes.extend(fixes)
            if entry is not None and entry.key:
                out.keys.append(target)
            return
        if consumed < len(segments):
            spec = self.text_loop
            if spec is not None and kind == spec.kind and tuple(segments[: len(spec.choices)]) == spec.choices:
                redundant = redundant_guard(nodes[len(spec.choices) - 1], base, spec, self.parents)
                if redundant is not None:  # `chunk.choices and <the text's test>`
                    out.edits.append(Edit(redundant, _and_right))
                    return
            out.blockers.append(Finding.of("RSP302", path=shown, line=self._line(nodes[consumed])))
            return
        # The chain ends on a non-leaf value (e.g. `resp.choices[0].message`): bound to a name,
        # or used as a whole in a way its kind allows.
        top = nodes[-1]
        out.edits.append(_chain_edit(top, consumed, steps))
        out.fixes.extend(fixes)
        if not steps and isinstance(base, cst.Name):  # `message = completion`: no alias left behind
            out.edits.extend(alias_edits(top, base, self.parents, self.scopes) or ())
        self._whole(top, final_kind, out, seen, shown=shown)

    def _narrowed(
        self, base: cst.CSTNode, kind: str, nodes: list, segments: list, steps: list[Step], out: Followed
    ) -> list[Step]:
        """The steps with a stream read's template narrowed where an `if` settles its event
        (streams.narrowed)."""
        for i, (step, template) in enumerate(steps):
            entry = self.narrowing.get(str(template)) if step == "template" else None
            if entry is None:
                continue
            depth = next(j for j in range(1, len(segments) + 1) if len(self._match(kind, segments[:j])[1]) > i)
            found = narrowed(nodes[depth - 1], base, entry, self.parents, self.text_loop)
            if found is None:
                continue
            new, comparison = found
            steps = [*steps[:i], ("template", new), *steps[i + 1 :]]
            if comparison is not None:  # `x is not None` -> `<event> and x is not None`
                event = _fill(and_operand(entry[0]), base)  # type: ignore[arg-type]
                out.edits.append(Edit(comparison, partial(_after_test, event=event)))
        return steps

    def _match(self, kind: str, segments: list):
        """How much of `segments` the kind tables explain: (consumed, steps, last entry, kind, fixes)."""
        consumed = 0
        steps: list[Step] = []
        fixes: list[Finding] = []
        current: str | None = kind
        last: ResultPath | None = None
        while current is not None and consumed < len(segments):
            for entry in self.kinds[current]:
                n = len(entry.path)
                if _segments_match(segments[consumed : consumed + n], entry.path):
                    consumed += n
                    last = entry
                    if entry.template is not None:
                        steps.append(("template", entry.template))
                    else:
                        steps.extend(_concrete(entry.to, segments[consumed - n : consumed]))
                    if entry.fix:
                        fixes.append(Finding.of(entry.fix, **dict(entry.fix_args)))
                    current = entry.kind
                    if entry.compare is not None:
                        return consumed, steps, last, None, fixes
                    break
            else:
                return consumed, steps, None, current, fixes
        return consumed, steps, last, current, fixes

    def _compare(self, base, node, consumed, steps, entry: ResultPath, out: Followed, shown: str) -> None:
        """`resp.choices[0].finish_reason == "stop"` -> the expression the table gives for "stop"."""
        comparison = self.parents.get(node)
        assert entry.compare is not None
        if not (
            isinstance(comparison, cst.Comparison) and comparison.left is node and len(comparison.comparisons) == 1
        ):
            out.blockers.append(Finding.of("RSP302", path=shown, line=self._line(node)))
            return
        target = comparison.comparisons[0]
        literals = _compared_literals(target)
        if literals is None or any(lit not in entry.compare for lit in literals):
            out.blockers.append(Finding.of("RSP302", path=f"{shown} {code_of(target).strip()}", line=self._line(node)))
            return
        templates = [entry.compare[lit] for lit in literals]
        if not isinstance(base, cst.Name) and any(t.count("{base}") != 1 for t in templates):
            out.blockers.append(Finding.of("RSP302", path=shown, line=self._line(node)))
            return
        negate = isinstance(target.operator, (cst.NotEqual, cst.NotIn))
        in_test = truth_tested(self.parents.get(comparison), comparison, self.parents)
        depth = consumed

        def build(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Comparison)
            value = _apply_steps(_strip(updated.left, depth), steps)
            parts = [_fill(t, value) for t in templates]
            expr = parts[0] if len(parts) == 1 else cst.parse_expression(" or ".join(f"({code_of(p)})" for p in parts))
            if negate:
                expr = cst.UnaryOperation(operator=cst.Not(), expression=_parenthesize(expr))
            elif not in_test and isinstance(expr, cst.BooleanOperation):
                expr = _parenthesize(expr)
            return expr.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else expr

        out.edits.append(Edit(comparison, build))

    # ------------------------------------------------------------------ names
    def derived_from(self, target: cst.CSTNode | None, kind: str, depth: int = 0) -> set[cst.CSTNode]:
        """The call bindings whose result `target` (a name assigned somewhere) holds a value of
        `kind` from, through a path the tables know; empty when it may hold anything else."""
        if target is None or depth > 6:
            return set()
        if self.call_bindings.get(target) == kind:
            return {target}
        value = _assigned_value(self.parents, target)
        if value is None:
            return set()
        segments: list[tuple[str, object]] = []
        base = value
        while isinstance(base, (cst.Attribute, cst.Subscript, cst.Call)):
            segments.insert(0, _segment(base))
            base = base.func if isinstance(base, cst.Call) else base.value
        if not isinstance(base, cst.Name) or not segments:
            return set()
        scope = self.scopes.get(base)
        accesses = [a for a in scope.accesses[base] if a.node is base] if scope is not None else []
        if len(accesses) != 1 or not accesses[0].referents:
            return set()
        for base_kind in {k for k in self.kinds}:
            consumed, _, entry, final, _ = self._match(base_kind, segments)
            if consumed == len(segments) and final == kind and (entry is None or entry.compare is None):
                roots: set[cst.CSTNode] = set()
                for referent in accesses[0].referents:
                    found = self.derived_from(getattr(referent, "node", None), base_kind, depth + 1)
                    if not found:
                        break
                    roots |= found
                else:
                    return roots
        return set()

    def _binding(self, target: cst.Name | cst.Param, kind: str, out: Followed, seen: set[int]) -> None:
        """Follow every read of a name (or a parameter). Flow-insensitively, but for the reads that
        only one binding can reach (analysis/read_owners.py): any other read of the name in its
        scope may see this value (loops run back), and every other value bound to the name that
        such a read may see must be a result of the same kind, from calls the planner then
        couples with this one."""
        scope = self.scopes.get(target)
        spelled = target.value if isinstance(target, cst.Name) else target.name.value
        assignments = [a for a in scope.assignments[spelled] if isinstance(a, Assignment)] if scope else []
        assignments = in_tree_order(assignments, self.parents)
        ours = next((a for a in assignments if a.node is target), None)
        if ours is None:
            out.blockers.append(Finding.of("RSP303", name=spelled, line=self._line(target)))
            return
        out.bindings.add(target)
        # A read that only one binding's value can reach (a loop's item in its body, a statement's
        # value in the statements after it: analysis/read_owners.py) is that binding's: the
        # reads to follow are ours and the free ones; other values matter only where a free
        # read may see them, but results of this kind are still coupled with ours (a name a type
        # checker gives one type must not hold a `Response` here and a `ChatCompletion` there).
        owners = ReadOwners((a.node for a in assignments), self.parents)
        every_read = {id(a): a for assignment in assignments for a in assignment.references}.values()
        owner = {id(a): owners.owner(a.node) for a in every_read}
        followed = [a for a in every_read if owner[id(a)] in (None, target)]
        free = any(owner[id(a)] is None for a in followed)
        for other in assignments:
            if other is ours:
                continue
            declared = _declaration(self.parents, other.node)
            if declared is not None:  # `resp: ChatCompletion` alone, bound elsewhere
                if not self._annotated(declared.annotation, kind, out, spelled, other.node):
                    return
                continue
            roots = self.derived_from(other.node, kind)
            if not roots and not free:
                continue  # a value no read of ours can see
            if not roots:
                out.blockers.append(Finding.of("RSP303", name=spelled, line=self._line(other.node)))
                return
            # Another call's result of this kind: the name holds one type only if both migrate.
            out.shared_with |= roots
            via = target.name if isinstance(target, cst.Param) else target
            out.shared_via.update(dict.fromkeys(roots - out.shared_via.keys(), via))
        for access in in_tree_order(followed, self.parents):
            if any(not isinstance(r, Assignment) for r in access.referents):
                out.blockers.append(Finding.of("RSP303", name=spelled, line=self._line(access.node)))
                return
            node = access.node
            if not isinstance(node, cst.Name):
                out.blockers.append(Finding.of("RSP301", how="is named in a string", line=self._line(target)))
                return
            parent = self.parents.get(node)
            if isinstance(parent, cst.Del):
                continue
            self._value(node, kind, out, seen)


# ---------------------------------------------------------------------- helpers


def _absolute(qualified: str, package: str) -> str:
    """LibCST spells a name imported relatively as `.tools.run`; resolve it against `package`."""
    dots = len(qualified) - len(qualified.lstrip("."))
    return absolute_module(qualified[dots:], dots, package) or qualified


def _merge(out: Followed, other: Followed) -> None:
    """Add what `other` found to `out`."""
    for f in fields(Followed):
        mine, theirs = getattr(out, f.name), getattr(other, f.name)
        if isinstance(mine, list):
            mine.extend(theirs)
        else:
            mine.update(theirs)


def _segments_match(found: list, wanted: tuple[Segment, ...]) -> bool:
    if len(found) != len(wanted):
        return False
    for (fk, fv), (wk, wv) in zip(found, wanted, strict=True):
        if fk != wk:
            return False
        if wk == "index" and wv == "*":
            if not isinstance(fv, int):
                return False
        elif fv != wv:
            return False
    return True


def _concrete(to: tuple[Segment, ...], found: list) -> list[Step]:
    """The `to` segments with `[*]` filled in from the index actually read."""
    indexes = iter(v for k, v in found if k == "index")
    return [(k, next(indexes) if k == "index" and v == "*" else v) for k, v in to]


def _base_allows(steps: list[Step], base: cst.CSTNode) -> bool:
    """A template that repeats or drops its base needs a base without side effects (and, to
    stay readable, a plain name or attribute chain rather than what an earlier step built)."""
    simple = _simple(base)
    for kind, value in steps:
        if kind == "template" and str(value).count("{base}") != 1 and not simple:
            return False
        simple = simple and kind == "attr"
    return True


def _simple(node: cst.CSTNode) -> bool:
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


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
            if (
                isinstance(value, cst.UnaryOperation)
                and isinstance(value.operator, cst.Minus)
                and isinstance(value.expression, cst.Integer)
            ):
                return ("index", -int(value.expression.value, 0))
        return ("index", "<" + code_of(node).strip() + ">")
    assert isinstance(node, cst.Call)
    return ("call", None) if not node.args else ("call", "<args>")


def _assigned_name(parent: cst.CSTNode | None, node: cst.CSTNode) -> cst.Name | None:
    """The plain name `node` is assigned to (`name = node`), if that is what `parent` does."""
    return assigned_target(parent, node, cst.Name)


def _assigned_value(parents: Mapping, target: cst.CSTNode) -> cst.BaseExpression | None:
    parent = parents.get(target)
    if isinstance(parent, cst.AssignTarget):
        statement = parents.get(parent)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return statement.value
    return None


def _declaration(parents: Mapping, target: cst.CSTNode) -> cst.AnnAssign | None:
    """`target: T` with no value (a declaration), if that is what binds `target`."""
    parent = parents.get(target)
    if isinstance(parent, cst.AnnAssign) and parent.target is target and parent.value is None:
        return parent
    return None


def _none_tested(node: cst.CSTNode, parents: Mapping) -> bool:
    """`node is None` / `is not None` (or `==`/`!=`), or a truth test of `node`."""
    parent = parents.get(node)
    if isinstance(parent, cst.Comparison) and parent.left is node and _none_comparison(parent) is not None:
        return True
    return truth_tested(parent, node, parents)


def _or_empty(parent: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    """`node or []`: the same list (chat's None becomes the empty list Responses gives anyway)."""
    return (
        isinstance(parent, cst.BooleanOperation)
        and isinstance(parent.operator, cst.Or)
        and parent.left is node
        and isinstance(parent.right, (cst.List, cst.Tuple))
        and not parent.right.elements
    )


def _none_comparison(comparison: cst.Comparison) -> bool | None:
    """For `x is None` False, for `x is not None` True; None for any other comparison."""
    if len(comparison.comparisons) != 1:
        return None
    target = comparison.comparisons[0]
    if not (isinstance(target.comparator, cst.Name) and target.comparator.value == "None"):
        return None
    if isinstance(target.operator, (cst.Is, cst.Equal)):
        return False
    if isinstance(target.operator, (cst.IsNot, cst.NotEqual)):
        return True
    return None


def _emptiness(updated: cst.CSTNode, not_none: bool, in_test: bool) -> cst.BaseExpression:
    """`xs is None` -> `not xs`; `xs is not None` -> `xs` in a test, else `bool(xs)`."""
    assert isinstance(updated, cst.Comparison)
    value = updated.left
    if not not_none:
        return cst.UnaryOperation(operator=cst.Not(), expression=value)
    if in_test:
        return value
    return cst.Call(func=cst.Name("bool"), args=[cst.Arg(value)])


def _compared_literals(target: cst.ComparisonTarget) -> list[str] | None:
    if isinstance(target.operator, (cst.Equal, cst.NotEqual)):
        text = string_value(target.comparator)
        return [text] if text is not None else None
    if isinstance(target.operator, (cst.In, cst.NotIn)) and isinstance(
        target.comparator, (cst.Tuple, cst.List, cst.Set)
    ):
        texts = [string_value(e.value) for e in target.comparator.elements if isinstance(e, cst.Element)]
        if texts and all(t is not None for t in texts) and len(texts) == len(target.comparator.elements):
            return texts  # type: ignore[return-value]
    return None


# ---------------------------------------------------------------------- building the new chains


def _chain_edit(target: cst.CSTNode, depth: int, steps: list[Step], bare: bool = False) -> Edit:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        result = _apply_steps(_strip(updated, depth), steps)
        if bare and not (isinstance(updated, cst.BaseExpression) and updated.lpar):
            result = result.with_changes(lpar=[], rpar=[])
        return _keep_parens(updated, result)

    return Edit(target, build)


def _parens_redundant(parent: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    """Is `node` in a place where any expression may stand without parentheses?"""
    if isinstance(parent, (cst.If, cst.While)):
        return parent.test is node
    if isinstance(parent, cst.Arg):
        return parent.value is node and not parent.star
    if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.Return, cst.Expr)):
        return parent.value is node
    if isinstance(parent, cst.Element):
        return parent.value is node
    return False


def _strip(node: cst.CSTNode, depth: int) -> cst.BaseExpression:
    """The base under `depth` chain levels of `node`."""
    base = node
    for _ in range(depth):
        if isinstance(base, (cst.Attribute, cst.Subscript)):
            base = base.value
        elif isinstance(base, cst.Call):
            base = base.func
        else:  # pragma: no cover - the planner only records chains it walked
            raise ValueError("chain edit does not match the tree")
    return base  # type: ignore[return-value]


def _apply_steps(base: cst.BaseExpression, steps: list[Step]) -> cst.BaseExpression:
    result = base
    for kind, value in steps:
        if kind == "attr":
            result = cst.Attribute(value=result, attr=cst.Name(str(value)))
        elif kind == "index":
            assert isinstance(value, int)  # ("index", i): an int (`[*]` is filled in from the read)
            index = value
            expr: cst.BaseExpression = cst.Integer(str(abs(index)))
            if index < 0:
                expr = cst.UnaryOperation(operator=cst.Minus(), expression=expr)
            result = cst.Subscript(value=result, slice=[cst.SubscriptElement(cst.Index(expr))])
        elif kind == "call":
            result = cst.Call(func=result)
        else:
            result = _fill(str(value), result)
    return result


_PLACEHOLDER = "__migrate_base__"


class _Fill(cst.CSTTransformer):
    def __init__(self, value: cst.BaseExpression) -> None:
        self.value = value

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.value if updated_node.value == _PLACEHOLDER else updated_node


def _fill(template: str, value: cst.BaseExpression) -> cst.BaseExpression:
    expr = cst.parse_expression(template.replace("{base}", _PLACEHOLDER))
    if not _simple(value) and not isinstance(value, (cst.Call, cst.Subscript)):
        value = _parenthesize(value)
    return expr.visit(_Fill(value))  # type: ignore[return-value]


def _parenthesize(expr: cst.BaseExpression) -> cst.BaseExpression:
    if expr.lpar:
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _after_test(updated: cst.CSTNode, event: cst.BaseExpression) -> cst.BaseExpression:
    """`<event> and <updated>`, in the parentheses of the whole."""
    assert isinstance(updated, cst.BaseExpression)
    inner = updated.with_changes(lpar=[], rpar=[])
    return cst.BooleanOperation(left=event, operator=cst.And(), right=inner, lpar=updated.lpar, rpar=updated.rpar)


def _and_right(updated: cst.CSTNode) -> cst.BaseExpression:
    """`guard and x` -> `x`, in the parentheses of the whole."""
    assert isinstance(updated, cst.BooleanOperation)
    return _keep_parens(updated, updated.right)


def _or_operand(updated: cst.CSTNode) -> cst.BaseExpression:
    """`x or []` -> `x`, in the parentheses of the whole (dropped around an atom that needs none:
    `(calls or [])[0]` -> `[item for ...][0]`)."""
    assert isinstance(updated, cst.BooleanOperation)
    left = updated.left
    atom = isinstance(left, (cst.List, cst.ListComp, cst.Name, cst.Attribute, cst.Call, cst.Subscript))
    plain = all(
        isinstance(p.whitespace_after, cst.SimpleWhitespace) and not p.whitespace_after.value for p in updated.lpar
    ) and all(
        isinstance(p.whitespace_before, cst.SimpleWhitespace) and not p.whitespace_before.value for p in updated.rpar
    )
    if atom and not left.lpar and plain:
        return left
    return _keep_parens(updated, left)


def _keep_parens(updated: cst.CSTNode, result: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(updated, cst.BaseExpression) and (updated.lpar or updated.rpar):
        return result.with_changes(lpar=updated.lpar, rpar=updated.rpar)
    return result
