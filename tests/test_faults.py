"""Faults of the machinery (migrate/run/workers.py, pool.py): a worker that dies or overruns its
file's budget never hangs the run. Its file ends failed (or skipped) with a one-line reason, a
new worker takes its place, the other files finish, and the exit code says so.

The faults are real: a worker process kills itself with SIGKILL or aborts (SIGABRT, what a
native crash in LibCST looks like), blocks the budget's timer while it sleeps (a stretch of
native code that never returns to Python), or is killed from outside by its pid."""

from __future__ import annotations

import faulthandler
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrate.catalog.settings import Settings
from migrate.engine import pipeline
from migrate.run import pool, tasks
from migrate.run import tree as runner

# Real processes and signals: the full run only.
pytestmark = [pytest.mark.skipif(os.name != "posix", reason="POSIX signals"), pytest.mark.slow]

SOURCE = (
    "from openai import OpenAI\nr = OpenAI().chat.completions.create(model='m', messages=[])\n"
    "print(r.choices[0].message.content)\n"
)


def _files(root: Path, n: int) -> None:
    for i in range(n):
        (root / f"m{i:02d}.py").write_text(SOURCE + f"# {i}\n")


def _fault_in(monkeypatch: pytest.MonkeyPatch, faults: dict[str, object]) -> None:
    """Make the engine misbehave on the named files; forked workers inherit it."""
    real = tasks.migrate_source

    def faulty(path, data, *args, **kwargs):
        fault = faults.get(Path(path).name)
        if callable(fault):
            faulthandler.disable()  # pytest's, inherited: the crash is the point, not its traceback
            fault()
        return real(path, data, *args, **kwargs)

    monkeypatch.setattr(tasks, "migrate_source", faulty)


