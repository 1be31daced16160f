"""One neutral form for Chat Completions and Responses requests.

Both APIs' request bodies are mapped to the same plain, JSON-able dict, so that a chat
call and its correct Responses migration compare equal and a migration that changed
the request's meaning does not.  Only fields that differ from their default appear;
``None`` always counts as omitted.

The canonical form (every key optional except ``model``, ``turns`` and ``store``)::

    model               the model name, as sent
    turns               the conversation, in order:
        {"role": "system" | "user" | "assistant", "content": [part, ...], "name"?: ...}
            system and developer messages are one role ("system"); Responses
            ``instructions=`` is a leading system turn (a string, or its items).
            A part is {"type": "text", "text"}, {"type": "image", "url" | "file_id",
            "detail"} (chat's omitted detail = "auto"), {"type": "file", ...},
            {"type": "refusal", "refusal"} or {"type": "audio", ...}.
            An assistant message with tool calls and no text has no message turn.
        {"type": "tool_call", "tool": "function" | "custom", "call_id", "name",
         "arguments" | "input"}             one per chat tool call / Responses item
        {"type": "tool_output", "call_id", "output": str | [part, ...]}
            with ``previous_response_id`` the earlier response's turns and output
            come first (its instructions are not carried over, as documented).
    tools               [{"type": "function", "name", "description"?, "parameters",
                          "strict"}] (chat's omitted strict = False, Responses'
                          omitted or null strict = True), custom tools with their
                          format flattened (omitted = {"type": "text"}), hosted tools
                          verbatim; legacy ``functions=`` are function tools, strict False
    tool_choice         "none" | "auto" | "required" | {"type": "function", "name"} |
                        {"type": "custom", "name"} | {"type": "allowed_tools", "mode",
                        "tools": [flat entries]}; omitted = "auto" with tools, else "none"
    format              {"type": "json_object"} | {"type": "json_schema", "name",
                        "schema", "strict" (omitted = False), "description"?};
                        omitted / {"type": "text"} is the default
    verbosity           chat ``verbosity`` / Responses ``text.verbosity`` (default "medium")
    reasoning           {"effort": ...} from chat ``reasoning_effort`` / Responses ``reasoning``
    max_output_tokens   chat ``max_completion_tokens``, else ``max_tokens``; Responses
                        ``max_output_tokens`` (both chat limits given: ``max_tokens`` stays)
    logprobs            chat ``logprobs`` / Responses include "message.output_text.logprobs"
    include             the other Responses ``include`` values, sorted
    store               always present: chat's omitted store = False (the migration
                        writes ``store=False`` to keep that), Responses' omitted = True
    stream              True for streaming requests; not part of the answer's seed
    temperature, top_p, top_logprobs, stop (a list), n, seed, presence_penalty,
    frequency_penalty, logit_bias, parallel_tool_calls, metadata, user, service_tier,
    ... and every other key sent, verbatim.  Chat-only keys that Responses cannot
    express (stop, n, seed, penalties, logit_bias, ...) are kept, so dropping one
    changes the canonical form.

``stream_options`` is transport (usage in the stream, obfuscation) and is left out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "ABSENT",
    "answer_seed",
    "canonical_chat",
    "canonical_responses",
    "chat_turns",
    "first_difference",
    "meaning",
    "responses_turns",
]

ABSENT = "<absent>"

# Values equal to the documented default are dropped (None always is).
DEFAULTS: dict[str, Any] = {
    "temperature": 1,
    "top_p": 1,
    "n": 1,
    "presence_penalty": 0,
    "frequency_penalty": 0,
    "logit_bias": {},
    "stop": [],
    "logprobs": False,
    "parallel_tool_calls": True,
    "verbosity": "medium",
    "truncation": "disabled",
    "background": False,
    "modalities": ["text"],
    "metadata": {},
    "include": [],
    "tools": [],
    "reasoning": {},
    "stream": False,
    "format": {"type": "text"},
}

# Keys that don't change what the model is asked: left out of the answer's seed.
TRANSPORT_KEYS = frozenset({"stream"})

# Canonical key order (the rest follow in the order they were sent).
_ORDER = ("model", "turns", "tools", "tool_choice", "format", "verbosity", "reasoning", "max_output_tokens")

LOGPROBS_INCLUDE = "message.output_text.logprobs"


def _norm(value: Any) -> Any:
    """Integral floats as ints (1.0 == 1 for the API), recursively; tuples as lists."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return value


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


