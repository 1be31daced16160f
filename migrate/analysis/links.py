"""What a run over a tree knows about results that cross module boundaries (see migrate/engine/units.py).

A module-level function may return a call's result to callers in other modules of the tree
(`def ask(q): return client.chat.completions.create(...)`, called as `helpers.ask(q)` elsewhere).
The call can only migrate together with every one of those readers, so the run plans such
modules as a unit: each file is migrated knowing its side of the link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Helper:
    """A plain function of another module of the run that this module imports and calls
    (`from .tools import execute_tool`): its parameters, those the unit asks its module to follow
    (name -> the kind of value every caller passes there), whether that module did, or why no
    value can be followed into it."""

    positional: tuple[str, ...]
    keywords: tuple[str, ...]
    params: Mapping[str, str] = field(default_factory=dict)
    confirmed: bool = False
    refused: str | None = None

    def parameter(self, call_args: tuple[tuple[str | None, bool], ...], index: int) -> str | None:
        """The parameter the argument at `index` of a call goes to (each argument: its keyword,
        whether it is unpacked), or None when that is not plain to see."""
        if any(star for _, star in call_args):
            return None
        keyword = call_args[index][0]
        if keyword is not None:
            return keyword if keyword in self.keywords else None
        position = sum(1 for k, _ in call_args[:index] if k is None)
        return self.positional[position] if position < len(self.positional) else None


@dataclass(frozen=True)
class Links:
    # In the module that returns results: function name -> the modules whose calls of it were
    # all followed (migrate the call with them), or, in `refused`, why some can't be.
    followed_elsewhere: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[str, str] = field(default_factory=dict)
    # In a module that calls such functions: absolute qualified name ("pkg.helpers.ask") ->
    # the kind of result it returns (rules/results.toml), whose reads here are to be rewritten.
    imported: Mapping[str, str] = field(default_factory=dict)
    # The importing module's package ("pkg.sub"), to resolve its relative imports.
    package: str = ""
    # Module-level values that other modules import (`from .tools import TOOLS`): name -> why
    # they can't be converted where they are written (migrate/engine/units.py imported_values).
    refused_values: Mapping[str, str] = field(default_factory=dict)
    # In a module that imports such a value converted where it is written (`from .tools import
    # TOOLS`): absolute qualified name ("pkg.tools.TOOLS") -> the keyword it is converted for;
    # every use of it here must be that keyword at a call that migrates (migrate_unit).
    imported_values: Mapping[str, str] = field(default_factory=dict)
    # The values it imports from such a module that keep their chat shape there: qualified name -> why.
    kept_values: Mapping[str, str] = field(default_factory=dict)
    # In a module that calls functions of other modules of the run: absolute qualified name ->
    # the function (values passed there are followed into it only once it is `confirmed`).
    helpers: Mapping[str, Helper] = field(default_factory=dict)
    # In the module of such a function: name -> (its qualified name, {parameter: the kind of value
    # every caller passes there}), to follow into its reads.
    params: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    # In a module that defines values other modules pass by name to calls that migrate there, and
    # that no call of its own passes (`TOOLS` in a tools.py): name -> (its qualified name, the
    # keyword it is passed as), to convert where it is written (units.py `requested_values`).
    requested_values: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # A test or example of a project that wraps the chat method itself: where it does
    # ("`openai.resources.chat.completions` at pkg/instrument.py:12"); its calls are reported (RSP219).
    chat_wrapped: str = ""

    def __bool__(self) -> bool:
        return bool(
            self.followed_elsewhere
            or self.refused
            or self.imported
            or self.refused_values
            or self.imported_values
            or self.kept_values
            or self.helpers
            or self.params
            or self.requested_values
            or self.chat_wrapped
        )


NO_LINKS = Links()


def absolute_module(module: str, level: int, package: str) -> str | None:
    """`from ..core import x` (module "core", level 2) seen from `package`: "pkg.core", or None
    when the dots climb above the top package."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)
