"""Jupyter notebooks: code cells migrated as one program, only changed sources written back,
the file's JSON formatting kept, locations given as cell and line."""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrate.catalog.settings import Settings
from migrate.cli.app import app
from migrate.engine.notebook import migrate_notebook
from migrate.report.diff import unified_diff
from migrate.report.json_report import write_json
from migrate.report.summary import Summary
from migrate.report.text import TextReport

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"
BEFORE = (FIXTURES / "chat_notebook.before.ipynb").read_bytes()
AFTER = (FIXTURES / "chat_notebook.after.ipynb").read_bytes()


def run(data: bytes, **settings) -> object:
    return migrate_notebook("nb.ipynb", data, Settings(**settings))


def notebook(*cells: str | tuple[str, str], **top) -> dict:
    """A v4 notebook: each cell is code source, or (cell_type, source)."""
    out = []
    for i, cell in enumerate(cells):
        kind, source = ("code", cell) if isinstance(cell, str) else cell
        entry = {"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": source.splitlines(True)}
        if kind == "code":
            entry.update(execution_count=None, outputs=[])
        out.append(entry)
    doc = {
        "cells": out,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    doc.update(top)
    return doc


def dumps(doc: dict) -> bytes:
    """As Jupyter writes notebooks."""
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def sources(data: bytes) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in json.loads(data)["cells"]]


SETUP = "from openai import OpenAI\n\nclient = OpenAI()"
CALL = 'r = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])'
READ = "print(r.choices[0].message.content)"


# -- the fixture -------------------------------------------------------------------------------


def test_fixture_migrates_to_the_exact_after_bytes() -> None:
    result = run(BEFORE)
    assert result.status == "changed", result.reason
    assert result.migrated == AFTER


def test_fixture_is_idempotent() -> None:
    again = run(AFTER)
    assert again.status == "unchanged" and again.migrated is None
    assert [(c.cell, c.line, c.outcome, c.code) for c in again.calls] == [(6, 1, "reported", "RSP301")]


def test_only_the_changed_cell_sources_differ() -> None:
    before, after = json.loads(BEFORE), json.loads(AFTER)
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"], strict=True)) if a != b]
    assert changed == [1, 2]  # cells 2 and 3: the call, and the cell reading its result
    for a, b in zip(before["cells"], after["cells"], strict=True):
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
    assert before["metadata"] == after["metadata"]
    # The JSON around the sources is byte-identical: the diff touches source lines only.
    diff = unified_diff(run(BEFORE))
    touched = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert touched and all(line[1:].startswith('    "') for line in touched)


def test_magic_and_shell_lines_are_kept_and_results_read_by_them_are_not_migrated() -> None:
    result = run(BEFORE)
    after = sources(result.migrated)
    assert after[0].startswith("%pip install openai\n")
    assert after[4].startswith("!ls\n")
    assert after[6] == "%time print(again.choices[0].message.content)"
    assert "again = client.chat.completions.create(" in after[5]  # its result is read by %time
    calls = [(c.cell, c.line, c.column, c.outcome, c.code) for c in result.calls]
    assert calls == [(2, 1, 14, "migrated", "RSP100"), (6, 1, 9, "reported", "RSP301")]
    message = result.calls[1].findings[0].message()
    assert "`again` is read by an IPython magic or shell command at line 1 of cell 7" in message


def test_reports_name_the_cell_and_the_line() -> None:
    result = run(BEFORE)
    summary = Summary()
    summary.add(result)
    out = io.StringIO()
    write_json([result], summary, out, with_diff=False)
    records = json.loads(out.getvalue())["calls"]
    assert [(r["cell"], r["line"], r["column"]) for r in records] == [(2, 1, 14), (6, 1, 9)]
    text = io.StringIO()
    report = TextReport(text, verb="check")
    report.file(result)
    assert "cell 2, line 1:14  migrated" in text.getvalue()
    assert "cell 6, line 1:9  reported" in text.getvalue()


