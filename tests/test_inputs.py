"""Hostile inputs, one row each: what `migrate apply` says about the file, and that nothing else moved.

Every row builds a small tree (the case's files, plus `control.py`, a chat call that must
migrate, and `clean.py`, which must not change), runs the CLI on it in-process, and checks:

* the report has one line `PATH: STATUS REASON` for the case's file (changed files: its path);
* the case's file ends with the expected bytes (exact where a chat call sits in an odd file:
  encoding, BOM, line endings, tabs, form feeds, mode are preserved) or untouched;
* every other file, link, mode and directory in the tree (and outside it) is as it was,
  except `control.py`, which is migrated: the run went on;
* the exit code is 2 when anything failed, else 1 (control.py changed).

Permission errors can't be produced with chmod when the tests run as root, so those rows
patch the failing call; `test_unreadable_file_as_nobody` does it for real when it can.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrate.cli.app import app
from migrate.engine import pipeline as engine
from migrate.run import fileio, tasks
from migrate.run import tree as runner

ORIG = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'r = client.chat.completions.create(model="gpt-4.1", messages=[{{"role": "user", "content": "{text}"}}])\n'
    "print(r.choices[0].message.content)\n"
)
MIGRATED = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'r = client.responses.create(model="gpt-4.1", input=[{{"role": "user", "content": "{text}"}}], store=False)\n'
    "print(r.output_text)\n"
)
CLEAN = b"print('nothing to see')\n"


def pair(
    text: str = "hi", nl: str = "\n", encoding: str = "utf-8", head: str = "", bom: bool = False
) -> tuple[bytes, bytes]:
    """(original, expected migrated) bytes of the chat-call file in one flavour."""
    before, after = head + ORIG.format(text=text), head + MIGRATED.format(text=text)
    lead = b"\xef\xbb\xbf" if bom else b""
    return (lead + before.replace("\n", nl).encode(encoding), lead + after.replace("\n", nl).encode(encoding))


CONTROL, CONTROL_MIGRATED = pair("control")

TABS = (
    b"from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(question):\n"
    b'\tr = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])\n'
    b"\treturn r.choices[0].message.content\n"
)
TABS_MIGRATED = (
    b"from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(question):\n"
    b'\tr = client.responses.create(model="gpt-4.1", input=[{"role": "user", "content": question}], store=False)\n'
    b"\treturn r.output_text\n"
)
FORM_FEED = (
    b"from openai import OpenAI\n\x0c\nclient = OpenAI()\n\x0c\n"
    b'r = client.chat.completions.create(model="gpt-4.1",\n\tmessages=[{"role": "user", "content": "x"}],\n)\n'
    b"print(r.choices[0].message.content)\n"
)
FORM_FEED_MIGRATED = (
    b"from openai import OpenAI\n\x0c\nclient = OpenAI()\n\x0c\n"
    b'r = client.responses.create(model="gpt-4.1",\n\tinput=[{"role": "user", "content": "x"}],\n\tstore=False,\n)\n'
    b"print(r.output_text)\n"
)
CALL_LINE = b'r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "x"}])\n'


@dataclass
class Case:
    files: dict[str, bytes]  # relative to the tree
    expect: tuple[str, str, str]  # (the case's path as named on the command line or walked, status, reason substring)
    result: bytes | None = None  # the case file's bytes afterwards; None: untouched
    args: list[str] | None = None  # relative to tmp_path; default: the tree
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None  # links, modes, patches
    exit_code: int | None = None  # default: 2 if failed else 1
    changed_outside: dict[str, bytes] = field(default_factory=dict)  # other paths (rel. tmp_path) that change


def mixed_endings() -> tuple[bytes, bytes]:
    before, after = pair("mixed")
    b, a = before.split(b"\n"), after.split(b"\n")  # CRLF, LF, CR, CRLF, LF: same on both sides
    seps = [b"\r\n", b"\n", b"\n", b"\r\n", b"\n"]
    # strict=False: the empty part after the last newline has no separator and is dropped.
    join = lambda parts: b"".join(p + s for p, s in zip(parts, seps, strict=False))  # noqa: E731
    return join(b), join(a)


def _link(name: str, target: str, *, directory: bool = False) -> Callable:
    def setup(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        (tmp / name).symlink_to(tmp / target, target_is_directory=directory)

    return setup


def _chmod(name: str, mode: int) -> Callable:
    def setup(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        (tmp / name).chmod(mode)

    return setup


def _fifo(name: str) -> Callable:
    def setup(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        os.mkfifo(tmp / name)

    return setup


def _unreadable(name: str) -> Callable:
    def setup(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        real = runner.read_bytes

        def read_bytes(path):  # chmod 000 does not stop root
            if Path(path).name == name:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        mp.setattr(runner, "read_bytes", read_bytes)

    return setup


def _readonly_dir(name: str) -> Callable:
    def setup(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        real = fileio.tempfile.mkstemp

        def mkstemp(*, dir, prefix, suffix):  # a read-only directory, as root can't have one
            if prefix.startswith(f".{name}."):
                raise PermissionError(13, "Permission denied", str(dir))
            return real(dir=dir, prefix=prefix, suffix=suffix)

        mp.setattr(fileio.tempfile, "mkstemp", mkstemp)

    return setup


def _changed_before_write(name: str) -> Callable:
    def setup(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        real = tasks.migrate_source

        def migrate_source(path, data, settings, *links):  # someone saves the file while we parse it
            result = real(path, data, settings, *links)
            if Path(path).name == name:
                Path(path).write_bytes(data + b"# edited\n")
            return result

        mp.setattr(tasks, "migrate_source", migrate_source)

    return setup


BIG_DICT = b"D = {\n" + b"".join(b'    "key_%05d": "completions %05d",\n' % (i, i) for i in range(11_000)) + b"}\n"
DEEP_SUM = b"x = " + b" + ".join(b"a%d" % i for i in range(5_000)) + b"\n"
ELIF_CHAIN = b"x = 0\nif x == 0:\n    y = 0\n" + b"".join(
    b"elif x == %d:\n    y = %d\n" % (i, i) for i in range(1, 1_000)
)
ELIF_CHAIN_CALL = ELIF_CHAIN + b"else:\n    " + CALL_LINE
ELIF_CHAIN_MIGRATED = ELIF_CHAIN + (
    b'else:\n    r = client.responses.create(model="gpt-4.1", input=[{"role": "user", "content": "x"}], store=False)\n'
)
HEAD = CONTROL.split(b"r = ")[0]  # imports and the client

_bom, _latin1, _cp1252 = pair("h\u00e9", bom=True), None, None
_latin1 = pair("caf\u00e9 \u00f1 \u00bd", encoding="latin-1", head="# -*- coding: latin-1 -*-\n# r\u00e9sum\u00e9\n")
_cp1252 = pair("\u201csmart\u201d \u2013 \u20ac", encoding="cp1252", head="# coding: cp1252\n")
_crlf, _cr, _mixed = pair("crlf", nl="\r\n"), pair("cr", nl="\r"), mixed_endings()
_no_nl = tuple(b[:-1] for b in pair("no newline"))

CASES = {
    # -- encodings and layout: migrated, bytes exact ------------------------------------------
    "utf8-bom": Case({"case.py": _bom[0]}, ("case.py", "changed", ""), _bom[1]),
    "latin1-cookie": Case({"case.py": _latin1[0]}, ("case.py", "changed", ""), _latin1[1]),
    "cp1252-cookie": Case({"case.py": _cp1252[0]}, ("case.py", "changed", ""), _cp1252[1]),
    "crlf": Case({"case.py": _crlf[0]}, ("case.py", "changed", ""), _crlf[1]),
    "crlf-mode-0755": Case(
        {"case.py": _crlf[0]}, ("case.py", "changed", ""), _crlf[1], setup=_chmod("t/case.py", 0o755)
    ),
    "mixed-line-endings": Case({"case.py": _mixed[0]}, ("case.py", "changed", ""), _mixed[1]),
    "tabs": Case({"case.py": TABS}, ("case.py", "changed", ""), TABS_MIGRATED),
    "form-feeds": Case({"case.py": FORM_FEED}, ("case.py", "changed", ""), FORM_FEED_MIGRATED),
    "no-trailing-newline": Case({"case.py": _no_nl[0]}, ("case.py", "changed", ""), _no_nl[1]),
    "elif-chain-1000": Case(
        {"case.py": HEAD + ELIF_CHAIN_CALL}, ("case.py", "changed", ""), HEAD + ELIF_CHAIN_MIGRATED
    ),
    # -- left alone, with a reason --------------------------------------------------------------
    "cr-only": Case({"case.py": _cr[0]}, ("case.py", "skipped", "round-trip: LibCST does not reproduce")),
    "empty": Case({"case.py": b""}, ("case.py", "unchanged", "")),
    "big-dict-400k-word-only": Case({"case.py": BIG_DICT}, ("case.py", "unchanged", "")),
    "deep-sum-5000-word-only": Case({"case.py": DEEP_SUM + b"# completions\n"}, ("case.py", "unchanged", "")),
    "deep-sum-5000-with-call": Case({"case.py": CONTROL + DEEP_SUM}, ("case.py", "failed", "too deeply nested: 500")),
    "brackets-1000-deep": Case(
        {"case.py": CONTROL + b"x = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n"},
        ("case.py", "failed", "too deeply nested: too many nested parentheses at line 6"),
    ),
    "nul-bytes": Case({"case.py": CONTROL.replace(b"print", b"pr\0int")}, ("case.py", "failed", "NUL byte at line 5")),
    "invalid-utf8": Case(
        {"case.py": pair("h\u00e9")[0].replace("\u00e9".encode(), b"\xff")},
        ("case.py", "failed", "cannot decode line 4: 'utf-8' codec can't decode byte 0xff"),
    ),
    "latin1-without-cookie": Case(
        {"case.py": pair("caf\u00e9", encoding="latin-1")[0]},
        ("case.py", "failed", "no coding cookie, so it must be UTF-8"),
    ),
    "unknown-coding-cookie": Case(
        {"case.py": b"# coding: klingon\n" + CONTROL},
        ("case.py", "failed", "bad coding cookie: unknown encoding: klingon"),
    ),
    "python2-print": Case(
        {"case.py": CONTROL + b"print 'done'\n"}, ("case.py", "failed", "syntax error at line 6: Missing parentheses")
    ),
    "syntax-error": Case(
        {"case.py": CONTROL + b"def (:\n"}, ("case.py", "failed", "syntax error at line 6: invalid syntax")
    ),
    "inconsistent-tabs": Case(
        {"case.py": TABS.replace(b"\treturn", b"        return")},
        ("case.py", "failed", "TabError at line 8: inconsistent use of tabs and spaces"),
    ),
    "stale-migrate-tmp-ignored": Case(
        {".case.py.abc123.migrate-tmp": CONTROL[:40], "case.py": CLEAN}, ("case.py", "unchanged", "")
    ),
    # -- what is named on the command line ------------------------------------------------------
    "non-py-named-explicitly": Case(
        {"tool": CONTROL}, ("t/tool", "changed", ""), CONTROL_MIGRATED, args=["t/tool", "t/control.py"]
    ),
    "non-py-text-named-explicitly": Case(
        {"notes.md": b"# Notes\n\nWe call chat.completions here.\n"},
        ("t/notes.md", "failed", "(not a .py file)"),
        args=["t/notes.md", "t/control.py"],
    ),
    "non-py-in-walk-ignored": Case({"tool": CONTROL}, ("tool", "unchanged", "")),
    "directory-named-like-a-file": Case(
        {"pkg.py/case.py": CONTROL}, ("pkg.py/case.py", "changed", ""), CONTROL_MIGRATED
    ),
    "file-named-as-directory": Case(
        {"case.py": CONTROL}, ("t/case.py", "failed", "not a directory"), args=["t/case.py/", "t/control.py"]
    ),
    "missing-path": Case({}, ("t/missing.py", "failed", "no such file or directory"), args=["t/missing.py", "t"]),
    # -- symlinks ---------------------------------------------------------------------------------
    "symlink-to-file-inside": Case(
        {"real.py": CONTROL},
        ("link.py", "changed", ""),
        setup=_link("t/link.py", "t/real.py"),
        changed_outside={"t/real.py": CONTROL_MIGRATED},
    ),
    "symlink-to-file-outside": Case(
        {}, ("link.py", "skipped", "outside"), setup=_link("t/link.py", "outside/secret.py")
    ),
    "symlink-outside-named-explicitly": Case(
        {},
        ("t/link.py", "changed", ""),
        args=["t/link.py", "t/control.py"],
        setup=_link("t/link.py", "outside/secret.py"),
        changed_outside={"outside/secret.py": CONTROL_MIGRATED},
    ),
    "symlink-to-directory-outside": Case(
        {}, ("lib.py", "skipped", "symlink to a directory"), setup=_link("t/lib.py", "outside", directory=True)
    ),
    "symlink-loop": Case(
        {},
        ("a.py", "skipped", "too many levels of symbolic links"),
        setup=lambda tmp, mp: (_link("t/a.py", "t/b.py")(tmp, mp), _link("t/b.py", "t/a.py")(tmp, mp)),
    ),
    "symlink-broken": Case({}, ("gone.py", "skipped", "broken symlink"), setup=_link("t/gone.py", "t/nowhere.py")),
    "fifo-in-walk": Case({}, ("pipe.py", "skipped", "not a regular file (a FIFO)"), setup=_fifo("t/pipe.py")),
    "fifo-named-explicitly": Case(
        {},
        ("t/pipe.py", "failed", "not a regular file (a FIFO)"),
        args=["t/pipe.py", "t/control.py"],
        setup=_fifo("t/pipe.py"),
    ),
    # -- permissions and races ------------------------------------------------------------------
    "unreadable-file": Case(
        {"case.py": CONTROL}, ("case.py", "failed", "cannot read: permission denied"), setup=_unreadable("case.py")
    ),
    "read-only-file": Case(
        {"case.py": CONTROL}, ("case.py", "failed", "cannot write: file is read-only"), setup=_chmod("t/case.py", 0o444)
    ),
    "read-only-directory": Case(
        {"case.py": CONTROL}, ("case.py", "failed", "cannot write: permission denied"), setup=_readonly_dir("case.py")
    ),
    "changed-while-migrating": Case(
        {"case.py": CONTROL},
        ("case.py", "failed", "file changed on disk since it was read; not written"),
        setup=_changed_before_write("case.py"),
        changed_outside={"t/case.py": CONTROL + b"# edited\n"},
    ),
}
if not hasattr(os, "mkfifo"):  # pragma: no cover
    del CASES["fifo-in-walk"], CASES["fifo-named-explicitly"]


def snapshot(root: Path) -> dict[str, tuple]:
    """Everything observable about a tree: type, mode, bytes or link target, per path."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            rel = p.relative_to(root).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", stat.S_IMODE(st.st_mode), p.read_bytes())
            else:
                out[rel] = ("other", stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
    return out


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "t"
    tree.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.py").write_bytes(CONTROL)
    for name, data in {"control.py": CONTROL, "clean.py": CLEAN, **case.files}.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    if case.setup:
        case.setup(tmp_path, monkeypatch)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(app, ["apply", *(case.args or ["t"])])

    name, status, reason = case.expect
    shown = name if (case.args or name.startswith("t/")) else f"t/{name}"
    report = result.stderr
    if status in ("failed", "skipped"):
        lines = [line for line in report.splitlines() if line.startswith(f"{shown}: {status} ")]
        assert len(lines) == 1, report
        assert reason in lines[0], lines[0]
    elif status == "changed":
        assert shown in report.splitlines(), report
    else:
        assert shown not in report, report
    expected_exit = case.exit_code if case.exit_code is not None else (2 if status == "failed" else 1)
    assert result.exit_code == expected_exit, (result.exit_code, report, result.exception)

    after = snapshot(tmp_path)
    expected = dict(before)
    expected["t/control.py"] = ("file", before["t/control.py"][1], CONTROL_MIGRATED)
    case_path = shown.rstrip("/")
    if case.result is not None:
        key = case_path if case.args else f"t/{name}"
        expected[key] = ("file", before[key][1], case.result)
    for rel, data in case.changed_outside.items():
        expected[rel] = ("file", before[rel][1], data)
    assert after == expected
    assert not [p for p in after if p.endswith(".migrate-tmp") and p not in before]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give files away")
def test_owner_and_group_are_kept(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(CONTROL)
    os.chown(f, 65534, 65534)
    f.chmod(0o640)
    result = CliRunner().invoke(app, ["apply", str(f)])
    assert result.exit_code == 1, result.stderr
    st = f.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)
    assert f.read_bytes() == CONTROL_MIGRATED


@pytest.mark.skipif(
    os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to switch user"
)
def test_unreadable_file_as_nobody() -> None:
    """The real thing: a 000 file and a read-only directory, for a user the mode applies to."""
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        pytest.skip("no user `nobody`")
    probe = (
        subprocess.run(
            [sys.executable, "-c", "import migrate.cli.app"],
            user=nobody.pw_uid,
            group=nobody.pw_gid,
            capture_output=True,
            cwd="/",
            check=False,
        )
        if _can_exec_as(nobody)
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("this interpreter or checkout is not readable by `nobody`")
    tmp = Path(tempfile.mkdtemp())
    try:
        tmp.chmod(0o755)
        tree = tmp / "t"
        (tree / "ro").mkdir(parents=True)
        for rel in ("secret.py", "ro/case.py", "ok.py"):
            (tree / rel).write_bytes(CONTROL)
        (tree / "ro" / "frozen.py").write_bytes(CONTROL)
        (tree / "secret.py").chmod(0)
        os.chown(tree, nobody.pw_uid, nobody.pw_gid)
        os.chown(tree / "ok.py", nobody.pw_uid, nobody.pw_gid)
        (tree / "ro").chmod(0o555)
        for rel in ("ro/case.py", "ro/frozen.py"):
            (tree / rel).chmod(0o666)
        out = subprocess.run(
            [sys.executable, "-m", "migrate", "apply", str(tree)],
            user=nobody.pw_uid,
            group=nobody.pw_gid,
            capture_output=True,
            text=True,
            cwd="/",
            check=False,
        )
        assert out.returncode == 2, out.stderr
        assert f"{tree}/secret.py: failed cannot read: permission denied" in out.stderr
        assert f"{tree}/ro/case.py: failed cannot write: permission denied" in out.stderr
        assert (tree / "ok.py").read_bytes() == CONTROL_MIGRATED
        assert (tree / "ro" / "case.py").read_bytes() == CONTROL
    finally:
        (tmp / "t" / "ro").chmod(0o755)
        shutil.rmtree(tmp)


def _can_exec_as(user) -> bool:
    try:
        subprocess.run(
            [sys.executable, "-c", "pass"], user=user.pw_uid, group=user.pw_gid, capture_output=True, check=True
        )
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


def test_deep_files_are_refused_before_libcst(monkeypatch: pytest.MonkeyPatch) -> None:
    """LibCST's native parser segfaults past a few thousand levels: the ast gate must refuse first."""
    import libcst

    def boom(*args, **kwargs):
        raise AssertionError("LibCST must not see this file")

    monkeypatch.setattr(libcst, "parse_module", boom)
    for data in (
        CONTROL + b"x = " + b"(" * 5000 + b")" * 5000 + b"\n",
        CONTROL + b"x = " + b"-" * 20_000 + b"1\n",
        CONTROL + b"if x:\n    pass\n" + b"elif x:\n    pass\n" * 10_000,
        CONTROL + b"def (:\n" + b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",  # a syntax error, then a deep file
    ):
        result = engine.migrate_source("deep.py", data, engine.Settings())
        assert result.status == "failed", result
        assert "too deeply nested" in result.reason or "syntax error at line 6" in result.reason, result.reason
