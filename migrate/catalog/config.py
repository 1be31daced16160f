"""`[tool.migrate]` in pyproject.toml and --select/--ignore: load, validate, resolve.

An unknown key, code or value is an error that names the closest valid one.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.catalog.loader import Catalog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = ("select", "ignore", "exclude", "store", "instructions", "target-openai-version", "unsafe")
STORE_POLICIES = ("false", "omit")
# The first openai-python release with the Responses API (client.responses), March 2025.
MIN_OPENAI = (1, 66, 0)


class ConfigError(Exception):
    """A configuration mistake the user must fix; the message says where and how."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    store: str = "false"
    instructions: bool = True
    target_openai_version: str | None = None
    unsafe: bool = False
    source: Path | None = field(default=None, compare=False)


def find_pyproject(paths: Sequence[str]) -> Path | None:
    """The nearest pyproject.toml with a [tool.migrate] table, from the paths given up to the root.

    A pyproject.toml on the way that can't be read or isn't valid TOML is an error (it may be
    the one meant to configure the run), as is a `tool` or `tool.migrate` that isn't a table.
    """
    starts = [Path(p) for p in paths if p != "-"] or [Path.cwd()]
    start = Path(*_common_parts([_absolute(p) for p in starts]))
    if _is_file(start) or not _exists(start):
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if _is_file(candidate):
            data = _read_toml(candidate)
            tool = data.get("tool", {})
            if not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: `tool` must be a table")
            if "migrate" in tool:
                if not isinstance(tool["migrate"], dict):
                    raise ConfigError(f"{candidate}: `tool.migrate` must be a table ([tool.migrate])")
                return candidate
    return None


def _absolute(path: Path) -> Path:
    """`path` made absolute, symlinks resolved where they can be (a symlink loop is left as it is)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return Path(os.path.abspath(path))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text: {error.reason}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def _common_parts(paths: list[Path]) -> tuple[str, ...]:
    parts = [p.parts for p in paths]
    common = []
    for group in zip(*parts, strict=False):  # the paths' lengths differ: zip stops at the shortest
        if len(set(group)) != 1:
            break
        common.append(group[0])
    return tuple(common) or ("/",)


def load(path: Path, catalog: Catalog) -> Config:
    table = _read_toml(path).get("tool", {}).get("migrate")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.migrate` must be a table ([tool.migrate])")
    return from_table(table, catalog, source=path)


def from_table(table: dict[str, Any], catalog: Catalog, *, source: Path | None = None) -> Config:
    where = f"{source}: [tool.migrate]" if source else "[tool.migrate]"
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key `{key}`{did_you_mean(key, KEYS)}")
    store = table.get("store", "false")
    if store not in STORE_POLICIES:
        raise ConfigError(f"{where}: store = {store!r} must be one of {', '.join(STORE_POLICIES)}")
    for key in ("instructions", "unsafe"):
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(f"{where}: `{key}` must be true or false")
    version = table.get("target-openai-version")
    if version is not None:
        if not isinstance(version, str):
            raise ConfigError(f'{where}: target-openai-version must be a string like "1.99.0"')
        check_openai_version(version, where)
    config = Config(
        select=tuple(_strings(table, "select", where)),
        ignore=tuple(_strings(table, "ignore", where)),
        exclude=tuple(_strings(table, "exclude", where)),
        store=store,
        instructions=table.get("instructions", True),
        target_openai_version=None if version is None else str(version),
        unsafe=table.get("unsafe", False),
        source=source,
    )
    check_codes(config.select, catalog, f"{where} select")
    check_codes(config.ignore, catalog, f"{where} ignore")
    return config


def _strings(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return value


def check_openai_version(version: str, where: str) -> None:
    try:
        parts = tuple(int(p) for p in version.split(".")[:3])
    except ValueError:
        raise ConfigError(f'{where}: target-openai-version {version!r} is not a version like "1.99.0"') from None
    if parts < MIN_OPENAI:
        need = ".".join(map(str, MIN_OPENAI))
        raise ConfigError(f"{where}: target-openai-version {version} has no Responses API (it needs openai >= {need})")


def check_codes(selectors: Iterable[str], catalog: Catalog, where: str) -> None:
    """A selector is a code (`RSP201`), a prefix (`RSP2`) or a rule name (`unsupported-parameter`)."""
    names = {rule.name: code for code, rule in catalog.rules.items()}
    for selector in selectors:
        if not selector.strip():
            raise ConfigError(f"{where}: an empty rule selector (it would match every rule)")
        if selector in names or any(code.startswith(selector) for code in catalog.rules):
            continue
        raise ConfigError(f"{where}: unknown rule `{selector}`{did_you_mean(selector, [*catalog.rules, *names])}")


def resolve(select: Sequence[str], ignore: Sequence[str], catalog: Catalog) -> frozenset[str]:
    """The codes turned off by select/ignore (codes, prefixes or names; ignore wins)."""
    names = {rule.name: code for code, rule in catalog.rules.items()}

    def matches(code: str, selectors: Sequence[str]) -> bool:
        return any(code.startswith(s) or names.get(s) == code for s in selectors)

    return frozenset(code for code in catalog.rules if (select and not matches(code, select)) or matches(code, ignore))


# Letters typed for the digits they look like, in a rule code's number (`RSP2O1`, `rsp2l1`).
_LOOKALIKES = str.maketrans("OoIlL", "00111")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    code = word[:3].upper() + word[3:].translate(_LOOKALIKES)
    if code != word and code in choices:
        return f" (did you mean `{code}`?)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f" (did you mean `{close[0]}`?)" if close else ""
