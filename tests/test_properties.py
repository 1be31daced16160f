"""Property: any generated call site ends either fully migrated or untouched and reported.

A strategy splices a chat call with a random set of keyword arguments (convertible or not)
and random reads of its result into a module. Whatever the mix:
- migrated: the output parses, a second run changes nothing, no chat shape is left, and the
  emitted request validates strictly against the SDK's TypedDicts;
- reported: the file is byte-identical.
"""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_validation import validate_source

from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source

pytestmark = pytest.mark.slow

MESSAGES = [
    '[{"role": "user", "content": question}]',
    '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}]',
    '[{"role": "developer", "content": "Rules."}, {"role": "user", "content": [{"type": "text", "text": "hi"}, '
    '{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]',
    '[{"role": "user", "content": "q"}, {"role": "assistant", "content": None, "tool_calls": '
    '[{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}, '
    '{"role": "tool", "tool_call_id": "call_1", "content": "42"}]',
    "history",  # not a literal: reported
    '[{"role": "user", "content": "q", "name": "bob"}]',  # name: reported
]
ARGS = {
    "temperature": ["0", "0.7"],
    "max_tokens": ["256", "8"],
    "max_completion_tokens": ["512"],
    "reasoning_effort": ['"low"'],
    "verbosity": ['"high"'],
    "response_format": [
        '{"type": "json_object"}',
        '{"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "object"}}}',
        "fmt",
    ],
    "tools": [
        '[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]',
        '[{"type": "function", "function": {"name": "g", "parameters": {"type": "object"}, "strict": True}}]',
        "TOOLS",
    ],
    "tool_choice": ['"auto"', '{"type": "function", "function": {"name": "f"}}'],
    "n": ["1", "3"],
    "stop": ["None", '["\\n"]'],
    "seed": ["None", "7"],
    "presence_penalty": ["0", "0.4"],
    "store": ["True"],
    "stream": ["False", "True"],
    "user": ['"u-1"'],
    "metadata": ['{"k": "v"}'],
}
READS = [
    "print(resp.choices[0].message.content)",
    "print(resp.usage.total_tokens, resp.usage.prompt_tokens)",
    "msg = resp.choices[0].message\n    print(msg.content)",
    "return resp.id",
    "return resp",  # escapes: reported
    "print(resp.choices[0].finish_reason)",  # unsupported: reported
    "log(resp)",  # escapes: reported
]


@st.composite
def modules(draw) -> str:
    kwargs = [("model", '"gpt-4.1"'), ("messages", draw(st.sampled_from(MESSAGES)))]
    names = draw(st.lists(st.sampled_from(sorted(ARGS)), unique=True, max_size=5))
    kwargs += [(name, draw(st.sampled_from(ARGS[name]))) for name in names]
    kwargs = draw(st.permutations(kwargs))
    reads = draw(st.lists(st.sampled_from(READS), max_size=3))
    call = ",\n        ".join(f"{k}={v}" for k, v in kwargs)
    body = "\n    ".join(reads) or "pass"
    return (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
        "def ask(question, history, fmt, TOOLS, log):\n"
        f"    resp = client.chat.completions.create(\n        {call},\n    )\n"
        f"    {body}\n"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_every_call_ends_migrated_or_untouched(source: str) -> None:
    data = source.encode()
    result = migrate_source("gen.py", data, Settings())
    assert result.status in ("changed", "unchanged"), result.reason
    assert len(result.calls) == 1
    call = result.calls[0]
    if call.outcome == "migrated":
        assert result.status == "changed"
        out = result.migrated.decode()
        ast.parse(out)
        assert "chat.completions" not in out and ".choices" not in out and "messages=" not in out
        assert migrate_source("gen.py", result.migrated, Settings()).status == "unchanged"
        assert validate_source(out) == []
    else:
        assert call.outcome == "reported" and call.findings
        assert result.status == "unchanged" and result.migrated is None
