"""Which files are tests, and where a test names the chat endpoint, from a file's path and
bytes alone (no parse: a run looks at every test file this way, on its cheap path)."""

from __future__ import annotations

import fnmatch
import functools
import os
import re

from migrate.catalog.loader import WireTests


def is_test_file(path: str, data: WireTests) -> bool:
    """Is `path` a test file? Directories count from the current directory down (an absolute
    path under it is read relative to it)."""
    names, directories = _matchers(data.files)
    path = path.replace("\\", "/")
    if path.startswith("/"):
        here = os.getcwd().rstrip("/") + "/"
        path = path[len(here) :] if path.startswith(here) else path
    *above, name = path.split("/")
    if names.match(name):
        return True
    return any(directories.match(part) for part in above)


@functools.cache
def _matchers(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(file-name globs, directory globs) of rules/tests.toml `files`, each as one pattern."""
    names = [fnmatch.translate(p) for p in patterns if not p.endswith("/")] or ["(?!)"]
    directories = [fnmatch.translate(p[:-1]) for p in patterns if p.endswith("/")] or ["(?!)"]
    return re.compile("|".join(names)), re.compile("|".join(directories))


def chat_wire_line(data: bytes, marks: WireTests) -> int | None:
    """The line of the first mention of the chat endpoint, its ids, its method or its result
    doubles in a test file's bytes (`mentions` of rules/tests.toml), or None."""
    first = None
    for mark in marks.mentions:
        at = data.find(mark.encode())
        if at >= 0 and (first is None or at < first):
            first = at
    return None if first is None else data.count(b"\n", 0, first) + 1
