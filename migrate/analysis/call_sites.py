"""Find `.chat.completions.*` call sites and resolve whether their receiver is an OpenAI client.

Resolution uses the scope analysis (migrate/analysis/scopes.py: assignments, accesses, qualified
names), never the
spelling of a name: `client` is an OpenAI client because it was assigned `openai.OpenAI(...)`
(in any import form), or is a parameter annotated with that type, or `self.client` was
assigned such a value in the class. The class names the SDK, not the server: every route to a
server the module shows (constructor keywords, attributes assigned later, the environment,
in-place wrappers: migrate/analysis/routes.py, rules/clients.toml [routes]) and, for an
annotated parameter, what this module passes it, must lead to OpenAI's API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol, cast
from urllib.parse import urlsplit

import libcst as cst

from migrate.analysis.callers import callers
from migrate.analysis.constants import known_string
from migrate.analysis.links import absolute_module
from migrate.analysis.nodes import Parents, code_of, keyword_argument, qualified_names, string_value
from migrate.analysis.routes import REPLACED, RouteNodes, Routes, Write
from migrate.analysis.scopes import Assignment, GlobalScope, ImportAssignment, QualifiedNameSource
from migrate.analysis.scopes import Scope as BaseScope
from migrate.analysis.walk import children, descendants, walk
from migrate.catalog.findings import Finding
from migrate.catalog.loader import Catalog, Method

_MAX_DEPTH = 8
# Findings that say a client talks to another server than OpenAI's (another SDK or provider, an
# in-place wrapper, another base URL): a caller passing one holds back the callee's calls.
_ELSEWHERE = frozenset({"RSP001", "RSP002", "RSP003"})


@dataclass
class CallSiteNode:
    call: cst.Call
    method: Method
    method_name: str  # e.g. "create", "with_raw_response.create"
    receiver: cst.BaseExpression


@dataclass(frozen=True)
class Client:
    azure: bool = False
    # An Azure client on the v1 API (rules/clients.toml [azure_responses]): /responses is served.
    v1: bool = False
    # An Azure client whose api_version is not shown to serve /responses: why (RSP006, RSP007).
    version: Finding | None = None


Resolution = Client | Finding


@dataclass
class IndirectNode:
    """A Chat Completions method reached other than by a call of `<client>.chat.completions.<m>`:
    `getattr(client, "chat")`, `client.chat.completions.create` passed on or bound to a name
    (`functools.partial(...)`), `chat.completions.create(...)` on `chat = client.chat`."""

    node: cst.CSTNode  # what is reported: its first line carries the marker
    receiver: cst.BaseExpression | None  # the client expression; None: through `alias`
    how: str  # the code that reaches it, for the message
    # Known to be chat's shape (`x.chat.completions`): on a client of another server it is
    # skipped for that reason (RSP001-RSP003), like a call site; otherwise only an OpenAI
    # client's use is recognised.
    shaped: bool = False
    alias: cst.Name | None = None  # `chat` in `chat.completions.create(...)`


def find_call_sites(
    module: cst.Module,
    catalog: Catalog,
    routes: RouteNodes | None = None,
    indirect: list[IndirectNode] | None = None,
) -> tuple[list[CallSiteNode], Parents]:
    """The call sites in source order (outer first), and the parent of every node other than
    formatting (one traversal). `routes`, if given, gets the statements that may route a
    client to another server (migrate/analysis/routes.py); `indirect` the candidate indirect
    uses of a chat method (`IndirectNode`)."""
    finder = _Finder(catalog, routes, indirect)
    walk(module, finder, formatting=False)
    return finder.found, finder.parents


class _Finder(cst.CSTVisitor):
    def __init__(self, catalog: Catalog, routes: RouteNodes | None, indirect: list[IndirectNode] | None) -> None:
        self.catalog = catalog
        self.indirect = indirect
        self.direct: set[cst.CSTNode] = set()  # the `x.chat` of each call site
        self.prefixes = {path[:n] for path in catalog.methods for n in range(len(path) + 1)}
        self.found: list[CallSiteNode] = []
        self.last_names = {path[-1] for path in catalog.methods}
        self.routes = routes
        table = catalog.clients.routes
        writers = {"setattr", *table.environ_methods, *(n.rsplit(".", 1)[-1] for n in table.setenv)}
        self.route_calls = writers | {n.rsplit(".", 1)[-1] for n in table.in_place_wrappers}
        self.parents = Parents()
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parents[node] = self._stack[-1]
        self._stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self._stack.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.routes is not None:
            for target in node.targets:
                if isinstance(target.target, (cst.Attribute, cst.Subscript)):
                    self.routes.writes.append((target.target, node.value, node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.routes is not None and isinstance(node.target, (cst.Attribute, cst.Subscript)):
            self.routes.writes.append((node.target, node.value, node))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self.routes is not None and isinstance(node.target, (cst.Attribute, cst.Subscript)):
            self.routes.writes.append((node.target, None, node))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if self.routes is not None:
            last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if last in self.route_calls:
                self.routes.calls.append(node)
        if self.indirect is not None:
            self._indirect_call(node)
        if not (isinstance(func, cst.Attribute) and func.attr.value in self.last_names):
            return
        names: list[str] = []
        base: cst.BaseExpression = func
        while isinstance(base, cst.Attribute):
            names.append(base.attr.value)
            if len(names) >= 2 and names[-1] == "chat" and names[-2] == "completions":
                break
            base = base.value
        else:
            return
        assert isinstance(base, cst.Attribute)
        path = tuple(reversed(names[:-2]))
        method = self.catalog.methods.get(path)
        if method is None:
            return
        self.direct.add(base)
        receiver = base.value
        if isinstance(receiver, cst.Attribute) and receiver.attr.value == "beta":
            receiver = receiver.value
        self.found.append(CallSiteNode(node, method, ".".join(path), receiver))

    # ------------------------------------------------------------------ indirect uses
    def visit_Attribute(self, node: cst.Attribute) -> None:
        value = node.value
        if (
            self.indirect is None
            or node.attr.value != "completions"
            or not isinstance(value, cst.Attribute)
            or value.attr.value != "chat"
            or value in self.direct
        ):
            return
        # The whole chain `x.chat.completions.<path>`, from the visitor's stack of ancestors.
        outer: cst.CSTNode = node
        path: list[str] = []
        for ancestor in reversed(self._stack[:-1]):
            if not (isinstance(ancestor, cst.Attribute) and ancestor.value is outer):
                break
            path.append(ancestor.attr.value)
            outer = ancestor
        parent = self._stack[-len(path) - 2] if len(self._stack) > len(path) + 1 else None
        if isinstance(parent, cst.Call) and parent.func is outer:
            return  # a call of another method (`list`, `messages.list`, ...): not chat's to migrate
        if isinstance(parent, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.Del)):
            return  # the method replaced (a patch), not used
        if tuple(path) not in self.prefixes:
            return  # another resource under chat.completions (`messages`)
        receiver = value.value
        if isinstance(receiver, cst.Attribute) and receiver.attr.value == "beta":
            receiver = receiver.value
        self.indirect.append(IndirectNode(outer, receiver, code_of(outer).strip(), shaped=True))

    def _indirect_call(self, node: cst.Call) -> None:
        assert self.indirect is not None
        func = node.func
        if isinstance(func, cst.Name) and func.value == "getattr" and len(node.args) >= 2:
            target, name = node.args[0].value, string_value(node.args[1].value)
            if name == "chat":
                self.indirect.append(IndirectNode(node, target, _short(node)))
            elif name == "completions" and isinstance(target, cst.Attribute) and target.attr.value == "chat":
                self.indirect.append(IndirectNode(node, target.value, _short(node), shaped=True))
            return
        # `chat.completions.<method>(...)` on a name, which may be bound to `client.chat`.
        names: list[str] = []
        base: cst.BaseExpression = func
        while isinstance(base, cst.Attribute):
            names.append(base.attr.value)
            base = base.value
        if (
            isinstance(base, cst.Name)
            and len(names) >= 2
            and names[-1] == "completions"
            and tuple(reversed(names[:-1])) in self.catalog.methods
        ):
            self.indirect.append(IndirectNode(node, None, _short(node.func) + "(...)", alias=base))


class Resolver:
    """Decides what a receiver expression is, through assignments, parameters and `self.<attr>`."""

    def __init__(
        self,
        catalog: Catalog,
        scopes: Mapping[cst.CSTNode, BaseScope | None],
        parents: Mapping[cst.CSTNode, cst.CSTNode],
        routes: RouteNodes | None = None,
        modules: OtherModules | None = None,
        package: str | Callable[[], str] = "",
    ) -> None:
        self.clients = catalog.clients
        self.scopes = scopes
        self.parents = parents
        self.modules = modules
        self._package = package
        self._global: BaseScope | None = None
        self.routes = Routes(routes or RouteNodes(), catalog.clients, scopes, parents, self._enclosing_class)

    # ------------------------------------------------------------------ public
    def resolve(self, receiver: cst.BaseExpression) -> Resolution:
        return self._expr(receiver, code_of(receiver).strip(), 0)

    def resolve_indirect(self, found: IndirectNode) -> Resolution | None:
        """What the client of an indirect use is; None where it turns out not to be one
        (`getattr` is not the builtin, a name not bound to `x.chat`, a receiver of unknown type,
        or, unless the use has chat's shape, one that is not an OpenAI client)."""
        receiver = found.receiver
        if found.alias is not None:
            receiver = self._chat_alias(found.alias)
        elif isinstance(found.node, cst.Call) and "builtins.getattr" not in self.qualified_names(found.node.func):
            return None
        if receiver is None:
            return None
        resolved = self.resolve(receiver)
        if isinstance(resolved, Finding) and (not found.shaped or resolved.code not in _ELSEWHERE):
            return None  # not known to be a client at all: not recognised (no RSP004 noise)
        return resolved

    def _chat_alias(self, name: cst.Name) -> cst.BaseExpression | None:
        """`x` when `name` is bound only by `name = x.chat`."""
        scope = self.scopes.get(name)
        accesses = [a for a in scope.accesses[name] if a.node is name] if scope is not None else []
        referents = accesses[0].referents if accesses else set()
        values: list[cst.BaseExpression] = []
        for referent in referents:
            target = self.parents.get(referent.node) if isinstance(referent, Assignment) else None
            statement = self.parents.get(target) if isinstance(target, cst.AssignTarget) else None
            if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
                return None
            value = statement.value
            if not (isinstance(value, cst.Attribute) and value.attr.value == "chat"):
                return None
            values.append(value.value)
        return values[0] if len(values) == 1 else None

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        return qualified_names(self.scopes, node)

    def _is_module_client(self, node: cst.Name) -> bool:
        """`openai` bound by `import openai` (any alias), not a variable that happens to be called so."""
        scope = self.scopes.get(node)
        if scope is None:
            return False
        return any(
            q.name == self.clients.module_client and q.source is QualifiedNameSource.IMPORT
            for q in scope.get_qualified_names_for(node)
        )

    # ------------------------------------------------------------------ expressions
    def _unresolved(self, receiver: str, why: str) -> Finding:
        return Finding.of("RSP004", receiver=receiver, why=why)

    def _expr(self, node: cst.BaseExpression, receiver: str, depth: int) -> Resolution:
        if depth > _MAX_DEPTH:
            return self._unresolved(receiver, "too many indirections")
        if isinstance(node, cst.Call):
            return self._value(node, receiver, depth)
        if isinstance(node, cst.Name):
            if self._is_module_client(node):
                return self._module_client(receiver)
            return self._name(node, receiver, depth)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return self._self_attribute(node, receiver, depth)
        if isinstance(node, cst.Attribute):
            imported = self._imported_attribute(node)
            if imported is not None:
                module, name = imported
                shown = f"`{code_of(node).strip()}`"
                return self._from_module(module, name, shown, receiver, depth + 1)
        return self._unresolved(receiver, f"`{_short(node)}` is not a name the tool follows")

    def _name(self, node: cst.Name, receiver: str, depth: int) -> Resolution:
        scope = self.scopes.get(node)
        if scope is None:
            return self._unresolved(receiver, "no scope information")
        accesses = [a for a in scope.accesses[node] if a.node is node]
        if not accesses:
            return self._unresolved(receiver, f"`{node.value}` is not bound in this module")
        referents = accesses[0].referents
        if not referents:
            return self._unresolved(receiver, f"`{node.value}` is not bound in this module")
        results = [self._assignment(a, receiver, depth + 1) for a in self._not_none(referents)]
        resolved = _agree(results, receiver)
        if isinstance(resolved, Client):
            # A module-level client another module may replace (`llm.client = Groq()`).
            module_level = any(isinstance(getattr(r, "scope", None), GlobalScope) for r in referents)
            written = None
            if module_level and self.modules is not None:
                written = self.modules.written(node.value, self.modules.module_of(self))
            if written is not None:
                return self._unresolved(receiver, f"`{node.value}` is a module-level name assigned by {written}")
            bound = set(referents)
            return self._routed(resolved, self.routes.on_binding(bound), self.routes.patched(bound), receiver)
        return resolved

    def _not_none(self, bindings: Iterable[object]) -> list[object]:
        """The bindings that may hold the client: not `x = None` (a receiver that is None fails on
        `.chat` before and after the rewrite alike), unless that is all there is."""
        kept = [b for b in bindings if not self._assigns_none(b)]
        return kept or list(bindings)

    def _assigns_none(self, binding: object) -> bool:
        node = binding.node if isinstance(binding, Assignment) else None
        target = self.parents.get(node) if isinstance(node, cst.Name) else None
        statement = self.parents.get(target) if isinstance(target, cst.AssignTarget) else target
        value = statement.value if isinstance(statement, (cst.Assign, cst.AnnAssign)) else None
        return value is not None and _is_none(value)

    def _assignment(self, assignment: object, receiver: str, depth: int) -> Resolution:
        if not isinstance(assignment, Assignment):
            return self._unresolved(receiver, "a builtin or implicit name")
        node = assignment.node
        if isinstance(node, cst.Param):
            why = f"`{node.name.value}` is a parameter without an OpenAI type annotation"
            if node.annotation is None and node.default is not None:
                # `client=OpenAI()`: the default shows the type, as an annotation would.
                default = self._value(node.default, receiver, depth + 1)
                if isinstance(default, Client):
                    return self._passed(node, default, receiver, depth)
            annotated = self._annotation(node.annotation, receiver, why)
            if isinstance(annotated, Client):
                return self._passed(node, annotated, receiver, depth)
            return self._callers(node, receiver, depth, why) if node.annotation is None else annotated
        if isinstance(node, cst.ImportFrom) and isinstance(assignment, ImportAssignment):
            module, name = self._imported_name(assignment, node)
            if module is not None and name is not None:
                return self._from_module(module, name, f"`{assignment.name}`", receiver, depth)
            return self._unresolved(receiver, self._unplaced(f"`{assignment.name}`", node))
        if isinstance(node, cst.Import):
            return self._unresolved(receiver, f"`{assignment.name}` is a module, not a client")
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            kind = "function" if isinstance(node, cst.FunctionDef) else "class"
            return self._unresolved(receiver, f"`{assignment.name}` is a {kind}")
        if isinstance(node, cst.Name):
            parent = self.parents.get(node)
            if isinstance(parent, cst.AssignTarget):
                statement = self.parents.get(parent)
                if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                    return self._value(statement.value, receiver, depth)
            if isinstance(parent, cst.AnnAssign) and parent.target is node:
                annotated = self._annotation(parent.annotation, receiver, "")
                annotated = self._constructed(annotated, parent.value, receiver, depth)
                if isinstance(annotated, Client) or parent.value is None:
                    return (
                        annotated
                        if isinstance(annotated, Client)
                        else self._unresolved(receiver, "annotated without a value")
                    )
                return self._value(parent.value, receiver, depth)
            if isinstance(parent, cst.AsName):
                item = self.parents.get(parent)
                if isinstance(item, cst.WithItem):
                    return self._value(item.item, receiver, depth)
        return self._unresolved(receiver, "bound in a way the tool does not follow")

    def _self_attribute(self, node: cst.Attribute, receiver: str, depth: int) -> Resolution:
        cls = self._enclosing_class(node)
        if cls is None:
            return self._unresolved(receiver, "`self` outside a class")
        attr = node.attr.value
        values = self._class_values(cls, attr, receiver, depth)
        if not values and any(isinstance(line, cst.FunctionDef) and line.name.value == attr for line in cls.body.body):
            return self._property(cls, node, receiver, depth)
        if not values:
            inherited = self._inherited(cls, attr, receiver, depth)
            if inherited is None:
                return self._property(cls, node, receiver, depth)
            values = [inherited]
        resolved = _agree(values, receiver)
        if isinstance(resolved, Client):
            overridden = self._overridden(cls, attr, f"`self.{attr}`")
            if overridden is not None:  # a subclass for another provider may set its own client
                return self._unresolved(receiver, overridden)
            # An instance's client may be replaced from outside its class (`bot.client = Groq()`).
            written = self.modules.written(attr) if self.modules is not None else None
            if written is not None:
                return self._unresolved(receiver, f"`self.{attr}` may be replaced by {written}")
            writes, patched = self.routes.on_self(cls, attr), self.routes.patched_self(cls, attr)
            return self._routed(resolved, writes, patched, receiver)
        return resolved

    def _inherited(self, cls: cst.ClassDef, attr: str, receiver: str, depth: int) -> Resolution | None:
        """`self.<attr>` as the first base class of the project (in order, depth first) that
        assigns it sets it, checked for routes there; None when none does."""
        if depth > _MAX_DEPTH:
            return None
        for base in self._bases(cls):
            if isinstance(base, str):  # it may assign `self.<attr>`, for all the tool can tell
                return self._unresolved(receiver, f"`self.{attr}` is not assigned in `{cls.name.value}`; {base}")
            owner, defined = base
            values = owner._class_values(defined, attr, receiver, depth + 1)
            if not values:
                found = owner._inherited(defined, attr, receiver, depth + 1)
                if found is None:
                    continue
                return found
            resolved = _agree(values, receiver)
            if isinstance(resolved, Client):
                writes, patched = owner.routes.on_self(defined, attr), owner.routes.patched_self(defined, attr)
                resolved = owner._routed(resolved, writes, patched, receiver)
            if isinstance(resolved, Finding):
                return self._step(resolved, f"`self.{attr}` is set in the base class `{defined.name.value}`")
            return resolved
        return None

    def _bases(self, cls: cst.ClassDef) -> Iterator[tuple[Resolver, cst.ClassDef] | str]:
        """The base classes of `cls` in order, each with the resolver of its module, or why the
        tool can't read it (other than `object`, `ABC`, `Generic`, `Protocol`)."""
        for arg in cls.bases:
            base = arg.value
            if arg.keyword is not None or self.qualified_names(base) & _PLAIN_BASES:
                continue
            referent = self._only_referent(base) if isinstance(base, cst.Name) else None
            spelled = code_of(base).strip()
            if isinstance(referent, ImportAssignment) and isinstance(referent.node, cst.ImportFrom):
                module, imported = self._imported_name(referent, referent.node)
                other = self.modules.resolver(module) if self.modules is not None and module is not None else None
                defined = other.global_class(imported) if other is not None and imported is not None else None
                if other is None or defined is None:
                    why = self.modules.missing(module) if self.modules is not None and module is not None else None
                    yield f"its base class `{spelled}` comes from `{module}`, {why or 'which is not in the project'}"
                else:
                    yield other, defined
            elif isinstance(referent, Assignment) and isinstance(referent.node, cst.ClassDef):
                yield self, referent.node
            else:
                yield f"`{cls.name.value}` has the base class `{spelled}`, which the tool does not follow"

    def _class_values(self, cls: cst.ClassDef, attr: str, receiver: str, depth: int) -> list[Resolution]:
        """What the statements of `cls` assign to `self.<attr>` (or to `<attr>` in its body)."""
        values: list[Resolution] = []
        nones: list[Resolution] = []
        class_level = {id(s) for line in cls.body.body if isinstance(line, cst.SimpleStatementLine) for s in line.body}
        for statement in descendants(cls.body):
            if isinstance(statement, cst.Assign):
                for target in statement.targets:
                    t = target.target
                    if (isinstance(t, cst.Attribute) and t.attr.value == attr and _is_self(t.value)) or (
                        isinstance(t, cst.Name) and t.value == attr and id(statement) in class_level
                    ):
                        found = self._value(statement.value, receiver, depth + 1)
                        (nones if _is_none(statement.value) else values).append(found)
            elif isinstance(statement, cst.AnnAssign):
                t = statement.target
                if (isinstance(t, cst.Attribute) and t.attr.value == attr and _is_self(t.value)) or (
                    isinstance(t, cst.Name) and t.value == attr and id(statement) in class_level
                ):
                    annotated = self._annotation(statement.annotation, receiver, "")
                    annotated = self._constructed(annotated, statement.value, receiver, depth + 1)
                    if isinstance(annotated, Client):
                        values.append(annotated)
                    elif statement.value is not None:
                        found = self._value(statement.value, receiver, depth + 1)
                        (nones if _is_none(statement.value) else values).append(found)
            elif isinstance(statement, cst.AugAssign):
                t = statement.target
                if isinstance(t, cst.Attribute) and t.attr.value == attr and _is_self(t.value):
                    values.append(self._unresolved(receiver, f"`self.{attr}` is augmented"))
        # `self.client = None` until another method builds it: None fails on `.chat` either way.
        return values or nones

    def _enclosing_class(self, node: cst.CSTNode) -> cst.ClassDef | None:
        current: cst.CSTNode | None = node
        seen_function = False
        while current is not None:
            current = self.parents.get(current)
            if isinstance(current, cst.FunctionDef):
                seen_function = True
            elif isinstance(current, cst.ClassDef):
                return current if seen_function else None
        return None

    # ------------------------------------------------------------------ factories and imports
    @property
    def package(self) -> str:
        """This module's package, for its relative imports (asked for only when one is followed)."""
        if not isinstance(self._package, str):
            self._package = self._package()
        return self._package

    def _step(self, found: Finding, step: str) -> Finding:
        """An unresolved client's finding, prefixed with the step of the chain that led to it."""
        if found.code != "RSP004":
            return found
        args = dict(found.args)
        return Finding.of("RSP004", receiver=args["receiver"], why=f"{step}: {args['why']}")

    def _factory_call(self, call: cst.Call, receiver: str, depth: int) -> Resolution:
        """A call that may return a client: a function of this module or of another module of the
        project, or a method of `self`'s class (or a base class of the project), through every
        value it returns."""
        func = call.func
        shown = f"`{code_of(func).strip()}()`"
        if isinstance(func, cst.Name):
            referent = self._only_referent(func)
            if isinstance(referent, ImportAssignment) and isinstance(referent.node, cst.ImportFrom):
                module, name = self._imported_name(referent, referent.node)
                if module is not None and name is not None:
                    return self._from_module(module, name, shown, receiver, depth, call=True)
                return self._unresolved(receiver, self._unplaced(shown, referent.node))
            elif isinstance(referent, Assignment) and isinstance(referent.node, cst.FunctionDef):
                return self._returns(referent.node, shown, receiver, depth)
        elif isinstance(func, cst.Attribute) and _is_self(func.value):
            return self._method_factory(func, shown, receiver, depth)
        elif isinstance(func, cst.Attribute):
            imported = self._imported_attribute(func)
            if imported is not None:
                return self._from_module(*imported, shown, receiver, depth, call=True)
        return self._unresolved(receiver, f"built by `{_short(func)}(...)`, a call the tool does not follow")

    def _only_referent(self, name: cst.Name) -> object | None:
        scope = self.scopes.get(name)
        accesses = [a for a in scope.accesses[name] if a.node is name] if scope is not None else []
        referents = accesses[0].referents if accesses else set()
        return next(iter(referents)) if len(referents) == 1 else None

    def _returns(
        self, function: cst.FunctionDef, shown: str, receiver: str, depth: int, accepted: frozenset[str] = frozenset()
    ) -> Resolution:
        """What a factory returns: every `return` resolved. A return annotation naming an OpenAI
        class stands, as a parameter's does, for a value the tool can't trace; a value that
        leads to another server holds it back either way."""
        if depth > _MAX_DEPTH:
            return self._unresolved(receiver, "too many indirections")
        if function.asynchronous is not None:
            return self._unresolved(receiver, f"{shown} is a coroutine function")
        for decorator in function.decorators:
            target = decorator.decorator
            target = target.func if isinstance(target, cst.Call) else target
            if not self.qualified_names(target) & (self.clients.transparent_decorators | accepted):
                spelled = code_of(decorator.decorator).strip()
                return self._unresolved(receiver, f"{shown} is decorated with `@{spelled}`")
        returns, generator = _returns_of(function)
        if generator:
            return self._unresolved(receiver, f"{shown} is a generator")
        if not returns:
            return self._unresolved(receiver, f"{shown} has no `return` statement")
        annotated = self._annotation(function.returns, receiver, "") if function.returns is not None else None
        traced: list[Resolution] = []
        untraced: Finding | None = None
        for statement in returns:
            if statement.value is None:
                resolved: Resolution = self._unresolved(receiver, f"{shown} returns nothing")
            else:
                resolved = self._value(statement.value, receiver, depth + 1)
            if isinstance(resolved, Finding):
                if resolved.code in _ELSEWHERE:
                    return resolved
                if untraced is None and statement.value is not None:
                    untraced = self._step(resolved, f"{shown} returns `{_short(statement.value)}`")
                elif untraced is None:
                    untraced = resolved
                continue
            traced.append(resolved)
        if untraced is None:
            return _agree(traced, receiver)
        if isinstance(annotated, Client):
            return _agree([annotated, *traced], receiver)
        return untraced

    def _method_factory(self, func: cst.Attribute, shown: str, receiver: str, depth: int) -> Resolution:
        """`self.<method>()`: the method of the enclosing class or of the first base class of the
        project that defines it, unless a subclass in the project overrides it (another provider
        may build its client there)."""
        cls = self._enclosing_class(func)
        if cls is None:
            return self._unresolved(receiver, "`self` outside a class")
        name = func.attr.value
        found = self._find_method(cls, name, depth)
        if isinstance(found, str):
            return self._unresolved(receiver, f"{shown}: {found}")
        owner, method = found
        overridden = self._overridden(cls, name, shown)
        if overridden is not None:
            return self._unresolved(receiver, overridden)
        return owner._returns(method, shown, receiver, depth + 1)

    def _property(self, cls: cst.ClassDef, node: cst.Attribute, receiver: str, depth: int) -> Resolution:
        """`self.<attr>` not assigned in its class: a property of it or of a base class of the
        project (`@property def client(self)`), resolved like a factory method."""
        attr = node.attr.value
        found = self._find_method(cls, attr, depth)
        if isinstance(found, str) or not self._decorated(found[1], self.clients.property_decorators):
            why = f"`self.{attr}` is not assigned in `{cls.name.value}`"
            if isinstance(found, str) and not found.startswith("no method"):
                why += f", and a base class may define it: {found}"  # one the tool can't read
            return self._unresolved(receiver, why)
        shown = f"`self.{attr}`"
        overridden = self._overridden(cls, attr, shown)
        if overridden is not None:
            return self._unresolved(receiver, overridden)
        owner, method = found
        return owner._returns(method, shown, receiver, depth + 1, self.clients.property_decorators)

    def _decorated(self, function: cst.FunctionDef, names: frozenset[str]) -> bool:
        plain = [d.decorator for d in function.decorators if not isinstance(d.decorator, cst.Call)]
        return any(self.qualified_names(decorator) & names for decorator in plain)

    def _overridden(self, cls: cst.ClassDef, name: str, shown: str) -> str | None:
        """Why `name` as `self` finds it in `cls` may be another class's: a subclass in this
        module or another module of the project defines it."""
        overriding = self._overriding(cls, name)
        if overriding is None and self.modules is not None:
            overriding = self.modules.overriding(cls.name.value, name)
        if overriding is None:
            return None
        return f"{shown} is overridden by {overriding}, a subclass of `{cls.name.value}`"

    def _find_method(self, cls: cst.ClassDef, name: str, depth: int) -> tuple[Resolver, cst.FunctionDef] | str:
        """The method `name` as `cls` finds it: in its body, else in its base classes in order
        (this module's, or another module's of the project); why not, when it can't be told."""
        if depth > _MAX_DEPTH:
            return "too many base classes"
        for line in cls.body.body:
            if isinstance(line, cst.FunctionDef) and line.name.value == name:
                return self, line
        for base in self._bases(cls):
            if isinstance(base, str):
                return base
            owner, defined = base
            found = owner._find_method(defined, name, depth + 1)
            if not isinstance(found, str) or not found.startswith("no method"):
                return found
        return f"no method `{name}` in `{cls.name.value}` or its base classes in the project"

    def global_class(self, name: str) -> cst.ClassDef | None:
        """The class this module defines as `name` (bound once, by its `class` statement)."""
        scope = self.global_scope
        assignments = list(scope.assignments[name]) if scope is not None else []
        if len(assignments) == 1 and isinstance(assignments[0], Assignment):
            node = assignments[0].node
            return node if isinstance(node, cst.ClassDef) else None
        return None

    @property
    def global_scope(self) -> BaseScope | None:
        """The module's scope (found once)."""
        if self._global is None:
            self._global = next((s for s in self.scopes.values() if isinstance(s, GlobalScope)), None)
        return self._global

    def _overriding(self, cls: cst.ClassDef, name: str) -> str | None:
        """A class of this module that derives from `cls` and defines `name`, as `Sub.name`."""
        classes = [n for n in self.scopes if isinstance(n, cst.ClassDef)]
        derived = {cls}
        grew = True
        while grew:
            grew = False
            for other in classes:
                if other in derived:
                    continue
                for position, arg in enumerate(other.bases):
                    referent = self._only_referent(arg.value) if isinstance(arg.value, cst.Name) else None
                    if isinstance(referent, Assignment) and referent.node in derived:
                        # A base listed before it comes first in the method resolution order.
                        for earlier in other.bases[:position]:
                            if earlier.keyword is None and not self.qualified_names(earlier.value) & _PLAIN_BASES:
                                first = code_of(earlier.value).strip()
                                return f"`{other.name.value}` (which derives from `{first}` first)"
                        derived.add(other)
                        grew = True
                        break
        for other in classes:
            if other is not cls and other in derived and name in _defined(other):
                return f"`{other.name.value}.{name}`"
        return None

    def _unplaced(self, shown: str, node: cst.ImportFrom) -> str:
        """Why an import can't be followed to its module."""
        if isinstance(node.names, cst.ImportStar):
            return f"{shown} is imported with `*`"
        dots = "." * len(node.relative)
        module = code_of(node.module).strip() if node.module is not None else ""
        where = "its dots climb above the packages this file is in"
        return f"{shown} is imported from `{dots}{module}`, which the tool can't place ({where})"

    def _imported_name(self, assignment: ImportAssignment, node: cst.ImportFrom) -> tuple[str | None, str | None]:
        """(absolute module, name in it) of a name bound by `from <module> import <name> [as x]`."""
        if isinstance(node.names, cst.ImportStar):
            return None, None
        original = None
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name) and bound.value == assignment.name:
                original = code_of(alias.name).strip()
        module = code_of(node.module).strip() if node.module is not None else ""
        return absolute_module(module, len(node.relative), self.package), original

    def _imported_attribute(self, node: cst.Attribute) -> tuple[str, str] | None:
        """(module, name) of `<module>.<name>` when `<module>` is bound by an import
        (`import app.clients as clients`, `from app import clients`)."""
        if not isinstance(node.value, (cst.Name, cst.Attribute)):
            return None
        scope = self.scopes.get(node)
        if scope is None:
            return None
        names = [q.name for q in scope.get_qualified_names_for(node) if q.source is QualifiedNameSource.IMPORT]
        if len(names) != 1:
            return None
        name = names[0]
        dots = len(name) - len(name.lstrip("."))
        module, _, attr = name[dots:].rpartition(".")
        absolute = absolute_module(module, dots, self.package) if module or dots else None
        return (absolute, attr) if absolute else None

    def _from_module(
        self, module: str, name: str, shown: str, receiver: str, depth: int, *, call: bool = False
    ) -> Resolution:
        """`name` of another module of the project, resolved there (its routes included), or a
        call of it when `call`."""
        if depth > _MAX_DEPTH:
            return self._unresolved(receiver, "too many indirections")
        other = self.modules.resolver(module) if self.modules is not None else None
        if other is None:
            why = self.modules.missing(module) if self.modules is not None else None
            return self._unresolved(
                receiver, f"{shown} is imported from `{module}`, {why or 'which is not in the project'}"
            )
        if other is self:
            return self._unresolved(receiver, f"{shown} is imported from `{module}`, this module itself")
        resolved = other.global_value(name, shown, receiver, depth + 1, call=call)
        if isinstance(resolved, Finding):
            return self._step(resolved, f"{shown} comes from `{module}`")
        # Another module may give the module's `name` another value (`llm.client = Groq()`).
        written = self.modules.written(name, module.rpartition(".")[2]) if self.modules is not None else None
        if written is not None:
            return self._unresolved(receiver, f"{shown} comes from `{module}`, and `{name}` is assigned by {written}")
        # The environment this module writes reaches a client built elsewhere too, when its
        # constructor names no server: held back whether it does or not.
        variable = self.clients.routes.environment["azure" if resolved.azure else "openai"]
        kind = "endpoint" if resolved.azure else "url"
        return _combine(
            resolved, [self._server(kind, w.value, receiver, w.shown) for w in self.routes.environment(variable)]
        )

    def global_value(self, name: str, shown: str, receiver: str, depth: int, *, call: bool = False) -> Resolution:
        """The module-level `name` of this module as a client (or, when `call`, what calling it
        returns), as `_name` resolves a name bound in the module."""
        scope = self.global_scope
        assignments = list(scope.assignments[name]) if scope is not None else []
        if not assignments:
            return self._unresolved(receiver, f"no module-level `{name}` there")
        if call:
            (only,) = assignments if len(assignments) == 1 else (None,)
            if isinstance(only, ImportAssignment) and isinstance(only.node, cst.ImportFrom):
                module, original = self._imported_name(only, only.node)
                if module is not None and original is not None:
                    return self._from_module(module, original, shown, receiver, depth, call=True)
            if isinstance(only, Assignment) and isinstance(only.node, cst.FunctionDef):
                return self._returns(only.node, shown, receiver, depth)
            if isinstance(only, Assignment) and isinstance(only.node, cst.ClassDef):
                return self._unresolved(receiver, f"`{name}` is a class of the project, not an OpenAI client class")
            return self._unresolved(receiver, f"`{name}` there is not a function bound once")
        results = [self._assignment(a, receiver, depth + 1) for a in self._not_none(assignments)]
        resolved = _agree(results, receiver)
        if isinstance(resolved, Client):
            bound = set(assignments)
            return self._routed(resolved, self.routes.on_binding(bound), self.routes.patched(bound), receiver)
        return resolved

    # ------------------------------------------------------------------ values and types
    def _value(self, node: cst.BaseExpression, receiver: str, depth: int) -> Resolution:
        if _is_none(node):
            return self._unresolved(receiver, "assigned `None`")
        if isinstance(node, cst.Await):
            return self._unresolved(receiver, "assigned from an awaited expression")
        if isinstance(node, cst.Call):
            func = node.func
            names = self.qualified_names(func)
            for name in sorted(names):
                if name in self.clients.openai_classes or name in self.clients.azure_classes:
                    return self._check_base_url(node, receiver, azure=name in self.clients.azure_classes)
                if name in self.clients.wrappers:
                    return Finding.of("RSP002", receiver=receiver)
                for prefix, label in self.clients.other_sdks.items():
                    if name == prefix or name.startswith(prefix + "."):
                        return Finding.of("RSP001", receiver=receiver, sdk=label)
            if isinstance(func, cst.Attribute) and func.attr.value in self.clients.client_methods:
                copied = self._expr(func.value, receiver, depth + 1)
                if isinstance(copied, Client):
                    # `with_options(base_url=...)` / `copy(base_url=...)` move the copy elsewhere.
                    routed = _combine(copied, self._keywords(node, receiver)[0])
                    if isinstance(routed, Finding):
                        return routed
                    copied = routed
                version = keyword_argument(node, "api_version")
                if isinstance(copied, Client) and copied.azure and not copied.v1 and version is not None:
                    # `with_options(api_version=...)` / `copy(...)` send another api-version.
                    return replace(copied, version=self._azure_version(version, receiver))
                return copied
            return self._factory_call(node, receiver, depth)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # `client or OpenAI()`: the value of either side.
            sides = [self._value(side, receiver, depth + 1) for side in (node.left, node.right)]
            resolved = _agree(sides, receiver)
            return self._step(resolved, f"`{_short(node)}`") if isinstance(resolved, Finding) else resolved
        if isinstance(node, cst.IfExp):
            sides = [self._value(side, receiver, depth + 1) for side in (node.body, node.orelse)]
            return _agree(sides, receiver)
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self._expr(node, receiver, depth + 1)
        return self._unresolved(receiver, f"assigned `{code_of(node).strip()[:40]}`")

    def _check_base_url(self, call: cst.Call, receiver: str, *, azure: bool) -> Resolution:
        """A client constructor: the server its keywords name ([routes] keywords), or, when they
        name none, the environment variable the SDK then reads, if this module writes it."""
        azure_class = azure
        found, named = self._keywords(call, receiver)
        if not named:
            routes = self.clients.routes
            variable = routes.environment["azure" if azure_class else "openai"]
            kind = "endpoint" if azure_class else "url"
            found += [self._server(kind, w.value, receiver, w.shown) for w in self.routes.environment(variable)]
            found += self._project_environment(kind, variable, receiver)
        routed = _combine(Client(azure=azure_class), found)
        if isinstance(routed, Finding) or not azure_class or routed.v1:
            return routed
        version = keyword_argument(call, "api_version")
        return Client(azure=True, version=self._azure_version(version, receiver))

    def _keywords(self, call: cst.Call, receiver: str) -> tuple[list[Resolution], bool]:
        """What the server keywords of a constructor, `with_options` or `copy` say, and whether
        any is given (`None` is the SDK's default, not a server)."""
        found: list[Resolution] = []
        named = False
        for arg in call.args:
            if arg.star == "**":
                return [Finding.of("RSP003", receiver=receiver, base_url="from `**` arguments")], True
            kind = self.clients.routes.keywords.get(arg.keyword.value) if arg.keyword is not None else None
            if kind is None or _is_none(arg.value):
                continue
            named = True
            found.append(self._server(kind, arg.value, receiver))
        return found, named

    def _server(self, kind: str, value: cst.BaseExpression | None, receiver: str, shown: str = "") -> Resolution:
        """What a route of `kind` ([routes]) with `value` (None: unreadable) says of the server;
        `shown` is the code that writes it, if not a keyword."""
        by = f", set by `{shown}`" if shown else ""
        if kind == "provider":
            return Finding.of("RSP001", receiver=receiver, sdk=self._provider(value))
        if value is None:
            return Finding.of("RSP003", receiver=receiver, base_url=f"set by `{shown}`, which the tool can't read")
        known = known_string(value, self.scopes, self.parents)
        if known is None or known.default:
            if kind == "endpoint":  # an Azure class's resource, from configuration
                return Client(azure=True)
            return Finding.of("RSP003", receiver=receiver, base_url=f"`{code_of(value).strip()}` (not a literal){by}")
        if kind == "api_type":
            if known.value == "openai":
                return Client()
            why = f"chosen by `{shown}`: the module client is then an Azure client configured elsewhere"
            return Finding.of("RSP003", receiver=receiver, base_url=why)
        parts = urlsplit(known.value)
        host = (parts.hostname or "").lower()
        if kind == "url" and host in self.clients.openai_hosts:
            return Client()
        if host.endswith(self.clients.azure_host_suffixes):
            v1 = kind == "url" and parts.path.rstrip("/").endswith(self.clients.azure_v1_path)
            return Client(azure=True, v1=v1)
        return Finding.of("RSP003", receiver=receiver, base_url=f"{known.value!r}{by}")

    def _provider(self, value: cst.BaseExpression | None) -> str:
        """The label of a `provider=` value: its constructor's, through a name bound to it."""
        calls: list[cst.BaseExpression] = [value] if value is not None else []
        if isinstance(value, cst.Name):
            scope = self.scopes.get(value)
            accesses = [a for a in scope.accesses[value] if a.node is value] if scope is not None else []
            for referent in accesses[0].referents if accesses else ():
                if isinstance(referent, Assignment) and isinstance(referent.node, cst.Name):
                    target = self.parents.get(referent.node)
                    statement = self.parents.get(target) if isinstance(target, cst.AssignTarget) else None
                    if isinstance(statement, cst.Assign):
                        calls.append(statement.value)
        routes = self.clients.routes
        for call in calls:
            if isinstance(call, cst.Call):
                for name in sorted(self.qualified_names(call.func)):
                    label = routes.provider(name)
                    if label is not None:
                        return label
        shown_value = "..." if value is None else code_of(value).strip()
        if isinstance(value, cst.Call):
            shown_value = f"{code_of(value.func).strip()}(...)"
        return f"`provider={shown_value}`-configured"

    def _module_client(self, receiver: str) -> Resolution:
        """The `openai` module client: its settings written in this module (`openai.base_url =
        ...`), else the environment variable it reads."""
        routes = self.clients.routes
        found = [
            self._server(routes.module_attributes.get(w.key, "url"), w.value, receiver, w.shown)
            for w in self.routes.on_module_client()
        ]
        for kind, variable in (("url", routes.environment["module"]), ("api_type", routes.environment["module_type"])):
            found += [self._server(kind, w.value, receiver, w.shown) for w in self.routes.environment(variable)]
            found += self._project_environment(kind, variable, receiver)
        return _combine(Client(), found)

    def _project_environment(self, kind: str, variable: str, receiver: str) -> list[Resolution]:
        """What the writes of the environment variable `variable` in every module of the project
        say of the server (a settings module imported first may set it for the whole program),
        each naming its file."""
        if self.modules is None:
            return []
        others = self.modules.environment(variable)
        if isinstance(others, str):
            return [Finding.of("RSP003", receiver=receiver, base_url=others)]
        found: list[Resolution] = []
        for path, other in others:
            # Only writes of this variable by name: one whose key can't be read (`os.environ.update(
            # values)`) counts in the module itself, not in every module naming the variable.
            for write in (w for w in other.routes.environment(variable) if w.key == variable):
                resolved = other._server(kind, write.value, receiver, write.shown)
                if isinstance(resolved, Finding) and resolved.code == "RSP003":
                    args = dict(resolved.args)
                    resolved = Finding.of("RSP003", receiver=receiver, base_url=f"{args['base_url']} in {path}")
                found.append(resolved)
        return found

    def _routed(self, client: Client, writes: list[Write], patched: Write | None, receiver: str) -> Resolution:
        """A client, and what is done to its binding elsewhere in the module: patched in place by
        a wrapper (RSP002), or its server attributes assigned."""
        if patched is not None and patched.key == REPLACED:
            return self._unresolved(receiver, f"its chat method is replaced by `{patched.shown}`")
        if patched is not None:
            return Finding.of("RSP002", receiver=receiver)
        kinds = self.clients.routes.attributes
        return _combine(client, [self._server(kinds.get(w.key, "url"), w.value, receiver, w.shown) for w in writes])

    def _passed(self, param: cst.Param, annotated: Client, receiver: str, depth: int) -> Resolution:
        """A parameter annotated with an OpenAI class: the annotation names the SDK, not the
        server. What this module passes it (its default, the arguments of calls of its function
        or class) is resolved too; a client of another server holds the call back."""
        results: list[Resolution] = [annotated]
        for value in self._arguments(param):
            resolved = self._value(value, receiver, depth + 1)
            if isinstance(resolved, Finding):
                if resolved.code in _ELSEWHERE:
                    return resolved
                continue  # not traced: the annotation stands
            results.append(resolved)
        return _agree(results, receiver)

    def _callers(self, param: cst.Param, receiver: str, depth: int, why: str) -> Resolution:
        """A parameter without annotation: what every caller passes it, when the module shows every
        call of its function (migrate/analysis/callers.py): an OpenAI client each time (or its
        own parameter, recursively), and no other module of the project naming the function."""
        found = callers(param, self.scopes, self.parents)
        if isinstance(found, str):
            return self._unresolved(receiver, f"{why}, and {found}")
        name, shown = param.name.value, found.shown
        if found.named is not None and self.modules is not None:  # (source not read from a file: no project)
            elsewhere = self.modules.used_elsewhere(self, found.named)
            if elsewhere is not None:
                return self._unresolved(receiver, f"{why}, and {shown} may be called from another module: {elsewhere}")
        results: list[Resolution] = []
        for call, value in found.calls:
            if value is None:
                default = param.default
                if default is None or _is_none(default):
                    return self._unresolved(receiver, f"{why}, and `{_short(call)}` does not pass `{name}`")
                resolved = self._value(default, receiver, depth + 1)
                passed = f"`{_short(call)}` leaves `{name}` to its default `{_short(default)}`"
            elif self._is_param(value, param):
                continue  # the function passing on its own parameter: what its callers pass
            else:
                resolved = self._value(value, receiver, depth + 1)
                passed = f"`{_short(call)}` passes `{_short(value)}` as `{name}`"
            if isinstance(resolved, Finding):
                if resolved.code in _ELSEWHERE:
                    return resolved
                args = dict(resolved.args)
                return self._unresolved(receiver, f"{why}, and {passed}, not known to be OpenAI's: {args['why']}")
            results.append(resolved)
        if not results:
            return self._unresolved(receiver, f"{why}, and {shown} is only called with its own `{name}`")
        return _agree(results, receiver)

    def _is_param(self, value: cst.BaseExpression, param: cst.Param) -> bool:
        referent = self._only_referent(value) if isinstance(value, cst.Name) else None
        return isinstance(referent, Assignment) and referent.node is param

    def _arguments(self, param: cst.Param) -> list[cst.BaseExpression]:
        """What this module passes `param`: its default, and the matching argument of every call
        of its function by name, of its class (for `__init__`), or of `self.<method>(...)` in
        its class (for another method)."""
        params = self.parents.get(param)
        function = self.parents.get(params) if params is not None else None
        if not isinstance(params, cst.Parameters) or not isinstance(function, cst.FunctionDef):
            return []
        values = [param.default] if param.default is not None else []
        positional = [*params.posonly_params, *params.params]
        index = next((i for i, p in enumerate(positional) if p is param), None)
        body = self.parents.get(function)
        cls = self.parents.get(body) if isinstance(body, cst.IndentedBlock) else None
        if isinstance(cls, cst.ClassDef):
            index = None if index is None or index == 0 else index - 1  # `self` is bound
        calls: list[cst.Call] = []
        if isinstance(cls, cst.ClassDef) and function.name.value != "__init__":
            method = function.name.value
            for node in descendants(cls.body):
                func = node.func if isinstance(node, cst.Call) else None
                if isinstance(func, cst.Attribute) and func.attr.value == method and _is_self(func.value):
                    calls.append(cast(cst.Call, node))
        else:
            callee: cst.FunctionDef | cst.ClassDef = cls if isinstance(cls, cst.ClassDef) else function
            scope = self.scopes.get(callee.name)
            assignments = scope.assignments[callee.name.value] if scope is not None else ()
            for assignment in assignments:
                if isinstance(assignment, Assignment) and assignment.node is callee:
                    for access in assignment.references:
                        call = self.parents.get(access.node)
                        if isinstance(call, cst.Call) and call.func is access.node:
                            calls.append(call)
        for call in calls:
            given = [a for a in call.args if a.keyword is None]
            if index is not None and index < len(given) and not any(a.star for a in given[: index + 1]):
                values.append(given[index].value)
            values.extend(a.value for a in call.args if a.keyword is not None and a.keyword.value == param.name.value)
        return values

    def _azure_version(self, arg: cst.Arg | None, receiver: str) -> Finding | None:
        """Why the `api_version=` of an Azure client (not on the v1 API) may not serve /responses:
        RSP006 for an older version, RSP007 for one the tool can't read; None when it serves it."""
        clients = self.clients
        minimum, v1 = clients.azure_min_api_version, clients.azure_v1_path
        if arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            why = "no `api_version=`" if arg is None else "`api_version=None`"
            why += ": the SDK reads OPENAI_API_VERSION from the environment"
            return Finding.of("RSP007", receiver=receiver, why=why, minimum=minimum, v1=v1)
        known = known_string(arg.value, self.scopes, self.parents)
        if known is None:
            why = f"`{code_of(arg.value).strip()}` is not a literal"
            return Finding.of("RSP007", receiver=receiver, why=why, minimum=minimum, v1=v1)
        date = clients.azure_api_version_date(known.value)
        if date is None:
            why = f"{known.value!r} is not a dated version"
            return Finding.of("RSP007", receiver=receiver, why=why, minimum=minimum, v1=v1)
        if date < (clients.azure_api_version_date(minimum) or ""):
            return Finding.of("RSP006", receiver=receiver, version=repr(known.value), minimum=minimum, v1=v1)
        return None

    def _annotation(self, annotation: cst.Annotation | None, receiver: str, why: str) -> Resolution:
        if annotation is None:
            return self._unresolved(receiver, why)
        names = self._annotation_names(annotation.annotation)
        if names & self.clients.azure_classes:
            shown = code_of(annotation.annotation).strip()
            version = Finding.of(
                "RSP007",
                receiver=receiver,
                why=f"the client is known by its annotation `{shown}`, not its constructor",
                minimum=self.clients.azure_min_api_version,
                v1=self.clients.azure_v1_path,
            )
            return Client(azure=True, version=version)
        if names & self.clients.openai_classes:
            return Client()
        return self._unresolved(receiver, why or "annotated with another type")

    def _constructed(
        self, annotated: Resolution, value: cst.BaseExpression | None, receiver: str, depth: int
    ) -> Resolution:
        """An Azure annotation says nothing of the api_version; the value it annotates may."""
        if isinstance(annotated, Client) and annotated.version is not None and value is not None:
            valued = self._value(value, receiver, depth)
            if isinstance(valued, Client) and valued.azure:
                return valued
        return annotated

    def _annotation_names(self, node: cst.BaseExpression) -> set[str]:
        if isinstance(node, cst.SimpleString):
            text = string_value(node) or ""
            scope = self.scopes.get(node)
            if scope is None or not text.replace(".", "").replace("_", "").isalnum():
                return set()
            return {q.name for q in scope.get_qualified_names_for(text)}
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._annotation_names(node.left) | self._annotation_names(node.right)
        if isinstance(node, cst.Subscript):
            if self.qualified_names(node.value) & {"typing.Optional", "typing.Union"}:
                names: set[str] = set()
                for element in node.slice:
                    if isinstance(element.slice, cst.Index):
                        names |= self._annotation_names(element.slice.value)
                return names
            return set()
        return self.qualified_names(node)