# --------------------------------------------------------------------------------------
# Content parts
# --------------------------------------------------------------------------------------


def _text(text: Any) -> dict:
    return {"type": "text", "text": text}


def _parts(content: Any, convert) -> list:
    """Content (a string, a part, a list of parts) as canonical parts, each dict part through
    `convert` (the API's own part shapes)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [_text(content)]
    return [
        convert(part) if isinstance(part, dict) else {"type": "unknown", "value": part}
        for part in (content if isinstance(content, (list, tuple)) else [content])
    ]


def _chat_part(part: dict) -> dict:
    kind = part.get("type")
    extra = {k: v for k, v in part.items() if k not in ("type", kind) and v is not None}
    if kind == "text":
        extra.pop("text", None)
        return {**_text(part.get("text")), **extra}
    if kind == "image_url":
        image = part.get("image_url") or {}
        return {"type": "image", "url": image.get("url"), "detail": image.get("detail") or "auto", **extra}
    if kind == "file":
        return {"type": "file", **_drop_none(part.get("file") or {}), **extra}
    if kind == "input_audio":
        return {"type": "audio", **_drop_none(part.get("input_audio") or {}), **extra}
    if kind == "refusal":
        return {"type": "refusal", "refusal": part.get("refusal")}
    return dict(part)


def _responses_part(part: dict) -> dict:
    kind = part.get("type")
    rest = _drop_none({k: v for k, v in part.items() if k != "type"})
    if kind in ("input_text", "output_text"):
        rest.pop("annotations", None)  # output metadata, when an output item is sent back
        rest.pop("logprobs", None)
        return {**_text(rest.pop("text", None)), **rest}
    if kind == "input_image":
        image: dict = {"type": "image"}
        if "image_url" in rest:
            image["url"] = rest.pop("image_url")
        if "file_id" in rest:
            image["file_id"] = rest.pop("file_id")
        image["detail"] = rest.pop("detail", None) or "auto"
        return {**image, **rest}
    if kind == "input_file":
        return {"type": "file", **rest}
    if kind == "refusal":
        return {"type": "refusal", "refusal": rest.get("refusal")}
    return dict(part)


def _chat_parts(content: Any) -> list:
    return _parts(content, _chat_part)


def _responses_parts(content: Any) -> list:
    return _parts(content, _responses_part)


def _message(role: Any, parts: list, extra: dict) -> dict:
    if role == "developer":
        role = "system"
    turn = {"role": role, "content": parts}
    turn.update(extra)
    return turn


# --------------------------------------------------------------------------------------
# Tools, tool choice, output format
# --------------------------------------------------------------------------------------


def _custom_format(fmt: Any) -> Any:
    if fmt is None:
        return {"type": "text"}
    if isinstance(fmt, dict) and fmt.get("type") == "grammar" and isinstance(fmt.get("grammar"), dict):
        return {"type": "grammar", **_drop_none(fmt["grammar"])}
    return _drop_none(fmt) if isinstance(fmt, dict) else fmt


def _function_tool(name: Any, description: Any, parameters: Any, strict: bool) -> dict:
    tool: dict = {"type": "function", "name": name}
    if description is not None:
        tool["description"] = description
    tool["parameters"] = parameters
    tool["strict"] = strict
    return tool


def _custom_tool(spec: dict) -> dict:
    tool: dict = {"type": "custom", "name": spec.get("name")}
    if spec.get("description") is not None:
        tool["description"] = spec["description"]
    tool["format"] = _custom_format(spec.get("format"))
    return tool


def _chat_tools(tools: Any, functions: Any) -> list:
    out = []
    for tool in tools or []:
        if isinstance(tool, dict) and tool.get("type") == "function" and isinstance(tool.get("function"), dict):
            f = tool["function"]
            out.append(_function_tool(f.get("name"), f.get("description"), f.get("parameters"), bool(f.get("strict"))))
        elif isinstance(tool, dict) and tool.get("type") == "custom" and isinstance(tool.get("custom"), dict):
            out.append(_custom_tool(tool["custom"]))
        else:
            out.append(tool)
    for f in functions or []:  # legacy functions=: never strict
        if isinstance(f, dict):
            out.append(_function_tool(f.get("name"), f.get("description"), f.get("parameters"), False))
    return out


def _responses_tools(tools: Any) -> list:
    out = []
    for tool in tools or []:
        if isinstance(tool, dict) and tool.get("type") == "function" and "function" not in tool:
            strict = tool.get("strict")
            out.append(
                _function_tool(
                    tool.get("name"),
                    tool.get("description"),
                    tool.get("parameters"),
                    True if strict is None else bool(strict),  # omitted: Responses is strict
                )
            )
            extra = _drop_none(
                {k: v for k, v in tool.items() if k not in ("type", "name", "description", "parameters", "strict")}
            )
            out[-1].update(extra)
        elif isinstance(tool, dict) and tool.get("type") == "custom" and "custom" not in tool:
            out.append(_custom_tool(tool))
        else:
            out.append(_drop_none(tool) if isinstance(tool, dict) else tool)
    return out


def _flat_choice_entry(entry: Any) -> Any:
    if isinstance(entry, dict):
        kind = entry.get("type")
        if kind in ("function", "custom") and isinstance(entry.get(kind), dict):
            return {"type": kind, "name": entry[kind].get("name")}
        return _drop_none(entry)
    return entry


def _chat_tool_choice(choice: Any, function_call: Any) -> Any:
    if choice is None and function_call is not None:  # legacy function_call=
        if isinstance(function_call, dict):
            return {"type": "function", "name": function_call.get("name")}
        return function_call
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind == "allowed_tools" and isinstance(choice.get("allowed_tools"), dict):
            allowed = choice["allowed_tools"]
            return {
                "type": "allowed_tools",
                "mode": allowed.get("mode"),
                "tools": [_flat_choice_entry(t) for t in allowed.get("tools") or []],
            }
        return _flat_choice_entry(choice)
    return choice


def _responses_tool_choice(choice: Any) -> Any:
    if isinstance(choice, dict):
        if choice.get("type") == "allowed_tools":
            return {
                "type": "allowed_tools",
                "mode": choice.get("mode"),
                "tools": [_flat_choice_entry(t) for t in choice.get("tools") or []],
            }
        return _flat_choice_entry(choice)
    return choice


def _json_schema_format(spec: dict) -> dict:
    fmt: dict = {"type": "json_schema", "name": spec.get("name")}
    if spec.get("description") is not None:
        fmt["description"] = spec["description"]
    fmt["schema"] = spec.get("schema")
    fmt["strict"] = bool(spec.get("strict"))
    return fmt


def _chat_format(response_format: Any) -> Any:
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        return _json_schema_format(response_format.get("json_schema") or {})
    return _drop_none(response_format) if isinstance(response_format, dict) else response_format


def _responses_format(fmt: Any) -> Any:
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and "json_schema" not in fmt:
        return _json_schema_format(fmt)
    return _drop_none(fmt) if isinstance(fmt, dict) else fmt


# --------------------------------------------------------------------------------------
# The two canonicalisers
# --------------------------------------------------------------------------------------


def _finish(canon: dict, rest: dict) -> dict:
    for key, value in rest.items():
        if value is not None and key not in canon:
            canon[key] = value
    # Omitted tool_choice: "auto" with tools, "none" without.
    tools = canon.get("tools") or []
    default_choice = "auto" if tools else "none"
    if canon.get("tool_choice") in (None, default_choice):
        canon.pop("tool_choice", None)
    if isinstance(canon.get("stop"), str):
        canon["stop"] = [canon["stop"]]
    canon = _norm(canon)
    for key, default in DEFAULTS.items():
        if key in canon and (canon[key] is None or canon[key] == default):
            del canon[key]
    for key in [k for k, v in canon.items() if v is None]:
        del canon[key]
    ordered = {k: canon[k] for k in _ORDER if k in canon}
    ordered.update((k, v) for k, v in canon.items() if k not in ordered)
    return ordered


def chat_turns(messages: Iterable[Any]) -> list:
    turns: list = []
    for message in messages or []:
        if not isinstance(message, dict):
            turns.append({"type": "unknown", "value": message})
            continue
        role = message.get("role")
        extra = _drop_none({k: v for k, v in message.items() if k in ("name", "audio")})
        if role in ("system", "developer", "user"):
            turns.append(_message(role, _chat_parts(message.get("content")), extra))
        elif role == "assistant":
            parts = _chat_parts(message.get("content"))
            if message.get("refusal") is not None:
                parts.append({"type": "refusal", "refusal": message["refusal"]})
            calls = message.get("tool_calls") or []
            legacy = message.get("function_call")
            texts_empty = all(p.get("type") == "text" and not p.get("text") for p in parts)
            if not ((calls or legacy) and texts_empty and not extra):
                turns.append(_message("assistant", parts, extra))
            if isinstance(legacy, dict):
                turns.append(
                    {
                        "type": "tool_call",
                        "tool": "function",
                        "call_id": None,
                        "name": legacy.get("name"),
                        "arguments": legacy.get("arguments"),
                    }
                )
            for call in calls:
                if not isinstance(call, dict):
                    continue
                kind = call.get("type")
                if kind == "custom":
                    spec = call.get("custom") or {}
                    turns.append(
                        {
                            "type": "tool_call",
                            "tool": "custom",
                            "call_id": call.get("id"),
                            "name": spec.get("name"),
                            "input": spec.get("input"),
                        }
                    )
                else:
                    spec = call.get("function") or {}
                    turns.append(
                        {
                            "type": "tool_call",
                            "tool": "function",
                            "call_id": call.get("id"),
                            "name": spec.get("name"),
                            "arguments": spec.get("arguments"),
                        }
                    )
        elif role == "tool":
            content = message.get("content")
            output = content if isinstance(content, str) else _chat_parts(content)
            turns.append({"type": "tool_output", "call_id": message.get("tool_call_id"), "output": output})
        elif role == "function":  # legacy: no call id
            turns.append(
                {"type": "tool_output", "call_id": None, "name": message.get("name"), "output": message.get("content")}
            )
        else:
            turns.append({"type": "unknown", "value": message})
    return turns


def canonical_chat(body: dict) -> dict:
    """The canonical form of a Chat Completions request body."""
    rest = dict(body)
    canon: dict = {"model": rest.pop("model", None)}
    canon["turns"] = chat_turns(rest.pop("messages", None) or [])
    canon["tools"] = _chat_tools(rest.pop("tools", None), rest.pop("functions", None))
    canon["tool_choice"] = _chat_tool_choice(rest.pop("tool_choice", None), rest.pop("function_call", None))
    canon["format"] = _chat_format(rest.pop("response_format", None))
    canon["verbosity"] = rest.pop("verbosity", None)
    effort = rest.pop("reasoning_effort", None)
    canon["reasoning"] = {"effort": effort} if effort is not None else None
    max_completion, max_tokens = rest.pop("max_completion_tokens", None), rest.pop("max_tokens", None)
    canon["max_output_tokens"] = max_completion if max_completion is not None else max_tokens
    if max_completion is not None and max_tokens is not None:
        canon["max_tokens"] = max_tokens
    store = rest.pop("store", None)
    canon["store"] = bool(store) if store is not None else False  # chat: omitted store = not stored
    rest.pop("stream_options", None)
    return _finish(canon, rest)


def responses_turns(items: Any) -> list:
    if isinstance(items, str):
        return [_message("user", [_text(items)], {})]
    turns: list = []
    for item in items or []:
        if not isinstance(item, dict):
            turns.append({"type": "unknown", "value": item})
            continue
        kind = item.get("type")
        if "role" in item and kind in (None, "message"):
            extra = _drop_none(
                {k: v for k, v in item.items() if k not in ("role", "content", "type", "id", "status", "phase")}
            )
            turns.append(_message(item.get("role"), _responses_parts(item.get("content")), extra))
        elif kind == "function_call":
            turns.append(
                {
                    "type": "tool_call",
                    "tool": "function",
                    "call_id": item.get("call_id"),
                    "name": item.get("name"),
                    "arguments": item.get("arguments"),
                }
            )
        elif kind == "custom_tool_call":
            turns.append(
                {
                    "type": "tool_call",
                    "tool": "custom",
                    "call_id": item.get("call_id"),
                    "name": item.get("name"),
                    "input": item.get("input"),
                }
            )
        elif kind in ("function_call_output", "custom_tool_call_output"):
            output = item.get("output")
            turns.append(
                {
                    "type": "tool_output",
                    "call_id": item.get("call_id"),
                    "output": output if isinstance(output, str) else _responses_parts(output),
                }
            )
        elif kind == "reasoning":
            continue  # opaque model state; chat has no equivalent
        else:
            turns.append(_drop_none(item))
    return turns


def canonical_responses(body: dict, history: Callable[[str], list | None] | None = None) -> dict:
    """The canonical form of a Responses request body.

    ``history(previous_response_id)`` returns the turns of that earlier response
    (its context and its output); they come before this request's input.
    """
    rest = dict(body)
    canon: dict = {"model": rest.pop("model", None)}
    turns: list = []
    instructions = rest.pop("instructions", None)
    if isinstance(instructions, str):
        turns.append(_message("system", [_text(instructions)], {}))
    elif instructions is not None:
        turns.extend(responses_turns(instructions))
    previous = rest.pop("previous_response_id", None)
    if previous is not None:
        earlier = history(previous) if history is not None else None
        if earlier is None:
            canon["previous_response_id"] = previous
        else:
            turns.extend(earlier)
    turns.extend(responses_turns(rest.pop("input", None)))
    canon["turns"] = turns
    canon["tools"] = _responses_tools(rest.pop("tools", None))
    canon["tool_choice"] = _responses_tool_choice(rest.pop("tool_choice", None))
    text = rest.pop("text", None) or {}
    canon["format"] = _responses_format(text.get("format")) if isinstance(text, dict) else text
    if isinstance(text, dict):
        canon["verbosity"] = text.get("verbosity")
    reasoning = rest.pop("reasoning", None)
    canon["reasoning"] = _drop_none(reasoning) if isinstance(reasoning, dict) else reasoning
    canon["max_output_tokens"] = rest.pop("max_output_tokens", None)
    include = list(rest.pop("include", None) or [])
    if LOGPROBS_INCLUDE in include:
        include.remove(LOGPROBS_INCLUDE)
        canon["logprobs"] = True
    # Encrypted reasoning only lets a stateless conversation send reasoning back: it changes
    # what the response carries, not what the model is asked.
    include = [value for value in include if value != "reasoning.encrypted_content"]
    canon["include"] = sorted(include)
    store = rest.pop("store", None)
    canon["store"] = bool(store) if store is not None else True  # Responses: stored unless told not to
    rest.pop("stream_options", None)
    return _finish(canon, rest)


# --------------------------------------------------------------------------------------
# Seeds and differences
# --------------------------------------------------------------------------------------


def meaning(canon: dict) -> dict:
    """The canonical form without transport keys: what the answer depends on."""
    return {k: v for k, v in canon.items() if k not in TRANSPORT_KEYS}


def answer_seed(canon: dict) -> str:
    """A hex digest of the request's meaning; every answer is derived from it."""
    data = json.dumps(meaning(canon), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def first_difference(left: Any, right: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first place two canonical forms differ: ``(path, left, right)``, or None.

    Paths look like ``turns[1].content[0].text`` / ``tools[0].strict``; a missing key
    or list element is shown as :data:`ABSENT`.
    """
    if isinstance(left, dict) and isinstance(right, dict):
        keys = list(left) + [k for k in right if k not in left]
        for key in keys:
            sub = f"{path}.{key}" if path else str(key)
            if key not in left:
                return sub, ABSENT, right[key]
            if key not in right:
                return sub, left[key], ABSENT
            found = first_difference(left[key], right[key], sub)
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for index in range(max(len(left), len(right))):
            sub = f"{path}[{index}]"
            if index >= len(left):
                return sub, ABSENT, right[index]
            if index >= len(right):
                return sub, left[index], ABSENT
            found = first_difference(left[index], right[index], sub)
            if found:
                return found
        return None
    # Equal values are equal, except that a bool never equals a number (True == 1 in Python).
    if left == right and isinstance(left, bool) == isinstance(right, bool):
        return None
    return path or "<request>", left, right
