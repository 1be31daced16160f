"""The rule catalog is the single source of rule codes: code, data and fixtures agree with it.

The code is read with `ast`, not grepped: a rule code is *used* where a string literal that is
exactly a code appears in an expression (docstrings and comments are prose), and a finding is
*made* by `Finding.of(code, **args)` or by a helper that forwards its code to it (found by the
scan: `_Request.fix` / `.block`, ...). Each place a finding is made must say where its code
comes from, so that every code the tool can emit is known: a literal, the helper's own
argument, another finding's `.code`, or a field of the mapping data in rules/.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fixture_cases import FIXTURES, markers

from migrate.catalog import loader as catalog
from migrate.catalog.findings import Finding, FindingError

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"RSP\d{3}")

# Where a finding's code may come from besides a literal: fields of the mapping data, by the
# expression that reads them, and which codes the data can put there (`rule` of a parameter,
# of a `report_prefix`, of a method; `fix` of a result read, whose arguments are data too).
DATA_FIELDS = {
    "parameter.rule": lambda c: {p.rule for p in c.parameters.values() if p.rule},
    "prefix['rule']": lambda c: {p.report_prefix["rule"] for p in c.parameters.values() if p.report_prefix},
    "site.method.rule": lambda c: {m.rule for m in c.methods.values() if m.rule},
    "entry.fix": lambda c: {r.fix for paths in c.results.values() for r in paths if r.fix},
    "self.spec.fix": lambda c: {c.text_loop.fix} if c.text_loop else set(),
    # `_Request.fixed(keyword)`: the `fix` of that keyword in parameters.toml (checked per call below),
    # and `self.fixed(name)` in `apply`, for a rename.
    "self.ctx.catalog.parameters[keyword].fix": lambda c: {p.fix for p in c.parameters.values() if p.fix},
    "fixed(name)": lambda c: {p.fix for p in c.parameters.values() if p.action == "rename" and p.fix},
}
# A helper that records the `fix` parameters.toml gives its first argument, a keyword.
FIXED = "fixed"
# Rules no fixture can produce, each with why (prefer adding a fixture): none today.
NOT_IN_FIXTURES: dict[str, str] = {}


@dataclass
class Made:
    """One place in the code that makes a finding."""

    where: str
    source: str  # "literal", "forwarded", "remade", or a DATA_FIELDS key
    code: str | None  # the literal code, or the keyword of a `fixed(...)` call
    keywords: frozenset[str] | None  # the message arguments given; None: passed on with `**`


@dataclass
class Scan:
    used: dict[str, list[str]] = field(default_factory=dict)  # literal code -> where
    made: list[Made] = field(default_factory=list)
    forwarders: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id == "Finding":
            return f"Finding.{func.attr}"
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _own_calls(scope: ast.AST):
    """The calls of a module or function, not those of the functions defined in it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _positional(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    return names[1:] if names and names[0] in ("self", "cls") else names


def _code_arg(call: ast.Call, index: int) -> ast.expr | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == "code"), None)


