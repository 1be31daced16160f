"""Load the rule catalog and the API mapping tables from the `rules/` data package."""

from __future__ import annotations

import ast
import functools
import re
import string
import sys
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

Safety = Literal["safe", "review", "unsafe", "report-only"]
SAFETIES: tuple[str, ...] = ("safe", "review", "unsafe", "report-only")
# Settings a rule's fix can be switched off through (see Settings.turning_off).
SWITCHES: tuple[str, ...] = ("instructions", "store")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    safety: Safety
    summary: str
    message: str
    level: str = "warning"
    # For an optional fix: the setting that turning the rule off switches off.
    turns_off: str | None = None
    docs: dict[str, str] = field(default_factory=dict)
    # A blocker that leaves the call's result unfollowed: a stream the tool can't read.
    streaming: bool = False
    # In a notebook, when the finding's `line` is an IPython magic or shell command: the
    # arguments rendered instead (`{subject}` is the `name` the replaced argument starts with).
    at_magic: dict[str, str] = field(default_factory=dict)

    @property
    def args(self) -> frozenset[str]:
        """The arguments `message` takes."""
        return template_args(self.message)

    def render(self, args: dict[str, Any]) -> str:
        return self.message.format(**args)


@functools.cache
def template_args(template: str) -> frozenset[str]:
    """The names a `str.format` template takes: `{param}`, `{model.name}` -> param, model."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return frozenset(names)


@dataclass(frozen=True)
class Parameter:
    """What becomes of one chat keyword argument (rules/parameters.toml)."""

    name: str
    action: str
    to: str | None = None
    transform: str | None = None
    fix: str | None = None
    rule: str | None = None
    # For a rename: the smallest integer literal the Responses parameter accepts.
    minimum: int | None = None
    defaults: tuple[Any, ...] = ()
    why: str = ""
    conflicts: tuple[str, ...] = ()
    report_prefix: dict[str, str] | None = None
    # For a transform that accepts a closed set of string literals.
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Method:
    """A recognised chat method path and its Responses counterpart (rules/methods.toml)."""

    path: tuple[str, ...]
    to: tuple[str, ...] = ()
    result: str | None = None
    rule: str | None = None


Segment = tuple[str, Any]  # ("attr", name) | ("index", value) | ("call", None)


@dataclass(frozen=True)
class ResultPath:
    """One read of a result kind (rules/results.toml)."""

    path: tuple[Segment, ...]
    to: tuple[Segment, ...] = ()
    template: str | None = None
    compare: dict[str, str] | None = None
    kind: str | None = None
    fix: str | None = None
    fix_args: tuple[tuple[str, str], ...] = ()
    # A number whose value differs in Responses: it may only key dicts whose keys nobody reads.
    key: bool = False
    # The event type the read has a value on (None on every other): its None-ness must be
    # thrown away where it is read (`none_elsewhere`).
    none_elsewhere: str | None = None
    # For a template that is None on the events it has no value on: the test of the event that
    # has the value, and the value on that event (`narrow`).
    narrow: tuple[str, str] | None = None


@dataclass(frozen=True)
class ValueUses:
    """What may be done with a non-leaf value as a whole (`_uses` in rules/results.toml)."""

    truth: bool = False
    len: bool = False
    none_check: bool = False
    none_kept: bool = False
    iterate: str | None = None
    one_choice: str | None = None
    input_items: str | None = None
    enter: str | None = None


@dataclass(frozen=True)
class KeyedDicts:
    """The dicts a `key = true` read may key (`_keys` in rules/results.toml)."""

    new: frozenset[str] = frozenset()  # what makes an empty dict (besides `{}`), by qualified name
    keyed: frozenset[str] = frozenset()  # methods whose first argument is a key
    keyless: frozenset[str] = frozenset()  # methods that don't show the keys


@dataclass(frozen=True)
class TextLoop:
    """A loop over a stream that uses only its text (`_text_loop` in rules/results.toml)."""

    kind: str = ""  # the kind of the loop's items
    text: tuple[Segment, ...] = ()  # the read of an item's text
    delta: tuple[Segment, ...] = ()  # a value whose `text[-1]` is that read, bound to a name
    choices: tuple[Segment, ...] = ()  # the list whose emptiness marks an item with no text
    finish: tuple[Segment, ...] = ()  # the read that `is None` on every item but the last
    event: str = ""  # the one event type the loop keeps
    field: str = ""  # that event's text
    fix: str = ""
    fix_args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Routes:
    """Every way a server reaches a client besides its class (rules/clients.toml [routes])."""

    keywords: dict[str, str] = field(default_factory=dict)  # keyword -> url / endpoint / provider
    attributes: dict[str, str] = field(default_factory=dict)  # client attribute -> url
    module_attributes: dict[str, str] = field(default_factory=dict)  # `openai.<attr>` -> kind
    environment: dict[str, str] = field(default_factory=dict)  # openai / azure / module(_type) -> variable
    environ: frozenset[str] = frozenset()
    environ_methods: frozenset[str] = frozenset()
    setenv: frozenset[str] = frozenset()
    in_place_wrappers: frozenset[str] = frozenset()
    providers: dict[str, str] = field(default_factory=dict)  # qualified-name prefix -> label

    def provider(self, name: str) -> str | None:
        """The label of the longest `providers` prefix of a qualified name."""
        found = [p for p in self.providers if name == p or name.startswith(p + ".")]
        return self.providers[max(found, key=len)] if found else None


@dataclass(frozen=True)
class Clients:
    openai_classes: frozenset[str]
    azure_classes: frozenset[str]
    module_client: str
    client_methods: frozenset[str]
    transparent_decorators: frozenset[str]
    property_decorators: frozenset[str]
    openai_hosts: frozenset[str]
    azure_host_suffixes: tuple[str, ...]
    other_sdks: dict[str, str]
    wrappers: dict[str, str]
    wrapper_keywords: frozenset[str]
    tool_helper_chat: frozenset[str]
    tool_helper_responses: str
    # Azure clients served /responses ([azure_responses]): from this api_version on, compared
    # by the date `azure_api_version_format` captures, or on the v1 API (a base_url path).
    azure_min_api_version: str
    azure_api_version_format: re.Pattern[str]
    azure_v1_path: str
    routes: Routes = field(default_factory=lambda: Routes())

    def azure_api_version_date(self, version: str) -> str | None:
        """The date an Azure `api_version` spelling gives (`2025-03-01-preview` -> 2025-03-01), or None."""
        match = self.azure_api_version_format.match(version)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Annotations:
    """Chat types in annotations and the Responses types they become (rules/annotations.toml)."""

    # kind -> {chat type qualified name: Responses type qualified name}
    types: dict[str, dict[str, str]] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    union: frozenset[str] = frozenset()
    sequence: frozenset[str] = frozenset()
    anything: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()
    # list kind -> the kind of its items
    lists: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sequences:
    """What shows a value is a list or a dict, not text ([sequences] in rules/values.toml)."""

    constructors: frozenset[str] = frozenset()
    annotations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MessageParams:
    """The SDK's message TypedDicts ([message_params] in rules/values.toml): the classes a call of
    which builds a message dict, and how a message list annotation naming them is retyped."""

    constructors: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()  # the list forms retyped (`list[...]`, `List[...]`)
    types: dict[str, str] = field(default_factory=dict)  # chat message type -> Responses item type

    def annotations(self) -> Annotations:
        """The table rewrite/annotations.py reads: kind `input_list` is a `list[...]` of `input_item`."""
        return Annotations(types={"input_item": self.types}, sequence=self.lists, lists={"input_list": "input_item"})


@dataclass(frozen=True)
class WireTests:
    """What marks a test module that pins the chat wire format (rules/tests.toml)."""

    files: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    doubles: frozenset[str] = frozenset()
    builders: frozenset[str] = frozenset()
    patched: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    # A project module wrapping the chat method names it by a string starting with one of these.
    instruments: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()  # directory globs of examples, sample apps, tutorials, demos
    test_data: tuple[str, ...] = ()  # directory globs of test data: no wrapper there counts


@dataclass(frozen=True)
class Catalog:
    rules: dict[str, Rule]
    parameters: dict[str, Parameter]
    methods: dict[tuple[str, ...], Method]
    results: dict[str, tuple[ResultPath, ...]]
    value_uses: dict[str, ValueUses]
    # Groups of result fixes that must not all apply to one call: (fix codes, why).
    not_together: tuple[tuple[frozenset[str], str], ...]
    clients: Clients
    keyed_dicts: KeyedDicts = KeyedDicts()
    text_loop: TextLoop | None = None
    annotations: Annotations = Annotations()
    sequences: Sequences = Sequences()
    message_params: MessageParams = MessageParams()
    wire_tests: WireTests = WireTests()

    def rule(self, code: str) -> Rule:
        try:
            return self.rules[code]
        except KeyError:
            raise KeyError(f"rule {code} is not in the catalog (rules/rules.toml)") from None


_SEGMENT = re.compile(r"\.?([A-Za-z_][A-Za-z_0-9]*)|\[(-?\d+|\*)\]|\(\)")


def parse_path(text: str) -> tuple[Segment, ...]:
    """Parse `choices[0].message.content` / `parse()` into segments."""
    segments: list[Segment] = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"bad result path {text!r} at {pos}")
        if m.group(1) is not None:
            segments.append(("attr", m.group(1)))
        elif m.group(2) is not None:
            segments.append(("index", "*" if m.group(2) == "*" else int(m.group(2))))
        else:
            segments.append(("call", None))
        pos = m.end()
    return tuple(segments)


def format_path(segments: tuple[Segment, ...]) -> str:
    out = []
    for kind, value in segments:
        if kind == "attr":
            out.append(f".{value}")
        elif kind == "index":
            out.append(f"[{value}]" if not str(value).startswith("<") else "[...]")
        else:
            out.append("()" if value is None else "(...)")
    return "".join(out)


def _load_toml(name: str) -> dict[str, Any]:
    data = resources.files("migrate.rules").joinpath(name).read_bytes()
    return tomllib.loads(data.decode("utf-8"))


def _rules(raw: dict[str, Any]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    doc_keys = ("what", "why", "example", "use_instead", "fix_safety")
    for entry in raw["rule"]:
        if entry["safety"] not in SAFETIES:
            raise ValueError(f"{entry['code']}: unknown safety {entry['safety']!r}")
        if entry.get("turns_off") not in (None, *SWITCHES):
            raise ValueError(f"{entry['code']}: unknown turns_off {entry['turns_off']!r}")
        if entry["code"] in rules:
            raise ValueError(f"duplicate rule code {entry['code']}")
        rule = rules[entry["code"]] = Rule(
            code=entry["code"],
            name=entry["name"],
            safety=entry["safety"],
            summary=entry["summary"],
            message=entry["message"],
            level=entry.get("level", "warning"),
            turns_off=entry.get("turns_off"),
            docs={k: entry[k] for k in doc_keys if k in entry},
            streaming=entry.get("streaming", False),
            at_magic=dict(entry.get("at_magic", {})),
        )
        if rule.at_magic and ("line" not in rule.args or not rule.at_magic.keys() <= rule.args):
            raise ValueError(f"{rule.code}: at_magic replaces arguments its message lacks (or it has no `line`)")
        if any(template_args(t) - {"subject"} for t in rule.at_magic.values()):
            raise ValueError(f"{rule.code}: at_magic templates may only use {{subject}}")
    return rules


# The mapping keys of parameters.toml each action reads, and those it can't do without.
_ACTION_KEYS = {
    "keep": {"report_prefix"},
    "rename": {"to", "fix", "conflicts", "minimum"},
    "transform": {"transform", "fix", "values"},
    "drop-default": {"rule", "defaults", "why"},
    "unsupported": {"rule", "defaults", "why"},
}
_ACTION_NEEDS = {"rename": {"to", "fix"}, "transform": {"transform"}, "drop-default": {"rule"}, "unsupported": {"rule"}}
_MAPPING_KEYS = frozenset(key for keys in _ACTION_KEYS.values() for key in keys)


def _check_parameter(name: str, entry: dict[str, Any]) -> None:
    """A mapping key the entry's action does not read (a `fix` nothing records, say) is an error,
    and so is a missing one the action needs; other keys (documentation) are not checked here."""
    action = entry.get("action")
    if action not in _ACTION_KEYS:
        raise ValueError(f"parameters.toml [{name}]: unknown action {action!r}")
    unread = (entry.keys() & _MAPPING_KEYS) - _ACTION_KEYS[action]
    if unread:
        raise ValueError(f"parameters.toml [{name}]: action {action!r} reads no {sorted(unread)}")
    missing = _ACTION_NEEDS.get(action, set()) - entry.keys()
    if missing:
        raise ValueError(f"parameters.toml [{name}]: action {action!r} needs {sorted(missing)}")


def _parameters(raw: dict[str, Any]) -> dict[str, Parameter]:
    for name, entry in raw.items():
        _check_parameter(name, entry)
    return {
        name: Parameter(
            name=name,
            action=entry["action"],
            to=entry.get("to"),
            transform=entry.get("transform"),
            fix=entry.get("fix"),
            rule=entry.get("rule"),
            minimum=entry.get("minimum"),
            defaults=tuple(ast.literal_eval(d) for d in entry.get("defaults", ())),
            why=entry.get("why", ""),
            conflicts=tuple(entry.get("conflicts", ())),
            report_prefix=entry.get("report_prefix"),
            values=tuple(entry.get("values", ())),
        )
        for name, entry in raw.items()
    }


def _methods(raw: dict[str, Any]) -> dict[tuple[str, ...], Method]:
    methods = {}
    for key, entry in raw.items():
        path = tuple(key.split("."))
        methods[path] = Method(
            path=path,
            to=tuple(entry["to"].split(".")) if "to" in entry else (),
            result=entry.get("result"),
            rule=entry.get("rule"),
        )
    return methods


def _results(raw: dict[str, Any]) -> tuple[dict[str, tuple[ResultPath, ...]], dict[str, ValueUses]]:
    kinds: dict[str, tuple[ResultPath, ...]] = {}
    uses: dict[str, ValueUses] = {}
    for kind, table in raw.items():
        if kind.startswith("_"):
            continue
        paths = []
        for key, entry in table.items():
            if key == "_uses":
                uses[kind] = ValueUses(**entry)
                continue
            if key == "_doc":  # documentation only (scripts/gen_rules_table.py)
                continue
            forms = [k for k in ("to", "template", "compare") if k in entry]
            if len(forms) != 1:
                raise ValueError(f"results.toml [{kind}] {key!r}: give exactly one of to / template / compare")
            paths.append(
                ResultPath(
                    path=parse_path(key),
                    to=parse_path(entry.get("to", "")),
                    template=entry.get("template"),
                    compare=entry.get("compare"),
                    kind=entry.get("kind"),
                    fix=entry.get("fix"),
                    fix_args=tuple(sorted(entry.get("fix_args", {}).items())),
                    key=entry.get("key", False),
                    none_elsewhere=entry.get("none_elsewhere"),
                    narrow=(entry["narrow"]["event"], entry["narrow"]["read"]) if "narrow" in entry else None,
                )
            )
        # Longest paths first, so the most specific read wins.
        kinds[kind] = tuple(sorted(paths, key=lambda p: -len(p.path)))
    for kind, reads in kinds.items():
        for p in reads:
            if p.kind is not None and p.kind not in kinds:
                raise ValueError(f"results.toml [{kind}] leads to unknown kind {p.kind!r}")
    for kind, use in uses.items():
        for leads_to in (use.iterate, use.enter):
            if leads_to is not None and leads_to not in kinds:
                raise ValueError(f"results.toml [{kind}] leads to unknown kind {leads_to!r}")
    return kinds, uses


def _text_loop(raw: dict[str, Any]) -> TextLoop:
    paths = {key: parse_path(raw[key]) for key in ("text", "delta", "choices", "finish")}
    if paths["delta"] + paths["text"][-1:] != paths["text"]:
        raise ValueError("results.toml [_text_loop]: `text` must be `delta` and one more segment")
    return TextLoop(
        kind=raw["kind"],
        event=raw["event"],
        field=raw["field"],
        fix=raw["fix"],
        fix_args=tuple(sorted(raw.get("fix_args", {}).items())),
        **paths,
    )


def _clients(raw: dict[str, Any]) -> Clients:
    azure = raw["azure_responses"]
    clients = Clients(
        openai_classes=frozenset(raw["openai_classes"]),
        azure_classes=frozenset(raw["azure_classes"]),
        module_client=raw["module_client"],
        client_methods=frozenset(raw["client_methods"]),
        transparent_decorators=frozenset(raw["transparent_decorators"]),
        property_decorators=frozenset(raw["property_decorators"]),
        openai_hosts=frozenset(raw["openai_hosts"]),
        azure_host_suffixes=tuple(raw["azure_host_suffixes"]),
        other_sdks=dict(raw["other_sdks"]),
        wrappers=dict(raw["wrappers"]),
        wrapper_keywords=frozenset(raw["wrapper_keywords"]),
        tool_helper_chat=frozenset(raw["tool_helper"]["chat"]),
        tool_helper_responses=raw["tool_helper"]["responses"],
        azure_min_api_version=azure["min_api_version"],
        azure_api_version_format=re.compile(azure["api_version_format"]),
        azure_v1_path=azure["v1_path"].rstrip("/"),
        routes=_routes(raw["routes"], raw["providers"]),
    )
    if clients.azure_api_version_date(clients.azure_min_api_version) is None:
        raise ValueError("clients.toml [azure_responses]: min_api_version does not match api_version_format")
    return clients


def _routes(raw: dict[str, Any], providers: dict[str, str]) -> Routes:
    kinds = {"keywords": {"url", "endpoint", "provider"}, "attributes": {"url"}}
    kinds["module_attributes"] = {"url", "endpoint", "api_type"}
    for table, allowed in kinds.items():
        for key, kind in raw[table].items():
            if kind not in allowed:
                raise ValueError(f"clients.toml [routes] {table}.{key}: unknown kind {kind!r}")
    if set(raw["environment"]) != {"openai", "azure", "module", "module_type"}:
        raise ValueError("clients.toml [routes] environment: needs exactly openai, azure, module and module_type")
    return Routes(
        keywords=dict(raw["keywords"]),
        attributes=dict(raw["attributes"]),
        module_attributes=dict(raw["module_attributes"]),
        environment=dict(raw["environment"]),
        environ=frozenset(raw["environ"]),
        environ_methods=frozenset(raw["environ_methods"]),
        setenv=frozenset(raw["setenv"]),
        in_place_wrappers=frozenset(raw["in_place_wrappers"]),
        providers=dict(providers),
    )


def _annotations(raw: dict[str, Any], kinds: dict[str, Any]) -> Annotations:
    forms = raw.get("_forms", {})
    types = {kind: dict(table) for kind, table in raw.items() if not kind.startswith("_")}
    for kind in (*types, *forms.get("lists", {}), *forms.get("lists", {}).values()):
        if kind not in kinds:
            raise ValueError(f"annotations.toml names unknown kind {kind!r}")
    return Annotations(
        types=types,
        optional=frozenset(forms.get("optional", ())),
        union=frozenset(forms.get("union", ())),
        sequence=frozenset(forms.get("list", ())),
        anything=frozenset(forms.get("any", ())),
        generic=frozenset(forms.get("generic", ())),
        lists=dict(forms.get("lists", {})),
    )


def _message_params(raw: dict[str, Any]) -> MessageParams:
    table = raw["message_params"]
    return MessageParams(
        constructors=frozenset(table["constructors"]), lists=frozenset(table["list"]), types=dict(table["types"])
    )


def _sequences(raw: dict[str, Any]) -> Sequences:
    table = raw["sequences"]
    return Sequences(constructors=frozenset(table["constructors"]), annotations=frozenset(table["annotations"]))


def _wire_tests(raw: dict[str, Any]) -> WireTests:
    return WireTests(
        files=tuple(raw["files"]),
        strings=tuple(raw["strings"]),
        names=frozenset(raw["names"]),
        prefixes=tuple(raw["prefixes"]),
        doubles=frozenset(raw["doubles"]),
        builders=frozenset(raw["builders"]),
        patched=tuple(raw["patched"]),
        mentions=tuple(raw["mentions"]),
        instruments=tuple(raw["instruments"]),
        examples=tuple(raw["examples"]),
        test_data=tuple(raw["test_data"]),
    )


@functools.cache
def load() -> Catalog:
    raw_results = _load_toml("results.toml")
    results, value_uses = _results(raw_results)
    not_together = tuple(
        (frozenset(group["fixes"]), group["why"]) for group in raw_results.get("_not_together", {}).values()
    )
    catalog = Catalog(
        rules=_rules(_load_toml("rules.toml")),
        parameters=_parameters(_load_toml("parameters.toml")),
        methods=_methods(_load_toml("methods.toml")),
        results=results,
        value_uses=value_uses,
        not_together=not_together,
        clients=_clients(_load_toml("clients.toml")),
        keyed_dicts=KeyedDicts(**{k: frozenset(v) for k, v in raw_results.get("_keys", {}).items()}),
        text_loop=_text_loop(raw_results["_text_loop"]) if "_text_loop" in raw_results else None,
        annotations=_annotations(_load_toml("annotations.toml"), results),
        sequences=_sequences(_load_toml("values.toml")),
        message_params=_message_params(_load_toml("values.toml")),
        wire_tests=_wire_tests(_load_toml("tests.toml")),
    )
    _check_references(catalog)
    return catalog


def _check_references(catalog: Catalog) -> None:
    """Every code the data tables name must be a catalog rule."""
    named: list[str] = []
    for p in catalog.parameters.values():
        named += [c for c in (p.fix, p.rule) if c]
        if p.report_prefix:
            named.append(p.report_prefix["rule"])
    named += [m.rule for m in catalog.methods.values() if m.rule]
    named += [r.fix for paths in catalog.results.values() for r in paths if r.fix]
    named += [code for group, _ in catalog.not_together for code in group]
    if catalog.text_loop is not None:
        named.append(catalog.text_loop.fix)
    missing = sorted(set(named) - catalog.rules.keys())
    if missing:
        raise ValueError(f"rules/ data names codes missing from rules.toml: {missing}")
    # A result read's fix gets its message's arguments from the data alone (`fix_args`).
    for kind, paths in catalog.results.items():
        for r in paths:
            given = {name for name, _ in r.fix_args}
            if (r.fix_args and r.fix is None) or (r.fix and given != catalog.rules[r.fix].args):
                raise ValueError(
                    f"results.toml [{kind}] {format_path(r.path)!r}: fix_args {sorted(given)} do not match "
                    f"{r.fix}'s message, which takes {sorted(catalog.rules[r.fix].args) if r.fix else []}"
                )
