"""Plan and apply the migration of one parsed module.

Each recognised call site is planned on the original tree: its receiver is resolved, its
request rewritten, and every use of its result followed. A call whose plan has any blocker
is left untouched and reported; so is every call that shares readers with it. The surviving
plans are applied in one transformer pass keyed by the original nodes, so edits nested in
other edits compose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from migrate.analysis.call_sites import CallSiteNode, Client, IndirectNode, Resolver, find_call_sites
from migrate.analysis.constants import KnownString, known_string
from migrate.analysis.groups import connected
from migrate.analysis.links import NO_LINKS, Links, absolute_module
from migrate.analysis.messages import Sources, message_sources
from migrate.analysis.nodes import (
    DictView,
    Parents,
    assigned_target,
    brief,
    code_of,
    describe_use,
    keyword_argument,
    literal_value,
    short_code,
)
from migrate.analysis.routes import RouteNodes
from migrate.analysis.scopes import ImportAssignment, resolve_scopes
from migrate.analysis.shapes import Shapes
from migrate.analysis.wire_tests import chat_wire_marker
from migrate.analysis.wire_tests import describe as describe_marker
from migrate.catalog.findings import CallSite, Finding
from migrate.catalog.loader import Catalog
from migrate.catalog.settings import Settings
from migrate.engine.codegen import ModuleCode
from migrate.engine.gate import CROSSING
from migrate.engine.modules import project_modules
from migrate.rewrite.annotations import Retype, TypeMapper
from migrate.rewrite.annotations import import_edits as type_import_edits
from migrate.rewrite.attributes import stored_attribute
from migrate.rewrite.edits import Edit
from migrate.rewrite.fstrings import requoted
from migrate.rewrite.helpers import calls_of
from migrate.rewrite.request import RequestContext, define_value, rewrite_request
from migrate.rewrite.results import Followed, ResultFollower
from migrate.rewrite.shared import Shared, analyze_definition, binding_of, follow_content
from migrate.rewrite.shared import analyze as analyze_shared
from migrate.rewrite.tool_values import follow_function, follow_tool
from migrate.rewrite.wrap import fits, reflow, reflow_compound, rewrap

# Keywords whose value changes shape, followed when given by name (`tools=TOOLS`).
SHAREABLE = ("messages", "tools", "tool_choice", "response_format", "functions")


class InternalError(Exception):
    """A planned rewrite could not be applied as planned (a bug in the tool)."""


@dataclass
class _Plan:
    site: CallSiteNode | None  # None: the call of another module's function (see _plan_imported)
    record: CallSite
    ctx: RequestContext | None = None
    edits: list[Edit] = field(default_factory=list)
    blockers: list[Finding] = field(default_factory=list)
    bindings: set[cst.CSTNode | _ImportedKey] = field(default_factory=set)
    shared_with: set[cst.CSTNode] = field(default_factory=set)
    shared_via: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)  # see Followed
    # Shared values (by binding) this call uses or adds its result to: coupled with their users.
    shared_values: set[cst.CSTNode] = field(default_factory=set)
    # The values converted where they are written for this call (with the calls that pass them).
    shared: list[Shared] = field(default_factory=list)
    definition_edits: list[Edit] = field(default_factory=list)
    tool_helpers: dict[cst.CSTNode, str] = field(default_factory=dict)  # func node -> spelling
    returns: dict[str, str] = field(default_factory=dict)  # module functions returning the result
    # Parameters of module functions the result is passed to, and the values it reached (results.py).
    passed: dict[tuple[str, cst.CSTNode], tuple[str, list[cst.CSTNode]]] = field(default_factory=dict)
    claimed: dict[cst.CSTNode, str] = field(default_factory=dict)
    across: dict[tuple[str, str], str] = field(default_factory=dict)  # (function of another module, param): kind

    def take(self, followed: Followed) -> None:
        """What following the call's result found: its edits, blockers and couplings."""
        self.blockers.extend(followed.blockers)
        self.edits = followed.edits
        self.bindings |= followed.bindings
        self.shared_with = followed.shared_with
        self.shared_via = followed.shared_via
        self.shared_values |= followed.shared_values
        self.retypes = followed.retypes
        self.returns = followed.returns
        self.passed = followed.passed
        self.claimed = followed.claimed
        self.across = followed.across

    retypes: list[Retype] = field(default_factory=list)
    # Calls of the SDK's message TypedDicts written as the dicts they build (request.constructed).
    constructed: list[cst.Call] = field(default_factory=list)


@dataclass
class ModuleResult:
    module: cst.Module
    calls: list[CallSite]
    changed: bool
    # For the run over a tree (migrate/analysis/links.py): this module's functions that return a
    # migrated result, and the imported ones whose results can't be followed here.
    returns: dict[str, str] = field(default_factory=dict)
    unfollowed: dict[str, str] = field(default_factory=dict)
    # Its public module-level values converted where they are written: name -> keyword.
    values: dict[str, str] = field(default_factory=dict)
    # Functions of other modules given results here, its own functions followed into, or not
    # (FileResult.passes, .helpers, .refused_helpers).
    passes: dict[str, dict[str, str]] = field(default_factory=dict)
    helpers: dict[str, dict[str, str]] = field(default_factory=dict)
    refused_helpers: dict[str, str] = field(default_factory=dict)


def migrate_module(
    module: cst.Module,
    settings: Settings,
    catalog: Catalog,
    source: str = "",
    call_positions: Sequence[tuple[int, int, int, int]] | None = None,
    links: Links = NO_LINKS,
    module_code: ModuleCode | None = None,
    path: str = "",
) -> ModuleResult:
    """Plan and apply the migration of `module`. `call_positions` (from migrate.engine.gate) saves a
    full position pass when it lists the call sites in the order LibCST finds them. `links`
    tells what the run knows of results crossing into or out of this module. `module_code`: the
    module's code by statement, if the caller has it already."""
    return _migrate_module(
        module, settings, catalog, source, call_positions, links, module_code or ModuleCode(module), path
    )


