"""An edit of a tree: which original node is replaced, and how its replacement is built from
the node as already updated by nested edits (plans are applied in one pass keyed by the
original nodes, so edits inside other edits compose)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Edit:
    """Replace `target` (an original node) with `build(updated target)`."""

    target: cst.CSTNode
    build: Callable[[cst.CSTNode], cst.CSTNode]
