"""The second cheap gate: find call sites with the stdlib `ast` (C-parsed, ~10x faster than LibCST).

A file that mentions `completions` but has no recognised call site never reaches LibCST, and
for files that do, the call sites' positions come from here instead of a full position pass.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

Position = tuple[int, int, int, int]  # line, column (1-based), end line, end column
# An import statement: `import a.b, c` is (None, 0, ("a.b", "c")); `from ..m import x, y` is
# ("m", 2, ("x", "y")), with "" for a bare `from . import x`.
Import = tuple["str | None", int, tuple[str, ...]]


@dataclass(frozen=True)
class Scan:
    """What the engine needs from a file's `ast`: its call sites' positions and how deeply its
    syntax nests (LibCST's parser can't take very deep files)."""

    positions: list[Position]
    depth: int
    # Undecorated module-level functions that hold a call site and return a value (their
    # results may leave the module), or that a result may be passed to: other modules that
    # import them are planned with this one (migrate/engine/units.py).
    returning: frozenset[str] = frozenset()
    # The module's import statements, wherever they stand (migrate/engine/units.py).
    imports: tuple[Import, ...] = ()
    # Public module-level names bound to a literal that a call site passes, whole or inside, as a
    # value whose shape changes (`tools=TOOLS`, `tools=[save_contact]`): the engine may convert
    # them where they are written, which another module importing them can't follow
    # (migrate/engine/units.py `imported_values`).
    shared_names: frozenset[str] = frozenset()
    # What may be an indirect use of a chat method (`getattr(client, "chat")`, a bound
    # `x.chat.completions.create` not called, `chat.completions.create(...)` on an alias): the
    # engine decides (migrate/analysis/call_sites.py IndirectNode).
    indirect: bool = False
    # Names a call site passes whole as a value converted where it is written, that the module
    # does not bind to a literal itself (`tools=TOOLS` after `from .tools import TOOLS`, or
    # `tools=tools.TOOLS`): (the name or dotted name, the keyword). Another module of the run may
    # convert it (migrate/engine/units.py `imported_values`).
    passed_names: tuple[tuple[str, str], ...] = ()

    @property
    def has_sites(self) -> bool:
        """Whether the engine must look at the file: call sites, or uses that may be indirect."""
        return bool(self.positions) or self.indirect


def scan(tree: ast.AST, methods: Iterable[tuple[str, ...]]) -> Scan:
    """One walk over `tree` for both (`ast.iter_child_nodes` inlined: it is most of the cost)."""
    deepest = 0
    calls: list[ast.Call] = []
    imports: list[ast.Import | ast.ImportFrom] = []
    chat_resources = 0  # `x.chat.completions` nodes
    chat_aliases = False  # `name = x.chat`
    stack = [(tree, 1)]
    pop, push, node_type = stack.pop, stack.append, ast.AST
    while stack:
        node, depth = pop()
        if depth > deepest:
            deepest = depth
        kind = type(node)
        if kind is ast.Call:
            calls.append(cast(ast.Call, node))
        elif kind is ast.Import or kind is ast.ImportFrom:
            imports.append(cast("ast.Import | ast.ImportFrom", node))
        elif kind is ast.Assign:
            assigned = cast(ast.Assign, node).value
            if type(assigned) is ast.Attribute and assigned.attr == "chat":
                chat_aliases = True
        elif kind is ast.Attribute and cast(ast.Attribute, node).attr == "completions":
            resource = cast(ast.Attribute, node).value
            if type(resource) is ast.Attribute and resource.attr == "chat":
                chat_resources += 1
        depth += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                push((value, depth))
            elif type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push((item, depth))
    positions = _positions(calls, methods)
    returning = returning_functions(tree, positions) if positions and isinstance(tree, ast.Module) else frozenset()
    indirect = chat_resources > len(positions) or _indirect_calls(calls, chat_aliases)
    shared: frozenset[str] = frozenset()
    passed: tuple[tuple[str, str], ...] = ()
    if positions and isinstance(tree, ast.Module):
        shared = shared_value_names(tree, calls, positions)
        passed = passed_value_names(tree, calls, positions)
    return Scan(positions, deepest, returning, tuple(_import(node) for node in imports), shared, indirect, passed)


def _indirect_calls(calls: Iterable[ast.Call], chat_aliases: bool) -> bool:
    """`getattr(x, "chat")`, `getattr(x.chat, "completions")`, or, where the module binds a name
    to `x.chat`, `name.completions.<m>(...)`."""
    for node in calls:
        func = node.func
        if type(func) is ast.Name and func.id == "getattr" and len(node.args) >= 2:
            name = node.args[1]
            if type(name) is ast.Constant and name.value in ("chat", "completions"):
                return True
        elif chat_aliases and type(func) is ast.Attribute:
            base = func.value
            while type(base) is ast.Attribute and base.attr != "completions":
                base = base.value
            if type(base) is ast.Attribute and type(base.value) is ast.Name:
                return True
    return False


def import_statements(tree: ast.Module) -> list[Import]:
    """Every import statement of `tree`, nested ones included, found without walking the
    expressions (for files that need nothing else from the gate)."""
    found: list[Import] = []
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(_import(node))
            continue
        for name in _BLOCKS:
            block = getattr(node, name, None)
            if block:
                stack.extend(block)
        for handler in getattr(node, "handlers", ()):
            stack.extend(handler.body)
        for case in getattr(node, "cases", ()):
            stack.extend(case.body)
    return found


# The fields of a statement that hold statements (handlers' and cases' bodies aside).
_BLOCKS = ("body", "orelse", "finalbody")


def _import(node: ast.Import | ast.ImportFrom) -> Import:
    names = tuple(alias.name for alias in node.names)
    if isinstance(node, ast.Import):
        return (None, 0, names)
    return (node.module or "", node.level, names)


def gate(data: bytes) -> Scan | None:
    """The scan of a file's bytes with the catalog's methods, or None where `ast` can't parse it
    (the engine then says why)."""
    from migrate.catalog import loader as catalog

    try:
        return scan_source(data, catalog.load().methods)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def scan_source(data: bytes, methods: Iterable[tuple[str, ...]]) -> Scan:
    """Parse `data` with `ast` and scan it. Raises what `ast.parse` raises."""
    with warnings.catch_warnings():  # e.g. "invalid escape sequence": the user's business, not ours
        warnings.simplefilter("ignore")
        tree = ast.parse(data)
    return scan(tree, methods)


def _positions(calls: Iterable[ast.Call], methods: Iterable[tuple[str, ...]]) -> list[Position]:
    paths = set(methods)
    last_names = {path[-1] for path in paths}
    found = []
    for node in calls:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in last_names):
            continue
        names = []
        base: ast.expr = func
        while isinstance(base, ast.Attribute):
            names.append(base.attr)
            if len(names) >= 2 and names[-1] == "chat" and names[-2] == "completions":
                break
            base = base.value
        else:
            continue
        if tuple(reversed(names[:-2])) in paths:
            end_line = node.end_lineno or node.lineno
            end_col = node.end_col_offset or 0
            found.append((node.lineno, node.col_offset + 1, end_line, end_col))
    found.sort(key=lambda p: (p[0], p[1], -p[2], -p[3]))
    return found


# Keywords whose value changes shape (migrate/engine/plan.py SHAREABLE).
_SHAPED = frozenset({"messages", "tools", "tool_choice", "response_format", "functions"})


# Keywords whose value a module may import from the one that converts it (migrate/engine/units.py).
CROSSING = ("tools", "functions", "response_format", "tool_choice")


def passed_value_names(
    tree: ast.Module, calls: Iterable[ast.Call], sites: list[Position]
) -> tuple[tuple[str, str], ...]:
    """(name, keyword) for each `keyword=NAME` or `keyword=module.NAME` of a call site whose value
    is converted where it is written, when the module binds no such name at its top level."""
    bound = {
        target.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    starts = {(line, column) for line, column, *_ in sites}
    found: dict[tuple[str, str], None] = {}
    for call in calls:
        if (call.lineno, call.col_offset + 1) not in starts:
            continue
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        for keyword in call.keywords:
            value = keyword.value
            if keyword.arg not in CROSSING or (keyword.arg == "response_format" and method in ("parse", "stream")):
                continue  # (`.parse(response_format=Model)`: a class, kept as it is)
            if isinstance(value, ast.Name) and value.id not in bound:
                found[(value.id, keyword.arg)] = None
            elif isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
                found[(f"{value.value.id}.{value.attr}", keyword.arg)] = None
    return tuple(found)


def shared_value_names(tree: ast.Module, calls: Iterable[ast.Call], sites: list[Position]) -> frozenset[str]:
    """Public module-level names bound to a literal that a call site's shape-changing keyword
    names, and the public names in those literals, transitively (a superset of what the engine
    may convert where it is written)."""
    literals: dict[str, ast.expr] = {}
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and not target.id.startswith("_") and value is not None:
                literals[target.id] = value
    if not literals:
        return frozenset()
    starts = {(line, column) for line, column, *_ in sites}
    pending = [
        keyword.value
        for call in calls
        if (call.lineno, call.col_offset + 1) in starts
        for keyword in call.keywords
        if keyword.arg in _SHAPED
    ]
    found: set[str] = set()
    while pending:
        for inner in ast.walk(pending.pop()):
            if isinstance(inner, ast.Name) and inner.id in literals and inner.id not in found:
                found.add(inner.id)
                pending.append(literals[inner.id])
    return frozenset(found)


def returning_functions(tree: ast.Module, sites: list[Position]) -> frozenset[str]:
    """Undecorated module-level functions that hold a call site and return or yield a value
    (their results may leave the module), and those that a top-level statement holding a call site
    calls with arguments (a result may be passed to them: migrate/rewrite/helpers.py)."""
    names = set()
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    holders = []
    for node in tree.body:
        end = node.end_lineno or node.lineno
        holds = any(node.lineno <= line <= end for line, *_ in sites)
        if holds:
            holders.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.decorator_list:
            continue
        functions[node.name] = node
        if holds and any(
            isinstance(inner, (ast.Return, ast.Yield, ast.YieldFrom)) and inner.value is not None
            for inner in ast.walk(node)
        ):
            names.add(node.name)
    for holder in holders:
        for inner in ast.walk(holder):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id in functions
                and (inner.args or inner.keywords)
            ):
                names.add(inner.func.id)
    return frozenset(names)
