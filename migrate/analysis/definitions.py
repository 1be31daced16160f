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
naming the class), by class name, through subclasses of subclasses.

This module reads nothing itself: the engine hands it how to find and read a module.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
    written: dict[str, str | None] = field(default_factory=dict)  # attribute -> why (ProjectModules.written)
    environment: dict[str, list[str] | None] = field(default_factory=dict)  # variable -> files writing it


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
    ) -> None:
        self.catalog = catalog
        self.find = find
        self.unplaced = unplaced or (lambda module: None)
        self.read = read
        self.files = files
        self.cache = cache if cache is not None else {}
        self.memo = memo if memo is not None else ProjectMemo()
        self._trees: dict[str, ast.Module | None] = {}
        self._at: dict[str, Resolver | None] = {}
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
        return self.cache[key]

    def missing(self, module: str) -> str | None:
        """Why `module` is not taken from the project when `find` gives no file for it (two
        files it may be, depending on how the program is started), or None."""
        return self.unplaced(module)

    def written(self, attr: str) -> str | None:
        """A write of the attribute `attr` on something other than `self` in a module of the
        project (`llm.client = Groq()`, `bot.client = ...`, `setattr(llm, "client", ...)`), as
        "`llm.client = ...` in path", or why the project can't be searched; None when none does."""
        if attr not in self.memo.written:
            self.memo.written[attr] = self._written(attr)
        return self.memo.written[attr]

    def _written(self, attr: str) -> str | None:
        files = self.files()
        if files is None:
            return f"a write of `.{attr}` the tool can't look for (the project holds too many files)"
        named = re.compile(rb"\." + re.escape(attr.encode()) + rb"\b|\bsetattr\b|__setattr__")
        for path in files:
            data = self.read(path)
            if data is not None and not named.search(data):
                continue
            tree = self._tree(path, data) if data is not None else None
            if tree is None:
                return f"{path}, which can't be read or parsed, may write `.{attr}`"
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == attr
                    and not isinstance(node.ctx, ast.Load)
                    and not _is_self(node.value)
                ):
                    return f"`{ast.unparse(node)[:60]} = ...` in {path}"
                if isinstance(node, ast.Call) and _sets(node, attr):
                    return f"`{ast.unparse(node)[:60]}` in {path}"
        return None

    def environment(self, variable: str) -> list[tuple[str, Resolver]] | str:
        """The modules of the project whose text names the environment variable `variable`
        (each with its resolver, for its writes: migrate/analysis/routes.py), or why they can't
        be told."""
        if variable not in self.memo.environment:
            files = self.files()
            named = re.compile(rb"\b" + re.escape(variable.encode()) + rb"\b")
            found = None
            if files is not None:
                found = []
                for path in files:
                    data = self.read(path)
                    if data is None or named.search(data):
                        found.append(path)
            self.memo.environment[variable] = found
        paths = self.memo.environment[variable]
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
        return Resolver(self.catalog, resolve_scopes(tree), parents, routes, self, package)

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
