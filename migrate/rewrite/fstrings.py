"""String literals a rewrite puts into an f-string's expressions.

Before Python 3.12 an expression in `f"..."` can't hold a `"`: a read rewritten inside one
(`f"{chunk.choices[0].delta.content or ''}"`, whose template tests
`chunk.type == "response.output_text.delta"`) writes its literals with the other quote,
`f"{chunk.delta if chunk.type == 'response.output_text.delta' else None}"`. Only the
expressions a rewrite changed are touched; a triple-quoted f-string needs nothing.
"""

from __future__ import annotations

import libcst as cst

_OTHER = {'"': "'", "'": '"'}


def requoted(original: cst.FormattedString, updated: cst.FormattedString) -> cst.FormattedString | None:
    """`updated` with the literals of its changed expressions in the quote its own quote allows;
    None when one can't be written so (it holds both quotes, or a nested f-string with this one)."""
    quote = updated.quote
    if quote not in _OTHER:
        return updated
    same = len(original.parts) == len(updated.parts)
    parts: list[cst.BaseFormattedStringContent] = []
    for i, part in enumerate(updated.parts):
        if isinstance(part, cst.FormattedStringExpression) and not (same and part.deep_equals(original.parts[i])):
            fixer = _Requote(quote)
            part = part.visit(fixer)  # type: ignore[assignment]
            if fixer.failed:
                return None
        parts.append(part)
    return updated.with_changes(parts=parts)


class _Requote(cst.CSTTransformer):
    def __init__(self, quote: str) -> None:
        self.quote = quote
        self.failed = False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        if node.quote == self.quote:
            self.failed = True  # a nested f-string in the same quote: valid only from 3.12
        return False

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        if updated_node.quote != self.quote:
            return updated_node
        other = _OTHER[self.quote]
        body = updated_node.value[len(updated_node.prefix) + 1 : -1]
        if other in body or "\\" in body:
            self.failed = True
            return updated_node
        return updated_node.with_changes(value=f"{updated_node.prefix}{other}{body}{other}")
