"""The `ast` gate finds exactly the call sites LibCST finds, at the positions LibCST gives."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from fixture_cases import cases
from libcst.metadata import MetadataWrapper, PositionProvider

from migrate.analysis.call_sites import find_call_sites
from migrate.catalog import loader as catalog
from migrate.engine.gate import import_statements, scan

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gate_positions_match_libcst(case) -> None:
    data = case.before.read_bytes()
    rules = catalog.load()
    module = cst.parse_module(data)
    sites, _ = find_call_sites(module, rules)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    expected = []
    for site in sites:
        r = positions[site.call]
        expected.append((r.start.line, r.start.column + 1, r.end.line, r.end.column))
    assert scan(ast.parse(data), rules.methods).positions == expected


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gate_lets_every_indirect_use_through(case) -> None:
    """A file whose only uses of chat are indirect (RSP008) must still reach the engine."""
    data = case.before.read_bytes()
    rules = catalog.load()
    indirect: list = []
    find_call_sites(cst.parse_module(data), rules, indirect=indirect)
    found = scan(ast.parse(data), rules.methods)
    assert found.has_sites or not indirect
    if b"# expect: reported RSP008" in data and not found.positions:
        assert found.indirect


def _depth(tree: ast.AST) -> int:
    return 1 + max((_depth(child) for child in ast.iter_child_nodes(tree)), default=0)


@pytest.mark.parametrize("case", CASES[::7], ids=[c.id for c in CASES[::7]])
def test_scan_depth_is_the_tree_depth(case) -> None:
    tree = ast.parse(case.before.read_bytes())
    found = scan(tree, catalog.load().methods)
    assert found.depth == _depth(tree) > 2


def test_scan_names_the_functions_whose_results_may_leave_the_module() -> None:
    source = b"""
import openai
client = openai.OpenAI()
def ask(q):
    return client.chat.completions.create(model="m", messages=[])
async def ask_later(q):
    r = client.chat.completions.create(model="m", messages=[])
    return r
def fire(q):
    client.chat.completions.create(model="m", messages=[])
@cache
def cached(q):
    return client.chat.completions.create(model="m", messages=[])
def unrelated():
    return 1
"""
    assert scan(ast.parse(source), catalog.load().methods).returning == {"ask", "ask_later"}


def test_scan_names_the_module_values_a_call_site_may_convert() -> None:
    source = b"""
import openai
client = openai.OpenAI()
save = {"type": "function", "function": {"name": "save"}}
TOOLS = [save]
_PRIVATE = [save]
FORMAT: dict = {"type": "json_object"}
HISTORY = []
UNUSED = [save]
client.chat.completions.create(model="m", messages=HISTORY, tools=TOOLS, response_format=FORMAT, n=UNUSED)
other(tools=UNUSED)
"""
    found = scan(ast.parse(source), catalog.load().methods).shared_names
    assert found == {"save", "TOOLS", "FORMAT", "HISTORY"}


def test_scan_names_the_values_a_call_site_passes_by_a_name_it_does_not_bind() -> None:
    """`tools=TOOLS` after `from .tools import TOOLS`, `tools=tools.SEARCH`: another module of the
    run may convert them (units.py `requested_values`); names the module binds itself, keywords
    whose value keeps its shape and calls that are not call sites are not listed."""
    source = b"""
import openai
from .tools import TOOLS, FORMAT
from . import tools
client = openai.OpenAI()
LOCAL = [{"type": "function", "function": {"name": "x"}}]
client.chat.completions.create(model="m", messages=history, tools=TOOLS, response_format=FORMAT)
client.chat.completions.create(model="m", messages=[], tools=tools.SEARCH, tool_choice=tools.FORCE)
client.chat.completions.create(model="m", messages=[], tools=LOCAL, functions=self.functions, n=N)
client.beta.chat.completions.parse(model="m", messages=[], response_format=Answer)
other(tools=OTHER)
"""
    found = scan(ast.parse(source), catalog.load().methods).passed_names
    assert set(found) == {
        ("TOOLS", "tools"),
        ("FORMAT", "response_format"),
        ("tools.SEARCH", "tools"),
        ("tools.FORCE", "tool_choice"),
        ("self.functions", "functions"),
    }


def test_scan_names_the_functions_a_result_may_be_passed_to_or_yielded_from() -> None:
    """A function called with arguments next to a call site may get its result (rewrite/helpers.py),
    a generator holding one may yield it: other modules that import them must be seen."""
    source = b"""
import openai
client = openai.OpenAI()
def execute_tool(tool_call):
    return tool_call.function.name
def log(text):
    print(text)
def never_called_here(tool_call):
    return tool_call.id
def stream_answers(qs):
    for q in qs:
        yield client.chat.completions.create(model="m", messages=[])
def run():
    r = client.chat.completions.create(model="m", messages=[])
    for call in r.choices[0].message.tool_calls:
        execute_tool(call)
    log()