def _migrate_module(
    module: cst.Module,
    settings: Settings,
    catalog: Catalog,
    source: str,
    call_positions: Sequence[tuple[int, int, int, int]] | None,
    links: Links,
    module_code: ModuleCode,
    path: str = "",
) -> ModuleResult:
    routes = RouteNodes()
    indirect: list[IndirectNode] = []
    sites, parents = find_call_sites(module, catalog, routes, indirect)
    crossing = links.imported or links.imported_values or links.params or links.requested_values
    if not sites and not indirect and not crossing:
        return ModuleResult(module, [], False)
    scopes = resolve_scopes(module)
    positions = _Positions(module, parents, sites, call_positions, module_code)
    modules, package = project_modules(path, catalog)
    resolver = Resolver(catalog, scopes, parents, routes, modules, package)
    if modules is not None:
        modules.home = (os.path.realpath(path), resolver)

    call_bindings: dict[cst.CSTNode, str] = {}
    binding_calls: dict[cst.CSTNode, cst.Call] = {}
    for site in sites:
        value: cst.CSTNode = site.call
        parent = parents.get(value)
        if isinstance(parent, cst.Await):
            value, parent = parent, parents.get(parent)
        target = assigned_target(parent, value, cst.Name) or stored_attribute(parent, value)
        if target is not None:
            binding_calls[target] = site.call
            call_bindings[target] = _result_kind(site)
    site_calls = {site.call for site in sites}
    values = _imported_values(links, resolver, parents, site_calls)
    kept = _kept_values(links, resolver)
    constructors = _message_constructors(source, parents, resolver, catalog) if sites else frozenset()
    named = {
        site.call: _named_arguments(site.call, scopes, parents, site_calls, values, kept, constructors)
        for site in sites
    }
    lists = {
        s.binding: s
        for found in named.values()
        for s in found.values()
        if isinstance(s, Shared) and s.keyword == "messages"
    }
    claimed: set[cst.CSTNode] = set()
    sink = _AppendSink(catalog, scopes, parents, lists, claimed)
    follower = ResultFollower(catalog, scopes, parents, positions, call_bindings, sink, links)

    marker = chat_wire_marker(path, parents, scopes, catalog.wire_tests) if sites else None
    wire = (
        Finding.of("RSP217", marker=describe_marker(marker), line=positions[marker].start.line)
        if marker is not None
        else None
    )
    if wire is None and links.chat_wrapped and sites:
        wire = Finding.of("RSP219", wrapped=links.chat_wrapped)
    lines = source.splitlines()
    plans = []
    for site in sites:
        span = positions[site.call]
        marked = [_ignore_marker(lines[n - 1]) for n in {span.start.line, span.end.line} if n <= len(lines)]
        bare = any(b for b, _ in marked)
        local = frozenset().union(*(codes for _, codes in marked))
        disabled = settings.disabled | local
        switches = {off for c in disabled if c in catalog.rules and (off := catalog.rules[c].turns_off)}
        owned = {target for target, call in binding_calls.items() if call is site.call}
        plan = _plan_site(
            site,
            settings.turning_off(switches),
            catalog,
            resolver,
            follower,
            positions,
            named[site.call],
            owned,
            site_calls,
            constructors,
        )
        if wire is not None:
            plan.blockers.append(wire)
        _select(plan, disabled, bare)
        plan.record.warnings = _marker_warnings(local, catalog)
        plans.append(plan)
    unconverted: dict[str, str] = {}  # values other modules pass that can't be converted here: why
    requested = _plan_requested(links, module, parents, resolver, catalog, settings, positions, lines, unconverted)
    plans.extend(requested)
    _share_with_users(plans)
    if links.refused_values:
        _refuse_imported_values(plans, links.refused_values)
    if links.imported:
        plans.extend(_plan_imported(links, parents, resolver, follower, positions))
    params: dict[str, list[_Plan]] = {}
    refused_helpers: dict[str, str] = {}
    if links.params:
        params, refused_helpers = _plan_params(links, module, parents, scopes, follower, positions)
        plans.extend(plan for found in params.values() for plan in found)
    for plan in plans:  # every call passing values to one function of another module, or none
        plan.bindings |= {_ImportedKey(qualified, "helper") for qualified, _ in plan.across}
    _check_appends(plans, lists, claimed)
    _check_passed(plans, positions)
    _couple(plans, positions)
    for plan in plans:
        if plan.blockers and plan.record.outcome == "migrated":
            plan.record.outcome = "reported"
            plan.record.findings = plan.blockers
    unlisted = _unconverted(requested, unconverted)
    passes, unfollowed_helpers = _check_helpers(links, resolver, parents, plans, positions)
    accepted: dict[str, dict[str, str]] = {}
    for name, found in params.items():
        blocked = next((plan for plan in found if plan.record.outcome != "migrated"), None)
        if blocked is not None:
            why = _unfollowed_reason(blocked).removesuffix("; its readers can't be followed")
            refused_helpers.setdefault(name, why)
        else:
            accepted[name] = dict(links.params[name][1])
    plans.extend(_plan_indirect(indirect, settings, catalog, resolver, positions, lines))
    unfollowed: dict[str, str] = dict(unconverted)
    for plan in plans:
        if plan.record.via and plan.record.outcome != "migrated" and id(plan) not in unlisted:
            unfollowed.setdefault(plan.record.via, _unfollowed_reason(plan))
    live = [p for p in plans if p.record.outcome == "migrated"]
    returns = {name: kind for p in live for name, kind in p.returns.items()}
    for qualified, why in _unfollowed_values(values, plans, positions).items():
        unfollowed.setdefault(qualified, why)
    for qualified, why in unfollowed_helpers.items():
        unfollowed[qualified] = why
    converted = {
        shared.binding.value: shared.keyword
        for p in live
        for shared in p.shared
        if shared.exported and not shared.elsewhere and shared.keyword in CROSSING
    }
    todos = _todos(plans, parents) if settings.add_todo else {}
    calls = sorted((p.record for p in plans if id(p) not in unlisted), key=lambda c: (c.line, c.column))
    if not live and not todos:
        return ModuleResult(module, calls, False, returns, unfollowed, converted, passes, accepted, refused_helpers)
    new_module = _apply(module, live, catalog, scopes, todos, parents, settings.line_length)
    changed = not new_module.deep_equals(module) if not live else True
    return ModuleResult(new_module, calls, changed, returns, unfollowed, converted, passes, accepted, refused_helpers)


def _plan_params(
    links: Links, module: cst.Module, parents, scopes, follower: ResultFollower, positions
) -> tuple[dict[str, list[_Plan]], dict[str, str]]:
    """Plans for the parameters of this module's functions that other modules of the run pass
    values to (links.params), each followed into its reads; or why a function can't be."""
    plans: dict[str, list[_Plan]] = {}
    refused: dict[str, str] = {}
    functions = {node.name.value: node for node in module.body if isinstance(node, cst.FunctionDef)}
    for name, (qualified, wanted) in sorted(links.params.items()):
        function = functions.get(name)
        if function is None or function.decorators:
            refused[name] = f"`{name}` is not a plain function of its module"
            continue
        calls = calls_of(function, parents, scopes)
        if not isinstance(calls, list) or calls:
            at = calls if not isinstance(calls, list) else calls[0]
            line = positions[at].start.line
            refused[name] = f"`{name}` is also used in its own module (line {line}), which the tool doesn't follow"
            continue
        found = []
        everything = [*function.params.posonly_params, *function.params.params, *function.params.kwonly_params]
        for param_name, kind in sorted(wanted.items()):
            param = next((p for p in everything if p.name.value == param_name), None)
            if param is None:
                refused[name] = f"`{name}()` has no plain parameter `{param_name}`"
                break
            start = positions[param].start
            record = CallSite(
                line=start.line, column=start.column + 1, method=f"{name}()", outcome="migrated", via=qualified
            )
            plan = _Plan(None, record)
            plan.bindings.add(_ImportedKey(qualified, "param"))  # its parameters follow together, or none
            followed = follower.follow_parameter(param, kind)
            plan.take(followed)
            record.findings = [Finding.of("RSP145", name=name, param=param_name), *followed.fixes]
            found.append(plan)
        else:
            plans[name] = found
    return plans, refused


def _plan_requested(
    links: Links,
    module: cst.Module,
    parents: Parents,
    resolver: Resolver,
    catalog: Catalog,
    settings: Settings,
    positions,
    lines: Sequence[str],
    unconverted: dict[str, str],
) -> list[_Plan]:
    """Plans for the values of this module that other modules pass by name to calls that migrate
    there (links.requested_values): each converted where it is written and listed at its line.
    One that can't be is not listed here: why goes to `unconverted`, for the modules passing it,
    whose calls are reported with it."""
    plans: list[_Plan] = []
    found_all = {
        name: analyze_definition(module, name, keyword, resolver.scopes, parents)
        for name, (_, keyword) in sorted(links.requested_values.items())
    }
    bindings = {found.binding for found in found_all.values() if isinstance(found, Shared)}
    for name, (qualified, keyword) in sorted(links.requested_values.items()):
        found = found_all[name]
        if isinstance(found, str):
            unconverted[name] = found
            continue
        start = positions[found.binding].start
        record = CallSite(line=start.line, column=start.column + 1, method=name, outcome="migrated", via=qualified)
        plan = _Plan(None, record)
        plans.append(plan)
        ctx = RequestContext(method="create", catalog=catalog, settings=settings)
        literal = found.literal
        if keyword in ("tools", "functions") and isinstance(literal, (cst.List, cst.Tuple)):
            _named_tool_elements(ctx, keyword, literal, resolver, bindings)
        request = define_value(found, ctx)
        plan.blockers.extend(request.blockers)
        plan.shared, plan.definition_edits = request.shared, request.definition_edits
        plan.shared_values = {shared.binding for shared in request.shared}
        headline = Finding.of("RSP128", name=name)
        record.findings = [headline, *(f for f in request.fixes if f != headline)]
        bare, local = _ignore_marker(lines[start.line - 1]) if start.line <= len(lines) else (False, frozenset())
        _select(plan, settings.disabled | local, bare)  # --ignore RSP108, `# migrate: ignore` on its line
    return plans


