"""Read and write source files safely.

:func:`write_atomic` writes to a temporary file next to the real target
(symlinks are resolved, so the link's target is replaced and the link kept),
fsyncs it, copies the permission bits (and, best effort, the owner and group),
checks that the target still holds the bytes we read, ``os.replace``-s it and
fsyncs the directory. A file with no write permission bit, or that we may not
write, is refused (``PermissionError``: "file is read-only") rather than
replaced behind its mode's back. ACLs and extended attributes are not copied.
Like most formatters, replacing a file breaks any hard links to it: other names
keep the old content.

Interrupted runs: an exception (``KeyboardInterrupt`` included) removes the
temporary file. Only a hard kill (SIGKILL, power loss) between its creation and
the replace can leave one behind, named ``.<name>.p<pid>_<random>.migrate-tmp``;
the target itself is then still the complete original. Such leftovers are never
picked up by the discovery walk (it only yields ``*.py``); the next run removes
those in the directories it looks at once their process ``<pid>`` is gone
(:mod:`migrate.run.journal`), and leaves a live concurrent run's alone.

Concurrent runs: the check and the replace happen under an exclusive lock on
the target's directory (``flock``, POSIX; best effort where it can't be taken),
so of two runs migrating the same file exactly one replaces it; the other finds
it already holding exactly the bytes it was about to write, writes nothing and
is told so (``write_atomic`` returns False: the run reports the file unchanged,
not an error). The lock binds only our runs: an editor that changes the file in
the instant between the check and the replace loses its change.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path

TMP_SUFFIX = ".migrate-tmp"
# The reason a file the run would have changed is reported unchanged: write_atomic found it written.
ALREADY_WRITTEN = "already migrated by another run"


class FileChangedError(OSError):
    """The file on disk no longer holds the bytes it was read with."""

    message = "file changed on disk since it was read"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(self.message)
        self.path = Path(path)
        self.strerror, self.filename = self.message, os.fspath(path)

    def __str__(self) -> str:  # OSError would render "[Errno None] ...: 'path'"
        return self.message


def read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def write_atomic(path: str | os.PathLike[str], data: bytes, *, expected: bytes) -> bool:
    """Replace the file at `path` (or its symlink target) with `data`; False if it already held `data`
    (another run wrote it first) and nothing was written.

    Raises FileChangedError (leaving the file untouched) if its current bytes
    differ from `expected` (unless they already are `data`), or it has vanished;
    PermissionError if the file is read-only.
    """
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        raise FileChangedError(path) from None
    if not st.st_mode & 0o222:
        raise PermissionError(errno.EACCES, "file is read-only", os.fspath(path))
    if not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "permission denied", os.fspath(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.p{os.getpid()}_", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            _copy_owner(f.fileno(), st)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        with _directory_lock(target.parent):
            try:
                current = read_bytes(target)
            except FileNotFoundError:
                raise FileChangedError(path) from None
            if current == data:  # already done (e.g. by a concurrent run): nothing to write
                os.unlink(tmp)
                return False
            if current != expected:
                raise FileChangedError(path)
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return True


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``directory`` (its inode outlives every replace of a file in it),
    held while a file in it is compared and replaced. Best effort: without ``fcntl`` (Windows), or a
    directory that can't be opened or locked, the compare-and-replace runs unlocked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _copy_owner(fd: int, st: os.stat_result) -> None:
    """Give the new file the old one's owner and group where we may (root may; others may set a
    group they belong to). Best effort: otherwise the new file is ours, like any editor's save."""
    if not hasattr(os, "fchown") or (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()):
        return
    for uid, gid in ((st.st_uid, st.st_gid), (-1, st.st_gid)):
        try:
            os.fchown(fd, uid, gid)
            return
        except OSError:
            continue


def fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def decode_for_display(data: bytes) -> str:
    """Decode source bytes for printing (PEP 263 cookie / BOM, else UTF-8), never failing."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def read_quietly(path: str) -> bytes | None:
    """A file's bytes, or None when it can't be read (for looking around, not for migrating)."""
    try:
        return read_bytes(Path(path))
    except OSError:
        return None
