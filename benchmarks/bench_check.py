"""Time `migrate apply --check` over a generated tree, next to a few baselines.

    python benchmarks/bench_check.py [--files 2000] [--calls 20] [--dir PATH] [--repeat 3] [--rss-only | --engine-only]

The tree comes from make_tree.py (deterministic), written to a temporary directory unless
--dir is given. Whole-process timings run `<this python> -m migrate ...` in a subprocess;
`ruff check --isolated --no-cache --select F401` is timed too when ruff is on PATH. In-process
baselines run over the same files: read every file and test for the tool's needle, `ast.parse`
every file, `libcst.parse_module` of the call-site files only, and the engine itself
(`migrate.engine.pipeline.migrate_source`) on the files that contain its needle: alone, and given the
`ast` gate's scan as a run's workers are. Each figure is the median of --repeat runs; the ratio
column is each figure divided by the first row. --engine-only times just the engine rows.

A script, not a test: it prints numbers and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tree import Tree, make_tree

NEEDLE = b"completions"  # what migrate's cheap text test looks for (migrate/engine/pipeline.py)
CHECK = [sys.executable, "-m", "migrate", "apply", "--check"]


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_process(argv: list[str], ok: tuple[int, ...]) -> Callable[[], None]:
    def run() -> None:
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if proc.returncode not in ok:
            tail = proc.stderr.decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{tail}")

    return run


def read_and_test(files: list[Path]) -> int:
    return sum(NEEDLE in path.read_bytes() for path in files)


def ast_parse_all(files: list[Path]) -> None:
    for path in files:
        ast.parse(path.read_bytes(), filename=str(path))


def libcst_parse(files: list[Path]) -> None:
    import libcst

    for path in files:
        libcst.parse_module(path.read_bytes())


def migrate_in_process(blobs: list[tuple[str, bytes]], scans: list | None = None) -> None:
    """The engine on each file; with `scans`, given the `ast` gate's findings, as a run's workers
    are (the parent parsed the file with `ast` to decide it needs the engine)."""
    from migrate.catalog.settings import Settings
    from migrate.engine.pipeline import migrate_source

    settings = Settings()
    for i, (path, data) in enumerate(blobs):
        migrate_source(path, data, settings, scan=scans[i] if scans else None)


def gate_scans(blobs: list[tuple[str, bytes]]) -> list:
    from migrate.catalog import loader as catalog
    from migrate.engine.gate import scan_source

    methods = catalog.load().methods
    return [scan_source(data, methods) for _, data in blobs]


def engine_rows(tree: Tree, repeat: int) -> list[tuple[str, float]]:
    """libcst.parse_module of the call-site files against the engine on the files it would see."""
    import libcst  # noqa: F401  (import cost kept out of the timing)

    cst_files = tree.call_site_files
    rows = [
        (
            f"in-process: libcst.parse_module ({len(cst_files)} call-site files)",
            median_time(lambda: libcst_parse(cst_files), repeat),
        )
    ]
    # Where the tool's own time goes: the engine on just the files its text test lets through.
    blobs = [(str(p), data) for p in tree.files if NEEDLE in (data := p.read_bytes())]
    migrate_in_process(blobs[:1])  # load the catalog and LibCST once, outside the timing
    rows.append(
        (
            f"in-process: migrate_source ({len(blobs)} files containing the needle)",
            median_time(lambda: migrate_in_process(blobs), repeat),
        )
    )
    scans = gate_scans(blobs)
    rows.append(
        (
            "in-process: the same, given the ast gate's scan (as in workers)",
            median_time(lambda: migrate_in_process(blobs, scans), repeat),
        )
    )
    return rows


def print_ratios(rows: list[tuple[str, float]]) -> None:
    cst_row = next(v for k, v in rows if k.startswith("in-process: libcst.parse_module"))
    engine_row = next(v for k, v in rows if k.startswith("in-process: migrate_source"))
    scanned_row = next(v for k, v in rows if k.startswith("in-process: the same, given"))
    if any(k.startswith("in-process: libcst.parse_module (0 ") for k, _ in rows):
        return  # no call-site files
    print(f"engine on the needle files / libcst.parse_module of the call-site files: {engine_row / cst_row:.2f}x")
    print(f"  the same, the ast gate's scan given (as in a run's workers): {scanned_row / cst_row:.2f}x")


def check_summary(tree_root: Path) -> str:
    """The last lines of migrate's own report, to show what the timed run did."""
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "apply", "--check", str(tree_root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    lines = [line for line in proc.stderr.decode(errors="replace").splitlines() if "scanned" in line]
    return (lines[-1] if lines else "(no summary line)") + f" [exit {proc.returncode}]"


def peak_rss_mb(argv: list[str]) -> float:
    """Peak resident memory of `argv` and its worker processes, in MB (Linux: ru_maxrss in KB)."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def bench(tree: Tree, repeat: int) -> list[tuple[str, float]]:
    root = str(tree.root)
    files = tree.files
    rows: list[tuple[str, float]] = []
    rows.append(("migrate apply --check TREE", median_time(run_process([*CHECK, root], (0, 1)), repeat)))
    for jobs in (1, 2):
        rows.append(
            (
                f"migrate apply --check -j {jobs} TREE",
                median_time(run_process([*CHECK, "-j", str(jobs), root], (0, 1)), repeat),
            )
        )
    rows.append(
        ("migrate --version", median_time(run_process([sys.executable, "-m", "migrate", "--version"], (0,)), repeat))
    )
    rows.append(
        ("python -c pass (interpreter start)", median_time(run_process([sys.executable, "-c", "pass"], (0,)), repeat))
    )
    ruff = shutil.which("ruff")
    if ruff:
        argv = [ruff, "check", "--isolated", "--no-cache", "--select", "F401", root]
        rows.append(("ruff check --select F401 TREE", median_time(run_process(argv, (0, 1)), repeat)))
    rows.append(
        (
            f"in-process: read + test {NEEDLE.decode()!r} ({len(files)} files)",
            median_time(lambda: read_and_test(files), repeat),
        )
    )
    rows.append((f"in-process: ast.parse ({len(files)} files)", median_time(lambda: ast_parse_all(files), repeat)))
    rows.extend(engine_rows(tree, repeat))
    return rows


def print_table(rows: list[tuple[str, float]]) -> None:
    base = rows[0][1]
    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}}  {'seconds':>8}  {'ratio':>7}")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 7}")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:>8.3f}  {seconds / base:>7.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="number of Python files (default 2000)")
    parser.add_argument("--calls", type=int, default=20, help="files holding call sites (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, help="write the tree here (kept) instead of a temporary directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    parser.add_argument(
        "--rss-only", action="store_true", help="only the whole run's time and peak memory (large trees)"
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="only the per-file engine against libcst.parse_module"
    )
    args = parser.parse_args(argv)

    tmp = None
    if args.dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="migrate-bench-")
        root = Path(tmp.name) / "tree"
    else:
        root = args.dir
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} is not empty; give an empty or new directory")
    try:
        tree = make_tree(root, files=args.files, calls=args.calls, seed=args.seed)
        read_and_test(tree.files)  # warm the page cache for every timing alike
        print(
            f"tree: {len(tree.files)} files, {tree.lines} lines, {len(tree.call_site_files)} files with "
            f"{tree.call_sites} call sites, {tree.needle_files} other files containing {NEEDLE.decode()!r}"
        )
        print(f"python: {sys.version.split()[0]} ({sys.executable}); cpus: {os.cpu_count()}; median of {args.repeat}")
        if args.rss_only:
            seconds = median_time(run_process([*CHECK, str(tree.root)], (0, 1)), 1)
            print(
                f"migrate apply --check TREE: {seconds:.2f} s, peak RSS {peak_rss_mb([*CHECK, str(tree.root)]):.0f} MB"
            )
            return
        if args.engine_only:
            rows = engine_rows(tree, args.repeat)
            print_table(rows)
            print_ratios(rows)
            return
        print(f"migrate: {check_summary(tree.root)}")
        print()
        rows = bench(tree, args.repeat)
        print_table(rows)
        times = dict(rows)
        one, two = times["migrate apply --check -j 1 TREE"], times["migrate apply --check -j 2 TREE"]
        print(f"\nspeed-up from 1 to 2 processes: {one / two:.2f}x")
        print_ratios(rows)
        print(
            f"peak RSS of migrate apply --check TREE (with its workers): {peak_rss_mb([*CHECK, str(tree.root)]):.0f} MB"
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
