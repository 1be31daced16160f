"""action.yml, the composite GitHub Action: it is well formed, and its review step, run as
GitHub runs it (bash, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), reviews the files a pull request
changed, read against the whole project: a helper changed in the pull request comes with its
caller in an untouched module, since they migrate together (the comment body, the patch and
the annotations are checked here; posting the comment needs GitHub)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from git_repo import GIT, git

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "action"))
import select_files  # noqa: E402

BASH = shutil.which("bash")
needs_git = pytest.mark.skipif(GIT is None or BASH is None, reason="needs git and bash")

HELPER = """from openai import OpenAI

client = OpenAI()


def ask(question):
    return client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])
"""
CALLER = """from shop.helpers import ask


def main():
    print(ask("hi").choices[0].message.content)
"""
OTHER = """import openai

r = openai.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], seed=7)
print(r.choices[0].message.content)
"""


def test_the_action_is_a_composite_that_runs_its_scripts() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    runs = [step.get("run", "") for step in action["runs"]["steps"]]
    assert any("action/review.sh" in run for run in runs) and any("action/comment.sh" in run for run in runs)
    assert all(step.get("shell") == "bash" for step in action["runs"]["steps"] if "run" in step)
    for script in ("review.sh", "comment.sh", "select_files.py"):
        assert (ROOT / "action" / script).is_file()
    assert set(action["outputs"]) == {"files", "status"}


def test_the_selection_adds_the_files_that_migrate_with_a_changed_one() -> None:
    report = {
        "files": [{"path": p} for p in ("app/main.py", "shop/helpers.py", "shop/__init__.py", "other.py")],
        "calls": [{"path": "app/main.py", "via": "shop.helpers.ask"}, {"path": "other.py"}],
    }
    assert select_files.select(report, ["shop/helpers.py"]) == ["shop/helpers.py", "app/main.py"]
    assert select_files.select(report, ["app/main.py"]) == ["app/main.py", "shop/helpers.py"]
    assert select_files.select(report, ["other.py"]) == ["other.py"]
    # A run started above the package's root still names the module by a dotted suffix of the path.
    report["files"] = [{"path": "src/shop/helpers.py"}, {"path": "src/app/main.py"}]
    report["calls"] = [{"path": "src/app/main.py", "via": "shop.helpers.ask"}]
    assert select_files.select(report, ["src/shop/helpers.py"]) == ["src/shop/helpers.py", "src/app/main.py"]


@needs_git
@pytest.mark.slow
def test_the_review_step_on_a_pull_request(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for name, text in {
        "shop/__init__.py": "",
        "shop/helpers.py": HELPER.replace("gpt-4.1", "gpt-4o"),
        "app/__init__.py": "",
        "app/main.py": CALLER,
        "legacy.py": OTHER,
    }.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "base", cwd=repo)
    base = git("rev-parse", "HEAD", cwd=repo)
    git("checkout", "-qb", "feature", cwd=repo)
    (repo / "shop" / "helpers.py").write_text(HELPER)  # the pull request changes the helper only
    (repo / "notes.md").write_text("not Python\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "feature", cwd=repo)

    out, output, summary = tmp_path / "out", tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text(""), summary.write_text("")
    env = dict(
        os.environ,
        BASE_SHA=base,
        MIGRATE_OUT=str(out),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    done = subprocess.run(
        [BASH, "-e", str(ROOT / "action" / "review.sh")], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "files=2" in output.read_text() and "status=1" in output.read_text()
    comment = (out / "comment.md").read_text()
    assert comment.startswith("<!-- openai-responses-migrate -->\n## openai-responses-migrate")
    # The helper and its caller, reviewed together; not the untouched legacy.py.
    assert "shop/helpers.py" in comment and "app/main.py" in comment and "legacy.py" not in comment
    assert "RSP140" in comment and "RSP141" in comment and "<summary>Suggested patch</summary>" in comment
    assert (out / "report.md").read_text() in summary.read_text()
    # Annotations on stdout, for the log and the changed lines.
    assert any(line.startswith("::notice file=shop/helpers.py,line=") for line in done.stdout.splitlines())
    # The patch is the whole unit: applied, it is what `migrate apply .` writes for these files.
    git("apply", str(out / "migrate.diff"), cwd=repo)
    assert "client.responses.create(" in (repo / "shop" / "helpers.py").read_text()
    assert ".output_text" in (repo / "app" / "main.py").read_text()
    assert (repo / "legacy.py").read_text() == OTHER


@needs_git
@pytest.mark.slow
def test_the_review_step_without_python_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text(OTHER)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "base", cwd=repo)
    base = git("rev-parse", "HEAD", cwd=repo)
    (repo / "notes.md").write_text("text\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "docs", cwd=repo)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = dict(os.environ, BASE_SHA=base, MIGRATE_OUT=str(tmp_path / "out"), GITHUB_OUTPUT=str(output))
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    done = subprocess.run([BASH, "-e", str(ROOT / "action" / "review.sh")], cwd=repo, env=env, capture_output=True)
    assert done.returncode == 0
    assert "files=0" in output.read_text() and "No Python file or notebook changed." in summary.read_text()
