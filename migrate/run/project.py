"""The rest of the project a run over some files belongs to (#14 item 6).

pre-commit passes only the staged files, a PR job the changed ones: a run over `app/llm.py`
must still see that `app/views.py` imports its helper and reads the chat result. The project
is the directory of the `[tool.migrate]` pyproject.toml above the paths given, or else the
enclosing git repository (the nearest ancestor holding `.git`), or else the nearest ancestor
holding a `pyproject.toml`, `setup.py` or `setup.cfg`, or else nothing more. Its other
files are found as a run over it would find them (the same excludes and `.gitignore` files) and
are only read, on the cheap path of the pre-pass (a text test, then an `ast` import scan: see
:func:`migrate.engine.units.find_units`); they are never written nor reported as files of the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from migrate.catalog.config import ConfigError, find_pyproject
from migrate.run.discovery import find_git_root, iter_files


def project_root(paths: Sequence[str]) -> str | None:
    """The root of the project the paths belong to: the `[tool.migrate]` pyproject's directory,
    else the git repository's root, else the nearest directory holding a packaging file, else
    None."""
    named = [p for p in paths if p != "-"]
    if not named:
        return None
    try:
        pyproject = find_pyproject(named)
    except ConfigError:
        pyproject = None
    if pyproject is not None:
        return os.path.realpath(pyproject.parent)
    common = os.path.commonpath([os.path.realpath(p) for p in named])
    if not os.path.isdir(common):
        common = os.path.dirname(common)
    return find_git_root(common) or _packaged_root(common)


# Files that mark a project's root when it is not a git repository.
_PACKAGING = ("pyproject.toml", "setup.py", "setup.cfg")


def _packaged_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` that holds a packaging file."""
    for candidate in (Path(directory), *Path(directory).parents):
        if any((candidate / name).is_file() for name in _PACKAGING):
            return str(candidate)
    return None


def outside_files(paths: Sequence[str], found: Iterable[str], exclude: Sequence[str] = ()) -> list[str]:
    """The Python files of the project of `paths` that are not files of the run (`found`), in
    discovery order, named relative to the working directory when they are below it."""
    root = project_root(paths)
    if root is None:
        return []
    for path in paths:  # the run covers the whole project: nothing is outside it
        if path != "-" and os.path.isdir(path) and _covers(os.path.realpath(path), root):
            return []
    inside = {os.path.realpath(path) for path in found}
    cwd = os.getcwd()
    start = os.path.relpath(root, cwd) if _covers(cwd, root) else root
    out = []
    for item in iter_files([start], exclude=exclude):
        if item.error is None and item.skipped is None and os.path.realpath(item.path) not in inside:
            out.append(str(item.path))
    return out


def _covers(directory: str, path: str) -> bool:
    """Whether `path` is `directory` or below it (both resolved)."""
    return Path(path) == Path(directory) or Path(directory) in Path(path).parents
