"""Plan and apply the migration of one parsed module.

Each recognised call site is planned on the original tree: its receiver is resolved, its
request rewritten, and every use of its result followed. A call whose plan has any blocker
is left untouched and reported; so is every call that shares readers with it. The surviving
plans are applied in one transformer pass keyed by the original nodes, so edits nested in
other edits compose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, ScopeProvider

from migrate.catalog import Catalog
from migrate.cst_helpers import code_of
from migrate.detect import CallSiteNode, Client, Resolver, find_call_sites
from migrate.findings import CallSite, Finding
from migrate.settings import Settings
from migrate.transforms.request import RequestContext, rewrite_request
from migrate.transforms.results import ChainEdit, ResultFollower, apply_chain_edit, _assigned_name


class InternalError(Exception):
    """A planned rewrite could not be applied as planned (a bug in the tool)."""


@dataclass
class _Plan:
    site: CallSiteNode
    record: CallSite
    ctx: RequestContext | None = None
    edits: list[ChainEdit] = field(default_factory=list)
    blockers: list[Finding] = field(default_factory=list)
    bindings: set[cst.CSTNode] = field(default_factory=set)
    shared_with: set[cst.CSTNode] = field(default_factory=set)
    tool_helpers: set[str] = field(default_factory=set)


@dataclass
class ModuleResult:
    module: cst.Module
    calls: list[CallSite]
    changed: bool


def migrate_module(module: cst.Module, settings: Settings, catalog: Catalog) -> ModuleResult:
    sites = find_call_sites(module, catalog)
    if not sites:
        return ModuleResult(module, [], False)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    parents = wrapper.resolve(ParentNodeProvider)
    positions = wrapper.resolve(PositionProvider)
    resolver = Resolver(catalog, scopes, parents)

    call_bindings: dict[cst.CSTNode, str] = {}
    for site in sites:
        value: cst.CSTNode = site.call
        parent = parents.get(value)
        if isinstance(parent, cst.Await):
            value, parent = parent, parents.get(parent)
        target = _assigned_name(parent, value)
        if target is not None and site.method.result:
            call_bindings[target] = site.method.result
    follower = ResultFollower(catalog, scopes, parents, positions, call_bindings)

    plans = [_plan_site(site, settings, catalog, resolver, follower, positions) for site in sites]
    _couple(plans)
    for plan in plans:
        if plan.blockers and plan.record.outcome == "migrated":
            plan.record.outcome = "reported"
            plan.record.findings = plan.blockers
    live = [p for p in plans if p.record.outcome == "migrated"]
    calls = sorted((p.record for p in plans), key=lambda c: (c.line, c.column))
    if not live:
        return ModuleResult(module, calls, False)
    new_module = _apply(module, live, catalog, resolver, scopes)
    return ModuleResult(new_module, calls, True)


def _plan_site(
    site: CallSiteNode,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    follower: ResultFollower,
    positions,
) -> _Plan:
    start = positions[site.call].start
    record = CallSite(line=start.line, column=start.column + 1, method=site.method_name, outcome="migrated")
    plan = _Plan(site, record)
    resolution = resolver.resolve(site.receiver)
    if isinstance(resolution, Finding):
        level = catalog.rule(resolution.code).level
        record.outcome = "skipped" if level == "info" else "reported"
        record.findings = [resolution]
        return plan
    if site.method.rule:
        record.outcome = "reported"
        record.findings = [Finding.of(site.method.rule)]
        return plan
    method = site.method.to[-1]
    spellings = _tool_helper_spellings(site.call, resolver, catalog)
    plan.ctx = RequestContext(method=method, catalog=catalog, settings=settings, pydantic_tool_spellings=spellings)
    request = rewrite_request(site.call, plan.ctx)
    plan.blockers.extend(request.blockers)
    plan.tool_helpers = request.renamed_tool_helpers
    fixes = [Finding.of("RSP100", method=site.method_name, to=".".join(site.method.to))]
    if isinstance(resolution, Client) and resolution.azure:
        fixes.append(Finding.of("RSP005"))
    fixes.extend(request.fixes)
    if site.method.result:
        followed = follower.follow(site.call, site.method.result)
        plan.blockers.extend(followed.blockers)
        plan.edits = followed.edits
        plan.bindings = followed.bindings
        plan.shared_with = followed.shared_with
        for finding in followed.fixes:
            if finding not in fixes:
                fixes.append(finding)
    record.findings = fixes
    return plan


def _tool_helper_spellings(call: cst.Call, resolver: Resolver, catalog: Catalog) -> frozenset[str]:
    spellings = set()
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "tools" or not isinstance(arg.value, (cst.List, cst.Tuple)):
            continue
        for element in arg.value.elements:
            if isinstance(element.value, cst.Call):
                func = element.value.func
                if resolver.qualified_names(func) & catalog.clients.tool_helper_chat:
                    spellings.add(code_of(func).strip())
    return frozenset(spellings)


def _couple(plans: list[_Plan]) -> None:
    """Calls whose results share readers migrate together or not at all."""
    owner = {binding: i for i, p in enumerate(plans) for binding in p.bindings}
    group = list(range(len(plans)))

    def find(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, plan in enumerate(plans):
        for other in plan.shared_with:
            j = owner.get(other)
            if j is not None:
                group[find(i)] = find(j)
    members: dict[int, list[int]] = {}
    for i in range(len(plans)):
        members.setdefault(find(i), []).append(i)
    for indices in members.values():
        if len(indices) < 2:
            continue
        blocked = [plans[i] for i in indices if plans[i].blockers or plans[i].record.outcome != "migrated"]
        if not blocked:
            continue
        first = blocked[0].record
        for i in indices:
            plan = plans[i]
            if plan.record.outcome == "migrated" and not plan.blockers:
                name = next((b.value for b in plan.bindings if isinstance(b, cst.Name)), "result")
                plan.blockers.append(Finding.of("RSP303", name=name, line=first.line))


def _apply(module: cst.Module, plans: list[_Plan], catalog: Catalog, resolver: Resolver, scopes) -> cst.Module:
    calls = {p.site.call: p for p in plans}
    chains: dict[cst.CSTNode, ChainEdit] = {}
    for plan in plans:
        for edit in plan.edits:
            chains[edit.target] = edit
    imports = _import_edits(plans, catalog, scopes)
    return module.visit(_Apply(calls, chains, imports))


def _import_edits(plans: list[_Plan], catalog: Catalog, scopes) -> dict[cst.CSTNode, set[str]]:
    """`from openai import pydantic_function_tool` must also import the Responses helper."""
    needed: dict[cst.CSTNode, set[str]] = {}
    for plan in plans:
        for spelling in plan.tool_helpers:
            if "." in spelling:
                continue
            call = plan.site.call
            scope = scopes.get(call)
            for assignment in scope.assignments[spelling] if scope is not None else ():
                node = getattr(assignment, "node", None)
                if isinstance(node, cst.ImportFrom):
                    needed.setdefault(node, set()).add(catalog.clients.tool_helper_responses)
    return needed


class _Apply(cst.CSTTransformer):
    def __init__(self, calls, chains, imports) -> None:
        self.calls = calls
        self.chains = chains
        self.imports = imports

    def on_leave(self, original_node, updated_node):  # type: ignore[override]
        plan = self.calls.get(original_node)
        if plan is not None:
            updated_node = self._call(plan, updated_node)
        edit = self.chains.get(original_node)
        if edit is not None:
            updated_node = apply_chain_edit(edit, updated_node)
        names = self.imports.get(original_node)
        if names is not None:
            updated_node = _add_import_names(updated_node, names)
        return updated_node

    @staticmethod
    def _call(plan: _Plan, updated: cst.Call) -> cst.Call:
        assert plan.ctx is not None
        request = rewrite_request(updated, plan.ctx)
        if request.blockers:
            raise InternalError(f"line {plan.record.line}: the request no longer rewrites cleanly")
        func = updated.func
        depth = len(plan.site.method.path) + 2
        for _ in range(depth):
            assert isinstance(func, cst.Attribute)
            func = func.value
        if isinstance(func, cst.Attribute) and func.attr.value == "beta":
            func = func.value
        new_func: cst.BaseExpression = func
        for name in plan.site.method.to:
            new_func = cst.Attribute(value=new_func, attr=cst.Name(name))
        return updated.with_changes(func=new_func, args=request.args)


def _add_import_names(node: cst.ImportFrom, names: set[str]) -> cst.ImportFrom:
    if isinstance(node.names, cst.ImportStar):
        return node
    present = {a.evaluated_name for a in node.names}
    aliases = list(node.names)
    for name in sorted(names - present):
        last = aliases[-1]
        comma = last.comma if isinstance(last.comma, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        aliases[-1] = last.with_changes(comma=comma)
        aliases.append(cst.ImportAlias(name=cst.Name(name)))
        if isinstance(last.comma, cst.Comma):  # keep a trailing comma last
            aliases[-1] = aliases[-1].with_changes(comma=last.comma)
    return node.with_changes(names=aliases)
