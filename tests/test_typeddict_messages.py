"""A call of one of the SDK's message TypedDicts is written as the dict it builds
(migrate/rewrite/messages.py typed_dict_literal): the dict literal evaluates to exactly what the
call returns, laid out as the call was."""

from __future__ import annotations

import libcst as cst
import pytest

from migrate.analysis.nodes import code_of
from migrate.rewrite.messages import Blocked, typed_dict_literal

pytest.importorskip("openai")

SPELLINGS = frozenset({"ChatCompletionUserMessageParam", "chat.ChatCompletionToolMessageParam", "P"})

CALLS = {
    "ChatCompletionUserMessageParam(role='user', content=q)": "{'role': 'user', 'content': q}",
    'P(role="user", content=q )': '{"role": "user", "content": q }',
    'chat.ChatCompletionToolMessageParam(role="tool", tool_call_id="c1", content="4")': (
        '{"role": "tool", "tool_call_id": "c1", "content": "4"}'
    ),
    'P(\n    role="user",  # who\n    content=q,\n)': '{\n    "role": "user",  # who\n    "content": q,\n}',
    '(P(role="user", content=q))': '({"role": "user", "content": q})',
    "P()": "{}",
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_written_as_the_dict_it_builds(call: str) -> None:
    from openai.types import chat
    from openai.types.chat import ChatCompletionUserMessageParam

    new = typed_dict_literal(cst.parse_expression(call), SPELLINGS)
    assert code_of(new) == CALLS[call]
    names = {"q": "hi", "chat": chat, "P": ChatCompletionUserMessageParam}
    names["ChatCompletionUserMessageParam"] = ChatCompletionUserMessageParam
    assert eval(code_of(new), {}, dict(names)) == eval(call, {}, dict(names))


@pytest.mark.parametrize(
    ("call", "why"),
    [
        ('P({"role": "user", "content": q})', "`P(...)` is given a positional argument"),
        ("P(**fields)", "`P(...)` is given `**fields`"),
        ('P(role="user", *rest)', "`P(...)` is given `*rest`"),
    ],
)
def test_keys_it_cant_read_are_reported(call: str, why: str) -> None:
    with pytest.raises(Blocked, match=why.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        typed_dict_literal(cst.parse_expression(call), SPELLINGS)


def test_other_calls_are_left_as_they_are() -> None:
    node = cst.parse_expression('Note(role="user", content=q)')
    assert typed_dict_literal(node, SPELLINGS) is node