def _unconverted(requested: list[_Plan], unconverted: dict[str, str]) -> set[int]:
    """The plans of requested values that don't migrate (by id), not listed in this module: why
    each is not converted goes to `unconverted`, for the calls of the modules passing it."""
    unlisted = set()
    for plan in requested:
        record = plan.record
        if record.outcome == "migrated":
            continue
        unlisted.add(id(plan))
        if record.outcome == "suppressed":
            codes = ", ".join(sorted({f.code for f in record.findings}))
            unconverted[record.method] = f"converting it there is turned off ({codes})"
        else:
            first = record.findings[0]
            unconverted[record.method] = str(dict(first.args).get("why", first.message()))
    return unlisted


def _check_helpers(
    links: Links, resolver: Resolver, parents, plans: list[_Plan], positions
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """For each function of another module this one calls (links.helpers): the values of each
    kind its calls here pass to its parameters ({qualified: {param: kind}}), and why they can't
    be followed there (every call must pass, to each parameter followed, a value a migrated call
    of this module accounts for, of one kind)."""
    if not links.helpers:
        return {}, {}
    claimed: dict[cst.CSTNode, set[str]] = {}
    for plan in plans:
        for node, kind in plan.claimed.items():
            claimed.setdefault(node, set()).add(kind)
    passes: dict[str, dict[str, str]] = {}
    why: dict[str, str] = {}
    for plan in plans:
        for (qualified, param), kind in plan.across.items():
            if passes.setdefault(qualified, {}).setdefault(param, kind) != kind:
                why.setdefault(qualified, f"it gets values of two kinds as `{param}`")
    through: dict[str, set[str]] = {}  # `tools` of `tools.execute_tool(...)` -> the functions called so
    for node, parent, hit in _named(links.helpers, links.package, parents, resolver):
        if hit in why:
            continue
        qualified, helper = hit, links.helpers[hit]
        expected = {**helper.params, **passes.get(qualified, {})}
        if not expected:
            continue
        if isinstance(node, cst.Attribute):
            through.setdefault(_root_name(node), set()).add(qualified)
        line = positions[node].start.line
        if not (isinstance(parent, cst.Call) and parent.func is node):
            why[qualified] = f"`{code_of(node).strip()}` is used other than called (line {line})"
            continue
        args = tuple((a.keyword.value if a.keyword is not None else None, bool(a.star)) for a in parent.args)
        given = {helper.parameter(args, i): a.value for i, a in enumerate(parent.args)}
        for param, kind in sorted(expected.items()):
            value = given.get(param)
            if value is None or claimed.get(value, set()) != {kind}:
                shown = f"`{short_code(value)}`" if value is not None else "nothing"
                why[qualified] = f"its call on line {line} passes {shown} as `{param}`, not from a migrated call"
                break
    for qualified, how in _modules_passed_on(through, links.package, parents, resolver, positions).items():
        why.setdefault(qualified, how)
    for plan in plans:
        for qualified, _ in plan.across:
            known = links.helpers.get(qualified)
            if known is not None and known.confirmed and plan.record.outcome != "migrated":
                why.setdefault(qualified, f"the call on line {plan.record.line} that passes it is not migrated")
    return {q: found for q, found in passes.items() if q not in why}, why


def _modules_passed_on(
    through: Mapping[str, set[str]], package: str, parents: Parents, resolver: Resolver, positions
) -> dict[str, str]:
    """Functions called as an attribute of their module (`tools.execute_tool(...)`, `through`:
    the names the calls start from) where the module object itself is used otherwise too
    (`register(tools)`, `getattr(tools, name)`): whoever gets it may call them with anything.
    {qualified: why}."""
    why: dict[str, str] = {}
    if not through:
        return why
    for node in list(parents):
        if not isinstance(node, cst.Name) or node.value not in through or _inside_import(node, parents):
            continue
        parent = parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            continue
        top: cst.BaseExpression = node
        while isinstance(up := parents.get(top), cst.Attribute) and up.value is top:
            top = up
        names = {_absolute(q, package) for q in resolver.qualified_names(top)}
        for qualified in sorted(through[node.value]):
            if any(qualified.startswith(f"{name}.") for name in names):
                line = positions[top].start.line
                shown = code_of(top).strip()
                how = f"its module `{shown}` is used other than to call its functions (line {line})"
                why.setdefault(qualified, how)
    return why


def _root_name(node: cst.Attribute) -> str:
    value: cst.BaseExpression = node
    while isinstance(value, cst.Attribute):
        value = value.value
    return value.value if isinstance(value, cst.Name) else ""


def _named(
    qualified: Collection[str], package: str, parents: Parents, resolver: Resolver
) -> Iterator[tuple[cst.Name | cst.Attribute, cst.CSTNode | None, str]]:
    """Each name or dotted name in the module (not in an import) that means one of the
    `qualified` names of other modules: (the node, its parent, the qualified name)."""
    wanted = {name.rsplit(".", 1)[-1] for name in qualified}
    wanted |= {  # `from .tools import execute_tool as run_tool`
        alias.asname.name.value
        for alias in list(parents)
        if isinstance(alias, cst.ImportAlias)
        and alias.asname is not None
        and isinstance(alias.asname.name, cst.Name)
        and _last_name(alias.name) in wanted
    }
    for node in list(parents):
        if not isinstance(node, (cst.Name, cst.Attribute)) or _last_name(node) not in wanted:
            continue
        parent = parents.get(node)
        if (isinstance(parent, cst.Attribute) and parent.attr is node) or _inside_import(node, parents):
            continue
        names = {_absolute(q, package) for q in resolver.qualified_names(node)}
        hit = next((q for q in sorted(names) if q in qualified), None)
        if hit is not None:
            yield node, parent, hit


def _plan_imported(links: Links, parents, resolver: Resolver, follower: ResultFollower, positions) -> list[_Plan]:
    """Plans for the calls of functions imported from other modules that return a migrated
    result (links.imported): each call's value is followed like a call site's. Any other use
    of such a function, or a read that can't be followed, reports it (and the run then leaves
    the function's module alone)."""
    plans = []
    for node, parent, hit in _named(links.imported, links.package, parents, resolver):
        start = positions[node].start
        spelling = code_of(node).strip()
        record = CallSite(line=start.line, column=start.column + 1, method=f"{spelling}()", outcome="migrated", via=hit)
        plan = _Plan(None, record)
        plan.bindings.add(_ImportedKey(hit))  # every call of the function migrates, or none
        plans.append(plan)
        if not (isinstance(parent, cst.Call) and parent.func is node):
            plan.blockers.append(Finding.of("RSP301", how=f"`{spelling}` is used other than called", line=start.line))
            continue
        followed = follower.follow(parent, links.imported[hit])
        plan.take(followed)
        record.findings = [Finding.of("RSP141", name=spelling, origin=hit), *followed.fixes]
    return plans


@dataclass(frozen=True)
class _ImportedKey:
    """Couples the plans of every call of one imported function."""

    name: str
    value: str = "imported"


def _last_name(node: cst.Name | cst.Attribute) -> str:
    return node.value if isinstance(node, cst.Name) else node.attr.value


def _inside_import(node: cst.CSTNode, parents) -> bool:
    while node is not None and not isinstance(node, cst.BaseSmallStatement):
        node = parents.get(node)
    return isinstance(node, (cst.Import, cst.ImportFrom))


def _absolute(qualified: str, package: str) -> str:
    """LibCST spells a name imported relatively as `.helpers.ask`; resolve it against `package`."""
    dots = len(qualified) - len(qualified.lstrip("."))
    return absolute_module(qualified[dots:], dots, package) or qualified


def _unfollowed_reason(plan: _Plan) -> str:
    return " ".join(plan.record.findings[0].message().split())


_MARKER = re.compile(r"#\s*migrate:\s*ignore\b(?:\[([A-Za-z0-9_,\s-]*)\])?")


def _ignore_marker(line: str) -> tuple[bool, frozenset[str]]:
    """`# migrate: ignore` (bare: leave the call alone) or `# migrate: ignore[RSP201, RSP113]`,
    on the first or the last line of the call."""
    match = _MARKER.search(line)
    if match is None:
        return False, frozenset()
    if match.group(1) is None:
        return True, frozenset()
    return False, frozenset(code.strip() for code in match.group(1).split(",") if code.strip())


def _marker_warnings(codes: frozenset[str], catalog: Catalog) -> list[str]:
    """An unknown code in `# migrate: ignore[...]` turns nothing off: say so, with the closest code."""
    from migrate.catalog.config import did_you_mean

    return [
        f"unknown rule code `{code}` in `# migrate: ignore[...]`{did_you_mean(code, catalog.rules)}"
        for code in sorted(codes)
        if code not in catalog.rules
    ]


def _select(plan: _Plan, disabled: frozenset[str], bare: bool) -> None:
    """Apply --select/--ignore and in-code markers: a call the user chose to leave alone is
    `suppressed` (left untouched, counted, not reported); turned-off findings are not reported."""
    record = plan.record
    if bare:
        record.outcome = "suppressed"
        record.findings = record.findings or [Finding.of("RSP100", method=record.method, to="responses")]
        return
    if record.outcome == "migrated" and not plan.blockers:
        held = [f for f in record.findings if f.code in disabled]
        if held:
            record.outcome = "suppressed"
            record.findings = held
        return
    pending = plan.blockers if record.outcome == "migrated" else record.findings
    remaining = [f for f in pending if f.code not in disabled]
    if not remaining:
        record.outcome = "suppressed"
        record.findings = pending
        plan.blockers = []
    elif record.outcome == "migrated":
        plan.blockers = remaining
    else:
        record.findings = remaining


def _todos(plans: list[_Plan], parents) -> dict[cst.CSTNode, list[str]]:
    """`# TODO(migrate): CODE message` lines to put above the statement of each reported call."""
    todos: dict[cst.CSTNode, list[str]] = {}
    for plan in plans:
        if plan.record.outcome != "reported" or plan.site is None:
            continue
        statement: cst.CSTNode | None = plan.site.call
        while statement is not None and not isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            statement = parents.get(statement)
        if statement is None:
            continue
        lines = todos.setdefault(statement, [])
        for finding in plan.record.findings:
            text = f"# TODO(migrate): {finding.code} {' '.join(finding.message().split())}"
            if text not in lines:
                lines.append(text)
    return todos


def _todo_code(comment: str) -> str | None:
    """The rule code of a `# TODO(migrate): CODE message` comment, None for any other comment."""
    head, _, rest = comment.partition("TODO(migrate):")
    if head.strip() != "#":
        return None
    return rest.split(maxsplit=1)[0] if rest.strip() else None


def _plan_site(
    site: CallSiteNode,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    follower: ResultFollower,
    positions,
    named: dict[str, Shared | str],
    owned: set[cst.CSTNode],
    site_calls: Collection[cst.CSTNode] = (),
    constructors: frozenset[str] = frozenset(),
) -> _Plan:
    start = positions[site.call].start
    record = CallSite(line=start.line, column=start.column + 1, method=site.method_name, outcome="migrated")
    plan = _Plan(site, record)
    # The call owns the name its result is bound to from the start, so that a call which is
    # never followed (not OpenAI's, say) is still coupled with calls sharing that name.
    plan.bindings = set(owned)
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
    plan.ctx = RequestContext(
        method=method,
        catalog=catalog,
        settings=settings,
        pydantic_tool_spellings=spellings,
        receiver=code_of(site.receiver).strip(),
        shared=named,
        result_kind=site.method.result,
        known=_known_arguments(site.call, catalog, resolver, follower),
        values=lambda node: _content_value(node, resolver, catalog),
        not_text=Shapes(resolver.scopes, resolver.parents, catalog.sequences).not_text,
        message_sources=_message_sources(site.call, resolver, set(site_calls), constructors),
        message_constructors=constructors,
    )
    _named_tools(plan.ctx, site.call, resolver, set(site_calls))
    request = rewrite_request(site.call, plan.ctx)
    plan.shared_values = {shared.binding for shared in request.shared}
    plan.shared = request.shared
    plan.definition_edits = request.definition_edits
    plan.constructed = request.constructed
    not_ours = [b for b in request.blockers if catalog.rule(b.code).level == "info"]
    if not_ours:  # e.g. instructor's `response_model=`: the call is not OpenAI's to migrate
        record.outcome = "skipped"
        record.findings = not_ours
        return plan
    fixes = [Finding.of("RSP100", method=site.method_name, to=".".join(site.method.to))]
    if isinstance(resolution, Client) and resolution.azure:
        fixes.append(Finding.of("RSP005"))
        version = resolution.version  # an api_version that may not serve /responses
        if version is not None and catalog.rule(version.code).safety == "unsafe" and settings.unsafe:
            fixes.append(version)
        elif version is not None:
            plan.blockers.append(version)
    plan.blockers.extend(request.blockers)
    plan.tool_helpers = _renamed_helper_funcs(site.call, request.renamed_tool_helpers)
    fixes.extend(request.fixes)
    streaming = any(catalog.rule(b.code).streaming for b in plan.blockers)
    kind = request.result_kind or site.method.result
    if kind and not streaming:  # a stream the tool can't follow is reported by RSP207 itself
        followed = follower.follow(site.call, kind)
        plan.take(followed)
        if followed.shared_values and _stores_nothing(site.call, settings):
            # Its output is sent back as input: with store=False, reasoning items need their
            # encrypted content to be accepted again.
            plan.ctx.include_reasoning = True
            fixes.append(Finding.of("RSP129"))
        for finding in followed.fixes:
            if finding not in fixes:
                fixes.append(finding)
        earned = {f.code for f in fixes}
        for group, why in catalog.not_together:
            if group <= earned:
                plan.blockers.append(Finding.of("RSP306", codes=", ".join(sorted(group)), why=why))
    for shared in request.shared:
        if shared.keyword == "messages" and not shared.elsewhere:
            _retype_message_list(shared, plan, fixes, resolver, catalog, positions)
    sources = plan.ctx.message_sources
    if sources is not None and request.passed_on:  # a list built elsewhere, passed on as it is
        mapper = TypeMapper(catalog.message_params.annotations(), resolver.scopes)
        for name, annotation in sources.annotations:
            _retype_list_annotation(name, annotation, plan, fixes, mapper, resolver, positions)
    record.findings = fixes
    return plan


def _retype_message_list(
    shared: Shared, plan: _Plan, fixes: list[Finding], resolver: Resolver, catalog: Catalog, positions
) -> None:
    """`messages: list[ChatCompletionMessageParam] = [...]`, passed as `input`: annotated
    `list[ResponseInputItemParam]` (rules/values.toml [message_params]), the only list type
    `input` takes. An annotation that names chat message types in any other form reports the
    call (RSP304); one that names none is left as it is."""
    statement = resolver.parents.get(shared.binding)
    table = catalog.message_params.annotations()
    mapper = TypeMapper(table, resolver.scopes)
    if isinstance(statement, cst.AssignTarget):
        _annotate_message_list(shared, resolver.parents.get(statement), plan, fixes, mapper, positions)
        return
    if isinstance(statement, cst.AnnAssign) and statement.target is shared.binding:
        _retype_list_annotation(shared.binding.value, statement.annotation, plan, fixes, mapper, resolver, positions)


def _retype_list_annotation(
    name: str,
    annotation: cst.Annotation,
    plan: _Plan,
    fixes: list[Finding],
    mapper: TypeMapper,
    resolver: Resolver,
    positions,
) -> None:
    """An annotation of a message list passed as `input`: `list[<chat message types>]` becomes
    `list[ResponseInputItemParam]`; chat message types in any other form report the call
    (RSP304); an annotation that names none is left as it is."""
    retyped = mapper.retype(annotation, "input_list")
    if retyped.why is not None:
        names = {n for node in _names_in(annotation) for n in resolver.qualified_names(node)}
        if names & mapper.table.types["input_item"].keys():
            why = (
                "`input` takes a `list[ResponseInputItemParam]`, and the tool retypes only a `list[...]` of chat"
                " message types"
            )
            line = positions[annotation].start.line
            shown = code_of(annotation.annotation).strip()
            plan.blockers.append(Finding.of("RSP304", name=name, annotation=shown, line=line, why=why))
        return
    for retype in retyped.retypes:
        plan.definition_edits.append(Edit(retype.node, retype.build))
        plan.retypes.append(retype)
        fix = Finding.of("RSP138", annotation=retype.shown, new=retype.new)
        if fix not in fixes:
            fixes.append(fix)


def _annotate_message_list(
    shared: Shared, statement: cst.CSTNode | None, plan: _Plan, fixes: list[Finding], mapper: TypeMapper, positions
) -> None:
    """`messages = [ChatCompletionUserMessageParam(...)]`, unannotated: a type checker took it for a
    list of that TypedDict, which chat's `messages` accepts; as a list of the dicts it is now
    written with, `input` would not. It is annotated `list[ResponseInputItemParam]`. (A list of
    dict literals was never typed for either API, and is left as it is.)"""
    written = {id(call) for call in plan.constructed}
    nodes = [shared.literal, *(node for _, node in shared.added)]
    calls = [c for node in nodes for c in _calls_in(node) if id(c) in written]
    if not calls or not isinstance(statement, cst.Assign):
        return
    line = positions[statement].start.line
    spelled = mapper.spelling(calls[0].func, _INPUT_ITEM)
    if isinstance(spelled, str):
        why = f"its messages are now dicts, which need the annotation, and it can't be written: {spelled}"
        plan.blockers.append(
            Finding.of(
                "RSP304", name=shared.binding.value, annotation="list[ResponseInputItemParam]", line=line, why=why
            )
        )
        return
    expr, need, anchor = spelled
    annotation = cst.Annotation(
        cst.Subscript(cst.Name("list"), [cst.SubscriptElement(cst.Index(expr))]),
        whitespace_before_indicator=cst.SimpleWhitespace(""),
        whitespace_after_indicator=cst.SimpleWhitespace(" "),
    )

    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Assign)
        return cst.AnnAssign(
            target=updated.targets[0].target,
            annotation=annotation,
            value=updated.value,
            equal=cst.AssignEqual(
                whitespace_before=updated.targets[0].whitespace_before_equal,
                whitespace_after=updated.targets[0].whitespace_after_equal,
            ),
            semicolon=updated.semicolon,
        )

    name = shared.binding.value
    new = f"{name}: {code_of(annotation.annotation).strip()}"
    retype = Retype(statement, build, f"{name} = [...]", f"{new} = [...]", (need,) if need else (), anchor)
    plan.definition_edits.append(Edit(statement, build))
    plan.retypes.append(retype)
    fixes.append(Finding.of("RSP138", annotation=retype.shown, new=retype.new))


_INPUT_ITEM = "openai.types.responses.ResponseInputItemParam"


def _calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            yield current
        stack.extend(current.children)


def _names_in(node: cst.CSTNode) -> Iterator[cst.Name | cst.Attribute]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute)):
            yield current
        stack.extend(current.children)


def _message_constructors(source: str, parents: Parents, resolver: Resolver, catalog: Catalog) -> frozenset[str]:
    """How this module spells the SDK's message TypedDicts it calls (`ChatCompletionUserMessageParam`,
    an alias `P`, `chat.ChatCompletionUserMessageParam`), resolved by qualified name: a spelling
    counts only when every call so spelled, anywhere in the module, resolves to one of them
    (rules/values.toml [message_params]). The request is rewritten again on the updated tree,
    where only the spelling is left to go by."""
    known = catalog.message_params.constructors
    if source and not any(name.rpartition(".")[2] in source for name in known):
        return frozenset()
    imported = {
        _bound_root(alias)
        for node in parents
        if isinstance(node, (cst.Import, cst.ImportFrom))
        for alias in (node.names if not isinstance(node.names, cst.ImportStar) else ())
    }
    found: dict[str, bool] = {}
    for node in parents:
        if not isinstance(node, cst.Call) or not isinstance(node.func, (cst.Name, cst.Attribute)):
            continue
        root: cst.BaseExpression = node.func
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name) or root.value not in imported:
            continue
        spelling = code_of(node.func).strip()
        found[spelling] = found.get(spelling, True) and bool(resolver.qualified_names(node.func) & known)
    return frozenset(spelling for spelling, every in found.items() if every)


