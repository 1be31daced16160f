"""Stream loops that use only the text (migrate/rewrite/streams.py): what moves, and why a test
of `choices` / `finish_reason is None` stays reported (RSP315) when the loop does more."""

from __future__ import annotations

import textwrap

import pytest

from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source

HEAD = """\
from openai import OpenAI

client = OpenAI()
stream = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], stream=True)
"""


def _run(loop: str):
    result = migrate_source("loop.py", (HEAD + textwrap.dedent(loop).lstrip("\n")).encode(), Settings())
    assert result.status != "failed", result.reason
    [call] = result.calls
    return result, call


def _loop(result) -> str:
    return result.migrated.decode().split("store=False)\n", 1)[1]


@pytest.mark.parametrize(
    ("loop", "why"),
    [
        (
            """
            for chunk in stream:
                if not chunk.choices:
                    continue
                print(chunk.choices[0].delta.content, end="")
            """,
            "line 8 uses the text where chat's last chunk has None",
        ),
        (
            """
            n = 0
            for chunk in stream:
                if not chunk.choices:
                    continue
                n += 1
            """,
            "it reads no text",
        ),
        (
            """
            for chunk in stream:
                if len(chunk.choices) == 0:
                    continue
                print(chunk.choices[0].delta.content or "")
            """,
            "line 8 also runs for a chunk with no text",
        ),
        (
            """
            for chunk in stream:
                if chunk.choices[0].finish_reason is not None:
                    break
                print(chunk.choices[0].delta.content or "", end="")
            """,
            "the `if` at line 6 leaves the loop",
        ),
        (
            """
            for chunk in stream:
                if chunk.choices:
                    print(chunk.choices[0].delta.content or "", end="")
                else:
                    print("no choices")
            """,
            "the `if` at line 6 has an `else`",
        ),
        (
            """
            for chunk in stream:
                print(chunk.choices[0].delta.content or "", end="")
                if chunk.choices[0].finish_reason is None:
                    continue
            """,
            "the test is neither the loop's first statement",
        ),
        (
            """
            for chunk in stream:
                if not chunk.choices:
                    continue
                content = chunk.choices[0].delta.content
                if content:
                    print(content, end="")
            print(content)
            """,
            "`content`, bound to the text at line 8, is also used outside the loop",
        ),
    ],
)
def test_a_guard_in_a_loop_that_does_more_is_reported_with_why(loop: str, why: str) -> None:
    result, call = _run(loop)
    assert result.status == "unchanged"
    assert [f.code for f in call.findings] == ["RSP315"]
    assert why in dict(call.findings[0].args)["why"]


@pytest.mark.parametrize(
    "test",
    [
        "chunk.choices and verbose",  # the guard is all that keeps chunks with no choices out
        "chunk.choices or chunk.choices[0].delta.content",
        "(chunk.choices and chunk.choices[0].delta.content) == True",
    ],
)
def test_a_guard_the_text_test_does_not_cover_stays(test: str) -> None:
    result, call = _run(
        f"""
        verbose = True
        for chunk in stream:
            if {test}:
                print(chunk.choices[0].delta.content or "", end="")
            if chunk.usage:
                print(chunk.usage.total_tokens)
        """
    )
    assert result.status == "unchanged"
    assert call.outcome == "reported"


def test_a_guard_the_text_test_covers_goes() -> None:
    result, call = _run(
        """
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="")
            if chunk.usage:
                print(chunk.usage.total_tokens)
        """
    )
    assert call.outcome == "migrated"
    assert _loop(result) == textwrap.dedent(
        """\
        for chunk in stream:
            if chunk.type == "response.output_text.delta" and chunk.delta:
                print(chunk.delta, end="")
            if chunk.type == "response.completed" and chunk.response.usage:
                print(chunk.response.usage.total_tokens)
        """
    )


@pytest.mark.parametrize(
    "loop",
    [
        # the `else` runs for chat's chunks with no text
        """
        for chunk in stream:
            content = chunk.choices[0].delta.content
            if content:
                print(content, end="")
            else:
                print("<empty>")
        """,
        # the lambda sees the text after the loop: chat's last chunk has None
        """
        shown = []
        for chunk in stream:
            content = chunk.choices[0].delta.content
            if content:
                shown.append(lambda: content)
        """,
        """
        later = []
        for chunk in stream:
            if chunk.choices[0].delta.content:
                later.append(lambda: chunk.choices[0].delta.content)
        """,
    ],
)
def test_a_loop_that_does_something_without_the_text_keeps_every_event(loop: str) -> None:
    result, _ = _run(loop)
    lines = [line.strip() for line in (result.migrated or b"").decode().splitlines()]
    assert not [line for line in lines if line.startswith(("if chunk.type", "continue"))]


def test_a_loop_variable_shared_with_another_loop() -> None:
    result, call = _run(
        """
        for chunk in stream:
            if chunk.choices:
                print(chunk.choices[0].delta.content or "", end="")
        for chunk in range(3):
            print(chunk)
        """
    )
    assert call.outcome == "migrated"
    assert _loop(result) == textwrap.dedent(
        """\
        for chunk in stream:
            if chunk.type == "response.output_text.delta":
                print(chunk.delta, end="")
        for chunk in range(3):
            print(chunk)
        """
    )


def test_the_loop_variable_read_after_the_loop_is_not_a_text_loop() -> None:
    """After the loop, `chunk` is chat's last chunk (no text) but Responses' last event: the
    read-by-read rewrite reports the printed None."""
    result, call = _run(
        """
        for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="")
        print(chunk.choices[0].delta.content or "")
        """
    )
    assert result.status == "unchanged"
    assert [f.code for f in call.findings] == ["RSP310"]
