"""Editor use: `migrate apply - --stdin-filename PATH` reads stdin, writes the result to stdout,
and uses PATH in every message and to find the `[tool.migrate]` configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHAT = b"""from openai import OpenAI

client = OpenAI()
r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
print(r.choices[0].message.content)
"""
SEEDED = b"""import openai

r = openai.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], seed=7)
print(r.choices[0].message.content)
"""


def migrate(*args: str, data: bytes, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "-", *args], input=data, cwd=cwd, capture_output=True
    )


def test_the_stdin_filename_names_the_file_in_every_report(tmp_path: Path) -> None:
    text = migrate("--stdin-filename", "src/app.py", data=SEEDED, cwd=tmp_path)
    assert text.returncode == 1
    assert text.stdout == SEEDED  # nothing to migrate: the source comes back unchanged
    assert "src/app.py" in text.stderr.decode() and "<stdin>" not in text.stderr.decode()

    as_json = migrate("--stdin-filename", "src/app.py", "--check", "--format", "json", data=SEEDED, cwd=tmp_path)
    document = json.loads(as_json.stdout)
    assert [(c["path"], c["line"], c["code"]) for c in document["calls"]] == [("src/app.py", 3, "RSP201")]

    diff = migrate("--stdin-filename", "src/app.py", "--diff", data=CHAT, cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout.decode().startswith("--- a/src/app.py\n+++ b/src/app.py\n")

    github = migrate("--stdin-filename", "src/app.py", "--check", "--format", "github", data=SEEDED, cwd=tmp_path)
    assert "file=src/app.py,line=3" in github.stdout.decode()


def test_without_a_stdin_filename_the_file_is_stdin(tmp_path: Path) -> None:
    result = migrate("--check", "--format", "json", data=SEEDED, cwd=tmp_path)
    assert json.loads(result.stdout)["calls"][0]["path"] == "<stdin>"


def test_the_stdin_filename_finds_the_configuration(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.migrate]\nignore = ["RSP201"]\nstore = "omit"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    # Looked up from the stdin file name (absolute, or relative to the working directory) ...
    for name, cwd in ((str(project / "pkg" / "app.py"), elsewhere), ("pkg/app.py", project)):
        seeded = migrate("--stdin-filename", name, data=SEEDED, cwd=cwd)
        assert seeded.returncode == 0, seeded.stderr.decode()  # RSP201 is ignored: the call is suppressed
        assert seeded.stdout == SEEDED
        chat = migrate("--stdin-filename", name, data=CHAT, cwd=cwd)
        assert chat.returncode == 1
        assert b"client.responses.create(" in chat.stdout and b"store=" not in chat.stdout  # store = "omit"

    # ... not from the working directory when the name points elsewhere.
    outside = migrate("--stdin-filename", str(elsewhere / "app.py"), data=SEEDED, cwd=project)
    assert outside.returncode == 1 and b"RSP201" in outside.stderr
    # The file named need not exist (an unsaved editor buffer).
    assert not (project / "pkg" / "app.py").exists()


def test_stdin_keeps_the_bytes_it_does_not_change(tmp_path: Path) -> None:
    crlf = CHAT.replace(b"\n", b"\r\n")
    result = migrate("--stdin-filename", "app.py", data=crlf, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.count(b"\r\n") == crlf.count(b"\r\n") and b"\n" not in result.stdout.replace(b"\r\n", b"")
    assert b"r.output_text" in result.stdout