def _bound_root(alias: cst.ImportAlias) -> str:
    """The name an import binds: its alias, or the first part of its dotted name."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return code_of(alias.name).strip().split(".")[0]


def _plan_indirect(
    found: list[IndirectNode], settings: Settings, catalog: Catalog, resolver: Resolver, positions, lines: list[str]
) -> list[_Plan]:
    """Indirect uses of a chat method (`getattr`, a bound method passed on, an alias of
    `client.chat`): never migrated; reported on an OpenAI client (RSP008), else skipped or
    reported for what the receiver is, like a call site."""
    plans = []
    for use in found:
        resolution = resolver.resolve_indirect(use)
        if resolution is None:
            continue
        start = positions[use.node].start
        record = CallSite(line=start.line, column=start.column + 1, method="chat.completions", outcome="reported")
        if isinstance(resolution, Finding):
            record.outcome = "skipped" if catalog.rule(resolution.code).level == "info" else "reported"
            record.findings = [resolution]
        else:
            record.findings = [Finding.of("RSP008", how=use.how)]
        plan = _Plan(None, record)
        bare, local = _ignore_marker(lines[start.line - 1]) if start.line <= len(lines) else (False, frozenset())
        _select(plan, settings.disabled | local, bare)
        plans.append(plan)
    return plans


def _content_value(node: cst.BaseExpression, resolver: Resolver, catalog: Catalog) -> Shared | str | None:
    """What a message `content` that is not a literal holds (messages.ContentValues)."""
    if isinstance(node, cst.Name):
        followed = follow_content(node, resolver.scopes, resolver.parents)
        if followed is not None:
            return followed
    return Shapes(resolver.scopes, resolver.parents, catalog.sequences).not_text(node)


def _message_sources(
    call: cst.Call, resolver: Resolver, site_calls: set[cst.CSTNode], constructors: frozenset[str] = frozenset()
) -> Sources | None:
    """Where the messages of a `messages=` list built elsewhere come from (found on the original
    tree, once: the request is rewritten again on the updated one)."""
    arg = keyword_argument(call, "messages")
    if arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
        return None
    if isinstance(arg.value, (cst.List, cst.Tuple)) and all(
        isinstance(e, cst.Element) and (isinstance(e.value, cst.Dict) or _constructed(e.value, constructors))
        for e in arg.value.elements
    ):
        return None  # a list literal of messages: converted where it is written
    return message_sources(arg.value, resolver.scopes, resolver.parents, site_calls, constructors)


def _constructed(node: cst.BaseExpression, constructors: frozenset[str]) -> bool:
    return isinstance(node, cst.Call) and code_of(node.func).strip() in constructors


def _named_tools(ctx: RequestContext, call: cst.Call, resolver: Resolver, site_calls: set[cst.CSTNode]) -> None:
    """Tools and functions of tools given by name in the call's `tools=` / `functions=` list, or
    in the list literal of the name it passes (rewrite/tool_values.py)."""
    for keyword in ("tools", "functions"):
        arg = keyword_argument(call, keyword)
        value = arg.value if arg is not None else None
        shared = ctx.shared.get(keyword)
        if isinstance(value, cst.Name) and isinstance(shared, Shared):
            value = shared.literal
        if isinstance(value, (cst.List, cst.Tuple)):
            _named_tool_elements(ctx, keyword, value, resolver, set(), site_calls)


def _named_tool_elements(
    ctx: RequestContext,
    keyword: str,
    value: cst.List | cst.Tuple,
    resolver: Resolver,
    requested: Collection[cst.CSTNode],
    site_calls: set[cst.CSTNode] | None = None,
) -> None:
    """The tools and functions of tools given by name in one tool list literal."""
    for element in value.elements:
        node = element.value
        if isinstance(node, cst.Name):
            found = follow_tool(node, keyword, resolver.scopes, resolver.parents, site_calls or set(), requested)
            ctx.named_tools.setdefault((keyword, node.value), found)
            node = found.literal if isinstance(found, Shared) else node
        view = DictView.of(node)
        inner = view.get("function") if view is not None else None
        if isinstance(inner, cst.Name):
            ctx.named_functions.setdefault(inner.value, follow_function(inner, resolver.scopes, resolver.parents))


def _stores_nothing(call: cst.Call, settings: Settings) -> bool:
    arg = keyword_argument(call, "store")
    if arg is not None:
        return isinstance(arg.value, cst.Name) and arg.value.value == "False"
    return settings.store == "false"


def _renamed_helper_funcs(call: cst.Call, spellings: set[str]) -> dict[cst.CSTNode, str]:
    out: dict[cst.CSTNode, str] = {}
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "tools" and isinstance(arg.value, (cst.List, cst.Tuple)):
            for element in arg.value.elements:
                if isinstance(element.value, cst.Call):
                    spelling = code_of(element.value.func).strip()
                    if spelling in spellings:
                        out[element.value.func] = spelling
    return out


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


def _known_arguments(
    call: cst.Call, catalog: Catalog, resolver: Resolver, follower: ResultFollower
) -> dict[str, KnownString]:
    """The strings that arguments given by name hold (`model=FT_MODEL`), where the mapping
    checks the value (a `report_prefix`) and the tool can prove it."""
    found: dict[str, KnownString] = {}
    for arg in call.args:
        parameter = catalog.parameters.get(arg.keyword.value) if arg.keyword is not None else None
        if parameter is None or parameter.report_prefix is None or isinstance(arg.value, cst.SimpleString):
            continue
        known = known_string(arg.value, resolver.scopes, resolver.parents, follower.attributes.only_value)
        if known is not None:
            found[parameter.name] = known
    return found


_ELSEWHERE = (
    "the tool converts such a value where it is written, with every module that uses it, only when each use is a"
    " call that migrates in the same run"
)


def _named_arguments(
    call: cst.Call,
    scopes,
    parents,
    site_calls,
    values: Mapping[str, _ImportedValue] | None = None,
    kept: Callable[[cst.Name | cst.Attribute], str | None] | None = None,
    constructors: frozenset[str] = frozenset(),
) -> dict[str, Shared | str]:
    """What each `keyword=NAME` argument whose shape changes refers to."""
    found: dict[str, Shared | str] = {}
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in CROSSING and isinstance(arg.value, cst.Attribute):
            value = next((v for v in (values or {}).values() if any(n is arg.value for n in v.names)), None)
            if value is not None and value.shared is not None and value.shared.keyword == arg.keyword.value:
                found[arg.keyword.value] = value.shared
                continue
            shown = code_of(arg.value).strip()
            why = kept(arg.value) if kept is not None else None
            if why is not None:
                found[arg.keyword.value] = f"`{shown}` keeps its chat shape in its module: {why}"
            elif value is not None and value.why is not None:
                found[arg.keyword.value] = value.why
            elif _import_binding(arg.value, scopes) is not None:
                found[arg.keyword.value] = f"`{shown}` is read from another module: {_ELSEWHERE}"
            continue
        if arg.keyword is not None and arg.keyword.value in SHAREABLE and isinstance(arg.value, cst.Name):
            followed = analyze_shared(arg.value, arg.keyword.value, scopes, parents, site_calls, constructors)
            origin = _imported_from(arg.value, scopes) if isinstance(followed, str) else None
            value = next((v for v in (values or {}).values() if any(n is arg.value for n in v.names)), None)
            if origin is not None and value is not None and value.shared is not None:
                followed = value.shared if value.shared.keyword == arg.keyword.value else followed
            elif origin is not None and kept is not None and (why := kept(arg.value)) is not None:
                followed = f"`{arg.value.value}` is imported from `{origin}`, where it keeps its chat shape: {why}"
            elif origin is not None:
                where = f"`{origin}`" if origin else "another module"
                followed = f"`{arg.value.value}` is imported from {where}: {_ELSEWHERE}"
            found[arg.keyword.value] = followed
    return found


def _kept_values(links: Links, resolver: Resolver) -> Callable[[cst.Name | cst.Attribute], str | None] | None:
    """Why a name imported from a module of the run keeps its chat shape there (links.kept_values)."""
    if not links.kept_values:
        return None

    def why(name: cst.Name | cst.Attribute) -> str | None:
        names = sorted(_absolute(q, links.package) for q in resolver.qualified_names(name))
        return next((links.kept_values[q] for q in names if q in links.kept_values), None)

    return why


@dataclass
class _ImportedValue:
    """A value imported from a module of the run that converts it where it is written
    (links.imported_values): its uses here, and why they can't all be followed."""

    keyword: str
    names: list[cst.CSTNode] = field(default_factory=list)  # every use of it
    shared: Shared | None = None  # passed as `keyword=` to the calls (its `users`), if that is all
    why: str | None = None


