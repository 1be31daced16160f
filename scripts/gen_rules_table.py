"""Generate README.md's tables from the data in rules/.

    python scripts/gen_rules_table.py           print the tables
    python scripts/gen_rules_table.py --write   rewrite them in README.md, between their markers
    python scripts/gen_rules_table.py --check   exit 1 if README.md is out of date

Four tables, each between `<!-- NAME:start -->` and `<!-- NAME:end -->`:

  request  what becomes of each method and keyword argument (methods.toml, parameters.toml,
           clients.toml `tool_helper`)
  results  each read of a chat result and each annotation (results.toml, annotations.toml)
  streams  each read of a chat stream and of the `.stream()` helper (results.toml)
  rules    the rule catalog (rules.toml)

The mapping tables take their wording from the `doc` fields of the entries (see the comments
at the top of each file) and everything else from the data itself. tests/test_readme_rules.py
fails when README.md differs from what this script generates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "rules"
RULES = DATA / "rules.toml"
README = ROOT / "README.md"
START = "<!-- rules:start -->"
END = "<!-- rules:end -->"
# The mapping tables, in README order; each is generated from `DATA`.
MAPPING_TABLES = ("request", "results", "streams")
# Where each table of reads starts: the kinds of value a recognised call returns.
READ_ROOTS = {"results": ("completion", "raw"), "streams": ("stream", "stream_manager")}
DOC_KEYS = frozenset({"chat", "responses", "note", "rule"})
KIND_DOC_KEYS = frozenset({"var", "label"})
# The code request.py records for every argument dropped because its value is a no-op default.
DROPPED = "RSP114"
USES_WORDS = (("iterate", "loops"), ("truth", "truth tests"), ("len", "`len()`"), ("none_check", "`is None`"))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _load(name: str, data: Path = DATA) -> dict[str, Any]:
    return tomllib.loads((data / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- rules


def render_table(rules_path: Path = RULES) -> str:
    """The rules table: one row per rule, in catalog order."""
    rules = tomllib.loads(rules_path.read_text(encoding="utf-8"))["rule"]
    lines = [
        "| Code | Name | Fix safety | What it catches |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        safety = rule["safety"] + (" (info)" if rule.get("level") == "info" else "")
        lines.append(f"| `{rule['code']}` | `{rule['name']}` | {safety} | {_cell(rule['summary'])} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- mapping rows


class DocError(ValueError):
    """A `doc` field that can't be rendered (unknown key, missing text, unknown rule code)."""


class _Table:
    def __init__(self, header: tuple[str, str], codes: Iterable[str]) -> None:
        self.header = header
        self.codes = frozenset(codes)
        self.rows: list[tuple[str, str, str]] = []

    def add(self, chat: str, responses: str, rule: str | list[str] | None, where: str) -> None:
        codes = [rule] if isinstance(rule, str) else list(rule or [])
        codes = [c for c in codes if c]
        unknown = [c for c in codes if c not in self.codes]
        if unknown:
            raise DocError(f"{where}: rule {unknown[0]} is not in rules.toml")
        self.rows.append((chat, responses, ", ".join(codes)))

    def render(self) -> str:
        lines = [f"| {self.header[0]} | {self.header[1]} | Rule |", "|---|---|---|"]
        lines += [f"| {_cell(c)} | {_cell(r)} | {rule} |" for c, r, rule in self.rows]
        return "\n".join(lines) + "\n"


def _doc_rows(entry: dict[str, Any], where: str) -> list[dict[str, Any]]:
    doc = entry.get("doc", [])
    rows = [doc] if isinstance(doc, dict) else list(doc)
    for row in rows:
        if not isinstance(row, dict) or set(row) - DOC_KEYS:
            raise DocError(f"{where}: a doc row takes only {sorted(DOC_KEYS)}, got {row!r}")
    return rows


def _one_doc(entry: dict[str, Any], where: str) -> dict[str, Any]:
    rows = _doc_rows(entry, where)
    if len(rows) > 1:
        raise DocError(f"{where}: `doc` is one row here")
    return rows[0] if rows else {}


def _with_note(text: str, note: str | None) -> str:
    return f"{text} {note}" if note else text


