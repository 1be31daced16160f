"""A unit's write survives a kill: the files a unit changes are written together or not at all.

Before the first file of a unit is replaced, :func:`begin` writes a journal next to the unit's
first file (``.<name>.migrate-journal``, written atomically and fsynced): every file's path, its
original bytes and a digest of its migrated bytes. :func:`finish` removes it once the last file
is written. A run killed in between (SIGKILL, power loss) leaves the journal behind, and the
next run that looks at the directory calls :func:`recover` before reading anything: each file
that holds its migrated bytes gets its original back, so the unit is whole again (all original)
and that run migrates it afresh. A file changed by someone since is left as it is and named.

Whether the run that wrote a journal is still at work is told by a lock, not by its pid: the
writer holds an exclusive ``flock`` on the journal from the moment it exists until it is removed,
and the kernel drops the lock when the process dies, however it dies. A pid can be reused by an
unrelated process (after a reboot, or on a busy machine); a lock can't outlive its holder. Where
``flock`` is missing (Windows) the pid recorded in the journal is used instead.

Leftover temporary files of ours (``.<name>.p<pid>_<random>.migrate-tmp``, see
:mod:`migrate.run.fileio`) whose process is gone are removed by :func:`recover` too. Journals and
temporary files of a run still alive (another run at work) are left alone.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from migrate.run.fileio import TMP_SUFFIX, FileChangedError, fsync_dir, read_bytes, write_atomic

JOURNAL_SUFFIX = ".migrate-journal"
_OURS = re.compile(r"\.p(\d+)_[^.]*" + re.escape(TMP_SUFFIX) + "$")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def journal_path(first: str) -> Path:
    path = Path(os.path.realpath(first))
    return path.parent / f".{path.name}{JOURNAL_SUFFIX}"


@dataclass(frozen=True)
class Journal:
    """A journal being held: its path, and the open file that carries our lock on it."""

    path: Path
    fd: int


def begin(first: str, files: Iterable[tuple[str, bytes, bytes]]) -> Journal:
    """Record (path, original, migrated) of every file about to be written; durable on return,
    and locked (ours) until :func:`finish`."""
    entries = [
        {
            "path": os.path.realpath(path),
            "original": base64.b64encode(original).decode("ascii"),
            "migrated": _digest(migrated),
        }
        for path, original, migrated in files
    ]
    journal = journal_path(first)
    tmp = journal.with_name(f"{journal.name}.p{os.getpid()}_{TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        _lock(fd)  # before the rename: the journal is never seen unlocked while we write
        os.write(fd, json.dumps({"pid": os.getpid(), "files": entries}).encode("utf-8"))
        os.fsync(fd)
        os.replace(tmp, journal)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(journal.parent)
    return Journal(journal, fd)


def finish(journal: Journal) -> None:
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(journal.path)
        fsync_dir(journal.path.parent)
    finally:
        os.close(journal.fd)  # releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the pid stands in
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX)


def _claim(journal: Path, pid: int) -> int | None:
    """Take the lock of a journal whose run is no longer at work: an open descriptor holding it
    (close it to release), or None while the run that wrote it still holds it (or it is gone)."""
    try:
        fd = os.open(journal, os.O_RDONLY)
    except OSError:
        return None  # gone: finished or recovered meanwhile
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the pid stands in
        if _alive(pid):
            os.close(fd)
            return None
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:  # a filesystem without locks: the pid stands in
        if _alive(pid):
            os.close(fd)
            return None
    return fd


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a journal or temporary file of ours from before: not at work now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def recover(directories: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Roll back the journals of dead runs found in `directories` and remove their leftover
    temporary files. One line for each thing done or that could not be done."""
    notes: list[str] = []
    for directory in directories:
        try:
            with os.scandir(directory) as entries:
                names = [e.name for e in entries if e.name.endswith((JOURNAL_SUFFIX, TMP_SUFFIX))]
        except OSError:
            continue
        for name in sorted(names):
            path = Path(directory, name)
            if name.endswith(JOURNAL_SUFFIX):
                notes += _roll_back(path)
            else:
                match = _OURS.search(name)
                if match and not _alive(int(match.group(1))):
                    with contextlib.suppress(OSError):
                        os.unlink(path)
    return notes


PENDING = (
    "a run was killed while it wrote this module and others that migrate together; "
    "`migrate apply` restores and migrates them again"
)


def pending(directories: Iterable[str | os.PathLike[str]]) -> set[str]:
    """The files (real paths) listed in the journals of dead runs in `directories`: half written,
    maybe. Nothing is changed (for --check and --diff)."""
    found: set[str] = set()
    for directory in directories:
        try:
            with os.scandir(directory) as entries:
                names = [e.name for e in entries if e.name.endswith(JOURNAL_SUFFIX)]
        except OSError:
            continue
        for name in names:
            try:
                record = json.loads(Path(directory, name).read_text(encoding="utf-8"))
                claimed = _claim(Path(directory, name), int(record["pid"]))
                if claimed is not None:
                    os.close(claimed)
                    found.update(str(entry["path"]) for entry in record["files"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return found


def _roll_back(journal: Path) -> list[str]:
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        pid, entries = int(record["pid"]), list(record["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{journal}: unreadable journal of an interrupted run; left in place, check these files by hand"]
    claimed = _claim(journal, pid)
    if claimed is None:
        return []  # another run is writing (or recovering) this unit right now
    try:
        return _restore(journal, entries)
    finally:
        os.close(claimed)


def _restore(journal: Path, entries: list[dict[str, str]]) -> list[str]:
    notes, restored = [], 0
    for entry in entries:
        path, original = entry["path"], base64.b64decode(entry["original"])
        try:
            current = read_bytes(Path(path))
        except OSError as error:
            notes.append(f"{path}: cannot read it to finish an interrupted run's unit ({error}); check it by hand")
            continue
        if current == original:
            continue
        if _digest(current) != entry["migrated"]:
            notes.append(f"{path}: changed since an interrupted run migrated it with other files; check it by hand")
            continue
        try:
            write_atomic(path, original, expected=current)
            restored += 1
        except (FileChangedError, OSError) as error:
            notes.append(f"{path}: cannot restore it after an interrupted run ({error}); check it by hand")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(journal)
    fsync_dir(journal.parent)
    if restored:
        notes.insert(0, f"recovered an interrupted run: {restored} of its files restored, to be migrated again")
    return notes
