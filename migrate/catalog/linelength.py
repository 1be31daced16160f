"""The line length a file is formatted to: what ruff or black would use for it.

The nearest configuration above the file decides, as ruff's own discovery does: a `ruff.toml`
or `.ruff.toml` (top-level `line-length`), or a `pyproject.toml` with `[tool.ruff]` or
`[tool.black]` (`line-length`; ruff's wins when both are given). A pyproject.toml without
either table is passed over; one that can't be read counts as no configuration. Default: 88,
the default of both formatters.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT = 88


def line_length(path: str | Path) -> int:
    """The line length of the file at `path` (which need not exist)."""
    start = Path(path).absolute()
    return _in_directory(start.parent)


@lru_cache(maxsize=1024)
def _in_directory(directory: Path) -> int:
    for name in ("ruff.toml", ".ruff.toml"):
        found = _configured(directory / name, ())
        if found is not None:
            return found if found > 0 else DEFAULT
    found = _configured(directory / "pyproject.toml", ("tool", "ruff"), ("tool", "black"))
    if found is not None:
        return found if found > 0 else DEFAULT
    if directory.parent == directory:
        return DEFAULT
    return _in_directory(directory.parent)


def _configured(path: Path, *tables: tuple[str, ...]) -> int | None:
    """The line length `path` sets (0: the file configures the formatter but not its line
    length), or None when it doesn't configure it."""
    try:
        if not path.is_file():
            return None
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    configured = False
    for table in tables or ((),):
        node = data
        for key in table:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        configured = True
        value = node.get("line-length")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return 0 if configured else None
