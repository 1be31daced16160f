"""Results that cross modules: fixtures/projects/<case>/before/ is migrated in one run over the
tree and must become after/ exactly (or stay as it is when there is no after/); the `# expect:`
markers of every file match what became of each call site, and of each call of another
module's function whose result it reads; a second run changes nothing; every request written
validates against the SDK."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from fixture_cases import ProjectCase, markers, project_cases
from sdk_validation import validate_source

from migrate.catalog.settings import Settings
from migrate.engine import units as project
from migrate.run.tree import run

CASES = project_cases()
IDS = [c.id for c in CASES]


def _migrate(tree: Path, root: Path, jobs: int = 1, paths: Sequence[str] = ()) -> tuple[dict[str, str], dict]:
    """Copy `tree` to `root`, run the tool on it, or on `paths` in it (writing); the files
    after, and the results."""
    shutil.copytree(tree, root)
    results = list(run([str(root / p) for p in paths] or [str(root)], Settings(), write=True, jobs=jobs))
    assert [r.reason for r in results if r.status == "failed"] == []
    files = {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.py"))}
    return files, {Path(r.path).relative_to(root).as_posix(): r for r in results}


def _files(tree: Path) -> dict[str, str]:
    return {p.relative_to(tree).as_posix(): p.read_text() for p in sorted(tree.rglob("*.py"))}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tree_is_migrated_exactly(case: ProjectCase, tmp_path: Path) -> None:
    files, _ = _migrate(case.before, tmp_path / "tree", paths=case.run)
    assert files == _files(case.after or case.before)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_outcomes_match_markers(case: ProjectCase, tmp_path: Path) -> None:
    _, results = _migrate(case.before, tmp_path / "tree", paths=case.run)
    for name, source in _files(case.before).items():
        if case.run and name not in case.run:  # only read: never reported as a file of the run
            assert name not in results and markers(source) == {}, name
            continue
        got = {
            call.line: (call.outcome, frozenset(f.code for f in call.findings) - {"RSP100"})
            for call in results[name].calls
        }
        assert got == markers(source), name


@pytest.mark.parametrize("case", [c for c in CASES if c.after], ids=[c.id for c in CASES if c.after])
def test_second_run_changes_nothing_and_requests_validate(case: ProjectCase, tmp_path: Path) -> None:
    files, results = _migrate(case.after, tmp_path / "tree", paths=case.run)
    assert files == _files(case.after)
    assert {r.status for r in results.values()} == {"unchanged"}
    for name, source in files.items():
        ast.parse(source)
        assert validate_source(source) == [], name


def test_units_are_found_by_import_names(tmp_path: Path) -> None:
    """The pre-pass links exactly the modules that import the helper (by any import form)."""
    case = next(c for c in CASES if c.id == "helper_called_from_other_modules")
    shutil.copytree(case.before, tmp_path / "tree")
    paths = [str(p) for p in sorted((tmp_path / "tree").rglob("*.py"))]
    helpers = str(tmp_path / "tree" / "shop" / "helpers.py")
    from migrate.catalog import loader as catalog

    units = project.find_units(
        paths, {helpers: Path(helpers).read_bytes()}, catalog.load().methods, lambda p: Path(p).read_bytes()
    )
    assert len(units) == 1
    unit = units[0]
    assert unit.exports == {helpers: {"ask"}}  # `shout` holds no call site
    assert {Path(p).name for p in unit.imports} == {"views.py", "report.py"}  # not unrelated.py
    assert set(unit.imports[str(tmp_path / "tree" / "shop" / "report.py")]) == {"shop.helpers.ask"}
    # The text test run in worker processes (as a run with -j 2 over a large tree does) agrees.
    import functools

    from migrate.run import pool

    select = functools.partial(pool.select_in_pool, jobs=2)
    in_workers = project.find_units(
        paths,
        {helpers: Path(helpers).read_bytes()},
        catalog.load().methods,
        lambda p: Path(p).read_bytes(),
        None,
        select,
    )
    assert [(u.paths, u.exports, u.imports) for u in in_workers] == [(unit.paths, unit.exports, unit.imports)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pkg/__init__.py", ("pkg", "pkg")),
        ("pkg/sub/mod.py", ("pkg.sub.mod", "pkg.sub")),
        ("script.py", ("script", "")),
    ],
)
def test_module_names_follow_init_files(tmp_path: Path, path: str, expected: tuple[str, str]) -> None:
    for directory in ("pkg", "pkg/sub"):
        (tmp_path / directory).mkdir(exist_ok=True)
        (tmp_path / directory / "__init__.py").write_text("")
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).touch()
    assert project.module_name(str(tmp_path / path)) == expected


def test_a_failed_write_in_a_unit_writes_none_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from migrate.run import fileio
    from migrate.run import tree as runner

    case = next(c for c in CASES if c.id == "helper_called_from_other_modules")
    root = tmp_path / "tree"
    shutil.copytree(case.before, root)
    real = fileio.write_atomic

    def write_atomic(path, data, *, expected):
        if Path(path).name == "views.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, data, expected=expected)

    monkeypatch.setattr(runner, "write_atomic", write_atomic)
    results = list(run([str(root)], Settings(), write=True))
    assert _files(root) == _files(case.before)
    failed = {Path(r.path).name for r in results if r.status == "failed"}
    assert failed == {"helpers.py", "report.py", "views.py"}


def test_a_notebook_that_may_call_the_helper_keeps_it_reported(tmp_path: Path) -> None:
    import nbformat

    case = next(c for c in CASES if c.id == "helper_called_from_other_modules")
    root = tmp_path / "tree"
    shutil.copytree(case.before / "shop", root / "shop")
    for name in ("views.py", "report.py"):
        (root / "shop" / name).unlink()
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("from shop.helpers import ask\nask('hi').choices[0].message.content")]
    )
    (root / "analysis.ipynb").write_text(nbformat.writes(notebook))
    before = _files(root)
    results = {Path(r.path).name: r for r in run([str(root)], Settings(), write=True)}
    assert _files(root) == before
    [call] = results["helpers.py"].calls
    assert call.outcome == "reported" and call.code == "RSP309"
    assert "analysis.ipynb, a notebook" in call.findings[0].message()


HELPER = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
    "def ask(question: str):\n"
    '    return client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])\n\n\n'
    "def shout(question: str) -> str:\n    return ask(question).choices[0].message.content.upper()\n"
)


@pytest.mark.parametrize(
    ("caller", "outcome"),
    [
        ("import shop\n\nprint(shop.helpers.ask('q').choices[0].message.content)\n", "migrated"),
        ("import shop as s\n\nprint(s.helpers.ask('q').usage.total_tokens)\n", "migrated"),
        ("from shop.helpers import *\n\nprint(ask('q').choices[0].message.content)\n", "reported"),
        ("from shop.helpers import ask\n\nanswers = map(ask, ['q'])\n", "reported"),
        ("from shop import helpers\n\ndef again(q):\n    return helpers.ask(q)\n", "reported"),
    ],
    ids=["import-package", "import-package-as", "star-import", "passed-on", "returned-again"],
)
def test_every_import_form_is_seen(tmp_path: Path, caller: str, outcome: str) -> None:
    """A caller that reaches the helper is either migrated with it or keeps it reported: the
    helper (which also has a caller in its own module) never migrates alone."""
    root = tmp_path / "tree"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("from . import helpers\n")
    (root / "shop" / "helpers.py").write_text(HELPER)
    (root / "main.py").write_text(caller)
    results = {Path(r.path).name: r for r in run([str(root)], Settings(), write=True)}
    [call] = results["helpers.py"].calls
    assert call.outcome == outcome, [f.message() for f in call.findings]
    if outcome == "migrated":
        assert "RSP140" in {f.code for f in call.findings}
        assert (
            ".choices" not in (root / "main.py").read_text() and "prompt_tokens" not in (root / "main.py").read_text()
        )
    else:
        assert call.code == "RSP309"
        assert (root / "main.py").read_text() == caller and (root / "shop" / "helpers.py").read_text() == HELPER


@pytest.mark.slow
def test_a_caller_over_its_time_budget_keeps_the_helper_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from migrate.run import tasks

    root = tmp_path / "tree"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "helpers.py").write_text(HELPER)
    (root / "main.py").write_text("from shop.helpers import ask\n\nprint(ask('q').choices[0].message.content)\n")
    real = tasks.migrate_source

    def migrate_source(path, data, settings, *links):
        while Path(path).name == "main.py":
            time.sleep(0.01)
        return real(path, data, settings, *links)

    monkeypatch.setattr(tasks, "migrate_source", migrate_source)
    results = {Path(r.path).name: r for r in run([str(root)], Settings(), write=True, timeout=0.3)}
    assert results["main.py"].status == "skipped"
    [call] = results["helpers.py"].calls
    assert call.code == "RSP309" and "main.py can't be migrated" in call.findings[0].message()
    assert (root / "shop" / "helpers.py").read_text() == HELPER


def test_ctrl_c_after_a_units_first_file_still_reports_every_file_written(tmp_path: Path) -> None:
    import os
    import signal

    from migrate.run import tree as runner

    case = next(c for c in CASES if c.id == "helper_called_from_other_modules")
    root = tmp_path / "tree"
    shutil.copytree(case.before, root)
    before = _files(root)
    seen = []
    with runner.stop_on_sigint() as stop:
        for result in run([str(root)], Settings(), write=True, stop=stop):
            seen.append(result)
            if result.status == "changed" and len(seen) == 2:
                os.kill(os.getpid(), signal.SIGINT)  # deferred to between files
    assert stop.requested
    written = {name for name, source in _files(root).items() if source != before[name]}
    reported = {Path(r.path).relative_to(root).as_posix() for r in seen if r.status == "changed"}
    assert written == reported == {"shop/helpers.py", "shop/report.py", "shop/views.py"}


def test_two_modules_of_one_name_are_not_linked(tmp_path: Path) -> None:
    """Top-level `utils.py` in two directories: which one `import utils` means depends on
    sys.path, so the helper is not migrated across modules (its caller here stays as it is)."""
    root = tmp_path / "tree"
    for directory in ("a", "b"):
        (root / directory).mkdir(parents=True)
        (root / directory / "utils.py").write_text(HELPER)
    caller = "import utils\n\nprint(utils.ask('q').choices[0].message.content)\n"
    (root / "a" / "main.py").write_text(caller)
    results = {Path(r.path).relative_to(root).as_posix(): r for r in run([str(root)], Settings(), write=True)}
    assert (root / "a" / "main.py").read_text() == caller
    for name in ("a/utils.py", "b/utils.py"):
        [call] = results[name].calls
        assert call.code == "RSP309" and "also module `utils`" in call.findings[0].message(), name


@pytest.mark.slow
def test_json_report_names_the_function_a_call_goes_through(tmp_path: Path) -> None:
    """RSP141 calls carry `via` in the JSON report; call sites don't."""
    import json
    import subprocess
    import sys

    case = next(c for c in CASES if c.id == "helper_called_from_other_modules")
    shutil.copytree(case.before, tmp_path / "tree")
    out = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--check", "--format", "json", "."],
        cwd=tmp_path / "tree",
        capture_output=True,
        text=True,
    )
    calls = json.loads(out.stdout)["calls"]
    via = {call["via"] for call in calls if "via" in call}
    assert via == {"shop.helpers.ask"}
    assert all(("RSP141" in {f["code"] for f in call["findings"]}) == ("via" in call) for call in calls)


