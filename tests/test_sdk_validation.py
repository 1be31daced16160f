"""The strict SDK validator used by the other tests must itself be strict and readable."""

from __future__ import annotations

import copy
import time

import pytest

pytest.importorskip("openai")
pytest.importorskip("pydantic")

try:  # tests/ is a plain directory on sys.path (pytest "prepend" import mode)
    from sdk_validation import (
        Call,
        _sdk,
        extract_calls,
        validate_responses_body,
        validate_source,
    )
except ImportError:  # pragma: no cover - tests/ turned into a package
    from tests.sdk_validation import (
        Call,
        _sdk,
        extract_calls,
        validate_responses_body,
        validate_source,
    )


WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}

VALID_BODY = {
    "model": "gpt-4o",
    "input": [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": [{"type": "input_text", "text": "Use tools."}]},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is in this image and file?"},
                {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "auto"},
                {"type": "input_file", "file_id": "file-123"},
                {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,AAAA"},
            ],
        },
        {"role": "assistant", "content": "Let me check the weather."},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "22C"},
        {"type": "custom_tool_call", "call_id": "call_2", "name": "run_sql", "input": "select 1"},
        {"type": "custom_tool_call_output", "call_id": "call_2", "output": "1"},
        {"type": "function_call_output", "call_id": "call_3", "output": [{"type": "input_text", "text": "ok"}]},
        {"role": "user", "content": "Thanks."},
    ],
    "tools": [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather by city",
            "parameters": WEATHER_SCHEMA,
            "strict": True,
        },
        {"type": "function", "name": "no_args", "parameters": None, "strict": False},
        {
            "type": "custom",
            "name": "run_sql",
            "description": "Run SQL",
            "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"},
        },
        {"type": "custom", "name": "free_text", "format": {"type": "text"}},
    ],
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "text": {
        "format": {
            "type": "json_schema",
            "name": "weather",
            "description": "A weather answer",
            "schema": WEATHER_SCHEMA,
            "strict": True,
        },
        "verbosity": "low",
    },
    "reasoning": {"effort": "low"},
    "max_output_tokens": 256,
    "temperature": 0.2,
    "top_p": 1.0,
    "metadata": {"k": "v"},
    "store": False,
    "include": ["reasoning.encrypted_content"],
}


def _body(**changes):
    body = copy.deepcopy(VALID_BODY)
    body.update(changes)
    return body


def _with_item(item, index=None):
    body = _body()
    if index is None:
        body["input"].append(item)
    else:
        body["input"][index] = item
    return body


# --------------------------------------------------------------------------------------
# The recipe of docs/api-mapping.md#validation really behaves as documented in this SDK
# --------------------------------------------------------------------------------------


def test_default_typedadapter_is_not_strict_but_the_recipe_is():
    from openai.types.responses import ResponseCreateParams
    from openai.types.responses.response_create_params import (
        ResponseCreateParamsNonStreaming,
        ResponseCreateParamsStreaming,
    )
    from pydantic import ConfigDict, TypeAdapter, ValidationError

    # Default config silently drops unknown keys...
    lax = TypeAdapter(ResponseCreateParams).validate_python({"model": "m", "messages": []})
    assert lax == {"model": "m"}
    # ...the recipe rejects them...
    strict = TypeAdapter(
        ResponseCreateParamsNonStreaming | ResponseCreateParamsStreaming,
        config=ConfigDict(extra="forbid"),
    )
    with pytest.raises(ValidationError):
        strict.validate_python({"model": "m", "messages": []})
    # ...and a config on a bare TypedDict is refused by pydantic.
    from pydantic import PydanticUserError

    with pytest.raises(PydanticUserError):
        TypeAdapter(ResponseCreateParamsNonStreaming, config=ConfigDict(extra="forbid"))


def test_lazy_iterables_need_forcing():
    """`tools` is Iterable[...]: a nested chat tool passes validate_python, fails when iterated."""
    from pydantic import ValidationError

    adapter = _sdk().body
    chat_tool = {"type": "function", "function": {"name": "f", "parameters": {}}}
    result = adapter.validate_python({"model": "m", "tools": [chat_tool]})  # no error yet
    assert type(result["tools"]).__name__ == "ValidatorIterator"
    with pytest.raises(ValidationError):
        list(result["tools"])
    # The helper forces it.
    assert "tools.0.function: Extra inputs are not permitted" in validate_responses_body(
        {"model": "m", "tools": [chat_tool]}
    )


