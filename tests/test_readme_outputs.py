"""The outputs README.md shows are the real ones (issue #17): each shown output is run, through
the real command line, and its lines must appear, in order and together, in what it prints."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
BLOCKS = [(m.start(), m.group(1), m.group(2)) for m in FENCE.finditer(README)]


def shown_after(text_before: str) -> str:
    """The fenced block that comes next after the first occurrence of `text_before`."""
    at = README.index(text_before)
    start = at + len(text_before)
    return next(body for where, _, body in BLOCKS if where >= start)


def block_after_command(command: str) -> str:
    """The output block shown right after the block holding `command`."""
    for i, (_, _, body) in enumerate(BLOCKS):
        if command in body.splitlines():
            return BLOCKS[i + 1][2]
    raise AssertionError(f"README shows no block with {command!r}")


def migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "migrate", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def assert_shown_in(shown: str, real: str) -> None:
    want = [line.rstrip() for line in shown.strip("\n").splitlines()]
    got = [line.rstrip() for line in real.splitlines()]
    for i in range(len(got) - len(want) + 1):
        if got[i : i + len(want)] == want:
            return
    raise AssertionError("README shows:\n" + "\n".join(want) + "\n\nthe command prints:\n" + real)


def test_quick_start_summary(tmp_path: Path) -> None:
    shown = shown_after("It ends with:")
    result = migrate("apply", "--diff", "examples/", cwd=ROOT)
    assert result.returncode == 1
    assert_shown_in(shown, result.stderr)


def test_notebook_report(tmp_path: Path) -> None:
    shown = block_after_command("migrate apply --check analysis.ipynb")
    shutil.copy(ROOT / "fixtures" / "notebooks" / "chat_notebook.before.ipynb", tmp_path / "analysis.ipynb")
    result = migrate("apply", "--check", "analysis.ipynb", cwd=tmp_path)
    assert_shown_in(shown, result.stderr)


def test_json_example(tmp_path: Path) -> None:
    shown = json.loads(shown_after("`--format json` prints one document"))
    result = migrate("apply", "--check", "--format", "json", "examples/", cwd=ROOT)
    real = json.loads(result.stdout)
    assert shown["version"] == real["version"]
    assert shown["summary"] == real["summary"]
    for call in shown["calls"]:  # abridged: some of the calls, each as it is
        assert call in real["calls"]
    for entry in shown["files"]:
        assert entry in real["files"]


@pytest.mark.slow
def test_verify_example(tmp_path: Path) -> None:
    pytest.importorskip("openai")
    pytest.importorskip("pydantic")
    shown = block_after_command("migrate verify examples/ -- python examples/demo.py")
    # `python` as the README's reader has it: the interpreter of the active virtualenv.
    result = migrate("verify", "examples/", "--", sys.executable, "examples/demo.py", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_shown_in(shown, result.stdout + result.stderr)
