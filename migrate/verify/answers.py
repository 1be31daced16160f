"""Deterministic answers: a pure function of a canonical request.

:func:`plan_answer` decides what the fake model says, from the canonical form and its
seed (:func:`migrate.verify.canonical.answer_seed`):

* a **refusal** when the last turn is a user message whose text contains
  :data:`REFUSAL_CUE` (``"[refuse]"``): the fake model's way of declining, so that
  programs handling refusals can be run;
* else a **tool call** when callable tools (function / custom) are given, ``tool_choice``
  isn't ``"none"`` and the last turn isn't a tool output.  A forced choice names the
  tool; otherwise the seed picks one.  The arguments are a minimal instance of the
  tool's ``parameters`` schema (``{}`` without one);
* else **JSON**: a minimal instance of the ``json_schema`` format's schema, or
  ``{"answer": <text>}`` for ``json_object``;
* else **text**: a short sentence made from the seed.

Token usage is derived the same way, so both APIs report the same numbers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from migrate.verify.canonical import meaning

__all__ = ["REFUSAL", "REFUSAL_CUE", "Answer", "plan_answer", "schema_instance", "sentence"]

REFUSAL_CUE = "[refuse]"
REFUSAL = "I'm sorry, but I can't help with that."

WORDS = (
    "amber basil cedar delta ember fable garnet harbor indigo juniper kestrel lantern meadow "
    "nectar onyx pebble quartz raven saffron thistle umber velvet willow xenon yarrow zephyr "
    "acorn breeze cobalt dune echo fern glacier hollow iris jade kelp lichen marble nova "
    "orchid prairie quill ripple sierra tundra ultra vapor walnut yonder zinnia alpine bramble "
    "canyon drift estuary fjord grove heath inlet jetty knoll lagoon"
).split()


def _ints(seed: str, salt: str = "") -> _Stream:
    return _Stream(seed + salt)


class _Stream:
    """An endless stream of small integers derived from a seed (sha256 in counter mode)."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.counter = 0
        self.buffer = b""

    def next(self, modulo: int) -> int:
        if modulo <= 1:
            return 0
        if len(self.buffer) < 4:
            self.buffer += hashlib.sha256(f"{self.seed}:{self.counter}".encode()).digest()
            self.counter += 1
        value, self.buffer = int.from_bytes(self.buffer[:4], "big"), self.buffer[4:]
        return value % modulo


def sentence(seed: str, words: int = 6, salt: str = "text") -> str:
    """A short deterministic sentence, e.g. ``"Cedar ripple onyx meadow fern kelp."``."""
    stream = _ints(seed, salt)
    picked = [WORDS[stream.next(len(WORDS))] for _ in range(words)]
    return " ".join(picked).capitalize() + "."


def _word(stream: _Stream) -> str:
    return WORDS[stream.next(len(WORDS))]


def _resolve_ref(ref: str, root: dict) -> Any:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return {}
    return node


def schema_instance(
    schema: Any, seed: str, *, root: Any = None, _stream: _Stream | None = None, _depth: int = 0
) -> Any:
    """A minimal instance of a JSON schema, deterministic in ``seed``.

    Objects get their required properties (all of them when ``required`` is absent
    and ``additionalProperties`` is false, as in strict schemas); arrays get
    ``max(minItems, 1)`` items (capped by ``maxItems``); strings are seed words (or
    the first ``enum`` / ``const`` value picked by the seed); numbers respect
    ``minimum`` / ``maximum``.  ``$ref`` into ``$defs`` / ``definitions``, ``anyOf``
    / ``oneOf`` (first non-null branch) and ``allOf`` (merged) are followed.
    """
    stream = _stream or _ints(seed, "schema")
    root = schema if root is None else root
    if _depth > 12:
        return None
    if not isinstance(schema, dict):  # `true` / a missing schema: anything goes
        return _word(stream)
    if "$ref" in schema:
        return schema_instance(_resolve_ref(schema["$ref"], root), seed, root=root, _stream=stream, _depth=_depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][stream.next(len(schema["enum"]))]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return schema_instance((non_null or options)[0], seed, root=root, _stream=stream, _depth=_depth + 1)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        merged: dict = {}
        for part in schema["allOf"]:
            if isinstance(part, dict) and "$ref" in part:
                part = _resolve_ref(part["$ref"], root)
            if isinstance(part, dict):
                for k, v in part.items():
                    if k == "properties" and isinstance(v, dict):
                        merged.setdefault("properties", {}).update(v)
                    elif k == "required" and isinstance(v, list):
                        merged.setdefault("required", []).extend(v)
                    else:
                        merged.setdefault(k, v)
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return schema_instance({**merged, **rest}, seed, root=root, _stream=stream, _depth=_depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None:
        if "properties" in schema:
            kind = "object"
        elif "items" in schema:
            kind = "array"
        else:
            kind = "string"
    if kind == "object":
        properties = schema.get("properties") or {}
        required = schema.get("required")
        if required is None:
            required = list(properties) if schema.get("additionalProperties") is False else []
        out = {}
        for name in required:
            out[name] = schema_instance(properties.get(name, {}), seed, root=root, _stream=stream, _depth=_depth + 1)
        return out
    if kind == "array":
        count = max(int(schema.get("minItems", 0) or 0), 1)
        if schema.get("maxItems") is not None:
            count = min(count, int(schema["maxItems"]))
        items = schema.get("items", {})
        if isinstance(schema.get("prefixItems"), list):
            prefix = schema["prefixItems"]
            return [schema_instance(p, seed, root=root, _stream=stream, _depth=_depth + 1) for p in prefix]
        return [schema_instance(items, seed, root=root, _stream=stream, _depth=_depth + 1) for _ in range(count)]
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return f"2024-01-{1 + stream.next(28):02d}T12:00:00Z"
        if fmt == "date":
            return f"2024-01-{1 + stream.next(28):02d}"
        if fmt == "email":
            return f"{_word(stream)}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{_word(stream)}"
        if fmt == "uuid":
            return str(__import__("uuid").UUID(hashlib.md5(seed.encode()).hexdigest()))
        text = _word(stream)
        min_len = int(schema.get("minLength", 0) or 0)
        while len(text) < min_len:
            text += " " + _word(stream)
        if schema.get("maxLength") is not None:
            text = text[: int(schema["maxLength"])]
        return text
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        low = (
            (int(low) + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0))
            if low is not None
            else 0
        )
        high = (
            (int(high) - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0))
            if high is not None
            else low + 99
        )
        value = low + stream.next(max(high - low + 1, 1))
        return value if kind == "integer" else float(value)
    if kind == "boolean":
        return bool(stream.next(2))
    if kind == "null":
        return None
    return _word(stream)


