"""Where a client comes from when another module of the project defines it (#15).

`from app.clients import client`, `clients.client`, `get_client()` imported from another
module, and `self._get_client()` inherited from a base class of another module: the receiver
is resolved in the module that defines it, by that module's own Resolver, so every route to
another server that module shows (its constructor keywords, attributes written later, its
environment writes, in-place wrappers: migrate/analysis/routes.py) holds the call back as it
would there. A module the project does not hold is not guessed at: the call is reported
(RSP004), naming the step.

A factory method, a property or a `self.client` attribute may be given another value in a
subclass, for another provider: `overriding` looks for such a subclass in every module of the
project (an index of the names in `class` statements, read once, then `ast` for the files
naming the class), by class name (through the file's import aliases), through subclasses of
subclasses.

What any module of the project may do to a client from outside is searched the same way (the
bytes first, then `ast` for the files that may do it; a file that can't be read or parsed holds
the call back): `written` finds an attribute assigned on something other than `self`
(`llm.client = Groq()`, `bot.client = ...`, `setattr(llm, "client", ...)`), which may replace a
module's client or factory, or an instance's; `environment` gives the modules naming an
environment variable the SDK reads, whose writes are checked like the module's own;
`used_elsewhere` whether another file may use a module's private function or method (whose
parameter is then not resolved from the module's own calls: migrate/analysis/callers.py).

This module reads nothing itself: the engine hands it how to find and read a module.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from migrate.analysis.call_sites import Resolver, find_call_sites
from migrate.analysis.routes import RouteNodes
from migrate.analysis.scopes import resolve_scopes
from migrate.catalog.loader import Catalog

_MAX_ROUNDS = 8  # subclasses of subclasses followed
_CLASS_BASES = re.compile(rb"\bclass\s+\w+\s*\(([^:]*)")  # up to the first colon: a superset of the bases
_WORD = re.compile(rb"\w+")
_PLAIN_BASES = frozenset({"object", "ABC", "Generic", "Protocol"})  # define no client
_ALIASED = re.compile(rb"\b(\w+)\s+as\s+\w+")  # `Agent as BaseAgent`: a superset of import aliases


@dataclass
class ProjectMemo:
    """What is learnt of a project's classes, kept for the files of a run that share it."""

    overrides: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (class, name) -> why
    index: dict[str, set[str]] | None = field(default_factory=dict)  # see ProjectModules._index
    indexed: bool = False
    written: dict[tuple[str, str | None, tuple[str, ...]], str | None] = field(default_factory=dict)
    environment: dict[tuple[str, tuple[str, ...]], list[str] | None] = field(default_factory=dict)
    uses: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (file, name) -> why