def _stuck_in_native_code() -> None:
    """What a long stretch inside LibCST's parser looks like to the timer: its signal waits."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(60)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dead_worker_fails_its_file_and_the_others_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    _files(tmp_path, pool.MIN_FILES + 2)
    _fault_in(
        monkeypatch,
        {
            "m03.py": lambda: os.kill(os.getpid(), signal.SIGKILL),
            "m06.py": os.abort,
            "m07.py": lambda: os._exit(3),
        },
    )
    (tmp_path / "big.py").write_text(SOURCE + "#" * (pool.ISOLATE_BYTES + 1) + "\n")  # -j 1: still workers
    start = time.monotonic()
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=False, jobs=jobs)}
    assert time.monotonic() - start < 60
    assert (results["m03.py"].status, results["m03.py"].reason) == (
        "failed",
        "the worker process was killed (SIGKILL, e.g. by the out-of-memory killer) while migrating it; left unchanged",
    )
    assert results["m06.py"].reason == "the worker process crashed (SIGABRT) while migrating it; left unchanged"
    assert results["m07.py"].reason == "the worker process exited (status 3) while migrating it; left unchanged"
    others = {name: r.status for name, r in results.items() if name not in ("m03.py", "m06.py", "m07.py")}
    assert set(others.values()) == {"changed"} and len(others) == pool.MIN_FILES


def test_a_worker_stuck_past_its_budget_is_ended_and_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _files(tmp_path, pool.MIN_FILES + 2)
    _fault_in(monkeypatch, {"m02.py": _stuck_in_native_code, "m05.py": _stuck_in_native_code})
    monkeypatch.setattr(pool, "GRACE", 0.5)
    start = time.monotonic()
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=True, jobs=2, timeout=1)}
    assert time.monotonic() - start < 20  # not the 60 s each stuck worker would take
    for name in ("m02.py", "m05.py"):
        assert (results[name].status, results[name].reason) == (
            "skipped",
            "took longer than 1s (--timeout-per-file); the worker was ended; left unchanged",
        )
        assert (tmp_path / name).read_text() == SOURCE + f"# {int(name[1:3])}\n"
    assert {r.status for name, r in results.items() if name not in ("m02.py", "m05.py")} == {"changed"}


def test_a_large_file_is_isolated_in_a_worker_even_with_one_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "small.py").write_text(SOURCE)
    (tmp_path / "big.py").write_text(SOURCE + "#" * (pool.ISOLATE_BYTES + 1) + "\n")
    _fault_in(monkeypatch, {"big.py": lambda: os.kill(os.getpid(), signal.SIGSEGV)})
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=False, jobs=1)}
    assert results["big.py"].reason == "the worker process crashed (SIGSEGV) while migrating it; left unchanged"
    assert results["small.py"].status == "changed"


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for whoever adopted it to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _has_libcst(pid: int) -> bool:
    try:
        return "libcst" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_cli_survives_kill_9_of_a_worker(tmp_path: Path) -> None:
    # Files heavy enough that each worker is still on its first file (about a second) when one
    # is killed: a worker killed between files loses nothing, and its successor takes the next.
    body = "".join(
        f"def ask{k}(q):\n"
        "    r = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': q}])\n"
        "    return r.choices[0].message.content\n"
        for k in range(400)
    )
    for i in range(8):
        (tmp_path / f"m{i:02d}.py").write_text(f"from openai import OpenAI\nclient = OpenAI()\n{body}# {i}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", "apply", "--check", "-j", "2", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    victim = _children(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert err.count("the worker process was killed (SIGKILL") == 1, err
    assert "8 files scanned" in err


def test_a_file_above_the_size_limit_is_refused_with_that_reason(tmp_path: Path) -> None:
    (tmp_path / "huge.py").write_text(SOURCE + "#" * 3000 + "\n")
    (tmp_path / "huge_no_calls.py").write_text("x = 1\n" + "#" * 3000 + "\n")
    (tmp_path / "small.py").write_text(SOURCE)
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=False, max_bytes=2000)}
    assert (results["huge.py"].status, results["huge.py"].reason) == (
        "skipped",
        "too large: 3.1 kB (the limit is 2.0 kB, --max-file-size); left unchanged",
    )
    assert results["huge_no_calls.py"].status == "unchanged"
    assert results["small.py"].status == "changed"


def test_out_of_memory_is_not_called_too_deeply_nested(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pipeline, "scan_source", no_memory)
    data = SOURCE.encode() + b"#" * 2_000_000 + b"\n"
    result = pipeline.migrate_source("x.py", data, Settings())
    assert (result.status, result.reason) == ("failed", "out of memory while parsing it (2.0 MB)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout-per-file", "inf"], "error: --timeout-per-file inf is not a finite number (0 means no limit)"),
        (["--max-file-size", "inf"], "error: --max-file-size inf is not a finite number (0 means no limit)"),
    ],
)
def test_infinite_limits_are_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a.py").write_text(SOURCE)
    done = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--check", *args, str(tmp_path)], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr.strip()) == (2, message)


def test_cli_max_file_size(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(SOURCE + "#" * 2000 + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--check", "--max-file-size", "0.001", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert "too large: 2.1 kB (the limit is 1.0 kB, --max-file-size)" in done.stderr
    assert (tmp_path / "a.py").read_text().startswith(SOURCE)
    assert done.returncode == 2  # a file --check could not check never lets it pass


def test_tool_migrate_that_is_not_a_table_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool]\nmigrate = 3\n")
    (tmp_path / "a.py").write_text(SOURCE)
    done = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--check", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    expected = f"error: {tmp_path / 'pyproject.toml'}: `tool.migrate` must be a table ([tool.migrate])"
    assert done.stderr.strip() == expected


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
@pytest.mark.parametrize("phase", ["gate", "engine"])
def test_orphaned_workers_exit_quietly_after_sigkill_of_the_run(tmp_path: Path, phase: str) -> None:
    body = "".join(
        f"def ask{k}(q):\n"
        "    r = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': q}])\n"
        "    return r.choices[0].message.content\n"
        for k in range(150)
    )
    for i in range(70):  # enough for the gate's workers too
        (tmp_path / f"m{i:02d}.py").write_text(f"from openai import OpenAI\nclient = OpenAI()\n{body}# {i}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", "apply", "--check", "-j", "2", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120  # generous: on a loaded machine the workers start late
    while time.monotonic() < deadline:  # the gate's workers (no LibCST) come first, then the engine's
        orphans = _children(proc.pid)
        if len(orphans) >= 2 and all(_has_libcst(pid) == (phase == "engine") for pid in orphans):
            break
        time.sleep(0.01)
    time.sleep(0.2)
    proc.kill()
    proc.wait()
    err = proc.stderr.read()  # EOF once every orphan has exited too
    proc.stderr.close()
    give_up = time.monotonic() + 30  # their files are closed: they are on their way out
    while any(_alive(pid) for pid in orphans) and time.monotonic() < give_up:
        time.sleep(0.01)
    assert orphans and not any(_alive(pid) for pid in orphans)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_a_dead_gate_worker_leaves_its_file_to_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _files(tmp_path, pool.MIN_GATE_FILES + 1)
    real = pool.gate

    def faulty(data: bytes):
        if data.endswith(b"# 7\n"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(data)

    monkeypatch.setattr(pool, "gate", faulty)
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=False, jobs=2)}
    assert len(results) == pool.MIN_GATE_FILES + 1
    assert {r.status for r in results.values()} == {"changed"}  # m07.py too: the engine parsed it itself


def test_a_dead_worker_fails_every_file_of_its_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _files(tmp_path, pool.MIN_FILES)
    (tmp_path / "helpers.py").write_text(
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n"
        "    return client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': q}])\n"
    )
    (tmp_path / "reader.py").write_text("from helpers import ask\n\nprint(ask('q').choices[0].message.content)\n")
    _fault_in(monkeypatch, {"reader.py": lambda: os.kill(os.getpid(), signal.SIGKILL)})
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=True, jobs=2)}
    why = (
        "the worker process was killed (SIGKILL, e.g. by the out-of-memory killer) while migrating "
        "2 modules that migrate together; left unchanged"
    )
    assert [(results[n].status, results[n].reason) for n in ("helpers.py", "reader.py")] == [("failed", why)] * 2
    assert "chat.completions" in (tmp_path / "helpers.py").read_text()
    assert {r.status for n, r in results.items() if n.startswith("m")} == {"changed"}


@pytest.mark.slow
def test_the_budget_holds_inside_libcsts_native_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One line of 100,000 strings: seconds inside LibCST's native parser, where the
    # worker's own timer can't stop it; the parent ends the worker at 0.2 + 0.3 s.
    _files(tmp_path, pool.MIN_FILES)
    items = ",".join(f"'s{i}'" for i in range(100_000))
    (tmp_path / "long_line.py").write_text(SOURCE + f"DATA = [{items}]\n")
    monkeypatch.setattr(pool, "GRACE", 0.3)
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=False, jobs=2, timeout=0.2)}
    assert (results["long_line.py"].status, results["long_line.py"].reason) == (
        "skipped",
        "took longer than 0.2s (--timeout-per-file); the worker was ended; left unchanged",
    )
    assert {r.status for n, r in results.items() if n != "long_line.py"} == {"changed"}
