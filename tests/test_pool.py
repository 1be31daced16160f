"""Worker processes, the per-file time budget and the progress bar (migrate/run/pool.py, budget.py,
progress.py): a run with workers gives exactly what a run in one process gives."""

from __future__ import annotations

import io
import shutil
import time
from dataclasses import astuple
from pathlib import Path

import pytest
from fixture_cases import cases

from migrate.catalog.settings import Settings
from migrate.run import pool, tasks
from migrate.run import tree as runner
from migrate.run.progress import MIN_FILES as BAR_MIN_FILES
from migrate.run.progress import ProgressBar


def _tree(root: Path) -> None:
    """Every fixture's before-file (a file with a syntax error and a non-candidate too)."""
    for case in cases():
        target = root / case.before.parent.name / case.before.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case.before, target)
    (root / "broken.py").write_text("client.chat.completions.create(\n")
    (root / "plain.py").write_text("x = 1\n")


def _outcomes(results) -> list[tuple]:
    return [astuple(r) for r in results]


@pytest.mark.slow
def test_pool_gives_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    used = []
    real = pool.migrate_in_pool

    def spy(work, settings, **kwargs):
        used.append(len(work))
        return real(work, settings, **kwargs)

    monkeypatch.setattr(pool, "migrate_in_pool", spy)
    alone = list(runner.run([str(tmp_path)], Settings(), write=False, jobs=1))
    assert used == []
    pooled = list(runner.run([str(tmp_path)], Settings(), write=False, jobs=2))
    assert used and used[0] >= pool.MIN_FILES
    assert [r.path for r in pooled] == sorted(r.path for r in pooled)  # discovery order
    assert _outcomes(pooled) == _outcomes(alone)
    statuses = {r.status for r in pooled}
    assert {"changed", "unchanged", "failed"} <= statuses


@pytest.mark.slow
def test_pool_writes_from_the_parent(tmp_path: Path) -> None:
    _tree(tmp_path)
    expected = {
        r.path: r.migrated
        for r in runner.run([str(tmp_path)], Settings(), write=False, jobs=1)
        if r.status == "changed"
    }
    results = list(runner.run([str(tmp_path)], Settings(), write=True, jobs=2))
    assert {r.path for r in results if r.status == "changed"} == set(expected)
    for path, data in expected.items():
        assert Path(path).read_bytes() == data


def test_small_batches_stay_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "migrate_in_pool", lambda *a, **k: pytest.fail("started workers for a small batch"))
    for i in range(pool.MIN_FILES - 1):
        (tmp_path / f"m{i}.py").write_text(
            "from openai import OpenAI\nOpenAI().chat.completions.create(model='m', messages=[])\n"
        )
    assert len(list(runner.run([str(tmp_path)], Settings(), write=False, jobs=2))) == pool.MIN_FILES - 1


def _slow_file(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real = tasks.migrate_source

    def migrate_source(path, data, settings, *links):
        if Path(path).name == name:
            while True:  # a file the engine never finishes
                time.sleep(0.01)
        return real(path, data, settings, *links)

    monkeypatch.setattr(tasks, "migrate_source", migrate_source)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "pool"])
def test_a_file_over_its_time_budget_is_skipped_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    for i in range(pool.MIN_FILES + 2):
        (tmp_path / f"m{i:02d}.py").write_text(
            "from openai import OpenAI\nr = OpenAI().chat.completions.create(model='m', messages=[])\n"
            "print(r.choices[0].message.content)\n"
        )
    _slow_file(monkeypatch, "m03.py")  # inherited by forked workers
    start = time.monotonic()
    results = list(runner.run([str(tmp_path)], Settings(), write=True, jobs=jobs, timeout=0.5))
    assert time.monotonic() - start < 30
    by_name = {Path(r.path).name: r for r in results}
    slow = by_name.pop("m03.py")
    assert slow.status == "skipped" and slow.reason == "took longer than 0.5s (--timeout-per-file); left unchanged"
    assert "chat.completions" in (tmp_path / "m03.py").read_text()
    assert {r.status for r in by_name.values()} == {"changed"}


def test_time_budget_is_off_outside_the_main_thread() -> None:
    import threading

    from migrate.engine.budget import time_budget

    done = []

    def work() -> None:
        with time_budget(0.01):
            time.sleep(0.1)
        done.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert done == [True]


def _console(terminal: bool):
    from rich.console import Console

    return Console(file=io.StringIO(), force_terminal=terminal, width=80)


@pytest.mark.parametrize(
    ("terminal", "total", "shown"),
    [(True, BAR_MIN_FILES + 1, True), (True, BAR_MIN_FILES, False), (False, 10_000, False)],
)
def test_progress_bar_only_on_a_terminal_for_long_runs(terminal: bool, total: int, shown: bool) -> None:
    console = _console(terminal)
    bar = ProgressBar(console)
    bar.start(total)
    for _ in range(total):
        bar.advance()
    bar.stop()
    drawn = console.file.getvalue()
    assert (f"{total}/{total}" in drawn) is shown
    if not terminal:
        assert drawn == ""


def test_warm_up_runs_a_whole_migration() -> None:
    """Workers inherit what warm() loaded; its sample goes through every stage of the engine."""
    from migrate.catalog.settings import Settings
    from migrate.engine.pipeline import migrate_source
    from migrate.run.pool import _WARM_UP

    result = migrate_source("warm-up.py", _WARM_UP, Settings())
    assert result.status == "changed", result.reason
    assert [c.outcome for c in result.calls] == ["migrated"]


def test_the_gate_in_workers_gives_what_it_gives_in_process() -> None:
    from migrate.engine.gate import gate

    sources = [case.before.read_bytes() for case in cases()] + [b"def (:\n", b"x = 'completions'\n"]
    assert list(pool.scan_in_pool(sources, jobs=2)) == [gate(data) for data in sources]


def test_the_unit_text_test_in_workers_selects_what_it_selects_in_process(tmp_path: Path) -> None:
    from migrate.engine.units import NamesAModule

    texts = {
        "imports.py": "from shop.helpers import ask\n",
        "module_only.py": "import shop.helpers\n",
        "name_only.py": "ask = 1\n",
        "longer_name.py": "from shop.helpers import ask_more\n",
        "later.py": "import shop\n\nshop.helpers.ask('q')\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    paths = [str(tmp_path / name) for name in [*texts, "missing.py"]]
    test = NamesAModule({b"ask": [b"helpers"]})
    expected = {str(tmp_path / "imports.py"), str(tmp_path / "later.py")}
    assert pool.select_in_pool(paths, test, jobs=2) == expected
    assert {p for p in paths if Path(p).exists() and test(Path(p).read_bytes())} == expected