def test_lazy_iterables_are_forced_even_when_other_keys_fail():
    errors = validate_responses_body(
        {"model": "m", "messages": [], "tools": [{"type": "function", "function": {"name": "f"}}]}
    )
    assert "messages: Extra inputs are not permitted" in errors
    assert "tools.0.function: Extra inputs are not permitted" in errors


def test_every_bad_tool_is_reported_not_just_the_first():
    good = VALID_BODY["tools"][0]
    bad = {"type": "function", "function": {"name": "f"}}
    errors = validate_responses_body({"model": "m", "tools": [bad, good, bad]})
    assert "tools.0.function: Extra inputs are not permitted" in errors
    assert "tools.2.function: Extra inputs are not permitted" in errors
    assert not any(e.startswith("tools.1.") for e in errors)


def test_recipe_checks_from_the_brief():
    assert validate_responses_body({"model": "m", "messages": []}) == ["messages: Extra inputs are not permitted"]
    assert validate_responses_body({"model": "m", "tools": [{"type": "function", "name": "f", "parameters": {}}]}) == [
        "tools.0.strict: Field required"
    ]
    assert validate_responses_body(
        {"model": "m", "input": [{"role": "user", "content": [{"type": "input_image", "image_url": "u"}]}]}
    ) == ["input.0.content.0.detail: Field required"]


# --------------------------------------------------------------------------------------
# A fully migrated body passes
# --------------------------------------------------------------------------------------


def test_valid_full_body():
    assert validate_responses_body(copy.deepcopy(VALID_BODY)) == []


def test_valid_streaming_body():
    body = _body(stream=True, stream_options={"include_obfuscation": False})
    assert validate_responses_body(body) == []


def test_valid_minimal_bodies():
    assert validate_responses_body({"model": "gpt-4o", "input": "hi"}) == []
    assert validate_responses_body({"model": "gpt-4o", "input": [{"role": "user", "content": "hi"}]}) == []
    assert validate_responses_body({"model": "gpt-4o", "input": ({"role": "user", "content": "hi"},)}) == []
    assert validate_responses_body({"model": "gpt-4o", "input": "hi", "stream": False}) == []


@pytest.mark.parametrize(
    "tool_choice",
    [
        "none",
        "auto",
        "required",
        {"type": "function", "name": "get_weather"},
        {"type": "custom", "name": "run_sql"},
        {
            "type": "allowed_tools",
            "mode": "auto",
            "tools": [{"type": "function", "name": "get_weather"}, {"type": "custom", "name": "run_sql"}],
        },
    ],
)
def test_valid_tool_choice_forms(tool_choice):
    assert validate_responses_body(_body(tool_choice=tool_choice)) == []


@pytest.mark.parametrize(
    "fmt",
    [
        {"type": "text"},
        {"type": "json_object"},
        {"type": "json_schema", "name": "x", "schema": {"type": "object"}},
    ],
)
def test_valid_text_formats(fmt):
    assert validate_responses_body(_body(text={"format": fmt})) == []


# --------------------------------------------------------------------------------------
# Each chat-shaped leftover is rejected, with a readable error
# --------------------------------------------------------------------------------------

NESTED_CHAT_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA, "strict": True},
}

