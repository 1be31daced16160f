"""Rewrite the keyword arguments of a chat call into a Responses request (docs/api-mapping.md#parameters).

What happens to each keyword is data (rules/parameters.toml); the transforms named there
are the functions in TRANSFORMS below. `rewrite_request` is pure: the same call gives the
same result, so the planner can run it on the original tree and again on the updated one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.constants import KnownString
from migrate.analysis.messages import Sources
from migrate.analysis.nodes import (
    NOT_LITERAL,
    DictView,
    code_of,
    literal_value,
    short_code,
    string_value,
)
from migrate.catalog.findings import Finding, FindingError
from migrate.catalog.loader import Catalog, Parameter
from migrate.catalog.settings import Settings
from migrate.rewrite.edits import Edit
from migrate.rewrite.layout import (
    Item,
    element_indent,
    first_break,
    indent_of,
    layout_args,
    make_dict,
    make_dict_element,
    one_per_line,
    quote_like,
    rebuild,
    shift_indent,
)
from migrate.rewrite.messages import (
    Blocked,
    ContentValues,
    MessageConverter,
    convert_messages,
    flatten,
)
from migrate.rewrite.shared import Shared


@dataclass
class RequestContext:
    method: str  # "create" or "parse"
    catalog: Catalog
    settings: Settings
    # Spellings of callables that resolve to openai.pydantic_function_tool in this module.
    pydantic_tool_spellings: frozenset[str] = frozenset()
    receiver: str = "the client"
    # The kind of value the method returns (rules/methods.toml `result`).
    result_kind: str | None = "completion"
    # Set once the result's output is found fed back as input (with store=False).
    include_reasoning: bool = False
    # keyword -> what the name it is given refers to (a followed literal, or why not).
    shared: dict[str, Shared | str] = field(default_factory=dict)
    # keyword -> the string a name (or `self.<attr>`) it is given is proven to hold, for the
    # values the mapping checks (`report_prefix`): `model=FT_MODEL`.
    known: dict[str, KnownString] = field(default_factory=dict)
    # What a message `content` given by name or expression holds (see messages.ContentValues).
    values: ContentValues | None = None
    # Why a value may be a list or a dict rather than what its keyword takes (a phrase), or None.
    not_text: Callable[[cst.BaseExpression], str | None] | None = None
    # Where the messages of a `messages=` value built elsewhere come from (analysis.messages).
    message_sources: Sources | None = None
    # Tools given by name in a `tools=` / `functions=` list ((keyword, name): followed, or why
    # not), and functions of tools given by name (`"function": lookup`: its dict, or why not).
    named_tools: dict[tuple[str, str], Shared | str] = field(default_factory=dict)
    named_functions: dict[str, DictView | str] = field(default_factory=dict)


@dataclass
class RequestResult:
    args: list[cst.Arg] = field(default_factory=list)
    whitespace_before_args: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace("")
    fixes: list[Finding] = field(default_factory=list)
    blockers: list[Finding] = field(default_factory=list)
    # Spellings of `pydantic_function_tool` that were renamed (the planner fixes imports).
    renamed_tool_helpers: set[str] = field(default_factory=set)
    # Values passed by name: converted where they are written, shared with other calls.
    shared: list[Shared] = field(default_factory=list)
    definition_edits: list[Edit] = field(default_factory=list)
    # Set when the arguments change what the call returns (`stream=True`: a stream).
    result_kind: str | None = None


class _Request:
    def __init__(self, call: cst.Call, ctx: RequestContext) -> None:
        self.call = call
        self.ctx = ctx
        self.result = RequestResult()
        self.items: list[Item] = []
        self.text: dict[str, cst.BaseExpression] = {}
        self.text_slot: int | None = None
        self.keywords = {a.keyword.value for a in call.args if a.keyword is not None}

    # ------------------------------------------------------------------ helpers
    def fix(self, code: str, **args: object) -> None:
        finding = Finding.of(code, **args)
        if finding not in self.result.fixes:
            self.result.fixes.append(finding)

    def fixed(self, keyword: str, **args: object) -> None:
        """Record the fix rules/parameters.toml gives `keyword` (its `fix`)."""
        code = self.ctx.catalog.parameters[keyword].fix
        if code is None:
            raise FindingError(f"rules/parameters.toml [{keyword}] has no `fix`")
        self.fix(code, **args)

    def block(self, code: str, **args: object) -> None:
        self.result.blockers.append(Finding.of(code, **args))

    def unconvertible(self, keyword: str, value: cst.BaseExpression, why: str = "not a literal") -> None:
        """`keyword=value`, whose shape changes, can't be seen into: RSP203 for the message list,
        RSP205 for the other keywords."""
        if keyword == "messages":
            self.block("RSP203", param=keyword, expr=short_code(value), why=why)
        else:
            self.block("RSP205", param=keyword, expr=short_code(value), why=why)

    def named(self, arg: cst.Arg, keyword: str) -> Shared | None:
        """The followed literal behind `keyword=NAME`, or None after reporting why it can't be."""
        shared = self.ctx.shared.get(keyword)
        if isinstance(shared, Shared):
            return shared
        self.unconvertible(keyword, arg.value, shared if isinstance(shared, str) else "not a literal")
        return None

    def define(
        self,
        shared: Shared,
        convert: Callable[[_Request, cst.BaseExpression], cst.BaseExpression | None],
        target: cst.BaseExpression | None = None,
    ) -> bool:
        """Convert a shared literal (or a message added to a shared list) where it is written:
        checked now, rebuilt from the updated node when applied."""
        if shared.elsewhere:  # converted in the module that defines it
            if shared not in self.result.shared:
                self.result.shared.append(shared)
            return True
        target = shared.literal if target is None else target
        if convert(self, target) is None:
            return False
        call, ctx = self.call, self.ctx

        def build(updated: cst.CSTNode) -> cst.CSTNode:
            new = convert(_Request(call, ctx), updated)  # type: ignore[arg-type]
            if new is None:  # pragma: no cover - the same conversion succeeded when planned
                raise ValueError("a shared literal no longer converts")
            return new

        if shared not in self.result.shared:
            self.result.shared.append(shared)
            if shared.exported:
                self.fix("RSP128", name=shared.binding.value)
        self.result.definition_edits.append(Edit(target, build))
        return True

    def keep(self, arg: cst.Arg, index: int) -> None:
        self.items.append(Item(arg, index))

    def add(self, arg: cst.Arg, name: str, value: cst.BaseExpression, index: int | None) -> None:
        self.items.append(Item(arg.with_changes(keyword=cst.Name(name), value=value), index))

    # ------------------------------------------------------------------ main loop
    def run(self) -> RequestResult:
        parameters = self.ctx.catalog.parameters
        for index, arg in enumerate(self.call.args):
            if arg.star == "**":
                self.block("RSP202", expr=short_code(arg.value))
                continue
            if arg.keyword is None:
                self.block("RSP213")
                continue
            name = arg.keyword.value
            parameter = parameters.get(name)
            if parameter is None:
                if name in self.ctx.catalog.clients.wrapper_keywords:
                    self.block("RSP002", receiver=self.ctx.receiver)
                else:
                    self.block("RSP212", param=name)
                continue
            self.apply(parameter, arg, index)
        if self.result.blockers:
            return self.result
        if self.text:
            self.place_text()
        if "store" not in self.keywords and self.ctx.settings.store == "false":
            self.items.append(Item(_new_arg("store", cst.Name("False"), self.call)))
            self.fix("RSP113")
        if self.ctx.include_reasoning and "include" not in self.keywords:
            value = cst.parse_expression('["reasoning.encrypted_content"]')
            self.items.append(Item(_new_arg("include", value, self.call)))
        laid = layout_args(self.call.args, self.call.whitespace_before_args, self.items)
        if laid is not None:
            self.result.whitespace_before_args, self.result.args = laid
            return self.result
        self.result.args = rebuild(self.call.args, self.items, self.call.whitespace_before_args)
        self.result.whitespace_before_args = self.call.whitespace_before_args
        for position, item in enumerate(self.items):
            self.place_comments(position, item.comments)
        return self.result

    def place_comments(self, position: int, comments: list[cst.Comment]) -> None:
        args = self.result.args
        before = self.result.whitespace_before_args if position == 0 else args[position - 1].comma
        ws = before if position == 0 else getattr(before, "whitespace_after", None)
        if not comments or not isinstance(ws, cst.ParenthesizedWhitespace):
            return
        lines = [cst.EmptyLine(indent=ws.indent, whitespace=ws.last_line, comment=c) for c in comments]
        ws = ws.with_changes(empty_lines=[*ws.empty_lines, *lines])
        if position == 0:
            self.result.whitespace_before_args = ws
        elif isinstance(before, cst.Comma):  # (it has the whitespace found above)
            args[position - 1] = args[position - 1].with_changes(comma=before.with_changes(whitespace_after=ws))

    def apply(self, parameter: Parameter, arg: cst.Arg, index: int) -> None:
        name = parameter.name
        if parameter.action == "keep":
            prefix = parameter.report_prefix
            value = string_value(arg.value)
            shown = repr(value)
            known = self.ctx.known.get(name) if value is None else None
            if known is not None:  # a name bound to a literal: `FT_MODEL`, a parameter's default
                value = known.value
                shown = f"`{short_code(arg.value)}` ({value!r}{', its default' if known.default else ''})"
            if prefix and value is not None and value.startswith(prefix["prefix"]):
                if not self.ctx.settings.unsafe:
                    self.block(prefix["rule"], model=shown)
                    return
                self.fix(prefix["rule"], model=shown)
            self.keep(arg, index)
        elif parameter.action == "rename":
            clash = [c for c in parameter.conflicts if c in self.keywords]
            if clash:
                if name < clash[0]:
                    self.block("RSP210")
                return
            value = literal_value(arg.value)
            minimum = parameter.minimum
            if minimum is not None and isinstance(value, int) and not isinstance(value, bool) and value < minimum:
                self.block("RSP209", param=name, value=value, minimum=minimum)
                return
            self.add(arg, parameter.to or name, arg.value, index)
            self.fixed(name)
        elif parameter.action in ("unsupported", "drop-default"):
            value = literal_value(arg.value)
            if value is not NOT_LITERAL and any(_same(value, d) for d in parameter.defaults):
                self.fix("RSP114", param=name, value=code_of(arg.value).strip())
                return
            assert parameter.rule is not None  # the loader requires it
            self.block(parameter.rule, param=name, why=parameter.why)
        elif parameter.action == "transform":
            transform = TRANSFORMS[parameter.transform or name]
            try:
                transform(self, arg, index, parameter)
            except Blocked as blocked:
                self.block("RSP216", param=name, why=blocked.why)
        else:  # pragma: no cover - guarded by the catalog tests
            raise ValueError(f"unknown action {parameter.action!r} for {name}")

    def place_text(self) -> None:
        like = self.text.get("verbosity")
        pairs = [(k, self.text[k]) for k in ("format", "verbosity") if k in self.text]
        value = make_dict(pairs, like if isinstance(like, cst.SimpleString) else None)
        if any("\n" in code_of(v) for _, v in pairs):
            value = _one_key_per_line(value, self.call)
        arg = _new_arg("text", value, self.call)
        slot = self.text_slot if self.text_slot is not None else len(self.items)
        self.items.insert(slot, Item(arg))


