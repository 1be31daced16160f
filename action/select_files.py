"""The files a pull-request review runs `migrate` on (used by action.yml).

`migrate` must read the whole project to follow a result into the modules that use it (a
helper's callers elsewhere migrate with it, or the helper is reported). So the action first
runs `migrate apply --check --format json .` over the whole project, then reviews the files
the pull request changed *together with every file that migrates in one unit with them*: a
call of another module's function that returns a migrated result (a JSON call with `via`)
ties the caller's file to the module defining that function. The review run on this
selection then gives every changed file the outcome the whole project gives it, and its
patch never holds half of a unit.

    python action/select_files.py REPORT.json CHANGED_FILE...   # prints the selection, NUL-separated
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable

from migrate.analysis.groups import connected  # installed with the action


def _module_of(path: str) -> str:
    stem = os.path.normpath(path)
    for suffix in (".py", ".ipynb"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    if stem.endswith(os.sep + "__init__"):
        stem = stem[: -len("__init__") - 1]
    return stem.replace(os.sep, ".")


def _defining_file(qualified: str, paths: Iterable[str]) -> str | None:
    """The file of the run that defines `qualified` (`pkg.helpers.ask`): its module's name is a
    dotted suffix of the file's path (the run may start above the package's root)."""
    module = qualified.rpartition(".")[0]
    for path in paths:
        name = _module_of(path)
        if name == module or name.endswith("." + module):
            return path
    return None


def select(report: dict, changed: Iterable[str]) -> list[str]:
    """`changed`, plus the files that migrate in one unit with one of them, in the report's order."""
    paths = [os.path.normpath(f["path"]) for f in report["files"]]
    known = set(paths)
    pairs = []
    for call in report["calls"]:
        if call.get("via"):
            caller = os.path.normpath(call["path"])
            callee = _defining_file(call["via"], paths)
            if caller in known and callee is not None:
                pairs.append((caller, callee))
    group_of = {path: number for number, group in enumerate(connected(paths, pairs)) for path in group}
    wanted = {os.path.normpath(p) for p in changed}
    groups = {group_of[p] for p in wanted if p in group_of}
    extra = [p for p in paths if p not in wanted and group_of[p] in groups]
    return [os.path.normpath(p) for p in changed] + extra


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: select_files.py REPORT.json CHANGED_FILE...", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        report = json.load(handle)
    sys.stdout.write("".join(f"{path}\0" for path in select(report, argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
