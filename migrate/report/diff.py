"""Unified diffs of changed files, as text (reports) and in each file's own bytes (`--diff`,
so `git apply` takes them)."""

from __future__ import annotations

import difflib
import os
from typing import AnyStr

from migrate.catalog.findings import FileResult
from migrate.run.fileio import decode_for_display


def unified_diff(result: FileResult) -> str:
    """The change as text (for reports): each side decoded as the file declares."""
    if result.original is None or result.migrated is None:
        return ""
    before, after = decode_for_display(result.original), decode_for_display(result.migrated)
    return "".join(_diff_lines(before, after, _diff_headers(result.path), "\n", "\\ No newline at end of file\n"))


def unified_diff_bytes(result: FileResult) -> bytes:
    """The change as `git diff` prints it: the file's own bytes (a latin-1 file's hunks stay
    latin-1, so `git apply` finds its lines), names in the filesystem's encoding."""
    if result.original is None or result.migrated is None:
        return b""
    old, new = _diff_headers(result.path)
    headers = (os.fsencode(old), os.fsencode(new))
    return b"".join(_diff_lines(result.original, result.migrated, headers, b"\n", b"\\ No newline at end of file\n"))


def _diff_lines(
    before: AnyStr, after: AnyStr, headers: tuple[AnyStr, AnyStr], newline: AnyStr, no_newline: AnyStr
) -> list[AnyStr]:
    def split(data: AnyStr) -> list[AnyStr]:
        # Lines end at "\n" only, as for git and patch: str.splitlines() would also cut at form
        # feeds, "\x85" or "\u2028" inside a line, and `git apply` would reject the hunks.
        parts = data.split(newline)
        complete, last = parts[:-1], parts[-1]  # not `*complete, last =`: mypy mixes up AnyStr's str and bytes
        return [line + newline for line in complete] + ([last] if last else [])

    if isinstance(before, bytes):
        lines = difflib.diff_bytes(difflib.unified_diff, split(before), split(after), *headers)
    else:
        lines = difflib.unified_diff(split(before), split(after), *headers)
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith(newline):
            out.append(newline + no_newline)
    return out


def _diff_headers(path: str) -> tuple[str, str]:
    name = diff_name(path)
    # Like git: a name with a space ends with a tab, so that `patch` reads all of it.
    end = "\t" if " " in name else ""
    return f"a/{name}{end}", f"b/{name}{end}"


def diff_name(path: str) -> str:
    """The path as `git apply` expects it: relative to the working directory when possible."""

    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    if rel.startswith(".."):
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/").lstrip("/")
