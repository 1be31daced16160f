"""Generate the rules table of README.md from rules/rules.toml.

    python scripts/gen_rules_table.py           print the table
    python scripts/gen_rules_table.py --write   rewrite it in README.md, between the markers
    python scripts/gen_rules_table.py --check   exit 1 if README.md is out of date

The table sits between `<!-- rules:start -->` and `<!-- rules:end -->`; tests/test_readme_rules.py
fails when it differs from what this script generates.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "rules.toml"
README = ROOT / "README.md"
START = "<!-- rules:start -->"
END = "<!-- rules:end -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_table(rules_path: Path = RULES) -> str:
    """The markdown table: one row per rule, in catalog order."""
    rules = tomllib.loads(rules_path.read_text(encoding="utf-8"))["rule"]
    lines = [
        "| Code | Name | Fix safety | What it catches |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        safety = rule["safety"] + (" (info)" if rule.get("level") == "info" else "")
        lines.append(f"| `{rule['code']}` | `{rule['name']}` | {safety} | {_cell(rule['summary'])} |")
    return "\n".join(lines) + "\n"


def replace_block(readme: str, table: str) -> str:
    """`readme` with the text between the markers replaced by `table`."""
    try:
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise SystemExit(f"README.md must contain {START} and then {END}") from None
    return f"{head}{START}\n{table}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the table in README.md in place")
    mode.add_argument("--check", action="store_true", help="exit 1 if README.md's table is out of date")
    args = parser.parse_args(argv)
    table = render_table()
    if not (args.write or args.check):
        sys.stdout.write(table)
        return 0
    current = README.read_text(encoding="utf-8")
    wanted = replace_block(current, table)
    if args.check:
        if wanted != current:
            print(
                "README.md rules table is out of date: run python scripts/gen_rules_table.py --write", file=sys.stderr
            )
            return 1
        return 0
    if wanted != current:
        README.write_text(wanted, encoding="utf-8")
        print("README.md: rules table updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
