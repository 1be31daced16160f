"""Does a migration keep a tree's formatting? Measured on a copy of any folder of Python code.

    python benchmarks/bench_format.py PATH [--keep DIR]

Copies PATH to a temporary folder (PATH itself is never written), runs `migrate apply` on the
copy, and for every file the run changed reports:

* whether `ruff format --check` accepted it before the migration, and whether it still does
  after, at that file's line length (migrate.catalog.linelength: the nearest ruff/black
  configuration, else 88; ruff runs `--isolated` so only the line length comes from the tree);
* the lines with trailing whitespace (ruff W291/W293: spaces or tabs before the line break,
  whitespace-only lines included) it has before and after.

With --format-first, every file that mentions `completions` is formatted with ruff (at its
line length) in the copy before the migration: the property on real code laid out as ruff lays
it out, for trees that aren't formatted themselves.

Prints the totals and each changed file that was clean before but is not after (with ruff's
diff when --verbose). A script, not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from migrate.catalog.linelength import line_length

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
IGNORE = shutil.ignore_patterns(".git", "node_modules", "__pycache__", ".venv", "venv", ".tox")


def ruff_clean(path: Path, length: int, *, show: bool = False) -> bool:
    command = [RUFF, "format", "--isolated", "--no-cache", "--line-length", str(length), "--check"]
    if show:
        command.append("--diff")
    done = subprocess.run([*command, str(path)], capture_output=True, text=True)
    if show and done.returncode:
        print(done.stdout[-3000:])
    return done.returncode == 0


def trailing_whitespace(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line != line.rstrip(b" \t\f"))


def python_files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*.py")) if p.is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--keep", type=Path, help="copy into this folder (kept) instead of a temporary one")
    parser.add_argument("--format-first", action="store_true", help="ruff-format the copy before migrating it")
    parser.add_argument("--verbose", action="store_true", help="show ruff's diff for each file it now rejects")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copy = args.keep or Path(scratch) / "tree"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(args.path, copy, ignore=IGNORE, symlinks=True)
        if args.format_first:
            for path in sorted(copy.rglob("*.py")):
                if path.is_file() and b"completions" in path.read_bytes():
                    length = str(line_length(path))
                    command = [RUFF, "format", "--isolated", "--no-cache", "-q", "--line-length", length, str(path)]
                    subprocess.run(command, capture_output=True)
        before = python_files(copy)
        run = subprocess.run(
            [sys.executable, "-m", "migrate", "apply", str(copy), "-j", "1", "-q", "--format", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        after = python_files(copy)
        changed = sorted(p for p in before if after.get(p) != before[p])
        clean_before = clean_after = added = files_with_added = 0
        lost = []
        for rel in changed:
            path = copy / rel
            length = line_length(path)
            tmp = path.with_name(path.name + ".before.py")
            tmp.write_bytes(before[rel])
            was_clean = ruff_clean(tmp, length)
            tmp.unlink()
            if was_clean:
                clean_before += 1
                if ruff_clean(path, length, show=args.verbose):
                    clean_after += 1
                else:
                    lost.append(rel)
            more = trailing_whitespace(after[rel]) - trailing_whitespace(before[rel])
            if more > 0:
                added += more
                files_with_added += 1
        print(f"tree: {args.path} (migrate exit {run.returncode})")
        print(f"changed files: {len(changed)}")
        print(f"ruff-format-clean before: {clean_before}; still clean after: {clean_after}")
        print(f"trailing-whitespace lines added (W291/W293): {added} in {files_with_added} files")
        for rel in lost:
            print(f"  no longer clean: {rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
