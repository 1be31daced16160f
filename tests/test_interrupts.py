"""Interrupted and concurrent runs never leave a file half-written.

* SIGKILL at random points of `python -m migrate apply TREE`: every file is the original or
  the complete migrated version; a leftover temporary file (only possible if the kill lands
  between its creation and the rename) is named `.<name>.p<pid>_<random>.migrate-tmp`, and the
  next run removes it (its process is gone).
* SIGINT (Ctrl-C) through `runner.stop_on_sigint`: the run stops between files, every file it
  reported as changed is written, no other file is, no temporary file remains, exit 130.
* Two runs at once on the same tree: both finish without failures, every file is valid.

Delays are random; the seed is printed on failure (pytest shows captured stdout).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import migrate
from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source
from migrate.run import fileio, tasks
from migrate.run import tree as runner

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

PROJECT = Path(migrate.__file__).resolve().parent.parent
SHAPES = [
    'r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "q"}])\n'
    "print(r.choices[0].message.content)\n",
    "def ask(question):\n"
    '    r = client.chat.completions.create(\n        model="gpt-4.1",\n'
    '        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}],\n'
    "        temperature=0.2,\n    )\n    return r.choices[0].message.content\n",
    "async def ask(question):\n"
    '    r = await aclient.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])\n'
    "    return r.choices[0].message.content, r.usage.total_tokens\n",
]
HEAD = "from openai import AsyncOpenAI, OpenAI\n\nclient = OpenAI()\naclient = AsyncOpenAI()\n\n"
TMP_NAME = re.compile(r"^\.m\d{3}\.py\.[A-Za-z0-9_]+\.migrate-tmp$")


def build_tree(root: Path, n: int) -> dict[Path, tuple[bytes, bytes]]:
    """n files in 10 packages: {path: (original, expected migrated)}.

    The expected bytes come from migrate_source, once per shape (a file differs from its shape
    only by a trailing comment, which the migration leaves alone: checked on a sample)."""
    migrated_shape = {}
    for k, shape in enumerate(SHAPES):
        result = migrate_source(f"shape{k}.py", (HEAD + shape).encode(), Settings())
        assert result.status == "changed", result.reason
        migrated_shape[k] = result.migrated
    files = {}
    for i in range(n):
        k = i % len(SHAPES)
        tail = f"\n# file {i}\n".encode()
        path = root / f"pkg{i % 10}" / f"m{i:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        original = (HEAD + SHAPES[k]).encode() + tail
        path.write_bytes(original)
        files[path] = (original, migrated_shape[k] + tail)
    for path in list(files)[:: n // 4]:
        original, expected = files[path]
        assert migrate_source(str(path), original, Settings()).migrated == expected
    return files


def states(files: dict[Path, tuple[bytes, bytes]]) -> dict[str, int]:
    """How many files are original / migrated; fails on anything else."""
    count = {"original": 0, "migrated": 0}
    for path, (original, expected) in files.items():
        data = path.read_bytes()
        assert data in (original, expected), f"{path} is neither the original nor the migrated version:\n{data!r}"
        count["original" if data == original else "migrated"] += 1
    return count


def leftovers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.name.endswith(fileio.TMP_SUFFIX))


def migrate_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "migrate", "apply", *args]


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_only_whole_files(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    root = tmp_path / "tree"
    files = build_tree(root, 150)
    stale: list[Path] = []
    for attempt in range(3):
        proc = subprocess.Popen(
            migrate_cmd(str(root)), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.8, 2.2))
        proc.kill()
        proc.wait()
        state = states(files)
        print(f"kill {attempt}: rc={proc.returncode} {state}")
        new = [p for p in leftovers(root) if p not in stale]
        assert len(new) <= 1, new  # at most the one file being written when the process died
        assert all(TMP_NAME.match(p.name) for p in new), new
        stale += new
    done = subprocess.run(migrate_cmd(str(root)), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert "failed" not in done.stderr and ".migrate-tmp" not in done.stderr
    assert states(files) == {"original": 0, "migrated": len(files)}
    assert leftovers(root) == []  # the killed runs' temporary files, removed by the last run


DRIVER = textwrap.dedent(
    """
    import sys
    from migrate.run.tree import EXIT_INTERRUPTED, run, stop_on_sigint
    from migrate.catalog.settings import Settings

    with stop_on_sigint() as stop:
        for result in run(sys.argv[2:], Settings(), write=True, stop=stop, jobs=int(sys.argv[1])):
            print(result.status, result.path, flush=True)
    print("interrupted" if stop.requested else "finished", flush=True)
    sys.exit(EXIT_INTERRUPTED if stop.requested else 0)
    """
)


def _interrupt_after(proc: subprocess.Popen, changed_lines: int) -> list[str]:
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if sum(1 for line in lines if line.startswith("changed ")) >= changed_lines:
            proc.send_signal(signal.SIGINT)
            break
    rest, _ = proc.communicate(timeout=60)
    return lines + rest.splitlines()


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "pool"])
def test_sigint_stops_between_files_and_reports_exactly_what_was_written(tmp_path: Path, jobs: int) -> None:
    root = tmp_path / "tree"
    files = build_tree(root, 60)
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(jobs), str(root)], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )
    lines = _interrupt_after(proc, 5)
    assert proc.returncode == runner.EXIT_INTERRUPTED, lines
    assert lines[-1] == "interrupted"
    reported = {Path(line.split(" ", 1)[1]) for line in lines if line.startswith("changed ")}
    on_disk = {p for p, (_, expected) in files.items() if p.read_bytes() == expected}
    assert reported == on_disk and 5 <= len(reported) < len(files)
    states(files)
    assert leftovers(root) == []


@pytest.mark.slow
def test_cli_sigint_exits_130_with_a_summary(tmp_path: Path) -> None:
    from migrate.cli import app as cli

    if "stop_on_sigint" not in Path(cli.__file__).read_text():
        pytest.skip("migrate/cli/app.py does not install runner.stop_on_sigint yet")
    root = tmp_path / "tree"
    files = build_tree(root, 60)
    proc = subprocess.Popen(migrate_cmd(str(root)), cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while states(files)["migrated"] < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    match = re.search(r"(\d+) files? changed", err)
    assert match, err
    assert int(match.group(1)) == states(files)["migrated"] < len(files)
    assert leftovers(root) == []


@pytest.mark.slow
def test_two_runs_at_once(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    files = build_tree(root, 60)
    reports = [tmp_path / f"run{i}.json" for i in range(2)]
    procs = [
        subprocess.Popen(
            migrate_cmd(str(root), "--format", "json", "-o", str(report)),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for report in reports
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outs, strict=True):
        assert proc.returncode in (0, 1), err  # changed (or found it already changed); nothing failed
        assert "failed" not in err
    assert states(files) == {"original": 0, "migrated": len(files)}
    # Each file is reported changed by the one run that wrote it, and its calls migrated there only.
    import json

    documents = [json.loads(report.read_text()) for report in reports]
    changed = [entry["path"] for doc in documents for entry in doc["files"] if entry["status"] == "changed"]
    assert sorted(changed) == sorted(map(str, files)), [doc["summary"] for doc in documents]
    assert sum(doc["summary"]["files_changed"] for doc in documents) == len(files)
    migrated = [{call["path"] for call in doc["calls"] if call["outcome"] == "migrated"} for doc in documents]
    assert not migrated[0] & migrated[1] and sorted(migrated[0] | migrated[1]) == sorted(changed)
    import ast

    for path in files:
        ast.parse(path.read_bytes())
    assert leftovers(root) == []


# -- in-process: where a Ctrl-C lands ----------------------------------------------------------


def _small_tree(root: Path, n: int = 6) -> dict[Path, tuple[bytes, bytes]]:
    return build_tree(root, n)


def test_ctrl_c_while_a_result_is_consumed_finishes_that_file_only(tmp_path: Path) -> None:
    files = _small_tree(tmp_path)
    seen = []
    with runner.stop_on_sigint() as stop:
        for result in runner.run([str(tmp_path)], Settings(), write=True, stop=stop):
            seen.append(result)
            if len(seen) == 2:
                os.kill(os.getpid(), signal.SIGINT)  # lands here, outside the run: deferred
    assert stop.requested and len(seen) == 2
    assert states(files)["migrated"] == 2 and leftovers(tmp_path) == []


def test_ctrl_c_while_parsing_abandons_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _small_tree(tmp_path)
    calls = []
    real = tasks.migrate_source

    def migrate_source(path, data, settings, *links):
        calls.append(path)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # raises KeyboardInterrupt right here
            time.sleep(1)  # not reached
        return real(path, data, settings, *links)

    monkeypatch.setattr(tasks, "migrate_source", migrate_source)
    with runner.stop_on_sigint() as stop:
        seen = list(runner.run([str(tmp_path)], Settings(), write=True, stop=stop))
    assert stop.requested and len(seen) == 2 and len(calls) == 3
    assert states(files)["migrated"] == 2 and leftovers(tmp_path) == []


def test_ctrl_c_during_a_write_completes_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _small_tree(tmp_path)
    real = runner.write_atomic
    writes = []

    def write_atomic(path, data, *, expected):
        writes.append(path)
        if len(writes) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # deferred: the write goes on
        return real(path, data, expected=expected)

    monkeypatch.setattr(runner, "write_atomic", write_atomic)
    with runner.stop_on_sigint() as stop:
        seen = list(runner.run([str(tmp_path)], Settings(), write=True, stop=stop))
    assert stop.requested and [r.status for r in seen] == ["changed"] * 3
    assert states(files)["migrated"] == 3 and leftovers(tmp_path) == []


def test_without_a_stop_keyboardinterrupt_propagates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _small_tree(tmp_path)

    def migrate_source(path, data, settings, *links):
        raise KeyboardInterrupt

    monkeypatch.setattr(tasks, "migrate_source", migrate_source)
    with pytest.raises(KeyboardInterrupt):
        list(runner.run([str(tmp_path)], Settings(), write=True))


def test_handler_is_restored(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGINT)
    with runner.stop_on_sigint():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before


def test_interrupted_write_removes_its_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")

    def replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_atomic(target, b"new\n", expected=b"old\n")
    assert target.read_bytes() == b"old\n" and leftovers(tmp_path) == []


def test_a_file_another_run_wrote_first_is_reported_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _small_tree(tmp_path, 4)
    real = tasks.migrate_source

    def migrate_source(path, data, settings, *links):
        result = real(path, data, settings, *links)
        if path.endswith("m001.py"):
            Path(path).write_bytes(result.migrated)  # another run finishes this file first
        return result

    monkeypatch.setattr(tasks, "migrate_source", migrate_source)
    results = {Path(r.path).name: r for r in runner.run([str(tmp_path)], Settings(), write=True)}
    assert states(files) == {"original": 0, "migrated": 4}
    statuses = {name: r.status for name, r in results.items()}
    assert statuses == {"m000.py": "changed", "m001.py": "unchanged", "m002.py": "changed", "m003.py": "changed"}
    assert results["m001.py"].reason == fileio.ALREADY_WRITTEN
    assert not [call for call in results["m001.py"].calls if call.outcome == "migrated"]
    assert [call.outcome for call in results["m000.py"].calls] == ["migrated"]


def test_write_atomic_says_whether_it_wrote(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(b"old\n")
    assert fileio.write_atomic(f, b"new\n", expected=b"old\n") is True
    assert fileio.write_atomic(f, b"new\n", expected=b"old\n") is False
    assert f.read_bytes() == b"new\n" and leftovers(tmp_path) == []