class OtherModules(Protocol):
    """The other modules of the project, as a run reads them (migrate/analysis/definitions.py)."""

    def resolver(self, module: str) -> Resolver | None:
        """The resolver of module `module` ("app.clients"), or None when it is not in the project."""

    def overriding(self, class_name: str, method: str) -> str | None:
        """A class of another module of the project deriving from `class_name` and defining
        `method` (as "`Sub.method` in path"), or None."""

    def missing(self, module: str) -> str | None:
        """Why `module` is not taken from the project though a file may be it, or None."""

    def written(self, attr: str, of: str | None = None) -> str | None:
        """A write of `<not self>.<attr>` (or a `setattr` of it) in a module of the project; with
        `of`, on what may be the module whose name ends so."""

    def module_of(self, resolver: Resolver) -> str | None:
        """The last part of the name of the module `resolver` reads, or None when unknown."""

    def environment(self, variable: str) -> list[tuple[str, Resolver]] | str:
        """The modules of the project naming the environment variable (path, resolver), or why
        they can't be told."""

    def used_elsewhere(self, resolver: Resolver, name: str) -> str | None:
        """A file of the project other than the module `resolver` reads that may use its `name`
        (a function or method: it imports it, or names `.name`), as "path ...", or why the
        project can't be searched; None when none does."""


