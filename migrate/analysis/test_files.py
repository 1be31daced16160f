"""Which files are tests, and where a test names the chat endpoint, from a file's path and
bytes alone (no parse: a run looks at every test file this way, on its cheap path)."""

from __future__ import annotations

import contextlib
import os
from fnmatch import fnmatch
from pathlib import PurePath

from migrate.catalog.loader import WireTests


def is_test_file(path: str, data: WireTests) -> bool:
    """Is `path` a test file? Directories count from the current directory down (an absolute
    path under it is read relative to it)."""
    if os.path.isabs(path):
        with contextlib.suppress(ValueError):  # another drive on Windows
            path = os.path.relpath(path)
    parts = PurePath(path.replace("\\", "/")).parts
    if not parts:
        return False
    for pattern in data.files:
        if pattern.endswith("/"):
            if any(fnmatch(part, pattern[:-1]) for part in parts[:-1]):
                return True
        elif fnmatch(parts[-1], pattern):
            return True
    return False


def chat_wire_line(data: bytes, marks: WireTests) -> int | None:
    """The line of the first mention of the chat endpoint, its ids, its method or its result
    doubles in a test file's bytes (`mentions` of rules/tests.toml), or None."""
    first = None
    for mark in marks.mentions:
        at = data.find(mark.encode())
        if at >= 0 and (first is None or at < first):
            first = at
    return None if first is None else data.count(b"\n", 0, first) + 1
