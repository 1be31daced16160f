from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.run import discovery
from migrate.run.discovery import Discovered, iter_files


def make(root: Path, *files: str, content: str = "x = 1\n") -> None:
    for f in files:
        p = root / f
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)


def rels(root: Path, found: list[Discovered]) -> list[str]:
    assert all(d.error is None for d in found), found
    return [d.path.relative_to(root).as_posix() for d in found]


def walk(root: Path, **kw) -> list[str]:
    return rels(root, list(iter_files([root], **kw)))


def test_only_py_files_sorted_by_components(tmp_path: Path) -> None:
    make(tmp_path, "b.py", "a/z.py", "a/b/c.py", "a.py", "c.pyi", "notes.txt", "a/b.py")
    assert walk(tmp_path) == ["a/b/c.py", "a/b.py", "a/z.py", "a.py", "b.py"]
    assert walk(tmp_path) == walk(tmp_path)


def test_default_excludes_and_venv_marker(tmp_path: Path) -> None:
    for d in sorted(discovery.DEFAULT_EXCLUDED_DIRS):
        make(tmp_path, f"{d}/m.py", f"pkg/{d}/m.py")
    make(tmp_path, "myenv/pyvenv.cfg", "myenv/lib/m.py", "pkg/ok.py", "builder/ok.py")
    assert walk(tmp_path) == ["builder/ok.py", "pkg/ok.py"]


def test_explicit_excluded_dir_is_walked(tmp_path: Path) -> None:
    make(tmp_path, "build/m.py", "build/dist/n.py")
    assert walk(tmp_path / "build") == ["m.py"]


def test_nested_gitignore_relative_to_its_dir(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    make(tmp_path, "gen.py", "top.py", "sub/gen.py", "sub/keep.py", "sub/deep/x.py", "sub/deep/y.py")
    make(tmp_path, "other/deep/x.py", "other/skip.py")
    (tmp_path / ".gitignore").write_text("# comment\ngen.py\n/top.py\nskip.py\n")
    (tmp_path / "sub" / ".gitignore").write_text("/deep/x.py\n!gen.py\n")
    assert walk(tmp_path) == ["other/deep/x.py", "sub/deep/y.py", "sub/gen.py", "sub/keep.py"]


def test_gitignore_of_git_root_applies_to_walked_subdir(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("pkg/generated/\n*_pb2.py\n")
    make(tmp_path, "pkg/a.py", "pkg/a_pb2.py", "pkg/generated/g.py")
    assert walk(tmp_path / "pkg") == ["a.py"]
    # Naming an ignored directory explicitly walks it.
    assert walk(tmp_path / "pkg" / "generated") == ["g.py"]


def test_gitignore_without_git_root(tmp_path: Path) -> None:
    make(tmp_path, "proj/a.py", "proj/ignored/b.py")
    (tmp_path / "proj" / ".gitignore").write_text("ignored/\n")
    assert walk(tmp_path / "proj") == ["a.py"]


def test_exclude_patterns(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "legacy/a.py", "x/legacy/a.py", "x/a_pb2.py", "y/a.py")
    assert walk(tmp_path, exclude=["legacy", "*_pb2.py", "/y"]) == ["a.py"]
    assert walk(tmp_path, exclude=["/legacy/"]) == ["a.py", "x/a_pb2.py", "x/legacy/a.py", "y/a.py"]


def test_explicit_files_bypass_excludes(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    make(tmp_path, "ignored.py", "build/x.py", "script", "skip_me.py")
    args = [tmp_path / "ignored.py", tmp_path / "build" / "x.py", tmp_path / "script", tmp_path / "skip_me.py"]
    got = list(iter_files(args, exclude=["skip_me.py"]))
    assert got == [Discovered(p) for p in args]


def test_missing_path(tmp_path: Path) -> None:
    make(tmp_path, "a.py")
    got = list(iter_files([tmp_path / "nope.py", tmp_path / "a.py", str(tmp_path / "gone")]))
    assert got == [
        Discovered(tmp_path / "nope.py", error="no such file or directory"),
        Discovered(tmp_path / "a.py"),
        Discovered(tmp_path / "gone", error="no such file or directory"),
    ]


def test_dedupe(tmp_path: Path) -> None:
    make(tmp_path, "pkg/a.py", "pkg/b.py")
    got = list(iter_files([tmp_path / "pkg" / "a.py", tmp_path / "pkg", tmp_path, str(tmp_path / "pkg" / "b.py")]))
    assert rels(tmp_path, got) == ["pkg/a.py", "pkg/b.py"]


def test_symlinked_files_inside_and_outside_root(tmp_path: Path) -> None:
    make(tmp_path, "root/real.py", "outside/secret.py")
    root = tmp_path / "root"
    (root / "in_link.py").symlink_to(root / "real.py")
    (root / "out_link.py").symlink_to(tmp_path / "outside" / "secret.py")
    (root / "dangling.py").symlink_to(root / "missing.py")
    # The link sorts first, so it is the one yielded; the target is a duplicate.
    assert walk(root) == ["in_link.py"]
    # Named explicitly, a link to outside is yielded.
    assert list(iter_files([root / "out_link.py"])) == [Discovered(root / "out_link.py")]


def test_symlinked_dirs_not_followed_and_loops_terminate(tmp_path: Path) -> None:
    make(tmp_path, "root/pkg/a.py", "other/b.py")
    root = tmp_path / "root"
    (root / "pkg" / "loop").symlink_to(root, target_is_directory=True)
    (root / "ext").symlink_to(tmp_path / "other", target_is_directory=True)
    (root / "x.py").symlink_to(root / "y.py")
    (root / "y.py").symlink_to(root / "x.py")
    assert walk(root) == ["pkg/a.py"]


def test_root_given_through_symlink(tmp_path: Path) -> None:
    make(tmp_path, "real/a.py")
    (tmp_path / "real" / "b.py").symlink_to(tmp_path / "real" / "a.py")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    got = list(iter_files([tmp_path / "alias"]))
    assert got == [Discovered(tmp_path / "alias" / "a.py")]


def test_unreadable_directory_reported_and_walk_continues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, "a/x.py", "locked/y.py", "z/w.py")
    real_scandir = os.scandir

    def scandir(path: str):  # chmod 000 does not stop root, so simulate it
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    got = list(iter_files([tmp_path]))
    assert got == [
        Discovered(tmp_path / "a" / "x.py"),
        Discovered(tmp_path / "locked", error="permission denied"),
        Discovered(tmp_path / "z" / "w.py"),
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_directory_real_permissions(tmp_path: Path) -> None:
    make(tmp_path, "locked/y.py", "z.py")
    (tmp_path / "locked").chmod(0)
    try:
        got = list(iter_files([tmp_path]))
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert got == [Discovered(tmp_path / "locked", error="permission denied"), Discovered(tmp_path / "z.py")]


def test_no_libcst_or_openai_import() -> None:
    # Load the module files directly so migrate/__init__.py does not count.
    code = (
        "import importlib.util, sys\n"
        "for name in ('discovery', 'fileio'):\n"
        "    spec = importlib.util.spec_from_file_location(name, f'migrate/run/{name}.py')\n"
        "    sys.modules[name] = mod = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(mod)\n"
        "print(sorted(m for m in ('libcst', 'openai') if m in sys.modules))\n"
    )
    root = Path(discovery.__file__).parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_invalid_gitignore_line_is_skipped(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "gen.py")
    (tmp_path / ".gitignore").write_text("!\ngen.py\n")  # "!" alone is not a valid pattern
    assert walk(tmp_path) == ["a.py"]