REJECTED = {
    "messages": (_body(messages=[{"role": "user", "content": "hi"}]), "messages: Extra inputs are not permitted"),
    "max_tokens": (_body(max_tokens=100), "max_tokens: Extra inputs are not permitted"),
    "nested_chat_tool": (_body(tools=[NESTED_CHAT_TOOL]), "tools.0.function: Extra inputs are not permitted"),
    "tool_without_strict": (
        _body(tools=[{"type": "function", "name": "get_weather", "parameters": WEATHER_SCHEMA}]),
        "tools.0.strict: Field required",
    ),
    "chat_custom_tool": (
        _body(tools=[{"type": "custom", "custom": {"name": "run_sql"}}]),
        "tools.0.custom: Extra inputs are not permitted",
    ),
    "chat_allowed_tools_entry": (
        _body(
            tool_choice={
                "type": "allowed_tools",
                "mode": "auto",
                "tools": [{"type": "function", "function": {"name": "get_weather"}}],
            }
        ),
        "tool_choice.tools.0.function: chat-shaped entry",
    ),
    "chat_custom_grammar": (
        _body(
            tools=[
                {
                    "type": "custom",
                    "name": "run_sql",
                    "format": {"type": "grammar", "grammar": {"definition": "start: /.+/", "syntax": "lark"}},
                }
            ]
        ),
        "tools.0.format.grammar: Extra inputs are not permitted",
    ),
    "assistant_null_content": (
        _with_item({"role": "assistant", "content": None}, 3),
        "input.3.content: Input should match one of: str, list (got None)",
    ),
    "chat_tool_choice": (
        _body(tool_choice={"type": "function", "function": {"name": "f"}}),
        "tool_choice.function: Extra inputs are not permitted",
    ),
    "text_content_part": (
        _with_item({"role": "user", "content": [{"type": "text", "text": "hi"}]}, 2),
        "input.2.content.0.type: Input should be one of 'input_text', 'input_image', 'input_file' (got 'text')",
    ),
    "tool_role_message": (
        _with_item({"role": "tool", "tool_call_id": "call_1", "content": "22C"}, 5),
        "input.5.tool_call_id: Extra inputs are not permitted",
    ),
    "name_on_message": (
        _with_item({"role": "user", "name": "bob", "content": "hi"}, 0),
        "input.0.name: Extra inputs are not permitted",
    ),
    "assistant_tool_calls": (
        _with_item(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            3,
        ),
        "input.3.tool_calls: Extra inputs are not permitted",
    ),
    "input_image_object_url": (
        _with_item(
            {
                "role": "user",
                "content": [{"type": "input_image", "image_url": {"url": "https://x/a.png"}, "detail": "auto"}],
            }
        ),
        "input.10.content.0.image_url: Input should be a valid string (got {'url': 'https://x/a.png'})",
    ),
    "chat_json_schema_wrapper": (
        _body(text={"format": {"type": "json_schema", "json_schema": {"name": "x", "schema": WEATHER_SCHEMA}}}),
        "text.format.json_schema: Extra inputs are not permitted",
    ),
    "reasoning_effort": (_body(reasoning_effort="low"), "reasoning_effort: Extra inputs are not permitted"),
    "top_level_verbosity": (_body(verbosity="low"), "verbosity: Extra inputs are not permitted"),
    "include_usage": (
        _body(stream=True, stream_options={"include_usage": True}),
        "stream_options.include_usage: Extra inputs are not permitted",
    ),
    "function_call_without_call_id": (
        _with_item({"type": "function_call", "name": "f", "arguments": "{}"}, 2),
        "input.2.call_id: Field required",
    ),
    "unknown_item_type": (
        _with_item({"type": "tool_result", "call_id": "c", "output": "x"}, 1),
        "input.1.type: unknown input item type 'tool_result'",
    ),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_rejected(case):
    body, expected = REJECTED[case]
    errors = validate_responses_body(copy.deepcopy(body))
    assert errors, f"{case}: accepted"
    assert any(e == expected or e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_errors_are_readable(case):
    body, _ = REJECTED[case]
    errors = validate_responses_body(copy.deepcopy(body))
    assert 1 <= len(errors) <= 5, errors
    for error in errors:
        assert "\n" not in error
        # Only the offending path, no pydantic union-member labels in it.
        path = error.split(": ", 1)[0]
        assert "Param" not in path and "[" not in path, error


def test_stream_branch_is_chosen_by_stream_true():
    # include_obfuscation is fine on both branches, include_usage on neither.
    body = _body(stream=True, stream_options={"include_usage": True})
    errors = validate_responses_body(body)
    assert errors == ["stream_options.include_usage: Extra inputs are not permitted"]
    # No leak of the other branch's "stream: Field required".
    assert not any(e.startswith("stream:") for e in validate_responses_body(_body(messages=[])))


def test_role_tool_message_error_names_the_role():
    errors = validate_responses_body(_with_item({"role": "tool", "tool_call_id": "c", "content": "x"}, 5))
    assert errors == [
        "input.5.role: Input should be 'user', 'assistant', 'system' or 'developer' (got 'tool')",
        "input.5.tool_call_id: Extra inputs are not permitted",
    ]


def test_multiple_bad_items_all_reported_by_index():
    body = _body()
    body["input"][0] = {"role": "user", "name": "x", "content": "a"}
    body["input"][4] = {"type": "function_call", "name": "f", "arguments": "{}"}
    errors = validate_responses_body(body)
    assert errors == ["input.0.name: Extra inputs are not permitted", "input.4.call_id: Field required"]


# --------------------------------------------------------------------------------------
# Placeholders for non-literal source
# --------------------------------------------------------------------------------------


def test_placeholders_get_the_benefit_of_the_doubt():
    body = {
        "model": "<expr:MODEL>",
        "input": "<expr:history>",
        "tools": "<expr:TOOLS>",
        "tool_choice": "<expr:choice>",
        "reasoning": {"effort": "<expr:effort>"},
        "temperature": "<expr:temp>",
        "text": {"format": {"type": "json_schema", "name": "x", "schema": "<expr:SCHEMA>", "strict": True}},
    }
    assert validate_responses_body(body) == []
    items = {"model": "m", "input": ["<expr:*history>", {"role": "user", "content": "<expr:f'{q}'>"}]}
    assert validate_responses_body(items) == []


def test_placeholders_do_not_hide_wrong_keys():
    assert validate_responses_body({"model": "m", "messages": "<expr:msgs>"}) == [
        "messages: Extra inputs are not permitted"
    ]
    errors = validate_responses_body({"model": "m", "tool_choice": {"type": "function", "function": "<expr:f>"}})
    assert "tool_choice.function: Extra inputs are not permitted" in errors


# --------------------------------------------------------------------------------------
# extract_calls / validate_source
# --------------------------------------------------------------------------------------

SOURCE = """
import openai
from openai import OpenAI

client = OpenAI()

def ask(question, history, Weather, Answer, kwargs):
    r = client.responses.create(
        model=MODEL,
        input=[*history, {"role": "user", "content": f"Q: {question}"}],
        tools=[openai.pydantic_responses_function_tool(Weather)],
        max_output_tokens=-1,
        store=False,
        extra_headers={"X-Trace": "1"},
        timeout=30.0,
    )
    p = client.responses.with_raw_response.parse(
        model="gpt-4o", input="hi", text_format=Answer, reasoning={"effort": effort}
    )
    with client.responses.stream(model="gpt-4o", input="hi", text_format=Answer) as s:
        pass
    client.chat.completions.create(model="gpt-4o", messages=[])
    client.responses.retrieve("resp_1")
    client.responses.create(model="gpt-4o", **kwargs)
    openai.responses.create(model="gpt-4o", input=[{"role": "user", "content": "x", **extra}])
    client.responses.create(model="gpt-4o", input="x", max_tokens=5)
"""


def test_extract_calls():
    calls = extract_calls(SOURCE)
    assert [(c.lineno, c.method) for c in calls] == [
        (8, "create"),
        (17, "with_raw_response.parse"),
        (20, "stream"),
        (24, "create"),
        (25, "create"),
        (26, "create"),
    ]
    first = calls[0]
    assert isinstance(first, Call)
    assert first.body == {
        "model": "<expr:MODEL>",
        "input": ["<expr:*history>", {"role": "user", "content": '<expr:f"Q: {question}">'}],
        "tools": [
            {
                "type": "function",
                "name": "<expr:openai.pydantic_responses_function_tool(Weather)>",
                "parameters": {},
                "strict": True,
            }
        ],
        "max_output_tokens": -1,
        "store": False,
    }
    assert first.unvalidatable is None
    assert first.sdk_kwargs == {"extra_headers": {"X-Trace": "1"}, "timeout": 30.0}
    assert calls[1].body == {"model": "gpt-4o", "input": "hi", "reasoning": {"effort": "<expr:effort>"}}
    assert "text_format" not in calls[2].body
    assert calls[3].unvalidatable and "**kwargs" in calls[3].unvalidatable
    assert calls[4].unvalidatable and "**extra" in calls[4].unvalidatable


def test_validate_source():
    assert validate_source(SOURCE) == [
        "line 24: create: cannot validate statically: **kwargs splat",
        "line 25: create: cannot validate statically: input: dict literal with **extra spread",
        "line 26: max_tokens: Extra inputs are not permitted",
    ]


def test_pydantic_function_tool_in_create_is_chat_shaped():
    """responses.create does not convert pydantic_function_tool(M); parse/stream do."""
    src = (
        "client.responses.create(model='m', input='x', tools=[openai.pydantic_function_tool(M)])\n"
        "client.responses.parse(model='m', input='x', tools=[openai.pydantic_function_tool(M)])\n"
    )
    errors = validate_source(src)
    assert errors and all(e.startswith("line 1: tools.0.") for e in errors), errors


def test_stream_helper_body_is_validated_as_streaming():
    src = "client.responses.stream(model='m', input='x', stream_options={'include_usage': True})\n"
    assert validate_source(src) == ["line 1: stream_options.include_usage: Extra inputs are not permitted"]
    src = "client.responses.stream(model='m', input='x', stream=True)\n"
    assert validate_source(src) == ["line 1: stream: responses.stream() takes no `stream` argument (TypeError)"]


def test_parse_top_level_verbosity_is_rejected():
    src = "client.responses.parse(model='m', input='x', text_format=A, verbosity='low')\n"
    assert validate_source(src) == ["line 1: verbosity: Extra inputs are not permitted"]


def test_text_format_with_text_format_key_is_rejected():
    src = "client.responses.parse(model='m', input='x', text_format=A, text={'format': {'type': 'text'}})\n"
    assert validate_source(src) == ["line 1: text.format: cannot be combined with text_format (TypeError in the SDK)"]


def test_positional_arguments_are_unvalidatable():
    assert validate_source("client.responses.create(body)\n") == [
        "line 1: create: cannot validate statically: positional arguments (the SDK methods are keyword-only)"
    ]


def test_fast_after_warmup():
    validate_responses_body(copy.deepcopy(VALID_BODY))
    bodies = [copy.deepcopy(body) for body, _ in REJECTED.values()] + [copy.deepcopy(VALID_BODY)] * 10
    start = time.perf_counter()
    for body in bodies:
        validate_responses_body(body)
    assert time.perf_counter() - start < 2.0


def test_plain_chat_text_messages_are_responses_input_as_they_are():
    """A list built elsewhere is passed on unchanged (RSP101) only when each message is a plain
    role/content text message: exactly what `EasyInputMessageParam` takes, for every role the
    rewrite lets through; any other chat key is rejected."""
    from typing import get_args, get_type_hints

    from openai.types.responses import EasyInputMessageParam

    from migrate.rewrite.messages import TEXT_ROLES

    passed = {*TEXT_ROLES, "assistant"}
    assert set(get_args(get_type_hints(EasyInputMessageParam)["role"])) == passed
    body = {"model": "gpt-4.1", "input": [{"role": role, "content": "Hi"} for role in sorted(passed)]}
    assert validate_responses_body(body) == []
    named = {"model": "gpt-4.1", "input": [{"role": "user", "name": "ada", "content": "Hi"}]}
    assert validate_responses_body(named) != []


def test_values_given_by_name_are_validated_with_their_literal():
    """`tools=TOOLS`, `tools=[save_contact]`, `{"type": "function", **lookup}`: a name the module
    binds once to a literal is validated as that literal, not given the benefit of the doubt."""
    chat_shaped = (
        "save_contact = {'type': 'function', 'function': {'name': 'save', 'parameters': {}}}\n"
        "TOOLS = [save_contact]\n"
        "client.responses.create(model='gpt-4.1', input='Hi', tools=TOOLS)\n"
    )
    assert any("tools" in error for error in validate_source(chat_shaped))
    flat = (
        "lookup = {'name': 'lookup', 'parameters': {'type': 'object', 'properties': {}}}\n"
        "save_contact = {'type': 'function', 'name': 'save', 'parameters': None, 'strict': False}\n"
        "spread = {'type': 'function', **lookup, 'strict': False}\n"
        "client.responses.create(model='gpt-4.1', input='Hi', tools=[save_contact, spread])\n"
    )
    assert validate_source(flat) == []
    rebound = chat_shaped + "save_contact = None\n"  # bound twice: not known
    assert validate_source(rebound) == []