def _imported_values(
    links: Links, resolver: Resolver, parents, site_calls: Collection[cst.CSTNode]
) -> dict[str, _ImportedValue]:
    """The uses of each value imported from a module that converts it where it is written: they
    must all be its keyword at a call site (and those calls migrate: _unfollowed_values)."""
    if not links.imported_values:
        return {}
    found = {q: _ImportedValue(keyword) for q, keyword in links.imported_values.items()}
    for node, parent, hit in _named(found, links.package, parents, resolver):
        value = found[hit]
        value.names.append(node)
        if value.why is not None:
            continue
        shown = code_of(node).strip()
        call = parents.get(parent)
        keyword = parent.keyword.value if isinstance(parent, cst.Arg) and parent.keyword is not None else None
        if isinstance(parent, cst.Subscript) and parent.value is node:
            value.why = f"`{shown}` is read by key (`{short_code(parent)}`), which its Responses shape changes"
        elif keyword != value.keyword or not (isinstance(call, cst.Call) and call in site_calls):
            value.why = (
                f"`{shown}` is passed as `{keyword}=` to a call the tool does not migrate"
                if keyword is not None and isinstance(call, cst.Call)
                else describe_use(parent, shown)
            )
        else:
            binding = _import_binding(node, resolver.scopes)
            if binding is None:
                value.why = f"`{shown}` is not bound by its import alone"
            elif value.shared is None:
                value.shared = Shared(value.keyword, binding, binding, elsewhere=hit)
            elif value.shared.binding is not binding:
                value.why = f"`{shown}` is imported more than once"
            if value.why is None and value.shared is not None:
                value.shared.users.append(call)
    for value in found.values():
        if value.why is not None:
            value.shared = None
        elif not value.names:
            value.why = "it is imported but not used"
    return found


def _import_binding(node: cst.Name | cst.Attribute, scopes) -> cst.Name | None:
    """The name the one import `node` (an access) refers to binds (`TOOLS` in `from .tools import
    TOOLS`; for `tools.TOOLS`, `tools` in `from . import tools` or `import tools`), or None."""
    if isinstance(node, cst.Attribute):
        return _import_binding(node.value, scopes) if isinstance(node.value, cst.Name) else None
    name = node
    scope = scopes.get(name)
    accesses = [a for a in scope.accesses[name] if a.node is name] if scope is not None else []
    referents = accesses[0].referents if len(accesses) == 1 else set()
    if len(referents) != 1:
        return None
    (referent,) = referents
    statement = referent.node if isinstance(referent, ImportAssignment) else None
    if not isinstance(statement, (cst.Import, cst.ImportFrom)) or isinstance(statement.names, cst.ImportStar):
        return None
    for alias in statement.names:
        bound = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(bound, cst.Name) and bound.value == name.value:
            return bound
    return None


def _unfollowed_values(values: Mapping[str, _ImportedValue], plans: list[_Plan], positions) -> dict[str, str]:
    """The imported values (qualified name -> why) whose uses here don't all migrate."""
    outcome = {plan.site.call: plan.record for plan in plans if plan.site is not None}
    out = {}
    for qualified, value in values.items():
        if value.why is not None or value.shared is None:
            out[qualified] = value.why or "it is not followed"
            continue
        for call in value.shared.users:
            record = outcome.get(call)
            if record is None or record.outcome != "migrated":
                line = record.line if record is not None else positions[call].start.line
                how = record.outcome if record is not None else "not migrated"
                out[qualified] = f"the call on line {line} that passes it is {how}"
                break
    return out