@dataclass(frozen=True)
class Answer:
    kind: str  # "text" | "json" | "tool_call" | "refusal"
    text: str = ""  # text / JSON answer, or the refusal
    tool: str = ""  # "function" | "custom"
    name: str = ""
    arguments: str = ""  # function arguments (JSON) or custom tool input
    call_suffix: str = ""  # hex used for the call id / item ids
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def _callable_tools(canon: dict) -> list:
    return [t for t in canon.get("tools") or [] if isinstance(t, dict) and t.get("type") in ("function", "custom")]


def _tool_to_call(canon: dict, seed: str) -> dict | None:
    tools = _callable_tools(canon)
    if not tools:
        return None
    turns = canon.get("turns") or []
    if turns and isinstance(turns[-1], dict) and turns[-1].get("type") == "tool_output":
        return None
    choice = canon.get("tool_choice", "auto")
    if choice == "none":
        return None
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind in ("function", "custom"):
            return next((t for t in tools if t["type"] == kind and t.get("name") == choice.get("name")), None)
        if kind == "allowed_tools":
            names = {(e.get("type"), e.get("name")) for e in choice.get("tools") or [] if isinstance(e, dict)}
            tools = [t for t in tools if (t["type"], t.get("name")) in names]
            if not tools:
                return None
        else:  # a hosted tool (web_search, ...): the fake model answers in text
            return None
    return tools[_ints(seed, "tool").next(len(tools))]


def _asks_for_refusal(canon: dict) -> bool:
    turns = canon.get("turns") or []
    last = turns[-1] if turns and isinstance(turns[-1], dict) else {}
    if last.get("role") != "user":
        return False
    return any(isinstance(p, dict) and REFUSAL_CUE in str(p.get("text") or "") for p in last.get("content") or [])


def plan_answer(canon: dict, seed: str, index: int = 0) -> Answer:
    """What the fake model answers to this canonical request (``index``: chat's n)."""
    if index:
        seed = hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()
    input_tokens = max(1, len(json.dumps(meaning(canon), sort_keys=True, default=repr)) // 4)
    suffix = hashlib.sha256(f"{seed}:call".encode()).hexdigest()[:24]
    if _asks_for_refusal(canon):
        return Answer(
            "refusal", text=REFUSAL, call_suffix=suffix, input_tokens=input_tokens, output_tokens=len(REFUSAL.split())
        )
    tool = _tool_to_call(canon, seed)
    if tool is not None:
        if tool["type"] == "function":
            params = tool.get("parameters")
            args = schema_instance(params, seed) if isinstance(params, dict) and params else {}
            arguments = json.dumps(args if isinstance(args, dict) else {})
            return Answer(
                "tool_call",
                tool="function",
                name=tool.get("name") or "",
                arguments=arguments,
                call_suffix=suffix,
                input_tokens=input_tokens,
                output_tokens=1 + len(arguments) // 4,
            )
        text = sentence(seed, 3, "custom")
        return Answer(
            "tool_call",
            tool="custom",
            name=tool.get("name") or "",
            arguments=text,
            call_suffix=suffix,
            input_tokens=input_tokens,
            output_tokens=1 + len(text) // 4,
        )
    fmt = canon.get("format") or {"type": "text"}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        text = json.dumps(schema_instance(fmt.get("schema") or {"type": "object"}, seed))
        kind = "json"
    elif isinstance(fmt, dict) and fmt.get("type") == "json_object":
        text = json.dumps({"answer": sentence(seed)})
        kind = "json"
    else:
        text = sentence(seed)
        kind = "text"
    return Answer(kind, text=text, call_suffix=suffix, input_tokens=input_tokens, output_tokens=len(text.split()))
