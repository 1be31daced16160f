"""The value checks behind three reports, on small modules: what shows a message `content` is a
list (RSP204), where a stream read's None-ness is thrown away (RSP310), and which files are tests
that pin the chat wire format (RSP217), and which are examples and modules that wrap the chat
method (RSP219)."""

from __future__ import annotations

import libcst as cst
import pytest

from migrate.analysis.nodes import Parents, code_of
from migrate.analysis.nones import none_discarded
from migrate.analysis.scopes import resolve_scopes
from migrate.analysis.shapes import Shapes
from migrate.analysis.test_files import (
    chat_wire_line,
    chat_wrapped_at,
    is_example_file,
    is_test_file,
    may_wrap_chat,
)
from migrate.analysis.walk import walk
from migrate.analysis.wire_tests import chat_wire_marker
from migrate.catalog import loader

CATALOG = loader.load()


class _Parents(cst.CSTVisitor):
    def __init__(self) -> None:
        self.parents = Parents()
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parents[node] = self.stack[-1]
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def _module(source: str):
    module = cst.parse_module(source)
    visitor = _Parents()
    walk(module, visitor, formatting=False)
    return module, visitor.parents, resolve_scopes(module)


def _last(parents, text: str) -> cst.CSTNode:
    """The last node (in tree order) whose code is `text`."""
    found = [n for n in parents if isinstance(n, cst.BaseExpression) and code_of(n).strip() == text]
    assert found, text
    return found[-1]


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("def f(q):\n    x = q\n", None),
        ("def f(q: str):\n    x = q\n", None),
        ("def f(q: list[dict]):\n    x = q\n", "annotated"),
        ("def f(q: 'str | None' = None):\n    x = q\n", None),
        ("def f(q: list | None = None):\n    x = q\n", "annotated"),
        ("def f(*q):\n    x = q\n", "`*` parameter"),
        ("q = [1]\nx = q\n", "a list"),
        ("q = 'a'\nq += 'b'\nx = q\n", None),
        ("def parts():\n    return [1]\nx = parts()\n", "which returns"),
        ("def parts() -> list:\n    return g()\nx = parts()\n", "which returns `list`"),
        ("x = list(range(3))\n", "a `list`"),
        ("def list(): ...\nx = list()\n", None),
        ("x = 'a' + 'b'\n", None),
        ("x = {'a': 1}\n", "a dict"),
        ("x = [i for i in range(3)]\n", "a comprehension"),
        ("P = {'a': [1], 'b': 'text'}\nx = P['b']\n", "an item of `P`"),
        ("P = {'a': 'text', 'b': 'more'}\nx = P['b']\n", None),
        ("def f(rows):\n    x = rows[0]\n", None),
    ],
)
def test_shapes_show_a_sequence_only_where_the_module_shows_one(source: str, shown: str | None) -> None:
    _, parents, scopes = _module(source)
    target = next(n for n in parents if isinstance(n, cst.Assign) and code_of(n.targets[0].target).strip() == "x")
    why = Shapes(scopes, parents, CATALOG.sequences).not_text(target.value)
    if shown is None:
        assert why is None
    else:
        assert why is not None and shown in why, why


@pytest.mark.parametrize(
    ("body", "discarded"),
    [
        ("print(c.d)", False),
        ("print(c.d, end='')", False),
        ("print(c.d or '', end='')", True),
        ("print(c.d or '')", False),
        ("print(c.d or 'x', end='')", False),
        ("if c.d:\n        print(c.d)", True),
        ("if c.d is not None and c.d:\n        print(c.d)", True),
        ("if c.d is None:\n        print(c.d)", False),
        ("if c.e:\n        print(c.d)", False),
        ("x = c.d\n    if not x:\n        continue\n    print(x)", True),
        ("x = c.d\n    if x is None:\n        pass\n    print(x)", False),
        ("x = c.d\n    if x is None:\n        continue\n    out.append(x)", True),
        # `break` / `return` end the loop: chat has None on its last chunk, Responses on its first event
        ("x = c.d\n    if x is None:\n        break\n    out.append(x)", False),
        ("x = c.d\n    if not x:\n        return out\n    out.append(x)", False),
        ("x = c.d\n    print(x if x else '')", True),
        ("if (x := c.d) is not None:\n        print(x)", True),
        ("out.extend(y for y in [c.d] if y)", False),
        ("out.append(c.d is None)", True),
        ("if c.d:\n        pass\n    print(c.d)", False),
    ],
)
def test_none_is_thrown_away_only_where_the_value_is_tested(body: str, discarded: bool) -> None:
    source = f"out = []\nfor c in stream:\n    {body}\n"
    _, parents, scopes = _module(source)
    read = _last(parents, "c.d")
    assert none_discarded(read, parents, scopes) is discarded


@pytest.mark.parametrize(
    ("path", "test"),
    [
        ("test_app.py", True),
        ("app_test.py", True),
        ("conftest.py", True),
        ("tests/helpers.py", True),
        ("pkg/test/data.py", True),
        ("app/tests.py", False),
        ("app/llm.py", False),
        ("testing/app.py", False),
    ],
)
def test_test_files_are_told_by_their_path(path: str, test: bool) -> None:
    assert is_test_file(path, CATALOG.wire_tests) is test


