"""`migrate apply --diff` prints a plain unified diff that `git apply` (and `patch -p1`) accept:
applying it gives byte for byte what `migrate apply` writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
GIT = shutil.which("git")
pytestmark = [pytest.mark.skipif(GIT is None, reason="git is not installed"), pytest.mark.slow]

CALL = 'r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])\n'
# Files whose lines a careless diff would cut or mangle.
TRICKY = {
    # A form feed, NEL and U+2028 inside lines: not line breaks for git.
    "tricky/separators.py": (
        "from openai import OpenAI\n\x0c\n# section\x0c two\nclient = OpenAI()\n"
        'r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "a\u2028b"}])\n'
        "print(r.choices[0].message.content)  # \x85 nel\n"
    ).encode("utf-8"),
    "tricky/crlf.py": (
        "from openai import OpenAI\r\nclient = OpenAI()\r\n"
        + CALL.replace("\n", "\r\n")
        + "print(r.choices[0].message.content)\r\n"
    ).encode(),
    "tricky/no_final_newline.py": (
        "from openai import OpenAI\nclient = OpenAI()\n" + CALL + "print(r.choices[0].message.content)"
    ).encode(),
    "tricky/non_ascii.py": (
        "from openai import OpenAI\nclient = OpenAI()  # café\n"
        + CALL.replace("hi", "naïve — ünïcode ✓")
        + "print(r.choices[0].message.content)\n"
    ).encode(),
    # Not UTF-8: the hunks must carry the file's own bytes.
    "tricky/latin1.py": (
        "# -*- coding: latin-1 -*-\nfrom openai import OpenAI\nclient = OpenAI()  # café\n"
        + CALL.replace("hi", "naïve")
        + "print(r.choices[0].message.content)\n"
    ).encode("latin-1"),
    "tricky/name with spaces.py": ("from openai import OpenAI\nclient = OpenAI()\n" + CALL).encode(),
    "tricky/café.py": ("from openai import OpenAI\nclient = OpenAI()\n" + CALL).encode(),
    "clean.py": b"print('nothing to migrate')\n",
}


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(
        [GIT, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


def _migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migrate", "apply", *args], cwd=cwd, capture_output=True)


def _tree(root: Path) -> Path:
    """fixtures/request/*.before.py and the tricky files, in a fresh git repository."""
    root.mkdir()
    for source in sorted((ROOT / "fixtures" / "request").glob("*.before.py")):
        target = root / "request" / source.name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, target)
    for name, data in TRICKY.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    assert _git("init", "-q", cwd=root).returncode == 0
    assert _git("add", "-A", cwd=root).returncode == 0
    assert _git("commit", "-qm", "before", cwd=root).returncode == 0
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_git_apply_of_the_diff_equals_apply(tmp_path: Path) -> None:
    with_diff = _tree(tmp_path / "with_diff")
    applied = _tree(tmp_path / "applied")

    diff = _migrate("--diff", ".", cwd=with_diff)
    assert diff.returncode == 1, diff.stderr.decode()
    patch = diff.stdout.decode("utf-8", errors="surrogateescape")  # each file's hunks are in its own encoding
    assert b"na\xefve" in diff.stdout  # tricky/latin1.py's lines, as latin-1
    assert patch.startswith("--- a/") and "\n+++ b/" in patch
    assert not any(line.startswith("diff --git") for line in patch.splitlines())  # a plain unified diff
    assert _files(with_diff) == _files(applied)  # --diff wrote nothing

    run = _migrate(".", cwd=applied)
    assert run.returncode == 1, run.stderr.decode()
    changed = _git("status", "--porcelain", cwd=applied).stdout
    assert "tricky/separators.py" in changed and "tricky/crlf.py" in changed and "clean.py" not in changed
    assert patch.count("\n+++ b/") == len(changed.splitlines())

    (tmp_path / "migrate.patch").write_bytes(diff.stdout)
    check = _git("apply", "--check", "-v", str(tmp_path / "migrate.patch"), cwd=with_diff)
    assert check.returncode == 0, check.stderr
    result = _git("apply", str(tmp_path / "migrate.patch"), cwd=with_diff)
    assert result.returncode == 0, result.stderr
    assert _files(with_diff) == _files(applied)


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
def test_patch_p1_accepts_the_diff_too(tmp_path: Path) -> None:
    with_diff = _tree(tmp_path / "with_diff")
    applied = _tree(tmp_path / "applied")
    diff = _migrate("--diff", "request", "tricky", cwd=with_diff)
    _migrate("request", "tricky", cwd=applied)
    (tmp_path / "migrate.patch").write_bytes(diff.stdout)
    result = subprocess.run(
        ["patch", "-p1", "--batch", "--no-backup-if-mismatch", "-i", str(tmp_path / "migrate.patch")],
        cwd=with_diff,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _files(with_diff) == _files(applied)


def test_diff_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    """Run from a subdirectory, the diff applies there (as `git apply` reads paths from cwd)."""
    with_diff = _tree(tmp_path / "with_diff")
    applied = _tree(tmp_path / "applied")
    diff = _migrate("--diff", ".", cwd=with_diff / "tricky")
    assert diff.stdout.startswith(b"--- a/")
    assert b"tricky/" not in diff.stdout.split(b"\n", 1)[0]
    _migrate(".", cwd=applied / "tricky")
    (tmp_path / "sub.patch").write_bytes(diff.stdout)
    result = _git("apply", str(tmp_path / "sub.patch"), cwd=with_diff / "tricky")
    assert result.returncode == 0, result.stderr
    assert _files(with_diff) == _files(applied)


def test_a_long_file_s_diff_shows_only_what_changed() -> None:
    """difflib's "junk" heuristic treats lines that fill more than 1% of a file of 200 lines or
    more (`    model=m,`) as noise, and the diff then removes and adds them again: not here."""
    from migrate.catalog.findings import FileResult
    from migrate.report.diff import unified_diff

    lines = [f"r{i} = client.create(\n    model=m,\n    messages=q{i},\n)\n" for i in range(80)]
    before = "".join(lines)
    for k in (10, 40, 70):
        lines[k] = f"r{k} = client.responses.create(\n    model=m,\n    input=q{k},\n    store=False,\n)\n"
    diff = unified_diff(FileResult("m.py", "changed", original=before.encode(), migrated="".join(lines).encode()))
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) == 3 * 5  # per call: its first line and `messages=` out, three lines in (difflib: 21)


@given(
    st.lists(st.sampled_from(["a\n", "b\n", ")\n", "c"]), max_size=40),
    st.lists(st.sampled_from(["a\n", "b\n", ")\n", "d\n"]), max_size=40),
)
def test_short_diffs_are_difflib_s(a: list[str], b: list[str]) -> None:
    """Below 200 lines difflib's heuristic never applies: the hunks are exactly its own."""
    import difflib

    from migrate.report.diff import _unified

    assert list(_unified(a, b, "a/m.py", "b/m.py")) == list(difflib.unified_diff(a, b, "a/m.py", "b/m.py"))