def test_machine_formats_name_the_cell() -> None:
    from migrate.report import github, markdown, sarif

    result = run(BEFORE)
    summary = Summary()
    summary.add(result)
    out = io.StringIO()
    sarif.write_sarif([result], summary, out)
    sarif = json.loads(out.getvalue())["runs"][0]["results"]
    reported = next(r for r in sarif if r["ruleId"] == "RSP301")
    assert reported["message"]["text"].startswith("cell 6, line 1: ")
    assert "region" not in reported["locations"][0]["physicalLocation"]  # JSON lines mean nothing
    assert reported["properties"]["cell"] == 6
    out = io.StringIO()
    github.write_github([result], summary, out)
    assert "::warning file=nb.ipynb,title=RSP301 (reported)::cell 6, line 1: " in out.getvalue()
    out = io.StringIO()
    markdown.write_markdown([result], summary, out)
    # Reported calls are listed first, unfolded, with their file (issue #17).
    assert "| <code>nb.ipynb</code> | cell 6, line 1 | `RSP301` |" in out.getvalue()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_diff_of_a_notebook_git_applies(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_bytes(BEFORE)
    (tmp_path / "nb.patch").write_text(unified_diff(run(BEFORE)), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "nb.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "nb.ipynb").read_bytes() == AFTER


# -- formatting kept -----------------------------------------------------------------------------


def _variants():
    def crlf(text: str) -> str:
        return text.replace("\n", "\r\n")

    yield "indent-2", lambda d: json.dumps(d, indent=2, ensure_ascii=False) + "\n"
    yield (
        "indent-4-unsorted",
        lambda d: json.dumps(dict(reversed(list(d.items()))), indent=4, ensure_ascii=False) + "\n",
    )
    yield "ascii-escapes", lambda d: json.dumps(d, indent=1, sort_keys=True, ensure_ascii=True) + "\n"
    yield "no-final-newline", lambda d: json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False)
    yield "crlf", lambda d: crlf(json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    yield "one-line", lambda d: json.dumps(d, ensure_ascii=False)
    yield "tab-indent", lambda d: json.dumps(d, indent="\t", ensure_ascii=False) + "\n"


def _joined(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for cell in doc["cells"]:
        cell["source"] = "".join(cell["source"])
    return doc


@pytest.mark.parametrize("name, layout", list(_variants()), ids=[n for n, _ in _variants()])
@pytest.mark.parametrize("as_strings", [False, True], ids=["source-lists", "source-strings"])
def test_the_files_json_formatting_is_kept(name: str, layout, as_strings: bool) -> None:
    before, after = json.loads(BEFORE), json.loads(AFTER)
    if as_strings:
        before, after = _joined(before), _joined(after)
    result = run(layout(before).encode("utf-8"))
    assert result.status == "changed", result.reason
    assert result.migrated.decode("utf-8") == layout(after)


def test_a_single_line_source_can_grow() -> None:
    doc = notebook(
        SETUP, "r = client.chat.completions.create(model='gpt-4.1', messages=[{'role': 'user', 'content': 'hi'}])"
    )
    result = run(dumps(doc))
    assert result.status == "changed", result.reason
    assert json.loads(result.migrated)["cells"][1]["source"] == [
        "r = client.responses.create(model='gpt-4.1', input=[{'role': 'user', 'content': 'hi'}], store=False)"
    ]


# -- what is left alone --------------------------------------------------------------------------


def test_a_cell_with_a_syntax_error_is_reported_and_the_file_left_untouched() -> None:
    data = dumps(notebook(SETUP, CALL, "print(r.choices[0].message.content\n", ("markdown", "text")))
    result = run(data)
    assert result.status == "failed" and result.migrated is None
    assert "cell 3" in result.reason and "line 1 of cell 3" in result.reason, result.reason
    assert "syntax error" in result.reason


def test_a_cell_magic_cell_is_opaque() -> None:
    data = dumps(notebook(SETUP, CALL, "%%time\n" + READ, "%%bash\necho $HOME | tr a-z A-Z\n"))
    result = run(data)
    assert result.status == "unchanged"
    assert [(c.cell, c.outcome, c.code) for c in result.calls] == [(2, "reported", "RSP301")]


def test_ipython_lines_inside_blocks_are_restored_byte_for_byte() -> None:
    cell = (
        "files = !ls *.csv\n"
        "for name in files:\n"
        "    !wc -l {name}\n"
        "    %time len(name)\n"
        "client?\n"
        "x = %env HOME\n"
        "!echo one \\\n"
        "  two\n"
    )
    data = dumps(notebook(SETUP, cell, CALL, READ))
    result = run(data)
    assert result.status == "changed", result.reason
    got = sources(result.migrated)
    assert got[1] == cell
    assert got[2].startswith("r = client.responses.create(") and got[3] == "print(r.output_text)"


def test_a_plain_python_cell_is_never_treated_as_magic() -> None:
    cell = 'text = """\n!not a shell line\n%not a magic\nwhy?\n"""\nvalue = (1\n % 2)\n'
    data = dumps(notebook(SETUP, cell, CALL, READ))
    result = run(data)
    assert result.status == "changed", result.reason
    assert sources(result.migrated)[1] == cell


def test_add_todo_comments_name_cell_lines() -> None:
    data = dumps(notebook(SETUP, CALL, "print(r.choices[0].finish_reason)\nsave(r)"))
    result = run(data, add_todo=True)
    assert result.status == "changed", result.reason
    cell = sources(result.migrated)[1]
    assert cell.startswith("# TODO(migrate): RSP30") and "of cell 3" in cell
    assert [(c.cell, c.line) for c in result.calls] == [(2, 1)]


def test_not_python_nbformat_3_and_broken_json() -> None:
    r_kernel = notebook(CALL, metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}})
    assert run(dumps(r_kernel)).status == "skipped"
    assert "language is R" in run(dumps(r_kernel)).reason
    old = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [{"cells": [{"cell_type": "code", "input": CALL}]}],
    }
    assert run(dumps(old)).status == "skipped"
    broken = run(b'{"cells": [{"source": "chat.completions"')
    assert broken.status == "failed" and broken.reason.startswith("not a notebook: invalid JSON at line 1")
    assert run(b"\xff\xfe completions").status == "failed"


