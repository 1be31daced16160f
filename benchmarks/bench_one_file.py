"""Time a run over one file of a large project (#14 item 6: the rest of the project is read for
importers of what the run would change, on the cheap path).

    python benchmarks/bench_one_file.py [--files 2000] [--calls 20] [--dir PATH] [--repeat 5]

The tree comes from make_tree.py (deterministic), with a `[tool.migrate]` pyproject.toml at its
root, written to a temporary directory unless --dir is given. The file run over is the first one
holding a helper that returns its call's result, so the run has to read every other file of the
project; a second case adds a module elsewhere that imports that helper (the call is then
refused, RSP309). Timed: the whole process (`<this python> -m migrate apply --check FILE`), and
`migrate.run.tree.run` in this process. Each figure is the median of --repeat runs.

A script, not a test: it prints numbers and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tree import make_tree


def _median(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _helper(files: list[Path]) -> tuple[Path, str]:
    for path in files:
        for line in path.read_text().splitlines():
            if line.startswith("def returned_call"):
                return path, line[len("def ") : line.index("(")]
    raise SystemExit("no helper returning a result in the tree: raise --calls")


def bench(root: Path, repeat: int) -> None:
    from migrate.catalog.settings import Settings
    from migrate.run.tree import run

    files = sorted(root.rglob("*.py"))
    helper, name = _helper(files)
    print(f"{len(files)} files in {root}; the run is given {helper.relative_to(root)} ({name}() returns the result)")
    importer = root / "zz_views" / "views.py"
    for case in ("no importer outside the run", "an importer outside the run"):
        if case.startswith("an"):
            importer.parent.mkdir(exist_ok=True)
            importer.write_text(f"from {helper.stem} import {name}\n\nprint({name}('hi').choices[0].message.content)\n")

        def process() -> None:
            subprocess.run(
                [sys.executable, "-m", "migrate", "apply", "--check", str(helper)],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )

        def in_process() -> None:
            list(run([str(helper)], Settings(), write=False))

        codes = {f.code for r in run([str(helper)], Settings(), write=False) for c in r.calls for f in c.findings}
        print(f"  {case}: RSP309 {'reported' if 'RSP309' in codes else 'not reported'}")
        print(f"    whole process  {_median(repeat, process):.3f} s")
        print(f"    in process     {_median(repeat, in_process):.3f} s")
    importer.unlink()
    importer.parent.rmdir()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--dir", type=Path, help="write the tree here (default: a temporary directory)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.dir or Path(tmp) / "tree"
        if not (root / "pyproject.toml").exists():
            make_tree(root, files=args.files, calls=args.calls)
            (root / "pyproject.toml").write_text("[tool.migrate]\n")
        bench(root, args.repeat)


if __name__ == "__main__":
    main()
