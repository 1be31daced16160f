"""Strict validation of request bodies against the ``openai`` SDK's TypedDicts.

Used by the fake server (:mod:`migrate.verify.server`) to reject every body the
real API would not understand.  The core is a copy of ``tests/sdk_validation.py``
(the recipe in docs/api-mapping.md#validation), extended to Chat Completions bodies:

* ``TypeAdapter(Union[<NonStreaming>, <Streaming>], config=ConfigDict(extra="forbid"))``:
  the ``forbid`` setting propagates to every nested TypedDict, so unknown keys are
  rejected (``messages`` sent to /responses, a message ``name``, ...);
* lazily validated ``Iterable[...]`` fields come back as ``ValidatorIterator`` and
  are forced recursively;
* errors are filtered to the branch chosen by ``body.get("stream") is True``;
* every ``input`` item (Responses) and every message (chat) is discriminated by its
  ``type`` / ``role`` and validated alone, so errors name the offending field;
* union noise (``tools``, ``tool_choice``, ...) is reduced to the most plausible member.

Placeholders (``"<expr:SOURCE>"``, used by the static test-side validator for
non-literal source) are honoured only inside :func:`placeholders_allowed`; the
server never enables them.

Public API::

    validate_responses_body(body) -> list[str]   # [] == valid; "dotted.path: message"
    validate_chat_body(body) -> list[str]
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Union

__all__ = [
    "PLACEHOLDER_PREFIX",
    "is_placeholder",
    "placeholders_allowed",
    "validate_chat_body",
    "validate_responses_body",
]

PLACEHOLDER_PREFIX = "<expr:"

_PLACEHOLDERS: contextvars.ContextVar[bool] = contextvars.ContextVar("placeholders", default=False)


@contextlib.contextmanager
def placeholders_allowed():
    """Within this block, ``"<expr:...>"`` strings stand for unknown values."""
    token = _PLACEHOLDERS.set(True)
    try:
        yield
    finally:
        _PLACEHOLDERS.reset(token)


def is_placeholder(value: Any) -> bool:
    return (
        _PLACEHOLDERS.get() and isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX) and value.endswith(">")
    )


# --------------------------------------------------------------------------------------
# SDK adapters (built once, lazily, on first use)
# --------------------------------------------------------------------------------------


class _SDK:
    """Holds the pydantic adapters; built on first use (importing openai takes ~1 s)."""

    def __init__(self) -> None:
        import typing_extensions as te
        from openai.types.responses.response_create_params import (
            ResponseCreateParamsNonStreaming,
            ResponseCreateParamsStreaming,
        )
        from openai.types.responses.response_input_param import ResponseInputItemParam
        from pydantic import ConfigDict, TypeAdapter, ValidationError

        self.ValidationError = ValidationError
        self.TypeAdapter = TypeAdapter
        self.forbid = ConfigDict(extra="forbid")
        self.non_streaming = ResponseCreateParamsNonStreaming.__name__
        self.streaming = ResponseCreateParamsStreaming.__name__
        # The recipe in docs/api-mapping.md#validation.
        self.body = TypeAdapter(
            ResponseCreateParamsNonStreaming | ResponseCreateParamsStreaming,
            config=self.forbid,
        )
        # Input item members with the literal values of their `type` / `role`.
        self.items: list[_Member] = []
        for member in te.get_args(ResponseInputItemParam):
            hints = te.get_type_hints(member, include_extras=True)
            types, type_required = _literal_values(hints.get("type"))
            if not type_required:
                types.add(None)  # the key may be omitted
            roles, _ = _literal_values(hints.get("role"))
            self.items.append(_Member(member, frozenset(types), frozenset(roles)))
        self._item_adapters: dict[type, Any] = {}

        from openai.types.chat.chat_completion_message_param import (
            ChatCompletionMessageParam,
        )
        from openai.types.chat.completion_create_params import (
            CompletionCreateParamsNonStreaming,
            CompletionCreateParamsStreaming,
        )

        self.chat_non_streaming = CompletionCreateParamsNonStreaming.__name__
        self.chat_streaming = CompletionCreateParamsStreaming.__name__
        self.chat_body = TypeAdapter(
            CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming,
            config=self.forbid,
        )
        # Chat messages, discriminated by `role` (they have no `type`).
        self.messages: list[_Member] = []
        for member in te.get_args(ChatCompletionMessageParam):
            hints = te.get_type_hints(member, include_extras=True)
            roles, _ = _literal_values(hints.get("role"))
            self.messages.append(_Member(member, frozenset({None}), frozenset(roles)))

    def item_adapter(self, member: type) -> Any:
        adapter = self._item_adapters.get(member)
        if adapter is None:
            # A config is refused on a bare TypedDict but accepted on List[TypedDict];
            # like on the Union, it propagates to the nested TypedDicts.
            adapter = self.TypeAdapter(list[member], config=self.forbid)  # type: ignore[valid-type]
            self._item_adapters[member] = adapter
        return adapter


@dataclass(frozen=True)
class _Member:
    cls: type
    types: frozenset  # allowed values of item["type"] (None == key absent / null)
    roles: frozenset  # allowed values of item["role"] (empty == no role field)

    @property
    def name(self) -> str:
        return self.cls.__name__


def _literal_values(hint: Any) -> tuple[set, bool]:
    """Literal values inside ``Required[Optional[Literal[...]]]`` and whether Required."""
    import typing_extensions as te

    values: set = set()
    required = False
    stack = [hint] if hint is not None else []
    while stack:
        h = stack.pop()
        origin = te.get_origin(h)
        if origin is te.Required:
            required = True
            stack.extend(te.get_args(h))
        elif origin is te.NotRequired or origin is Union:
            stack.extend(te.get_args(h))
        elif origin is te.Literal:
            values.update(te.get_args(h))
        elif h is type(None):
            values.add(None)
    return values, required


_sdk_instance: _SDK | None = None


def _sdk() -> _SDK:
    global _sdk_instance
    if _sdk_instance is None:
        _sdk_instance = _SDK()
    return _sdk_instance


# --------------------------------------------------------------------------------------
# Raw validation (with recursive forcing of lazy iterables)
# --------------------------------------------------------------------------------------


@dataclass
class _Err:
    loc: tuple
    type: str
    msg: str
    input: Any = None
    ctx: dict | None = None


def _errs(exc: Any, prefix: tuple = ()) -> list[_Err]:
    return [
        _Err(prefix + tuple(d["loc"]), d["type"], d["msg"], d.get("input"), d.get("ctx"))
        for d in exc.errors(include_url=False)
    ]


def _force(value: Any, path: tuple, out: list[_Err]) -> None:
    """Materialise every lazy ``ValidatorIterator``; collect all item errors."""
    sdk = _sdk()
    if type(value).__name__ == "ValidatorIterator":
        index = 0
        while True:
            try:
                item = next(value)
            except StopIteration:
                break
            except sdk.ValidationError as exc:  # the iterator goes on after an error
                out.extend(_errs(exc, path))
            else:
                _force(item, (*path, index), out)
            index += 1
    elif isinstance(value, dict):
        for key, item in value.items():
            _force(item, (*path, key), out)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _force(item, (*path, index), out)


def _strict(adapter: Any, value: Any) -> tuple[Any, list[_Err]]:
    """validate_python + forcing; returns (validated or None, errors)."""
    sdk = _sdk()
    try:
        result = adapter.validate_python(value)
    except sdk.ValidationError as exc:
        return None, _errs(exc)
    errors: list[_Err] = []
    _force(result, (), errors)
    return result, errors


# --------------------------------------------------------------------------------------
# Union-noise reduction
# --------------------------------------------------------------------------------------

_DATA, _BRANCH = True, False


@dataclass
class _Located:
    steps: list  # [(is_data, element)], is_data=False for union-branch labels
    placeholder: bool  # the error is about the type of a placeholder value
    err: _Err

    def data_path(self, start: int = 0) -> list:
        return [el for is_data, el in self.steps[start:] if is_data]


def _locate(err: _Err, data: Any) -> _Located:
    """Split a pydantic loc into data steps (keys/indices of ``data``) and branch labels."""
    steps: list = []
    cur: Any = data
    inside = True  # still walking real data
    placeholder = False
    last = len(err.loc) - 1
    for i, el in enumerate(err.loc):
        if inside and isinstance(cur, dict):
            if el in cur:
                steps.append((_DATA, el))
                cur = cur[el]
                continue
            if i == last and err.type == "missing":
                steps.append((_DATA, el))
                inside = False
                continue
        elif inside and isinstance(cur, (list, tuple)) and isinstance(el, int) and 0 <= el < len(cur):
            steps.append((_DATA, el))
            cur = cur[el]
            continue
        elif inside and isinstance(cur, str) and isinstance(el, int):
            # a str iterated where an iterable was expected
            placeholder = placeholder or is_placeholder(cur)
            steps.append((_DATA, el))
            inside = False
            continue
        if inside and is_placeholder(cur):
            placeholder = True
        steps.append((_BRANCH, el))
    if inside and is_placeholder(cur):
        placeholder = True
    if err.type in ("extra_forbidden", "missing"):
        placeholder = False  # a wrong key is wrong whatever the value
    return _Located(steps, placeholder, err)


def _branch_score(errs: list[_Located], depth: int) -> tuple:
    kind = type_ = role = False
    for e in errs:
        rel = e.data_path(depth)
        if not rel:
            kind = True  # the value itself has the wrong kind for this member
        elif rel == ["type"] and e.err.type == "literal_error":
            type_ = True
        elif rel == ["role"] and e.err.type == "literal_error":
            role = True
    return (kind, type_, role, len(errs))


def _resolve(errs: list[_Located], depth: int = 0) -> list[_Located]:
    """Drop placeholder-caused errors and keep one member per failing union.

    Returns [] when the errors are fully explained by placeholders.  Without
    placeholders the result is never empty if ``errs`` was not.
    """
    kept = [e for e in errs if len(e.steps) == depth and not e.placeholder]
    groups: dict = {}
    for e in errs:
        if len(e.steps) > depth:
            groups.setdefault(e.steps[depth], []).append(e)
    branches = {}
    for step, group in groups.items():
        if step[0] is _DATA:
            kept.extend(_resolve(group, depth + 1))
        else:
            branches[step[1]] = _resolve(group, depth + 1)
    if branches and all(branches.values()):
        ranked = sorted(branches.items(), key=lambda kv: _branch_score(kv[1], depth + 1))
        _best_label, best = ranked[0]
        score = _branch_score(best, depth + 1)
        prefix = [s for s in best[0].steps[:depth]]
        if score[0]:
            # No member even has the right kind (dict/str/list) for this value.
            labels = ", ".join(_label(label) for label in branches)
            got = best[0].err.input
            kept.append(_Located(prefix, False, _Err((), "union", f"Input should match one of: {labels}", got)))
        elif score[1]:
            # Every member rejects the `type` discriminator.
            expected: list[str] = []
            for errs_ in branches.values():
                for e in errs_:
                    if e.data_path(depth + 1) == ["type"] and e.err.ctx and "expected" in e.err.ctx:
                        for part in str(e.err.ctx["expected"]).replace(" or ", ", ").split(", "):
                            if part not in expected:
                                expected.append(part)
            value = next(e.err.input for e in best if e.data_path(depth + 1) == ["type"])
            kept.append(
                _Located(
                    [*prefix, (_DATA, "type")],
                    False,
                    _Err((), "literal_error", "Input should be one of " + ", ".join(expected), value),
                )
            )
        else:
            kept.extend(best)
    return kept


def _label(label: Any) -> str:
    text = str(label)
    for container in ("list", "dict", "set", "tuple"):
        if text.startswith(container + "["):
            return container
    return text


def _format(located: _Located, prefix: str = "") -> str:
    path = ".".join(str(p) for p in located.data_path())
    path = prefix + path if path else (prefix.rstrip(".") or "body")
    msg = located.err.msg
    if located.err.type not in ("missing", "extra_forbidden"):
        msg += f" (got {short_code(located.err.input)})"
    return f"{path}: {msg}"


def short_code(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _report(errors: list[_Err], data: Any, prefix: str = "") -> list[str]:
    lines: list[str] = []
    for located in _resolve([_locate(e, data) for e in errors]):
        line = _format(located, prefix)
        if line not in lines:
            lines.append(line)
    return lines


# --------------------------------------------------------------------------------------
# Item-by-item validation of `input` (Responses) and `messages` (chat)
# --------------------------------------------------------------------------------------


def _item_candidates(item: dict) -> list[_Member]:
    members = _sdk().items
    kind = item.get("type")
    if is_placeholder(kind):
        return list(members)
    candidates = [m for m in members if kind in m.types]
    if "role" in item:
        # An item with a role is a message: only compare members that have a role
        # field, those accepting this role first (EasyInputMessageParam before Message).
        role = item["role"]
        candidates = [m for m in candidates if m.roles] or candidates
        candidates.sort(key=lambda m: not (is_placeholder(role) or role in m.roles))
    return candidates


def _message_candidates(item: dict) -> list[_Member]:
    role = item.get("role")
    if is_placeholder(role):
        return list(_sdk().messages)
    return [m for m in _sdk().messages if role in m.roles]


def _validate_items(items: Iterable[Any], key: str, candidates_of, unknown) -> list[str]:
    sdk = _sdk()
    lines: list[str] = []
    for index, item in enumerate(items):
        where = f"{key}.{index}"
        if is_placeholder(item):
            continue
        if not isinstance(item, dict):
            lines.append(f"{where}: Input should be a dict (got {short_code(item)})")
            continue
        candidates = candidates_of(item)
        if not candidates:
            lines.append(unknown(where, item))
            continue
        best: tuple | None = None
        for rank, member in enumerate(candidates):
            _, raw = _strict(sdk.item_adapter(member.cls), [item])
            # Strip the List index of the single-item list.
            errors = [_Err(e.loc[1:], e.type, e.msg, e.input, e.ctx) for e in raw]
            kept = _resolve([_locate(e, item) for e in errors])
            if not kept:
                best = None
                break
            score = (_branch_score(kept, 0)[:3], len(kept), rank)
            if best is None or score < best[0]:
                best = (score, kept)
        if best is not None:
            for located in best[1]:
                line = _format(located, where + ".")
                if line not in lines:
                    lines.append(line)
    return lines


def _unknown_input_item(where: str, item: dict) -> str:
    known = sorted({t for m in _sdk().items for t in m.types if t is not None})
    return (
        f"{where}.type: unknown input item type {item.get('type')!r} "
        f"(expected 'message' or one of {len(known)} item types, e.g. 'function_call', "
        f"'function_call_output')"
    )


def _unknown_message(where: str, item: dict) -> str:
    if "role" not in item:
        return f"{where}.role: Field required"
    roles = sorted({r for m in _sdk().messages for r in m.roles})
    return (
        f"{where}.role: Input should be one of {', '.join(repr(r) for r in roles)} (got {short_code(item.get('role'))})"
    )


def _validate_body(body: Any, adapter: Any, branches: tuple[str, str], items_key: str, validate_items) -> list[str]:
    sdk = _sdk()
    if not isinstance(body, dict):
        return [f"body: Input should be a dict (got {short_code(body)})"]
    branch = branches[1] if body.get("stream") is True else branches[0]

    lines: list[str] = []
    work = dict(body)
    items = body.get(items_key)
    if isinstance(items, (list, tuple)):
        # Item-by-item, discriminated, for readable errors.
        lines.extend(validate_items(items))
        work[items_key] = []  # keeps a Required key present; an empty list is valid

    raw: list[_Err] = []
    for _ in range(len(work) + 1):
        try:
            result = adapter.validate_python(work)
        except sdk.ValidationError as exc:
            errors = [
                _Err(e.loc[1:], e.type, e.msg, e.input, e.ctx) for e in _errs(exc) if e.loc and e.loc[0] == branch
            ]
            raw.extend(errors)
            # Drop the offending keys and validate again, so that the lazily
            # validated fields of the remaining keys still get forced.
            bad = {e.loc[0] for e in errors if e.loc} & set(work)
            if not bad:
                if not errors:  # defensive: the other branch failed only
                    raw.extend(_errs(exc))
                break
            for key in bad:
                del work[key]
        else:
            _force(result, (), raw)
            break
    lines.extend(_report(raw, body))
    return lines


def validate_responses_body(body: dict) -> list[str]:
    """Strictly validate a Responses create body; ``[]`` means valid.

    Each error is one line, ``"<dotted.path>: <message>"``, e.g.
    ``"input.2.call_id: Field required"`` or ``"messages: Extra inputs are not permitted"``.
    """
    sdk = _sdk()
    lines = _validate_body(
        body,
        sdk.body,
        (sdk.non_streaming, sdk.streaming),
        "input",
        lambda items: _validate_items(items, "input", _item_candidates, _unknown_input_item),
    )
    if isinstance(body, dict):
        lines.extend(_allowed_tools_errors(body.get("tool_choice")))
    return lines


def validate_chat_body(body: dict) -> list[str]:
    """Strictly validate a Chat Completions create body; ``[]`` means valid."""
    sdk = _sdk()
    return _validate_body(
        body,
        sdk.chat_body,
        (sdk.chat_non_streaming, sdk.chat_streaming),
        "messages",
        lambda items: _validate_items(items, "messages", _message_candidates, _unknown_message),
    )


def _allowed_tools_errors(choice: Any) -> list[str]:
    """ToolChoiceAllowedParam.tools is typed ``Iterable[Dict[str, object]]``, so the SDK
    types accept anything inside; its docstring shows the flat Responses shape
    (``{"type": "function", "name": ...}``).  Reject the nested chat shape explicitly."""
    if not (isinstance(choice, dict) and choice.get("type") == "allowed_tools"):
        return []
    tools = choice.get("tools")
    if not isinstance(tools, (list, tuple)):
        return []
    lines = []
    for index, tool in enumerate(tools):
        if isinstance(tool, dict):
            for key in ("function", "custom"):
                if isinstance(tool.get(key), dict):
                    lines.append(
                        f"tool_choice.tools.{index}.{key}: chat-shaped entry; the Responses shape is "
                        f"flat ({{'type': {tool.get('type')!r}, 'name': ...}})"
                    )
    return lines
