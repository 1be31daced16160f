"""Issue #17: the conventions ruff / black / pre-commit users expect, through the real command
line (a subprocess running `python -m migrate`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The command line run as a subprocess, as users run it: the full run only (tests/test_cli.py is
# the quick loop's, in process).
pytestmark = pytest.mark.slow

CHAT = """from openai import OpenAI

client = OpenAI()
r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
print(r.choices[0].message.content)
"""
REPORTED = """import openai

r = openai.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], seed=7)
print(r.choices[0].message.content)
"""
# A reported call whose message names a line (RSP302 "... read at line N ..."): a TODO above it moves that line.
DUMPED = """from openai import OpenAI

client = OpenAI()


def main():
    r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    print(r.model_dump())
"""
UNRESOLVED = """def ask(client):
    return client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
"""
GROQ = """from groq import Groq

client = Groq()
r = client.chat.completions.create(model="llama", messages=[{"role": "user", "content": "hi"}])
"""


def migrate(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, code: str | None = None):
    """`python -m migrate ARGS` (or `python -c CODE ARGS`), as a user runs it."""
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "migrate", *args]
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120)


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


# -- 1. a broken pyproject.toml is an error ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[tool.migrate]\nignore = [\n", "invalid TOML"),
        ("[project\nname = 'x'\n", "invalid TOML"),
        ("[tool]\nmigrate = 1\n", "`tool.migrate` must be a table"),
        ("tool = 3\n", "`tool` must be a table"),
        ("[tool.migrate]\ntarget-openai-version = 2\n", "target-openai-version must be a string"),
        ("[tool.migrate]\nunsafe = 'yes'\n", "`unsafe` must be true or false"),
    ],
    ids=["bad-toml-in-table", "bad-toml-elsewhere", "migrate-not-a-table", "tool-not-a-table", "version", "bool"],
)
def test_a_broken_pyproject_is_an_error_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    tree(tmp_path, {"pyproject.toml": text, "src/app.py": CHAT})
    result = migrate("apply", "--check", str(tmp_path / "src"))
    assert result.returncode == 2, result.stderr
    no_traceback(result)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'pyproject.toml'}: ") and problem in line, line
    assert (tmp_path / "src" / "app.py").read_text() == CHAT


# -- 2. usage and environment errors: one line, exit 2 ----------------------------------------


@pytest.mark.parametrize("target", ["missing/report.json", "a_directory"], ids=["no-parent", "is-a-directory"])
def test_a_report_that_cant_be_written_stops_the_run_before_it_starts(tmp_path: Path, target: str) -> None:
    tree(tmp_path, {"app.py": CHAT})
    (tmp_path / "a_directory").mkdir()
    result = migrate("apply", "--format", "json", "-o", str(tmp_path / target), str(tmp_path / "app.py"))
    assert result.returncode == 2, result.stderr
    no_traceback(result)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot write the report to {tmp_path / target}: "), line
    assert (tmp_path / "app.py").read_text() == CHAT  # nothing was rewritten


def test_a_symlink_loop_given_as_a_path_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    tree(tmp_path, {"app.py": CHAT})
    result = migrate("apply", "--check", str(tmp_path / "loop"), str(tmp_path / "app.py"))
    assert result.returncode == 2, result.stderr
    no_traceback(result)
    assert "loop: failed too many levels of symbolic links" in result.stderr


# -- 3. a file that could not be checked fails --check ----------------------------------------


def test_a_file_that_cannot_be_round_tripped_fails_check(tmp_path: Path) -> None:
    (tmp_path / "cr.py").write_bytes(CHAT.replace("\n", "\r").encode())
    result = migrate("apply", "--check", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "cr.py: skipped round-trip" in result.stderr
    assert "1 file could not be checked" in result.stderr
    # --diff checks as well; a write run keeps its exit code (nothing changed, nothing reported).
    assert migrate("apply", "--diff", str(tmp_path)).returncode == 2
    assert migrate("apply", str(tmp_path)).returncode == 0


SLOW = """
import sys, time
from pathlib import Path
from migrate.run import tasks
real = tasks.migrate_source
def slow(path, data, settings, *links):
    if Path(path).name == "slow.py":
        while True:
            time.sleep(0.01)
    return real(path, data, settings, *links)