def _one_key_per_line(node: cst.Dict, call: cst.Call) -> cst.Dict:
    """Lay out a new dict argument one key per line, one level deeper than the call's arguments."""
    lead = call.whitespace_before_args
    indent = element_indent(call.args, lead)
    if indent is None or not isinstance(lead, cst.ParenthesizedWhitespace):
        return node
    unit = 4
    for element in node.elements:
        if isinstance(element.value, cst.Dict):
            inner = element_indent(element.value.elements, element.value.lbrace.whitespace_after)
            if inner is not None and inner > indent:
                unit = inner - indent
            break

    def line(width: int) -> cst.ParenthesizedWhitespace:
        return lead.with_changes(
            empty_lines=[], first_line=cst.TrailingWhitespace(), last_line=cst.SimpleWhitespace(" " * width)
        )

    # A trailing comma after the last key when the call's arguments have one (a file formatted
    # by ruff or black has them wherever a bracket is exploded; a file without keeps none).
    magic = bool(call.args) and isinstance(call.args[-1].comma, cst.Comma)
    elements = []
    for position, element in enumerate(node.elements):
        if position < len(node.elements) - 1:
            comma: cst.Comma | cst.MaybeSentinel = cst.Comma(whitespace_after=line(indent + unit))
        else:
            comma = cst.Comma(whitespace_after=line(indent)) if magic else cst.MaybeSentinel.DEFAULT
        elements.append(element.with_changes(value=shift_indent(element.value, unit), comma=comma))
    rbrace = cst.RightCurlyBrace(whitespace_before=cst.SimpleWhitespace("") if magic else line(indent))
    return node.with_changes(
        lbrace=cst.LeftCurlyBrace(whitespace_after=line(indent + unit)), elements=elements, rbrace=rbrace
    )


