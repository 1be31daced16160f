"""A rewrite keeps code a type checker accepted accepted: for the stream, tool-loop and result
fixtures, an `after` has no mypy error (with the installed `openai`) when its `before` had none.

All the files go through one mypy run (a cold run over the SDK's types takes a while)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fixture_cases import FIXTURES, cases

AREAS = ("streaming", "conversations", "results")
PAIRS = [c for c in cases() if c.after is not None and c.id.split("/")[0] in AREAS]
_ERROR = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): error: (?P<message>.*)$")


def _module(case_id: str, side: str) -> str:
    return re.sub(r"\W", "_", case_id) + f"__{side}.py"


def _errors(tmp: Path) -> dict[str, list[str]]:
    from mypy import api  # the test extras install mypy

    files = tmp / "files"
    files.mkdir()
    for case in PAIRS:
        assert case.after is not None
        shutil.copyfile(case.before, files / _module(case.id, "before"))
        shutil.copyfile(case.after, files / _module(case.id, "after"))
    config = tmp / "mypy.ini"
    config.write_text("[mypy]\ncheck_untyped_defs = True\n")
    stdout, _, _ = api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp / "cache"),
            "--no-error-summary",
            "--show-error-codes",
            "--hide-error-context",
            str(files),
        ]
    )
    found: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        m = _ERROR.match(line)
        if m:
            found.setdefault(Path(m["file"]).name, []).append(f"{m['line']}: {m['message']}")
    return found


@pytest.mark.slow
def test_after_type_checks_where_before_did(tmp_path: Path) -> None:
    assert PAIRS, f"no rewrite fixtures under {FIXTURES} in {AREAS}"
    errors = _errors(tmp_path)
    regressions = {
        case.id: errors[_module(case.id, "after")]
        for case in PAIRS
        if _module(case.id, "before") not in errors and _module(case.id, "after") in errors
    }
    shown = "\n".join(f"{case}:{line}" for case, lines in sorted(regressions.items()) for line in lines)
    assert not regressions, f"new mypy errors in these afters:\n{shown}"


def test_the_check_sees_errors(tmp_path: Path) -> None:
    """The check itself: mypy runs, and a str | None passed to write() is an error."""
    from mypy import api

    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nx: str | None = None\nsys.stdout.write(x)\n")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    stdout, _, status = api.run(["--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), str(bad)])
    assert status == 1 and _ERROR.match(stdout.splitlines()[0])
