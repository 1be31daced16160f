"""Fixture discovery and `# expect:` markers.

fixtures/<area>/<case>.before.py + <case>.after.py  a rewrite
fixtures/<area>/<case>.noop.py                      a file the tool must leave byte-identical
fixtures/<area>/<case>_unsafe.*                     the same, run with --unsafe
fixtures/projects/<case>/before/, after/            a tree migrated in one run (results that
                                                    cross modules); no after/: left as it is;
                                                    run.txt: the paths the run is given, one a
                                                    line (the rest of the tree is only read)

On the line where a recognised call starts, a marker states what becomes of it:
    # expect: migrated RSP102 RSP113     the fixes applied (every code other than RSP100)
    # expect: reported RSP201 RSP301     why it was left untouched (every code)
    # expect: skipped RSP001             a call that is not OpenAI's
Every recognised call must have a marker and every marker a call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PROJECTS = "projects"
MARKER = re.compile(r"#\s*expect:\s*(migrated|reported|skipped)((?:\s+RSP\d{3})*)")


@dataclass(frozen=True)
class Case:
    id: str
    before: Path
    after: Path | None  # None: a noop case

    def expected_source(self) -> bytes:
        return (self.after or self.before).read_bytes()


def cases() -> list[Case]:
    found = []
    for path in sorted(FIXTURES.rglob("*.py")):
        rel = path.relative_to(FIXTURES).as_posix()
        if rel.startswith(f"{PROJECTS}/"):
            continue
        if rel.endswith(".before.py"):
            after = path.with_name(path.name.replace(".before.py", ".after.py"))
            assert after.exists(), f"{rel} has no .after.py"
            found.append(Case(rel[: -len(".before.py")], path, after))
        elif rel.endswith(".noop.py"):
            found.append(Case(rel[: -len(".noop.py")], path, None))
        elif not rel.endswith(".after.py"):
            raise AssertionError(f"fixture {rel} is neither .before.py/.after.py nor .noop.py")
    return found


def markers(source: str) -> dict[int, tuple[str, frozenset[str]]]:
    out = {}
    for number, line in enumerate(source.splitlines(), start=1):
        m = MARKER.search(line)
        if m:
            out[number] = (m.group(1), frozenset(m.group(2).split()))
    return out


@dataclass(frozen=True)
class ProjectCase:
    id: str
    before: Path
    after: Path | None  # None: every file is left as it is
    run: tuple[str, ...] = ()  # the paths the run is given, relative to the tree; (): the tree

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.before).as_posix() for p in self.before.rglob("*.py"))


def project_cases() -> list[ProjectCase]:
    found = []
    for case in sorted((FIXTURES / PROJECTS).iterdir()):
        after = case / "after"
        listed = case / "run.txt"
        run = tuple(listed.read_text().split()) if listed.exists() else ()
        found.append(ProjectCase(case.name, case / "before", after if after.exists() else None, run))
    return found
