"""Strict validation of emitted Responses request bodies against the SDK's TypedDicts.

Test-side helper only: it imports ``openai`` and ``pydantic`` (through
``migrate.verify.validation``, which the fake server shares); the codemod itself never
does. The validation follows the recipe of ``docs/api-mapping.md#validation``:

* ``TypeAdapter(Union[ResponseCreateParamsNonStreaming, ResponseCreateParamsStreaming],
  config=ConfigDict(extra="forbid"))`` -- the ``forbid`` setting propagates to every
  nested TypedDict, so unknown keys (``messages``, a message ``name``, ...) are rejected;
* lazily validated ``Iterable[...]`` fields (``tools``, ``context_management``, ...)
  come back as pydantic ``ValidatorIterator`` objects and are forced recursively;
* errors are filtered to the branch chosen by ``body.get("stream") is True``.

On top of the recipe:

* every ``input`` item is discriminated by its ``type`` (or ``role`` for easy
  messages) and validated alone against the matching TypedDict, so errors name the
  item index and the offending field instead of hundreds of union errors;
* the remaining union noise (``tools``, ``tool_choice``, ``text.format``, content
  parts, ...) is reduced to the most plausible union member;
* values that are placeholders for non-literal source (``"<expr:SOURCE>"``) are
  given the benefit of the doubt: an error *about such a value's type* is dropped
  (an unknown key is still an error whatever its value).

Public API::

    validate_responses_body(body) -> list[str]     # [] == valid
    extract_calls(source) -> list[Call]
    validate_source(source) -> list[str]            # "line N: ..." strings
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from migrate.verify.validation import PLACEHOLDER_PREFIX, _sdk, is_placeholder, placeholders_allowed  # noqa: F401 (re-exported)
from migrate.verify.validation import validate_responses_body as _validate_strict

__all__ = [
    "PLACEHOLDER_PREFIX",
    "RESPONSES_METHODS",
    "Call",
    "extract_calls",
    "is_placeholder",
    "validate_responses_body",
    "validate_source",
]

# Attribute chains (after ``.responses``) that send a Responses create body.
RESPONSES_METHODS = (
    "create",
    "parse",
    "stream",
    "with_raw_response.create",
    "with_raw_response.parse",
    # Not emitted by the mapping's safe set, but they send the same body, so a
    # wrong shape behind them is just as wrong.
    "with_streaming_response.create",
    "with_streaming_response.parse",
)

# Keyword arguments consumed by the SDK method, never sent as body keys.
TRANSPORT_KWARGS = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})
HELPER_KWARGS = {
    # responses.parse: text_format/parse_as drive client-side parsing.
    "parse": frozenset({"text_format", "parse_as"}),
    # responses.stream: text_format drives parsing; the SDK sends stream=True itself.
    "stream": frozenset({"text_format"}),
}


def validate_responses_body(body: dict) -> list[str]:
    """Strictly validate a Responses create body; ``[]`` means valid. Values standing for
    non-literal source (``"<expr:...>"``) are given the benefit of the doubt."""
    with placeholders_allowed():
        return _validate_strict(body)


@dataclass
class Call:
    lineno: int
    method: str  # "create", "parse", "stream", "with_raw_response.create", ...
    body: dict
    unvalidatable: str | None = None  # reason, when the body cannot be known statically
    sdk_kwargs: dict = field(default_factory=dict)  # removed SDK-only kwargs (extra_body, ...)
    col_offset: int = 0


class _Unvalidatable(Exception):
    pass


def _method_of(func: ast.expr) -> str | None:
    """'create' for ``X.responses.create``, 'with_raw_response.parse' for ..., else None."""
    parts: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        if node.attr == "responses" and len(parts) > 1:
            method = ".".join(reversed(parts[:-1]))
            return method if method in RESPONSES_METHODS else None
        node = node.value
    if isinstance(node, ast.Name) and node.id == "responses" and parts:
        method = ".".join(reversed(parts))
        return method if method in RESPONSES_METHODS else None
    return None


class _Evaluator:
    def __init__(self, source: str, tree: ast.AST | None = None) -> None:
        self.source = source
        # Names bound once in the whole module, to a dict or list literal (`TOOLS = [...]`,
        # `save_contact = {...}`): a request that passes one by name is validated with it.
        self.bound = _bound_once(tree) if tree is not None else {}
        self.resolving: set[str] = set()

    def placeholder(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or ast.unparse(node)
        return f"{PLACEHOLDER_PREFIX}{' '.join(text.split())}>"

    def value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float, bool)) or node.value is None:
                return node.value
            return self.placeholder(node)  # bytes, Ellipsis, complex
        if isinstance(node, ast.Name) and node.id in self.bound and node.id not in self.resolving:
            self.resolving.add(node.id)
            try:
                return self.value(self.bound[node.id])
            finally:
                self.resolving.discard(node.id)
        if isinstance(node, ast.Dict):
            out: dict = {}
            for key, val in zip(node.keys, node.values, strict=True):
                if key is None:
                    spread = self.value(val)
                    if not isinstance(spread, dict):
                        raise _Unvalidatable(f"dict literal with **{self.placeholder(val)[6:-1]} spread")
                    out.update(spread)
                    continue
                k = self.value(key)
                if not isinstance(k, str):
                    k = str(k)
                out[k] = self.value(val)
            return out
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.value(elt) for elt in node.elts]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand)
            if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
            return self.placeholder(node)
        # Starred (in a list), names, attributes, calls, f-strings, comprehensions, ...
        return self.placeholder(node)

    def tool(self, node: ast.AST, method: str) -> Any:
        if isinstance(node, ast.Name) and node.id in self.bound:
            return self.tool(self.bound[node.id], method)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "pydantic_function_tool" and method.endswith("create"):
                # responses.create sends the chat-shaped helper output unchanged
                # (docs/api-mapping.md#tools); model it as such so it is rejected.
                return {
                    "type": "function",
                    "function": {"name": self.placeholder(node), "parameters": {}, "strict": True},
                }
            # pydantic_responses_function_tool(M), or pydantic_function_tool(M) that
            # parse/stream convert: a flattened strict function tool.
            return {"type": "function", "name": self.placeholder(node), "parameters": {}, "strict": True}
        return self.value(node)


def _bound_once(tree: ast.AST) -> dict[str, ast.expr]:
    """{name: its dict or list literal} for the names the module binds exactly once, anywhere."""
    values: dict[str, ast.expr] = {}
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            counts[node.id] = counts.get(node.id, 0) + 1
        elif isinstance(node, ast.arg):
            counts[node.arg] = counts.get(node.arg, 0) + 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            counts[node.name] = counts.get(node.name, 0) + 1
        elif isinstance(node, ast.alias):
            bound = node.asname or node.name.split(".")[0]
            counts[bound] = counts.get(bound, 0) + 1
        literal = isinstance(getattr(node, "value", None), (ast.Dict, ast.List, ast.Tuple))
        single = isinstance(node, ast.Assign) and len(node.targets) == 1
        if literal and single and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
        elif literal and isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            values[node.target.id] = node.value
    return {name: value for name, value in values.items() if counts.get(name) == 1}


def extract_calls(source: str) -> list[Call]:
    """Every ``<anything>.responses.{create,parse,stream,with_raw_response.*}`` call in source."""
    tree = ast.parse(source)
    ev = _Evaluator(source, tree)
    calls: list[Call] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        method = _method_of(node.func)
        if method is None:
            continue
        call = Call(node.lineno, method, {}, col_offset=node.col_offset)
        reasons: list[str] = []
        if node.args:
            reasons.append("positional arguments (the SDK methods are keyword-only)")
        helper = HELPER_KWARGS.get(method.rsplit(".", 1)[-1], frozenset())
        for kw in node.keywords:
            if kw.arg is None:
                reasons.append(f"**{ev.placeholder(kw.value)[6:-1]} splat")
                continue
            try:
                listed = ev.bound.get(kw.value.id, kw.value) if isinstance(kw.value, ast.Name) else kw.value
                if kw.arg == "tools" and isinstance(listed, (ast.List, ast.Tuple)):
                    value: Any = [ev.tool(elt, method) for elt in listed.elts]
                else:
                    value = ev.value(kw.value)
            except _Unvalidatable as exc:
                reasons.append(f"{kw.arg}: {exc}")
                continue
            if kw.arg in TRANSPORT_KWARGS or kw.arg in helper:
                call.sdk_kwargs[kw.arg] = value
            else:
                call.body[kw.arg] = value
        if reasons:
            call.unvalidatable = "; ".join(reasons)
        calls.append(call)
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    return calls


# --------------------------------------------------------------------------------------
# 3. validate_source
# --------------------------------------------------------------------------------------


def _call_errors(call: Call) -> list[str]:
    if call.unvalidatable:
        return [f"{call.method}: cannot validate statically: {call.unvalidatable}"]
    body = dict(call.body)
    errors: list[str] = []
    leaf = call.method.rsplit(".", 1)[-1]
    if leaf == "stream":
        if "response_id" in body or "starting_after" in body:
            return ["stream: response_id/starting_after resumes an existing response; not a create body"]
        if "stream" in body:
            errors.append("stream: responses.stream() takes no `stream` argument (TypeError)")
        body["stream"] = True  # what the SDK sends
    if "text_format" in call.sdk_kwargs and isinstance(body.get("text"), dict) and "format" in body["text"]:
        errors.append("text.format: cannot be combined with text_format (TypeError in the SDK)")
    return errors + validate_responses_body(body)


def validate_source(source: str) -> list[str]:
    """Validate every Responses call in ``source``; ``"line N: ..."`` per problem."""
    return [f"line {call.lineno}: {err}" for call in extract_calls(source) for err in _call_errors(call)]
