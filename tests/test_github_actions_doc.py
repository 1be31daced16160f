"""docs/github-actions.md: the workflow parses, and its `migrate` step, run as GitHub would run
it (bash, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), produces the comment, a patch that `git apply`
takes, and a SARIF file, for the files a pull request changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from git_repo import GIT, git

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "github-actions.md"
REQUEST = ROOT / "fixtures" / "request"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(GIT is None or BASH is None, reason="needs git and bash")


def workflow() -> dict:
    block = re.search(r"```yaml\n(.*?)```\n", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "no yaml block in docs/github-actions.md"
    return yaml.safe_load(block.group(1))


def step(name: str) -> dict:
    return next(s for s in workflow()["jobs"]["migrate"]["steps"] if s.get("name") == name)


def test_the_workflow_is_well_formed() -> None:
    flow = workflow()
    assert flow[True]["pull_request"]["paths"] == ["**.py", "**.ipynb"]  # YAML 1.1 reads `on` as True
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write", "security-events": "write"}
    uses = [s.get("uses", "") for s in flow["jobs"]["migrate"]["steps"]]
    assert "github/codeql-action/upload-sarif@v3" in uses and "actions/upload-artifact@v4" in uses
    run = step("Run migrate on the changed files")["run"]
    assert "migrate apply --diff --format markdown --output report.md" in run
    assert "migrate apply --check --format sarif --output migrate.sarif" in run


def _run_step(repo: Path, base: str, tmp: Path) -> tuple[subprocess.CompletedProcess, str, str]:
    output, summary = tmp / "github_output", tmp / "step_summary"
    output.write_text(""), summary.write_text("")
    env = dict(
        os.environ,
        BASE_SHA=base,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    script = step("Run migrate on the changed files")["run"]
    # GitHub runs `run:` blocks with `bash -e {0}`.
    done = subprocess.run([BASH, "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True)
    return done, output.read_text(), summary.read_text()


@pytest.mark.slow
def test_the_migrate_step_on_a_pull_request(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "untouched.py").write_bytes((REQUEST / "basic_create.before.py").read_bytes())
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "base", cwd=repo)
    base = git("rev-parse", "HEAD", cwd=repo)
    git("checkout", "-qb", "feature", cwd=repo)
    (repo / "src" / "new feature.py").write_bytes((REQUEST / "max_tokens_renamed.before.py").read_bytes())
    (repo / "src" / "seeded.py").write_text(
        'import openai\n\nr = openai.chat.completions.create(model="gpt-4.1", messages=[], seed=7)\nprint(r.id)\n'
    )
    (repo / "notes.md").write_text("not Python\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "feature", cwd=repo)

    done, output, summary = _run_step(repo, base, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "files=2" in output  # the two changed .py files, not the untouched one or notes.md
    report = (repo / "report.md").read_text()
    assert report.startswith("## openai-responses-migrate")
    assert "src/new feature.py" in report and "src/seeded.py" in report and "untouched.py" not in report
    assert (
        "`RSP201`" in report
        and "<summary>Suggested patch</summary>" in report
        and "````diff\n--- a/src/new feature.py" in report
    )
    assert report in summary
    sarif = json.loads((repo / "migrate.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"RSP201", "RSP104"}

    # The patch, applied at the root, is what `migrate apply` would write.
    git("apply", "migrate.diff", cwd=repo)
    assert (repo / "src" / "new feature.py").read_bytes() == (REQUEST / "max_tokens_renamed.after.py").read_bytes()
    assert (repo / "src" / "untouched.py").read_bytes() == (REQUEST / "basic_create.before.py").read_bytes()


@pytest.mark.slow
def test_the_migrate_step_with_nothing_to_check(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("hello\n")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "base", cwd=repo)
    base = git("rev-parse", "HEAD", cwd=repo)
    (repo / "README.md").write_text("hello again\n")
    git("commit", "-qam", "docs only", cwd=repo)
    done, output, summary = _run_step(repo, base, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "files=0" in output and "No Python file or notebook changed." in summary
    assert not (repo / "report.md").exists()
