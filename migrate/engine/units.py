"""Results that cross module boundaries: find the files of a run that must be planned together,
and plan them (see migrate/analysis/links.py).

Finding them is cheap and uses the stdlib `ast` only. A module-level function that holds a call
site and returns something may return its result. Files of the run whose bytes name such a
function are parsed to see whether they import it (`from pkg.helpers import ask`, `from . import
helpers`, `import pkg.helpers as h`, ...). Module names come from the files' places in their
packages (the directories holding an `__init__.py`), as Python would import them. The other
files of the project (a run over some files: see migrate/run/project.py) go through the same
text test and import scan, only when some function may return a result: one that imports it
refuses it, since the run never writes it.

Planning a unit goes in rounds, each running the engine on every file of the unit with what the
previous round learned: which functions return a migrated result (and of what kind), which
modules call them, and which callers can't be followed. A function whose result is read
somewhere the tool can't follow is refused: its call site is then reported (RSP309), and no
reader of it is rewritten. Refusals only grow, so the rounds settle.

Values cross modules too: a module-level tool list, format or `tool_choice` that a call site
passes by name and another file imports (`from .tools import TOOLS`). `imported_values` finds
the importers; those that are files of the run with call sites join the defining module's unit
(`join_units`), any other refuses the value. The rounds then convert it where it is written
only while every importer's uses are its keyword at calls that migrate (see `migrate_unit`).
A module with no call passing the value (a `tools.py` with no call at all) is asked to convert
it too, when calls of other files of the run pass it by name (`requested_values`).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrate.analysis.groups import connected
from migrate.analysis.links import Helper, Links, absolute_module
from migrate.catalog.findings import FileResult
from migrate.engine.gate import Import, Scan, import_statements, named_values, scan

Export = tuple[str, str]  # (path of the module, function name)
# What marks a project's root directory (engine/modules.py too).
PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


@dataclass
class Unit:
    """Files whose migrations depend on each other, with the bytes read for them."""

    paths: list[str]
    data: dict[str, bytes]
    exports: dict[str, set[str]] = field(default_factory=dict)  # path -> function names
    # path -> {absolute qualified name it may call ("pkg.helpers.ask"): the export}
    imports: dict[str, dict[str, Export]] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)  # path -> its package, for relative imports
    # Exports that a file the tool doesn't follow across modules (a notebook) may call: why not.
    opaque: dict[Export, str] = field(default_factory=dict)
    # path -> {name: why}: values other modules import, not to be converted (imported_values).
    refused_values: dict[str, dict[str, str]] = field(default_factory=dict)
    # Values converted where they are written together with the modules of the unit that import
    # them (imported_values): path -> names, and importer path -> {qualified name: the value}.
    value_exports: dict[str, set[str]] = field(default_factory=dict)
    value_imports: dict[str, dict[str, Export]] = field(default_factory=dict)
    # Those of them that no call of their own module passes (requested_values): path -> {name:
    # the keyword its importers pass it as}.
    value_requests: dict[str, dict[str, str]] = field(default_factory=dict)
    # Functions of the unit that other modules of it import and call, maybe passing a result
    # (helper_links): their parameters; importer path -> {qualified name: the function}; and
    # those some other importer keeps from being followed: why.
    helpers: dict[Export, Signature] = field(default_factory=dict)
    helper_imports: dict[str, dict[str, Export]] = field(default_factory=dict)
    helper_refused: dict[Export, str] = field(default_factory=dict)
    # path -> where the project wraps the chat method, for its tests and examples (Links.chat_wrapped).
    chat_wrapped: dict[str, str] = field(default_factory=dict)


def find_units(
    paths: Iterable[str],
    candidates: Mapping[str, bytes],
    methods: Iterable[tuple[str, ...]],
    read: Callable[[str], bytes | None],
    scans: Mapping[str, Scan] | None = None,
    select: Select | None = None,
    outside: Callable[[], Sequence[str]] | None = None,
    importers: list[str] | None = None,
) -> list[Unit]:
    """The units among `paths` (the run's files, in order). `candidates` holds the bytes of the
    files that may contain call sites; `read` gives any other file's bytes (None: unreadable).
    `scans`: the `ast` gate's findings for candidates already parsed. `select`: which of the
    other files pass a text test, read from disk (in worker processes, say); by default they
    are read with `read` and tested here. `outside`: the other files of the project, asked for
    only when some function may return a result; one that imports such a function refuses it
    (RSP309), since it is read but never written; such files are added to `importers`."""
    methods = list(methods)
    exports: dict[str, set[str]] = {}
    imports_of: dict[str, tuple[Import, ...]] = {}  # the candidates', from their scans
    for path, source in candidates.items():
        if path.endswith(".ipynb"):
            continue
        scanned = (scans or {}).get(path)
        if scanned is None:
            tree = _parse(source)
            scanned = scan(tree, methods) if tree is not None else None
        if scanned is None:
            continue
        imports_of[path] = scanned.imports
        if scanned.returning:
            exports[path] = set(scanned.returning)
    if not exports:
        return []
    paths = list(paths)
    names = _ModuleNames()
    # Which files are which module matters only where a file could be an exporter's module.
    stems = {_stem(path) for path in exports}
    taken = Counter(names.of(path)[0] for path in paths if _stem(path) in stems)
    opaque: dict[Export, str] = {}
    modules: dict[str, str] = {}
    for path in exports:
        module = names.of(path)[0]
        if taken[module] > 1:  # which one an import means depends on sys.path: don't guess
            for name in exports[path]:
                opaque[(path, name)] = (
                    f"another file of the run is also module `{module}`, so its importers can't be told apart"
                )
        else:
            modules[module] = path
    # Any import of an export names the module (or its package) and the function somewhere.
    needles: dict[bytes, list[bytes]] = {}  # function name -> the last parts of its modules
    for module, path in modules.items():
        for name in exports[path]:
            needles.setdefault(name.encode(), []).append(module.rpartition(".")[2].encode())
    if not needles:
        return _group(paths, exports, {}, {}, {}, candidates, opaque)
    test = NamesAModule(needles)
    others = [path for path in paths if path not in candidates]
    hits = {path for path, data in candidates.items() if test(data)}
    hits |= (select or _select_here(read))(others, test)
    beyond = [path for path in (outside() if outside is not None else ()) if path not in candidates]
    if beyond:
        hits |= (select or _select_here(read))(beyond, test)
        for path in beyond:
            refused = path in hits and _refuse_outside(path, read(path), names, modules, exports, opaque)
            if refused and importers is not None:
                importers.append(path)
    links: dict[str, dict[str, Export]] = {}
    packages: dict[str, str] = {}
    data_of: dict[str, bytes] = {}
    for path in paths:
        if path not in hits:
            continue
        data = candidates.get(path)
        if data is None:
            data = read(path)
        if data is None:
            continue
        if path.endswith(".ipynb"):  # not followed across modules: whatever it may call is refused
            for module, exporter in modules.items():
                if module.rpartition(".")[2].encode() in data:
                    for name in exports[exporter]:
                        if name.encode() in data:
                            opaque.setdefault(
                                (exporter, name),
                                f"it may be called from {path}, a notebook the tool doesn't follow across modules",
                            )
            continue
        tree = _parse(data)
        if tree is None:
            continue
        statements = imports_of.get(path) or tuple(import_statements(tree))
        package = names.of(path)[1]
        found = _imported(statements, package, modules, exports)
        found = {name: export for name, export in found.items() if export[0] != path}
        reached = set(found.values())
        for exporter, name, spelled in _loosely_imported(tree, _in_project(modules, path, names), exports, data):
            if exporter != path and (exporter, name) not in reached and (exporter, "*") not in reached:
                why = f"{path} may import it and reads it as `{spelled}`, which the tool doesn't follow"
                opaque.setdefault((exporter, name), why)
        for name, (exporter, function) in list(found.items()):
            if function == "*":
                del found[name]
                for export in exports[exporter]:
                    opaque.setdefault(
                        (exporter, export), f"{path} imports it with `*`, which the tool doesn't follow across modules"
                    )
        if found:
            links[path], packages[path], data_of[path] = found, package, data
    return _group(paths, exports, links, packages, data_of, candidates, opaque)


def imported_values(
    paths: Iterable[str],
    candidates: Mapping[str, bytes],
    scans: Mapping[str, Scan],
    read: Callable[[str], bytes | None],
    select: Select | None = None,
    outside: Callable[[], Sequence[str]] | None = None,
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, Export]], dict[str, dict[str, str]]]:
    """Values the engine may convert where they are written (`Scan.shared_names`: `TOOLS`,
    `save_contact`; and those `requested_values` finds: a `tools.py` without calls of its own)
    that another file of the project imports. A file of the run with call sites
    that imports one by name may be migrated with it (its uses are checked when the two are
    planned together: migrate_unit); any other importer (outside the run, without call sites, a
    notebook, a `*` import) would read the value in its new shape without being migrated with
    it, so the calls passing it are reported instead (migrate/analysis/links.py
    `refused_values`). ({path: {name: why}}, {importer: {qualified name: the value}}, and
    `requested_values`' {path: {name: keyword}})."""
    paths = list(paths)
    names = _ModuleNames()
    shared = {path: set(scans[path].shared_names) for path in candidates if path in scans and scans[path].shared_names}
    requested, refused = requested_values(paths, candidates, scans, names)
    for path, asked in [*requested.items(), *refused.items()]:
        shared.setdefault(path, set()).update(asked)
    for path, asked in requested.items():  # the tool dicts a requested list names change too
        tree = _parse(read(path) or b"")
        if tree is not None:
            shared[path].update(named_values(tree, [ast.Name(id=name) for name in asked]))
    if not shared:
        return {}, {}, {}
    modules: dict[str, str] = {}
    for path in shared:
        module = names.of(path)[0]
        if module in modules:  # which one an import means depends on sys.path: don't guess
            for twin in (path, modules[module]):
                why = f"whatever imports module `{module}`: another file of the run is that module too"
                refused[twin] = {name: why for name in shared[twin]}
        modules[module] = path
    run = set(paths)
    followed: dict[str, dict[str, Export]] = {}
    wanted = {module: shared[path] for module, path in modules.items()}
    for path, data, tree in _importers(wanted, paths, candidates, read, select, outside):
        if data is None:
            continue
        if tree is None:  # a notebook, or a file that can't be parsed: it may import them
            for exporter, values in shared.items():
                for value in sorted(values):
                    if exporter != path and _mentions(data, value):
                        refused.setdefault(exporter, {}).setdefault(value, f"{path}, which may import it")
            continue
        statements = tuple(import_statements(tree))
        found = _imported(statements, names.of(path)[1], modules, shared)
        strict = set(found.values())
        for exporter, name, spelled in _loosely_imported(tree, _in_project(modules, path, names), shared, data):
            # The same module under another name (`agent.tools` for a `tools.py` in a folder
            # without `__init__.py`, run from elsewhere): not followed, but not ignored either.
            if exporter != path and (exporter, name) not in strict and (exporter, "*") not in strict:
                refused.setdefault(exporter, {}).setdefault(
                    name, f"{path}, which may import and read it as `{spelled}`"
                )
        for qualified, (exporter, name) in found.items():
            if exporter == path or (name != "*" and not _mentions(data, name)):
                continue  # (a module imported whole whose value this file never names)
            if name != "*" and path in run and path in candidates and path in scans:
                followed.setdefault(path, {})[qualified] = (exporter, name)
                continue
            for value in sorted(shared[exporter]) if name == "*" else [name]:
                why = f"{path}, which imports it"
                refused.setdefault(exporter, {}).setdefault(value, why)
    return refused, followed, requested


def requested_values(
    paths: Iterable[str], candidates: Mapping[str, bytes], scans: Mapping[str, Scan], names: _ModuleNames
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Values that call sites pass by a name imported from another file of the run which doesn't
    convert them itself (`from .tools import TOOLS`, `from . import tools`; `tools=TOOLS`,
    `tools=tools.TOOLS`, where tools.py has no call passing it): that file may convert the value
    where it is written, with the modules that pass it (migrate_unit). ({path: {name: the
    keyword it is passed as}}, {path: {name: why not}})."""
    wanted: dict[str, dict[str, set[str]]] = {}  # module -> name -> keywords
    for path in candidates:
        scanned = scans.get(path)
        if scanned is None or not scanned.passed_names or path.endswith(".ipynb"):
            continue
        passed: dict[str, set[str]] = {}
        for name, keyword in scanned.passed_names:
            passed.setdefault(name, set()).add(keyword)
        package = names.of(path)[1]
        for source, level, imported in scanned.imports:
            base = absolute_module(source, level, package) if source is not None else ""
            if base is None:
                continue
            for name in imported:
                if source is not None:  # `from base import name`: the value, or a module
                    for keyword in passed.get(name, ()):
                        wanted.setdefault(base, {}).setdefault(name, set()).add(keyword)
                    module = f"{base}.{name}" if base else name
                else:  # `import name`
                    module = name
                for dotted, keywords in passed.items():
                    head, _, value = dotted.partition(".")
                    if value and head == module.rpartition(".")[2] and (source is not None or head == module):
                        wanted.setdefault(module, {}).setdefault(value, set()).update(keywords)
    if not wanted:
        return {}, {}
    files_of = _files_of(wanted, paths, names)
    requested: dict[str, dict[str, str]] = {}
    refused: dict[str, dict[str, str]] = {}
    for module, files in files_of.items():
        (path, *twins) = files
        scanned = scans.get(path)
        for name, keywords in sorted(wanted[module].items()):
            if scanned is not None and name in scanned.shared_names:
                continue  # converted for its own calls (imported_values)
            if twins:
                why = f"whatever imports module `{module}`: another file of the run is that module too"
                refused.setdefault(path, {})[name] = why
            elif len(keywords) > 1:
                shown = " and ".join(f"`{k}=`" for k in sorted(keywords))
                refused.setdefault(path, {})[name] = f"calls that pass it as {shown}"
            else:
                requested.setdefault(path, {})[name] = next(iter(keywords))
    return requested, refused


@dataclass(frozen=True)
class Signature:
    """The parameters of a plain module-level function: those taken by position, in order, and
    those that may be given by name."""

    positional: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass
class HelperLinks:
    """Functions of files of the run that candidates import and call (`from .tools import
    execute_tool`, `execute_tool(call)`; `... import execute_tool as run_tool`; `from . import
    tools` or `import bot.tools as t`, `tools.execute_tool(call)`): a result passed there may be
    followed into the function's parameter when the two modules are planned together
    (migrate_unit). Keys are absolute qualified names (`bot.tools.execute_tool`) whatever the
    import form; the planner matches calls to them by LibCST's qualified names."""

    imports: dict[str, dict[str, Export]] = field(default_factory=dict)  # importer -> {qualified: function}
    signatures: dict[Export, Signature] = field(default_factory=dict)
    refused: dict[Export, str] = field(default_factory=dict)  # another importer keeps it as it is: why


def helper_links(
    paths: Iterable[str],
    candidates: Mapping[str, bytes],
    scans: Mapping[str, Scan],
    read: Callable[[str], bytes | None],
    select: Select | None = None,
    outside: Callable[[], Sequence[str]] | None = None,
) -> HelperLinks:
    """The plain module-level functions (undecorated, no `*args`/`**kwargs`) of files of the run
    that candidates import and call (by name, under another name, or on their module imported
    whole), with every other file of the project that imports one: such a file (outside the
    run, without call sites, a notebook, a `*` import, one importing the module whole that names
    the function but doesn't call it) refuses it, since its calls would pass values the tool
    doesn't see. Which files call which function is first found in their bytes (`run_tool(`,
    `.execute_tool(`), a superset the planner narrows (migrate/engine/plan.py `_check_helpers`)."""
    paths = list(paths)
    names = _ModuleNames()
    wanted: dict[str, set[str]] = {}  # module -> function names some candidate imports and calls
    whole: dict[str, list[str]] = {}  # module -> candidates that import it as a module (`tools.f(...)`)
    imported_by: dict[str, list[tuple[str, str]]] = {}
    for path, source_bytes in candidates.items():
        scanned = scans.get(path)
        if path.endswith(".ipynb") or scanned is None:
            continue
        package = names.of(path)[1]
        for source, level, imported in scanned.imports:
            if source is None:  # `import pkg.tools [as t]`: `t.execute_tool(...)`
                for name in imported:
                    whole.setdefault(name, []).append(path)
                continue
            base = absolute_module(source, level, package)
            if base is None:
                continue
            for name in imported:
                if name == "*":
                    continue
                if base and _called(source_bytes, _bound_names(source_bytes, name)):
                    wanted.setdefault(base, set()).add(name)
                    imported_by.setdefault(path, []).append((base, name))
                whole.setdefault(f"{base}.{name}" if base else name, []).append(path)  # `from . import tools`
    links = HelperLinks()
    if not wanted and not whole:
        return links
    files_of = _files_of([*wanted, *whole], paths, names)
    modules = {module: files[0] for module, files in files_of.items() if len(files) == 1}
    exports: dict[str, set[str]] = {}
    attribute_calls: dict[str, set[str]] = {}  # caller -> the names it may call as `x.name(`
    for module, path in modules.items():
        for caller in whole.get(module, ()):
            if caller not in attribute_calls:
                attribute_calls[caller] = {
                    name.decode(errors="replace") for name in _ATTRIBUTE_CALL.findall(candidates[caller])
                }
        known = candidates.get(path)
        tree = _parse(known if known is not None else read(path) or b"")
        for node in tree.body if tree is not None else ():
            if (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and not node.decorator_list
                and node.args.vararg is None
                and node.args.kwarg is None
            ):
                callers = [p for p in whole.get(module, ()) if p != path and node.name in attribute_calls[p]]
                if node.name not in wanted.get(module, ()) and not callers:
                    continue
                for caller in callers:
                    imported_by.setdefault(caller, []).append((module, node.name))
                positional = tuple(a.arg for a in [*node.args.posonlyargs, *node.args.args])
                keywords = tuple(a.arg for a in [*node.args.args, *node.args.kwonlyargs])
                links.signatures[(path, node.name)] = Signature(positional, keywords)
                exports.setdefault(path, set()).add(node.name)
    for importer, pairs in imported_by.items():
        for module, name in pairs:
            exporter = modules.get(module)
            if exporter is not None and exporter != importer and (exporter, name) in links.signatures:
                links.imports.setdefault(importer, {})[f"{module}.{name}"] = (exporter, name)
    if not links.imports:
        return HelperLinks()
    by_module = {module: path for module, path in modules.items() if path in exports}
    run = set(paths)
    wanted_exports = {module: exports[path] for module, path in by_module.items()}
    for path, data, tree in _importers(wanted_exports, paths, candidates, read, select, outside):
        linked = links.imports.get(path, {})
        if tree is None:  # a notebook, or a file that can't be parsed: it may import them
            for exporter, functions in exports.items():
                for name in sorted(functions):
                    if data is not None and name.encode() in data and exporter != path:
                        why = f"{path} may import it, and the tool doesn't follow it there"
                        links.refused.setdefault((exporter, name), why)
            continue
        statements = tuple(import_statements(tree))
        strict = _imported(statements, names.of(path)[1], by_module, exports)
        reached = set(strict.values())
        for exporter, name, spelled in _loosely_imported(
            tree, _in_project(by_module, path, names), exports, data or b""
        ):
            if exporter != path and (exporter, name) not in reached and (exporter, "*") not in reached:
                why = f"{path} may import it and calls it as `{spelled}`, which the tool doesn't follow"
                links.refused.setdefault((exporter, name), why)
        for qualified, (exporter, name) in strict.items():
            if exporter == path or qualified in linked:
                continue
            if name != "*" and data is not None and name.encode() not in data:
                continue  # a module imported whole, whose function this file never names
            where = "" if path in run else ", outside the run,"
            for function in sorted(exports[exporter]) if name == "*" else [name]:
                why = f"{path}{where} imports it, and the tool doesn't follow what that file passes to it"
                links.refused.setdefault((exporter, function), why)
    return links


def _bound_names(data: bytes, name: str) -> list[str]:
    """The names `from ... import name [as alias]` may bind in a file: `name` and any alias
    the bytes give it (a superset: the planner matches calls by qualified name)."""
    pattern = rb"(?<![\w\x80-\xff])%s\s+as\s+([\w\x80-\xff]+)" % re.escape(name.encode())
    return [name, *(alias.decode(errors="replace") for alias in re.findall(pattern, data))]


def _called(data: bytes, bound: Iterable[str]) -> bool:
    """Whether the bytes may call one of the names (`name(`)."""
    return any(re.search(rb"(?<![\w\x80-\xff])%s\s*\(" % re.escape(name.encode()), data) for name in bound)


# What the bytes may call as an attribute of a module (`tools.name(`).
_ATTRIBUTE_CALL = re.compile(rb"\.\s*([\w\x80-\xff]+)\s*\(")  # (UTF-8 names too)


def _refuse_outside(
    path: str,
    data: bytes | None,
    names: _ModuleNames,
    modules: Mapping[str, str],
    exports: Mapping[str, set[str]],
    opaque: dict[Export, str],
) -> bool:
    """A file of the project outside the run that imports an export: it can't be migrated with
    it (the run doesn't write it), so the export is refused, naming the file. Whether it does."""
    if data is None:
        return False
    tree = None if path.endswith(".ipynb") else _parse(data)
    if tree is None:  # a notebook, or a file that can't be parsed: it may import what it names
        named = [
            (exporter, name)
            for module, exporter in modules.items()
            if module.rpartition(".")[2].encode() in data
            for name in exports[exporter]
            if name.encode() in data
        ]
        how = "may import it" if path.endswith(".ipynb") else "may import it and can't be parsed"
    else:
        found = _imported(tuple(import_statements(tree)), names.of(path)[1], modules, exports)
        named = [
            export
            for export in found.values()
            for export in ([(export[0], name) for name in exports[export[0]]] if export[1] == "*" else [export])
        ]
        loose = _loosely_imported(tree, _in_project(modules, path, names), exports, data)
        named += [(exporter, name) for exporter, name, _ in loose if (exporter, name) not in named]
        how = "imports it"
    for export in named:
        why = f"{path}, outside the run, {how}: run over that file too, or over the whole project"
        opaque.setdefault(export, why)
    return bool(named)


class NamesAModule:
    """The text test for a file that may import an export: it names an exported function (a
    whole word) and, anywhere, a module that function is exported from. Picklable, for workers."""

    def __init__(self, needles: Mapping[bytes, list[bytes]]) -> None:
        self.needles = dict(needles)  # function name -> the last parts of its modules
        # A whole word: no word character (nor a byte of a UTF-8 one: `\b` sees none) either side.
        names = b"|".join(re.escape(name) for name in sorted(needles))
        self.names = re.compile(rb"(?<![\w\x80-\xff])(?:" + names + rb")(?![\w\x80-\xff])")

    def __call__(self, data: bytes) -> bool:
        # Each module looked for once (many modules may export one name: `main`, `run`).
        modules = {module for name in set(self.names.findall(data)) for module in self.needles[name]}
        return any(module in data for module in modules)


# Which of some paths (files read from disk) pass a test.
Select = Callable[[Sequence[str], Callable[[bytes], bool]], set[str]]


def _importers(
    wanted: Mapping[str, Iterable[str]],
    paths: Iterable[str],
    candidates: Mapping[str, bytes],
    read: Callable[[str], bytes | None],
    select: Select | None,
    outside: Callable[[], Sequence[str]] | None,
) -> Iterator[tuple[str, bytes | None, ast.Module | None]]:
    """The files of the run and of the rest of the project (`outside`) whose bytes may import
    one of the `wanted` names ({module: names}) from its module, with their bytes and their
    tree (None: a notebook, or a file that can't be parsed). A cheap byte test picks them."""
    needles: dict[bytes, list[bytes]] = {}
    for module, names in wanted.items():
        for name in names:
            needles.setdefault(name.encode(), []).append(module.rpartition(".")[2].encode())
    test = NamesAModule(needles)
    files = list(dict.fromkeys([*paths, *(outside() if outside is not None else ())]))
    hits = {path for path, data in candidates.items() if test(data)}
    hits |= (select or _select_here(read))([path for path in files if path not in candidates], test)
    for path in files:
        if path not in hits:
            continue
        data = candidates.get(path)
        data = data if data is not None else read(path)
        yield path, data, _parse(data) if data is not None and not path.endswith(".ipynb") else None


def importers(
    wanted: Mapping[str, Iterable[str]], files: Sequence[str], read: Callable[[str], bytes | None]
) -> Iterator[tuple[str, bytes | None, ast.Module | None]]:
    """The files among `files` whose bytes may import one of the `wanted` names ({module:
    names}) from its module, with their bytes and tree (None: can't be parsed); as `_importers`
    picks them for a run (engine/modules.py asks it for a module's private functions)."""
    return _importers(wanted, files, {}, read, None, None)


def _select_here(read: Callable[[str], bytes | None]) -> Select:
    def select(paths: Sequence[str], test: Callable[[bytes], bool]) -> set[str]:
        return {path for path in paths if (data := read(path)) is not None and test(data)}

    return select


def _files_of(modules: Iterable[str], paths: Iterable[str], names: _ModuleNames) -> dict[str, list[str]]:
    """The files among `paths` that are each of `modules` (a module's name may be taken twice)."""
    wanted = set(modules)
    stems = {module.rpartition(".")[2] for module in wanted}
    files_of: dict[str, list[str]] = {}
    for path in paths:
        if path.endswith(".py") and _stem(path) in stems:
            module = names.of(path)[0]
            if module in wanted:
                files_of.setdefault(module, []).append(path)
    return files_of


def _stem(path: str) -> str:
    """The last part of the module name a file would have."""
    file = Path(path)
    return file.parent.name if file.stem == "__init__" else file.stem


def module_name(path: str) -> tuple[str, str]:
    """(module, package) of a file, from the `__init__.py` files of the directories above it."""
    return _ModuleNames().of(path)


class _ModuleNames:
    """module_name() for many files, each directory's package looked up once."""

    def __init__(self) -> None:
        self._packages: dict[Path, list[str]] = {}
        self._roots: dict[Path, Path | None] = {}

    def of(self, path: str) -> tuple[str, str]:
        file = Path(path).resolve()
        package = self._package(file.parent)
        parts = package if file.stem == "__init__" else [*package, file.stem]
        module = ".".join(parts)
        return module, ".".join(package)

    def root(self, path: str) -> Path | None:
        """The nearest directory above the file that marks a project (`.git`, a packaging file)."""
        return self._root(Path(path).resolve().parent)

    def _root(self, directory: Path) -> Path | None:
        if directory not in self._roots:
            if any((directory / marker).exists() for marker in PROJECT_MARKERS):
                self._roots[directory] = directory
            else:
                self._roots[directory] = None if directory.parent == directory else self._root(directory.parent)
        return self._roots[directory]

    def _package(self, directory: Path) -> list[str]:
        found = self._packages.get(directory)
        if found is None:
            inside = directory.parent != directory and (directory / "__init__.py").is_file()
            found = [*self._package(directory.parent), directory.name] if inside else []
            self._packages[directory] = found
        return found


def _parse(data: bytes) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _imported(
    statements: Iterable[Import], package: str, modules: Mapping[str, str], exports: Mapping[str, Set[str]]
) -> dict[str, Export]:
    """The exported functions a module may reach by its imports: {absolute name: export}."""
    found: dict[str, Export] = {}

    def module_imported(module: str) -> None:
        path = modules.get(module)
        if not path:
            return
        for name in exports.get(path, ()):
            found[f"{module}.{name}"] = (path, name)

    for source, level, names in statements:
        if source is None:
            for name in names:  # `import shop` reaches `shop.helpers.ask` too
                for module in modules:
                    if module == name or module.startswith(f"{name}."):
                        module_imported(module)
            continue
        base = absolute_module(source, level, package)
        if base is None:
            continue
        for name in names:
            path = modules.get(base)
            if path is not None and name == "*":
                found[f"{base}.*"] = (path, "*")  # every export of it, by names the tool can't see
                continue
            if path is not None and name in exports[path]:
                found[f"{base}.{name}"] = (path, name)
            module_imported(f"{base}.{name}" if base else name)
    return found


def _loosely_imported(
    tree: ast.Module, modules: Mapping[str, str], exports: Mapping[str, Set[str]], data: bytes
) -> Iterator[tuple[str, str, str]]:
    """The exports a file may reach when a module's name is taken as its last parts only
    (`agent.tools` or `src.agent.tools` for module `tools`, or the other way round), and that the
    file reads as it would through that import (`TOOLS`, `t.TOOLS`, `agent.tools.TOOLS`): (the
    exporter, the name, how the file reads it). Absolute imports only."""
    for path, name, spelled in _loose_reads(tree, modules, exports):
        if _mentions(data, spelled):
            yield path, name, spelled


def _loose_reads(
    tree: ast.Module, modules: Mapping[str, str], exports: Mapping[str, Set[str]]
) -> Iterator[tuple[str, str, str]]:
    """What `_loosely_imported` looks for in the file's bytes: (the exporter, the name, how the
    file would read it through each absolute import that may be its module under another name)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                for module, path in modules.items():
                    names = exports.get(path, ())
                    if _same_tail(node.module, module):  # `from agent.tools import TOOLS [as T]`, `*`
                        reads = sorted(names) if alias.name == "*" else [alias.name] if alias.name in names else []
                        bound = alias.asname if alias.name != "*" else None
                        yield from ((path, name, bound or name) for name in reads)
                    elif _same_tail(f"{node.module}.{alias.name}", module):  # `from agent import tools [as t]`
                        yield from ((path, name, f"{alias.asname or alias.name}.{name}") for name in sorted(names))
        elif isinstance(node, ast.Import):  # `import agent.tools [as t]`
            for alias in node.names:
                for module, path in modules.items():
                    if _same_tail(alias.name, module):
                        yield from (
                            (path, name, f"{alias.asname or alias.name}.{name}")
                            for name in sorted(exports.get(path, ()))
                        )


def _mentions(data: bytes, word: str) -> bool:
    """Whether the bytes name `word` (a name, or a dotted name) whole."""
    return re.search(_WORD % re.escape(word.encode()), data) is not None


# A name whole in a file's bytes: not inside a longer name (letters beyond ASCII included).
_WORD = rb"(?<![\w\x80-\xff])%s(?![\w\x80-\xff])"


def _in_project(modules: Mapping[str, str], path: str, names: _ModuleNames) -> dict[str, str]:
    """The modules of `modules` in the same project as the file at `path` (loose matches stay there)."""
    root = names.root(path)
    return {module: exporter for module, exporter in modules.items() if names.root(exporter) == root}


def _same_tail(spelled: str, module: str) -> bool:
    """Whether the dotted names are one the other's last parts (`agent.tools`, `tools`)."""
    return spelled == module or spelled.endswith(f".{module}") or module.endswith(f".{spelled}")


def _group(
    order: list[str],
    exports: dict[str, set[str]],
    links: dict[str, dict[str, Export]],
    packages: dict[str, str],
    data_of: dict[str, bytes],
    candidates: Mapping[str, bytes],
    opaque: dict[Export, str],
) -> list[Unit]:
    """Connected files (an importer with the modules it imports from) as units, in run order."""
    linked = {*exports, *links}
    pairs = ((exporter, importer) for importer, found in links.items() for exporter, _ in found.values())
    units = []
    for paths in connected([path for path in order if path in linked], pairs):
        if not any(path in links for path in paths) and not any(export[0] in paths for export in opaque):
            continue  # nothing imports from these modules: each is planned on its own
        unit = Unit(paths, {p: data_of.get(p) or candidates[p] for p in paths})
        unit.exports = {p: exports[p] for p in paths if p in exports}
        unit.imports = {p: links[p] for p in paths if p in links}
        unit.packages = {p: packages[p] for p in paths if p in packages}
        unit.opaque = {export: why for export, why in opaque.items() if export[0] in paths}
        units.append(unit)
    return units


def join_units(
    units: list[Unit],
    followed: Mapping[str, dict[str, Export]],
    order: Sequence[str],
    candidates: Mapping[str, bytes],
    read: Callable[[str], bytes | None] | None = None,
    helpers: HelperLinks | None = None,
) -> list[Unit]:
    """The units, joined with the files that a value links (imported_values: an importer and the
    module defining what it imports) and those a function called across them links
    (helper_links), in run order."""
    unit_of = {path: unit for unit in units for path in unit.paths}
    across = helpers if helpers is not None else HelperLinks()
    pairs = [(exporter, importer) for importer, found in followed.items() for exporter, _ in found.values()]
    pairs += [  # a function some other importer keeps from being followed links nothing
        (export[0], importer)
        for importer, found in across.imports.items()
        for export in found.values()
        if export not in across.refused
    ]
    linked = {path for pair in pairs for path in pair} | set(unit_of)
    inner = ((a, b) for unit in units for a, b in zip(unit.paths, unit.paths[1:], strict=False))
    joined: list[Unit] = []
    for paths in connected([path for path in order if path in linked], [*pairs, *inner]):
        parts = list({id(unit_of[p]): unit_of[p] for p in paths if p in unit_of}.values())
        data = {p: unit_of[p].data[p] if p in unit_of else candidates.get(p) for p in paths}
        for p in [p for p, d in data.items() if d is None]:
            data[p] = read(p) if read is not None else None
        if any(d is None for d in data.values()):  # unreadable now: planned as before
            joined.extend(parts for parts in {id(unit_of[p]): unit_of[p] for p in paths if p in unit_of}.values())
            continue
        unit = Unit(paths, {p: d for p, d in data.items() if d is not None})
        for part in parts:
            unit.exports.update(part.exports)
            unit.imports.update(part.imports)
            unit.packages.update(part.packages)
            unit.opaque.update(part.opaque)
        for importer, found in followed.items():
            if importer in unit.data:
                unit.value_imports[importer] = dict(found)
                unit.packages.setdefault(importer, module_name(importer)[1])
                for exporter, name in found.values():
                    unit.value_exports.setdefault(exporter, set()).add(name)
        for importer, found in across.imports.items():
            if importer in unit.data and any(export[0] in unit.data for export in found.values()):
                unit.helper_imports[importer] = dict(found)
                unit.packages.setdefault(importer, module_name(importer)[1])
                for export in found.values():
                    unit.helpers[export] = across.signatures[export]
                    if export in across.refused or export[0] not in unit.data:
                        unit.helper_refused[export] = across.refused.get(export, "its module is not planned with it")
        joined.append(unit)
    return joined


def refused_helpers(helpers: HelperLinks, path: str) -> dict[str, Helper]:
    """The Links.helpers of a file planned alone: the functions of other modules it calls that
    no value can be followed into, and why (for its reports)."""
    return {
        qualified: Helper(
            helpers.signatures[export].positional, helpers.signatures[export].keywords, refused=helpers.refused[export]
        )
        for qualified, export in helpers.imports.get(path, {}).items()
        if export in helpers.refused
    }


def migrate_unit(unit: Unit, migrate: Callable[[str, bytes, Links], FileResult]) -> dict[str, FileResult]:
    """Run `migrate(path, data, links)` on every file of the unit until what each file's links say
    agrees with what the others' results show; the last round's results.

    A value another module of the unit imports (`TOOLS`) is converted where it is written when
    nothing refuses it; its importers learn it (and the keyword it was converted for) from the
    round after, and check that every use of it is that keyword at a call that migrates: a use
    they can't follow refuses it, and the calls passing it are reported in every module."""
    exports = [(path, name) for path, names in unit.exports.items() for name in sorted(names)]
    values = [(path, name) for path, names in unit.value_exports.items() for name in sorted(names)]
    refused: Mapping[Export, str] = dict(unit.opaque)
    kinds: Mapping[Export, str] = {}
    callers: Mapping[Export, tuple[str, ...]] = {}
    # Exports whose readers have been looked for (the importers ran knowing their kind). Until
    # then an export is taken to be read only where it can be followed.
    probed: frozenset[Export] = frozenset()
    refused_values: Mapping[Export, str] = {
        (path, name): why for path, found in unit.refused_values.items() for name, why in found.items()
    }
    converted: Mapping[Export, str] = {}
    unconverted: Mapping[Export, str] = {}
    ran = False
    helpers = _Helpers(refused=dict(unit.helper_refused))
    results: dict[str, FileResult] = {}
    for _ in range(2 * len(exports) + 4 * len(values) + 5 * len(unit.helpers) + 4):
        state = _State(refused, kinds, callers, probed, refused_values, converted, ran, helpers, unconverted)
        results = {path: migrate(path, unit.data[path], _links_for(unit, path, state)) for path in unit.paths}
        new_kinds = {(path, name): kind for path, result in results.items() for name, kind in result.returns.items()}
        new_callers: dict[Export, set[str]] = {}
        new_refused = dict(refused)
        new_refused_values = dict(refused_values)
        # An importer's use that can't be followed now (its call is not migrated yet) may hang on
        # what the rest of the unit learns in the same rounds (a function it passes a tool call
        # to, followed): it refuses the value only once the rest has settled.
        pending_values: dict[Export, str] = {}
        for path, result in results.items():
            imports = unit.imports.get(path, {})
            value_imports = unit.value_imports.get(path, {})
            if result.status in ("failed", "skipped"):  # its reads can't be rewritten: refuse what it may call
                for export in imports.values():
                    new_refused.setdefault(export, f"{path} can't be migrated ({result.reason})")
                for export in value_imports.values():
                    new_refused_values.setdefault(export, f"{path}, which imports it and can't be migrated")
            for call in result.calls:
                if call.via in imports and call.outcome == "migrated":
                    new_callers.setdefault(imports[call.via], set()).add(path)
            for name, why in result.unfollowed.items():
                if name in imports:
                    new_refused.setdefault(imports[name], f"its reader in {path} can't be followed: {why}")
                if name in value_imports:
                    pending_values.setdefault(value_imports[name], f"{path}, which imports it: {why}")
        new_unconverted = dict(unconverted)
        for path, requests in unit.value_requests.items():
            for name, why in results[path].unfollowed.items() if path in results else ():
                if name in requests:  # (a value's own name: a function's imported one is qualified)
                    new_unconverted.setdefault((path, name), why)
        settled_callers = {export: tuple(sorted(paths)) for export, paths in new_callers.items()}
        new_converted = {
            (path, name): keyword
            for path, result in results.items()
            for name, keyword in result.values.items()
            if (path, name) not in new_refused_values
        }
        new = _State(
            new_refused,
            new_kinds,
            settled_callers,
            probed | frozenset(kinds),
            new_refused_values,
            new_converted,
            bool(unit.value_imports),  # (only importers of values ask)
            _next_helpers(unit, helpers, results),
            new_unconverted,
        )
        if new == state:
            if not new.helpers.pending and not pending_values:
                return results
            # What callers pass and how importers use values, settled: refuse.
            new = replace(new, helpers=_settle(new.helpers), refused_values={**pending_values, **new.refused_values})
        refused, kinds, callers, probed = new.refused, new.kinds, new.callers, new.probed
        refused_values, converted, ran, helpers = new.refused_values, new.converted, new.ran, new.helpers
        unconverted = new.unconverted
    # Not settled (it should not happen): refuse every export, so that nothing crosses a module.
    why = "the modules that read it could not be planned together"
    refused = {export: why for export in exports}
    refused_values = {**{value: why for value in values}, **refused_values}
    helpers = _Helpers(refused={**{export: why for export in unit.helpers}, **helpers.refused})
    state = _State(refused, {}, {}, frozenset(exports), refused_values, {}, True, helpers)
    return {path: migrate(path, unit.data[path], _links_for(unit, path, state)) for path in unit.paths}


@dataclass(frozen=True)
class _State:
    """What one round of planning a unit starts from."""

    refused: Mapping[Export, str]  # exports some reader of which can't be followed: why
    kinds: Mapping[Export, str]  # exports that return a migrated result: its kind
    callers: Mapping[Export, tuple[str, ...]]  # the files whose calls of an export were followed
    probed: frozenset[Export]  # exports whose readers have been looked for
    refused_values: Mapping[Export, str] = field(default_factory=dict)  # values not to convert: why
    converted: Mapping[Export, str] = field(default_factory=dict)  # values converted: for which keyword
    ran: bool = False  # whether every file has been planned once (what `converted` lacks is not converted)
    helpers: _Helpers = field(default_factory=lambda: _Helpers())
    # Values other modules pass that their own module can't convert (requested_values): why.
    unconverted: Mapping[Export, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Helpers:
    """What a round knows of the functions called across modules (Unit.helpers)."""

    refused: Mapping[Export, str] = field(default_factory=dict)  # no value is followed into it: why
    # {parameter: kind} that its callers pass values of, and that its module followed.
    asked: Mapping[Export, Mapping[str, str]] = field(default_factory=dict)
    followed: Mapping[Export, Mapping[str, str]] = field(default_factory=dict)
    # What a caller passes to it can't be followed (its call is not migrated, say): why. That
    # may hang on what other modules of the unit learn in the same rounds (a value they import
    # converted), so it refuses the function only once the rest has settled (migrate_unit).
    pending: Mapping[Export, str] = field(default_factory=dict, compare=False)


def _settle(helpers: _Helpers) -> _Helpers:
    """The functions that callers still keep from being followed, once the rest has settled, refused."""
    refused = {**helpers.pending, **helpers.refused}
    return _Helpers(
        refused,
        {export: params for export, params in helpers.asked.items() if export not in refused},
        {export: params for export, params in helpers.followed.items() if export not in refused},
    )


def _next_helpers(unit: Unit, helpers: _Helpers, results: Mapping[str, FileResult]) -> _Helpers:
    """What the callers and the modules of the unit's functions found in a round."""
    refused = dict(helpers.refused)
    pending: dict[Export, list[str]] = {}
    asked: dict[Export, dict[str, str]] = {}
    for path, result in results.items():
        imports = unit.helper_imports.get(path, {})
        for qualified, export in imports.items():
            if result.status in ("failed", "skipped"):
                refused.setdefault(export, f"{path}, which calls it, can't be migrated ({result.reason})")
            elif qualified in result.unfollowed:
                pending.setdefault(export, []).append(
                    f"what {path} passes to it can't be followed: {result.unfollowed[qualified]}"
                )
            for param, kind in result.passes.get(qualified, {}).items():
                if asked.setdefault(export, {}).setdefault(param, kind) != kind:
                    refused.setdefault(export, f"its callers pass values of two kinds as `{param}`")
    for export in pending:  # what it was asked to follow stays, until it is refused or followed again
        if export in helpers.asked:
            asked[export] = dict(helpers.asked[export])
    followed: dict[Export, dict[str, str]] = {}
    for export in unit.helpers:
        path, name = export
        own = results.get(path)
        if own is None:
            continue
        if own.status in ("failed", "skipped"):
            refused.setdefault(export, f"its module can't be migrated ({own.reason})")
        elif name in own.refused_helpers:
            refused.setdefault(export, f"in {path}, {own.refused_helpers[name]}")
        elif name in own.helpers:
            followed[export] = dict(own.helpers[name])
    return _Helpers(
        refused,
        {export: params for export, params in asked.items() if export not in refused},
        {export: params for export, params in followed.items() if export not in refused},
        {  # the reason that stood first, while it stands (the caller that started it)
            export: helpers.pending[export] if helpers.pending.get(export) in whys else whys[0]
            for export, whys in pending.items()
            if export not in refused
        },
    )


def _links_for(unit: Unit, path: str, state: _State) -> Links:
    followed_elsewhere, refusals = {}, {}
    for name in sorted(unit.exports.get(path, ())):
        export = (path, name)
        if export in state.refused:
            refusals[name] = state.refused[export]
        elif export not in state.probed or state.callers.get(export):
            followed_elsewhere[name] = ", ".join(state.callers.get(export, ()))
    imported = {
        qualified: state.kinds[export]
        for qualified, export in unit.imports.get(path, {}).items()
        if export in state.kinds and export not in state.refused
    }
    refused_values = {name: why for (exporter, name), why in state.refused_values.items() if exporter == path}
    imported_values, kept_values = {}, {}
    for qualified, export in unit.value_imports.get(path, {}).items():
        if export in state.refused_values:
            kept_values[qualified] = f"converting it there would change it for {state.refused_values[export]}"
        elif export in state.unconverted:
            kept_values[qualified] = state.unconverted[export]
        elif export in state.converted:
            imported_values[qualified] = state.converted[export]
        elif state.ran:
            kept_values[qualified] = "the calls there that pass it are not migrated"
    helpers = {}
    for qualified, export in unit.helper_imports.get(path, {}).items():
        signature = unit.helpers[export]
        asked = state.helpers.asked.get(export, {})
        helpers[qualified] = Helper(
            signature.positional,
            signature.keywords,
            asked,
            bool(asked) and state.helpers.followed.get(export) == asked,
            state.helpers.refused.get(export),
        )
    params = {}
    for export, asked in state.helpers.asked.items():
        if export[0] == path and export not in state.helpers.refused:
            qualified = next(q for found in unit.helper_imports.values() for q, e in found.items() if e == export)
            params[export[1]] = (qualified, asked)
    module = module_name(path)[0] if path in unit.value_requests else ""
    requested = {
        name: (f"{module}.{name}", keyword)
        for name, keyword in unit.value_requests.get(path, {}).items()
        if (path, name) not in state.refused_values
    }
    return Links(
        followed_elsewhere,
        refusals,
        imported,
        unit.packages.get(path, ""),
        refused_values,
        imported_values,
        kept_values,
        helpers,
        params,
        requested,
        unit.chat_wrapped.get(path, ""),
    )
