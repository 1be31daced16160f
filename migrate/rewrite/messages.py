"""Convert a literal chat `messages=[...]` list into a Responses `input=[...]` list (docs/api-mapping.md#messages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.nodes import DictView, code_of, short_code, string_value
from migrate.catalog.findings import Finding
from migrate.rewrite.layout import (
    Item,
    element_indent,
    indent_of,
    list_lead,
    make_dict_element,
    quote_like,
    rebuild,
    rekey,
    shift_indent,
)
from migrate.rewrite.shared import Shared

TEXT_ROLES = ("system", "developer", "user")
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)

# What a non-literal `content` value holds: a list literal to convert where it is written (a
# `Shared`), why it may be a list or a dict (a phrase), or None when nothing shows it is not text.
ContentValues = Callable[[cst.BaseExpression], "Shared | str | None"]
PART_KEYS = {"text": {"type", "text", "prompt_cache_breakpoint"}}


class Blocked(Exception):
    """A message or part that can't be converted mechanically."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class Converted:
    node: cst.BaseExpression | None = None
    instructions: cst.BaseExpression | None = None
    # The indentation of the hoisted message's keys (None: on one line): where the lines of a
    # multi-line `instructions` value are indented from, to indent them from the argument's.
    instructions_indent: int | None = None
    # The column (from the same place) where the hoisted content started, after `"content": `:
    # continuation lines aligned with it stay aligned with the value of `instructions=`.
    instructions_column: int | None = None
    # Comments written above (or beside) the hoisted message: they move with it.
    moved_comments: list[cst.Comment] = field(default_factory=list)
    fixes: list[Finding] = field(default_factory=list)
    blockers: list[Finding] = field(default_factory=list)
    # Content part lists given by name: to convert where they are written.
    defined: list[Shared] = field(default_factory=list)
    # Calls of the SDK's message TypedDicts converted as the dicts they build.
    constructed: list[cst.Call] = field(default_factory=list)


def convert_messages(
    value: cst.BaseExpression,
    *,
    hoist_instructions: bool,
    custom_tools: bool,
    values: ContentValues | None = None,
    constructors: frozenset[str] = frozenset(),
) -> Converted:
    out = Converted()
    if not isinstance(value, (cst.List, cst.Tuple)):
        out.blockers.append(
            Finding.of(
                "RSP203", param="messages", expr=short_code(value), why="not a list literal, nor a name bound to one"
            )
        )
        return out
    converter = MessageConverter(
        custom_tools=custom_tools, fixes=out.fixes, values=values, defined=out.defined, constructors=constructors
    )
    converter.constructed = out.constructed
    items: list[Item] = []
    outer_indent = element_indent(value.elements, list_lead(value))
    for index, element in enumerate(value.elements):
        try:
            if not isinstance(element, cst.Element):
                raise Blocked(f"`*{short_code(element.value)}` can't be checked")
            for position, node in enumerate(converter.convert(element.value, outer_indent)):
                items.append(Item(element.with_changes(value=node), index if position == 0 else None))
        except Blocked as blocked:
            out.blockers.append(Finding.of("RSP204", index=index, why=blocked.why))
    if out.blockers:
        return out
    if hoist_instructions and len(items) > 1:
        first = DictView.of(items[0].node.value)
        role = first.str("role") if first else None
        content = first.get("content") if first else None
        if (
            first is not None
            and role in ("system", "developer")
            and first.keys() == {"role", "content"}
            and _is_text_expression(content)
            and id(content) not in converter.part_lists
        ):
            out.instructions = content
            message = items[0].node.value
            if isinstance(message, cst.Dict):
                out.instructions_indent = indent = element_indent(message.elements, message.lbrace.whitespace_after)
                if indent is not None:
                    out.instructions_column = indent + _value_offset(first.items["content"])
            value, out.moved_comments = _detach_first_comments(value, items[0].node)
            items = items[1:]
            out.fixes.append(Finding.of("RSP102", role=role))
    out.node = value.with_changes(elements=rebuild(value.elements, items, list_lead(value)))
    return out


