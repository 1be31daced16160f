"""How the human output is styled: `--color auto|always|never`.

`auto` styles the output on a terminal, and never when `NO_COLOR` is set (to anything but
""): then no ANSI code at all is written, bold included. `FORCE_COLOR` styles it elsewhere too
(rich's own rule). `always` and `never` override both variables.
"""

from __future__ import annotations

import os
from typing import IO, Any, Literal

ColorMode = Literal["auto", "always", "never"]

_mode: ColorMode = "auto"


def set_color(mode: ColorMode) -> None:
    global _mode
    _mode = mode


def console(file: IO[str] | None = None, **options: Any):
    """A rich Console writing to `file` (stdout when None), styled as --color says."""
    from rich.console import Console

    if _mode == "never" or (_mode == "auto" and os.environ.get("NO_COLOR")):
        return Console(file=file, color_system=None, **options)
    if _mode == "always":
        return Console(file=file, force_terminal=True, color_system="standard", **options)
    return Console(file=file, **options)
