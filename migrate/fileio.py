"""Read and write source files safely.

:func:`write_atomic` writes to a temporary file next to the real target
(symlinks are resolved, so the link's target is replaced and the link kept),
fsyncs it, copies the permission bits, checks that the target still holds the
bytes we read, and then ``os.replace``-s it. Ownership, ACLs and extended
attributes are not copied. Like most formatters, replacing a file breaks any
hard links to it: other names keep the old content. Leftovers of a crashed
run are named ``.<name>.<random>.migrate-tmp``.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from pathlib import Path

TMP_SUFFIX = ".migrate-tmp"


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


def write_atomic(path: Path, data: bytes, *, expected: bytes) -> None:
    """Replace the file at `path` (or its symlink target) with `data`.

    Raises FileChangedError (leaving the file untouched) if its current bytes
    differ from `expected`, or it has vanished.
    """
    target = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            current = read_bytes(target)
        except FileNotFoundError:
            raise FileChangedError(path) from None
        if current != expected:
            raise FileChangedError(path)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def decode_for_display(data: bytes) -> str:
    """Decode source bytes for printing (PEP 263 cookie / BOM, else UTF-8), never failing."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def newline_of(data: bytes) -> str:
    """The first line ending in `data` ("\\r\\n", "\\r" or "\\n"); "\\n" if there is none."""
    cr, lf = data.find(b"\r"), data.find(b"\n")
    if cr != -1 and (lf == -1 or cr < lf):
        return "\r\n" if lf == cr + 1 else "\r"
    return "\n"