@pytest.mark.parametrize(
    ("source", "marked"),
    [
        ('"""Tests of /chat/completions."""\n', False),
        ('URL = "https://api.openai.com/v1/chat/completions"\n', True),
        ("assert span.name == 'openai.chat'\n", True),
        ("assert span.name == 'openai.response'\n", False),
        ("from openai.types.chat import ChatCompletion\nx: ChatCompletion\n", False),
        ("from openai.types.chat import ChatCompletion as C\nx = C(id='1')\n", True),
        ("from openai.types.chat import ChatCompletion\nx = ChatCompletion.model_validate({})\n", True),
        ("import pytest\n\n@pytest.mark.vcr\ndef test_x(): ...\n", True),
        ("import pytest\n\n@pytest.mark.parametrize('a', [1])\ndef test_x(a): ...\n", False),
        ("import respx\nrouter = respx.MockRouter()\n", True),
        ("client.chat.completions.create = fake\n", True),
        ("client.chat.completions.create(model='m')\n", False),
        ("monkeypatch.setattr(client.chat.completions, 'create', fake)\n", True),
    ],
)
def test_chat_wire_marks(source: str, marked: bool) -> None:
    _, parents, scopes = _module(source)
    found = chat_wire_marker("tests/test_x.py", parents, scopes, CATALOG.wire_tests)
    assert (found is not None) is marked
    assert chat_wire_marker("app/x.py", parents, scopes, CATALOG.wire_tests) is None


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"import app\n\n\ndef test_ask():\n    assert app.ask('x')\n", None),
        (b"import app\n\nROUTE = 'https://api.openai.com/v1/chat/completions'\n", 3),
        (b"x = 1\nwith mock.patch('openai.resources.chat.completions.Completions.create'):\n    pass\n", 2),
        (b"FAKE = ChatCompletion(id='chatcmpl-1')\n", 1),
        (b"completion = client.chat.completions.create(model='m')\n", None),
    ],
)
def test_test_files_that_mock_the_chat_endpoint_are_found_by_their_bytes(data: bytes, line: int | None) -> None:
    assert chat_wire_line(data, CATALOG.wire_tests) == line


def test_absolute_paths_under_the_current_directory_are_read_from_it(monkeypatch, tmp_path) -> None:
    project = tmp_path / "test"  # the project itself lives in a directory named like tests
    (project / "app").mkdir(parents=True)
    monkeypatch.chdir(project)
    assert not is_test_file(str(project / "app" / "llm.py"), CATALOG.wire_tests)
    assert is_test_file(str(project / "app" / "test_llm.py"), CATALOG.wire_tests)


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("examples/openai/sync.py", True),
        ("packages/sample-app/sample_app/guard.py", True),
        ("docs/tutorials/tracing/llm.py", True),
        ("demo/app.py", True),
        ("app/example.py", False),
        ("app/examples.py", False),
        ("src/lib/llm.py", False),
    ],
)
def test_example_files_are_told_by_their_path(path: str, example: bool) -> None:
    assert is_example_file(path, CATALOG.wire_tests) is example


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (
            b"from wrapt import wrap_function_wrapper\n\n"
            b"wrap_function_wrapper('openai.resources.chat.completions', 'Completions.create', w)\n",
            (3, "openai.resources.chat.completions"),
        ),
        (b'TRACED = [\n    ("openai.resources.chat", "Completions", "create"),\n]\n', (2, "openai.resources.chat")),
        (
            b"wrap(module='openai.resources.beta.chat.completions', name='Completions.parse')\n",
            (1, "openai.resources.beta.chat.completions"),
        ),
        (b"patch('openai.resources.chat.Completions.create')\n", (1, "openai.resources.chat.Completions.create")),
        (b'"""Wraps "openai.resources.chat.completions"."""\n', None),  # a docstring
        (b'def f():\n    """See "openai.resources.chat"."""\n', None),
        (b"# wrap 'openai.resources.chat.completions' here\n", None),  # a comment
        (b"from openai.resources.chat.completions import Completions\n", None),  # an import
        (b"wrap('openai.resources.responses', 'Responses.create', w)\n", None),
        (b"wrap('openai.resources.chat' +\n", None),  # does not parse
    ],
)
def test_modules_that_wrap_the_chat_method_are_found(data: bytes, found: tuple[int, str] | None) -> None:
    assert chat_wrapped_at(data, CATALOG.wire_tests) == found


@pytest.mark.parametrize(
    ("path", "own"),
    [
        ("agentops/instrumentation/providers/openai/instrumentor.py", True),
        ("src/promptflow-tracing/promptflow/tracing/_integrations/_openai_injector.py", True),
        ("tests/unit/test_instrumentor.py", False),
        ("examples/tracing.py", False),
        ("fixtures/projects/case/before/tracer/instrument.py", False),  # test data
        ("scripts/testing/record.py", False),
        ("notebooks/trace.ipynb", False),
    ],
)
def test_only_the_projects_own_modules_can_wrap_the_chat_method(path: str, own: bool) -> None:
    assert may_wrap_chat(path, CATALOG.wire_tests) is own
