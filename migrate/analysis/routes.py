"""Every way a server reaches a client in one module besides the client's constructor
(rules/clients.toml [routes]): an attribute assigned after construction (`client.base_url =
...`, `setattr(...)`, `self.client.base_url = ...`), the `openai` module client's settings
(`openai.base_url = ...`), environment variables the SDK reads when the constructor names no
server (`os.environ["OPENAI_BASE_URL"] = ...`), and wrappers that patch a client in place
(`instructor.patch(client)`, its return value kept or not, or
`client.chat.completions.create = ...`).

The call-site finder collects the candidate statements on its one walk (`RouteNodes`); this
module reads them with the scope analysis: a write reaches a client when its receiver resolves
to the same binding, never because it is spelled the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.constants import known_string
from migrate.analysis.nodes import qualified_names, short_code
from migrate.analysis.scopes import QualifiedNameSource
from migrate.catalog.loader import Clients

UNKNOWN = "?"  # the key of a write the tool can't read (`os.environ[name] = ...`)
REPLACED = "="  # the key of a patch by assignment (`client.chat.completions.create = ...`)


def _replaced_method_owner(target: cst.BaseExpression) -> cst.BaseExpression | None:
    """`client` when `target` is `client.chat.completions.<method>` (a method replaced)."""
    if not isinstance(target, cst.Attribute):
        return None
    resource = target.value
    if isinstance(resource, cst.Attribute) and resource.attr.value == "completions":
        chat = resource.value
        if isinstance(chat, cst.Attribute) and chat.attr.value == "chat":
            owner = chat.value
            if isinstance(owner, cst.Attribute) and owner.attr.value == "beta":
                owner = owner.value
            return owner
    return None


@dataclass
class RouteNodes:
    """What the finder saw that may be a route: assignment targets that are attributes or
    subscripts (target, value or None for `+=`, statement), and calls that may write one."""

    writes: list[tuple[cst.BaseExpression, cst.BaseExpression | None, cst.CSTNode]] = field(default_factory=list)
    calls: list[cst.Call] = field(default_factory=list)


@dataclass(frozen=True)
class Write:
    key: str  # the attribute or variable written, UNKNOWN if the tool can't read it
    value: cst.BaseExpression | None  # None: a value the tool can't read
    shown: str  # the code that writes it, for messages


@dataclass
class _Owned:
    owner: cst.BaseExpression  # what is written to (a client expression, `os.environ`)
    write: Write


class Routes:
    def __init__(
        self,
        nodes: RouteNodes,
        clients: Clients,
        scopes: Mapping,
        parents: Mapping[cst.CSTNode, cst.CSTNode],
        enclosing_class: Callable[[cst.CSTNode], cst.ClassDef | None],
    ) -> None:
        self.nodes = nodes
        self.clients = clients
        self.routes = clients.routes
        self.scopes = scopes
        self.parents = parents
        self.enclosing_class = enclosing_class
        self._read: tuple[list[_Owned], list[Write], list[_Owned]] | None = None

    # ------------------------------------------------------------------ queries
    def on_binding(self, referents: set) -> list[Write]:
        """Attribute writes on a name bound by one of `referents`."""
        attributes, _, _ = self._parsed()
        return [o.write for o in attributes if self._of_client(o) and self._referents(o.owner) & referents]

    def on_self(self, cls: cst.ClassDef, attr: str) -> list[Write]:
        """Attribute writes on `self.<attr>` in the methods of `cls`."""
        attributes, _, _ = self._parsed()
        return [o.write for o in attributes if self._of_client(o) and self._is_self_attr(o.owner, cls, attr)]

    def on_module_client(self) -> list[Write]:
        """Writes of the `openai` module client's settings (`openai.base_url = ...`)."""
        attributes, _, _ = self._parsed()
        return [
            o.write
            for o in attributes
            if (o.write.key in self.routes.module_attributes or o.write.key == UNKNOWN)
            and isinstance(o.owner, cst.Name)
            and self._is_module_client(o.owner)
        ]

    def environment(self, variable: str) -> list[Write]:
        """Writes of the environment variable `variable`, or of one the tool can't name."""
        _, environment, _ = self._parsed()
        return [w for w in environment if w.key in (variable, UNKNOWN)]

    def patched(self, referents: set) -> Write | None:
        """An in-place wrapper called on a name bound by one of `referents`."""
        _, _, patched = self._parsed()
        return next((o.write for o in patched if self._referents(o.owner) & referents), None)

    def patched_self(self, cls: cst.ClassDef, attr: str) -> Write | None:
        _, _, patched = self._parsed()
        return next((o.write for o in patched if self._is_self_attr(o.owner, cls, attr)), None)

    def _of_client(self, owned: _Owned) -> bool:
        return owned.write.key in self.routes.attributes or owned.write.key == UNKNOWN

    # ------------------------------------------------------------------ reading the nodes
    def _parsed(self) -> tuple[list[_Owned], list[Write], list[_Owned]]:
        if self._read is None:
            attributes: list[_Owned] = []
            environment: list[Write] = []
            patched: list[_Owned] = []
            names = set(self.routes.attributes) | set(self.routes.module_attributes)
            for target, value, statement in self.nodes.writes:
                shown = short_code(statement, 60)
                replaced = _replaced_method_owner(target)
                if replaced is not None:
                    patched.append(_Owned(replaced, Write(REPLACED, value, shown)))
                elif isinstance(target, cst.Attribute) and target.attr.value in names:
                    attributes.append(_Owned(target.value, Write(target.attr.value, value, shown)))
                elif isinstance(target, cst.Subscript) and self._is_environ(target.value):
                    key = target.slice[0].slice if len(target.slice) == 1 else None
                    index = key.value if isinstance(key, cst.Index) else None
                    environment.append(Write(self._key(index), value, shown))
            for call in self.nodes.calls:
                self._call(call, attributes, environment, patched, names)
            self._read = (attributes, environment, patched)
        return self._read

    def _call(
        self,
        call: cst.Call,
        attributes: list[_Owned],
        environment: list[Write],
        patched: list[_Owned],
        names: set[str],
    ) -> None:
        shown = short_code(call, 60)
        func = call.func
        qualified = qualified_names(self.scopes, func)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        starred = any(a.star for a in call.args)
        if "builtins.setattr" in qualified and len(positional) == 3:
            key = known_string(positional[1], self.scopes, self.parents)
            if key is None or key.value in names:
                attributes.append(_Owned(positional[0], Write(key.value if key else UNKNOWN, positional[2], shown)))
        elif qualified & self.routes.setenv:
            if len(positional) == 2:
                environment.append(Write(self._key(positional[0]), positional[1], shown))
            else:
                environment.append(Write(UNKNOWN, None, shown))
        elif qualified & self.routes.in_place_wrappers:
            given = positional[:1] or [a.value for a in call.args if a.keyword and a.keyword.value == "client"]
            if given:
                wrapper = sorted(qualified & self.routes.in_place_wrappers)[0]
                patched.append(_Owned(given[0], Write(wrapper, None, shown)))
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value in self.routes.environ_methods
            and self._is_environ(func.value)
        ):
            if func.attr.value == "setdefault" and len(positional) == 2:
                environment.append(Write(self._key(positional[0]), positional[1], shown))
                return
            mapping = positional[0] if len(positional) == 1 and not starred else None
            if isinstance(mapping, cst.Dict) and all(isinstance(e, cst.DictElement) for e in mapping.elements):
                for element in mapping.elements:
                    assert isinstance(element, cst.DictElement)
                    environment.append(Write(self._key(element.key), element.value, shown))
            elif not positional and not starred:
                for arg in call.args:
                    assert arg.keyword is not None
                    environment.append(Write(arg.keyword.value, arg.value, shown))
            else:
                environment.append(Write(UNKNOWN, None, shown))

    def _key(self, node: cst.BaseExpression | None) -> str:
        known = known_string(node, self.scopes, self.parents) if node is not None else None
        return known.value if known is not None and not known.default else UNKNOWN

    def _is_environ(self, node: cst.BaseExpression) -> bool:
        return bool(qualified_names(self.scopes, node) & self.routes.environ)

    def _referents(self, node: cst.BaseExpression) -> set:
        if not isinstance(node, cst.Name):
            return set()
        scope = self.scopes.get(node)
        if scope is None:
            return set()
        return {r for a in scope.accesses[node] if a.node is node for r in a.referents}

    def _is_module_client(self, node: cst.Name) -> bool:
        scope = self.scopes.get(node)
        return scope is not None and any(
            q.name == self.clients.module_client and q.source is QualifiedNameSource.IMPORT
            for q in scope.get_qualified_names_for(node)
        )

    def _is_self_attr(self, node: cst.BaseExpression, cls: cst.ClassDef, attr: str) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == attr
            and isinstance(node.value, cst.Name)
            and node.value.value == "self"
            and self.enclosing_class(node) is cls
        )
