from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from migrate.run import fileio
from migrate.run.fileio import (
    FileChangedError,
    decode_for_display,
    read_bytes,
    write_atomic,
)


def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.endswith(fileio.TMP_SUFFIX))


def test_read_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\r\n")
    assert read_bytes(tmp_path / "a.py") == b"x = 1\r\n"
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "missing.py")


@pytest.mark.parametrize("mode", [0o755, 0o640, 0o600])
def test_write_atomic_replaces_content_and_keeps_mode(tmp_path: Path, mode: int) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(b"old\n")
    f.chmod(mode)
    inode = f.stat().st_ino
    write_atomic(f, b"new\n", expected=b"old\n")
    assert f.read_bytes() == b"new\n"
    assert stat.S_IMODE(f.stat().st_mode) == mode
    assert f.stat().st_ino != inode  # replaced, not rewritten in place
    assert leftovers(tmp_path) == []


def test_write_atomic_through_symlink_replaces_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "a.py"
    target.write_bytes(b"old\n")
    target.chmod(0o754)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(link, b"new\n", expected=b"old\n")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o754
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_write_atomic_breaks_hard_links(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(b"old\n")
    os.link(f, tmp_path / "b.py")
    write_atomic(f, b"new\n", expected=b"old\n")
    assert f.read_bytes() == b"new\n"
    assert (tmp_path / "b.py").read_bytes() == b"old\n"


def test_write_atomic_refuses_when_file_changed(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(b"edited by someone else\n")
    with pytest.raises(FileChangedError) as info:
        write_atomic(f, b"new\n", expected=b"old\n")
    assert isinstance(info.value, OSError)
    assert str(info.value) == "file changed on disk since it was read"
    assert info.value.filename == str(f) and info.value.path == f
    assert f.read_bytes() == b"edited by someone else\n"
    assert leftovers(tmp_path) == []


def test_write_atomic_refuses_when_file_vanished(tmp_path: Path) -> None:
    with pytest.raises(FileChangedError):
        write_atomic(tmp_path / "a.py", b"new\n", expected=b"old\n")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_cleans_up_when_replace_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(b"old\n")
    seen: list[str] = []

    def boom(src: str, dst: object) -> None:
        seen.append(os.path.basename(src))
        assert os.path.exists(src)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", boom)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(f, b"new\n", expected=b"old\n")
    assert len(seen) == 1 and seen[0].startswith(".a.py.") and seen[0].endswith(".migrate-tmp")
    assert f.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []


def test_decode_for_display_latin1_cookie() -> None:
    data = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")
    assert decode_for_display(data) == "# -*- coding: latin-1 -*-\nname = 'café'\n"
    # The same bytes read as UTF-8 would be garbled.
    assert data.decode("utf-8", errors="replace") != decode_for_display(data)


def test_decode_for_display_bom_and_fallback() -> None:
    assert decode_for_display(b"\xef\xbb\xbfx = '\xc3\xa9'\n") == "x = 'é'\n"
    assert decode_for_display(b"x = '\xff'\n") == "x = '\ufffd'\n"  # no cookie, invalid UTF-8
    assert decode_for_display(b"# coding: nonsense\nx = 1\n") == "# coding: nonsense\nx = 1\n"
    assert decode_for_display(b"") == ""
