"""The per-file pipeline: bytes in, a FileResult out. Never raises for a bad file.

read -> cheap text test -> `ast` gate (syntax, depth, call sites) -> LibCST parse ->
round-trip check -> plan and apply -> the output parses?

Every way out that is not "changed" or "unchanged" carries a one-line reason:

* ``failed``: the file can't be processed (NUL bytes, undecodable, syntax error, too deep for
  the parsers, a bug in the tool); it is left as it was.
* ``skipped``: valid Python that LibCST can't reproduce byte for byte (``round-trip: ...``).

A rewrite whose output does not parse is never returned: the file is ``failed`` with an
``internal error`` naming the rules that were applied, and nothing is written.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import traceback
import warnings
from typing import TYPE_CHECKING

from migrate.analysis.links import NO_LINKS, Links
from migrate.catalog.findings import FileResult
from migrate.catalog.settings import Settings
from migrate.engine.budget import OutOfTime
from migrate.engine.gate import Scan, scan_source

if TYPE_CHECKING:
    import libcst as cst

# A call site needs the attribute `completions` spelled out somewhere in the file.
NEEDLE = b"completions"
_RECURSION_LIMIT = 20_000
# Files with call sites above this many bytes are refused (--max-file-size): LibCST needs about
# 240 bytes of memory per byte of source (a 33 MB file takes 7.9 GB) and minutes on a huge line.
# The largest hand-written modules are well under 1 MB; at 5 MB a worker may need about 1.2 GB.
MAX_FILE_BYTES = 5_000_000
# Above this size a MemoryError is taken to mean memory, not depth (which ``ast`` also reports so).
_LARGE = 1_000_000
# LibCST's native parser is superlinear in nesting depth and overflows the C stack past a few
# thousand levels (a segfault takes the whole run down), so deeper files are refused up front.
# 2,500 levels parse in a few seconds; CPython's own parser gives up around 4,000-6,000.
MAX_DEPTH = 2_500
# CPython refuses more than 200 nested brackets; LibCST does not (and crashes on thousands).
_MAX_BRACKETS = 200
_TOO_DEEP_MESSAGES = ("too many nested parentheses", "too many levels of indentation", "too complex")
_BRACKETS = re.compile(rb"[][(){}]")
# Exceptions that stop the work on a file without being a failure of the file or a bug.
_NOT_OURS = (KeyboardInterrupt, SystemExit, GeneratorExit, OutOfTime)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


def might_contain_call_sites(data: bytes) -> bool:
    return NEEDLE in data


def too_large(data: bytes, limit: int | None) -> str | None:
    """Why a file with call sites is refused for its size, or None (`limit` None or 0: no limit)."""
    if not limit or len(data) <= limit or not might_contain_call_sites(data):
        return None
    return f"too large: {_size(len(data))} (the limit is {_size(limit)}, --max-file-size); left unchanged"


def _size(n: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def migrate_source(
    path: str, data: bytes, settings: Settings, links: Links = NO_LINKS, scan: Scan | None = None
) -> FileResult:
    """Migrate one file's bytes. Outcomes are values: changed / unchanged / skipped / failed.
    `links`: what a run over the tree knows of results crossing this module's boundary.
    `scan`: the `ast` gate's findings if the caller parsed the file already (migrate/engine/gate.py)."""
    # Reads of values from other modules' call sites, or values they pass.
    crossing = bool(links.imported or links.params or links.requested_values)
    if not crossing and not might_contain_call_sites(data):
        return FileResult(path, "unchanged", original=data)
    try:
        scan, parse_error = _gate(data, scan)
        if scan is not None and not scan.has_sites and not crossing:
            return FileResult(path, "unchanged", original=data)
        module = _parse(data, scan, parse_error)
        return _migrate_parsed(path, data, module, settings, links, scan)
    except _Failed as failure:
        return FileResult(path, "failed", reason=_one_line(str(failure)), original=data)


class _Failed(Exception):
    """The file can't be processed; the message is the FileResult's reason."""


