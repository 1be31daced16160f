"""The per-file pipeline: bytes in, a FileResult out. Never raises for a bad file.

read -> cheap text test -> parse -> round-trip check -> plan and apply -> output compiles?
"""

from __future__ import annotations

import ast
import sys

from migrate.findings import FileResult
from migrate.settings import Settings

# A call site needs the attribute `completions` spelled out somewhere in the file.
NEEDLE = b"completions"
_RECURSION_LIMIT = 20_000


def might_contain_call_sites(data: bytes) -> bool:
    return NEEDLE in data


def migrate_source(path: str, data: bytes, settings: Settings) -> FileResult:
    """Migrate one file's bytes. Outcomes are values: changed / unchanged / skipped / failed."""
    if not might_contain_call_sites(data):
        return FileResult(path, "unchanged", original=data)
    from migrate import catalog
    from migrate.gate import call_site_positions

    positions = None
    try:
        positions = call_site_positions(ast.parse(data), catalog.load().methods)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass  # LibCST will give the reason (or parse a newer grammar than this Python's)
    if positions == []:
        return FileResult(path, "unchanged", original=data)

    import libcst as cst

    from migrate.plan import InternalError, migrate_module

    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        return FileResult(path, "failed", reason=f"syntax error at line {error.raw_line}: {error.message}", original=data)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError) as error:
        return FileResult(path, "failed", reason=f"cannot parse: {error}", original=data)
    except RecursionError:
        return FileResult(path, "failed", reason="too deeply nested to parse", original=data)
    try:
        if module.bytes != data:
            return FileResult(path, "skipped", reason="round-trip: LibCST does not reproduce this file byte for byte", original=data)
        source = data.decode(module.encoding, errors="replace")
        result = migrate_module(module, settings, catalog.load(), source, positions)
        if not result.changed:
            return FileResult(path, "unchanged", calls=result.calls, original=data)
        new = result.module.bytes
    except RecursionError:
        return FileResult(path, "failed", reason="too deeply nested to transform", original=data)
    except InternalError as error:
        return FileResult(path, "failed", reason=f"internal error: {error}", original=data)
    try:
        compile(new, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return FileResult(
            path, "failed", reason=f"internal error: the rewritten file does not parse ({error})", calls=result.calls, original=data
        )
    return FileResult(path, "changed", calls=result.calls, original=data, migrated=new)
