"""The package's shape: stages import only the stages below them, no module imports another's
private names, and the top of `migrate/` stays a handful of packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "migrate"
# Each stage may import the stages listed after it (and itself), never one before it.
STAGES = ["cli", "verify", "run", "engine", "rewrite", "analysis", "report", "catalog"]
ALLOWED = {
    "cli": {"run", "engine", "report", "catalog", "verify"},
    "verify": {"run", "catalog"},
    "run": {"engine", "analysis", "catalog"},
    "engine": {"rewrite", "analysis", "catalog"},
    "rewrite": {"analysis", "catalog"},
    "analysis": {"catalog"},
    "report": {"run", "catalog"},
    "catalog": set(),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, *, top_level_only: bool) -> list[tuple[str, str]]:
    """(module, name) for each `from migrate... import name` (name "" for `import migrate...`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "migrate":
            out += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.split(".")[0] == "migrate"]
    return out


def _target(module: str, name: str) -> str:
    return f"{module}.{name}" if f"{module}.{name}" in MODULES else module


def test_the_top_of_the_package_is_a_few_stages() -> None:
    top = sorted(p.name for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file())
    assert top == sorted(["__init__.py", "__main__.py", *STAGES]), top


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_owns(stage: str) -> None:
    assert ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text())), stage


def test_stages_import_only_the_stages_below_them() -> None:
    wrong = []
    for name, path in MODULES.items():
        stage = name.split(".")[1] if "." in name else None
        if stage not in ALLOWED:
            continue
        for module, imported in _imports(path, top_level_only=False):
            other = _target(module, imported).split(".")
            if len(other) > 1 and other[1] != stage and other[1] not in ALLOWED[stage]:
                wrong.append(f"{name} imports {module}")
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    graph = {
        name: {_target(m, n) for m, n in _imports(path, top_level_only=True)} & MODULES.keys() - {name}
        for name, path in MODULES.items()
    }
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{name} imports {module}.{imported}"
        for name, path in MODULES.items()
        for module, imported in _imports(path, top_level_only=False)
        if imported.startswith("_") and not imported.startswith("__")
    ]
    assert private == []
