"""Report formats: SARIF validates against the official 2.1.0 schema; GitHub and Markdown render."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from migrate.cli.app import app

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
FILES = {
    "ok.py": """from openai import OpenAI

client = OpenAI()
r = client.chat.completions.create(model="gpt-4.1", max_tokens=300, messages=[{"role": "user", "content": "hi"}])
print(r.choices[0].message.content)
""",
    "seeded.py": """import openai

r = openai.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], seed=7)
""",
    "groq_app.py": """from groq import Groq

Groq().chat.completions.create(model="llama", messages=[])
""",
    "broken.py": "def f(:\n    completions\n",
}


def _tree(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _run(tmp_path: Path, fmt: str, *extra: str):
    return CliRunner().invoke(app, ["apply", "--check", "--format", fmt, *extra, str(_tree(tmp_path))])


def test_sarif_is_valid_and_complete(tmp_path: Path) -> None:
    result = _run(tmp_path, "sarif")
    assert result.exit_code == 2  # broken.py
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    run = document["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert {"RSP201", "RSP001", "RSP104", "RSP113"} <= by_rule.keys()
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert by_rule["RSP201"]["level"] == "warning" and by_rule["RSP001"]["level"] == "note"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_github_annotations(tmp_path: Path) -> None:
    lines = _run(tmp_path, "github").stdout.splitlines()
    assert any(line.startswith("::warning file=") and "line=3" in line and "title=RSP201" in line for line in lines)
    assert any(line.startswith("::error file=") and "broken.py" in line for line in lines)


def test_markdown_summary_and_details(tmp_path: Path) -> None:
    text = _run(tmp_path, "markdown").stdout
    assert "| files scanned |" in text and "<details>" in text and "`RSP201`" in text


def test_output_file_and_terminal_summary(tmp_path: Path) -> None:
    report = tmp_path / "report.sarif"
    result = _run(tmp_path, "sarif", "--output", str(report))
    jsonschema.validate(json.loads(report.read_text()), SCHEMA)
    assert "call sites found" in result.stderr
