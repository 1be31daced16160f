"""The line length a file is formatted to, found as ruff finds it."""

from __future__ import annotations

from pathlib import Path

from migrate.catalog.linelength import DEFAULT, line_length


def test_default_without_configuration(tmp_path: Path) -> None:
    assert line_length(tmp_path / "a" / "m.py") == DEFAULT == 88


def test_ruff_table_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    (tmp_path / "pkg").mkdir()
    assert line_length(tmp_path / "pkg" / "m.py") == 120


def test_black_table_when_no_ruff_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert line_length(tmp_path / "m.py") == 100


def test_ruff_wins_over_black(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n[tool.ruff]\nline-length = 79\n")
    assert line_length(tmp_path / "m.py") == 79


def test_nearest_configuration_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ruff.toml").write_text("line-length = 99\n")
    assert line_length(tmp_path / "sub" / "m.py") == 99
    assert line_length(tmp_path / "m.py") == 120


def test_pyproject_without_formatter_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert line_length(tmp_path / "sub" / "m.py") == 100


def test_formatter_table_without_line_length_means_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.ruff]\ntarget-version = 'py39'\n")
    assert line_length(tmp_path / "sub" / "m.py") == DEFAULT


def test_unreadable_pyproject_counts_as_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.ruff\n")
    assert line_length(tmp_path / "sub" / "m.py") == 100
