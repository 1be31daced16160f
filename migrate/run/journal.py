"""A unit's write survives a kill: the files a unit changes are written together or not at all.

Before the first file of a unit is replaced, :func:`begin` writes a journal next to the unit's
first file (``.<name>.migrate-journal``, written atomically and fsynced): every file's path, its
original bytes and a digest of its migrated bytes. :func:`finish` removes it once the last file
is written. A run killed in between (SIGKILL, power loss) leaves the journal behind, and the
next run that looks at the directory calls :func:`recover` before reading anything: each file
that holds its migrated bytes gets its original back, so the unit is whole again (all original)
and that run migrates it afresh. A file changed by someone since is left as it is and named.

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
from pathlib import Path

from migrate.run.fileio import TMP_SUFFIX, FileChangedError, fsync_dir, read_bytes, write_atomic

JOURNAL_SUFFIX = ".migrate-journal"
_OURS = re.compile(r"\.p(\d+)_[^.]*" + re.escape(TMP_SUFFIX) + "$")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def journal_path(first: str) -> Path:
    path = Path(os.path.realpath(first))
    return path.parent / f".{path.name}{JOURNAL_SUFFIX}"


def begin(first: str, files: Iterable[tuple[str, bytes, bytes]]) -> Path:
    """Record (path, original, migrated) of every file about to be written; durable on return."""
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
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump({"pid": os.getpid(), "files": entries}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, journal)
    fsync_dir(journal.parent)
    return journal


def finish(journal: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(journal)
    fsync_dir(journal.parent)


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
                if not _alive(int(record["pid"])):
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
    if _alive(pid):
        return []  # another run is writing this unit right now
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
    finish(journal)
    if restored:
        notes.insert(0, f"recovered an interrupted run: {restored} of its files restored, to be migrated again")
    return notes
