"""[tool.migrate] config, --select/--ignore, in-code markers, --add-todo and --unsafe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrate.catalog import config
from migrate.catalog import loader as catalog
from migrate.catalog.settings import Settings
from migrate.cli.app import app
from migrate.engine.pipeline import migrate_source

CALL = """from openai import OpenAI

client = OpenAI()
r = client.chat.completions.create(
    model="gpt-4.1",
    messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],{extra}
){marker}
print(r.choices[0].message.content)
"""


def source(extra: str = "", marker: str = "") -> str:
    return CALL.replace("{extra}", extra).replace("{marker}", marker)


def run(src: str, **settings) -> tuple[str, str, list[str]]:
    result = migrate_source("t.py", src.encode(), Settings(**settings))
    (call,) = result.calls
    out = (result.migrated or src.encode()).decode()
    return call.outcome, out, [f.code for f in call.findings]


def test_unknown_config_key_names_the_closest() -> None:
    with pytest.raises(config.ConfigError, match=r"unknown key `ignor` .*did you mean `ignore`"):
        config.from_table({"ignor": ["RSP113"]}, catalog.load())


def test_unknown_code_names_the_closest() -> None:
    with pytest.raises(config.ConfigError, match=r"unknown rule `RSP2001`.*did you mean `RSP201`"):
        config.from_table({"ignore": ["RSP2001"]}, catalog.load())


def test_bad_values_are_errors() -> None:
    with pytest.raises(config.ConfigError, match="store"):
        config.from_table({"store": "never"}, catalog.load())
    with pytest.raises(config.ConfigError, match=r"needs openai >= 1\.66\.0"):
        config.from_table({"target-openai-version": "1.50.0"}, catalog.load())


def test_resolve_selectors_by_code_prefix_and_name() -> None:
    rules = catalog.load()
    off = config.resolve(["RSP2"], ["unsupported-parameter"], rules)
    assert "RSP201" in off and "RSP202" not in off and "RSP101" in off


def test_ignoring_a_report_suppresses_the_call_but_never_rewrites_it() -> None:
    src = source(extra="\n    seed=7,")
    outcome, out, codes = run(src, disabled=frozenset({"RSP201"}))
    assert outcome == "suppressed" and codes == ["RSP201"] and out == src


def test_ignoring_an_optional_fix_switches_it_off() -> None:
    outcome, out, codes = run(source(), disabled=frozenset({"RSP102", "RSP113"}))
    assert outcome == "migrated"
    assert "instructions=" not in out and "store=" not in out and '"role": "system"' in out
    assert "RSP102" not in codes and "RSP113" not in codes


def test_ignoring_a_required_fix_holds_the_call_back() -> None:
    src = source()
    outcome, out, codes = run(src, disabled=frozenset({"RSP120"}))
    assert outcome == "suppressed" and codes == ["RSP120"] and out == src


def test_inline_markers() -> None:
    src = source(marker="  # migrate: ignore")
    assert run(src)[0] == "suppressed" and run(src)[1] == src
    marked = source(extra="\n    seed=7,").replace("create(", "create(  # migrate: ignore[RSP201]", 1)
    assert run(marked)[0] == "suppressed"
    other = source(extra="\n    seed=7,").replace("create(", "create(  # migrate: ignore[RSP113]", 1)
    assert run(other)[:1] == ("reported",)


def test_unsafe_tier_applies_only_with_unsafe() -> None:
    src = source().replace('"gpt-4.1"', '"ft:gpt-4.1:acme::abc123"')
    assert run(src)[0] == "reported" and run(src)[2] == ["RSP206"]
    outcome, out, codes = run(src, unsafe=True)
    assert outcome == "migrated" and "RSP206" in codes and "client.responses.create(" in out


def test_unsafe_tier_applies_to_a_model_given_by_name() -> None:
    src = (
        source()
        .replace('model="gpt-4.1"', "model=FT_MODEL")
        .replace("client = OpenAI()", 'client = OpenAI()\nFT_MODEL = "ft:gpt-4.1:acme::abc123"')
    )
    outcome, _, codes = run(src)
    assert (outcome, codes) == ("reported", ["RSP206"])
    outcome, out, codes = run(src, unsafe=True)
    assert outcome == "migrated" and "RSP206" in codes and "model=FT_MODEL" in out and "responses.create(" in out


def test_unsafe_tier_migrates_an_azure_client_whose_api_version_is_unread() -> None:
    src = source().replace(
        "from openai import OpenAI\n\nclient = OpenAI()",
        "import os\n\nfrom openai import AzureOpenAI\n\n"
        'client = AzureOpenAI(api_version=os.environ["V"], azure_endpoint="https://r.openai.azure.com")',
    )
    outcome, out, codes = run(src)
    assert (outcome, codes, out) == ("reported", ["RSP007"], src)
    outcome, out, codes = run(src, unsafe=True)
    assert outcome == "migrated" and {"RSP005", "RSP007"} <= set(codes) and "client.responses.create(" in out
    # An api_version known to be too old is report-only: --unsafe doesn't apply it.
    old = src.replace('os.environ["V"]', '"2024-02-01"')
    assert run(old, unsafe=True)[::2] == ("reported", ["RSP006"])


def test_add_todo_is_idempotent() -> None:
    src = source(extra="\n    seed=7,")
    result = migrate_source("t.py", src.encode(), Settings(add_todo=True))
    out = result.migrated.decode()
    assert out.count("# TODO(migrate): RSP201") == 1
    assert out.index("# TODO(migrate): RSP201") < out.index("r = client.chat.completions.create(")
    again = migrate_source("t.py", result.migrated, Settings(add_todo=True))
    assert again.status == "unchanged"


def test_pyproject_config_is_found_from_the_paths_and_cli_overrides(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.migrate]\nignore = ["RSP201"]\nstore = "omit"\n')
    (tmp_path / "src").mkdir()
    app_file = tmp_path / "src" / "app.py"
    app_file.write_text(source(extra="\n    seed=7,"))
    result = CliRunner().invoke(app, ["apply", "--check", "--format", "json", str(tmp_path / "src")])
    document = json.loads(result.stdout)
    assert [c["outcome"] for c in document["calls"]] == ["suppressed"]
    assert result.exit_code == 0
    # The command line's --select replaces the config's selection.
    result = CliRunner().invoke(app, ["apply", "--check", "--format", "json", "--select", "RSP2", str(app_file)])
    assert [c["outcome"] for c in json.loads(result.stdout)["calls"]] == ["suppressed"]


def test_bad_pyproject_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.migrate]\nselectt = ["RSP2"]\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(app, ["apply", "--check", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown key `selectt`" in result.stderr and "did you mean `select`" in result.stderr
