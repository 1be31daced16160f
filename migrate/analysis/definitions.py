"""Where a client comes from when another module of the project defines it (#15).

`from app.clients import client`, `clients.client`, `get_client()` imported from another
module, and `self._get_client()` inherited from a base class of another module: the receiver
is resolved in the module that defines it, by that module's own Resolver, so every route to
another server that module shows (its constructor keywords, attributes written later, its
environment writes, in-place wrappers: migrate/analysis/routes.py) holds the call back as it
would there. A module the project does not hold is not guessed at: the call is reported
(RSP004), naming the step.

A factory method may be overridden in a subclass that builds another provider's client:
`overriding` looks for such a subclass in every module of the project (a text test, then
`ast`), by class name, through subclasses of subclasses.

This module reads nothing itself: the engine hands it how to find and read a module.
"""

from __future__ import annotations

import ast
import os
import warnings
from collections.abc import Callable, Iterable

import libcst as cst

from migrate.analysis.call_sites import Resolver, find_call_sites
from migrate.analysis.routes import RouteNodes
from migrate.analysis.scopes import resolve_scopes
from migrate.catalog.loader import Catalog

_MAX_ROUNDS = 8  # subclasses of subclasses followed


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
        overrides: dict[tuple[str, str], str | None] | None = None,
    ) -> None:
        self.catalog = catalog
        self.find = find
        self.read = read
        self.files = files
        self.cache = cache if cache is not None else {}
        self.overrides = overrides if overrides is not None else {}  # (class, method) -> overriding()
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

    def overriding(self, class_name: str, method: str) -> str | None:
        key = (class_name, method)
        if key not in self.overrides:
            self.overrides[key] = self._overriding(class_name, method)
        return self.overrides[key]

    def _overriding(self, class_name: str, method: str) -> str | None:
        names = {class_name}
        done: set[str] = set()
        for _ in range(_MAX_ROUNDS):
            todo = names - done
            if not todo:
                return None
            done |= todo
            files = self.files()
            if files is None:
                return "a subclass the tool can't look for (the project holds too many files)"
            for path in files:
                data = self.read(path)
                if data is None or not any(name.encode() in data for name in todo):
                    continue
                tree = self._tree(path, data)
                if tree is None:
                    return f"a class in {path}, which can't be parsed"
                for node in ast.walk(tree):
                    if not isinstance(node, ast.ClassDef) or not {_last(b) for b in node.bases} & todo:
                        continue
                    defined = {
                        item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    }
                    if method in defined:
                        return f"`{node.name}.{method}` in {path}"
                    names.add(node.name)
        return f"a subclass of a subclass more than {_MAX_ROUNDS} levels down (not followed)"

    def _tree(self, path: str, data: bytes) -> ast.Module | None:
        if path not in self._trees:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._trees[path] = ast.parse(data)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                self._trees[path] = None
        return self._trees[path]


def _last(node: ast.expr) -> str:
    """The last part of a base class's dotted name (`base.Provider` -> "Provider")."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
