"""Find the Python files to process.

Rules (see :func:`iter_files`):

* A path named explicitly as a file is always yielded when it exists, whatever
  its suffix and even if it is excluded or gitignored; the caller decides.
* A directory is walked recursively with :func:`os.scandir`, entries sorted by
  name, so the output is sorted by path components (``a/b.py`` before
  ``a/c/d.py`` before ``a/e.py``). Only ``*.py`` and ``*.ipynb`` files are yielded.
* Below a walked directory, subdirectories named in :data:`DEFAULT_EXCLUDED_DIRS`
  and directories containing ``pyvenv.cfg`` are not entered. The directory you
  name yourself is always walked, even if it has such a name.
* ``.gitignore`` files are honoured (``pathspec.GitIgnoreSpec``). The enclosing
  git root is the nearest ancestor with a ``.git`` entry; every ``.gitignore``
  from that root down to each directory applies, relative to its own directory,
  deeper files overriding shallower ones (a ``!pattern`` can re-include). With
  no git root, only ``.gitignore`` files inside the walked directory count. If
  the walked directory is itself ignored by its ancestors' ``.gitignore`` files,
  those ancestor files are disregarded (naming it means you want it).
  ``.git/info/exclude`` and the global excludes file are not read.
* ``exclude`` patterns use gitignore syntax and are matched against the path
  relative to each walked directory: a pattern without a slash (``legacy``,
  ``*_pb2.py``) matches a basename at any depth, ``/legacy`` only at the top,
  ``legacy/`` only directories.
* Symlinks: symlinked directories are never followed (so loops cannot hang); a
  symlinked ``*.py`` file is yielded only if its resolved target is a file
  inside the (resolved) walked directory. With ``report_skipped=True`` the
  ``*.py`` links that are not followed (to outside the tree, to a directory,
  broken, looping) and ``*.py`` entries that are not regular files (FIFOs,
  sockets, devices) are yielded as ``Discovered(path, skipped=reason)``;
  otherwise they are passed over silently.
* A path named explicitly that is neither a directory nor a regular file (a
  FIFO, a device) yields ``Discovered(path, error="not a regular file (...)")``:
  reading it could block forever.
* Each file is yielded at most once (dedupe by resolved path; first one wins).
* A missing path yields ``Discovered(path, error="no such file or directory")``;
  an unreadable directory yields ``Discovered(dir, error="permission denied")``
  (or the OS reason) and the walk goes on.

Only symlinks cost a syscall beyond what ``scandir`` returns.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pathspec costs ~0.1 s to import: only when a .gitignore or --exclude needs it
    import pathspec

DEFAULT_EXCLUDED_DIRS = frozenset(
    ".git .hg .svn .venv venv .tox .nox .eggs __pycache__ .mypy_cache .pytest_cache"
    " .ruff_cache node_modules build dist site-packages _build __pypackages__ .ipynb_checkpoints".split()
)

_Layers = tuple[tuple[str, "pathspec.GitIgnoreSpec"], ...]  # (dir relative to anchor, spec)


@dataclass(frozen=True)
class Discovered:
    path: Path
    error: str | None = None  # set: report `path` as failed with this reason, don't process it
    skipped: str | None = None  # set: report `path` as skipped with this reason (only with report_skipped)


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _load_gitignore(directory: str) -> pathspec.GitIgnoreSpec | None:
    try:
        with open(os.path.join(directory, ".gitignore"), "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    import pathspec

    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:  # an invalid pattern: keep the valid ones, like git does
        spec = pathspec.GitIgnoreSpec.from_lines(line for line in lines if _valid(line))
    return spec if spec.patterns else None


def _valid(line: str) -> bool:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
        return True
    except ValueError:
        return False


def _ignored(layers: _Layers, rel: str, is_dir: bool) -> bool:
    """Is `rel` (relative to the anchor, '/'-separated) ignored by `layers`?"""
    probe = rel + "/" if is_dir else rel
    ignored = False
    for base, spec in layers:
        include = spec.check_file(probe[len(base) + 1 :] if base else probe).include
        if include is not None:
            ignored = include
    return ignored


def find_git_root(start: str) -> str | None:
    """The nearest directory from `start` up holding a `.git` entry (the repository root), or None."""
    d = start
    while True:
        if os.path.lexists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _walk(
    root: str, excl: pathspec.GitIgnoreSpec | None, seen: set[str], report_skipped: bool = False
) -> Iterator[Discovered]:
    real_root = os.path.realpath(root)
    inside = real_root.rstrip(os.sep) + os.sep
    anchor = find_git_root(real_root) or real_root
    anchor_rel = os.path.relpath(real_root, anchor).replace(os.sep, "/")
    anchor_rel = "" if anchor_rel == "." else anchor_rel
    layers: _Layers = ()
    parts = anchor_rel.split("/") if anchor_rel else []
    for i in range(len(parts)):  # .gitignore files above the walked root
        base = "/".join(parts[:i])
        spec = _load_gitignore(os.path.join(anchor, *parts[:i]))
        if spec:
            layers += ((base, spec),)
    if layers and _ignored(layers, anchor_rel, True):
        layers = ()

    # Frames: (sorted entries, path relative to root, relative to anchor, layers).
    stack: list[tuple[Iterator[os.DirEntry[str]], str, str, _Layers]] = []

    def enter(path: str, rel: str, arel: str, layers: _Layers) -> Iterator[Discovered]:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Discovered(Path(path), error=_reason(exc))
            return
        names = {e.name for e in entries}
        if rel and "pyvenv.cfg" in names:
            return
        if ".gitignore" in names and (spec := _load_gitignore(path)):
            layers += ((arel, spec),)
        stack.append((iter(entries), rel, arel, layers))

    yield from enter(root, "", anchor_rel, layers)
    while stack:
        entries, rel, arel, layers = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        child_rel = f"{rel}/{name}" if rel else name
        child_arel = f"{arel}/{name}" if arel else name
        if entry.is_dir(follow_symlinks=False):
            if name in DEFAULT_EXCLUDED_DIRS or _skip(layers, excl, child_rel, child_arel, True):
                continue
            yield from enter(entry.path, child_rel, child_arel, layers)
            continue
        if not name.endswith((".py", ".ipynb")) or _skip(layers, excl, child_rel, child_arel, False):
            continue
        if entry.is_symlink():
            key = os.path.realpath(entry.path)
            why = _unfollowed_link(entry, key, inside, root)
            if why is not None:
                if report_skipped:
                    yield Discovered(Path(entry.path), skipped=why)
                continue
        elif entry.is_file(follow_symlinks=False):
            key = os.path.join(real_root, *child_rel.split("/"))
        else:
            if report_skipped:
                yield Discovered(Path(entry.path), skipped=f"not a regular file ({_kind(entry.path)})")
            continue
        if key not in seen:
            seen.add(key)
            yield Discovered(Path(entry.path))


def _unfollowed_link(entry: os.DirEntry[str], real: str, inside: str, root: str) -> str | None:
    """Why the symlink `entry` (resolving to `real`) is not followed, or None to follow it."""
    try:
        st = os.stat(entry.path)  # follows the link; a loop raises ELOOP
    except FileNotFoundError:
        return "broken symlink"
    except OSError as exc:
        return f"symlink not followed: {_reason(exc)}"
    if stat.S_ISDIR(st.st_mode):
        return "symlink to a directory: not followed"
    if not real.startswith(inside):
        return f"symlink to a file outside {root}: not followed (name it explicitly to migrate it)"
    if not stat.S_ISREG(st.st_mode):
        return f"symlink to something that is not a regular file ({_kind(real)})"
    return None


def _kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return _reason(exc)
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "unknown file type"


def _skip(layers: _Layers, excl: pathspec.GitIgnoreSpec | None, rel: str, arel: str, is_dir: bool) -> bool:
    if excl is not None and excl.match_file(rel + "/" if is_dir else rel):
        return True
    return bool(layers) and _ignored(layers, arel, is_dir)


def iter_files(
    paths: Sequence[str | Path], *, exclude: Sequence[str] = (), report_skipped: bool = False
) -> Iterator[Discovered]:
    """Yield the files to process under `paths`, in order (see the module docstring)."""
    excl = None
    if exclude:
        import pathspec

        excl = pathspec.GitIgnoreSpec.from_lines(exclude)
    seen: set[str] = set()
    for arg in paths:
        path = Path(arg)
        try:
            st = os.stat(arg)  # the string as given: `file.py/` is "not a directory", as in a shell
        except FileNotFoundError:
            yield Discovered(path, error="no such file or directory")
            continue
        except OSError as exc:
            yield Discovered(path, error=_reason(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(os.fspath(path), excl, seen, report_skipped)
        elif not stat.S_ISREG(st.st_mode):
            yield Discovered(path, error=f"not a regular file ({_kind(os.fspath(path))})")
        else:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield Discovered(path)
