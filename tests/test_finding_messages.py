"""What a report says about a call left untouched: a message quotes the code short enough to
read in a one-line report (a call as `callee(...)`, never its arguments), names the function a
result is passed to (RSP301), and names the variable that may hold another call's value
(RSP303), not the call's own result variable."""

from __future__ import annotations

import textwrap

import pytest

from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source

HEAD = """\
from openai import OpenAI

client = OpenAI()
"""


def _messages(body: str, code: str) -> list[tuple[int, str]]:
    source = HEAD + textwrap.dedent(body).lstrip("\n")
    result = migrate_source("module.py", source.encode(), Settings())
    assert result.status != "failed", result.reason
    return [(call.line, f.message()) for call in result.calls for f in call.findings if f.code == code]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            """
            show(
                client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[{"role": "user", "content": "hi"}],
                )
            )
            """,
            "result `client.chat.completions.create(...)` is passed to `show()` at line 5",
        ),
        (
            """
            def answer():
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[{"role": "user", "content": "hi"}],
                ).choices
            """,
            "result `client.chat.completions.create(...).choices` is returned at line 5",
        ),
        (
            """
            import logging

            r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
            logging.getLogger(__name__).info(r.choices[0].message)
            """,
            "result `r.choices[0].message` is passed to `logging.getLogger(...).info()` at line 7",
        ),
    ],
    ids=["call-passed", "call-chain-returned", "method-of-a-call"],
)
def test_rsp301_quotes_a_call_by_its_callee_and_names_the_function(body: str, expected: str) -> None:
    [(_, message)] = _messages(body, "RSP301")
    assert message == f"{expected}; its readers can't be followed"
    assert "\n" not in message and "model=" not in message


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (
            """
            def main(a, b, retry):
                first = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": a}])
                message = first.choices[0].message
                if retry:
                    second = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": b}])
                    keep(second)
                    message = second.choices[0].message
                print(message.content)
            """,
            "message",
        ),
        (
            """
            def main(a, b, retry):
                first = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": a}])
                choice = first.choices[0]
                text = choice.message
                if retry:
                    second = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": b}])
                    keep(second)
                    text = second.choices[0].message
                print(text.content)
            """,
            "text",
        ),
        (
            """
            def main(a, b, retry):
                r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": a}])
                if retry:
                    r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": b}])
                    keep(r)
                print(r.choices[0].message.content)
            """,
            "r",
        ),
    ],
    ids=["message-of-either-call", "through-a-choice", "the-result-itself"],
)
def test_rsp303_names_the_variable_that_holds_either_value(body: str, name: str) -> None:
    [(line, message)] = _messages(body, "RSP303")
    assert line == 5
    assert message.startswith(f"`{name}` at line ")
    assert message.endswith("may hold other values too; its readers can't be told apart")
