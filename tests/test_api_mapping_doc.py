"""docs/api-mapping.md stays consistent with what cites it, with the rule catalog and with the SDK.

* every `docs/api-mapping.md#<anchor>` cited in the repository, and every `(#anchor)` link in
  the doc itself, names a heading of the doc;
* outside migrate/, the doc is cited only in that form (no old `§b`-style citations);
* in the doc's tables, each rule code exists and its Class is the rule's fix safety;
* each SDK source path the doc names exists in the installed `openai` package.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.catalog import loader as catalog

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api-mapping.md"
TEXT = DOC.read_text(encoding="utf-8")
CITED = re.compile(r"docs/api-mapping\.md#([A-Za-z0-9_-]+)")
CODE = re.compile(r"RSP\d{3}")
# Where an old-style citation would be stale. migrate/ is updated separately.
CHECKED = ("migrate", "rules", "tests", "scripts", "docs", "README.md")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


ANCHORS = {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", TEXT, re.M)}


def _sources(*names: str):
    for name in names:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", ".toml", ".md")]
        for file in files:
            if ".venv" not in file.parts:
                yield file


def test_every_cited_anchor_exists():
    missing = []
    for file in _sources("rules", "migrate", "tests", "scripts", "docs", "README.md"):
        for line_no, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            for anchor in CITED.findall(line):
                if anchor not in ANCHORS:
                    missing.append(f"{file.relative_to(ROOT)}:{line_no}: #{anchor}")
    for anchor in re.findall(r"\]\(#([^)]+)\)", TEXT):
        if anchor not in ANCHORS:
            missing.append(f"docs/api-mapping.md: link to #{anchor}")
    assert missing == [], f"anchors not in docs/api-mapping.md ({sorted(ANCHORS)}): {missing}"


def test_citations_use_anchors():
    stale = []
    for file in _sources(*CHECKED):
        if file == Path(__file__) or file == DOC:
            continue
        for line_no, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            old_form = re.search(r"api-mapping\.md`*\s+(section|[a-g]\b|[a-g]\.\d)", line)
            if "api-mapping" in line and ("§" in line or old_form):
                stale.append(f"{file.relative_to(ROOT)}:{line_no}: {line.strip()}")
    assert stale == [], "cite docs/api-mapping.md#<anchor> instead: " + "; ".join(stale)


def _table_rows():
    """(line number, {column: cell}) for each row of a doc table with Rule and Class columns."""
    header: list[str] | None = None
    for line_no, line in enumerate(TEXT.splitlines(), 1):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if header is None:
            header = cells
        elif not set(line) <= set("|-: "):
            yield line_no, dict(zip(header, cells, strict=True))


ROWS = [(n, row) for n, row in _table_rows() if "Rule" in row and "Class" in row]


def test_the_doc_has_rule_tables():
    assert len(ROWS) > 100


@pytest.mark.parametrize("line_no, row", ROWS, ids=[f"line{n}" for n, _ in ROWS])
def test_class_is_the_rules_fix_safety(line_no, row):
    rules = catalog.load().rules
    outcomes = row["Rule"].split(" / ")
    classes = row["Class"].split(" / ")
    if row["Rule"] == "—":
        assert row["Class"] in ("safe", ""), f"line {line_no}: a row without a rule is carried over unchanged"
        return
    assert len(outcomes) == len(classes), f"line {line_no}: one class per outcome"
    for outcome, safety in zip(outcomes, classes, strict=True):
        codes = CODE.findall(outcome)
        assert codes, f"line {line_no}: no rule code in {outcome!r}"
        for code in codes:
            assert code in rules, f"line {line_no}: {code} is not in rules/rules.toml"
            assert rules[code].safety == safety, f"line {line_no}: {code} is {rules[code].safety}, not {safety}"


def test_sdk_paths_exist():
    openai = pytest.importorskip("openai")
    package = Path(openai.__file__).parent
    named = set(re.findall(r"`((?:types|lib|resources)/[\w/]+(?:\.py|/))`", TEXT))
    assert named, "the doc names no SDK source"
    missing = sorted(p for p in named if not (package / p).exists())
    assert missing == [], f"not in openai {openai.__version__}: {missing}"