# Base classes that define no factory of a client.
_PLAIN_BASES = frozenset({"builtins.object", "abc.ABC", "typing.Generic", "typing.Protocol"})


def _defined(cls: cst.ClassDef) -> set[str]:
    """The names a class gives its instances: its methods, its class attributes, and the
    attributes its methods assign on `self` (as migrate/analysis/definitions.py reads them)."""
    names: set[str] = set()
    for line in cls.body.body:
        if isinstance(line, cst.FunctionDef):
            names.add(line.name.value)
    for node in descendants(cls.body):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, cst.Attribute) and _is_self(target.value):
                names.add(target.attr.value)
            elif isinstance(target, cst.Name) and _class_level(node, cls):
                names.add(target.value)
    return names


def _class_level(statement: cst.CSTNode, cls: cst.ClassDef) -> bool:
    lines = [line for line in cls.body.body if isinstance(line, cst.SimpleStatementLine)]
    return any(small is statement for line in lines for small in line.body)


def _returns_of(function: cst.FunctionDef) -> tuple[list[cst.Return], bool]:
    """The `return` statements of a function (not of the functions and classes inside it), and
    whether it yields."""
    returns: list[cst.Return] = []
    generator = False
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(current, cst.Return):
            returns.append(current)
        elif isinstance(current, cst.Yield):
            generator = True
        stack.extend(reversed(list(children(current))))
    return returns, generator


def _short(node: cst.CSTNode) -> str:
    text = " ".join(code_of(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _is_self(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def _agree(results: list[Resolution], receiver: str) -> Resolution:
    findings = [r for r in results if isinstance(r, Finding)]
    if findings:
        return findings[0]
    clients = {r for r in results if isinstance(r, Client)}
    if len(clients) == 1:
        return clients.pop()
    if not clients:
        return Finding.of("RSP004", receiver=receiver, why="no binding")
    # Clients of several kinds: Azure's checks hold if any is Azure; the gravest version finding.
    versions = sorted((c.version for c in clients if c.version is not None), key=lambda f: (f.code, repr(f.args)))
    return Client(azure=True, version=versions[0] if versions else None)


def _combine(client: Client, found: list[Resolution]) -> Resolution:
    """A client and what its routes say: the first finding, or the client, Azure if one names
    an Azure host."""
    for resolved in found:
        if isinstance(resolved, Finding):
            return resolved
    servers = [r for r in found if isinstance(r, Client)]
    if any(r.azure for r in servers):
        return replace(client, azure=True, v1=client.v1 or any(r.v1 for r in servers))
    return client


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
