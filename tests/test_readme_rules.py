"""README's generated tables (request, results, streams, rules) must not drift from rules/."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rules_table", ROOT / "scripts" / "gen_rules_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [*gen.MAPPING_TABLES, "rules"])
def test_readme_table_matches_rules_data(name):
    start, end = gen.markers(name)
    assert README.count(start) == 1 and README.count(end) == 1, f"README.md needs one {start} ... {end}"
    assert gen.replace_block(README, gen.tables()[name], name) == README, (
        f"README.md's {name} table differs from rules/: run `python scripts/gen_rules_table.py --write`"
    )


def test_readme_rules_table_matches_rules_toml():
    assert gen.markers("rules") == (gen.START, gen.END)
    assert gen.replace_block(README, gen.render_table()) == README


def test_every_mapping_entry_reaches_a_table():
    """Each chat keyword argument and each method appears in the request table, and each
    Responses result path the data writes appears in the result or stream table."""
    request = gen.render_request()
    for name in gen._load("parameters.toml"):
        assert f"`{name}" in request, f"parameter {name} is missing from the request table"
    for path in gen._load("methods.toml"):
        assert f"chat.completions.{path}(" in request, f"method {path} is missing from the request table"
    reads = gen.render_results() + gen.render_streams()
    for kind, table in gen._load("results.toml").items():
        if kind.startswith("_"):
            continue
        for key in table:
            if key.startswith(("_", "[")):
                continue  # `[*]` leads to a kind shown on a variable of its own
            assert key.rstrip("()") in reads, f"results.toml [{kind}] {key!r} is missing from the tables"


def _copy_rules(tmp_path: Path) -> Path:
    data = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", data)
    return data


def test_a_data_change_shows_in_the_tables(tmp_path):
    """The drift test is real: editing the data changes the generated README."""
    data = _copy_rules(tmp_path)
    path = data / "parameters.toml"
    text = path.read_text(encoding="utf-8")
    old = 'to = "max_output_tokens"\nminimum = 16\nfix = "RSP103"'
    assert old in text
    path.write_text(text.replace(old, 'to = "max_tokens_out"\nminimum = 16\nfix = "RSP103"'), encoding="utf-8")
    assert gen.render_readme(README, data) != README
    assert "`max_tokens_out=`" in gen.render_request(data)


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        ("parameters.toml", 'responses = \'`reasoning={"effort": "low"}`\'\n', "", "a doc row needs `responses`"),
        ("parameters.toml", 'rule = "RSP102"', 'rule = "RSP999"', "RSP999 is not in rules.toml"),
        ("parameters.toml", "[[verbosity.doc]]\n", "[[verbosity.doc]]\nwhy = 'x'\n", "a doc row takes only"),
        ("results.toml", '_doc = { var = "chunk" }', '_doc = { var = "chunk", colour = "red" }', "`_doc` takes only"),
    ],
)
def test_bad_doc_fields_are_refused(tmp_path, file, old, new, message):
    data = _copy_rules(tmp_path)
    path = data / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(gen.DocError, match=message):
        gen.tables(data)


def test_a_transform_without_doc_is_refused(tmp_path):
    data = _copy_rules(tmp_path)
    path = data / "parameters.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[[extra_body.doc]]")
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(gen.DocError, match=r"\[extra_body\]: a transform needs `doc`"):
        gen.render_request(data)