def _value_offset(element: cst.DictElement) -> int:
    """How far from the start of `"key": value` the value starts."""
    return len(code_of(element).split("\n")[0]) - len(code_of(element.value).split("\n")[0])


def _detach_first_comments(
    value: cst.List | cst.Tuple, first: cst.Element
) -> tuple[cst.List | cst.Tuple, list[cst.Comment]]:
    """Take the comments above and beside the first element out of a multi-line list literal."""
    lead = list_lead(value)
    after = first.comma.whitespace_after if isinstance(first.comma, cst.Comma) else None
    if not isinstance(value, cst.List) or not isinstance(lead, cst.ParenthesizedWhitespace):
        return value, []
    if not isinstance(after, cst.ParenthesizedWhitespace):
        return value, []
    comments = [line.comment for line in lead.empty_lines if line.comment is not None]
    if after.first_line.comment is not None:
        comments.append(after.first_line.comment)
    new_lead = lead.with_changes(empty_lines=after.empty_lines, indent=after.indent, last_line=after.last_line)
    return value.with_changes(lbracket=value.lbracket.with_changes(whitespace_after=new_lead)), comments


def _is_text_expression(node: cst.BaseExpression | None) -> bool:
    if node is None:
        return False
    if isinstance(node, (cst.List, cst.Tuple, cst.Dict, cst.Set, cst.ListComp, cst.DictComp)):
        return False
    return string_value(node) is not None or not (isinstance(node, cst.Name) and node.value == "None")


