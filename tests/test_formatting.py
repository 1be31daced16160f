"""Formatting follows the file: a rewrite adds no trailing whitespace, and a file that
`ruff format --check` accepted before the migration is accepted after it, at its line length.

Checked on every fixture, and on generated modules (hypothesis) laid out as ruff lays them out.
The tool itself never runs a formatter; these tests do, as the judge.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from fixture_cases import FIXTURES, Case, cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.catalog.linelength import line_length
from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source
from migrate.rewrite.wrap import reflow, reflow_compound

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
REWRITES = [c for c in cases() if c.after is not None]

needs_ruff = pytest.mark.skipif(RUFF is None, reason="ruff is not installed")


def ruff_formatted(source: bytes, length: int) -> bytes:
    assert RUFF is not None
    done = subprocess.run(
        [RUFF, "format", "--isolated", "--line-length", str(length), "--stdin-filename", "m.py", "-"],
        input=source,
        capture_output=True,
        check=True,
    )
    return done.stdout


def trailing_whitespace(source: bytes) -> list[int]:
    """Line numbers with spaces or tabs before the line break (ruff W291/W293)."""
    return [n for n, line in enumerate(source.splitlines(), 1) if line != line.rstrip(b" \t\f")]


@pytest.mark.parametrize("case", REWRITES, ids=[c.id for c in REWRITES])
def test_no_trailing_whitespace_added(case: Case) -> None:
    assert case.after is not None
    before, after = case.before.read_bytes(), case.after.read_bytes()
    assert len(trailing_whitespace(after)) <= len(trailing_whitespace(before)), trailing_whitespace(after)


# Formatted before, not after (strict xfails, each must fail until it is fixed). None left: a
# result expression rewritten past the line length is re-wrapped too (rewrite/wrap.py `reflow`).
NOT_YET: dict[str, str] = {}
FORMAT_CASES = [
    pytest.param(c, marks=pytest.mark.xfail(reason=NOT_YET[c.id], strict=True)) if c.id in NOT_YET else c
    for c in REWRITES
]


@needs_ruff
@pytest.mark.parametrize("case", FORMAT_CASES, ids=[c.id for c in REWRITES])
def test_formatted_before_formatted_after(case: Case) -> None:
    assert case.after is not None
    length = line_length(FIXTURES / case.id)
    before = case.before.read_bytes()
    if ruff_formatted(before, length) != before:
        pytest.skip("the fixture is not ruff-formatted as written")
    after = case.after.read_bytes()
    assert ruff_formatted(after, length).decode() == after.decode()


def test_some_fixtures_are_ruff_formatted() -> None:
    """The property above is not vacuous: the layout fixtures are formatted as ruff formats them."""
    if RUFF is None:
        pytest.skip("ruff is not installed")
    layout = [c for c in REWRITES if c.id.startswith("layout/")]
    length = line_length(FIXTURES / "layout")
    formatted = [c for c in layout if ruff_formatted(c.before.read_bytes(), length) == c.before.read_bytes()]
    assert len(formatted) >= 4, [c.id for c in formatted]


PARENTHESIZED = """\
from openai import OpenAI


class Agent:
    def __init__(self) -> None:
        self.client = OpenAI()

    def summarise(self, prompt: str) -> str:
        if prompt:
            the_summary_of_the_whole_document_so_far = (
                self.client.chat.completions.create(
                    model="gpt-4o-mini",
                    messages=[
                        {"role": "user", "content": prompt},
                    ],
                )
            )
            return the_summary_of_the_whole_document_so_far.choices[0].message.content
        return ""
