"""The pre-commit hooks in .pre-commit-hooks.yaml, installed by the real `pre-commit` from a git
repository holding this checkout (its working tree as it is, uncommitted changes included), and
run in a throwaway project.

pre-commit builds the hook's virtualenv and pip-installs the package into it, so this needs the
package index pip is configured with (PIP_* variables and pip.conf are inherited).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUEST = ROOT / "fixtures" / "request"
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

# What the package needs to build and install, as `pre-commit` will clone it.
SHIPPED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "migrate", "rules")
CLEAN = b"print('nothing to migrate here')\n"


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        # Your git settings (signing, hooks, templates) stay out; pip's settings are kept.
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run([GIT, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _hook_repo(tmp: Path, env: dict[str, str]) -> tuple[Path, str]:
    """This checkout's working tree, committed in a fresh repository: (path, commit)."""
    repo = tmp / "hook-repo"
    repo.mkdir()
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copyfile(source, repo / name)
    _git("init", "-q", cwd=repo, env=env)
    _git("add", "-A", cwd=repo, env=env)
    _git("commit", "-qm", "hooks", cwd=repo, env=env)
    return repo, _git("rev-parse", "HEAD", cwd=repo, env=env)


def _pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color=never"], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
def test_hooks_from_a_checkout(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo, rev = _hook_repo(tmp_path, env)

    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    cases = ("basic_create", "max_completion_tokens_renamed", "developer_message_hoisted_to_instructions")
    for case in cases:
        shutil.copyfile(REQUEST / f"{case}.before.py", project / "pkg" / f"{case}.py")
    (project / "clean.py").write_bytes(CLEAN)
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"-   repo: {repo.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "    -   id: migrate-check\n"
        "    -   id: migrate-apply\n"
    )
    _git("init", "-q", cwd=project, env=env)
    _git("add", "-A", cwd=project, env=env)
    _git("commit", "-qm", "project", cwd=project, env=env)

    def before(case: str) -> bytes:
        return (REQUEST / f"{case}.before.py").read_bytes()

    # migrate-check: reports, writes nothing, fails.
    check = _pre_commit("run", "migrate-check", "--all-files", cwd=project, env=env)
    output = check.stdout + check.stderr
    assert check.returncode == 1, output
    assert "Failed" in output and "pkg/basic_create.py" in output and "would change" in output
    assert all((project / "pkg" / f"{case}.py").read_bytes() == before(case) for case in cases)

    # Both pass on a clean file.
    for hook in ("migrate-check", "migrate-apply"):
        clean = _pre_commit("run", hook, "--files", "clean.py", cwd=project, env=env)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "Passed" in clean.stdout

    # migrate-apply: rewrites, fails because it changed files (as formatters do).
    apply = _pre_commit("run", "migrate-apply", "--all-files", cwd=project, env=env)
    output = apply.stdout + apply.stderr
    assert apply.returncode == 1, output
    assert "files were modified by this hook" in output
    for case in cases:
        assert (project / "pkg" / f"{case}.py").read_bytes() == (REQUEST / f"{case}.after.py").read_bytes()
    assert (project / "clean.py").read_bytes() == CLEAN

    # Once the rewrite is there (staged or not), both hooks pass.
    _git("add", "-A", cwd=project, env=env)
    for hook in ("migrate-apply", "migrate-check"):
        again = _pre_commit("run", hook, "--all-files", cwd=project, env=env)
        assert again.returncode == 0, again.stdout + again.stderr


def test_the_hooks_take_python_files_and_notebooks() -> None:
    from identify.identify import tags_from_path
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"migrate-check", "migrate-apply"}
    assert hooks["migrate-check"]["entry"] == "migrate apply --check"
    assert hooks["migrate-apply"]["entry"] == "migrate apply"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] and not hook["require_serial"]
        assert set(hook["types_or"]) == {"python", "jupyter"}
    assert "jupyter" in tags_from_path(str(ROOT / "fixtures" / "notebooks" / "chat_notebook.before.ipynb"))
