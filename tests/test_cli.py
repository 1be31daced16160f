"""The command line as users run it: exit codes, what gets written, the reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrate.cli.app import app

CHAT = """from openai import OpenAI

client = OpenAI()
r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
print(r.choices[0].message.content)
"""
REPORTED = """import openai

r = openai.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], seed=7)
print(r.choices[0].message.content)
"""
CLEAN = "print('nothing to see')\n"
GROQ = """from groq import Groq

client = Groq()
r = client.chat.completions.create(model="llama", messages=[{"role": "user", "content": "hi"}])
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_apply_rewrites_and_exits_1(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"app.py": CHAT, "clean.py": CLEAN})
    result = invoke("apply", str(root))
    assert result.exit_code == 1, result.output
    text = (root / "app.py").read_text()
    assert "client.responses.create(" in text and "r.output_text" in text
    assert (root / "clean.py").read_text() == CLEAN
    # A second run finds nothing left to do.
    again = invoke("apply", str(root))
    assert again.exit_code == 0, again.output


def test_diff_and_check_write_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"app.py": CHAT})
    diff = invoke("apply", "--diff", str(root))
    assert diff.exit_code == 1
    assert "-r = client.chat.completions.create(" in diff.stdout
    assert "+r = client.responses.create(" in diff.stdout
    check = invoke("apply", "--check", str(root))
    assert check.exit_code == 1
    assert (root / "app.py").read_text() == CHAT


def test_clean_tree_exits_0(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"clean.py": CLEAN, "groq_app.py": GROQ})
    result = invoke("apply", "--check", str(root))
    assert result.exit_code == 0, result.output  # an info-level skip is not a finding
    assert "RSP001" in result.stderr


def test_reported_call_fails_check_and_is_untouched(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"seeded.py": REPORTED})
    result = invoke("apply", str(root))
    assert result.exit_code == 1
    assert (root / "seeded.py").read_text() == REPORTED
    assert "RSP201" in result.stderr and "seed" in result.stderr


def test_errors_exit_2_and_the_run_goes_on(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"a_broken.py": "def f(:\n    completions\n", "b_app.py": CHAT})
    result = invoke("apply", str(root), str(tmp_path / "missing.py"))
    assert result.exit_code == 2
    assert "client.responses.create(" in (root / "b_app.py").read_text()
    assert (root / "a_broken.py").read_text() == "def f(:\n    completions\n"
    assert "syntax error" in result.stderr and "no such file" in result.stderr


def test_json_report(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"app.py": CHAT, "seeded.py": REPORTED, "groq_app.py": GROQ})
    result = invoke("apply", "--check", "--format", "json", str(root))
    document = json.loads(result.stdout)
    outcomes = {(Path(c["path"]).name, c["outcome"], c["code"]) for c in document["calls"]}
    assert outcomes == {
        ("app.py", "migrated", "RSP100"),
        ("seeded.py", "reported", "RSP201"),
        ("groq_app.py", "skipped", "RSP001"),
    }
    record = next(c for c in document["calls"] if c["outcome"] == "reported")
    assert record["line"] == 3 and record["column"] == 5 and "seed" in record["message"]
    assert document["summary"]["migrated"] == 1 and document["summary"]["files_changed"] == 1


def test_stdin_to_stdout() -> None:
    result = CliRunner().invoke(app, ["apply", "-"], input=CHAT)
    assert result.exit_code == 1
    assert "client.responses.create(" in result.stdout
    assert "r.output_text" in result.stdout


def test_keep_system_and_store_options(tmp_path: Path) -> None:
    source = CHAT.replace('[{"role": "user"', '[{"role": "system", "content": "Be brief."}, {"role": "user"')
    root = _tree(tmp_path, {"app.py": source})
    invoke("apply", "--keep-system-in-input", "--store", "omit", str(root))
    text = (root / "app.py").read_text()
    assert "instructions=" not in text and '"role": "system"' in text
    assert "store=" not in text


def test_rules_lists_every_rule() -> None:
    from migrate.catalog import loader as catalog

    result = invoke("rules")
    assert result.exit_code == 0
    for code in catalog.load().rules:
        assert code in result.stdout


@pytest.mark.slow
def test_version_is_fast_and_apply_never_imports_openai(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"app.py": CHAT})
    code = (
        "import sys\n"
        "from migrate.cli.app import app\n"
        "try:\n"
        f"    app(['apply', '--check', {str(root)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('openai' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")
    version = subprocess.run([sys.executable, "-m", "migrate", "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("migrate ")