tasks.migrate_source = slow
sys.argv[0] = "migrate"
from migrate.cli.app import main
main()
"""


def test_a_file_over_its_time_budget_fails_check(tmp_path: Path) -> None:
    tree(tmp_path, {"slow.py": CHAT.replace("hi", "slow"), "clean.py": GROQ})
    result = migrate("apply", "--check", "--timeout-per-file", "0.3", str(tmp_path), code=SLOW)
    assert "slow.py: skipped took longer than 0.3s" in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr


# -- 4. --add-todo is idempotent ---------------------------------------------------------------


def test_add_todo_twice_adds_one_todo_even_when_the_message_names_a_line(tmp_path: Path) -> None:
    path = tree(tmp_path, {"app.py": DUMPED}) / "app.py"
    first = migrate("apply", "--add-todo", str(path))
    assert first.returncode == 1, first.stderr
    once = path.read_text()
    assert once.count("# TODO(migrate): RSP302") == 1, once
    second = migrate("apply", "--add-todo", str(path))
    assert path.read_text() == once
    assert "0 files changed" in second.stderr


# -- 6. unknown codes are reported with a did-you-mean ----------------------------------------

TYPO_MARKER = REPORTED.replace("seed=7)", "seed=7)  # migrate: ignore[RSP2O1]")


def test_an_unknown_code_in_a_marker_is_a_warning_with_the_closest_code(tmp_path: Path) -> None:
    path = tree(tmp_path, {"app.py": TYPO_MARKER}) / "app.py"
    result = migrate("apply", "--check", str(path))
    assert result.returncode == 1  # the typo turned nothing off: the call is still reported
    assert "warning   unknown rule code `RSP2O1` in `# migrate: ignore[...]` (did you mean `RSP201`?)" in result.stderr
    document = json.loads(migrate("apply", "--check", "--format", "json", str(path)).stdout)
    (call,) = document["calls"]
    assert call["outcome"] == "reported"
    assert call["warnings"] == ["unknown rule code `RSP2O1` in `# migrate: ignore[...]` (did you mean `RSP201`?)"]
    github = migrate("apply", "--check", "--format", "github", str(path)).stdout
    assert "::warning file=" in github and "unknown rule code `RSP2O1`" in github
    # The right code still suppresses the call, without a warning.
    path.write_text(TYPO_MARKER.replace("RSP2O1", "RSP201"))
    fixed = migrate("apply", "--check", str(path))
    assert fixed.returncode == 0 and "warning" not in fixed.stderr


@pytest.mark.parametrize(
    ("args", "config", "expected"),
    [
        (["--select", "RSP2O1"], "", "error: --select: unknown rule `RSP2O1` (did you mean `RSP201`?)"),
        (["--ignore", "rsp2l1"], "", "error: --ignore: unknown rule `rsp2l1` (did you mean `RSP211`?)"),
        ([], '[tool.migrate]\nignore = ["RSP2O1"]\n', "unknown rule `RSP2O1` (did you mean `RSP201`?)"),
        (["--select", ""], "", "error: --select: no rule given (name codes, prefixes or rule names)"),
        (["--select", " , "], "", "error: --select: no rule given (name codes, prefixes or rule names)"),
        (["--ignore", ""], "", "error: --ignore: no rule given (name codes, prefixes or rule names)"),
        ([], '[tool.migrate]\nselect = [""]\n', "select: an empty rule selector (it would match every rule)"),
    ],
    ids=["select", "ignore", "config", "empty-select", "blank-select", "empty-ignore", "empty-config-select"],
)
def test_unknown_codes_on_the_command_line_and_in_config_name_the_closest(
    tmp_path: Path, args: list[str], config: str, expected: str
) -> None:
    tree(tmp_path, {"app.py": REPORTED, **({"pyproject.toml": config} if config else {})})
    result = migrate("apply", "--check", *args, str(tmp_path))
    assert result.returncode == 2
    no_traceback(result)
    assert expected in result.stderr, result.stderr


# -- 7. nothing to do is said ------------------------------------------------------------------


def test_a_folder_without_python_files_says_so(tmp_path: Path) -> None:
    tree(tmp_path, {"docs/readme.txt": "completions\n"})
    result = migrate("apply", "--check", str(tmp_path / "docs"))
    assert result.returncode == 0
    assert f"warning: no Python files or notebooks found in {tmp_path / 'docs'}" in result.stderr
    assert "warning" not in migrate("apply", "--check", str(tree(tmp_path, {"docs/a.py": "x = 1\n"}) / "docs")).stderr


# -- 8. --quiet and --color ---------------------------------------------------------------------

ESC = "\x1b["


def test_quiet_prints_only_what_fails_the_run(tmp_path: Path) -> None:
    tree(tmp_path, {"app.py": CHAT, "seeded.py": REPORTED, "groq_app.py": GROQ})
    loud = migrate("apply", "--check", str(tmp_path))
    assert "migrated" in loud.stderr and "scanned" in loud.stderr
    quiet = migrate("apply", "--check", "-q", str(tmp_path))
    assert quiet.returncode == loud.returncode == 1
    assert quiet.stderr.splitlines() == [
        str(tmp_path / "seeded.py"),
        "      3:5  reported  RSP201 `seed` has no Responses equivalent (Responses has no seed)",
    ]
    assert migrate("apply", "--check", "--quiet", str(tmp_path / "app.py")).stderr == ""
    errors = migrate("apply", "--check", "-q", str(tmp_path / "missing.py"))
    assert errors.returncode == 2 and "missing.py: failed no such file or directory" in errors.stderr


def test_color_always_never_and_no_color(tmp_path: Path) -> None:
    tree(tmp_path, {"app.py": CHAT})
    assert ESC not in migrate("apply", "--check", str(tmp_path)).stderr  # not a terminal
    assert f"{ESC}1m" in migrate("apply", "--check", "--color", "always", str(tmp_path)).stderr
    # FORCE_COLOR styles a pipe; NO_COLOR then turns every style off, bold included.
    forced = migrate("apply", "--check", str(tmp_path), env={"FORCE_COLOR": "1"})
    assert f"{ESC}1m" in forced.stderr
    plain = migrate("apply", "--check", str(tmp_path), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ESC not in plain.stderr and "migrated" in plain.stderr
    never = migrate("apply", "--check", "--color", "never", str(tmp_path), env={"FORCE_COLOR": "1"})
    assert ESC not in never.stderr
    assert ESC not in migrate("explain", "RSP201", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert f"{ESC}" in migrate("explain", "--color", "always", "RSP201", env={"NO_COLOR": "1"}).stdout
    bad = migrate("apply", "--color", "sometimes", str(tmp_path))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- 10. skipped: not OpenAI's, or not resolved ---------------------------------------------------


def test_the_summary_tells_unresolved_clients_from_other_sdks(tmp_path: Path) -> None:
    tree(tmp_path, {"helper.py": UNRESOLVED})
    alone = migrate("apply", "--check", str(tmp_path))
    assert alone.returncode == 0
    assert "1 skipped (client not resolved)" in alone.stderr and "not OpenAI's" not in alone.stderr
    assert "annotate it (`client: OpenAI`)" in alone.stderr and "migrate explain RSP004" in alone.stderr
    tree(tmp_path, {"groq_app.py": GROQ})
    both = migrate("apply", "--check", str(tmp_path))
    assert "2 skipped (1 not OpenAI's, 1 client not resolved)" in both.stderr
    markdown = migrate("apply", "--check", "--format", "markdown", str(tmp_path)).stdout
    assert "| 2 (1 not OpenAI's, 1 client not resolved) |" in markdown
    (tmp_path / "helper.py").unlink()
    groq = migrate("apply", "--check", str(tmp_path))
    assert "1 skipped (not OpenAI's)" in groq.stderr and "RSP004" not in groq.stderr


# -- 5. --format concise -------------------------------------------------------------------------


def test_concise_is_one_clickable_line_per_finding(tmp_path: Path) -> None:
    tree(tmp_path, {"app.py": CHAT, "seeded.py": TYPO_MARKER, "broken.py": "def f(:\n    completions\n"})
    result = migrate("apply", "--check", "--format", "concise", ".", cwd=tmp_path)
    assert result.returncode == 2  # broken.py failed
    lines = result.stdout.splitlines()
    assert lines[0].startswith("broken.py:1:1: failed: syntax error at line 1"), lines
    assert lines[1:] == [
        "seeded.py:3:5: warning: unknown rule code `RSP2O1` in `# migrate: ignore[...]` (did you mean `RSP201`?)",
        "seeded.py:3:5: RSP201 `seed` has no Responses equivalent (Responses has no seed)",
    ], result.stdout
    # -o writes the same lines to the file; with --diff, stdout keeps the diff and the lines go to stderr.
    migrate("apply", "--check", "--format", "concise", "-o", "report.txt", "seeded.py", cwd=tmp_path)
    assert (tmp_path / "report.txt").read_text().splitlines()[-1].startswith("seeded.py:3:5: RSP201 ")
    diff = migrate("apply", "--diff", "--format", "concise", "app.py", "seeded.py", cwd=tmp_path)
    assert diff.stdout.startswith("--- a/app.py") and "seeded.py:3:5: RSP201 " in diff.stderr


def test_concise_in_a_notebook_names_the_cell(tmp_path: Path) -> None:
    notebook = Path(__file__).parents[1] / "fixtures" / "notebooks" / "chat_notebook.before.ipynb"
    (tmp_path / "analysis.ipynb").write_bytes(notebook.read_bytes())
    result = migrate("apply", "--check", "--format", "concise", "analysis.ipynb", cwd=tmp_path)
    assert result.stdout.startswith("analysis.ipynb:cell 6:1:9: RSP301 "), result.stdout


def test_the_default_format_stays_text_in_ci(tmp_path: Path) -> None:
    """The decision documented in README: `--check` in CI keeps the text report (concise is asked for)."""
    tree(tmp_path, {"seeded.py": REPORTED})
    result = migrate("apply", "--check", str(tmp_path), env={"CI": "true"})
    assert result.stdout == "" and "reported  RSP201" in result.stderr and "scanned" in result.stderr


# -- 9. explain never wraps code -----------------------------------------------------------------


def test_explain_prints_code_unwrapped_in_a_narrow_pipe() -> None:
    from migrate.catalog import loader as catalog

    rules = catalog.load().rules.values()

    def longest(rule) -> int:
        return max(len(line) for key in ("example", "use_instead") for line in rule.docs.get(key, "").splitlines())

    widest = sorted(rules, key=longest, reverse=True)[:3]
    assert longest(widest[-1]) > 60
    for rule in widest:
        result = migrate("explain", rule.code, env={"COLUMNS": "50"})
        assert result.returncode == 0, result.stderr
        for key in ("example", "use_instead"):
            code = rule.docs.get(key, "").strip()
            assert code in result.stdout, (rule.code, key)
        assert "What it does" in result.stdout


# -- 11. the Markdown report -------------------------------------------------------------------------

RETURNED = """from openai import OpenAI

