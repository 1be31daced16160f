"""Properties of the whole pipeline on arbitrary modules, and the tool never runs the code it reads.

Modules come from two strategies: `hypothesmith.from_grammar()` (anything the grammar allows)
and `modules()` below (varied real-looking code: every statement kind, decorators, async,
match, f-strings, continuation lines, LF or CRLF, spaces or tabs, BOM or a latin-1 cookie,
with or without a final newline, plus "bait": `completions` in comments, strings, attributes
and legacy `client.completions.create` calls, none of which is a chat call site).

* a file without call sites is byte-identical after `apply` (through the runner, on disk);
* call sites spliced into a module (`spliced()`) end exactly one way each: migrated, reported
  or skipped; the output is exactly the input with each migrated block replaced by that
  block's own migration (nothing else in the file moves), it parses, and a second run
  changes nothing.

(tests/test_properties.py covers the variety of call sites themselves.)
Example counts follow the hypothesis profile (tests/conftest.py): HYPOTHESIS_PROFILE=long
for a thorough local run.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source
from migrate.run import fileio
from migrate.run.tree import run

EXAMPLES = settings().max_examples  # from the loaded profile
SETTINGS = Settings()
GRAMMAR_MODULES = hypothesmith.from_grammar()  # building it costs ~1 s: once
GRAMMAR_EXAMPLES = max(10, EXAMPLES // 5)  # hypothesmith spends ~0.1-0.2 s an example (half are discarded)

# -- a module strategy of our own ---------------------------------------------------------------

NAMES = ["alpha", "beta", "handler", "_private", "Config", "value", "data"]
EXPRS = [
    "1",
    "'text'",
    "None",
    "[1, 2, 3]",
    "{'k': (1, 2)}",
    "a if b else c",
    "not a and b or c",
    "-a ** b @ c // d % e << f >> g & h | i ^ j",
    "a[1:2, ::3]",
    "(yield_ := 5)",
    "f'{value!r:>10} {data}'",
    "lambda a, *b, c=1, **d: (a, b, c, d)",
    "[i for i in range(10) if i % 2]",
    "{k: v for k, v in {}.items()}",
    "b'bytes' rb'raw'",
    "obj.chat.completions",  # bait: an attribute, not a call
    "'chat.completions.create'",  # bait: a string
]
BODIES = ["pass", "return {expr}", "x = {expr}", "...", "print({expr}, sep='')", "raise ValueError({expr})"]
STATEMENTS = [
    "import os",
    "import json as _j",
    "from typing import Any, Optional",
    "x = {expr}",
    "x: int = {expr}",
    "del x",
    "assert x, 'msg'",
    "first = 1; second = 2; third = 3",
    "x = (1,\n{i}2,  # trailing comment\n{i}3)",
    "x = \\\n{i}{expr}",
    "def {name}(a, /, b=2, *args, c, **kw) -> 'Optional[int]':\n{body}",
    "@decorator\n@other.decorator(1)\ndef {name}():\n{body}",
    "class {name}(Base, metaclass=Meta):\n{i}'''Doc with completions in it.'''\n"
    "{i}attr: int = 1\n{i}def m(self):\n{i}{i}{body_}",
    "async def {name}():\n{i}async with a as b:\n{i}{i}await b\n{i}async for i in c:\n{i}{i}yield i",
    "if {expr}:\n{body}\nelif {expr}:\n{body}\nelse:\n{body}",
    "for i in range(3):\n{body}\nelse:\n{body}",
    "while False:\n{body}",
    "try:\n{body}\nexcept (ValueError, KeyError) as e:\n{body}\nfinally:\n{body}",
    "with open('f') as fh, open('g') as gh:\n{body}",
    "match command:\n{i}case [x, y, *rest]:\n{i}{i}pass\n{i}case {{'k': v}}:\n{i}{i}pass\n{i}case _:\n{i}{i}pass",
    "# a comment about client.chat.completions.create(...)",
    "t = '''multi\nline completions\n'''",
    "legacy = client.completions.create(model='davinci', prompt='x')",  # not a chat call
    "other.chat.completions = None",
    "\x0c",
]


@st.composite
def _statement(draw, indent: str) -> str:
    template = draw(st.sampled_from(STATEMENTS))
    expr = lambda: draw(st.sampled_from(EXPRS))  # noqa: E731
    body = lambda: indent + draw(st.sampled_from(BODIES)).format(expr=expr())  # noqa: E731
    return template.format(
        expr=expr(),
        name=draw(st.sampled_from(NAMES)),
        i=indent,
        body=body(),
        body_=draw(st.sampled_from(BODIES)).format(expr=expr()),
    )


@st.composite
def modules(draw) -> tuple[list[str], dict]:
    """(top-level statements, layout): join them with `render`."""
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    statements = draw(st.lists(_statement(indent), min_size=1, max_size=8))
    layout = {
        "nl": draw(st.sampled_from(["\n", "\r\n"])),
        "blank": draw(st.integers(0, 2)),
        "final_newline": draw(st.booleans()),
        "flavour": draw(st.sampled_from(["utf-8", "utf-8", "bom", "latin-1"])),
    }
    return statements, layout


def render(statements: list[str], layout: dict) -> bytes:
    nl = layout["nl"]
    text = (nl * (layout["blank"] + 1)).join(s.replace("\n", nl) for s in statements)
    text += nl if layout["final_newline"] else ""
    if layout["flavour"] == "latin-1":
        return f"# -*- coding: latin-1 -*-{nl}caf\u00e9 = 'cr\u00e8me br\u00fbl\u00e9e'{nl}".encode(
            "latin-1"
        ) + text.encode("latin-1")
    return (b"\xef\xbb\xbf" if layout["flavour"] == "bom" else b"") + text.encode()


# -- call-site blocks to splice ---------------------------------------------------------------

BLOCKS = {
    "migrated": (
        "from openai import OpenAI as _MigOpenAI{k}\n_mig_client{k} = _MigOpenAI{k}()\n"
        "_mig_r{k} = _mig_client{k}.chat.completions.create("
        'model="gpt-4.1", messages=[{{"role": "user", "content": "q{k}"}}])\n'
        "print(_mig_r{k}.choices[0].message.content)\n"
    ),
    "migrated-in-def": (
        "from openai import OpenAI as _MigOpenAI{k}\n_mig_client{k} = _MigOpenAI{k}()\n"
        "def _mig_ask{k}(question):\n"
        "    _r = _mig_client{k}.chat.completions.create("
        'model="gpt-4.1", messages=[{{"role": "user", "content": question}}], temperature=0)\n'
        "    return _r.choices[0].message.content, _r.usage.total_tokens\n"
    ),
    "reported": (
        "from openai import OpenAI as _MigOpenAI{k}\n_mig_client{k} = _MigOpenAI{k}()\n"
        "def _mig_chat{k}(history):\n"
        '    _r = _mig_client{k}.chat.completions.create(model="gpt-4.1", messages=history)\n'
        "    return _r.choices[0].message.content\n"
    ),
    "skipped": (
        "from groq import Groq as _MigGroq{k}\n_mig_g{k} = _MigGroq{k}()\n"
        '_mig_g{k}.chat.completions.create(model="llama", messages=[{{"role": "user", "content": "hi"}}])\n'
    ),
}
_solo: dict[tuple[str, int], bytes] = {}


def solo(kind: str, k: int) -> bytes:
    """The block as it ends up on its own (its migration, or itself)."""
    if (kind, k) not in _solo:
        block = BLOCKS[kind].format(k=k).encode()
        result = migrate_source("block.py", block, SETTINGS)
        assert result.status in ("changed", "unchanged") and len(result.calls) == 1
        assert result.calls[0].outcome == kind.split("-")[0], (kind, result.calls)
        _solo[kind, k] = result.migrated or block
    return _solo[kind, k]


def top_level_boundaries(text: str) -> list[int]:
    """Offsets in `text` where a new top-level statement line could be inserted."""
    tree = ast.parse(text)
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", text):
        starts.append(m.end())
    offsets, previous_end = [], 0
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if first > previous_end and first - 1 < len(starts):
            offsets.append(starts[first - 1])
        previous_end = node.end_lineno or node.lineno
    if text.endswith(("\n", "\r")) or not text:
        offsets.append(len(text))
    if not tree.body:
        offsets.append(0)
    return sorted(set(offsets))


def _check_spliced(parts: list[tuple[str | None, bytes]]) -> None:
    """parts: (block kind or None for module text, bytes). The whole-file properties."""
    data = b"".join(p for _, p in parts)
    kinds = [kind for kind, _ in parts if kind]
    result = migrate_source("spliced.py", data, SETTINGS)
    event(f"status: {result.status}")
    if result.status == "skipped":  # LibCST's known round-trip gaps (e.g. a trailing form feed line)
        assert result.reason.startswith("round-trip") and not _libcst_ok(data) and result.calls == []
        return
    assert result.status in ("changed", "unchanged"), result.reason
    outcomes = [c.outcome for c in result.calls]
    assert sorted(outcomes) == sorted(kind.split("-")[0] for kind in kinds), (outcomes, kinds)
    expected = b"".join(solo(kind, k) if kind else p for k, (kind, p) in enumerate(parts))
    if "migrated" in outcomes:
        assert result.status == "changed" and result.migrated == expected
        ast.parse(result.migrated)
        again = migrate_source("spliced.py", result.migrated, SETTINGS)
        assert again.status == "unchanged" and "migrated" not in [c.outcome for c in again.calls]
        assert len(again.calls) == len(kinds) - outcomes.count("migrated")
    else:
        assert result.status == "unchanged" and result.migrated is None


def _libcst_ok(data: bytes) -> bool:
    import libcst as cst

    try:
        return cst.parse_module(data).bytes == data
    except Exception:
        return False


# -- properties -----------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=max(20, EXAMPLES // 2))
@given(st.lists(modules(), min_size=1, max_size=4))
def test_files_without_call_sites_are_byte_identical_after_apply(generated) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        before = {}
        for i, (statements, layout) in enumerate(generated):
            data = render(statements, layout)
            (root / f"m{i}.py").write_bytes(data)
            before[f"m{i}.py"] = data
        results = list(run([tmp], SETTINGS, write=True))
        for r in results:
            # A bare `x.chat.completions` may be an indirect use (RSP008), so such a file reaches
            # LibCST, whose known round-trip gaps (a form feed line) then skip it, unwritten.
            source = before[Path(r.path).name]
            gap = r.status == "skipped" and r.reason.startswith("round-trip") and not _libcst_ok(source)
            assert r.status == "unchanged" or gap, [(r.path, r.reason) for r in results]
        assert all(r.calls == [] for r in results)
        after = {p.name: p.read_bytes() for p in root.iterdir()}
        assert after == before  # no temporary file either


@pytest.mark.slow
@settings(max_examples=GRAMMAR_EXAMPLES)
@given(GRAMMAR_MODULES)
def test_arbitrary_grammar_modules_are_left_alone(source: str) -> None:
    data = source.encode("utf-8", "surrogatepass")
    for variant in (data, data + b"\n# chat.completions\n_x = _y.chat.completions\n"):
        result = migrate_source("gen.py", variant, SETTINGS)
        assert result.status in ("unchanged", "failed", "skipped") and result.migrated is None
        assert result.calls == []
        assert result.status == "unchanged" or result.reason


@st.composite
def spliced_into_own_modules(draw) -> list[tuple[str | None, bytes]]:
    statements, layout = draw(modules())
    n = len(statements)
    # Blocks go between statements (never above a latin-1 cookie, which must stay on line 1).
    lowest = 1 if layout["flavour"] == "latin-1" else 0
    slots = draw(st.lists(st.tuples(st.integers(lowest, n), st.sampled_from(sorted(BLOCKS))), min_size=1, max_size=3))
    layout = {**layout, "final_newline": True}
    encoding = "latin-1" if layout["flavour"] == "latin-1" else "utf-8"
    parts: list[tuple[str | None, bytes]] = []
    if layout["flavour"] == "bom":
        parts.append((None, b"\xef\xbb\xbf"))
    if layout["flavour"] == "latin-1":
        parts.append((None, render([], {**layout, "final_newline": False})))
    nl = layout["nl"]
    for index in range(n + 1):
        for slot, kind in slots:
            if slot == index:
                parts.append((kind, BLOCKS[kind].format(k=len(parts)).encode()))
        if index < n:
            parts.append((None, (statements[index].replace("\n", nl) + nl * (layout["blank"] + 1)).encode(encoding)))
    return parts


@pytest.mark.slow
@settings(max_examples=max(20, EXAMPLES // 2))
@given(spliced_into_own_modules())
def test_spliced_call_sites_in_varied_modules(parts) -> None:
    _check_spliced(parts)


@st.composite
def spliced_into_grammar_modules(draw) -> list[tuple[str | None, bytes]]:
    source = draw(GRAMMAR_MODULES)
    try:
        offsets = top_level_boundaries(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)
    data = source.encode("utf-8", "surrogatepass")
    assume(offsets and _libcst_ok(data) and "__future__" not in source)
    chosen = sorted(draw(st.lists(st.sampled_from(offsets), min_size=1, max_size=2)))
    kinds = [draw(st.sampled_from(sorted(BLOCKS))) for _ in chosen]
    parts: list[tuple[str | None, bytes]] = []
    previous = 0
    for offset, kind in zip(chosen, kinds, strict=True):
        parts.append((None, source[previous:offset].encode("utf-8", "surrogatepass")))
        parts.append((kind, BLOCKS[kind].format(k=len(parts)).encode()))
        previous = offset
    parts.append((None, source[previous:].encode("utf-8", "surrogatepass")))
    spliced = b"".join(p for _, p in parts)
    try:
        ast.parse(spliced)
    except (SyntaxError, ValueError):
        assume(False)
    return parts


@pytest.mark.slow
@settings(max_examples=GRAMMAR_EXAMPLES)
@given(spliced_into_grammar_modules())
def test_spliced_call_sites_in_grammar_modules(parts) -> None:
    _check_spliced(parts)


# -- the tool never runs the code it reads ---------------------------------------------------

PLANT = """import pathlib
pathlib.Path({marker!r}).write_text("executed: {name}")
from openai import OpenAI
client = OpenAI()
r = client.chat.completions.create(model="gpt-4.1", messages=[{{"role": "user", "content": "hi"}}])
print(r.choices[0].message.content)
"""


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["console-script-from-inside-the-tree", "python-m-from-outside"])
def test_no_code_in_the_tree_is_executed(tmp_path: Path, launcher: str) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    marker = tmp_path / "EXECUTED"
    # Names Python or a test runner would import on its own, and names of the tool's own imports.
    names = [
        "evil.py",
        "conftest.py",
        "sitecustomize.py",
        "usercustomize.py",
        "setup.py",
        "pkg/__init__.py",
        "pkg/__main__.py",
        "typer.py",
        "libcst.py",
        "rich.py",
        "pathspec.py",
        "openai.py",
        "migrate.py",
    ]
    for name in names:
        (tree / name).write_text(PLANT.format(marker=str(marker), name=name))
    (tree / "evil.pth").write_text(f"import pathlib; pathlib.Path({str(marker)!r}).write_text('pth')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if launcher.startswith("console-script"):
        script = Path(sys.executable).parent / "migrate"
        if not script.exists():
            pytest.skip("no `migrate` console script next to this interpreter")
        cmd, cwd = [str(script), "apply", "."], tree
    else:
        cmd, cwd = [sys.executable, "-m", "migrate", "apply", str(tree)], Path(__file__).resolve().parent.parent
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert not marker.exists(), marker.read_text()
    assert out.returncode == 1, out.stderr
    for name in names:  # read, migrated, never run
        assert "client.responses.create(" in (tree / name).read_text(), name
    assert not any(p.name.endswith(fileio.TMP_SUFFIX) for p in tree.rglob("*"))


# -- a bug in a rewrite never reaches the disk -------------------------------------------------

CHAT = (
    b"from openai import OpenAI\n\nclient = OpenAI()\n"
    b'r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])\n'
    b"print(r.choices[0].message.content)\n"
)


def _broken_rewrite(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    import libcst as cst

    from migrate.engine import plan

    real = plan.migrate_module

    def migrate_module(module, *args, **kwargs):
        result = real(module, *args, **kwargs)
        if how == "unparsable":  # a rewrite that emits invalid Python
            bad = cst.SimpleStatementLine([cst.Expr(cst.Name("lambda"))])
            result.module = result.module.with_changes(body=[*result.module.body, bad])
        else:
            raise KeyError("a bug")
        return result

    monkeypatch.setattr(plan, "migrate_module", migrate_module)


@pytest.mark.parametrize(
    "how, reason",
    [
        (
            "unparsable",
            r"internal error: the rewritten file does not parse \(syntax error at line 6: .*\) after rules? RSP100.* "
            r"at line 4; the file was left unchanged \(please report this\)",
        ),
        (
            "raises",
            r"internal error: KeyError: 'a bug' \(test_reliability\.py:\d+, from pipeline\.py:\d+\); "
            r"the file was left unchanged \(please report this\)",
        ),
    ],
)
def test_a_broken_rewrite_is_reported_and_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, reason: str
) -> None:
    (tmp_path / "a.py").write_bytes(CHAT)
    (tmp_path / "b.py").write_bytes(CHAT.replace(b'"hi"', b'"there"'))
    monkeypatch.delenv("MIGRATE_DEBUG", raising=False)
    _broken_rewrite(monkeypatch, how)
    results = list(run([str(tmp_path)], SETTINGS, write=True))
    assert [r.status for r in results] == ["failed", "failed"]  # each file explained, the run went on
    for r in results:
        assert re.fullmatch(reason, r.reason), r.reason
        assert r.calls == [] and r.migrated is None
    assert (tmp_path / "a.py").read_bytes() == CHAT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py"]


def test_migrate_debug_reraises_bugs(monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_rewrite(monkeypatch, "raises")
    monkeypatch.setenv("MIGRATE_DEBUG", "1")
    with pytest.raises(KeyError):
        migrate_source("a.py", CHAT, SETTINGS)


def test_concurrent_writer_already_wrote_the_same_bytes(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"new\n")  # another run got there first
    fileio.write_atomic(target, b"new\n", expected=b"old\n")  # not an error: nothing to do
    assert target.read_bytes() == b"new\n"
    with pytest.raises(fileio.FileChangedError):
        fileio.write_atomic(target, b"other\n", expected=b"old\n")
    assert target.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]
