"""How the engine reads the other modules of a file's project, for clients defined there
(migrate/analysis/definitions.py).

A module is found as Python would import it from the file's place: from the directory above
the file's top package (the directories holding an `__init__.py`), `app.clients` is
`app/clients.py` or `app/clients/__init__.py` there, or from the project's root (the directory
holding its `.git`, `pyproject.toml`, `setup.py` or `setup.cfg`), or, for `app.clients`, from
the parent of a directory `app` that holds the file (a source root such as `backend/`). An
absolute import that two of those places, or a module next to the file, answer differently is
ambiguous (which one depends on how the program is started) and is not followed. Only the
module a receiver is imported from is parsed (with LibCST, once per process and content); the
project's files are listed (below the same directory) only to look for subclasses overriding a
factory method, writes of a client's attribute from outside, writes of the environment a
client reads and uses of a private function or method from outside its module, and then read
only when their bytes may hold one.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from pathlib import Path

from migrate.analysis.call_sites import Resolver
from migrate.analysis.definitions import ProjectMemo, ProjectModules
from migrate.catalog.loader import Catalog
from migrate.engine.units import PROJECT_MARKERS, importers, module_name

# Directories that hold no module of the project.
_SKIPPED = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist"})
_MAX_CACHED = 64  # parsed modules kept per process
_MAX_FILES = 20_000  # a directory holding more is not searched for subclasses
_MAX_DEPTH = 16  # directories climbed for a namespace package

_resolvers: dict[tuple[str, bytes], Resolver | None] = {}
_files: dict[Path, list[str] | None] = {}
_memos: dict[Path, ProjectMemo] = {}


def project_modules(path: str, catalog: Catalog) -> tuple[ProjectModules | None, str]:
    """The other modules of the project of the file at `path`, and the file's package; (None,
    "") for a file that is not on disk (standard input)."""
    if not path or path == "-" or not os.path.isfile(path):
        return None, ""
    _, package = module_name(path)
    root = Path(path).resolve().parent
    for _ in package.split(".") if package else ():
        root = root.parent
    roots = [root]
    if not package:
        # No `__init__.py` here: a relative import still names a module by directory (the file
        # is then imported as part of a namespace package), so the file's package is taken from
        # the directories between it and its project's root. Absolute imports are looked up
        # next to the file first (a script's own directory), then from that root.
        package, project = _namespace_package(root)
        if package:
            roots.append(project)
            root = project
    if len(_resolvers) > _MAX_CACHED:
        _resolvers.clear()

    here = Path(path).resolve().parent
    ambiguous: dict[str, str] = {}
    # Where else the program may be started from: its project's root (a stray `__init__.py` there
    # makes the root itself a package), and, for `import app.core`, the parent of a directory
    # `app` the file is in (a source root such as `backend/`).
    marked = _project_root(here)
    ancestors = [d for d in (here, *here.parents) if marked is not None and marked in d.parents]

    def place(base: Path, parts: list[str]) -> Path | None:
        for candidate in (base.joinpath(*parts[:-1], parts[-1] + ".py"), base.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                return candidate
        return None

    def find(module: str) -> str | None:
        parts = module.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        # An absolute import is the module next to the file when the file is run as a script,
        # the project's (or its package root's) when it is imported: both there, it depends on
        # how the program is started, which the tool can't tell.
        bases = [
            *roots,
            *([marked] if marked is not None else []),
            *(d.parent for d in ancestors if d.name == parts[0]),
        ]
        found = [f for f in dict.fromkeys(place(base, parts) for base in bases) if f is not None]
        beside = place(here, parts) if found else None  # only a script's: not found from here alone
        if beside is not None and beside not in found:
            found.append(beside)
        if len({f.resolve() for f in found}) > 1:
            ambiguous[module] = (
                f"which is ambiguous: both {found[0]} and {found[1]} (it depends on how the program is started)"
            )
            return None
        return str(found[0]) if found else None

    def files() -> Iterable[str] | None:
        if root not in _files:
            found: list[str] | None = []
            cwd = Path.cwd()
            start = os.path.relpath(root) if cwd == root or cwd in root.parents else str(root)
            for directory, subdirectories, names in os.walk(start):
                subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and d not in _SKIPPED)
                assert found is not None
                python = sorted(name for name in names if name.endswith(".py"))
                paths = (os.path.normpath(os.path.join(directory, name)) for name in python)
                found.extend(p for p in paths if os.path.isfile(p))  # not a broken link: no module
                if len(found) > _MAX_FILES:
                    found = None
                    break
            _files[root] = found
        return _files[root]

    starts = frozenset([here, *roots, *([marked] if marked is not None else [])])

    def importable(candidate: str) -> bool:
        """Whether the program the file is part of may import the module at `candidate`: it is
        found from the same place (the file's directory, its package root, its project's root
        through namespace packages). Another tree of the project (a fixture, an example, a
        package of its own) is another program."""
        file = Path(candidate).resolve()
        if not file.stem.isidentifier():
            return False
        top = file.parent
        _, inside = module_name(candidate)
        for _ in inside.split(".") if inside else ():
            top = top.parent
        if top in starts:
            return True
        namespace, project = _namespace_package(top) if not inside else ("", top)
        return bool(namespace) and project in starts

    def uses(defined: str, name: str) -> str | None:
        listed = files()
        if listed is None:
            return "the project holds too many files to search for its uses"
        return _used_elsewhere(defined, name, listed)

    memo = _memos.setdefault(root, ProjectMemo())
    modules = ProjectModules(catalog, find, _read, files, _resolvers, memo, ambiguous.get, uses)
    modules.program = (tuple(sorted(str(s) for s in starts)), importable)
    return modules, package


def _used_elsewhere(defined: str, name: str, files: Iterable[str]) -> str | None:
    """A file of the project other than `defined` that may use its module-level function (or
    a method) `name`: picked by the bytes as the run picks the importers of a helper (the name
    and the module's, engine/units.py `importers`), then kept when its `ast` imports the name
    (`from m import name`, or `*`), reads `.name`, or spells "name" (`getattr(m, "name")`); a
    file that can't be parsed counts. As "path ...", or None."""
    here = os.path.realpath(defined)
    others = [path for path in files if os.path.realpath(path) != here]
    # A function of a package's `__init__.py` may be imported without naming its package (`from
    # . import _ask`): any file naming the function is looked at then.
    module = "" if Path(defined).name == "__init__.py" else module_name(defined)[0] or Path(defined).stem
    for path, _, tree in importers({module: [name]}, others, _read):
        if tree is None:
            return f"{path} names it and can't be parsed"
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and any(alias.name in (name, "*") for alias in node.names):
                return f"{path} imports it (`from {'.' * node.level}{node.module or ''} import ...`)"
            if isinstance(node, ast.Attribute) and node.attr == name:
                return f"{path} reads `{ast.unparse(node)[:60]}`"
            if isinstance(node, ast.Constant) and node.value == name:
                return f'{path} spells "{name}"'
    return None


def _namespace_package(directory: Path) -> tuple[str, Path]:
    """(package, its project's root) of a file in `directory`, which holds no `__init__.py`:
    the names of the directories below the nearest one that marks a project (a `.git`, a
    `pyproject.toml`, a `setup.py` or `setup.cfg`). ("", directory) when there is no such
    root near, or a name on the way can't be a module's."""
    parts: list[str] = []
    while len(parts) < _MAX_DEPTH and directory.parent != directory:
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return ".".join(parts), directory
        if not directory.name.isidentifier():
            break
        parts.insert(0, directory.name)
        directory = directory.parent
    return "", directory


def _project_root(directory: Path) -> Path | None:
    """The nearest directory at or above `directory` that marks a project (a `.git`, a
    `pyproject.toml`, a `setup.py` or `setup.cfg`), if one is near."""
    for candidate in [directory, *directory.parents][:_MAX_DEPTH]:
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return None


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None