@functools.cache
def scan() -> Scan:
    trees = {
        path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(), filename=str(path))
        for path in sorted((ROOT / "migrate").rglob("*.py"))
    }
    out = Scan()
    # Helpers that pass their own code argument on to Finding.of (or to another such helper):
    # name -> (the position of the code argument, the message arguments the helper adds).
    makers: dict[str, tuple[int, frozenset[str]]] = {"Finding.of": (0, frozenset())}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for fn in _functions(tree):
                params = _positional(fn)
                for call in _own_calls(fn):
                    maker = makers.get(_callee(call) or "")
                    arg = _code_arg(call, maker[0]) if maker else None
                    if maker and isinstance(arg, ast.Name) and arg.id in params and fn.name not in makers:
                        added = frozenset(k.arg for k in call.keywords if k.arg is not None)
                        makers[fn.name] = (params.index(arg.id), maker[1] | added)
                        grew = True
    out.forwarders = {k: v for k, v in makers.items() if k != "Finding.of"}

    for rel, tree in trees.items():
        prose = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        }
        strings = (n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
        for node in strings:
            if CODE.fullmatch(node.value) and id(node) not in prose:
                out.used.setdefault(node.value, []).append(f"{rel}:{node.lineno}")
        for fn in [tree, *_functions(tree)]:  # each call once, with the function it is in
            params = [] if isinstance(fn, ast.Module) else _positional(fn)
            # Locals bound to a field of the data (`code = ...parameters[keyword].fix`).
            data_locals = {
                t.id: ast.unparse(n.value)
                for n in ast.walk(fn)
                if isinstance(n, ast.Assign) and isinstance(n.value, (ast.Attribute, ast.Subscript))
                for t in n.targets
                if isinstance(t, ast.Name) and ast.unparse(n.value) in DATA_FIELDS
            }
            for call in _own_calls(fn):
                _classify(call, rel, fn, params, data_locals, makers, out)
    return out


def _classify(call, rel, fn, params, data_locals, makers, out: Scan) -> None:
    name = _callee(call)
    where = f"{rel}:{call.lineno}"
    if name == "Finding":
        out.problems.append(f"{where}: make findings with Finding.of, which checks them")
        return
    if name == FIXED:
        arg = call.args[0] if call.args else None
        keywords = frozenset(k.arg for k in call.keywords if k.arg is not None)
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            out.made.append(Made(where, FIXED, arg.value, keywords))
        elif isinstance(arg, ast.Name) and fn.name == "apply":  # a rename
            out.made.append(Made(where, "fixed(name)", None, keywords))
        else:
            out.problems.append(f"{where}: `{FIXED}` takes a keyword literal (or a rename's name in `apply`)")
        return
    if name not in makers:
        return
    arg = _code_arg(call, makers[name][0])
    spread = any(k.arg is None for k in call.keywords)
    keywords = None if spread else frozenset(k.arg for k in call.keywords if k.arg != "code") | makers[name][1]
    text = ast.unparse(arg) if arg is not None else ""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        source = "literal"
    elif isinstance(arg, ast.Name) and arg.id in params and fn.name in makers:
        source = "forwarded"
    elif isinstance(arg, ast.Attribute) and arg.attr == "code" and spread:
        source = "remade"  # another finding made again, with its own arguments
    elif text in DATA_FIELDS:
        source = text
    elif isinstance(arg, ast.Name) and arg.id in data_locals:
        source = data_locals[arg.id]
    else:
        out.problems.append(
            f"{where}: `{name}({text}, ...)`: the code comes from somewhere this test does not know "
            "(a literal, the helper's own code argument, `finding.code`, or a DATA_FIELDS entry)"
        )
        return
    out.made.append(Made(where, source, arg.value if source == "literal" else None, keywords))


def _data_codes(c: catalog.Catalog) -> set[str]:
    return {code for fields in DATA_FIELDS.values() for code in fields(c)}


def test_the_scan_sees_the_ways_findings_are_made() -> None:
    """Guard the scan itself: the helpers and every kind of source are found."""
    s = scan()
    assert {"fix", "block"} <= s.forwarders.keys(), s.forwarders
    sources = {m.source for m in s.made}
    assert {"literal", "forwarded", "remade", FIXED, *DATA_FIELDS} <= sources, sources
    assert len(s.used) >= 30
    assert s.problems == []


def test_every_code_the_code_uses_is_in_the_catalog() -> None:
    rules = catalog.load().rules
    unknown = {code: where for code, where in scan().used.items() if code not in rules}
    assert unknown == {}, "codes used in migrate/ but missing from rules/rules.toml"


def test_findings_give_exactly_the_arguments_of_their_templates() -> None:
    c = catalog.load()
    wrong = []
    for made in scan().made:
        if made.source == "literal":
            codes = {made.code}
        elif made.source == FIXED:
            parameter = c.parameters.get(made.code)  # type: ignore[arg-type]
            if parameter is None or parameter.fix is None:
                wrong.append(f"{made.where}: {FIXED}({made.code!r}): parameters.toml gives it no `fix`")
                continue
            codes = {parameter.fix}
        else:
            continue
        for code in codes:
            if code in c.rules and made.keywords != c.rules[code].args:
                given = "**..." if made.keywords is None else sorted(made.keywords)
                wrong.append(f"{made.where}: {code} given {given}; its message takes {sorted(c.rules[code].args)}")
    assert wrong == []


def test_findings_from_the_data_get_the_arguments_their_templates_take() -> None:
    """A code the data names gets the arguments the code gives every code from that field
    (it may use fewer: RSP208 renders without `param`)."""
    c = catalog.load()
    wrong = []
    for made in scan().made:
        if made.source in DATA_FIELDS and made.keywords is not None:
            for code in DATA_FIELDS[made.source](c):
                if not c.rules[code].args <= made.keywords:
                    takes = sorted(c.rules[code].args)
                    wrong.append(f"{made.where}: {code} takes {takes}; given {sorted(made.keywords)}")
    assert wrong == []


def test_every_rule_can_be_produced_and_is_exercised_by_a_fixture() -> None:
    c = catalog.load()
    rules = set(c.rules)
    producible = set(scan().used) | _data_codes(c)
    assert producible - rules == set(), "codes the tool can emit that rules/rules.toml lacks"
    assert rules - producible == set(), "rules nothing in the code or the mapping data can emit"
    exercised: set[str] = set()
    for path in FIXTURES.rglob("*.py"):
        for outcome, codes in markers(path.read_text()).values():
            exercised |= codes
            if outcome == "migrated":
                exercised.add("RSP100")  # every migrated call; markers list the other fixes
    assert NOT_IN_FIXTURES.keys() <= rules
    assert rules - exercised - NOT_IN_FIXTURES.keys() == set(), (
        "rules no fixture exercises (add one whose marker names it)"
    )


def test_every_fix_in_parameters_toml_is_read() -> None:
    """A rename's `fix` is recorded by `apply`; a transform's only where it calls `fixed(keyword)`."""
    parameters = catalog.load().parameters
    fixed = {m.code for m in scan().made if m.source == FIXED}
    unread = {p.name for p in parameters.values() if p.fix and p.action != "rename" and p.name not in fixed}
    assert unread == set(), "parameters.toml `fix` values no transform records"
    assert {k for k in fixed if parameters.get(k) is None or parameters[k].fix is None} == set()


def test_finding_of_rejects_unknown_codes_and_missing_arguments() -> None:
    assert Finding.of("RSP201", param="seed", why="no seed").code == "RSP201"
    with pytest.raises(FindingError, match="RSP999"):
        Finding.of("RSP999")
    with pytest.raises(FindingError, match="why"):
        Finding.of("RSP201", param="seed")


def test_a_finding_the_catalog_lacks_fails_its_file_as_an_internal_error(monkeypatch) -> None:
    from migrate.catalog.settings import Settings
    from migrate.engine.pipeline import migrate_source
    from migrate.rewrite import request

    monkeypatch.setitem(request.TRANSFORMS, "reasoning_effort", lambda req, *_: req.fix("RSP999"))
    source = b"""from openai import OpenAI
client = OpenAI()
client.chat.completions.create(model="o3", messages=[], reasoning_effort="low")
"""
    result = migrate_source("x.py", source, Settings())
    assert result.status == "failed"
    assert "internal error: FindingError: rule 'RSP999' is not in the catalog" in result.reason


def test_the_loader_rejects_mapping_keys_an_action_does_not_read() -> None:
    with pytest.raises(ValueError, match="reads no"):
        catalog._check_parameter("stream", {"action": "keep", "fix": "RSP101"})
    with pytest.raises(ValueError, match="needs"):
        catalog._check_parameter("n", {"action": "unsupported", "why": "one generation"})
    catalog._check_parameter("n", {"action": "unsupported", "rule": "RSP201", "doc": "documentation is not checked"})


def test_codes_named_in_prose_exist() -> None:
    """Docstrings, comments, help texts and rules/*.toml prose name only rules that exist."""
    texts = [p.read_text() for p in (*(ROOT / "migrate").rglob("*.py"), *(ROOT / "rules").glob("*.toml"))]
    assert {code for text in texts for code in CODE.findall(text)} - catalog.load().rules.keys() == set()


def test_messages_render_with_their_arguments() -> None:
    from migrate.catalog.findings import Finding

    assert "`seed`" in Finding.of("RSP201", param="seed", why="no seed").message()


def test_annotation_types_exist_in_the_installed_sdk() -> None:
    """Every chat type rules/annotations.toml recognises, and every Responses type it writes,
    can be imported from the SDK under that qualified name."""
    import importlib

    import pytest

    pytest.importorskip("openai")
    missing = []
    for types in catalog.load().annotations.types.values():
        for name in (*types, *types.values()):
            module, _, attr = name.rpartition(".")
            if not hasattr(importlib.import_module(module), attr):
                missing.append(name)
    assert missing == []


def test_message_params_are_the_sdks_message_typeddicts() -> None:
    """rules/values.toml [message_params]: every constructor is a TypedDict class of the SDK
    (calling it builds a plain dict), together every member of `ChatCompletionMessageParam`; every
    type it retypes imports from the SDK, and what it writes is an item `input` takes."""
    import importlib
    import typing

    import pytest
    import typing_extensions

    pytest.importorskip("openai")
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.responses import ResponseInputParam

    def resolve(name: str) -> object:
        module, _, attr = name.rpartition(".")
        return getattr(importlib.import_module(module), attr)

    params = catalog.load().message_params
    classes = {resolve(name) for name in params.constructors}
    assert classes == set(typing.get_args(ChatCompletionMessageParam))
    for cls in classes:
        assert typing_extensions.is_typeddict(cls)
        assert cls(role="user", content="hi") == {"role": "user", "content": "hi"}  # type: ignore[operator]
    for name in (*params.types, *params.types.values()):
        resolve(name)
    assert set(params.types.values()) == {"openai.types.responses.ResponseInputItemParam"}
    # `input`'s list holds a union of the same TypedDicts (by name; the SDK defines them twice).
    (item,) = typing.get_args(ResponseInputParam)
    written = resolve("openai.types.responses.ResponseInputItemParam")
    assert [t.__name__ for t in typing.get_args(item)] == [t.__name__ for t in typing.get_args(written)]


def test_azure_minimum_in_prose_is_the_data() -> None:
    """The first api-version serving /responses on Azure is data (rules/clients.toml); the
    rule docs and docs/api-mapping.md that name it must name that one."""
    clients = catalog.load().clients
    minimum = clients.azure_min_api_version
    rules = catalog.load().rules
    for code in ("RSP006", "RSP007"):
        assert minimum in rules[code].docs["why"], code
    azure = (ROOT / "docs" / "api-mapping.md").read_text().split("### Azure", 1)[1].split("\n## ", 1)[0]
    assert minimum in azure
    assert clients.azure_api_version_date("2025-04-01-preview") == "2025-04-01"
    assert clients.azure_api_version_date("2024-10-21") == "2024-10-21"
    assert clients.azure_api_version_date("preview") is None


def test_route_kinds_are_checked() -> None:
    """A [routes] entry of a kind the resolver doesn't know is a load error, not a silent pass."""
    raw = {
        "keywords": {"base_url": "url", "region": "somewhere"},
        "attributes": {},
        "module_attributes": {},
        "environment": {"openai": "A", "azure": "B", "module": "A", "module_type": "C"},
        "environ": [],
        "environ_methods": [],
        "setenv": [],
        "in_place_wrappers": [],
    }
    with pytest.raises(ValueError, match=r"keywords.region: unknown kind 'somewhere'"):
        catalog._routes(raw, {})
    raw["keywords"] = {"base_url": "url"}
    routes = catalog._routes(raw, {"openai.providers": "a cloud", "openai.providers.bedrock": "Bedrock"})
    assert routes.provider("openai.providers.bedrock") == "Bedrock"
    assert routes.provider("openai.providers.vertex") == "a cloud"
    assert routes.provider("openai.OpenAI") is None


def test_route_environment_variables_are_the_sdks() -> None:
    """The environment variables [routes] follows are the ones the installed SDK reads for a
    client's server, and the route keywords are constructor parameters of its classes."""
    import inspect

    openai = pytest.importorskip("openai")
    routes = catalog.load().clients.routes
    package = Path(openai.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(package.rglob("*.py")))
    for variable in routes.environment.values():
        assert f'environ.get("{variable}")' in source, variable
    parameters = set(inspect.signature(openai.OpenAI).parameters) | set(
        inspect.signature(openai.AzureOpenAI).parameters
    )
    known = {"base_url", "azure_endpoint", "provider"} & set(routes.keywords)
    assert known - {"provider"} <= parameters