class MessageConverter:
    def __init__(
        self,
        *,
        custom_tools: bool,
        fixes: list[Finding],
        values: ContentValues | None = None,
        defined: list[Shared] | None = None,
        constructors: frozenset[str] = frozenset(),
    ) -> None:
        self.custom_tools = custom_tools
        self.fixes = fixes
        self.values = values
        self.defined = defined if defined is not None else []
        self.part_lists: set[int] = set()  # ids of the `content` values that name a part list
        # Spellings of the SDK's message TypedDicts in this module (see `typed_dict_literal`), and the
        # calls of them converted.
        self.constructors = constructors
        self.constructed: list[cst.Call] = []

    def _text_value(self, content: cst.BaseExpression, where: str, *, parts: bool = True) -> None:
        """A `content` that is not a literal: a list of chat parts there would be sent as it is."""
        if isinstance(content, _STRINGS):
            return
        if isinstance(content, (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
            raise Blocked(
                f"{where} content `{short_code(content)}` is a comprehension: its chat parts can't be converted"
            )
        found = self.values(content) if self.values is not None else None
        if isinstance(found, Shared):
            if not parts:
                raise Blocked(f"{where} content `{short_code(content)}` is a list (assistant content must be a string)")
            if found not in self.defined:
                self.defined.append(found)
            self.part_lists.add(id(content))
        elif found is not None:
            raise Blocked(f"{where} content is {found}: its chat parts would be sent unconverted")

    def convert(self, node: cst.BaseExpression, outer_indent: int | None) -> list[cst.BaseExpression]:
        as_dict = typed_dict_literal(node, self.constructors)
        if as_dict is not node and isinstance(node, cst.Call):
            self.constructed.append(node)
        view = DictView.of(as_dict)
        if view is None:
            raise Blocked(f"`{short_code(node)}` is not a dict literal with literal keys")
        role = view.str("role")
        if role is None:
            raise Blocked("its `role` is not a string literal")
        if role == "function":
            raise Blocked("legacy `function` messages have no call id to pair with")
        if "name" in view:
            raise Blocked("`name` has no Responses equivalent")
        if role in TEXT_ROLES:
            self._only(view, {"role", "content"}, role)
            return [self._text_message(view, role)]
        if role == "assistant":
            return self._assistant(view, outer_indent)
        if role == "tool":
            return [self._tool_output(view)]
        if role == "function":
            raise Blocked("legacy `function` messages have no call id to pair with")
        raise Blocked(f"unknown role {role!r}")

    @staticmethod
    def _only(view: DictView, allowed: set[str], role: str) -> None:
        extra = sorted(view.keys() - allowed)
        if extra:
            raise Blocked(f"{role} message key `{extra[0]}` has no Responses equivalent")

    def _text_message(self, view: DictView, role: str) -> cst.Dict:
        content = view.get("content")
        if content is None:
            raise Blocked(f"{role} message has no `content`")
        if isinstance(content, cst.Name) and content.value == "None":
            raise Blocked(f"{role} message content is None")
        if isinstance(content, cst.Dict):
            raise Blocked("content is a dict, not a string or a list of parts")
        if isinstance(content, (cst.List, cst.Tuple)):
            new_content = content.with_changes(
                elements=[e.with_changes(value=self._part(e, role)) for e in self._elements(content)]
            )
            element = view.items["content"]
            return view.node.with_changes(
                elements=[e.with_changes(value=new_content) if e is element else e for e in view.node.elements]
            )
        self._text_value(content, f"{role} message")
        return view.node

    @staticmethod
    def _elements(node: cst.List | cst.Tuple) -> list[cst.Element]:
        for element in node.elements:
            if not isinstance(element, cst.Element):
                raise Blocked("a content list unpacks `*...`, which can't be checked")
        return list(node.elements)  # type: ignore[arg-type]

    def parts(self, node: cst.BaseExpression, role: str) -> cst.BaseExpression:
        """A list of chat content parts (given by name, see `defined`) as Responses parts."""
        if not isinstance(node, (cst.List, cst.Tuple)):
            raise Blocked(f"content `{short_code(node)}` is not a list literal")
        return node.with_changes(elements=[e.with_changes(value=self._part(e, role)) for e in self._elements(node)])

    def _part(self, element: cst.Element, role: str) -> cst.BaseExpression:
        view = DictView.of(element.value)
        if view is None:
            raise Blocked(f"content part `{short_code(element.value)}` is not a dict literal")
        kind = view.str("type")
        if kind == "text":
            self._only(view, PART_KEYS["text"], "text part")
            return _replace_value(view, "type", "input_text")
        if kind == "image_url":
            return self._image_part(view)
        if kind == "file":
            self.fixes.append(Finding.of("RSP116"))
            return self._lift(view, "file", "input_file", {"file_id", "file_data", "filename"})
        if kind == "input_audio":
            raise Blocked("audio input parts have no Responses equivalent")
        raise Blocked(f"content part type {kind!r} can't be converted")

    def _image_part(self, view: DictView) -> cst.Dict:
        self._only(view, {"type", "image_url", "prompt_cache_breakpoint"}, "image part")
        inner = DictView.of(view.get("image_url"))
        if inner is None or "url" not in inner:
            raise Blocked('`image_url` is not a literal `{"url": ...}` dict')
        extra = sorted(inner.keys() - {"url", "detail"})
        if extra:
            raise Blocked(f"image_url key `{extra[0]}` has no Responses equivalent")
        new = self._lift(view, "image_url", "input_image", {"url", "detail"})
        elements = []
        for e in new.elements:
            if isinstance(e, cst.DictElement) and string_value(e.key) == "url":
                e = rekey(e, "image_url")
            elements.append(e)
        if "detail" not in inner:
            elements.append(make_dict_element("detail", quote_like(view.get("type"), "auto"), view.get("type")))
        items = [Item(e, i if i < len(new.elements) else None) for i, e in enumerate(elements)]
        return new.with_changes(elements=rebuild(new.elements, items, new.lbrace.whitespace_after))

    def _lift(self, view: DictView, key: str, new_type: str, allowed: set[str]) -> cst.Dict:
        """`{"type": key, key: {...}}` -> `{"type": new_type, ...}` (the inner dict's items lifted)."""
        inner = DictView.of(view.get(key))
        if inner is None:
            raise Blocked(f"`{key}` is not a dict literal with literal keys")
        extra = sorted(inner.keys() - allowed)
        if extra:
            raise Blocked(f"{key} key `{extra[0]}` has no Responses equivalent")
        return flatten(view, key, {"type": new_type})

    def _tool_output(self, view: DictView) -> cst.Dict:
        self._only(view, {"role", "tool_call_id", "content"}, "tool")
        if "tool_call_id" not in view or "content" not in view:
            raise Blocked("tool message needs `tool_call_id` and `content`")
        if self.custom_tools:
            raise Blocked("the tool message may answer a custom tool call (custom_tool_call_output)")
        content = view.items["content"]
        if isinstance(content.value, (cst.List, cst.Tuple)):
            parts = [e.with_changes(value=self._part(e, "tool")) for e in self._elements(content.value)]
            content = content.with_changes(value=content.value.with_changes(elements=parts))
        else:
            self._text_value(content.value, "tool message")
        elements = []
        for e in view.node.elements:
            assert isinstance(e, cst.DictElement)  # a static view: no `**`
            key = string_value(e.key)
            if key == "role":
                e = rekey(e, "type").with_changes(value=quote_like(e.value, "function_call_output"))
            elif key == "tool_call_id":
                e = rekey(e, "call_id")
            elif key == "content":
                e = rekey(content, "output")
            elements.append(e)
        return view.node.with_changes(elements=elements)

    def _assistant(self, view: DictView, outer_indent: int | None) -> list[cst.BaseExpression]:
        self._only(view, {"role", "content", "tool_calls"}, "assistant")
        content = view.get("content")
        if "tool_calls" not in view:
            if content is None or isinstance(content, (cst.List, cst.Tuple, cst.Dict)):
                raise Blocked("assistant content must be a string to convert mechanically")
            if isinstance(content, cst.Name) and content.value == "None":
                raise Blocked("assistant content is None")
            self._text_value(content, "assistant message", parts=False)
            return [view.node]
        calls = view.get("tool_calls")
        if not isinstance(calls, (cst.List, cst.Tuple)):
            raise Blocked("`tool_calls` is not a list literal")
        out: list[cst.BaseExpression] = []
        text = string_value(content) if content is not None else None
        is_none = content is None or (isinstance(content, cst.Name) and content.value == "None")
        if not is_none and text is None:
            raise Blocked("assistant content next to `tool_calls` is not a literal (it may be None)")
        if text:
            message = view.node.with_changes(
                elements=[e for e in view.node.elements if string_value(e.key) != "tool_calls"]  # type: ignore[attr-defined]
            )
            out.append(
                message.with_changes(
                    elements=rebuild(
                        view.node.elements,
                        [Item(e, i) for i, e in enumerate(message.elements)],
                        view.node.lbrace.whitespace_after,
                    )
                )
            )
        listed = element_indent(calls.elements, list_lead(calls))
        for element in self._elements(calls):
            # `[{` hugging the dict: where its `}` is shows its indentation.
            inner_indent = listed if listed is not None else _closing_indent(element.value)
            delta = (outer_indent - inner_indent) if outer_indent is not None and inner_indent is not None else 0
            out.append(shift_indent(self._tool_call(element.value), delta))
        return out

    def _tool_call(self, node: cst.BaseExpression) -> cst.Dict:
        view = DictView.of(node)
        if view is None:
            raise Blocked(f"tool call `{short_code(node)}` is not a dict literal")
        kind = view.str("type") or ("function" if "function" in view else None)
        if kind not in ("function", "custom") or "id" not in view or kind not in view:
            raise Blocked("a tool call is not a literal function/custom call with an `id`")
        allowed = {"name", "arguments"} if kind == "function" else {"name", "input"}
        inner = DictView.of(view.get(kind))
        if inner is None or inner.keys() - allowed:
            raise Blocked(f"tool call `{kind}` is not a literal dict of {sorted(allowed)}")
        new_type = "function_call" if kind == "function" else "custom_tool_call"
        flat = flatten(view, kind, {"type": new_type})
        elements = [rekey(e, "call_id") if string_value(e.key) == "id" else e for e in flat.elements]  # type: ignore[arg-type,attr-defined]
        return flat.with_changes(elements=elements)


def typed_dict_literal(node: cst.BaseExpression, constructors: frozenset[str]) -> cst.BaseExpression:
    """`ChatCompletionUserMessageParam(role="user", content=q)`, a call of one of the SDK's message
    TypedDicts (spelled as in `constructors`), is the dict `{"role": "user", "content": q}`: a
    TypedDict class called with keyword arguments builds a plain dict of them, in their order.
    Any other node is returned as it is."""
    if not isinstance(node, cst.Call) or code_of(node.func).strip() not in constructors:
        return node
    shown = code_of(node.func).strip()
    unpacked = next((arg for arg in node.args if arg.star), None)
    if unpacked is not None:
        raise Blocked(
            f"`{shown}(...)` is given `{unpacked.star}{short_code(unpacked.value)}`: its keys can't be checked"
        )
    if any(arg.keyword is None for arg in node.args):
        raise Blocked(f"`{shown}(...)` is given a positional argument: only keyword arguments spell out its keys")
    template = next((arg.value for arg in node.args if isinstance(arg.value, cst.SimpleString)), None)
    elements = [
        cst.DictElement(
            key=quote_like(template, arg.keyword.value),
            value=arg.value,
            comma=arg.comma,
            whitespace_before_colon=cst.SimpleWhitespace(""),
            whitespace_after_colon=cst.SimpleWhitespace(" "),
        )
        for arg in node.args
        if arg.keyword is not None
    ]
    # The whitespace before `)` is the last argument's (after its comma, if it has one).
    closing = node.args[-1].whitespace_after_arg if node.args else cst.SimpleWhitespace("")
    return cst.Dict(
        elements=elements,
        lbrace=cst.LeftCurlyBrace(whitespace_after=node.whitespace_before_args),
        rbrace=cst.RightCurlyBrace(whitespace_before=closing),
        lpar=node.lpar,
        rpar=node.rpar,
    )


def _closing_indent(node: cst.BaseExpression) -> int | None:
    return indent_of(node.rbrace.whitespace_before) if isinstance(node, cst.Dict) else None


def _replace_value(view: DictView, key: str, text: str) -> cst.Dict:
    element = view.items[key]
    return view.node.with_changes(
        elements=[
            e.with_changes(value=quote_like(element.value, text)) if e is element else e for e in view.node.elements
        ]
    )


def flatten(view: DictView, key: str, set_values: dict[str, str] | None = None) -> cst.Dict:
    """`{..., key: {a: 1, b: 2}, ...}` -> `{..., a: 1, b: 2, ...}`, re-indenting the lifted items.

    `set_values` replaces the string values of other keys (e.g. the new `type`); a missing
    `type` key is added first.
    """
    set_values = dict(set_values or {})
    node = view.node
    lead = node.lbrace.whitespace_after
    outer_indent = element_indent(node.elements, lead)
    inner = view.get(key)
    assert isinstance(inner, cst.Dict)
    inner_indent = element_indent(inner.elements, inner.lbrace.whitespace_after)
    delta = outer_indent - inner_indent if outer_indent is not None and inner_indent is not None else 0
    items: list[Item] = []
    like = view.get("type")
    if "type" in set_values and "type" not in view:
        items.append(Item(make_dict_element("type", quote_like(like, set_values.pop("type")), like)))
    for index, element in enumerate(node.elements):
        assert isinstance(element, cst.DictElement)  # a static view: no `**`
        name = string_value(element.key)
        if name == key:
            items.extend(Item(shift_indent(e, delta)) for e in inner.elements)
        elif name in set_values:
            items.append(Item(element.with_changes(value=quote_like(element.value, set_values[name])), index))
        else:
            items.append(Item(element, index))
    return node.with_changes(elements=rebuild(node.elements, items, lead))