def test_a_notebook_without_the_word_is_not_even_parsed() -> None:
    assert run(b"not json at all").status == "unchanged"


def test_code_cells_only_and_cell_numbers_count_every_cell() -> None:
    data = dumps(notebook(("markdown", "# Title"), SETUP, ("raw", CALL), CALL, ("markdown", "x"), READ))
    result = run(data)
    assert result.status == "changed", result.reason
    got = sources(result.migrated)
    assert got[2] == CALL  # a raw cell is not code
    assert [(c.cell, c.line) for c in result.calls] == [(4, 1)]


def test_a_coding_cookie_in_a_cell_does_not_change_how_the_notebook_is_read() -> None:
    data = dumps(notebook("# -*- coding: latin-1 -*-\n" + SETUP, CALL.replace("hi", "café"), READ))
    result = run(data)
    assert result.status == "changed", result.reason
    assert "café" in sources(result.migrated)[1]


# -- the command line ----------------------------------------------------------------------------


def test_apply_walks_into_notebooks_but_not_checkpoints(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_bytes(BEFORE)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_bytes(BEFORE)
    result = CliRunner().invoke(app, ["apply", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "nb.ipynb").read_bytes() == AFTER
    assert (tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").read_bytes() == BEFORE
    assert "cell 2, line 1" in result.output


def test_apply_on_a_broken_notebook_exits_2_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(dumps(notebook(SETUP, CALL, "print(r.choices[0].message.content\n")))
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["apply", str(path)])
    assert result.exit_code == 2, result.output
    assert path.read_bytes() == before
    assert "cell 3" in result.output


@pytest.mark.slow
def test_stdin_with_a_notebook_filename() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "-", "--stdin-filename", "nb.ipynb"],
        input=BEFORE,
        capture_output=True,
    )
    assert result.returncode == 1, result.stderr.decode()
    assert result.stdout == AFTER


def test_cells_with_windows_line_endings_keep_them() -> None:
    crlf = [
        SETUP.replace("\n", "\r\n"),
        "r = client.chat.completions.create(\r\n    model='gpt-4.1',\r\n"
        "    messages=[{'role': 'user', 'content': 'hi'}],\r\n)",
        READ,
    ]
    result = run(dumps(notebook(*crlf)))
    assert result.status == "changed", result.reason
    got = sources(result.migrated)
    assert got[1] == (
        "r = client.responses.create(\r\n    model='gpt-4.1',\r\n"
        "    input=[{'role': 'user', 'content': 'hi'}],\r\n    store=False,\r\n)"
    )
    assert got[2] == "print(r.output_text)"
