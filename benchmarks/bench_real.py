"""Time `migrate apply --check` on a real tree (any folder of Python code you point it at).

    python benchmarks/bench_real.py PATH [--repeat 3]

Prints, each the median of --repeat runs:

* `libcst.parse_module` of every file that contains the tool's needle (`completions`), in this
  process: the bare parse cost of the files the engine may have to look at;
* the whole `migrate apply --check -j 1` and `-j 2` runs (subprocesses), with their ratio to
  the parse figure and the 1-to-2-process speed-up;
* `ruff check --isolated --no-cache --select F401` over the same tree when ruff is on PATH, as
  a yardstick for the negative path.

A script, not a test: it prints numbers and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

NEEDLE = b"completions"
CHECK = [sys.executable, "-m", "migrate", "apply", "--check", "--format", "json", "-o", "/dev/null"]


def median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def process(argv: list[str]):
    def run() -> None:
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode not in (0, 1, 2):
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import libcst

    files = sorted(args.path.rglob("*.py"))
    needle = [p for p in files if NEEDLE in p.read_bytes()]

    def parse_all() -> None:
        for path in needle:  # a file LibCST can't parse costs what it cost
            with contextlib.suppress(Exception):
                libcst.parse_module(path.read_bytes())

    rows: list[tuple[str, float]] = [
        (f"libcst.parse_module of the {len(needle)} needle files", median(parse_all, args.repeat))
    ]
    for jobs in (1, 2):
        rows.append(
            (
                f"migrate apply --check -j {jobs}",
                median(process([*CHECK, "-j", str(jobs), str(args.path)]), args.repeat),
            )
        )
    if shutil.which("ruff"):
        ruff = ["ruff", "check", "--isolated", "--no-cache", "--select", "F401", "--exit-zero", "-q", str(args.path)]
        rows.append(("ruff check --select F401", median(process(ruff), args.repeat)))
    print(f"{args.path}: {len(files)} Python files, {len(needle)} contain {NEEDLE.decode()!r}")
    base = rows[0][1]
    for name, seconds in rows:
        print(f"  {name:<55} {seconds:8.2f} s  {seconds / base:5.2f}x parse")
    print(f"  speed-up from 1 to 2 processes: {rows[1][1] / rows[2][1]:.2f}x")


if __name__ == "__main__":
    main()
