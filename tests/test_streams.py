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
            if (
                chunk.type == "response.completed"
                or chunk.type == "response.incomplete"
                or chunk.type == "response.failed"
            ) and chunk.response.usage:
                print(chunk.response.usage.total_tokens)
        """
    )


def _events(end: str) -> list:
    """A Responses stream as the SDK yields it: created, one text delta, then `end` with usage."""
    from openai.types.responses import (
        Response,
        ResponseCompletedEvent,
        ResponseCreatedEvent,
        ResponseFailedEvent,
        ResponseIncompleteEvent,
        ResponseTextDeltaEvent,
        ResponseUsage,
    )

    usage = ResponseUsage.model_construct(input_tokens=5, output_tokens=16, total_tokens=21)
    last = {
        "response.completed": ResponseCompletedEvent,
        "response.incomplete": ResponseIncompleteEvent,
        "response.failed": ResponseFailedEvent,
    }[end]
    return [
        ResponseCreatedEvent.model_construct(type="response.created", response=Response.model_construct(usage=None)),
        ResponseTextDeltaEvent.model_construct(type="response.output_text.delta", delta="Hel"),
        last.model_construct(type=end, response=Response.model_construct(usage=usage)),
    ]


@pytest.mark.parametrize("end", ["response.completed", "response.incomplete", "response.failed"])
@pytest.mark.parametrize(
    "loop",
    [
        """
        total = None
        for chunk in stream:
            if chunk.usage:
                total = chunk.usage.total_tokens
        """,
        """
        total = None
        for chunk in stream:
            if chunk.usage is not None:
                total = chunk.usage.total_tokens
        """,
        """
        total = None
        for chunk in stream:
            usage = chunk.usage
            if usage:
                total = usage.total_tokens
        """,
    ],
)
def test_the_usage_of_a_stream_cut_short_or_failed_is_read_too(loop: str, end: str) -> None:
    """Chat sends the usage chunk after a `length` finish too; Responses puts the usage on the
    event that ends the stream, `response.incomplete` / `response.failed` as well as
    `response.completed`: the migrated loop, run over such a stream, still reads it."""
    result, call = _run(loop)
    assert call.outcome == "migrated"
    assert "RSP134" in {f.code for f in call.findings}
    namespace: dict = {"stream": _events(end)}
    exec(_loop(result), namespace)
    assert namespace["total"] == 21


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


@pytest.mark.parametrize(
    "loop",
    [
        """
        for chunk in stream:
            content = chunk.choices[0].delta.content
            if content is None:
                break
            print(content, end="")
        """,
        """
        def text():
            out = ""
            for chunk in stream:
                if chunk.choices[0].delta.content is None:
                    return out
                out += chunk.choices[0].delta.content
            return out
        """,
        """
        for chunk in stream:
            if not chunk.choices[0].delta.content:
                raise StopIteration
            print(chunk.choices[0].delta.content, end="")
        """,
    ],
)
def test_a_loop_left_when_the_text_is_none_is_reported(loop: str) -> None:
    """Chat's text is None only on its last chunk, so `if text is None: break` ends the loop at
    the end; every Responses event before the first text delta (`response.created`) has None,
    and would end it at once."""
    result, call = _run(loop)
    assert result.status == "unchanged"
    assert [f.code for f in call.findings] == ["RSP310"]


def test_a_loop_that_skips_when_the_text_is_none_keeps_the_read() -> None:
    """`continue` skips the events with None and goes on, in chat as in Responses."""
    result, call = _run(
        """
        for chunk in stream:
            if chunk.usage:
                print(chunk.usage.total_tokens)
            content = chunk.choices[0].delta.content
            if content is None:
                continue
            print(content, end="")
        """
    )
    assert call.outcome == "migrated"
    assert '    content = chunk.delta if chunk.type == "response.output_text.delta" else None\n' in _loop(result)


@pytest.mark.parametrize(
    "target",
    ['state["last"]', "ui.text", 'a["x"] = b["y"]', "first = last"],
)
def test_the_text_stored_anywhere_but_a_name_keeps_every_event(target: str) -> None:
    """After the loop, `state["last"]` is chat's last text, None: the loop that skips other
    events would leave the last delta there."""
    result, call = _run(
        f"""
        state, ui, a, b = {{}}, object(), {{}}, {{}}
        for chunk in stream:
            {target} = chunk.choices[0].delta.content
            print(chunk.choices[0].delta.content or "", end="")
        """
    )
    assert not [line for line in (result.migrated or b"").decode().splitlines() if "continue" in line]
    assert call.outcome == "reported"
    assert [f.code for f in call.findings] == ["RSP310"]


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (
            "(chunk.choices and chunk.choices[0].delta.content)",
            '(chunk.type == "response.output_text.delta" and chunk.delta)',
        ),
        (
            "(\n        chunk.choices\n        and chunk.choices[0].delta.content\n    )",
            'chunk.type == "response.output_text.delta" and chunk.delta',
        ),
    ],
)
def test_a_parenthesised_guard_moves_like_a_bare_one(test: str, expected: str) -> None:
    """ruff writes a long test as `if (\\n    a\\n    and b\\n):`."""
    loop = f"for chunk in stream:\n    if {test}:\n        print(chunk.choices[0].delta.content, end='')\n"
    result, call = _run(loop)
    assert call.outcome == "migrated"
    assert _loop(result) == f"for chunk in stream:\n    if {expected}:\n        print(chunk.delta, end='')\n"


def test_a_parenthesised_skip_moves_like_a_bare_one() -> None:
    result, call = _run(
        """
        out = []
        for chunk in stream:
            if (
                not chunk.choices
                or not chunk.choices[0].delta.content
            ):
                continue
            out.append(chunk.choices[0].delta.content)
        """
    )
    assert call.outcome == "migrated"
    assert 'if chunk.type != "response.output_text.delta" or not chunk.delta:\n' in _loop(result)


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (
            "(chunk.choices and chunk.choices[0].delta.content)",
            '(chunk.type == "response.output_text.delta" and chunk.delta)',
        ),
        (
            "not (chunk.choices and chunk.choices[0].delta.content)",
            'not (chunk.delta if chunk.type == "response.output_text.delta" else None)',
        ),
        (
            "(chunk.choices and chunk.choices[0].delta.content) and verbose",
            '(chunk.type == "response.output_text.delta" and chunk.delta) and verbose',
        ),
    ],
)
def test_a_parenthesised_guard_in_a_loop_that_does_more(test: str, expected: str) -> None:
    """The read in the parentheses is the first test of the text: it tests the event type
    first (a bare `chunk.delta` fails on events that have none)."""
    result, call = _run(
        f"""
        verbose = True
        for chunk in stream:
            if {test}:
                print("text")
            if chunk.usage:
                print(chunk.usage.total_tokens)
        """
    )
    assert call.outcome == "migrated"
    assert f"    if {expected}:\n" in _loop(result)


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (
            "f\"{chunk.choices[0].delta.content or ''}\"",
            "f\"{(chunk.delta if chunk.type == 'response.output_text.delta' else None) or ''}\"",
        ),
        (
            "f'{chunk.choices[0].delta.content or \"\"}'",
            'f\'{(chunk.delta if chunk.type == "response.output_text.delta" else None) or ""}\'',
        ),
    ],
)
def test_a_read_in_an_f_string_writes_its_literals_in_the_other_quote(read: str, expected: str) -> None:
    """Before Python 3.12 an f-string's expression can't hold the f-string's own quote."""
    result, call = _run(f"texts = [{read} for chunk in stream]\n")
    assert call.outcome == "migrated"
    assert expected in _loop(result)
