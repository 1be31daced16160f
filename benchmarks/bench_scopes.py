"""Time the scope analysis: ours (migrate/analysis/scopes.py) against LibCST's ScopeProvider.

    python benchmarks/bench_scopes.py [--stdlib 100] [--tree 0] [--repeat 5]

Over the fixtures and examples, --stdlib standard-library modules (the first N, by path) and
--tree files made by make_tree.py, all parsed once up front, it times: `libcst.parse_module`;
LibCST's ScopeProvider (`MetadataWrapper(module, unsafe_skip_copy=True)`), which the engine
used before it had its own; `resolve_scopes`; and the finder's walk (the visitor of
migrate/analysis/call_sites.py) through migrate/analysis/walk.py.
Each figure is the median of --repeat runs over all the files; the ratio column divides it by
the parse. A script, not a test: it prints numbers and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_tree import make_tree  # noqa: E402

from migrate.analysis.scopes import resolve_scopes  # noqa: E402


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sources(stdlib: int, tree: int) -> list[bytes]:
    paths = sorted([*ROOT.glob("fixtures/**/*.py"), *ROOT.glob("examples/**/*.py")])
    paths += sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))[:stdlib]
    blobs = [p.read_bytes() for p in paths]
    if tree:
        with tempfile.TemporaryDirectory(prefix="bench-scopes-") as tmp:
            made = make_tree(Path(tmp) / "tree", files=tree, calls=max(1, tree // 50), seed=0)
            blobs += [p.read_bytes() for p in made.files]
    return blobs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stdlib", type=int, default=100, help="standard-library modules to add (default 100)")
    parser.add_argument("--tree", type=int, default=0, help="make_tree.py files to add (default 0)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is shown (default 5)")
    args = parser.parse_args(argv)

    modules = []
    for blob in sources(args.stdlib, args.tree):
        try:
            modules.append(cst.parse_module(blob))
        except (cst.ParserSyntaxError, cst.CSTValidationError):
            continue
    # What is parsed up front stays alive: frozen, so that the garbage collector doesn't walk
    # it again and again, as it wouldn't in a worker that holds one module at a time.
    gc.collect()
    gc.freeze()
    lines = sum(m.code.count("\n") for m in modules)
    print(f"{len(modules)} modules, {lines} lines; python {sys.version.split()[0]}; median of {args.repeat}")

    def libcst_scopes() -> None:
        for module in modules:
            MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)

    def our_scopes() -> None:
        for module in modules:
            resolve_scopes(module)

    blobs = [m.code for m in modules]

    def parse() -> None:
        for blob in blobs:
            cst.parse_module(blob)

    rows = [("libcst.parse_module", median_time(parse, args.repeat))]
    rows.append(("LibCST ScopeProvider", median_time(libcst_scopes, args.repeat)))
    rows.append(("resolve_scopes (ours)", median_time(our_scopes, args.repeat)))

    from migrate.analysis.call_sites import find_call_sites
    from migrate.catalog.loader import Catalog

    # The finder needs only the catalog's method paths (chat.completions.<name>).
    catalog = cast(Catalog, SimpleNamespace(methods={(name,): name for name in ("create", "parse", "stream")}))

    def finder() -> None:
        for module in modules:
            find_call_sites(module, catalog)

    rows.append(("the finder (find_call_sites, through analysis.walk)", median_time(finder, args.repeat)))

    base = rows[0][1]
    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}}  {'seconds':>8}  {'/ parse':>7}")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:>8.3f}  {seconds / base:>7.3f}")


if __name__ == "__main__":
    main()