def _imported_from(name: cst.Name, scopes) -> str | None:
    """The module `name` (an access) is imported from, when that is all it is bound by."""
    scope = scopes.get(name)
    accesses = [a for a in scope.accesses[name] if a.node is name] if scope is not None else []
    referents = accesses[0].referents if len(accesses) == 1 else set()
    if not referents or not all(isinstance(r, ImportAssignment) for r in referents):
        return None
    return sorted(r.get_module_name_for_import() for r in referents)[0]


class _AppendSink:
    """`history.append(message)`: the model's own message added to a followed message list
    becomes `history.extend(message.output)`; the list's other users are coupled with the call."""

    def __init__(self, catalog: Catalog, scopes, parents, lists: dict, claimed: set) -> None:
        self.uses = catalog.value_uses
        self.scopes = scopes
        self.parents = parents
        self.lists = lists
        self.claimed = claimed

    def __call__(self, node: cst.CSTNode, kind: str, out) -> bool:
        use = self.uses.get(kind)
        attr = use.input_items if use is not None else None
        arg = self.parents.get(node)
        call = self.parents.get(arg) if isinstance(arg, cst.Arg) else None
        if attr is None or not isinstance(call, cst.Call) or len(call.args) != 1:
            return False
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name)):
            return False
        assignment = binding_of(func.value, self.scopes, self.parents)
        shared = self.lists.get(assignment.node) if assignment is not None else None
        if shared is None or not any(p is node for p in shared.pending):
            return False
        self.claimed.add(node)
        out.shared_values.add(shared.binding)

        def build(updated: cst.CSTNode, attr: str = attr) -> cst.CSTNode:
            assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
            value = updated.args[0].value
            items = cst.Attribute(value=value, attr=cst.Name(attr))
            return updated.with_changes(
                func=updated.func.with_changes(attr=cst.Name("extend")),
                args=[updated.args[0].with_changes(value=items)],
            )

        out.edits.append(Edit(call, build))
        return True


def _share_with_users(plans: list[_Plan]) -> None:
    """A value converted where it is written changes for every call that passes it: each of
    them, migrated or not (another SDK's client, a reported call), is coupled with it."""
    by_call = {plan.site.call: plan for plan in plans if plan.site is not None}
    for plan in plans:
        for shared in plan.shared:
            for call in shared.users:
                user = by_call.get(call)
                if user is not None:
                    user.shared_values.add(shared.binding)


def _refuse_imported_values(plans: list[_Plan], refused: Mapping[str, str]) -> None:
    """A module-level value another module imports (links.refused_values) can't change shape
    here: that module would read it in its new shape without being migrated with it."""
    for plan in plans:
        for shared in plan.shared:
            why = refused.get(shared.binding.value) if shared.exported else None
            if why is None:
                continue
            name = shared.binding.value
            why = f"converting `{name}` where it is written would change it for {why}"
            if shared.keyword == "messages":
                plan.blockers.append(Finding.of("RSP203", param="messages", expr=name, why=why))
            elif shared.keyword == "content":
                plan.blockers.append(Finding.of("RSP204", index="named content", why=why))
            else:
                plan.blockers.append(Finding.of("RSP205", param=shared.keyword, expr=name, why=why))


def _check_appends(plans: list[_Plan], lists: dict, claimed: set) -> None:
    """A message list that gets a value appended which no migrated call accounts for can't be followed."""
    for binding, shared in lists.items():
        unclaimed = [p for p in shared.pending if p not in claimed]
        if not unclaimed:
            continue
        finding = Finding.of(
            "RSP203",
            param="messages",
            expr=binding.value,
            why=f"it gets `{code_of(unclaimed[0]).strip()}` appended, which the tool can't convert",
        )
        for plan in plans:
            if binding in plan.shared_values:
                plan.blockers.append(finding)


def _check_passed(plans: list[_Plan], positions) -> None:
    """A function's parameter a result is followed into must get, at every call of the function,
    a value some call's result accounts for, of the same kind (else its reads would be rewritten
    for a value that keeps its chat shape)."""
    claimed: dict[cst.CSTNode, set[str]] = {}
    for plan in plans:
        for node, kind in plan.claimed.items():
            claimed.setdefault(node, set()).add(kind)
    for plan in plans:
        for (function, param), (kind, values) in plan.passed.items():
            for value in values:
                if claimed.get(value, set()) != {kind}:
                    shown = brief(value)
                    if isinstance(param, cst.FunctionDef):  # a generator: what it yields
                        how = f"is yielded by `{function}()`, which also yields `{shown}`, not from a migrated call,"
                    else:
                        how = f"is passed to `{function}()`, which also gets `{shown}`, not from a migrated call,"
                    plan.blockers.append(Finding.of("RSP301", how=how, line=positions[value].start.line))
                    break


def _result_kind(site: CallSiteNode) -> str:
    """The kind of value a call returns, as far as its own arguments say: `create(stream=True)`
    returns a stream (so a name bound to two such calls holds streams only)."""
    kind = site.method.result or "stream"
    stream = keyword_argument(site.call, "stream")
    if kind == "completion" and stream is not None and literal_value(stream.value) is True:
        return "stream"
    return kind


def _couple(plans: list[_Plan], positions) -> None:
    """Calls that share result readers, message lists or other values migrate together or not at all."""
    keys: dict[cst.CSTNode | _ImportedKey, list[int]] = {}
    for i, plan in enumerate(plans):
        for key in plan.bindings | plan.shared_with | plan.shared_values:
            keys.setdefault(key, []).append(i)
    pairs = ((indices[0], i) for indices in keys.values() for i in indices[1:])
    for indices in connected(range(len(plans)), pairs):
        if len(indices) < 2:
            continue
        blocked = [plans[i] for i in indices if plans[i].blockers or plans[i].record.outcome != "migrated"]
        if not blocked:
            continue
        first = blocked[0]
        for i in indices:
            plan = plans[i]
            if plan.record.outcome != "migrated" or plan.blockers:
                continue
            common = plan.shared_values & (first.shared_values | first.bindings)
            params = [b for b in plan.bindings & first.bindings if isinstance(b, cst.Param)]
            if params and not common:  # both pass values to one function's parameter
                name = min(f"{p.name.value}" for p in params)
                plan.blockers.append(Finding.of("RSP305", name=name, line=first.record.line))
            elif common:
                name = min(str(key.value) for key in common)  # type: ignore[attr-defined]  # the same in every run
                plan.blockers.append(Finding.of("RSP305", name=name, line=first.record.line))
            else:
                # The variable that may hold the other call's value (`message` bound to
                # `first.choices[0].message` and `second.choices[0].message`), not this call's own.
                others = [plans[j] for j in indices if j != i]
                via = [v for k, v in plan.shared_via.items() if any(k in o.bindings for o in others)]
                via += [v for o in others for k, v in o.shared_via.items() if k in plan.bindings]
                named = [b for b in via or plan.bindings if isinstance(b, (cst.Name, cst.Attribute))]
                first_named = min(
                    named, key=lambda b: (positions[b].start.line, positions[b].start.column), default=None
                )
                name = code_of(first_named).strip() if first_named is not None else "result"
                plan.blockers.append(Finding.of("RSP303", name=name, line=first.record.line))


def _apply(
    module: cst.Module, plans: list[_Plan], catalog: Catalog, scopes, todos, parents, line_length: int
) -> cst.Module:
    calls = {p.site.call: p for p in plans if p.site is not None}
    chains: dict[cst.CSTNode, Edit] = {}
    for plan in plans:
        for edit in (*plan.edits, *plan.definition_edits):
            chains.setdefault(edit.target, edit)
    imports = _import_edits(plans, scopes)
    type_imports = type_import_edits(
        (r for plan in plans for r in plan.retypes),
        module,
        scopes,
        parents,
        replaced={call for plan in plans for call in plan.constructed},
    )
    # Only the nodes on the way to an edit are visited: the rest of the tree is kept as is.
    on_path: set[cst.CSTNode] = set()
    for target in (*calls, *chains, *imports, *type_imports, *todos):
        node: cst.CSTNode | None = target
        while node is not None and node not in on_path:
            on_path.add(node)
            node = parents.get(node)
    applier = _Apply(calls, chains, imports, catalog.clients.tool_helper_responses, todos, on_path, type_imports)
    applier.wrap = _Wrap(module.default_indent, line_length)
    return module.visit(applier)