def test_a_value_and_its_importer_are_written_together_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migrate.run import fileio
    from migrate.run import tree as runner

    case = next(c for c in CASES if c.id == "value_converted_with_importers")
    root = tmp_path / "tree"
    shutil.copytree(case.before, root)
    real = fileio.write_atomic

    def write_atomic(path, data, *, expected):
        if Path(path).name == "chat.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, data, expected=expected)

    monkeypatch.setattr(runner, "write_atomic", write_atomic)
    results = list(run([str(root)], Settings(), write=True))
    assert _files(root) == _files(case.before)  # TOOLS keeps its chat shape: chat.py still sends it to chat
    assert {Path(r.path).name for r in results if r.status == "failed"} == {"chat.py", "tools.py"}


@pytest.mark.parametrize(
    ("case_id", "importer", "line", "why"),
    [
        (
            "value_imported_use_not_followed",
            "agent/reader.py",
            11,
            "`READ_TOOLS` is imported from `agent.tools`, where it keeps its chat shape: converting it there would"
            " change it for {root}/agent/reader.py, which imports it: `READ_TOOLS` is read by key (`READ_TOOLS[0]`)",
        ),
        (
            "value_and_result_reported",
            "agent/chat.py",
            13,
            "`TOOLS` is imported from `.tools`, where it keeps its chat shape: the calls there that pass it are not"
            " migrated",
        ),
    ],
)
def test_an_importer_says_why_the_value_keeps_its_chat_shape(
    tmp_path: Path, case_id: str, importer: str, line: int, why: str
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    _, results = _migrate(case.before, tmp_path / "tree")
    (call,) = [c for c in results[importer].calls if c.line == line]
    assert call.code == "RSP205"
    assert why.format(root=tmp_path / "tree") in call.findings[0].message()


def test_functions_called_across_modules_are_found_by_their_imports(tmp_path: Path) -> None:
    """helper_links links a caller to the plain functions it imports by name and calls, and a
    function any other file imports (here bot/replay.py, without call sites) is refused."""
    from migrate.catalog import loader as catalog
    from migrate.engine.gate import scan_source

    case = next(c for c in CASES if c.id == "tool_call_passed_to_other_module_reported")
    root = tmp_path / "tree"
    shutil.copytree(case.before, root)
    paths = [str(p) for p in sorted(root.rglob("*.py"))]
    methods = catalog.load().methods
    candidates = {p: Path(p).read_bytes() for p in paths if Path(p).name in ("agent.py", "audit.py", "fast.py")}
    scans = {p: scan_source(data, methods) for p, data in candidates.items()}
    found = project.helper_links(paths, candidates, scans, lambda p: Path(p).read_bytes())
    tools = str(root / "bot" / "tools.py")
    assert set(found.imports[str(root / "bot" / "agent.py")]) == {
        f"bot.tools.{name}" for name in ("describe", "dump", "execute_tool", "inspect", "log_call")
    }
    assert set(found.imports[str(root / "bot" / "audit.py")]) == {"bot.tools.inspect"}
    assert found.signatures[(tools, "execute_tool")] == project.Signature(("tool_call",), ("tool_call",))
    assert set(found.refused) == {(tools, "execute_tool")}
    assert "bot/replay.py imports it" in found.refused[(tools, "execute_tool")]


def test_a_value_whose_conversion_is_turned_off_is_left_with_its_calls(tmp_path: Path) -> None:
    """`--ignore RSP108` (the tool list's flattening) keeps a `tools.py` list as it is, and the
    calls of other modules that pass it are reported, saying so; the others still migrate."""
    case = next(c for c in CASES if c.id == "value_in_module_without_calls")
    shutil.copytree(case.before, tmp_path / "tree")
    root = tmp_path / "tree"
    results = list(run([str(root)], Settings(disabled=frozenset({"RSP108"})), write=True))
    tools = (root / "agent" / "tools.py").read_text()
    assert tools.startswith((case.before / "agent" / "tools.py").read_text().split("FORCE_SEARCH")[0])
    calls = {(Path(r.path).name, c.line): c for r in results for c in r.calls}
    assert calls[("chat.py", 9)].outcome == "reported"
    assert "converting it there is turned off (RSP108)" in calls[("chat.py", 9)].findings[0].message()
    assert calls[("chat.py", 18)].outcome == "migrated"  # ANSWER_FORMAT is not a tool list


@pytest.mark.parametrize(
    ("case_id", "importer", "expected"),
    [
        ("tool_helper_aliased_import", "bot/agent.py", {"bot.tools.execute_tool", "bot.tools.describe"}),
        ("tool_helper_module_import", "bot/agent.py", {"bot.tools.execute_tool"}),
        ("tool_helper_module_import", "bot/review.py", {"bot.tools.execute_tool", "bot.tools.describe"}),
    ],
)
def test_functions_called_across_modules_are_found_by_any_import_form(
    tmp_path: Path, case_id: str, importer: str, expected: set[str]
) -> None:
    """Imported under another name (`execute_tool as run_tool`) or called on their module
    (`from . import tools`, `import bot.tools as t`), they are linked by their absolute
    qualified names, like functions imported by name, and nothing refuses them."""
    from migrate.catalog import loader as catalog
    from migrate.engine.gate import scan_source

    case = next(c for c in CASES if c.id == case_id)
    root = tmp_path / "tree"
    shutil.copytree(case.before, root)
    paths = [str(p) for p in sorted(root.rglob("*.py"))]
    methods = catalog.load().methods
    candidates = {p: Path(p).read_bytes() for p in paths if Path(p).name != "tools.py"}
    scans = {p: scan_source(data, methods) for p, data in candidates.items()}
    found = project.helper_links(paths, candidates, scans, lambda p: Path(p).read_bytes())
    tools = str(root / "bot" / "tools.py")
    assert found.imports[str(root / importer)] == {name: (tools, name.rpartition(".")[2]) for name in expected}
    assert found.refused == {}


@pytest.mark.parametrize(
    ("case_id", "file", "line", "why"),
    [
        (
            "tool_helper_aliased_caller_outside",
            "bot/agent.py",
            10,
            "`call` is passed to `run_tool()` (`bot.tools.execute_tool`), and {root}/bot/replay.py, outside the run,"
            " imports it, and the tool doesn't follow what that file passes to it",
        ),
        (
            "tool_helper_import_forms_reported",
            "bot/agent.py",
            10,
            "`call` is passed to `run_tool()` (`bot.tools.execute_tool`), and what {root}/bot/agent.py passes to it"
            " can't be followed: its call on line 20 passes `call` as `tool_call`, not from a migrated call",
        ),
        (
            "tool_helper_import_forms_reported",
            "bot/chat.py",
            10,
            "`response.choices[0].message` is passed to `tools.describe()` (`bot.tools.describe`), and what"
            " {root}/bot/chat.py passes to it can't be followed: its module `tools` is used other than to call its"
            " functions (line 25)",
        ),
        (
            "tool_helper_import_forms_reported",
            "bot/chat.py",
            18,
            "`response.choices[0].message` is passed to `tools.summarize()` (`bot.tools.summarize`), and"
            " {root}/bot/notes.py imports it, and the tool doesn't follow what that file passes to it",
        ),
        (
            "tool_helper_non_ascii_name_reported",
            "bot/agent.py",
            10,
            "`call` is passed to `lancer()` (`bot.outils.éxécuter`), and {root}/bot/replay.py imports it, and the"
            " tool doesn't follow what that file passes to it",
        ),
        (  # what keeps it from being followed is the call that started it, not the one reported with it
            "tool_helper_with_imported_value_reported",
            "bot/agent.py",
            10,
            "`call` is passed to `tools.execute_tool()` (`bot.tools.execute_tool`), and what {root}/bot/review.py"
            " passes to it can't be followed: the call on line 12 that passes it is not migrated",
        ),
    ],
)
def test_a_call_passing_a_value_to_another_module_says_why_it_is_reported(
    tmp_path: Path, case_id: str, file: str, line: int, why: str
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    _, results = _migrate(case.before, tmp_path / "tree", paths=case.run)
    (call,) = [c for c in results[file].calls if c.line == line]
    assert call.outcome == "reported"
    (finding,) = [f for f in call.findings if f.code == "RSP301"]
    assert why.format(root=tmp_path / "tree") in finding.message()


def test_a_wrapper_of_the_chat_method_counts_in_its_own_repository_only(tmp_path: Path) -> None:
    """A run over two repositories: the tracing library's examples (and its notebook) are reported
    (RSP219, with -j 2 as well), the application's examples next to it still migrate."""
    import nbformat

    from migrate.run import pool

    case = next(c for c in CASES if c.id == "chat_wrapped_by_project")
    tracing, app = tmp_path / "tracing", tmp_path / "app"
    shutil.copytree(case.before, tracing)
    (tracing / ".git").mkdir()
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from openai import OpenAI\n\nclient = OpenAI()\n"
                "completion = client.chat.completions.create(\n"
                "    model='gpt-4.1', messages=[{'role': 'user', 'content': 'Hi'}]\n)\n"
                "print(completion.choices[0].message.content)"
            )
        ]
    )
    (tracing / "examples" / "chat.ipynb").write_text(nbformat.writes(notebook))
    for n in range(pool.MIN_FILES):  # enough files for -j 2 to migrate them in worker processes
        shutil.copy(tracing / "examples" / "chat_demo.py", tracing / "examples" / f"demo_{n}.py")
    (app / "examples").mkdir(parents=True)
    (app / ".git").mkdir()
    demo = (tracing / "examples" / "chat_demo.py").read_text().splitlines()
    (app / "examples" / "chat_demo.py").write_text("\n".join(line for line in demo if "instrument" not in line))
    for jobs in (1, 2):
        results = {
            Path(r.path).relative_to(tmp_path).as_posix(): r
            for r in run([str(tracing), str(app)], Settings(), write=False, jobs=jobs)
        }
        demos = [f"tracing/examples/demo_{n}.py" for n in range(pool.MIN_FILES)]
        for name in ("tracing/examples/chat_demo.py", "tracing/examples/chat.ipynb", "tracing/tests/test_spans.py"):
            [call] = results[name].calls
            assert (call.outcome, call.code) == ("reported", "RSP219"), name
            where = f"`openai.resources.chat.completions` at {tracing / 'tracer' / 'instrument.py'}:14"
            assert where in call.findings[0].message(), name
        assert {(c.outcome, c.code) for name in demos for c in results[name].calls} == {("reported", "RSP219")}
        assert [c.outcome for c in results["tracing/tracer/summary.py"].calls] == ["migrated"]
        assert [c.outcome for c in results["app/examples/chat_demo.py"].calls] == ["migrated"]