"""
    assert scan(ast.parse(source), catalog.load().methods).returning == {"execute_tool", "stream_answers"}


def test_a_run_parses_each_call_site_file_once(tmp_path, monkeypatch) -> None:
    """The gate's findings go with the file to the engine and to the cross-module pre-pass.
    (Files planned together, as a unit, are run through the engine once per round.)"""
    from migrate.catalog.settings import Settings
    from migrate.run.tree import run

    (tmp_path / "helpers.py").write_text(
        "import openai\nc = openai.OpenAI()\ndef ask():\n    return c.chat.completions.create(model='m', messages=[])\n"
    )
    (tmp_path / "other.py").write_text(
        "import openai\nopenai.OpenAI().chat.completions.create(model='m', messages=[])\n"
    )
    (tmp_path / "shell.py").write_text("x = 'tab completions'\n")
    parsed: list[bytes] = []
    real_parse = ast.parse

    def parse(source, *args, **kwargs):
        if isinstance(source, bytes):
            parsed.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    results = list(run([str(tmp_path)], Settings(), write=False))
    monkeypatch.undo()
    assert sorted(len(r.calls) for r in results) == [0, 1, 1]
    assert sorted(parsed) == sorted(p.read_bytes() for p in tmp_path.iterdir())


def test_gate_skips_files_that_only_mention_completions() -> None:
    source = b"import readline\nreadline.set_completer(None)  # shell completions\nx = 'completions'\n"
    assert scan(ast.parse(source), catalog.load().methods).positions == []


@pytest.mark.parametrize("decoys", ["MIN_FILES", "MIN_GATE_FILES"])
def test_negative_path_never_imports_libcst_or_openai(tmp_path, decoys: str) -> None:
    """Not even with workers asked for and more files that mention `completions` than it takes
    to start them (for the engine; for the `ast` gate, whose workers don't load LibCST either):
    files without call sites are settled before any engine worker or LibCST."""
    import subprocess
    import sys

    from migrate.run import pool

    count = getattr(pool, decoys) + 2
    for i in range(count):
        (tmp_path / f"shell{i:02d}.py").write_text("x = 'tab completions'\n")
    (tmp_path / "plain.py").write_text("print(1)\n")
    code = (
        "import sys\nfrom migrate.run.tree import run\nfrom migrate.catalog.settings import Settings\n"
        f"results = list(run([{str(tmp_path)!r}], Settings(), write=False, jobs=2))\n"
        f"assert [r.status for r in results] == ['unchanged'] * {count + 1}, results\n"
        "print(sorted(m for m in ('libcst', 'openai') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


POSITION_SOURCES = [
    pytest.param(
        b"# header\n\n\nimport os\r\n\r\n\r\ndef f():\n    x = (1,\r\n         2)\n\n\n# trailing\n", id="mixed-endings"
    ),
    pytest.param(b"def f():\n\tif x:\n\t\treturn '''a\nb\rc'''\nclass C:  pass\n", id="tabs-cr-in-string"),
    pytest.param(b"x = 1", id="no-final-newline"),
]


@pytest.mark.parametrize("data", [*POSITION_SOURCES, *(pytest.param(c.before.read_bytes(), id=c.id) for c in CASES)])
def test_positions_per_statement_match_a_full_pass(data: bytes) -> None:
    """plan._Positions computes positions one top-level statement at a time; every node must get
    the position a full PositionProvider pass gives it."""
    from migrate.engine.codegen import ModuleCode
    from migrate.engine.plan import _Positions

    rules = catalog.load()
    module = cst.parse_module(data)
    sites, parents = find_call_sites(module, rules)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    per_statement = _Positions(module, parents, sites, None, ModuleCode(module))
    nodes = [node for node in parents if node is not module]
    assert nodes
    assert {node: per_statement[node] for node in nodes} == {node: full[node] for node in nodes}


@pytest.mark.parametrize("case", CASES[::5], ids=[c.id for c in CASES[::5]])
def test_import_statements_are_the_scans_imports(case) -> None:
    """The statements-only walk (for files the gate did not scan) finds what the full walk does."""
    tree = ast.parse(case.before.read_bytes())
    assert sorted(import_statements(tree), key=str) == sorted(scan(tree, catalog.load().methods).imports, key=str)


def test_imports_are_found_wherever_they_stand() -> None:
    source = """
import a.b as c, d
from . import e
from ..f import g as h
from .r import *
def fn():
    try:
        import i
    except ImportError:
        from j import k
    else:
        import l
    finally:
        import m
    with x:
        for y in z:
            while w:
                if v:
                    import n
    match q:
        case 1:
            import o
class C:
    import p
"""
    tree = ast.parse(source)
    expected = [
        (None, 0, ("a.b", "d")),
        ("", 1, ("e",)),
        ("f", 2, ("g",)),
        ("r", 1, ("*",)),
        (None, 0, ("i",)),
        ("j", 0, ("k",)),
        (None, 0, ("l",)),
        (None, 0, ("m",)),
        (None, 0, ("n",)),
        (None, 0, ("o",)),
        (None, 0, ("p",)),
    ]
    assert sorted(import_statements(tree), key=str) == sorted(expected, key=str)
    assert sorted(scan(tree, []).imports, key=str) == sorted(expected, key=str)