class ProjectModules:
    """The other modules of a project. `find` gives the file of a module name ("app.clients")
    or None; `read` a file's bytes or None; `files` every Python file of the project (None: too many to search)."""

    def __init__(
        self,
        catalog: Catalog,
        find: Callable[[str], str | None],
        read: Callable[[str], bytes | None],
        files: Callable[[], Iterable[str] | None],
        cache: dict[tuple[str, bytes], Resolver | None] | None = None,
        memo: ProjectMemo | None = None,
        unplaced: Callable[[str], str | None] | None = None,
        uses: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self.catalog = catalog
        # A file of the project other than the one at a path that may use its module-level name
        # (engine/modules.py), or why the project can't be searched; None when none does.
        self.uses = uses or (lambda path, name: "the tool can't search the project's other files")
        self._paths: dict[int, str] = {}  # id of a resolver -> its file
        self.find = find
        self.unplaced = unplaced or (lambda module: None)
        self.read = read
        self.files = files
        self.cache = cache if cache is not None else {}
        self.memo = memo if memo is not None else ProjectMemo()
        self._trees: dict[str, ast.Module | None] = {}
        self._at: dict[str, Resolver | None] = {}
        self._names: dict[int, str] = {}  # id of a resolver -> the last part of its module's name
        # Which files of the project belong to the program the module is part of (what it may
        # import), and a key telling programs apart: only their writes may reach its clients.
        self.program: tuple[tuple[str, ...], Callable[[str], bool]] = ((), lambda path: True)
        # The module being migrated (its file, resolved) and its resolver: an import of it is
        # resolved there, not in a second parse.
        self.home: tuple[str, Resolver] | None = None

    def resolver(self, module: str) -> Resolver | None:
        path = self.find(module)
        if path is not None and self.home is not None and os.path.realpath(path) == self.home[0]:
            return self.home[1]
        data = self.read(path) if path is not None else None
        if path is None or data is None:
            return None
        key = (path, data)
        if key not in self.cache:
            self.cache[key] = self._resolver(module, path, data)
        found = self.cache[key]
        if found is not None:
            self._paths[id(found)] = path
        return found

    def missing(self, module: str) -> str | None:
        """Why `module` is not taken from the project when `find` gives no file for it (two
        files it may be, depending on how the program is started), or None."""
        return self.unplaced(module)

    def written(self, attr: str, of: str | None = None) -> str | None:
        """A write of the attribute `attr` on something other than `self` in a module of the
        project (`llm.client = Groq()`, `bot.client = ...`, `setattr(llm, "client", ...)`), as
        "`llm.client = ...` in path", or why the project can't be searched; None when none does.
        With `of` (the last part of a module's name), only a write on what may be that module:
        a name its file imports as a module of that name, or an expression the tool can't name."""
        key = (attr, of, self.program[0])
        if key not in self.memo.written:
            self.memo.written[key] = self._written(attr, of)
        return self.memo.written[key]

    def used_elsewhere(self, resolver: Resolver, name: str) -> str | None:
        """A file of the project other than the module `resolver` reads that may use its `name`
        (imports it from there, or names `.name`), as "path ...", or why the project can't be
        searched; None when none does."""
        if self.home is not None and resolver is self.home[1]:
            path: str | None = self.home[0]
        else:
            path = self._paths.get(id(resolver))
        if path is None:
            return "the tool can't tell which file defines it"
        key = (os.path.realpath(path), name)
        if key not in self.memo.uses:
            self.memo.uses[key] = self.uses(path, name)
        return self.memo.uses[key]

    def module_of(self, resolver: Resolver) -> str | None:
        """The last part of the name of the module `resolver` reads, or None when unknown."""
        if self.home is not None and resolver is self.home[1]:
            home = Path(self.home[0])
            return home.parent.name if home.stem == "__init__" else home.stem
        return self._names.get(id(resolver))

    def _written(self, attr: str, of: str | None) -> str | None:
        files = self.files()
        if files is None:
            return f"a write of `.{attr}` the tool can't look for (the project holds too many files)"
        named = re.compile(rb"\." + re.escape(attr.encode()) + rb"\b|\bsetattr\b|__setattr__")
        importable = self.program[1]
        for path in files:
            if not importable(path):
                continue
            data = self.read(path)
            if data is not None and not named.search(data):
                continue
            tree = self._tree(path, data) if data is not None else None
            if tree is None:
                return f"{path}, which can't be read or parsed, may write `.{attr}`"
            modules = _module_names(tree) if of is not None else {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == attr and not isinstance(node.ctx, ast.Load):
                    owner, shown = node.value, f"`{ast.unparse(node)[:60]} = ...` in {path}"
                elif isinstance(node, ast.Call) and _sets(node, attr):
                    owner, shown = node.args[0], f"`{ast.unparse(node)[:60]}` in {path}"
                else:
                    continue
                if not _is_self(owner) and (of is None or _may_be_module(owner, of, modules)):
                    return shown
        return None

    def environment(self, variable: str) -> list[tuple[str, Resolver]] | str:
        """The modules of the project whose text names the environment variable `variable`
        (each with its resolver, for its writes: migrate/analysis/routes.py), or why they can't
        be told."""
        key = (variable, self.program[0])
        if key not in self.memo.environment:
            files = self.files()
            named = re.compile(rb"\b" + re.escape(variable.encode()) + rb"\b")
            found = None
            if files is not None:
                found = []
                for path in files:
                    if not self.program[1](path):
                        continue
                    data = self.read(path)
                    if data is None or named.search(data):
                        found.append(path)
            self.memo.environment[key] = found
        paths = self.memo.environment[key]
        if paths is None:
            return f"a write of {variable} the tool can't look for (the project holds too many files)"
        found_resolvers: list[tuple[str, Resolver]] = []
        for path in paths:
            resolver = self._resolver_at(path)
            if resolver is None:
                return f"{path}, which can't be read or parsed, names {variable}"
            found_resolvers.append((path, resolver))
        return found_resolvers

    def _resolver_at(self, path: str) -> Resolver | None:
        """The resolver of the file at `path`, for its own writes only (no package: its imports
        are not followed from it)."""
        if path not in self._at:
            data = self.read(path)
            self._at[path] = self._resolver("", path, data) if data is not None else None
        return self._at[path]

    def _resolver(self, module: str, path: str, data: bytes) -> Resolver | None:
        try:
            tree = cst.parse_module(data)
        except (cst.ParserSyntaxError, RecursionError, UnicodeDecodeError):
            return None
        routes = RouteNodes()
        _, parents = find_call_sites(tree, self.catalog, routes)
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        resolver = Resolver(self.catalog, resolve_scopes(tree), parents, routes, self, package)
        if module:
            self._names[id(resolver)] = module.rpartition(".")[2]
        self._paths[id(resolver)] = path
        return resolver

    def overriding(self, class_name: str, name: str) -> str | None:
        key = (class_name, name)
        if key not in self.memo.overrides:
            self.memo.overrides[key] = self._overriding(class_name, name)
        return self.memo.overrides[key]

    def _overriding(self, class_name: str, name: str) -> str | None:
        index = self._index()
        if index is None:
            return "a subclass the tool can't look for (the project holds too many files)"
        names = {class_name}
        done: set[str] = set()
        for _ in range(_MAX_ROUNDS):
            todo = names - done
            if not todo:
                return None
            done |= todo
            for path in sorted({path for base in todo for path in index.get(base, ())}):
                data = self.read(path)
                tree = self._tree(path, data) if data is not None else None
                if tree is None:
                    return f"a class in {path}, which can't be read or parsed"
                aliases = _aliases(tree)
                for node in ast.walk(tree):
                    bases = [_last(b, aliases) for b in node.bases] if isinstance(node, ast.ClassDef) else []
                    matched = next((i for i, base in enumerate(bases) if base in todo), None)
                    if not isinstance(node, ast.ClassDef) or matched is None:
                        continue
                    earlier = [base for base in bases[:matched] if base not in _PLAIN_BASES]
                    if earlier:  # it comes first in the method resolution order
                        return f"`{node.name}` in {path} (which derives from `{earlier[0]}` first)"
                    if name in _defined(node):
                        return f"`{node.name}.{name}` in {path}"
                    names.add(node.name)
        return f"a subclass of a subclass more than {_MAX_ROUNDS} levels down (not followed)"

    def _index(self) -> dict[str, set[str]] | None:
        """Every word inside the parentheses of a `class` statement -> the files holding one (read
        once per project and process), or None when the project is too large to read."""
        memo = self.memo
        if not memo.indexed:
            memo.indexed = True
            files = self.files()
            if files is None:
                memo.index = None
                return None
            index: dict[str, set[str]] = {}
            for path in files:
                data = self.read(path)
                for match in _CLASS_BASES.finditer(data or b""):
                    for word in _WORD.findall(match.group(1)):
                        index.setdefault(word.decode(), set()).add(path)
                for match in _ALIASED.finditer(data or b""):  # a base class imported under another name
                    index.setdefault(match.group(1).decode(), set()).add(path)
            memo.index = index
        return memo.index

    def _tree(self, path: str, data: bytes) -> ast.Module | None:
        if path not in self._trees:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._trees[path] = ast.parse(data)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                self._trees[path] = None
        return self._trees[path]


def _module_names(tree: ast.Module) -> dict[str, str]:
    """The names a file binds to modules by its imports, each -> the dotted name it stands for
    (`import app.llm as llm` and `from app import llm`: llm -> "app.llm"; `import app.llm`:
    app -> "app")."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    names[alias.asname] = alias.name
                else:
                    first = alias.name.partition(".")[0]
                    names[first] = first
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module or ''}.{alias.name}".lstrip(".")
    return names


def _may_be_module(node: ast.expr, last: str, modules: dict[str, str]) -> bool:
    """Whether `node` may be the module whose name ends with `last`: a dotted name rooted in an
    import of the file that spells such a module, or an expression that is no dotted name
    (`sys.modules[...]`, a call)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return True
    root = modules.get(node.id)
    if root is None:  # a variable, a parameter: not a module the file imports
        return False
    return ".".join([root, *parts]).rpartition(".")[2] == last


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _sets(call: ast.Call, attr: str) -> bool:
    """`setattr(x, "<attr>", ...)` or `object.__setattr__(x, "<attr>", ...)`, `x` not `self`."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name not in ("setattr", "__setattr__") or len(call.args) < 2:
        return False
    key = call.args[1]
    return isinstance(key, ast.Constant) and key.value == attr and not _is_self(call.args[0])


def _defined(cls: ast.ClassDef) -> set[str]:
    """The names a class gives its instances: its methods, its class attributes, and the
    attributes its methods assign on `self`."""
    names: set[str] = set()
    for item in cls.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(item.name)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    for node in ast.walk(cls):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        names |= {
            t.attr
            for t in targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
        }
    return names


def _last(node: ast.expr, aliases: dict[str, str]) -> str:
    """The last part of a base class's dotted name (`base.Provider` -> "Provider"), through the
    file's import aliases (`from app.base import Agent as BaseAgent`: `BaseAgent` -> "Agent")."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return aliases.get(node.id, node.id) if isinstance(node, ast.Name) else ""


def _aliases(tree: ast.Module) -> dict[str, str]:
    """The names a file imports under another name (`from m import A as B`: B -> A)."""
    return {
        alias.asname: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname is not None
    }
