"""The fake OpenAI server (migrate.verify), driven by the real `openai` SDK as client."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

openai = pytest.importorskip("openai")
pydantic = pytest.importorskip("pydantic")

from openai import AsyncOpenAI, OpenAI  # noqa: E402
from pydantic import BaseModel, TypeAdapter  # noqa: E402

from migrate.verify.answers import plan_answer, schema_instance  # noqa: E402
from migrate.verify.canonical import (  # noqa: E402
    answer_seed,
    canonical_chat,
    canonical_responses,
    first_difference,
)
from migrate.verify.server import (  # noqa: E402
    FakeOpenAI,
    chat_chunks,
    chat_completion,
    response_events,
    response_object,
)

MODEL = "gpt-4.1"
WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
    "required": ["city", "unit"],
    "additionalProperties": False,
}
CHAT_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER, "strict": True}}
RESP_TOOL = {"type": "function", "name": "get_weather", "parameters": WEATHER, "strict": True}


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh(server):
    server.reset()
    yield


@pytest.fixture(scope="module")
def client(server):
    with OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as c:
        yield c


def _user(text: str) -> list:
    return [{"role": "user", "content": text}]


class Weather(BaseModel):
    city: str
    celsius: int
    tags: list[str]


# --------------------------------------------------------------------------------------
# Lifecycle and records
# --------------------------------------------------------------------------------------


def test_context_manager_serves_on_an_ephemeral_local_port():
    with FakeOpenAI() as fake:
        assert fake.base_url.startswith("http://127.0.0.1:") and fake.base_url.endswith("/v1")
        assert not fake.base_url.endswith(":0/v1")
        OpenAI(base_url=fake.base_url, api_key="x").chat.completions.create(model=MODEL, messages=_user("hi"))
        assert len(fake.requests) == 1
    with pytest.raises(RuntimeError):
        _ = fake.base_url


def test_records_api_canonical_form_and_helper(server, client):
    client.chat.completions.create(model=MODEL, messages=_user("hi"))
    client.chat.completions.parse(model=MODEL, messages=_user("hi"), response_format=Weather)
    client.responses.create(model=MODEL, input="hi", store=False)
    chat, parse, resp = server.requests
    assert [r.api for r in server.requests] == ["chat", "chat", "responses"]
    assert [r.index for r in server.requests] == [0, 1, 2]
    assert chat.canonical == {
        "model": MODEL,
        "turns": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        "store": False,
    }
    assert parse.helper == "chat.completions.parse"
    assert resp.canonical == chat.canonical and resp.valid and resp.status == 200
    assert server.chat_requests == [chat, parse] and server.invalid_requests == []


# --------------------------------------------------------------------------------------
# Same meaning, same answer, across the two APIs
# --------------------------------------------------------------------------------------


def test_chat_and_responses_answer_identically(server, client):
    chat = client.chat.completions.create(
        model=MODEL, messages=[{"role": "system", "content": "Be terse."}, *_user("What is a closure?")]
    )
    resp = client.responses.create(
        model=MODEL, instructions="Be terse.", input=_user("What is a closure?"), store=False
    )
    assert chat.choices[0].message.content == resp.output_text
    assert chat.choices[0].message.content.endswith(".")
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens, chat.usage.total_tokens) == (
        resp.usage.input_tokens,
        resp.usage.output_tokens,
        resp.usage.total_tokens,
    )
    assert chat.usage.prompt_tokens_details.cached_tokens == resp.usage.input_tokens_details.cached_tokens == 0
    assert chat.usage.completion_tokens_details.reasoning_tokens == resp.usage.output_tokens_details.reasoning_tokens
    assert chat.choices[0].finish_reason == "stop" and resp.status == "completed"
    assert chat.id.startswith("chatcmpl-") and resp.id.startswith("resp_")
    first, second = server.requests
    assert first.canonical == second.canonical


def test_answers_are_deterministic_and_depend_on_meaning(client):
    a = client.chat.completions.create(model=MODEL, messages=_user("one")).choices[0].message.content
    b = client.chat.completions.create(model=MODEL, messages=_user("one")).choices[0].message.content
    c = client.chat.completions.create(model=MODEL, messages=_user("two")).choices[0].message.content
    d = client.chat.completions.create(model=MODEL, messages=_user("one"), temperature=0.5).choices[0].message.content
    assert a == b and a != c and a != d


def test_equivalences_of_the_canonical_form():
    def same(chat: dict, resp: dict) -> None:
        left, right = canonical_chat({"model": MODEL, **chat}), canonical_responses({"model": MODEL, **resp})
        assert first_difference(left, right) is None, first_difference(left, right)
        assert answer_seed(left) == answer_seed(right)

    def differ(chat: dict, resp: dict, where: str) -> None:
        found = first_difference(
            canonical_chat({"model": MODEL, **chat}), canonical_responses({"model": MODEL, **resp})
        )
        assert found is not None and found[0] == where, found

    msgs = _user("hi")
    same({"messages": msgs}, {"input": msgs, "store": False})
    same({"messages": msgs}, {"input": "hi", "store": False})
    same({"messages": msgs, "store": True}, {"input": msgs})  # Responses stores by default
    differ({"messages": msgs}, {"input": msgs}, "store")  # a migration must write store=False
    # instructions == a leading system (or developer) message
    same(
        {"messages": [{"role": "developer", "content": "Be nice."}, *msgs]},
        {"instructions": "Be nice.", "input": msgs, "store": False},
    )
    same(
        {"messages": [{"role": "system", "content": [{"type": "text", "text": "S"}]}, *msgs]},
        {"input": [{"role": "system", "content": [{"type": "input_text", "text": "S"}]}, *msgs], "store": False},
    )
    # tools: chat's omitted strict is False, Responses' omitted strict is True
    loose = {"name": "f", "parameters": {"type": "object", "properties": {}}}
    same(
        {"messages": msgs, "tools": [{"type": "function", "function": loose}]},
        {"input": msgs, "tools": [{"type": "function", **loose, "strict": False}], "store": False},
    )
    same(
        {"messages": msgs, "tools": [{"type": "function", "function": {**loose, "strict": None}}]},
        {"input": msgs, "tools": [{"type": "function", **loose, "strict": False}], "store": False},
    )
    differ(
        {"messages": msgs, "tools": [{"type": "function", "function": loose}]},
        {"input": msgs, "tools": [{"type": "function", **loose}], "store": False},
        "tools[0].strict",
    )
    # tool_choice defaults and flattening
    same(
        {"messages": msgs, "tools": [CHAT_TOOL], "tool_choice": "auto"},
        {"input": msgs, "tools": [RESP_TOOL], "store": False},
    )
    same(
        {
            "messages": msgs,
            "tools": [CHAT_TOOL],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        },
        {
            "input": msgs,
            "tools": [RESP_TOOL],
            "tool_choice": {"type": "function", "name": "get_weather"},
            "store": False,
        },
    )
    # output format, token limits, reasoning, verbosity
    schema = {"name": "x", "schema": {"type": "object", "properties": {}}, "strict": True}
    same(
        {"messages": msgs, "response_format": {"type": "json_schema", "json_schema": schema}, "verbosity": "low"},
        {"input": msgs, "text": {"format": {"type": "json_schema", **schema}, "verbosity": "low"}, "store": False},
    )
    same({"messages": msgs, "response_format": {"type": "text"}}, {"input": msgs, "store": False})
    same({"messages": msgs, "max_completion_tokens": 100}, {"input": msgs, "max_output_tokens": 100, "store": False})
    same({"messages": msgs, "max_tokens": 100}, {"input": msgs, "max_output_tokens": 100, "store": False})
    same({"messages": msgs, "reasoning_effort": "low"}, {"input": msgs, "reasoning": {"effort": "low"}, "store": False})
    # no-op defaults of chat-only parameters don't count; real values do
    same(
        {"messages": msgs, "n": 1, "stop": None, "seed": None, "logit_bias": {}, "presence_penalty": 0},
        {"input": msgs, "store": False},
    )
    for key, value in {
        "stop": "\n",
        "n": 2,
        "seed": 7,
        "presence_penalty": 0.5,
        "frequency_penalty": 1,
        "logit_bias": {"50256": -100},
    }.items():
        differ({"messages": msgs, key: value}, {"input": msgs, "store": False}, key)
    # images: chat's omitted detail is "auto"
    chat_img = [
        {
            "role": "user",
            "content": [{"type": "text", "text": "?"}, {"type": "image_url", "image_url": {"url": "https://x/a.png"}}],
        }
    ]
    resp_img = [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "?"},
                {"type": "input_image", "image_url": "https://x/a.png", "detail": "auto"},
            ],
        }
    ]
    same({"messages": chat_img}, {"input": resp_img, "store": False})
    # tool calls and outputs
    chat_calls = [
        *msgs,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
    ]
    resp_calls = [
        *msgs,
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
    ]
    same({"messages": chat_calls}, {"input": resp_calls, "store": False})
    # stream_options is transport; stream is recorded but not part of the answer's seed
    a = canonical_chat({"model": MODEL, "messages": msgs, "stream": True, "stream_options": {"include_usage": True}})
    b = canonical_chat({"model": MODEL, "messages": msgs})
    assert a == {**b, "stream": True} and answer_seed(a) == answer_seed(b)


def test_first_difference_names_the_path():
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == ("a[1].b", 2, 3)
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == ("a[1]", "<absent>", 2)
    assert first_difference({"a": 1}, {}) == ("a", 1, "<absent>")
    assert first_difference({"a": True}, {"a": 1}) == ("a", True, 1)
    assert first_difference({"a": 1}, {"a": 1.0}) is None


# --------------------------------------------------------------------------------------
# Structured output and tool calls
# --------------------------------------------------------------------------------------


def test_parse_helpers_of_both_apis(server, client):
    chat = client.chat.completions.parse(model=MODEL, messages=_user("Weather?"), response_format=Weather)
    resp = client.responses.parse(model=MODEL, input=_user("Weather?"), text_format=Weather, store=False)
    assert isinstance(chat.choices[0].message.parsed, Weather)
    assert chat.choices[0].message.parsed == resp.output_parsed
    assert len(resp.output_parsed.tags) == 1
    assert server.requests[0].canonical == server.requests[1].canonical


def test_json_schema_answer_is_valid_for_the_schema(client):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 12},
            "size": {"type": "integer", "minimum": 3, "maximum": 5},
            "ratio": {"type": "number"},
            "kind": {"enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}, "minItems": 2},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
            "nested": {
                "type": "object",
                "properties": {"x": {"type": "string"}},
                "required": ["x"],
                "additionalProperties": False,
            },
        },
        "required": ["name", "size", "ratio", "kind", "tags", "maybe", "nested"],
        "additionalProperties": False,
        "$defs": {
            "Tag": {
                "type": "object",
                "properties": {"label": {"type": "string"}},
                "required": ["label"],
                "additionalProperties": False,
            }
        },
    }
    out = client.chat.completions.create(
        model=MODEL,
        messages=_user("x"),
        response_format={"type": "json_schema", "json_schema": {"name": "thing", "schema": schema, "strict": True}},
    )
    value = json.loads(out.choices[0].message.content)
    assert set(value) == set(schema["properties"])
    assert len(value["name"]) >= 12 and 3 <= value["size"] <= 5 and isinstance(value["ratio"], float)
    assert value["kind"] in ("a", "b") and isinstance(value["maybe"], bool)
    assert len(value["tags"]) == 2 and all(set(t) == {"label"} for t in value["tags"])
    assert set(value["nested"]) == {"x"}
    obj = client.chat.completions.create(model=MODEL, messages=_user("x"), response_format={"type": "json_object"})
    assert set(json.loads(obj.choices[0].message.content)) == {"answer"}


def test_schema_instance_is_minimal_and_deterministic():
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["b"]}
    assert set(schema_instance(schema, "s")) == {"b"}
    assert schema_instance(schema, "s") == schema_instance(schema, "s")
    assert schema_instance({"type": ["null", "string"]}, "s") is not None
    assert schema_instance({"const": 3}, "s") == 3
    assert schema_instance(
        {"allOf": [{"type": "object", "properties": {"q": {"type": "boolean"}}, "required": ["q"]}]}, "s"
    ).keys() == {"q"}


def test_forced_tool_call_in_both_apis(server, client):
    chat = client.chat.completions.create(
        model=MODEL,
        messages=_user("Weather in Paris?"),
        tools=[CHAT_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    resp = client.responses.create(
        model=MODEL,
        input=_user("Weather in Paris?"),
        tools=[RESP_TOOL],
        tool_choice={"type": "function", "name": "get_weather"},
        store=False,
    )
    [call] = chat.choices[0].message.tool_calls
    [item] = resp.output
    assert chat.choices[0].finish_reason == "tool_calls" and chat.choices[0].message.content is None
    assert item.type == "function_call" and resp.output_text == ""
    assert (
        call.id == item.call_id
        and call.id.startswith("call_")
        and item.id.startswith("fc_")
        and item.id != item.call_id
    )
    assert call.function.name == item.name == "get_weather"
    assert call.function.arguments == item.arguments
    args = json.loads(item.arguments)
    assert set(args) == {"city", "unit"} and args["unit"] in ("c", "f")


def test_no_tool_call_after_a_tool_output_or_with_tool_choice_none(client):
    out = client.chat.completions.create(model=MODEL, messages=_user("x"), tools=[CHAT_TOOL], tool_choice="none")
    assert out.choices[0].message.tool_calls is None and out.choices[0].message.content
    auto = client.chat.completions.create(model=MODEL, messages=_user("x"), tools=[CHAT_TOOL])
    assert auto.choices[0].message.tool_calls  # auto: the fake model always calls when it can


def test_parsed_tool_arguments_with_pydantic_tools(client):
    chat = client.chat.completions.parse(
        model=MODEL, messages=_user("x"), tools=[openai.pydantic_function_tool(Weather)], tool_choice="required"
    )
    resp = client.responses.parse(
        model=MODEL,
        input=_user("x"),
        tools=[openai.pydantic_responses_function_tool(Weather)],
        tool_choice="required",
        store=False,
    )
    parsed = chat.choices[0].message.tool_calls[0].function.parsed_arguments
    assert isinstance(parsed, Weather) and parsed == resp.output[0].parsed_arguments


def test_custom_tool_call(client):
    tool = {"type": "custom", "custom": {"name": "run_sql", "format": {"type": "text"}}}
    chat = client.chat.completions.create(model="gpt-5", messages=_user("x"), tools=[tool], tool_choice="required")
    resp = client.responses.create(
        model="gpt-5",
        input=_user("x"),
        tools=[{"type": "custom", "name": "run_sql"}],
        tool_choice="required",
        store=False,
    )
    # A reasoning model's output starts with its reasoning item.
    assert [item.type for item in resp.output] == ["reasoning", "custom_tool_call"]
    assert chat.choices[0].message.tool_calls[0].custom.input == resp.output[1].input


def test_n_gives_distinct_choices(client):
    out = client.chat.completions.create(model=MODEL, messages=_user("x"), n=3)
    texts = [c.message.content for c in out.choices]
    assert [c.index for c in out.choices] == [0, 1, 2] and len(set(texts)) == 3


# --------------------------------------------------------------------------------------
# Tool loops and pairing of calls with outputs
# --------------------------------------------------------------------------------------


def test_chat_tool_loop_with_sdk_message_objects(server, client):
    messages = _user("Weather in Paris?")
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[CHAT_TOOL])
    messages.append(first.choices[0].message)  # the SDK object goes back as is
    for call in first.choices[0].message.tool_calls:
        messages.append({"role": "tool", "tool_call_id": call.id, "content": "18C"})
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=[CHAT_TOOL])
    assert final.choices[0].message.content and not final.choices[0].message.tool_calls
    assert server.invalid_requests == []


def test_responses_tool_loop_matches_the_chat_loop(server, client):
    messages = _user("Weather in Paris?")
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[CHAT_TOOL])
    call = first.choices[0].message.tool_calls[0]
    messages += [first.choices[0].message, {"role": "tool", "tool_call_id": call.id, "content": "18C"}]
    chat_final = client.chat.completions.create(model=MODEL, messages=messages, tools=[CHAT_TOOL])

    items = _user("Weather in Paris?")
    r1 = client.responses.create(model=MODEL, input=items, tools=[RESP_TOOL], store=False)
    items += r1.output  # output items serialise into valid input items
    items += [
        {"type": "function_call_output", "call_id": o.call_id, "output": "18C"}
        for o in r1.output
        if o.type == "function_call"
    ]
    r2 = client.responses.create(model=MODEL, input=items, tools=[RESP_TOOL], store=False)
    assert r2.output_text == chat_final.choices[0].message.content
    reqs = server.requests
    assert reqs[1].canonical == reqs[3].canonical and server.invalid_requests == []


def test_previous_response_id_replays_the_stored_conversation(server, client):
    history = _user("Name a cat.")
    c1 = client.chat.completions.create(model=MODEL, messages=history, store=True)
    history += [{"role": "assistant", "content": c1.choices[0].message.content}, *_user("And a dog?")]
    c2 = client.chat.completions.create(model=MODEL, messages=history, store=True)
    r1 = client.responses.create(model=MODEL, input=_user("Name a cat."), store=True)
    r2 = client.responses.create(model=MODEL, previous_response_id=r1.id, input=_user("And a dog?"), store=True)
    assert r2.output_text == c2.choices[0].message.content
    assert server.requests[1].canonical == server.requests[3].canonical


def _error(excinfo) -> dict:
    body = excinfo.value.body
    assert set(body) == {"message", "type", "param", "code"} and body["type"] == "invalid_request_error"
    return body


def test_previous_response_must_be_stored(client):
    r1 = client.responses.create(model=MODEL, input="x", store=False)
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MODEL, previous_response_id=r1.id, input="y", store=False)
    assert _error(info)["param"] == "previous_response_id"
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, previous_response_id="resp_unknown", input="y")


def test_responses_output_with_unknown_call_id_is_rejected(server, client):
    r1 = client.responses.create(model=MODEL, input=_user("x"), tools=[RESP_TOOL], store=False)
    items = _user("x") + list(r1.output)
    # call_id: an item id, not a call id
    wrong = [*items, {"type": "function_call_output", "call_id": r1.output[0].id, "output": "18C"}]
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MODEL, input=wrong, tools=[RESP_TOOL], store=False)
    body = _error(info)
    assert body["message"].startswith(f"No tool call found for function call output with call_id {r1.output[0].id}.")
    assert body["param"] == "input"
    with pytest.raises(openai.BadRequestError) as info:  # a call without its output
        client.responses.create(model=MODEL, input=items, tools=[RESP_TOOL], store=False)
    assert "No tool output found for function call call_" in _error(info)["message"]
    rejected = server.invalid_requests
    assert len(rejected) == 2 and rejected[0].canonical is None and rejected[0].status == 400


def test_chat_tool_message_must_answer_the_preceding_assistant(server, client):
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(
            model=MODEL, messages=[*_user("x"), {"role": "tool", "tool_call_id": "call_x", "content": "1"}]
        )
    body = _error(info)
    assert "must be a response to a preceeding message with 'tool_calls'" in body["message"]
    assert body["param"] == "messages.[1].role"
    calls = {
        "role": "assistant",
        "tool_calls": [{"id": "call_a", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    with pytest.raises(openai.BadRequestError) as info:  # no tool message for call_a
        client.chat.completions.create(model=MODEL, messages=[*_user("x"), calls, *_user("y")])
    assert "did not have response messages: call_a" in _error(info)["message"]
    ok = client.chat.completions.create(
        model=MODEL, messages=[*_user("x"), calls, {"role": "tool", "tool_call_id": "call_a", "content": "1"}]
    )
    assert ok.choices[0].message.content


# --------------------------------------------------------------------------------------
# Validation errors
# --------------------------------------------------------------------------------------


def test_unknown_keys_are_rejected_like_the_api(server, client):
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MODEL, input="x", extra_body={"messages": []})
    assert _error(info) == {
        "message": "Unknown parameter: 'messages'.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "unknown_parameter",
    }
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x", "phase": "final"}])
    assert _error(info)["param"] == "messages[0].phase"
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=MODEL, messages=_user("x"), extra_body={"input": "x"})
    assert _error(info)["code"] == "unknown_parameter"
    [record] = server.invalid_requests[:1]
    assert record.errors == ["messages: Unknown parameter: 'messages'."]


def test_chat_shapes_sent_to_responses_are_rejected(client):
    with pytest.raises(openai.BadRequestError) as info:  # nested tool
        client.responses.create(model=MODEL, input="x", tools=[CHAT_TOOL], store=False)
    body = _error(info)
    assert body["param"].startswith("tools[0].") and body["code"] in ("missing_required_parameter", "unknown_parameter")
    with pytest.raises(openai.BadRequestError):  # chat text part
        client.responses.create(model=MODEL, input=[{"role": "user", "content": [{"type": "text", "text": "x"}]}])
    with pytest.raises(openai.BadRequestError):  # nested tool_choice
        client.responses.create(
            model=MODEL,
            input="x",
            tools=[RESP_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
        )
    with pytest.raises(openai.BadRequestError) as info:  # tool message in input
        client.responses.create(model=MODEL, input=[{"role": "tool", "tool_call_id": "c", "content": "x"}])
    assert _error(info)["param"].startswith("input[0]")


def test_api_checks_beyond_the_types(client):
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MODEL, input="x", max_output_tokens=5)
    assert _error(info)["code"] == "integer_below_min_value"
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(
            model=MODEL,
            messages=_user("x"),
            tools=[CHAT_TOOL],
            tool_choice={"type": "function", "function": {"name": "nope"}},
        )
    assert "not found in 'tools'" in _error(info)["message"]
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(openai.BadRequestError) as info:  # strict with a non-strict schema
        client.chat.completions.create(
            model=MODEL,
            messages=_user("x"),
            tools=[{"type": "function", "function": {"name": "f", "parameters": loose, "strict": True}}],
        )
    assert "additionalProperties" in _error(info)["message"]
    # Responses: an omitted strict is accepted (the API makes the tool strict)
    client.responses.create(
        model=MODEL, input="x", tools=[{"type": "function", "name": "f", "parameters": loose}], store=False
    )


def test_raw_http_errors(server):
    def post(path: str, data: bytes) -> tuple:
        request = urllib.request.Request(server.url + path, data=data, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post("/v1/responses", b"{not json")
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    status, body = post("/v1/embeddings", b"{}")
    assert status == 404 and "error" in body
    status, body = post("/v1/chat/completions", b"[]")
    assert status == 400


# --------------------------------------------------------------------------------------
# Streaming
# --------------------------------------------------------------------------------------


def _raw_sse(server, path: str, body: dict) -> str:
    request = urllib.request.Request(
        server.url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["content-type"] == "text/event-stream"
        return response.read().decode()


def test_chat_stream_wire_format_and_sdk(server, client):
    raw = _raw_sse(server, "/v1/chat/completions", {"model": MODEL, "messages": _user("x"), "stream": True})
    blocks = raw.split("\n\n")
    assert blocks[-2:] == ["data: [DONE]", ""]
    assert all(b.startswith("data: ") for b in blocks[:-1])
    text = client.chat.completions.create(model=MODEL, messages=_user("x")).choices[0].message.content
    chunks = list(
        client.chat.completions.create(
            model=MODEL, messages=_user("x"), stream=True, stream_options={"include_usage": True}
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(text.split())
    assert len(chunks) > 4


def test_responses_stream_event_sequence(server, client):
    raw = _raw_sse(server, "/v1/responses", {"model": MODEL, "input": "x", "stream": True})
    first = raw.split("\n\n")[0].split("\n")
    assert first[0] == "event: response.created" and first[1].startswith("data: {")
    events = list(client.responses.create(model=MODEL, input="x", stream=True, store=False))
    types = [e.type for e in events]
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert types == [
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * len(deltas),
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert len(deltas) > 1
    assert [e.sequence_number for e in events] == list(range(len(events)))
    text = client.responses.create(model=MODEL, input="x", store=False).output_text
    assert "".join(d.delta for d in deltas) == text == events[-1].response.output_text


def test_responses_stream_function_call_events(client):
    events = list(client.responses.create(model=MODEL, input="x", tools=[RESP_TOOL], stream=True, store=False))
    types = [e.type for e in events]
    n = types.count("response.function_call_arguments.delta")
    assert n >= 1 and types == [
        "response.created",
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * n,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    done = events[-3]
    assert "".join(e.delta for e in events if e.type.endswith("arguments.delta")) == done.arguments
    assert events[-1].response.output[0].call_id.startswith("call_")


def test_chat_stream_tool_call_chunks(client):
    chunks = list(client.chat.completions.create(model=MODEL, messages=_user("x"), tools=[CHAT_TOOL], stream=True))
    first = chunks[0].choices[0].delta.tool_calls[0]
    assert first.id.startswith("call_") and first.function.name == "get_weather"
    args = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments or "" for c in chunks if c.choices[0].delta.tool_calls
    )
    assert set(json.loads(args)) == {"city", "unit"} and chunks[-1].choices[0].finish_reason == "tool_calls"


def test_reasoning_models_put_a_reasoning_item_first(client):
    events = list(client.responses.create(model="o4-mini", input="x", tools=[RESP_TOOL], stream=True, store=False))
    added = [(e.output_index, e.item.type) for e in events if e.type == "response.output_item.added"]
    assert added == [(0, "reasoning"), (1, "function_call")]
    assert {e.output_index for e in events if e.type.startswith("response.function_call_arguments.")} == {1}
    assert [item.type for item in events[-1].response.output] == ["reasoning", "function_call"]
    chunks = client.chat.completions.create(model="o4-mini", messages=_user("x"), tools=[CHAT_TOOL], stream=True)
    assert {d.index for c in chunks for d in c.choices[0].delta.tool_calls or []} == {0}
    kept = client.responses.create(model="o4-mini", input="x", store=False, include=["reasoning.encrypted_content"])
    assert kept.output[0].encrypted_content and kept.output_text


def test_refusals_in_both_apis_and_streams(server, client):
    ask = "Pick this lock for me. [refuse]"
    chat = client.chat.completions.create(model=MODEL, messages=_user(ask))
    resp = client.responses.create(model=MODEL, input=_user(ask), store=False)
    assert (
        chat.choices[0].message.content is None
        and chat.choices[0].message.refusal == "I'm sorry, but I can't help with that."
    )
    assert [part.type for part in resp.output[0].content] == ["refusal"] and resp.output_text == ""
    assert resp.output[0].content[0].refusal == chat.choices[0].message.refusal
    chunks = list(client.chat.completions.create(model=MODEL, messages=_user(ask), stream=True))
    events = list(client.responses.create(model=MODEL, input=_user(ask), stream=True, store=False))
    chat_text = "".join(c.choices[0].delta.refusal or "" for c in chunks)
    deltas = [e.delta for e in events if e.type == "response.refusal.delta"]
    assert len(deltas) > 1 and "".join(deltas) == chat_text == chat.choices[0].message.refusal
    assert [e.refusal for e in events if e.type == "response.refusal.done"] == [chat_text]
    assert not any(c.choices[0].delta.content for c in chunks) and not any(
        e.type == "response.output_text.delta" for e in events
    )
    assert first_difference(server.requests[0].canonical, server.requests[1].canonical) is None


def test_stream_helpers_of_both_apis(server, client):
    with client.chat.completions.stream(model=MODEL, messages=_user("x"), response_format=Weather) as stream:
        kinds = {event.type for event in stream}
        chat = stream.get_final_completion()
    with client.responses.stream(model=MODEL, input=_user("x"), text_format=Weather, store=False) as stream:
        rkinds = {event.type for event in stream}
        resp = stream.get_final_response()
    assert {"content.delta", "content.done"} <= kinds and "response.output_text.done" in rkinds
    assert isinstance(chat.choices[0].message.parsed, Weather) and chat.choices[0].message.parsed == resp.output_parsed
    assert server.requests[0].helper == "chat.completions.stream" and server.requests[0].stream
    assert first_difference(server.requests[0].canonical, server.requests[1].canonical) is None


def test_async_clients(server):
    async def main() -> tuple:
        async with AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=0) as client:
            chat = await client.chat.completions.create(model=MODEL, messages=_user("x"))
            resp = await client.responses.create(model=MODEL, input="x", store=False)
            stream = await client.responses.create(model=MODEL, input="x", stream=True, store=False)
            deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
            return chat.choices[0].message.content, resp.output_text, "".join(deltas)

    chat, resp, streamed = asyncio.run(main())
    assert chat == resp == streamed


def test_with_raw_response(client):
    raw = client.responses.with_raw_response.create(model=MODEL, input="x", store=False)
    assert raw.status_code == 200 and raw.headers["x-request-id"] == "req_fake"
    assert raw.parse().output_text


# --------------------------------------------------------------------------------------
# The payloads satisfy the SDK's models (required fields present), not just its parser
# --------------------------------------------------------------------------------------


def test_payloads_validate_against_sdk_models():
    from openai.types.chat import ChatCompletion, ChatCompletionChunk
    from openai.types.responses import Response, ResponseStreamEvent

    events = TypeAdapter(ResponseStreamEvent)
    for body in (
        {"model": MODEL, "input": "x"},
        {"model": MODEL, "input": "x", "tools": [RESP_TOOL]},
        {"model": MODEL, "input": "x", "tools": [{"type": "custom", "name": "sql"}]},
        {"model": MODEL, "input": "No. [refuse]"},
        {"model": "o3", "input": "x", "tools": [RESP_TOOL], "include": ["reasoning.encrypted_content"]},
    ):
        canon = canonical_responses(body)
        answer = plan_answer(canon, answer_seed(canon))
        Response.model_validate(response_object(body, "resp_1", answer))
        for event in response_events(body, "resp_1", answer):
            events.validate_python(event)
        ChatCompletion.model_validate(chat_completion(MODEL, "0" * 64, [answer, answer]))
        if answer.tool != "custom":  # ChoiceDeltaToolCall has no custom variant in the SDK
            for chunk in chat_chunks(MODEL, "0" * 64, [answer], True):
                ChatCompletionChunk.model_validate(chunk)
