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


@dataclass
class ProjectMemo:
    """What is learnt of a project's classes, kept for the files of a run that share it."""

    overrides: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (class, name) -> why
    index: dict[str, set[str]] | None = field(default_factory=dict)  # see ProjectModules._index
    indexed: bool = False


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
    ) -> None:
        self.catalog = catalog
        self.find = find
        self.read = read
        self.files = files
        self.cache = cache if cache is not None else {}
        self.memo = memo if memo is not None else ProjectMemo()
        self._trees: dict[str, ast.Module | None] = {}
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
                for node in ast.walk(tree):
                    bases = [_last(b) for b in node.bases] if isinstance(node, ast.ClassDef) else []
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


def _last(node: ast.expr) -> str:
    """The last part of a base class's dotted name (`base.Provider` -> "Provider")."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