def _gate(data: bytes, scan: Scan | None) -> tuple[Scan | None, str | None]:
    """The `ast` gate's findings (None when only LibCST's newer grammar may parse the file), and
    Python's own syntax error to show if LibCST fails too."""
    nul = data.find(b"\0")
    if nul != -1:
        raise _Failed(f"not Python source: NUL byte at line {_line_of(data, nul)}")
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    if scan is None:
        from migrate.catalog import loader as catalog

        try:
            scan = scan_source(data, catalog.load().methods)
        except MemoryError:
            if len(data) < _LARGE:  # what CPython's parser raises on some deep nesting, too
                raise _Failed("too deeply nested: Python's own parser gives up on it") from None
            raise _Failed(f"out of memory while parsing it ({_size(len(data))})") from None
        except RecursionError:
            raise _Failed("too deeply nested: Python's own parser gives up on it") from None
        except SyntaxError as error:
            parse_error = _describe_syntax_error(error, data)
            if any(m in str(error.msg) for m in _TOO_DEEP_MESSAGES) or not _shallow(data):
                raise _Failed(parse_error) from None
            if error.msg.startswith(("(unicode error)", "unknown encoding", "encoding problem")):
                raise _Failed(parse_error) from None
            return None, parse_error  # LibCST may still parse it (a grammar newer than this Python's)
        except ValueError as error:  # e.g. "source code string cannot contain null bytes"
            raise _Failed(f"cannot parse: {error}") from None
    return scan, None


def _parse(data: bytes, scan: Scan | None, parse_error: str | None) -> cst.Module:
    if scan is not None and scan.depth > MAX_DEPTH:
        raise _Failed(
            f"too deeply nested: {scan.depth} levels of syntax (the limit is {MAX_DEPTH}; "
            "LibCST would take minutes or crash on it)"
        )
    import libcst as cst

    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        if parse_error is not None:
            raise _Failed(parse_error) from None
        raise _Failed(
            f"LibCST cannot parse this file (valid Python) at line {error.raw_line}: {error.message}"
        ) from None
    except (SyntaxError, ValueError, LookupError) as error:  # includes UnicodeDecodeError
        raise _Failed(parse_error or f"cannot parse: {error}") from None
    except RecursionError:
        raise _Failed("too deeply nested to parse") from None
    except MemoryError:
        raise _Failed(f"out of memory while LibCST parsed it ({_size(len(data))})") from None
    except BaseException as error:  # e.g. a panic in the native parser (pyo3's PanicException)
        if isinstance(error, _NOT_OURS):
            raise
        raise _Failed(f"LibCST cannot parse this file: {_describe_bug(error)}") from None


def _migrate_parsed(
    path: str, data: bytes, module: cst.Module, settings: Settings, links: Links, scan: Scan | None
) -> FileResult:
    from migrate.catalog import loader as catalog
    from migrate.engine.codegen import ModuleCode
    from migrate.engine.plan import InternalError, migrate_module

    positions = scan.positions if scan is not None else None
    try:
        code = ModuleCode(module)
        if code.bytes() != data:
            hint = " (CR-only line endings)" if b"\r" in data and b"\n" not in data else ""
            reason = f"round-trip: LibCST does not reproduce this file byte for byte{hint}"
            return FileResult(path, "skipped", reason=reason, original=data, unchecked=True)
        source = data.decode(module.encoding, errors="replace")
        result = migrate_module(module, settings, catalog.load(), source, positions, links, code, path)
        if not result.changed:
            return FileResult(
                path,
                "unchanged",
                calls=result.calls,
                original=data,
                returns=result.returns,
                unfollowed=result.unfollowed,
                values=result.values,
                passes=result.passes,
                helpers=result.helpers,
                refused_helpers=result.refused_helpers,
            )
        new = code.bytes(result.module)
    except RecursionError:
        raise _Failed("too deeply nested to transform") from None
    except InternalError as error:
        raise _Failed(f"internal error: {error}; the file was left unchanged") from None
    except UnicodeEncodeError as error:
        raise _Failed(
            f"internal error: the rewritten file cannot be encoded as {error.encoding}; the file was left unchanged"
        ) from None
    except BaseException as error:  # a bug: explain it, leave the file alone, go on with the next one
        if isinstance(error, _NOT_OURS) or os.environ.get("MIGRATE_DEBUG"):
            raise
        raise _Failed(
            f"internal error: {_describe_bug(error)}; the file was left unchanged (please report this)"
        ) from None
    problem = _does_not_parse(new, path, libcst_only=positions is None)
    if problem is not None:
        raise _Failed(
            f"internal error: the rewritten file does not parse ({problem}) after {_rules_applied(result.calls)}; "
            "the file was left unchanged (please report this)"
        )
    return FileResult(
        path,
        "changed",
        calls=result.calls,
        original=data,
        migrated=new,
        returns=result.returns,
        unfollowed=result.unfollowed,
        values=result.values,
        passes=result.passes,
        helpers=result.helpers,
        refused_helpers=result.refused_helpers,
    )


