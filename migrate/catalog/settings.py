"""Run-wide options that change what the rewrites emit and which rules apply."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal


@dataclass(frozen=True)
class Settings:
    # Hoist a leading system/developer message to `instructions=` (else keep it in `input`).
    instructions: bool = True
    # "false": write `store=False` where the chat call had no `store=`; "omit": leave it out.
    store: Literal["false", "omit"] = "false"
    # Apply fixes of the `unsafe` tier (e.g. migrate calls on fine-tuned models).
    unsafe: bool = False
    # Rule codes turned off by --select/--ignore or [tool.migrate].
    disabled: frozenset[str] = frozenset()
    # Write `# TODO(migrate): CODE message` above every reported call.
    add_todo: bool = False
    # The file's line length (migrate.catalog.linelength): a rewritten call is re-wrapped to it.
    line_length: int = 88

    def turning_off(self, switches: set[str]) -> Settings:
        """These settings with the named switches (`instructions`, `store`) turned off."""
        changes: dict[str, Any] = {}
        if "instructions" in switches:
            changes["instructions"] = False
        if "store" in switches:
            changes["store"] = "omit"
        return replace(self, **changes) if changes else self