"""


@needs_ruff
def test_parentheses_ruff_added_for_a_long_name_go_when_it_fits() -> None:
    """`x = (\n    client.chat.completions.create(...)\n)`: ruff parenthesized the value because
    the first line was too long; with the shorter `responses.create` it fits and ruff drops
    them. (Not a fixture: a `# expect:` marker on the call's line changes ruff's layout.)"""
    source = PARENTHESIZED.encode()
    assert ruff_formatted(source, 88) == source
    result = migrate_source("m.py", source, Settings(line_length=88))
    assert result.migrated is not None
    out = result.migrated.decode()
    assert "the_summary_of_the_whole_document_so_far = self.client.responses.create(\n" in out
    assert '                model="gpt-4o-mini",\n' in out
    assert ruff_formatted(result.migrated, 88).decode() == out


def test_a_call_inside_another_bracket_is_not_rewrapped() -> None:
    """Ruff splits the outer call first (splitting the inner one would read oddly): its
    argument goes on a line of its own, the rewritten call whole on it."""
    source = (
        b"from openai import OpenAI\n\nclient = OpenAI()\nhistory = [{'role': 'user', 'content': 'hi'}]\n"
        b"print(client.chat.completions.create(model='gpt-4o-mini', messages=history, temperature=0).id)\n"
    )
    result = migrate_source("m.py", source, Settings(line_length=94))
    assert result.migrated is not None
    assert (
        b"print(\n    client.responses.create(model='gpt-4o-mini', input=history, temperature=0, store=False).id\n)\n"
        in result.migrated
    )
    if RUFF is not None:
        quoted = result.migrated.replace(b"'", b'"')  # ruff's quotes, the layout is the point
        assert ruff_formatted(quoted, 94) == quoted


def test_a_call_that_now_overflows_is_rewrapped() -> None:
    source = (
        b"from openai import OpenAI\n\nclient = OpenAI()\nhistory = [{'role': 'user', 'content': 'hi'}]\n"
        b"answer = client.chat.completions.create(model='gpt-4o-mini', messages=history, temperature=0)\n"
        b"print(answer.id)\n"
    )
    result = migrate_source("m.py", source, Settings(line_length=94))
    assert result.migrated is not None
    assert (
        b"answer = client.responses.create(\n    model='gpt-4o-mini', input=history, temperature=0, store=False\n)\n"
        in result.migrated
    )


# ---------------------------------------------------------------------- generated modules

ARGUMENTS = {
    "model": 'model="gpt-4o-mini"',
    "messages": 'messages=[{"role": "user", "content": question}]',
    "system": 'messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}]',
    "temperature": "temperature=0.2",
    "max_tokens": "max_tokens=256",
    "top_p": "top_p=1",
    "max_completion_tokens": "max_completion_tokens=512",
}


@st.composite
def modules(draw: st.DrawFn) -> tuple[bytes, int]:
    extra = draw(st.lists(st.sampled_from(["temperature", "top_p"]), unique=True))
    extra += draw(st.sampled_from([[], ["max_tokens"], ["max_completion_tokens"]]))  # not both: reported
    messages = draw(st.sampled_from(["messages", "system"]))
    order = draw(st.permutations(["model", messages, *extra]))
    args = [ARGUMENTS[name] for name in order]
    magic = draw(st.booleans())  # a magic trailing comma: one argument per line
    if magic:  # comments beside some of the arguments
        noted = draw(st.lists(st.booleans(), min_size=len(args), max_size=len(args)))
        args = [f"{a},  # note {i}\n" if n else a for i, (a, n) in enumerate(zip(args, noted, strict=True))]
    comment = draw(st.sampled_from(["", "  # the request"]))
    depth = draw(st.integers(0, 2))
    name = draw(st.sampled_from(["r", "response", "completion", "completion_for_the_question"]))
    # (Not narrower: at 60 ruff splits the message list itself without a magic trailing comma,
    # and `input=` being 3 columns shorter than `messages=` lets ruff join it again; a value's
    # own layout is left as written.)
    length = draw(st.sampled_from([72, 79, 88, 100, 120]))
    joined = "".join(a if a.endswith("\n") else f"{a}, " for a in args)
    call = (
        f"client.chat.completions.create({joined}){comment}"
        if magic
        else f"client.chat.completions.create({', '.join(args)}){comment}"
    )
    body = f"{name} = {call}\nanswer = {name}.choices[0].message.content\n"
    if draw(st.booleans()):  # a result read rewritten into a longer test (results.py)
        body += f'if {name}.choices[0].finish_reason == "length":\n    print("truncated")\n'
    for level in range(depth):
        body = f"def f{level}(question):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    if depth == 0:
        body = 'question = "hi"\n' + body
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    source = f"from openai import OpenAI\n\nclient = OpenAI()\n\n\n{body}".replace("\n", newline)
    return ruff_formatted(source.encode(), length), length


@needs_ruff
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_generated_modules_stay_formatted(module: tuple[bytes, int]) -> None:
    source, length = module
    result = migrate_source("m.py", source, Settings(line_length=length))
    assert result.status == "changed", result.reason
    assert result.migrated is not None
    out = result.migrated
    assert trailing_whitespace(out) == [], out.decode()
    comments = re.compile(rb"#[^\r\n]*")
    assert sorted(comments.findall(out)) == sorted(comments.findall(source)), out.decode()
    assert ruff_formatted(out, length).decode() == out.decode()


# ------------------------------------------------------------ long result expressions, by shape

# (statement as rewritten, on one line; the line length it no longer fits)
SPLIT = [
    ("answer = response.status == 'incomplete' and response.details is not None and response.details.reason", 60),
    ("return response.status == 'incomplete' or response.details is not None", 50),
    ("text = (chunk.delta if chunk.type == 'response.output_text.delta' else None)", 50),
    ("text = (chunk.delta if chunk.type == 'response.output_text.delta' else None)", 75),
    ("calls[index] += (delta.delta if delta.type == 'delta' else delta.item.arguments) or ''", 60),
    ("print('refused:', next((p.refusal for i in r.output for p in i.content if p.type == 'refusal'), None))", 60),
    ("print('refused:', next((p.refusal for i in r.output for p in i.content if p.type == 'refusal'), None))", 40),
    ("print(next((p.refusal for i in r.output for p in i.content if p.type == 'refusal'), None))", 60),
    ("return ''.join(c for chunk in stream if (c := (chunk.delta if chunk.type == 'delta' else None)))", 80),
    ("calls[current] = {'name': (d.item.name if d.type == 'added' else None), 'arguments': ''}", 60),
    ("x = response.incomplete_details.reason_of_the_thing_and_more == 'max_output_tokens_ok'", 72),
    ("x = response.status == 'incomplete' and response.incomplete_details.reason == 'max_output_tokens'", 50),
]
HEADERS = [
    ("if chunk.type == 'response.completed' and not any(item.type == 'call' for item in chunk.output):", 88),
    ("if chunk.type == 'response.completed' and response.details.reason(with_the_details):", 60),
    ("if response.status == 'incomplete' and response.details is not None:", 50),
    ("while chunk.type == 'response.incomplete' or chunk.response is None:", 50),
    ("for delta in ([chunk] if chunk.type == 'delta' or (chunk.type == 'added' and chunk.item) else []):", 60),
    ("if tool_calls := [item for item in completion.output if item.type == 'function_call']:", 80),
    ("if next((p.refusal for i in r.output for p in i.content if p.type == 'refusal'), None):", 60),
]
# Shapes ruff may split otherwise than modelled: left on one line.
KEPT = [
    "answer = response.status == 'incomplete' and response.details or response.details.reason",
    "answer = response.status == 'incomplete' and response.details.reason(value)[0]",
    "answer = response.output[index_of_the_first_message_in_the_output_of_the_response]",
    "answer = [response.output_text_of_the_response_that_was_returned_by_the_server]",
]


def _quoted(code: str) -> str:
    return code.replace("'", '"')  # ruff's quotes: the layout is what is compared


@needs_ruff
@pytest.mark.parametrize(("code", "length"), SPLIT)
def test_a_long_statement_is_split_as_ruff_splits_it(code: str, length: int) -> None:
    statement = cst.parse_statement(_quoted(code) + "\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    split = cst.Module(body=[reflow(statement, 0, length, "    ")]).code
    assert split != _quoted(code) + "\n"
    assert ruff_formatted(_quoted(code).encode() + b"\n", length).decode() == split  # not only stable


@needs_ruff
@pytest.mark.parametrize(("code", "length"), HEADERS)
def test_a_long_header_is_split_as_ruff_splits_it(code: str, length: int) -> None:
    original = cst.parse_statement(_quoted(code) + "\n    pass\n")
    short = original.with_changes(**{"iter" if isinstance(original, cst.For) else "test": cst.Name("x")})
    split = cst.Module(body=[reflow_compound(short, original, False, 0, length, "    ")]).code
    assert split != _quoted(code) + "\n    pass\n"
    assert ruff_formatted(_quoted(code).encode() + b"\n    pass\n", length).decode() == split


@pytest.mark.parametrize("code", KEPT)
def test_a_shape_not_modelled_is_kept_on_one_line(code: str) -> None:
    statement = cst.parse_statement(code + "\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    assert reflow(statement, 0, 40, "    ") is statement


def test_a_statement_with_a_comment_is_kept() -> None:
    """Where ruff would put the comment is not modelled: the statement stays on its line."""
    statement = cst.parse_statement("answer = response.status == 'incomplete' and response.details  # why\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    assert reflow(statement, 0, 40, "    ") is statement


@needs_ruff
def test_a_header_split_before_is_split_again() -> None:
    """`if (\n    test\n):` whose test grew past the line length inside the parentheses."""
    original = cst.parse_statement("if (\n    response.choices[0].finish_reason\n    == 'length'\n):\n    pass\n")
    assert isinstance(original, cst.If)
    test = "(\n    r.status == 'incomplete' and r.details is not None and r.details.reason == 'max_output_tokens'\n)"
    node = original.with_changes(test=cst.parse_expression(_quoted(test)))
    split = cst.Module(body=[reflow_compound(original, node, False, 0, 50, "    ")]).code
    flat = _quoted("if r.status == 'incomplete' and r.details is not None and r.details.reason == 'max_output_tokens':")
    assert split == ruff_formatted(flat.encode() + b"\n    pass\n", 50).decode()
    assert split.count("\n") > 4


def test_a_header_that_was_too_long_already_is_kept() -> None:
    code = "if response.status == 'incomplete' and response.details is not None:\n    pass\n"
    node = cst.parse_statement(code)
    assert reflow_compound(node, node, False, 0, 50, "    ") is node
