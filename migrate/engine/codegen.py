"""A module's code, generated once per top-level statement and reused.

The engine needs a file's code three times: to check that LibCST reproduces the file byte for
byte, to know the line each top-level statement starts on (positions), and for the migrated
file. A migration rewrites a few statements; the rest are the very same node objects in the
new module, so their code is generated once and reused.

Module code is the code of its header lines, statements and footer lines in order, each
generated alone (`Module.code_for_node`; top-level code has no indentation to carry over), with
LibCST's treatment of the file's end: an empty module with a trailing newline is that newline.
A module without a trailing newline (LibCST drops the last newline token) is generated whole.
"""

from __future__ import annotations

import re

import libcst as cst

# libcst.metadata.position_provider.NEWLINE_RE: how LibCST counts lines.
_LINE_BREAK = re.compile(r"\r\n?|\n")


class ModuleCode:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._parts: dict[cst.CSTNode, str] = {}
        self._first_lines: dict[cst.CSTNode, int] | None = None

    def code(self, module: cst.Module | None = None) -> str:
        """The code of `module` (default: the original), reusing the code of the parts it
        shares with the original."""
        module = self.module if module is None else module
        if not module.has_trailing_newline or not self._same_format(module):
            return module.code
        code = "".join(self._part(node) for node in (*module.header, *module.body, *module.footer))
        return code or module.default_newline

    def bytes(self, module: cst.Module | None = None) -> bytes:
        module = self.module if module is None else module
        return self.code(module).encode(module.encoding)

    def first_lines(self) -> dict[cst.CSTNode, int]:
        """The line each top-level statement of the original starts on (its leading blank lines
        and comments included)."""
        if self._first_lines is None:
            line = 1 + sum(len(_LINE_BREAK.findall(self._part(h))) for h in self.module.header)
            self._first_lines = {}
            for statement in self.module.body:
                self._first_lines[statement] = line
                line += len(_LINE_BREAK.findall(self._part(statement)))
        return self._first_lines

    def _part(self, node: cst.CSTNode) -> str:
        code = self._parts.get(node)
        if code is None:
            code = self._parts[node] = self.module.code_for_node(node)
        return code

    def _same_format(self, module: cst.Module) -> bool:
        original = self.module
        return module.default_indent == original.default_indent and module.default_newline == original.default_newline
