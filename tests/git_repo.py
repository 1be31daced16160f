"""Git for tests that build a scratch repository: the binary, and a call with a fixed identity
and no user or system configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GIT = shutil.which("git")


def git(*args: str, cwd: Path) -> str:
    """Run `git ARGS` in `cwd`; its stdout, stripped. Raises on a non-zero exit."""
    assert GIT is not None
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return subprocess.run([GIT, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()