class _Wrap:
    """Where the rewritten calls are and how deep their blocks are indented, for re-wrapping
    each statement that holds one to the file's line length (rewrite/wrap.py)."""

    def __init__(self, unit: str, line_length: int) -> None:
        self.unit = unit
        self.line_length = line_length
        self.blocks: list[cst.IndentedBlock] = []
        self.calls: list[cst.Call] = []
        self.elifs: set[cst.CSTNode] = set()  # `if` nodes written `elif`

    def indent(self) -> int:
        return sum(len(self.unit if b.indent is None else b.indent) for b in self.blocks)

    def statement(self, original: cst.SimpleStatementLine, node: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        """`node` re-wrapped, unless the statement was already too long as written (the file
        was not formatted to this line length: it is not re-formatted for it)."""
        calls, self.calls = self.calls, []
        if node is original or not fits(original, self.indent(), self.line_length):
            return node
        if calls:
            node = rewrap(node, calls, self.indent(), self.line_length, self.unit)
        if not fits(node, self.indent(), self.line_length):
            node = reflow(node, self.indent(), self.line_length, self.unit)
        return node

    def compound(self, original: cst.CSTNode, node: cst.CSTNode) -> cst.CSTNode:
        """`node`'s header (a rewritten `if`/`elif`/`while`/`for` test) re-wrapped likewise."""
        self.calls = []  # a call in a compound statement's header is left as laid out
        if node is original:
            return node
        is_elif = original in self.elifs
        return reflow_compound(original, node, is_elif, self.indent(), self.line_length, self.unit)


class _Positions:
    """Positions of call sites from the `ast` gate; any other node's from LibCST, computed for
    the top-level statement that holds it (a full position pass costs a quarter of a file's
    planning, and most files only ever ask about one or two functions)."""

    def __init__(
        self,
        module: cst.Module,
        parents: Mapping[cst.CSTNode, cst.CSTNode],
        sites: list[CallSiteNode],
        known,
        module_code: ModuleCode,
    ) -> None:
        self.module = module
        self.module_code = module_code
        self.parents = parents
        self.known: dict[cst.CSTNode, CodeRange] = {}
        if known is not None and len(known) == len(sites):
            for site, (line, column, end_line, end_column) in zip(sites, known, strict=True):
                self.known[site.call] = CodeRange(CodePosition(line, column - 1), CodePosition(end_line, end_column))
        self._statements: dict[cst.CSTNode, Mapping[cst.CSTNode, CodeRange]] = {}
        self._full: Mapping[cst.CSTNode, CodeRange] | None = None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self.known.get(node)
        if found is not None:
            return found
        top = node
        while top in self.parents and self.parents[top] is not self.module:
            top = self.parents[top]
        first_lines = self.module_code.first_lines()
        if top not in first_lines:  # the module itself, its header or footer
            if self._full is None:
                self._full = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
            return self._full[node]
        ranges = self._statements.get(top)
        if ranges is None:
            alone = self.module.with_changes(header=(), body=(top,), footer=())
            ranges = self._statements[top] = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        found = ranges[node]
        shift = first_lines[top] - 1
        return CodeRange(
            CodePosition(found.start.line + shift, found.start.column),
            CodePosition(found.end.line + shift, found.end.column),
        )


def _import_edits(plans: list[_Plan], scopes) -> dict[cst.CSTNode, dict[str, str | None]]:
    """`from openai import pydantic_function_tool [as x]` must import the Responses helper.

    The old name is replaced when every use of it was renamed, else the new name is added.
    Returns, per ImportFrom node, {imported name or alias: old name to replace, or None to add}.
    """
    renamed = {func: spelling for plan in plans for func, spelling in plan.tool_helpers.items()}
    edits: dict[cst.CSTNode, dict[str, str | None]] = {}
    for func, spelling in renamed.items():
        if "." in spelling:
            continue
        scope = scopes.get(func)
        for assignment in scope.assignments[spelling] if scope is not None else ():
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.ImportFrom):
                uses = {access.node for access in assignment.references}
                all_renamed = uses <= renamed.keys()
                edits.setdefault(node, {})[spelling] = spelling if all_renamed else None
    return edits


class _Apply(cst.CSTTransformer):
    def __init__(self, calls, chains, imports, helper: str, todos, on_path, statement_edits=None) -> None:
        self.on_path = on_path
        self.statement_edits = statement_edits or {}
        self.todos = todos
        self.calls = calls
        self.chains = chains
        self.imports = imports
        self.helper = helper

    wrap: _Wrap | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node not in self.on_path:
            return False
        if isinstance(node, cst.IndentedBlock) and self.wrap is not None:
            self.wrap.blocks.append(node)
        if isinstance(node, cst.If) and isinstance(node.orelse, cst.If) and self.wrap is not None:
            self.wrap.elifs.add(node.orelse)
        return True

    def on_leave(self, original_node, updated_node):
        if isinstance(original_node, cst.FormattedString) and not updated_node.deep_equals(original_node):
            requote = requoted(original_node, updated_node)
            if requote is None:
                raise InternalError("a read rewritten in an f-string needs a string literal with both quotes")
            updated_node = requote
        wrap = self.wrap
        if wrap is not None and wrap.blocks and wrap.blocks[-1] is original_node:
            wrap.blocks.pop()
        plan = self.calls.get(original_node)
        if plan is not None:
            updated_node = self._call(plan, updated_node)
            if wrap is not None:
                wrap.calls.append(updated_node)
        if wrap is not None and isinstance(updated_node, cst.SimpleStatementLine):
            updated_node = wrap.statement(original_node, updated_node)
        elif wrap is not None and isinstance(original_node, cst.BaseCompoundStatement):
            updated_node = wrap.compound(original_node, updated_node)
        edit = self.chains.get(original_node)
        if edit is not None:
            updated_node = edit.build(updated_node)
        edits = self.imports.get(original_node)
        if edits is not None:
            updated_node = _add_import_names(updated_node, edits, self.helper)
        for build in self.statement_edits.get(original_node, ()):
            updated_node = build(updated_node)
            if isinstance(updated_node, (cst.FlattenSentinel, cst.RemovalSentinel)):
                return updated_node
        todo = self.todos.get(original_node)
        if todo:
            # A rule already named by a TODO above the statement is not named again: its message
            # may embed a line number that the TODO lines themselves moved (--add-todo is idempotent).
            present = {_todo_code(line.comment.value) for line in updated_node.leading_lines if line.comment}
            added = [cst.EmptyLine(comment=cst.Comment(t)) for t in todo if _todo_code(t) not in present]
            if added:
                updated_node = updated_node.with_changes(leading_lines=[*updated_node.leading_lines, *added])
        return updated_node

    @staticmethod
    def _call(plan: _Plan, updated: cst.Call) -> cst.Call:
        assert plan.ctx is not None and plan.site is not None
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
        return updated.with_changes(
            func=new_func, args=request.args, whitespace_before_args=request.whitespace_before_args
        )


def _add_import_names(node: cst.ImportFrom, edits: dict[str, str | None], new_name: str) -> cst.ImportFrom:
    if isinstance(node.names, cst.ImportStar):
        return node
    aliases = list(node.names)
    present = {a.evaluated_alias or a.evaluated_name for a in aliases}
    replace = {old for old, how in edits.items() if how is not None}
    out = []
    for alias in aliases:
        bound = alias.evaluated_alias or alias.evaluated_name
        if bound in replace and new_name not in present:
            alias = alias.with_changes(name=cst.Name(new_name), asname=None)
            present.add(new_name)
        elif bound in replace:
            continue  # the new name is already imported: drop the old one
        out.append(alias)
    if new_name not in present:
        last = out[-1]
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        out[-1] = last.with_changes(comma=separator)
        out.append(cst.ImportAlias(name=cst.Name(new_name), comma=last.comma))
    if isinstance(out[-1].comma, cst.Comma) and not isinstance(aliases[-1].comma, cst.Comma):
        out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=out)
