"""A killed run never leaves a unit (files planned together, migrate/engine/units.py) half
migrated (migrate/run/journal.py, tree.py `_write_unit`).

The run is the real command in a child process, its writes slowed so that the test can pick the
moment by watching the files: after k of the unit's files are written (k = 0 means the journal
is there and no file is replaced yet), it sends a real SIGKILL or SIGTERM. Then:

* SIGTERM is handled like Ctrl-C: the unit is finished, the run exits 143 and nothing is left.
* SIGKILL may leave the unit half written; the next run restores it from the journal, migrates
  it again and ends with every file of the unit migrated, no journal and no temporary file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from migrate.catalog.settings import Settings
from migrate.run import fileio, journal
from migrate.run import tree as runner

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

HELPER = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
    "def ask(q):\n"
    '    return client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": q}])\n'
)
IMPORTER = "from app.helpers import ask\n\nprint(ask('q{i}').choices[0].message.content)\n"

# The real command, each replaced file followed by a pause (the write itself is untouched).
DRIVER = textwrap.dedent(
    """
    import sys, time
    from migrate.run import tree
    real, pause = tree.write_atomic, float(sys.argv[1])
    def slow(*args, **kwargs):
        written = real(*args, **kwargs)
        time.sleep(pause)
        return written
    tree.write_atomic = slow
    from migrate.cli.app import main
    sys.argv = ["migrate", "apply", "-j", "1", *sys.argv[2:]]
    main()
    """
)


def _project(root: Path, importers: int) -> list[Path]:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "helpers.py").write_text(HELPER)
    for i in range(importers):
        (root / "app" / f"u{i:03d}.py").write_text(IMPORTER.format(i=i))
    return [root / "app" / "helpers.py", *(root / "app" / f"u{i:03d}.py" for i in range(importers))]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, bytes]]:
    """The migrated bytes of each file of a project, by number of importers (a clean run)."""
    out = {}
    for n in (1, 120):
        root = tmp_path_factory.mktemp(f"clean{n}")
        files = _project(root, n)
        results = list(runner.run([str(root)], Settings(), write=True))
        assert {r.status for r in results if r.path.endswith(".py") and "__init__" not in r.path} == {"changed"}
        out[n] = {f.name: f.read_bytes() for f in files}
    return out


def _states(files: list[Path], expected: dict[str, bytes], n: int) -> tuple[int, int]:
    """(migrated, original) counts; fails on a file that is neither."""
    done = 0
    for f in files:
        data = f.read_bytes()
        original = (HELPER if f.name == "helpers.py" else IMPORTER.format(i=int(f.stem[1:]))).encode()
        assert data in (original, expected[f.name]), f"{f} is neither original nor migrated: {data!r}"
        done += data == expected[f.name]
    return done, len(files) - done


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(".*") if p.name.endswith((fileio.TMP_SUFFIX, journal.JOURNAL_SUFFIX))]


def _run_until(root: Path, files: list[Path], expected: dict[str, bytes], written: int, pause: float):
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(pause), str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    the_journal = journal.journal_path(str(files[0]))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if the_journal.exists() and sum(f.read_bytes() == expected[f.name] for f in files) >= written:
            return proc
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.002)
    raise AssertionError("the moment never came")


@pytest.mark.slow
@pytest.mark.parametrize("importers", [1, 120])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_unit_killed_while_written_is_whole_after_the_next_run(
    tmp_path: Path, migrated: dict[int, dict[str, bytes]], importers: int, sig: signal.Signals
) -> None:
    expected = migrated[importers]
    moments = [0, 1, 2] if importers == 1 else [0, 1, 37, 90, 120]
    tried = []
    for k, written in enumerate(moments):
        root = tmp_path / f"m{k}"
        files = _project(root, importers)
        pause = 0.2 if importers == 1 else 0.01
        proc = _run_until(root, files, expected, written, pause)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        done, untouched = _states(files, expected, importers)
        tried.append((written, proc.returncode, done, untouched))
        if sig == signal.SIGTERM:
            assert proc.returncode == 143, err
            assert (done, untouched) == (len(files), 0)  # the unit was finished, like Ctrl-C
            assert _leftovers(root) == []
        else:
            assert proc.returncode == -signal.SIGKILL
        rerun = subprocess.run(
            [sys.executable, "-m", "migrate", "apply", str(root)], capture_output=True, text=True, timeout=120
        )
        assert rerun.returncode == (1 if sig == signal.SIGKILL else 0), (written, done, rerun.stderr, err)
        assert _states(files, expected, importers) == (len(files), 0)
        assert _leftovers(root) == []
        if sig == signal.SIGKILL and done > 0:
            assert f"note: recovered an interrupted run: {done} of its files restored" in rerun.stderr
    print(sig.name, importers, tried)


def _hold_lock(journal_file: Path) -> subprocess.Popen[str]:
    """Another run at work on `journal_file`: a live process holding its lock."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            str(journal_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def _left_by_a_dead_run(record: journal.Journal, pid: int) -> Path:
    """`record` as a killed run leaves it: its lock gone with its process, its pid in the file."""
    os.close(record.fd)
    record.path.write_text(record.path.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {pid}'))
    return record.path


def test_recover_leaves_a_live_runs_journal_and_a_changed_file(tmp_path: Path) -> None:
    files = _project(tmp_path, 2)
    originals = [f.read_bytes() for f in files]
    record = _left_by_a_dead_run(
        journal.begin(str(files[0]), [(str(f), f.read_bytes(), b"migrated") for f in files]), 2**22 + 12345
    )
    for f in files[:2]:
        f.write_bytes(b"migrated")
    files[2].write_bytes(b"edited by hand")
    stale_tmp = files[0].parent / f".u000.py.p{2**22 + 12345}_x{fileio.TMP_SUFFIX}"
    stale_tmp.write_bytes(b"half")
    live = _hold_lock(record)
    try:
        other = files[0].parent / f".u001.py.p{live.pid}_x{fileio.TMP_SUFFIX}"
        other.write_bytes(b"half")
        assert journal.recover([files[0].parent]) == []  # a live run's: not ours to touch
        assert journal.pending([files[0].parent]) == set()
        assert record.exists() and other.exists() and not stale_tmp.exists()
    finally:
        live.kill()
        live.wait()
    assert journal.pending([files[0].parent]) == {os.path.realpath(f) for f in files}
    notes = journal.recover([files[0].parent])
    assert notes == [
        "recovered an interrupted run: 2 of its files restored, to be migrated again",
        f"{files[2]}: changed since an interrupted run migrated it with other files; check it by hand",
    ]
    assert [f.read_bytes() for f in files[:2]] == originals[:2]
    assert not record.exists() and not other.exists()


def test_a_dead_runs_journal_is_recovered_though_its_pid_was_reused(tmp_path: Path) -> None:
    """The pid in a journal may belong to an unrelated live process by now (a reboot, a busy
    machine); only the lock says whether its run is at work."""
    files = _project(tmp_path, 1)
    originals = [f.read_bytes() for f in files]
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record = _left_by_a_dead_run(
            journal.begin(str(files[0]), [(str(f), f.read_bytes(), b"migrated") for f in files]), unrelated.pid
        )
        files[0].write_bytes(b"migrated")
        assert journal.pending([files[0].parent]) == {os.path.realpath(f) for f in files}
        assert journal.recover([files[0].parent]) == [
            "recovered an interrupted run: 1 of its files restored, to be migrated again"
        ]
    finally:
        unrelated.kill()
        unrelated.wait()
    assert [f.read_bytes() for f in files] == originals and not record.exists()


def test_a_journal_is_locked_while_its_run_writes(tmp_path: Path) -> None:
    files = _project(tmp_path, 1)
    record = journal.begin(str(files[0]), [(str(f), f.read_bytes(), b"migrated") for f in files])
    files[0].write_bytes(b"migrated")
    assert journal.pending([files[0].parent]) == set()  # our own run, at work
    assert journal.recover([files[0].parent]) == []
    journal.finish(record)
    assert not record.path.exists() and files[0].read_bytes() == b"migrated"


def test_check_after_a_killed_run_fails_the_half_written_unit(tmp_path: Path) -> None:
    files = _project(tmp_path, 2)
    clean = list(runner.run([str(tmp_path)], Settings(), write=False))
    migrated = {r.path: r.migrated for r in clean if r.status == "changed"}
    record = _left_by_a_dead_run(
        journal.begin(str(files[0]), [(str(f), f.read_bytes(), migrated[str(f)]) for f in files]), 2**22 + 12345
    )
    files[0].write_bytes(migrated[str(files[0])])  # the helper written, then the kill
    checked = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=False)}
    assert {n: (r.status, r.reason) for n, r in checked.items() if n != "__init__.py"} == {
        f.name: ("failed", journal.PENDING) for f in files
    }
    assert record.exists()  # --check changes nothing
    notes: list[str] = []
    applied = {
        Path(r.path).name: r.status for r in runner.run([str(tmp_path)], Settings(), write=True, on_note=notes.append)
    }
    assert notes == ["recovered an interrupted run: 1 of its files restored, to be migrated again"]
    assert applied == {"__init__.py": "unchanged", **{f.name: "changed" for f in files}}
    assert {str(f): f.read_bytes() for f in files} == migrated and not record.exists()
