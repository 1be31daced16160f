"""Run-wide options that change what the rewrites emit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Settings:
    # Hoist a leading system/developer message to `instructions=` (else keep it in `input`).
    instructions: bool = True
    # "false": write `store=False` where the chat call had no `store=`; "omit": leave it out.
    store: Literal["false", "omit"] = "false"
    # Migrate calls on fine-tuned models (`model="ft:..."`) instead of reporting them.
    allow_fine_tuned: bool = False
