"""A run over some files reads the rest of their project for importers (#14 item 6): the
project is the `[tool.migrate]` pyproject's directory, else the git repository, else the nearest
directory holding a packaging file, else nothing;
its files are found as a run over it would find them, and are only read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migrate.catalog.settings import Settings
from migrate.run.project import outside_files, project_root
from migrate.run.tree import run

HELPER = """\
from openai import OpenAI

client = OpenAI()


def ask(question: str):
    return client.chat.completions.create(model="gpt-4.1-mini", messages=[{"role": "user", "content": question}])


def shout(question: str) -> str:
    return ask(question).choices[0].message.content.upper()
"""
READER = "from app.llm import ask\n\nprint(ask('hi').choices[0].message.content)\n"


def _tree(root: Path, reader_at: str = "app/views.py") -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "llm.py").write_text(HELPER)
    (root / reader_at).parent.mkdir(parents=True, exist_ok=True)
    (root / reader_at).write_text(READER)
    return root


def _codes(root: Path, *paths: str, exclude: tuple[str, ...] = ()) -> tuple[list[str], set[str]]:
    results = list(run([str(root / p) for p in paths], Settings(), write=True, exclude=exclude))
    return [Path(r.path).relative_to(root).as_posix() for r in results], {
        f.code for r in results for call in r.calls for f in call.findings
    }


def test_git_root_is_the_project(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    (root / ".git").mkdir()
    assert project_root([str(root / "app" / "llm.py")]) == str(root.resolve())
    names, codes = _codes(root, "app/llm.py")
    assert names == ["app/llm.py"] and "RSP309" in codes
    assert (root / "app" / "llm.py").read_text() == HELPER  # refused: nothing written


def test_subfolder_run_reads_the_rest(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo", reader_at="scripts/report.py")
    (root / ".git").mkdir()
    names, codes = _codes(root, "app")
    assert names == ["app/__init__.py", "app/llm.py"] and "RSP309" in codes


@pytest.mark.parametrize("packaging", ["pyproject.toml", "setup.py", "setup.cfg"])
def test_a_packaged_folder_without_git_is_the_project(tmp_path: Path, packaging: str) -> None:
    root = _tree(tmp_path / "pkg")
    (root / packaging).write_text("[project]\nname = 'app'\n" if packaging == "pyproject.toml" else "")
    assert project_root([str(root / "app" / "llm.py")]) == str(root.resolve())
    _, codes = _codes(root, "app/llm.py")
    assert "RSP309" in codes  # app/views.py, outside the run, reads the result
    assert (root / "app" / "llm.py").read_text() == HELPER


def test_without_a_project_only_the_run_is_read(tmp_path: Path) -> None:
    root = _tree(tmp_path / "loose")
    assert project_root([str(root / "app" / "llm.py")]) is None
    _, codes = _codes(root, "app/llm.py")
    assert "RSP309" not in codes and "RSP135" in codes


def test_a_run_over_the_project_has_nothing_outside(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    (root / "pyproject.toml").write_text("[tool.migrate]\n")
    assert outside_files([str(root)], [str(root / "app" / "llm.py")]) == []
    found = outside_files([str(root / "app" / "llm.py")], [str(root / "app" / "llm.py")])
    assert sorted(Path(p).resolve() for p in found) == sorted(
        (root / "app" / name).resolve() for name in ("__init__.py", "views.py")
    )


@pytest.mark.parametrize("how", ["gitignore", "exclude"])
def test_ignored_files_are_not_read(tmp_path: Path, how: str) -> None:
    root = _tree(tmp_path / "repo", reader_at="legacy/views.py")
    (root / ".git").mkdir()
    exclude: tuple[str, ...] = ()
    if how == "gitignore":
        (root / ".gitignore").write_text("legacy/\n")
    else:
        exclude = ("legacy",)
    _, codes = _codes(root, "app/llm.py", exclude=exclude)
    assert "RSP309" not in codes and "RSP135" in codes


def test_include_importers_migrates_them_with_the_helper(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    (root / ".git").mkdir()
    results = list(run([str(root / "app" / "llm.py")], Settings(), write=True, include_importers=True))
    assert [(Path(r.path).relative_to(root).as_posix(), r.status) for r in results] == [
        ("app/llm.py", "changed"),
        ("app/views.py", "changed"),
    ]
    assert "responses.create" in (root / "app" / "llm.py").read_text()
    assert (root / "app" / "views.py").read_text() == READER.replace(".choices[0].message.content", ".output_text")
    assert not (root / "app" / "__init__.py").read_text()  # read, not an importer: not in the run


def test_include_importers_on_the_command_line(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    (root / "pyproject.toml").write_text("[tool.migrate]\n")
    done = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--check", "app/llm.py"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "RSP309 `ask()` returns the result, and app/views.py, outside the run, imports it" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--include-importers", "app/llm.py"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert "RSP309" not in done.stderr and "app/views.py" in done.stderr
    assert ".output_text" in (root / "app" / "views.py").read_text()


def test_an_unparsable_file_naming_the_helper_refuses_it(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    (root / ".git").mkdir()
    (root / "app" / "views.py").write_text("from app.llm import ask\nprint ask('hi')\n")
    results = list(run([str(root / "app" / "llm.py")], Settings(), write=True))
    why = [f.message() for r in results for call in r.calls for f in call.findings if f.code == "RSP309"]
    assert len(why) == 1 and "views.py, outside the run, may import it and can't be parsed" in why[0]