client = OpenAI()


class Bot:
    def ask(self, q):
        return client.chat.completions.create(
            model="gpt-4.1",
            messages=[{"role": "user", "content": q}],
        )
"""


def _tables(markdown: str) -> list[list[list[str]]]:
    """Each table of `markdown` as GitHub parses it (markdown-it with GFM tables): rows of the
    cells' source text."""
    from markdown_it import MarkdownIt

    tables: list[list[list[str]]] = []
    cell = False
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in ("th_open", "td_open"):
            tables[-1][-1].append("")
            cell = True
        elif token.type in ("th_close", "td_close"):
            cell = False
        elif token.type == "inline" and cell:
            tables[-1][-1][-1] = token.content
    return tables


def test_markdown_lists_reported_calls_first_unfolded_and_keeps_its_tables(tmp_path: Path) -> None:
    tree(tmp_path, {"bot.py": RETURNED, "seeded.py": REPORTED, "app.py": CHAT})
    markdown = migrate("apply", "--check", "--format", "markdown", ".", cwd=tmp_path).stdout
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    # Nothing outside the tables but headings and the <details> blocks: no row spilled into a paragraph.
    paragraphs = [t for t in tokens if t.type == "paragraph_open"]
    assert not paragraphs, markdown
    tables = _tables(markdown)
    for table in tables:
        assert len({len(row) for row in table}) == 1, table  # every row has the header's columns
    reported = next(table for table in tables if table[0] == ["file", "line", "rule", "why"])
    assert [row[:3] for row in reported[1:]] == [
        ["<code>bot.py</code>", "8", "`RSP301`"],
        ["<code>seeded.py</code>", "3", "`RSP201`"],
    ]
    # A call spanning lines is quoted by its callee alone, on one line of the table.
    assert (
        reported[1][3]
        == "result `client.chat.completions.create(...)` is returned at line 8; its readers can't be followed"
    )
    # The reported calls come before any folded block, and are not repeated inside one.
    assert markdown.index("### Left untouched") < markdown.index("<details>")
    folded = markdown[markdown.index("<details>") :]
    assert "RSP301" not in folded and "| reported |" not in folded and "RSP120" in folded


# -- 12. SARIF: lean, with the levels code scanning expects -------------------------------------------


def test_sarif_is_lean_and_levels_follow_the_outcome() -> None:
    import jsonschema

    root = Path(__file__).parents[1]
    result = migrate("apply", "--check", "--format", "sarif", "examples/", cwd=root)
    assert result.returncode == 1, result.stderr
    assert len(result.stdout.encode()) < 40_000  # was 129 KB for the 9 calls of examples/
    document = json.loads(result.stdout)
    schema = json.loads((root / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert sorted(rule_ids) == sorted({r["ruleId"] for r in run["results"]})  # only the rules it names
    levels = {(r["properties"]["outcome"], r["level"]) for r in run["results"]}
    assert levels == {("reported", "warning"), ("migrated", "note"), ("skipped", "note")}
    review = next(r for r in run["results"] if r["ruleId"] == "RSP113")
    assert review["level"] == "note"