def _same(value: object, default: object) -> bool:
    """Equal as literals: `0 == 0.0`, but `False` is not `0`."""
    if isinstance(value, bool) or isinstance(default, bool):
        return value is default
    return value == default


def _new_arg(name: str, value: cst.BaseExpression, call: cst.Call) -> cst.Arg:
    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    for arg in call.args:
        if arg.keyword is not None and isinstance(arg.equal, cst.AssignEqual):
            equal = arg.equal
            break
    return cst.Arg(keyword=cst.Name(name), value=value, equal=equal)


# ---------------------------------------------------------------------- transforms


def t_messages(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    if isinstance(arg.value, cst.Name) and isinstance(req.ctx.shared.get("messages"), Shared):
        shared = req.named(arg, "messages")
        if shared is None or not _define_message_list(req, shared):
            return
        req.add(arg, "input", arg.value, index)
        req.fixed("messages")
        return
    if req.ctx.message_sources is not None:  # a list built elsewhere, or made of lists and messages by name
        _pass_through(req, arg, index)
        return
    custom = _has_custom_tools(req.call)
    converted = convert_messages(
        arg.value, hoist_instructions=req.ctx.settings.instructions, custom_tools=custom, values=req.ctx.values
    )
    if converted.moved_comments and not one_per_line(req.call.args, req.call.whitespace_before_args):
        # The comments on the system message would have no line to go to above `instructions=`
        # in a call written on one line: the message stays in the input, comments and all.
        converted = convert_messages(arg.value, hoist_instructions=False, custom_tools=custom, values=req.ctx.values)
    req.result.blockers.extend(converted.blockers)
    if converted.node is None or converted.blockers or not _define_parts(req, converted.defined):
        return
    for finding in converted.fixes:
        req.fix(finding.code, **dict(finding.args))
    if converted.instructions is not None:
        value = converted.instructions
        indent = element_indent(req.call.args, req.call.whitespace_before_args)
        instructions = _new_arg("instructions", value, req.call)
        if indent is not None and converted.instructions_indent is not None:
            delta = indent - converted.instructions_indent
            column = converted.instructions_column
            if column is not None and first_break(value) == column:  # aligned with the value's start
                delta = indent + len(code_of(instructions).split("\n")[0]) - len(code_of(value).split("\n")[0]) - column
            instructions = instructions.with_changes(value=shift_indent(value, delta))
        req.items.append(Item(instructions, comments=converted.moved_comments))
    req.add(arg, "input", converted.node, index)
    req.fixed("messages")


def _pass_through(req: _Request, arg: cst.Arg, index: int) -> None:
    """A message list built elsewhere (analysis.messages): valid Responses input as it is when
    every message the tool sees there is a plain role/content text message, and every part it
    can't see is taken to be one only with --unsafe (RSP218). Nothing is converted: a message
    that would change shape reports the call."""
    found = req.ctx.message_sources
    assert found is not None
    value = arg.value
    if found.refused is not None:
        req.block("RSP203", param="messages", expr=short_code(value), why=found.refused)
        return
    converter = MessageConverter(custom_tools=_has_custom_tools(req.call), fixes=[], values=req.ctx.values)
    for message in found.messages:
        try:
            converted = converter.convert(message, None)
            same = len(converted) == 1 and converted[0] is message and not converter.defined
        except Blocked as blocked:
            req.block("RSP204", index=f"`{short_code(message)}`", why=blocked.why)
            return
        if not same:
            req.block(
                "RSP204",
                index=f"`{short_code(message)}`",
                why="it changes shape for Responses, in a list the tool passes on as it is (built outside"
                " the call, or joined with lists and messages given by name)",
            )
            return
    if found.unseen:
        why = "; ".join(found.unseen)
        if not req.ctx.settings.unsafe:
            req.block("RSP218", expr=short_code(value), why=why)
            return
        req.fix("RSP218", expr=short_code(value), why=why)
    req.add(arg, "input", value, index)
    req.fixed("messages")


def _define_message_list(req: _Request, shared: Shared) -> bool:
    """A message list grown over time: convert its literal and every message added to it.
    (No system message is hoisted: the list may be sent again with later turns.)"""
    if not isinstance(shared.literal, (cst.List, cst.Tuple)):
        req.block("RSP203", param="messages", expr=shared.binding.value, why="it is not bound to a list")
        return False
    if not req.define(shared, _convert_message_list):
        return False
    for method, node in shared.added:
        convert = _convert_message_list if method in ("extend", "iadd") else _convert_one_message
        if not req.define(shared, convert, node):
            return False
    return True


def _convert_message_list(req: _Request, node: cst.BaseExpression) -> cst.BaseExpression | None:
    converted = convert_messages(
        node, hoist_instructions=False, custom_tools=_has_custom_tools(req.call), values=req.ctx.values
    )
    req.result.blockers.extend(converted.blockers)
    for finding in converted.fixes:
        req.fix(finding.code, **dict(finding.args))
    if converted.blockers or not _define_parts(req, converted.defined):
        return None
    return converted.node


def _define_parts(req: _Request, defined: list[Shared]) -> bool:
    """Content part lists a message names (`"content": parts`): converted where written."""
    return all(req.define(shared, _convert_parts) for shared in defined)


def _convert_parts(req: _Request, node: cst.BaseExpression) -> cst.BaseExpression | None:
    fixes: list[Finding] = []
    try:
        new = MessageConverter(custom_tools=_has_custom_tools(req.call), fixes=fixes).parts(node, "user")
    except Blocked as blocked:
        req.block("RSP204", index="named content", why=blocked.why)
        return None
    for finding in fixes:
        req.fix(finding.code, **dict(finding.args))
    return new


def _convert_one_message(req: _Request, node: cst.BaseExpression) -> cst.BaseExpression | None:
    fixes: list[Finding] = []
    try:
        # A tool call lifted out of the message goes where the message was (its `}` shows where).
        outer = indent_of(node.rbrace.whitespace_before) if isinstance(node, cst.Dict) else None
        converter = MessageConverter(custom_tools=_has_custom_tools(req.call), fixes=fixes, values=req.ctx.values)
        items = converter.convert(node, outer)
    except Blocked as blocked:
        req.block("RSP204", index="appended", why=blocked.why)
        return None
    if not _define_parts(req, converter.defined):
        return None
    if len(items) != 1:
        req.block("RSP204", index="appended", why="an appended assistant message with tool calls becomes several items")
        return None
    for finding in fixes:
        req.fix(finding.code, **dict(finding.args))
    return items[0]


def _has_custom_tools(call: cst.Call) -> bool:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "tools" and isinstance(arg.value, (cst.List, cst.Tuple)):
            for element in arg.value.elements:
                view = DictView.of(element.value)
                if view is not None and view.str("type") == "custom":
                    return True
    return False


def t_reasoning_effort(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    req.add(arg, "reasoning", make_dict([("effort", arg.value)], arg.value), index)
    req.fixed("reasoning_effort")


def _text_slot(req: _Request) -> None:
    """`text=` goes where the first of `response_format` / `verbosity` was."""
    if req.text_slot is None:
        req.text_slot = len(req.items)


def t_verbosity(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    _text_slot(req)
    req.text["verbosity"] = arg.value
    req.fixed("verbosity")


def t_response_format(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    value = arg.value
    shared = req.ctx.shared.get("response_format")
    if isinstance(value, (cst.Name, cst.Attribute)) and isinstance(shared, Shared):
        if req.define(shared, _convert_format):
            _text_slot(req)
            req.text["format"] = value
            req.fixed("response_format")
        return
    if not isinstance(value, cst.Dict):
        if req.ctx.method in ("parse", "stream") and isinstance(value, (cst.Name, cst.Attribute, cst.Subscript)):
            why = req.ctx.not_text(value) if req.ctx.not_text is not None else None
            if why is not None:  # a chat `response_format` dict, not a model class
                req.unconvertible("response_format", value, why=f"it is {why}, not a model class")
                return
            req.add(arg, "text_format", value, index)
            req.fix("RSP111", model=code_of(value))
            return
        req.named(arg, "response_format")
        return
    fmt = _convert_format(req, value)
    if fmt is None:
        return
    _text_slot(req)
    req.text["format"] = fmt
    req.fixed("response_format")


def _convert_format(req: _Request, value: cst.BaseExpression) -> cst.BaseExpression | None:
    """A chat `response_format` dict literal as a Responses `text.format` (json_schema flattened)."""
    view = DictView.of(value)
    if view is None:
        raise Blocked("not a dict literal with literal keys")
    return _format_of(req, view)


def _format_of(req: _Request, view: DictView) -> cst.BaseExpression | None:
    value = view.node
    kind = view.str("type")
    if kind in ("text", "json_object"):
        if view.keys() != {"type"}:
            raise Blocked(f"unexpected keys next to type {kind!r}")
        fmt: cst.BaseExpression = value
    elif kind == "json_schema":
        if view.keys() != {"type", "json_schema"}:
            raise Blocked("unexpected keys next to `json_schema`")
        schema = view.items["json_schema"].value
        inner = DictView.of(schema)
        if inner is None:
            raise Blocked(f"`json_schema` is `{short_code(schema)}`, not a dict literal")
        if "schema" not in inner:
            raise Blocked("a json_schema without `schema` (required by Responses)")
        extra = sorted(inner.keys() - {"name", "description", "schema", "strict"})
        if extra:
            raise Blocked(f"json_schema key `{extra[0]}` has no Responses equivalent")
        fmt = flatten(view, "json_schema")
    else:
        raise Blocked(f"unknown response_format type {kind!r}")
    return fmt


def _by_name(req: _Request, value: cst.BaseExpression, keyword: str) -> bool:
    """`keyword=NAME`, or `keyword=module.NAME` of a module of the run (the planner followed it)."""
    return isinstance(value, cst.Name) or (isinstance(value, cst.Attribute) and keyword in req.ctx.shared)


def t_tools(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    if "functions" in req.keywords:
        raise Blocked("both `tools` and legacy `functions` are given")
    value = arg.value
    if _by_name(req, value, "tools"):
        shared = req.named(arg, "tools")
        if shared is not None and req.define(shared, _convert_tools):
            req.keep(arg, index)
        return
    if not isinstance(value, (cst.List, cst.Tuple)):
        req.unconvertible("tools", value)
        return
    new = _convert_tools(req, value)
    if new is not None:
        req.add(arg, "tools", new, index)


def _convert_tools(req: _Request, value: cst.BaseExpression) -> cst.BaseExpression | None:
    if not isinstance(value, (cst.List, cst.Tuple)):
        req.unconvertible("tools", value, why="not a list")
        return None
    elements = []
    for element in value.elements:
        if not isinstance(element, cst.Element):
            req.unconvertible("tools", element.value, why="unpacked into the list")
            return None
        node = element.value
        if isinstance(node, cst.Name):
            if not _define_named_tool(req, "tools", node):
                return None
            elements.append(element)
            continue
        if isinstance(node, cst.Call):
            spelling = code_of(node.func).strip()
            if spelling not in req.ctx.pydantic_tool_spellings:
                req.unconvertible("tools", node, why="a call the tool does not know")
                return None
            new_name = req.ctx.catalog.clients.tool_helper_responses
            elements.append(element.with_changes(value=node.with_changes(func=_rename_helper(node.func, new_name))))
            req.result.renamed_tool_helpers.add(spelling)
            req.fix("RSP112")
            continue
        view = DictView.of(node)
        if view is None:
            req.unconvertible("tools", node, why="not a dict literal")
            return None
        elements.append(element.with_changes(value=_flat_tool(req, view)))
    if any(isinstance(e.value, (cst.Dict, cst.Name)) for e in elements):
        req.fixed("tools")
    return value.with_changes(elements=elements)


def _define_named_tool(req: _Request, keyword: str, node: cst.Name) -> bool:
    """`tools=[save_contact]`: the tool dict is converted where it is written (tool_values)."""
    found = req.ctx.named_tools.get((keyword, node.value))
    if not isinstance(found, Shared):
        req.unconvertible(keyword, node, why=found or "not a dict literal")
        return False
    legacy = keyword == "functions"
    return req.define(found, lambda r, n: _convert_one_tool(r, n, legacy=legacy))


def _convert_one_tool(req: _Request, node: cst.BaseExpression, *, legacy: bool) -> cst.BaseExpression | None:
    view = DictView.of(node)
    if view is None:
        req.unconvertible("functions" if legacy else "tools", node, why="not a dict literal with literal keys")
        return None
    try:
        return _flat_tool(req, view, legacy=legacy)
    except Blocked as blocked:
        req.block("RSP216", param="functions" if legacy else "tools", why=blocked.why)
        return None


def _rename_helper(func: cst.BaseExpression, new: str) -> cst.BaseExpression:
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(new))
    return cst.Name(new)


def _flat_tool(req: _Request, view: DictView, *, legacy: bool = False) -> cst.Dict:
    kind = "function" if legacy else view.str("type")
    if kind == "function" and not legacy and isinstance(view.get("function"), cst.Name):
        return _spread_function(req, view)
    if kind == "function":
        inner = view if legacy else DictView.of(view.get("function"))
        if inner is None:
            raise Blocked("a function tool is not a literal dict")
        extra = sorted(inner.keys() - {"name", "description", "parameters", "strict"})
        if extra or (not legacy and view.keys() != {"type", "function"}):
            outer = sorted(view.keys() - {"type", "function"})
            raise Blocked(f"function tool key `{(extra or outer)[0]}` can't be converted")
        node = _with_items(inner.node, [("type", "function")]) if legacy else flatten(view, "function")
        additions: list[tuple[str, cst.BaseExpression]] = []
        if "parameters" not in inner:
            additions.append(("parameters", cst.Name("None")))
            req.fix("RSP117", tool=inner.str("name") or short_code(inner.get("name") or inner.node))
        strict = inner.get("strict")
        if strict is None:
            additions.append(("strict", cst.Name("False")))
        elif isinstance(strict, cst.Name) and strict.value == "None":
            node = _set_value(node, "strict", cst.Name("False"))
        return _append_items(node, additions)
    if kind == "custom":
        inner = DictView.of(view.get("custom"))
        if inner is None or view.keys() != {"type", "custom"}:
            raise Blocked('a custom tool is not a literal `{"type": "custom", "custom": {...}}`')
        extra = sorted(inner.keys() - {"name", "description", "format"})
        if extra:
            raise Blocked(f"custom tool key `{extra[0]}` can't be converted")
        node = flatten(view, "custom")
        fmt = DictView(node).get("format")  # taken from the lifted (re-indented) items
        if fmt is not None:
            fview = DictView.of(fmt)
            if fview is None:
                raise Blocked("a custom tool `format` is not a dict literal")
            ftype = fview.str("type")
            if ftype == "grammar":
                g = DictView.of(fview.get("grammar"))
                if g is None or fview.keys() != {"type", "grammar"} or g.keys() - {"definition", "syntax"}:
                    raise Blocked("a custom tool grammar is not a literal `{definition, syntax}` dict")
                node = _set_value(node, "format", flatten(fview, "grammar"))
            elif ftype != "text":
                raise Blocked(f"custom tool format type {ftype!r} can't be converted")
        return node
    raise Blocked(f"tool type {kind!r} can't be converted")


def _spread_function(req: _Request, view: DictView) -> cst.Dict:
    """`{"type": "function", "function": lookup}` -> `{"type": "function", **lookup, "strict": False}`:
    the function dict given by name is left as it is (tool_values.follow_function)."""
    name = view.get("function")
    assert isinstance(name, cst.Name)
    inner = req.ctx.named_functions.get(name.value)
    if not isinstance(inner, DictView):
        raise Blocked(inner or f"the function `{name.value}` is not a dict literal")
    extra = sorted(inner.keys() - {"name", "description", "parameters", "strict"})
    if extra or view.keys() != {"type", "function"}:
        outer = sorted(view.keys() - {"type", "function"})
        raise Blocked(f"function tool key `{(extra or outer)[0]}` can't be converted")
    element = view.items["function"]
    spread = cst.StarredDictElement(value=name, comma=element.comma, whitespace_before_value=cst.SimpleWhitespace(""))
    node = view.node.with_changes(elements=[spread if e is element else e for e in view.node.elements])
    additions: list[tuple[str, cst.BaseExpression]] = []
    if "parameters" not in inner:
        additions.append(("parameters", cst.Name("None")))
        req.fix("RSP117", tool=inner.str("name") or name.value)
    strict = inner.get("strict")
    if strict is None or (isinstance(strict, cst.Name) and strict.value == "None"):
        additions.append(("strict", cst.Name("False")))
    return _append_items(node, additions)


def _with_items(node: cst.Dict, first: list[tuple[str, str]]) -> cst.Dict:
    like = node.elements[0].key if node.elements else None  # type: ignore[attr-defined]
    items = [Item(make_dict_element(k, quote_like(like, v), like)) for k, v in first]
    items += [Item(e, i) for i, e in enumerate(node.elements)]
    return node.with_changes(elements=rebuild(node.elements, items, node.lbrace.whitespace_after))


def _append_items(node: cst.Dict, additions: list[tuple[str, cst.BaseExpression]]) -> cst.Dict:
    if not additions:
        return node
    like = node.elements[0].key if node.elements else None  # type: ignore[attr-defined]
    items = [Item(e, i) for i, e in enumerate(node.elements)]
    items += [Item(make_dict_element(k, v, like)) for k, v in additions]
    return node.with_changes(elements=rebuild(node.elements, items, node.lbrace.whitespace_after))


def _set_value(node: cst.Dict, key: str, value: cst.BaseExpression) -> cst.Dict:
    return node.with_changes(
        elements=[
            e.with_changes(value=value) if string_value(e.key) == key else e  # type: ignore[attr-defined]
            for e in node.elements
        ]
    )


def t_tool_choice(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    value = arg.value
    if _by_name(req, value, "tool_choice"):
        shared = req.named(arg, "tool_choice")
        if shared is not None and req.define(shared, _convert_choice):
            req.keep(arg, index)
        return
    if string_value(value) is None and not isinstance(value, cst.Dict):
        req.unconvertible("tool_choice", value)
        return
    new = _convert_choice(req, value)
    if new is not None:
        req.add(arg, "tool_choice", new, index)


def _convert_choice(req: _Request, value: cst.BaseExpression) -> cst.BaseExpression | None:
    text = string_value(value)
    if text is not None:
        if text not in req.ctx.catalog.parameters["tool_choice"].values:
            raise Blocked(f"unknown tool_choice {text!r}")
        return value
    view = DictView.of(value)
    if view is None:
        req.unconvertible("tool_choice", value, why="not a dict literal")
        return None
    new = _flat_choice(view)
    req.fixed("tool_choice")
    return new


def _flat_choice(view: DictView) -> cst.Dict:
    kind = view.str("type")
    if kind in ("function", "custom"):
        inner = DictView.of(view.get(kind))
        if inner is None or inner.keys() != {"name"} or view.keys() != {"type", kind}:
            raise Blocked(f'tool_choice `{kind}` is not a literal `{{"name": ...}}`')
        return flatten(view, kind)
    if kind == "allowed_tools":
        inner = DictView.of(view.get("allowed_tools"))
        if inner is None or inner.keys() != {"mode", "tools"} or view.keys() != {"type", "allowed_tools"}:
            raise Blocked("allowed_tools is not a literal `{mode, tools}` dict")
        tools = inner.get("tools")
        if not isinstance(tools, (cst.List, cst.Tuple)):
            raise Blocked("allowed_tools `tools` is not a list literal")
        flat_tools = []
        for element in tools.elements:
            tview = DictView.of(element.value)
            if tview is None:
                raise Blocked("an allowed tool is not a dict literal")
            flat_tools.append(element.with_changes(value=_flat_choice(tview)))
        flat = flatten(view, "allowed_tools")
        return _set_value(flat, "tools", tools.with_changes(elements=flat_tools))
    raise Blocked(f"tool_choice type {kind!r} can't be converted")


def t_functions(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    if "tools" in req.keywords:
        raise Blocked("both `tools` and legacy `functions` are given")
    value = arg.value
    if _by_name(req, value, "functions"):  # `functions=FUNCTIONS`: converted where it is written
        shared = req.named(arg, "functions")
        if shared is not None and req.define(shared, _convert_functions):
            req.add(arg, "tools", value, index)
            req.fixed("functions", param="functions", to="tools")
        return
    new = _convert_functions(req, value)
    if new is not None:
        req.add(arg, "tools", new, index)
        req.fixed("functions", param="functions", to="tools")


def _convert_functions(req: _Request, value: cst.BaseExpression) -> cst.BaseExpression | None:
    """A legacy `functions` list as Responses function tools."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        req.unconvertible("functions", value, why="not a list literal")
        return None
    elements: list[cst.BaseElement] = []
    for element in value.elements:
        if isinstance(element, cst.Element) and isinstance(element.value, cst.Name):
            if not _define_named_tool(req, "functions", element.value):
                return None
            elements.append(element)
            continue
        view = DictView.of(element.value) if isinstance(element, cst.Element) else None
        if view is None:
            req.unconvertible("functions", element.value, why="not a dict literal")
            return None
        elements.append(element.with_changes(value=_flat_tool(req, view, legacy=True)))
    return value.with_changes(elements=elements)


def t_function_call(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    if "tool_choice" in req.keywords:
        raise Blocked("both `tool_choice` and legacy `function_call` are given")
    value = arg.value
    text = string_value(value)
    if text in parameter.values:
        req.add(arg, "tool_choice", value, index)
    else:
        view = DictView.of(value)
        if view is None or view.keys() != {"name"}:
            req.unconvertible("function_call", value)
            return
        like = view.items["name"].key
        items = [Item(make_dict_element("type", quote_like(like, "function"), like))]
        items += [Item(e, i) for i, e in enumerate(view.node.elements)]
        node = view.node.with_changes(elements=rebuild(view.node.elements, items, view.node.lbrace.whitespace_after))
        req.add(arg, "tool_choice", node, index)
    req.fixed("function_call", param="function_call", to="tool_choice")


def t_stream(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    value = literal_value(arg.value)
    if value is False:
        req.keep(arg, index)
        return
    if value is not True:
        req.block(
            "RSP207",
            why=f"`stream={short_code(arg.value)}` is not a literal, so chunks can't be told from a completion",
        )
        return
    if req.ctx.result_kind != "completion":
        req.block("RSP207", why="a raw streaming response is read line by line in the chat wire format")
        return
    req.result.result_kind = "stream"
    req.keep(arg, index)


def t_stream_options(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    if literal_value(arg.value) is None:
        req.fix("RSP114", param="stream_options", value="None")
        return
    view = DictView.of(arg.value)
    if view is None or view.keys() - {"include_usage", "include_obfuscation"}:
        req.unconvertible("stream_options", arg.value, why="not a literal of known options")
        return
    if "include_usage" not in view:
        req.keep(arg, index)
        return
    req.fixed("stream_options")
    if view.keys() == {"include_usage"}:
        return  # usage always arrives on `response.completed`
    kept = [Item(e, i) for i, e in enumerate(view.node.elements) if string_value(e.key) != "include_usage"]  # type: ignore[attr-defined]
    req.add(
        arg,
        "stream_options",
        view.node.with_changes(elements=rebuild(view.node.elements, kept, view.node.lbrace.whitespace_after)),
        index,
    )


def t_extra_body(req: _Request, arg: cst.Arg, index: int, parameter: Parameter) -> None:
    view = DictView.of(arg.value)
    if view is None:
        if literal_value(arg.value) is None:
            req.keep(arg, index)
            return
        req.block("RSP211", why=f"`{short_code(arg.value)}` is not a dict literal; its keys can't be checked")
        return
    chat_only = {name for name, p in req.ctx.catalog.parameters.items() if p.action != "keep"} - {"stream"}
    clash = sorted(view.keys() & chat_only)
    if clash:
        req.block("RSP211", why=f"carries the chat-only key `{clash[0]}`")
        return
    req.keep(arg, index)


TRANSFORMS: dict[str, Callable[[_Request, cst.Arg, int, Parameter], None]] = {
    "messages": t_messages,
    "reasoning_effort": t_reasoning_effort,
    "response_format": t_response_format,
    "verbosity": t_verbosity,
    "tools": t_tools,
    "tool_choice": t_tool_choice,
    "functions": t_functions,
    "function_call": t_function_call,
    "stream": t_stream,
    "stream_options": t_stream_options,
    "extra_body": t_extra_body,
}


def rewrite_request(call: cst.Call, ctx: RequestContext) -> RequestResult:
    return _Request(call, ctx).run()


# How a value of each keyword that may be defined in another module is converted.
_VALUE_CONVERTERS: dict[str, Callable[[_Request, cst.BaseExpression], cst.BaseExpression | None]] = {
    "tools": _convert_tools,
    "functions": _convert_functions,
    "tool_choice": _convert_choice,
    "response_format": _convert_format,
}


def define_value(shared: Shared, ctx: RequestContext) -> RequestResult:
    """Convert a module-level value where it is written for the calls of other modules that pass
    it as `shared.keyword=` (migrate/engine/units.py `requested_values`): its edits and fixes,
    or the blockers saying why it can't be."""
    req = _Request(cst.Call(func=cst.Name(shared.keyword)), ctx)
    try:
        req.define(shared, _VALUE_CONVERTERS[shared.keyword])
    except Blocked as blocked:
        req.block("RSP216", param=shared.keyword, why=blocked.why)
    return req.result