def _code_list(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _codes(data: Path) -> set[str]:
    return {rule["code"] for rule in _load("rules.toml", data)["rule"]}


def render_request(data: Path = DATA) -> str:
    """Methods, then keyword arguments in parameters.toml order, then the grouped rows."""
    table = _Table(("Chat Completions", "Responses"), _codes(data))
    for key, entry in _load("methods.toml", data).items():
        where = f"methods.toml [{key}]"
        doc = _one_doc(entry, where)
        chat = doc.get("chat", f"`chat.completions.{key}(...)`")
        if "to" in entry:
            responses = doc.get("responses", f"`{entry['to']}(...)`")
            rule = doc.get("rule", "")
        else:
            responses = doc.get("responses", "none: the call is reported")
            rule = doc.get("rule", entry.get("rule"))
        table.add(chat, _with_note(responses, doc.get("note")), rule, where)

    unchanged: list[str] = []
    dropped: list[str] = []
    reported: dict[str, list[str]] = {}
    for name, entry in _load("parameters.toml", data).items():
        where = f"parameters.toml [{name}]"
        action = entry["action"]
        rows = _doc_rows(entry, where)
        if action == "keep":
            unchanged.append(name)
        if action in ("unsupported", "drop-default") and entry.get("defaults"):
            dropped.append(f"`{name}=" + "` / `".join(entry["defaults"]) + "`")
        if not rows:
            if action == "rename":
                rows = [{}]
            elif action in ("unsupported", "drop-default"):
                reported.setdefault(entry["rule"], []).append(name)
            elif action == "transform":
                raise DocError(f"{where}: a transform needs `doc` rows for README's request table")
        for row in rows:
            chat = row.get("chat", f"`{name}=`")
            if "responses" in row:
                responses = row["responses"]
            elif action == "rename":
                responses = f"`{entry['to']}=`"
            else:
                raise DocError(f"{where}: a doc row needs `responses`")
            rule = row.get("rule", entry.get("fix") or entry.get("rule"))
            table.add(chat, _with_note(responses, row.get("note")), rule, where)

    helper = _load("clients.toml", data)["tool_helper"]
    doc = _one_doc(helper, "clients.toml [tool_helper]")
    module = helper["chat"][0].rpartition(".")[0]
    table.add(
        doc.get("chat", f"`{helper['chat'][0]}(M)`"),
        _with_note(doc.get("responses", f"`{module}.{helper['responses']}(M)`"), doc.get("note")),
        doc.get("rule"),
        "clients.toml [tool_helper]",
    )
    if dropped:
        table.add(", ".join(dropped) + " (the no-op values)", "dropped", DROPPED, "parameters.toml defaults")
    for rule, names in reported.items():
        table.add(f"{_code_list(names)}, with any other value", "none: the call is reported", rule, "parameters.toml")
    table.add(_code_list(unchanged), "unchanged", None, "parameters.toml keep")
    return table.render()


def _join(base: str, step: str) -> str:
    if not step:
        return base
    return base + step if step.startswith("[") else f"{base}.{step}"


def _uses_note(uses: dict[str, Any]) -> str | None:
    words = [word for key, word in USES_WORDS if uses.get(key)]
    if not words:
        return None
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"; {listed} keep working"


class _Reads:
    """Rows for the reads of values, walking results.toml from a table's root kinds.

    A kind with `_doc.var` is a group of its own, its reads written on that variable; other
    kinds are read through the path that leads to them. A kind already shown (in this table or
    an earlier one) is not walked again: the read that leads to it says where it is.
    """

    def __init__(self, data: Path) -> None:
        self.kinds = {k: v for k, v in _load("results.toml", data).items() if not k.startswith("_")}
        self.codes = _codes(data)
        self.shown: dict[str, str] = {}  # kind -> the chat path it was first shown at
        for kind, table in self.kinds.items():
            extra = set(table.get("_doc", {})) - KIND_DOC_KEYS
            if extra:
                raise DocError(f"results.toml [{kind}] `_doc` takes only {sorted(KIND_DOC_KEYS)}")

    def var(self, kind: str) -> str | None:
        return self.kinds[kind].get("_doc", {}).get("var")

    def table(self, roots: Iterable[str], header: tuple[str, str]) -> _Table:
        out = _Table(header, self.codes)
        unchanged: dict[tuple[str, str], list[str]] = {}  # (label, variable) of a group -> reads kept as they are
        queue = [(kind, None) for kind in roots]
        while queue:
            kind, inherited = queue.pop(0)
            if kind in self.shown:
                continue
            var = self.var(kind) or kind
            label = self.kinds[kind].get("_doc", {}).get("label", "")
            found: list[tuple[str, str | None]] = []  # the groups this one leads to come next
            self.walk(kind, var, var, inherited, label, out, unchanged.setdefault((label, var), []), found)
            queue[0:0] = found
        for (label, _), reads in unchanged.items():
            if reads:
                out.add(f"{label} {_code_list(reads)}".strip(), "unchanged", None, "results.toml")
        return out

    def walk(
        self,
        kind: str,
        chat: str,
        resp: str,
        inherited: str | None,
        label: str,
        out: _Table,
        unchanged: list[str],
        found: list[tuple[str, str | None]],
    ) -> None:
        """Rows for the reads of `kind`, read at `chat` (the chat side) and `resp` (Responses)."""
        self.shown[kind] = chat
        table = self.kinds[kind]

        def add(c: str, r: str, rule: str | None, where: str) -> None:
            out.add(f"{label} {c}".strip(), r, rule, where)

        for key, entry in table.items():
            if key.startswith("_"):
                continue
            where = f"results.toml [{kind}] {key!r}"
            doc = _one_doc(entry, where)
            if set(doc) - {"responses", "note", "rule"}:
                raise DocError(f"{where}: a read's doc takes `responses`, `note` and `rule`")
            c = _join(chat, key)
            rule = doc.get("rule", entry.get("fix") or inherited)
            if "compare" in entry:
                for literal, template in entry["compare"].items():
                    add(f'`{c} == "{literal}"`', f"`{template.replace('{base}', resp)}`", rule, where)
                continue
            if "to" in entry:
                r = _join(resp, entry["to"])
                shown_r = f"`{r}`"
            else:
                r = entry["template"].replace("{base}", resp)
                shown_r = f"`{r}`"
            computed = "to" not in entry
            if "responses" in doc:
                shown_r = doc["responses"].replace("{base}", resp)
            shown_r = _with_note(shown_r, doc.get("note"))
            sub = entry.get("kind")
            if sub is None:
                if shown_r == f"`{c}`":
                    unchanged.append(c)
                else:
                    add(f"`{c}`", shown_r, rule, where)
                continue
            uses = self.kinds[sub].get("_uses", {})
            if sub in self.shown:
                add(f"`{c}`, read as `{self.shown[sub]}`", f"{shown_r}, read as `{self.shown[sub]}`", rule, where)
            elif self.var(sub):
                if computed or doc or entry.get("fix"):
                    add(f"`{c}`", shown_r + (_uses_note(uses) or ""), rule, where)
                found.append((sub, rule))
            else:
                if computed or doc:
                    add(f"`{c}`", shown_r + (_uses_note(uses) or ""), rule, where)
                self.walk(sub, c, r, rule, label, out, unchanged, found)
        uses = table.get("_uses", {})
        if uses.get("input_items"):
            add(
                f"`history.append({chat})` (a followed message list)",
                f"`history.extend({_join(resp, uses['input_items'])})`",
                inherited,
                f"results.toml [{kind}] _uses",
            )
        for use in ("iterate", "enter"):
            sub = uses.get(use)
            if sub and sub not in self.shown:
                found.append((sub, inherited))


def _annotation_rows(table: _Table, data: Path) -> None:
    raw = _load("annotations.toml", data)
    doc = raw.get("_doc", {})
    generic = set(raw.get("_forms", {}).get("generic", ()))
    by_target: dict[str, list[str]] = {}
    for kind, types in raw.items():
        if kind.startswith("_"):
            continue
        for chat, responses in types.items():
            short = chat.rpartition(".")[2] + ("[T]" if responses in generic else "")
            names = by_target.setdefault(responses, [])
            if short not in names:
                names.append(short)
    for responses, names in by_target.items():
        short = responses.rpartition(".")[2] + ("[T]" if responses in generic else "")
        table.add(
            f"an annotation {' / '.join(f'`{n}`' for n in names)}",
            f"`{short}`, imported from `{responses.rpartition('.')[0]}`",
            doc.get("rule"),
            "annotations.toml",
        )


def render_results(data: Path = DATA) -> str:
    reads = _Reads(data)
    table = reads.table(READ_ROOTS["results"], ("Read on the chat result", "Read on the Responses result"))
    _annotation_rows(table, data)
    return table.render()


def render_streams(data: Path = DATA) -> str:
    reads = _Reads(data)
    reads.table(READ_ROOTS["results"], ("", ""))  # shown in the results table, referred to here
    table = reads.table(READ_ROOTS["streams"], ("Read in a chat stream", "Read in a Responses stream"))
    return table.render()


RENDERERS = {"request": render_request, "results": render_results, "streams": render_streams}


def tables(data: Path = DATA) -> dict[str, str]:
    """Every generated table by marker name, in README order."""
    out = {name: RENDERERS[name](data) for name in MAPPING_TABLES}
    out["rules"] = render_table(data / "rules.toml")
    return out


# ---------------------------------------------------------------------------- README


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_block(readme: str, table: str, name: str = "rules") -> str:
    """`readme` with the text between the markers of `name` replaced by `table`."""
    start, end = markers(name)
    try:
        head, rest = readme.split(start, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise SystemExit(f"README.md must contain {start} and then {end}") from None
    return f"{head}{start}\n{table}{end}{tail}"


def render_readme(readme: str, data: Path = DATA) -> str:
    """`readme` with every generated table replaced by what the data gives."""
    for name, table in tables(data).items():
        readme = replace_block(readme, table, name)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the tables in README.md in place")
    mode.add_argument("--check", action="store_true", help="exit 1 if README.md's tables are out of date")
    args = parser.parse_args(argv)
    if not (args.write or args.check):
        for name, table in tables().items():
            start, end = markers(name)
            sys.stdout.write(f"{start}\n{table}{end}\n\n")
        return 0
    current = README.read_text(encoding="utf-8")
    wanted = render_readme(current)
    if args.check:
        if wanted != current:
            stale = [n for n, t in tables().items() if replace_block(current, t, n) != current]
            print(
                f"README.md tables out of date ({', '.join(stale)}): run python scripts/gen_rules_table.py --write",
                file=sys.stderr,
            )
            return 1
        return 0
    if wanted != current:
        README.write_text(wanted, encoding="utf-8")
        print("README.md: tables updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
