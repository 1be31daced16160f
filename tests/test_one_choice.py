"""`len(completion.choices)` of a call with one choice (migrate/rewrite/choices.py): a test of it
that always holds, as the whole test of an `if` with no `else`, gives way to the `if`'s body;
every other use reads `1`, which keeps the program's meaning (nothing is dropped: a branch the
one choice never takes stays, for the reviewer to delete)."""

from __future__ import annotations

import textwrap

import pytest

from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source

HEAD = """\
from openai import OpenAI

client = OpenAI()
r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
"""


def _after(body: str) -> str:
    result = migrate_source("module.py", (HEAD + textwrap.dedent(body).lstrip("\n")).encode(), Settings())
    assert result.status == "changed", result.reason
    [call] = result.calls
    assert call.outcome == "migrated"
    assert "RSP144" in {f.code for f in call.findings}
    return result.migrated.decode().split("store=False)\n", 1)[1]


@pytest.mark.parametrize(
    "test", ["len(r.choices) > 0", "len(r.choices) >= 1", "len(r.choices) == 1", "len(r.choices) != 0"]
)
def test_a_guard_that_always_holds_gives_way_to_its_body(test: str) -> None:
    after = _after(
        f"""
        # the API may send no choice
        if {test}:  # never with one
            print(r.choices[0].message.content)
            print("done")
        """
    )
    assert after == textwrap.dedent(
        """\
        # the API may send no choice
        # never with one
        print(r.output_text)
        print("done")
        """
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("print(len(r.choices))\n", "print(1)\n"),
        ("n = len(r.choices)\n", "n = 1\n"),
        ("assert len(r.choices) == 1\n", "assert 1 == 1\n"),
        # never true for one choice: the branch stays, the reviewer deletes it
        (
            "if len(r.choices) == 0:\n    raise RuntimeError('no answer')\n",
            "if 1 == 0:\n    raise RuntimeError('no answer')\n",
        ),
        # an `else` would be dropped
        (
            "if len(r.choices) > 0:\n    print(1)\nelse:\n    print(0)\n",
            "if 1 > 0:\n    print(1)\nelse:\n    print(0)\n",
        ),
        # part of a longer test
        ("if len(r.choices) > 0 and r.id:\n    print(1)\n", "if 1 > 0 and r.id:\n    print(1)\n"),
        # an `elif`
        (
            "if r.id:\n    print(1)\nelif len(r.choices) > 0:\n    print(2)\n",
            "if r.id:\n    print(1)\nelif 1 > 0:\n    print(2)\n",
        ),
        # a body on the header's line
        ("if len(r.choices) > 0: print(1)\n", "if 1 > 0: print(1)\n"),
    ],
    ids=["printed", "stored", "asserted", "never-true", "with-else", "in-and", "elif", "one-line-body"],
)
def test_any_other_use_of_the_length_reads_one(body: str, expected: str) -> None:
    assert _after(body) == expected
