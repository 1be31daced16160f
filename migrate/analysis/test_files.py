"""Which files are tests or examples, where a test names the chat endpoint, and where a module
wraps the chat method, from a file's path and bytes alone (no parse: a run looks at every file
this way, on its cheap path; only a module whose bytes name the chat method's module is parsed,
with `ast`, to tell a string that names it from a docstring)."""

from __future__ import annotations

import ast
import fnmatch
import functools
import os
import re
import warnings

from migrate.catalog.loader import WireTests


def is_test_file(path: str, data: WireTests) -> bool:
    """Is `path` a test file? Directories count from the current directory down (an absolute
    path under it is read relative to it)."""
    return _matches(path, data.files)


def is_example_file(path: str, data: WireTests) -> bool:
    """Is `path` in an example, sample app, tutorial or demo directory (rules/tests.toml
    `examples`)? Read as :func:`is_test_file` reads it."""
    return _matches(path, data.examples)


def may_wrap_chat(path: str, data: WireTests) -> bool:
    """Is `path` a module of the project's own code, where a string naming the chat method's
    module means the project wraps it: a .py file that is not a test, an example or test data?"""
    return path.endswith(".py") and not (
        _matches(path, data.files) or _matches(path, data.examples) or _matches(path, data.test_data)
    )


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    names, directories = _matchers(patterns)
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


def chat_wrapped_at(data: bytes, marks: WireTests) -> tuple[int, str] | None:
    """(line, the string) of the first string literal of a module naming the chat method's module
    the way a wrapper or patch does (`"openai.resources.chat.completions"`, rules/tests.toml
    `instruments`), docstrings aside; or None. A byte test first: most modules are never parsed."""
    if b"openai.resources." not in data:
        return None
    quoted = [q + prefix.encode() for prefix in marks.instruments for q in (b'"', b"'")]
    if not any(q in data for q in quoted):
        return None
    try:
        with warnings.catch_warnings():  # invalid escapes and the like: not ours to report
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)  # a string said nothing with
    }
    found = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value.startswith(marks.instruments)
    ]
    return min(found) if found else None