def test_a_file_skipped_as_too_large_still_keeps_a_value_it_imports(tmp_path: Path) -> None:
    """A file of the run the engine won't look into still reads `TOOLS` in its chat shape: the
    value keeps it, and the calls passing it are reported, naming that file."""
    case = next(c for c in CASES if c.id == "value_in_module_without_calls")
    root = tmp_path / "tree"
    shutil.copytree(case.before, root)
    big = (root / "agent" / "chat.py").read_text().replace("import ANSWER_FORMAT, FUNCTIONS, TOOLS", "import TOOLS")
    (root / "agent" / "big.py").write_text(big.split("\n\ndef answer")[0] + "\n" + "# padding\n" * 400)
    limit = len((root / "agent" / "tools.py").read_bytes()) + 1
    results = {Path(r.path).name: r for r in run([str(root)], Settings(), write=True, max_bytes=limit)}
    assert results["big.py"].status == "skipped"
    original = (case.before / "agent" / "tools.py").read_text()
    tools_literal = original[original.index("TOOLS = [") : original.index("search_tool = {")]
    assert tools_literal in (root / "agent" / "tools.py").read_text()  # (the values big.py doesn't import move)
    weather = next(c for c in results["chat.py"].calls if c.line == 9)
    assert weather.outcome == "reported" and "agent/big.py" in weather.findings[0].message()
