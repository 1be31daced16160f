"""`migrate verify examples/ -- python examples/demo.py`, as the README tells a new user to run it.

The demo exercises every call the tool migrates in examples/support_bot/ (plus the
reported ones, which stay on chat.completions in both trees); the migrated copy must
send the same requests, get the same answers and print the same output.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("openai")
pytest.importorskip("pydantic")

from migrate.verify.command import verify_command

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_examples_demo_verifies_ok(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    # sys.executable rather than `python`: the interpreter that has openai installed.
    code = verify_command("examples/", ["--", sys.executable, "examples/demo.py"], out=out, timeout=60)
    text = out.getvalue()
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 9 requests, identical answers", text
    assert "original: 9 requests (9 chat.completions, 0 responses), exit 0" in text
    # The migrated calls went to /responses; the reported ones (stream, n=3, a returned
    # result) stayed on chat.completions.
    migrated = re.search(r"^migrated: 9 requests \((\d+) chat\.completions, (\d+) responses\), exit 0$", text, re.M)
    assert migrated, text
    assert int(migrated.group(2)) >= 6, text
    assert "chat.completions" in (ROOT / "examples" / "support_bot" / "answers.py").read_text()  # untouched
