"""Unified diffs of changed files, as text (reports) and in each file's own bytes (`--diff`,
so `git apply` takes them)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Sequence
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
        lines = difflib.diff_bytes(_unified, split(before), split(after), *headers)
    else:
        lines = _unified(split(before), split(after), *headers)
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith(newline):
            out.append(newline + no_newline)
    return out


def _unified(
    a: Sequence[str],
    b: Sequence[str],
    fromfile: str,
    tofile: str,
    fromdate: str = "",
    todate: str = "",
    n: int = 3,
    lineterm: str = "\n",
) -> Iterator[str]:
    """`difflib.unified_diff` without its "junk" heuristic, which, in a file of 200 lines or more,
    treats lines as common as `)` as noise: they then show as removed and added again, and the
    diff is longer than the change."""
    for index, group in enumerate(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(n)):
        if index == 0:
            yield f"--- {fromfile}{f'{chr(9)}{fromdate}' if fromdate else ''}{lineterm}"
            yield f"+++ {tofile}{f'{chr(9)}{todate}' if todate else ''}{lineterm}"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@{lineterm}"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from ("-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                yield from ("+" + line for line in b[j1:j2])


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it (difflib's `_format_range_unified`)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1  # an empty range begins at the line before it
    return f"{beginning},{length}"


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