def _does_not_parse(new: bytes, path: str, *, libcst_only: bool) -> str | None:
    """Why `new` does not parse, or None. With `libcst_only` (the original needed LibCST's newer
    grammar, so this Python can't compile it either) the output must round-trip through LibCST."""
    if not libcst_only:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(new, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
            return (
                _describe_syntax_error(error, new)
                if isinstance(error, SyntaxError)
                else str(error) or type(error).__name__
            )
        return None
    import libcst as cst

    try:
        if cst.parse_module(new).bytes != new:
            return "LibCST does not reproduce it"
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError) as error:
        return _one_line(str(error))
    return None


def _rules_applied(calls) -> str:
    migrated = [c for c in calls if c.outcome == "migrated"]
    codes = sorted({f.code for c in migrated for f in c.findings} or {"RSP100"})
    lines = ", ".join(str(c.line) for c in migrated)
    where = f" at line{'s' if len(migrated) > 1 else ''} {lines}" if lines else ""
    return f"rule{'s' if len(codes) > 1 else ''} {', '.join(codes)}{where}"


def _describe_bug(error: BaseException) -> str:
    """`KeyError: 'x' (results.py:120)`: the innermost frame, and the innermost of ours if that
    one is in another package (LibCST's, say)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return f"{type(error).__name__}: {error}"
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the migrate package
    where = f"{os.path.basename(frames[-1].filename)}:{frames[-1].lineno}"
    ours = [f for f in frames if os.path.abspath(f.filename).startswith(here)]
    if ours and ours[-1] is not frames[-1]:
        where += f", from {os.path.basename(ours[-1].filename)}:{ours[-1].lineno}"
    return f"{type(error).__name__}: {error} ({where})"


def _describe_syntax_error(error: SyntaxError, data: bytes) -> str:
    msg = str(error.msg)
    line = error.lineno
    if msg.startswith("(unicode error)"):
        inner = msg[len("(unicode error)") :].strip()
        hint = "" if _has_cookie(data) else " (there is no coding cookie, so it must be UTF-8)"
        return f"cannot decode line {line}: {inner}{hint}"
    if msg.startswith(("unknown encoding", "encoding problem")):
        return f"bad coding cookie: {msg}"
    if any(m in msg for m in _TOO_DEEP_MESSAGES):
        return f"too deeply nested: {msg} at line {line} (Python rejects it too)"
    kind = "syntax error" if type(error) is SyntaxError else type(error).__name__
    where = f" at line {line}" if line else ""
    return f"{kind}{where}: {msg} (Python {sys.version_info[0]}.{sys.version_info[1]})"


def _has_cookie(data: bytes) -> bool:
    """Does the file declare its encoding (a BOM or a PEP 263 cookie on line 1 or 2)?"""
    if data.startswith(b"\xef\xbb\xbf"):
        return True
    return any(_COOKIE.match(line) for line in data.splitlines()[:2])


def _shallow(data: bytes) -> bool:
    """A cheap over-estimate of bracket nesting (strings count too) and of `elif` chains, for a
    file `ast` rejected: is it safe to hand to LibCST's native parser?"""
    if data.count(b"elif") > MAX_DEPTH:
        return False
    depth = 0
    for match in _BRACKETS.finditer(data):
        depth += 1 if match.group() in b"([{" else -1
        if depth > _MAX_BRACKETS:
            return False
        depth = max(depth, 0)
    return True


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1 if b"\n" in data else data.count(b"\r", 0, offset) + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())
