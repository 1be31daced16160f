"""A local fake of the OpenAI API: ``POST /v1/chat/completions`` and ``POST /v1/responses``.

::

    with FakeOpenAI() as server:
        client = OpenAI(base_url=server.base_url, api_key="x")
        ...
        server.requests        # every request: api, body, canonical form, errors

* stdlib only (``http.server.ThreadingHTTPServer`` on 127.0.0.1, an ephemeral port);
  ``openai`` / ``pydantic`` are imported for validation on first use.
* Every body is validated strictly against the SDK's TypedDicts
  (:mod:`migrate.verify.validation`; unknown keys are rejected), then checked the way
  the API checks it: tool calls and tool outputs pair up by call id, a named
  ``tool_choice`` exists in ``tools``, strict schemas are strict, Responses'
  ``max_output_tokens >= 16``, ``previous_response_id`` names a stored response.
  A bad request gets a 400 with an OpenAI-style body
  ``{"error": {"message", "type": "invalid_request_error", "param", "code"}}``.
* The answer is a pure function of the request's meaning
  (:mod:`migrate.verify.canonical`, :mod:`migrate.verify.answers`), the same for
  both APIs; it is served in each API's own wire format, non-streaming or as SSE.
* As the API does, reasoning models (``o1``, ``o3``, ``o4-mini``, ``gpt-5``...) put a
  ``reasoning`` item before the answer in Responses output (so the answer's
  ``output_index`` is 1); chat shows no reasoning.
* It also answers as an Azure OpenAI resource at its root (``azure_endpoint=server.url``), on
  the routes ``AzureOpenAI`` sends to (``openai/lib/azure.py``): chat at
  ``/openai/deployments/{deployment}/chat/completions``, Responses at ``/openai/responses``,
  which, as Azure does, refuses an ``api-version`` older than the first that serves it
  (``[azure_responses]`` in rules/clients.toml), and both on the v1 API (``/openai/v1/...``).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from migrate.verify.answers import Answer, plan_answer
from migrate.verify.canonical import (
    answer_seed,
    canonical_chat,
    canonical_responses,
    responses_turns,
)

__all__ = ["CREATED", "FakeOpenAI", "RecordedRequest"]

CREATED = 1_700_000_000  # a fixed timestamp: answers must not depend on the clock
LOGPROBS_INCLUDE = "message.output_text.logprobs"
_OMITTED_STRICT = re.compile(r"^tools\.\d+\.strict: Field required$")
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")
ENCRYPTED_REASONING = "reasoning.encrypted_content"


@dataclass
class RecordedRequest:
    """One request the server received."""

    index: int
    api: str  # "chat" | "responses" | "other"
    method: str
    path: str
    body: Any
    canonical: dict | None = None  # None when the request was rejected
    errors: list = field(default_factory=list)  # "param: message" lines; [] when valid
    status: int = 200
    stream: bool = False
    helper: str | None = None  # the SDK helper (X-Stainless-Helper-Method), e.g. "chat.completions.parse"
    answer: Answer | None = None
    response_id: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class _Problem:
    param: str | None
    message: str
    code: str | None

    def line(self) -> str:
        return f"{self.param or 'body'}: {self.message}"


class _BadRequest(Exception):
    def __init__(self, problems: list) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _param(dotted: str) -> str:
    """``input.2.call_id`` -> ``input[2].call_id`` (the API's spelling)."""
    out = ""
    for part in dotted.split("."):
        if part.isdigit():
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _type_problem(line: str) -> _Problem:
    path, _, message = line.partition(": ")
    param = _param(path) if path != "body" else None
    if message.startswith("Extra inputs are not permitted"):
        return _Problem(param, f"Unknown parameter: '{param}'.", "unknown_parameter")
    if message.startswith("Field required"):
        return _Problem(param, f"Missing required parameter: '{param}'.", "missing_required_parameter")
    return _Problem(param, f"Invalid value for '{param}': {message}", "invalid_value")


# --------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------

_ROUTES = {
    "/v1/chat/completions": "chat",
    "/v1/responses": "responses",
    # Azure OpenAI's v1 API.
    "/openai/v1/chat/completions": "chat",
    "/openai/v1/responses": "responses",
}
_AZURE_DEPLOYMENT_CHAT = re.compile(r"^/openai/deployments/[^/]+/chat/completions$")
_AZURE_RESPONSES = "/openai/responses"


def _route(route: str, query: str) -> tuple:
    """-> (the API a path calls: "chat", "responses" or "other"; why Azure would refuse it, or None)."""
    if route in _ROUTES:
        return _ROUTES[route], None
    if _AZURE_DEPLOYMENT_CHAT.match(route):
        return "chat", None
    if route == _AZURE_RESPONSES:
        return "responses", _azure_responses_refusal(query)
    return "other", None


def _azure_responses_refusal(query: str) -> _Problem | None:
    """Azure serves `/openai/responses` only from a minimum api-version on (dated versions compare
    by date); the message is Azure's own."""
    from urllib.parse import parse_qs

    from migrate.catalog.loader import load

    clients = load().clients
    minimum = clients.azure_min_api_version
    versions = parse_qs(query).get("api-version", [])
    date = clients.azure_api_version_date(versions[-1]) if versions else None
    if date is not None and date >= (clients.azure_api_version_date(minimum) or ""):
        return None
    return _Problem(
        None, f"Azure OpenAI Responses API is enabled only for api-version {minimum} and later", "BadRequest"
    )


# --------------------------------------------------------------------------------------
# Checks beyond the types
# --------------------------------------------------------------------------------------


def _strict_schema_problems(schema: Any, what: str, param: str, code: str) -> list:
    problems: list = []

    def walk(node: Any, context: tuple) -> None:
        if problems or not isinstance(node, dict):
            return
        if node.get("type") == "object" or "properties" in node:
            props = node.get("properties") or {}
            if node.get("additionalProperties") is not False:
                problems.append(
                    _Problem(
                        param,
                        f"Invalid schema for {what}: In context={context}, "
                        "'additionalProperties' is required to be supplied and to be false.",
                        code,
                    )
                )
                return
            missing = [k for k in props if k not in (node.get("required") or [])]
            if missing:
                problems.append(
                    _Problem(
                        param,
                        f"Invalid schema for {what}: In context={context}, "
                        "'required' is required to be supplied and to be an array "
                        f"including every key in properties. Missing '{missing[0]}'.",
                        code,
                    )
                )
                return
            for name, sub in props.items():
                walk(sub, (*context, "properties", name))
        for key in ("items",):
            walk(node.get(key), (*context, key))
        for key in ("anyOf", "allOf", "prefixItems"):
            for i, sub in enumerate(node.get(key) or []):
                walk(sub, (*context, key, str(i)))
        for key in ("$defs", "definitions"):
            for name, sub in (node.get(key) or {}).items():
                walk(sub, (*context, key, name))

    walk(schema, ())
    return problems


def _tool_choice_problems(choice: Any, tools: list, *, needs_tools: bool, param: str = "tool_choice") -> list:
    names = {(t.get("type"), t.get("name")) for t in tools if isinstance(t, dict)}
    if choice is None:
        return []
    if needs_tools and not tools and choice != "none":
        return [
            _Problem(
                param,
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                "invalid_value",
            )
        ]
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind in ("function", "custom") and (kind, choice.get("name")) not in names:
            return [
                _Problem(
                    param,
                    f"Tool choice '{kind}' with name '{choice.get('name')}' not found in 'tools' parameter.",
                    "invalid_value",
                )
            ]
        if kind == "allowed_tools":
            for entry in choice.get("tools") or []:
                if (
                    isinstance(entry, dict)
                    and entry.get("type") in ("function", "custom")
                    and (entry.get("type"), entry.get("name")) not in names
                ):
                    return [
                        _Problem(
                            param,
                            f"Allowed tool '{entry.get('name')}' not found in 'tools' parameter.",
                            "invalid_value",
                        )
                    ]
    return []


def _chat_problems(body: dict) -> list:
    problems: list = []
    messages = list(body.get("messages") or [])
    pending: dict = {}  # call id -> index of the assistant message awaiting its output
    expected: set = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in expected:
                problems.append(
                    _Problem(
                        f"messages.[{index}].role",
                        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                        "with 'tool_calls'. "
                        f"(tool_call_id {call_id!r} was not issued by the preceding assistant message)",
                        None,
                    )
                )
            pending.pop(call_id, None)
            continue
        if pending:
            break
        expected = set()
        if role == "assistant":
            for call in message.get("tool_calls") or []:
                pending[call.get("id")] = index
                expected.add(call.get("id"))
    if pending:
        index = min(pending.values())
        problems.append(
            _Problem(
                f"messages.[{index}].role",
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                "'tool_call_id'. "
                f"The following tool_call_ids did not have response messages: {', '.join(sorted(map(str, pending)))}",
                None,
            )
        )
    # Tools.
    tools = []
    for i, tool in enumerate(body.get("tools") or []):
        if tool.get("type") == "function":
            f = tool.get("function") or {}
            tools.append({"type": "function", "name": f.get("name")})
            if f.get("strict") and f.get("parameters") is not None:
                problems += _strict_schema_problems(
                    f["parameters"],
                    f"function '{f.get('name')}'",
                    f"tools[{i}].function.parameters",
                    "invalid_function_parameters",
                )
        elif tool.get("type") == "custom":
            tools.append({"type": "custom", "name": (tool.get("custom") or {}).get("name")})
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("function", "custom"):
        choice = {"type": choice["type"], "name": (choice.get(choice["type"]) or {}).get("name")}
    elif isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = choice.get("allowed_tools") or {}
        choice = {
            "type": "allowed_tools",
            "tools": [
                {"type": e.get("type"), "name": (e.get(e.get("type")) or {}).get("name")}
                for e in allowed.get("tools") or []
            ],
        }
    problems += _tool_choice_problems(choice, tools, needs_tools=True)
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        if spec.get("strict") and spec.get("schema") is not None:
            problems += _strict_schema_problems(
                spec["schema"], f"response_format '{spec.get('name')}'", "response_format", "invalid_json_schema"
            )
    return problems


class _Stored:
    def __init__(self, store: bool, context: list, calls: dict) -> None:
        self.store = store
        self.context = context  # turns this response saw (without instructions) + its output
        self.calls = calls  # call id -> "function" | "custom", for calls it issued


def _responses_problems(body: dict, stored: _Stored | None) -> list:
    problems: list = []
    calls: dict = dict(stored.calls) if stored else {}
    pending: dict = {cid: "previous_response_id" for cid in calls}
    items = body.get("input")
    items = items if isinstance(items, list) else []
    for index, item in enumerate(items):
        kind = item.get("type")
        if kind in ("function_call", "custom_tool_call"):
            calls[item.get("call_id")] = "function" if kind == "function_call" else "custom"
            pending[item.get("call_id")] = f"input[{index}]"
        elif kind in ("function_call_output", "custom_tool_call_output"):
            call_id = item.get("call_id")
            want = "function" if kind == "function_call_output" else "custom"
            if call_id not in calls:
                problems.append(
                    _Problem(
                        "input",
                        f"No tool call found for {want.replace('function', 'function call')} output"
                        f" with call_id {call_id}.",
                        None,
                    )
                )
            elif calls[call_id] != want:
                problems.append(
                    _Problem(
                        f"input[{index}].type",
                        f"Tool output of type '{kind}' does not match the {calls[call_id]} tool call {call_id}.",
                        "invalid_value",
                    )
                )
            pending.pop(call_id, None)
    for call_id in pending:
        problems.append(_Problem("input", f"No tool output found for function call {call_id}.", None))
        break
    tools = []
    for i, tool in enumerate(body.get("tools") or []):
        if tool.get("type") in ("function", "custom"):
            tools.append({"type": tool["type"], "name": tool.get("name")})
        if tool.get("type") == "function" and tool.get("strict") is True and tool.get("parameters") is not None:
            problems += _strict_schema_problems(
                tool["parameters"],
                f"function '{tool.get('name')}'",
                f"tools[{i}].parameters",
                "invalid_function_parameters",
            )
    problems += _tool_choice_problems(body.get("tool_choice"), tools, needs_tools=False)
    fmt = (body.get("text") or {}).get("format")
    if (
        isinstance(fmt, dict)
        and fmt.get("type") == "json_schema"
        and fmt.get("strict")
        and fmt.get("schema") is not None
    ):
        problems += _strict_schema_problems(
            fmt["schema"], f"text.format '{fmt.get('name')}'", "text.format.schema", "invalid_json_schema"
        )
    limit = body.get("max_output_tokens")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit < 16:
        problems.append(
            _Problem(
                "max_output_tokens",
                "Invalid 'max_output_tokens': integer below minimum value. "
                f"Expected a value >= 16, but got {limit} instead.",
                "integer_below_min_value",
            )
        )
    return problems


# --------------------------------------------------------------------------------------
# Wire formats
# --------------------------------------------------------------------------------------


def _split(text: str, pieces: int = 4) -> list:
    """Split text into a few deltas (by words, keeping the spaces)."""
    words = text.split(" ")
    if len(words) > 1:
        out = [words[0]] + [" " + w for w in words[1:]]
    else:
        size = max(1, -(-len(text) // pieces))
        out = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    return out


def _chat_usage(answer: Answer) -> dict:
    return {
        "prompt_tokens": answer.input_tokens,
        "completion_tokens": answer.output_tokens,
        "total_tokens": answer.total_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _chat_tool_call(answer: Answer) -> dict:
    call_id = f"call_{answer.call_suffix}"
    if answer.tool == "custom":
        return {"id": call_id, "type": "custom", "custom": {"name": answer.name, "input": answer.arguments}}
    return {"id": call_id, "type": "function", "function": {"name": answer.name, "arguments": answer.arguments}}


def chat_completion(model: str, seed: str, answers: list) -> dict:
    choices = []
    for index, answer in enumerate(answers):
        message: dict = {"role": "assistant", "content": None, "refusal": None}
        if answer.kind == "tool_call":
            message["tool_calls"] = [_chat_tool_call(answer)]
            finish = "tool_calls"
        elif answer.kind == "refusal":
            message["refusal"] = answer.text
            finish = "stop"
        else:
            message["content"] = answer.text
            finish = "stop"
        choices.append({"index": index, "message": message, "finish_reason": finish, "logprobs": None})
    usage = _chat_usage(answers[0])
    if len(answers) > 1:
        usage["completion_tokens"] = sum(a.output_tokens for a in answers)
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {
        "id": f"chatcmpl-{seed[:24]}",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": choices,
        "usage": usage,
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def chat_chunks(model: str, seed: str, answers: list, include_usage: bool) -> list:
    base = {
        "id": f"chatcmpl-{seed[:24]}",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }
    chunks = []

    def chunk(index: int, delta: dict, finish: str | None = None) -> None:
        body = dict(base, choices=[{"index": index, "delta": delta, "finish_reason": finish, "logprobs": None}])
        if include_usage:
            body["usage"] = None
        chunks.append(body)

    for index, answer in enumerate(answers):
        if answer.kind == "tool_call":
            call = _chat_tool_call(answer)
            kind = call["type"]
            key = "arguments" if kind == "function" else "input"
            first = {"index": 0, "id": call["id"], "type": kind, kind: {"name": answer.name, key: ""}}
            chunk(index, {"role": "assistant", "content": None, "refusal": None, "tool_calls": [first]})
            for piece in _split(answer.arguments):
                chunk(index, {"tool_calls": [{"index": 0, kind: {key: piece}}]})
            chunk(index, {}, "tool_calls")
        elif answer.kind == "refusal":
            chunk(index, {"role": "assistant", "content": None, "refusal": ""})
            for piece in _split(answer.text):
                chunk(index, {"refusal": piece})
            chunk(index, {}, "stop")
        else:
            chunk(index, {"role": "assistant", "content": "", "refusal": None})
            for piece in _split(answer.text):
                chunk(index, {"content": piece})
            chunk(index, {}, "stop")
    if include_usage:
        usage = _chat_usage(answers[0])
        chunks.append(dict(base, choices=[], usage=usage))
    return chunks


def _response_usage(answer: Answer) -> dict:
    return {
        "input_tokens": answer.input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": answer.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": answer.total_tokens,
    }


def _output_item(answer: Answer, *, done: bool = True) -> dict:
    status = "completed" if done else "in_progress"
    if answer.kind == "tool_call":
        if answer.tool == "custom":
            return {
                "id": f"ctc_{answer.call_suffix}",
                "type": "custom_tool_call",
                "status": status,
                "call_id": f"call_{answer.call_suffix}",
                "name": answer.name,
                "input": answer.arguments if done else "",
            }
        return {
            "id": f"fc_{answer.call_suffix}",
            "type": "function_call",
            "status": status,
            "call_id": f"call_{answer.call_suffix}",
            "name": answer.name,
            "arguments": answer.arguments if done else "",
        }
    content = [_content_part(answer, answer.text)] if done else []
    return {
        "id": f"msg_{answer.call_suffix}",
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content,
    }


def _reasoning_items(body: dict, answer: Answer) -> list:
    """The output items before the answer: a reasoning model's (opaque) reasoning."""
    if not _REASONING_MODEL.match(str(body.get("model") or "")):
        return []
    item = {"id": f"rs_{answer.call_suffix}", "type": "reasoning", "summary": []}
    if ENCRYPTED_REASONING in (body.get("include") or []):
        item["encrypted_content"] = f"enc_{answer.call_suffix}"
    return [item]


def _text_part(text: str) -> dict:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _content_part(answer: Answer, text: str) -> dict:
    if answer.kind == "refusal":
        return {"type": "refusal", "refusal": text}
    return _text_part(text)


def _given(body: dict, key: str, default: Any) -> Any:
    value = body.get(key)
    return default if value is None else value


def response_object(body: dict, response_id: str, answer: Answer | None, *, status: str = "completed") -> dict:
    text = dict(body.get("text") or {})
    text.setdefault("format", {"type": "text"})
    return {
        "id": response_id,
        "object": "response",
        "created_at": float(CREATED),
        "status": status,
        "background": _given(body, "background", False),
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "metadata": body.get("metadata") or {},
        "model": body.get("model"),
        "output": [*_reasoning_items(body, answer), _output_item(answer)]
        if answer is not None and status == "completed"
        else [],
        "parallel_tool_calls": _given(body, "parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "service_tier": "default",
        "store": _given(body, "store", True),
        "temperature": _given(body, "temperature", 1.0),
        "text": text,
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": [
            dict(t, strict=True) if t.get("type") == "function" and t.get("strict") is None else t
            for t in body.get("tools") or []
        ],
        "top_p": _given(body, "top_p", 1.0),
        "truncation": body.get("truncation") or "disabled",
        "usage": _response_usage(answer) if answer is not None and status == "completed" else None,
        "user": body.get("user"),
    }


def response_events(body: dict, response_id: str, answer: Answer) -> list:
    events: list = []

    def emit(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    emit("response.created", response=response_object(body, response_id, answer, status="in_progress"))
    before = _reasoning_items(body, answer)
    for index, reasoning in enumerate(before):
        emit("response.output_item.added", output_index=index, item=dict(reasoning, status="in_progress"))
        emit("response.output_item.done", output_index=index, item=dict(reasoning, status="completed"))
    at = {"output_index": len(before)}
    item = _output_item(answer, done=False)
    item_id = item["id"]
    emit("response.output_item.added", item=item, **at)
    if answer.kind == "tool_call" and answer.tool == "function":
        for piece in _split(answer.arguments):
            emit("response.function_call_arguments.delta", item_id=item_id, delta=piece, **at)
        emit("response.function_call_arguments.done", item_id=item_id, arguments=answer.arguments, **at)
    elif answer.kind == "tool_call":
        for piece in _split(answer.arguments):
            emit("response.custom_tool_call_input.delta", item_id=item_id, delta=piece, **at)
        emit("response.custom_tool_call_input.done", item_id=item_id, input=answer.arguments, **at)
    elif answer.kind == "refusal":
        part = {"item_id": item_id, "content_index": 0, **at}
        emit("response.content_part.added", part=_content_part(answer, ""), **part)
        for piece in _split(answer.text):
            emit("response.refusal.delta", delta=piece, **part)
        emit("response.refusal.done", refusal=answer.text, **part)
        emit("response.content_part.done", part=_content_part(answer, answer.text), **part)
    else:
        part = {"item_id": item_id, "content_index": 0, **at}
        emit("response.content_part.added", part=_text_part(""), **part)
        for piece in _split(answer.text):
            emit("response.output_text.delta", delta=piece, logprobs=[], **part)
        emit("response.output_text.done", text=answer.text, logprobs=[], **part)
        emit("response.content_part.done", part=_text_part(answer.text), **part)
    emit("response.output_item.done", item=_output_item(answer), **at)
    emit("response.completed", response=response_object(body, response_id, answer))
    return events


def _error_body(problems: list) -> dict:
    first = problems[0]
    message = first.message
    if len(problems) > 1:
        message += f" ({len(problems) - 1} more: " + "; ".join(p.line() for p in problems[1:6]) + ")"
    return {"error": {"message": message, "type": "invalid_request_error", "param": first.param, "code": first.code}}


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


class FakeOpenAI:
    """A local, deterministic, strictly validating stand-in for the OpenAI API."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests: list = []
        self._responses: dict = {}  # response id -> _Stored

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        if self._httpd is not None:
            return self
        from migrate.verify import validation

        validation._sdk()  # build the adapters before the first request
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer((self._host, self._port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake server is not running")
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # an AF_INET address: (host, port)
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``OpenAI(base_url=...)`` / ``OPENAI_BASE_URL``."""
        return self.url + "/v1"

    # -- records -------------------------------------------------------------------------

    @property
    def requests(self) -> list:
        with self._lock:
            return list(self._requests)

    @property
    def invalid_requests(self) -> list:
        return [r for r in self.requests if r.errors]

    @property
    def chat_requests(self) -> list:
        return [r for r in self.requests if r.api == "chat"]

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._responses.clear()

    def _record(self, record: RecordedRequest) -> RecordedRequest:
        with self._lock:
            record.index = len(self._requests)
            self._requests.append(record)
        return record

    # -- handling ----------------------------------------------------------------------

    def handle(self, method: str, path: str, raw: bytes, headers: dict) -> tuple:
        """-> (status, content type, body bytes); records the request."""
        route, _, query = path.partition("?")
        route = route.rstrip("/")
        api, refused = _route(route, query)
        helper = headers.get("x-stainless-helper-method")
        record = RecordedRequest(0, api, method, path, None, helper=helper)
        if api == "other" or method != "POST":
            record.status = 404
            record.errors = [f"{method} {path}: not served by the fake server"]
            self._record(record)
            body = {
                "error": {
                    "message": f"Invalid URL ({method} {route})",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            }
            return 404, "application/json", json.dumps(body).encode()
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as error:
            problems = [_Problem(None, f"We could not parse the JSON body of your request. ({error})", None)]
            return self._reject(record, problems)
        record.body = body
        record.stream = isinstance(body, dict) and body.get("stream") is True
        try:
            if refused is not None:
                raise _BadRequest([refused])
            if api == "chat":
                return self._chat(record, body)
            return self._responses_api(record, body)
        except _BadRequest as bad:
            return self._reject(record, bad.problems)

    def _reject(self, record: RecordedRequest, problems: list) -> tuple:
        record.status = 400
        record.errors = [p.line() for p in problems]
        self._record(record)
        return 400, "application/json", json.dumps(_error_body(problems)).encode()

    def _chat(self, record: RecordedRequest, body: Any) -> tuple:
        from migrate.verify.validation import validate_chat_body

        lines = validate_chat_body(body)
        if lines:
            raise _BadRequest([_type_problem(line) for line in lines])
        problems = _chat_problems(body)
        if problems:
            raise _BadRequest(problems)
        canon = canonical_chat(body)
        seed = answer_seed(canon)
        n = body.get("n") or 1
        answers = [plan_answer(canon, seed, i) for i in range(n)]
        record.canonical, record.answer = canon, answers[0]
        self._record(record)
        model = body.get("model")
        if record.stream:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = chat_chunks(model, seed, answers, include_usage)
            data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            return 200, "text/event-stream", data.encode()
        return 200, "application/json", json.dumps(chat_completion(model, seed, answers)).encode()

    def _history(self, response_id: str) -> list | None:
        with self._lock:
            stored = self._responses.get(response_id)
        return list(stored.context) if stored else None

    def _responses_api(self, record: RecordedRequest, body: Any) -> tuple:
        from migrate.verify.validation import validate_responses_body

        # The SDK types make a function tool's `strict` Required, but the API accepts it
        # omitted and then makes the tool strict (docs/api-mapping.md#strict-tools): accept, and let the
        # canonical form (omitted strict = True) tell it apart from chat's default.
        lines = [line for line in validate_responses_body(body) if not _OMITTED_STRICT.match(line)]
        if lines:
            raise _BadRequest([_type_problem(line) for line in lines])
        stored = None
        previous = body.get("previous_response_id")
        if previous is not None:
            with self._lock:
                stored = self._responses.get(previous)
            if stored is None or not stored.store:
                raise _BadRequest(
                    [
                        _Problem(
                            "previous_response_id",
                            f"Previous response with id '{previous}' not found.",
                            "previous_response_not_found",
                        )
                    ]
                )
        problems = _responses_problems(body, stored)
        if problems:
            raise _BadRequest(problems)
        canon = canonical_responses(body, self._history)
        seed = answer_seed(canon)
        answer = plan_answer(canon, seed)
        response_id = f"resp_{seed[:32]}"
        record.canonical, record.answer, record.response_id = canon, answer, response_id
        self._record(record)
        # What a later request can continue from (instructions are not carried over).
        context = (list(stored.context) if stored else []) + responses_turns(body.get("input"))
        out_turn: dict[str, Any]
        if answer.kind == "tool_call":
            out_turn = {
                "type": "tool_call",
                "tool": answer.tool,
                "call_id": f"call_{answer.call_suffix}",
                "name": answer.name,
                ("arguments" if answer.tool == "function" else "input"): answer.arguments,
            }
            calls = {f"call_{answer.call_suffix}": answer.tool}
        elif answer.kind == "refusal":
            out_turn = {"role": "assistant", "content": [{"type": "refusal", "refusal": answer.text}]}
            calls = {}
        else:
            out_turn = {"role": "assistant", "content": [{"type": "text", "text": answer.text}]}
            calls = {}
        with self._lock:
            self._responses[response_id] = _Stored(canon.get("store", True), [*context, out_turn], calls)
        if record.stream:
            events = response_events(body, response_id, answer)
            data = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
            return 200, "text/event-stream", data.encode()
        return 200, "application/json", json.dumps(response_object(body, response_id, answer)).encode()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, ctype, data = self.fake.handle(self.command, self.path, raw, headers)
        except Exception as error:  # a bug in the fake: answer 500 (no retry storm: see x-should-retry)
            import traceback

            traceback.print_exc()
            status, ctype = 500, "application/json"
            data = json.dumps(
                {
                    "error": {
                        "message": f"fake server error: {error!r}",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                }
            ).encode()
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", "req_fake")
        self.send_header("x-should-retry", "false")
        self.send_header("x-ratelimit-remaining-requests", "999")
        self.end_headers()
        self.wfile.write(data)

    do_POST = _serve
    do_GET = _serve
    do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass
