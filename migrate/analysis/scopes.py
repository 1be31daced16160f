"""Scope analysis of a module: which names each scope binds, which reads refer to which bindings,
and the qualified names of expressions; our own, in place of LibCST's `ScopeProvider`.

This module owns name resolution. `resolve_scopes(module)` gives what
`MetadataWrapper(module).resolve(ScopeProvider)` gives, through the same API (`scopes[node]`,
`scope.assignments`, `scope.accesses`, `access.referents`, `assignment.references`,
`scope.get_qualified_names_for(...)`, `GlobalScope`, `Assignment`, `ImportAssignment`, ...), with
the same results: LibCST's rules are followed on purpose, quirks included (a `match` capture is
a read, a walrus in a comprehension binds in the comprehension, class-level names are found
from a method that binds the name later, ...), since the callers were written against them.
tests/test_scopes.py checks that, node for node, against LibCST's own analysis. The differences
are that formatting nodes (walk.FORMATTING) have no scope, that one walk over the tree does the
work of LibCST's expression-context and scope visitors (with no node copies and no LibCST
internals), and that the sets handed out keep a fixed order (insertion order) from run to run.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence, Set

import libcst as cst
from libcst import CSTNode
from libcst.helpers import get_full_name_for_node
from libcst.metadata import QualifiedName, QualifiedNameSource

from migrate.analysis.walk import CONTENT_FIELDS, EITHER, FORMATTING, MANY

__all__ = [
    "Access",
    "AnnotationScope",
    "Assignment",
    "BaseAssignment",
    "BuiltinAssignment",
    "BuiltinScope",
    "ClassScope",
    "ComprehensionScope",
    "FunctionScope",
    "GlobalScope",
    "ImportAssignment",
    "LocalScope",
    "QualifiedName",
    "QualifiedNameSource",
    "Scope",
    "resolve_scopes",
]

NameOrNode = str | CSTNode
_Qualified = tuple[str, QualifiedNameSource]
_EMPTY: Set = frozenset()


# ---------------------------------------------------------------------------- bindings and reads
class Access:
    """A read (or `del`) of a name. `node` is the Name read, or, when the name is the start of
    a dotted name some scope binds (`import a.b` then `a.b.c`), the Attribute for the longest
    such name; inside a string annotation, the whole string."""

    __slots__ = ("_index", "_referents", "is_annotation", "is_type_hint", "node", "scope")

    def __init__(self, node: cst.Name, scope: Scope, is_annotation: bool, is_type_hint: bool) -> None:
        self.node: cst.Name | cst.Attribute | cst.BaseString = node
        self.scope = scope
        self.is_annotation = is_annotation
        self.is_type_hint = is_type_hint
        self._index = scope._count
        self._referents: dict[BaseAssignment, None] = {}

    @property
    def referents(self) -> Set[BaseAssignment]:
        """The bindings this read may see."""
        return self._referents.keys()

    def _resolve(self, name: str) -> None:
        found = self.scope._resolve(name, self.scope)
        earlier = [a for a in found if a.scope is not self.scope or a._index < self._index]
        if not earlier and found and self.scope.parent is not self.scope:
            earlier = list(self.scope.parent._resolve(name, self.scope))
        self._referents.update(dict.fromkeys(earlier))


class BaseAssignment:
    """A binding of `name` in `scope`."""

    _index = -1

    def __init__(self, name: str, scope: Scope) -> None:
        self.name = name
        self.scope = scope
        self._references: dict[Access, None] = {}

    @property
    def references(self) -> Set[Access]:
        """The reads that may see this binding."""
        return self._references.keys()

    def _add_references(self, accesses: list[Access]) -> None:
        """Reads after this binding see it; reads before it (in its scope) see what it shadows."""
        earlier = []
        for access in accesses:
            if access.scope is not self.scope or self._index < access._index:
                self._references[access] = None
            else:
                earlier.append(access)
        if earlier and self.scope.parent is not self.scope:
            for shadowed in list(self.scope.parent._resolve(self.name, self.scope.parent)):
                shadowed._add_references(earlier)

    def get_qualified_names_for(self, full_name: str) -> set[QualifiedName]:
        return {QualifiedName(name, source) for name, source in self._qualify(full_name)}

    def _qualify(self, full_name: str) -> list[_Qualified]:
        raise NotImplementedError


class Assignment(BaseAssignment):
    """A binding made in the code. `node` is what binds: the Name target (`x = 1`, `for x in`,
    `as x`, walrus, `x += 1`), the FunctionDef, ClassDef, Param, TypeAlias, TypeVar,
    TypeVarTuple or ParamSpec, or (ImportAssignment) the Import/ImportFrom statement."""

    def __init__(self, name: str, scope: Scope, node: CSTNode, index: int) -> None:
        super().__init__(name, scope)
        self.node = node
        self._index = index

    def _qualify(self, full_name: str) -> list[_Qualified]:
        prefix = self.scope._prefix
        return [(f"{prefix}.{full_name}" if prefix else full_name, QualifiedNameSource.LOCAL)]


class ImportAssignment(Assignment):
    """A name an `import` binds; `as_name` is the alias's name (or its dotted name)."""

    def __init__(
        self, name: str, scope: Scope, node: cst.Import | cst.ImportFrom, index: int, as_name: CSTNode
    ) -> None:
        super().__init__(name, scope, node, index)
        self.as_name = as_name

    def get_module_name_for_import(self) -> str:
        """The module imported from, relative dots included (`..pkg`), or "" for `import`."""
        node = self.node
        if not isinstance(node, cst.ImportFrom):
            return ""
        module = (get_full_name_for_node(node.module) or "") if node.module else ""
        return "." * len(node.relative) + module if node.relative else module

    def _qualify(self, full_name: str) -> list[_Qualified]:
        node = self.node
        assert isinstance(node, (cst.Import, cst.ImportFrom))
        if isinstance(node.names, cst.ImportStar):
            return []
        module = self.get_module_name_for_import()
        found = []
        for alias in node.names:
            imported = get_full_name_for_node(alias.name)
            if not imported:
                continue
            parts = imported.split(".")
            for length in range(len(parts), 0, -1):  # `import a.b.c`: the longest that fits
                real = ".".join(parts[:length])
                local = alias.evaluated_alias if alias.asname and alias.evaluated_alias is not None else real
                if module:
                    real = module + real if module.endswith(".") else f"{module}.{real}"
                if not full_name.startswith(local):
                    continue
                rest = full_name.split(local, 1)[1]
                if rest and not rest.startswith("."):
                    continue
                rest = rest.lstrip(".")
                found.append((f"{real}.{rest}" if rest else real, QualifiedNameSource.IMPORT))
                break
        return found


class BuiltinAssignment(BaseAssignment):
    """A name from `builtins`, made when something looks it up."""

    def _qualify(self, full_name: str) -> list[_Qualified]:
        return [(f"builtins.{self.name}", QualifiedNameSource.BUILTIN)]


# ---------------------------------------------------------------------------- scopes
class _ByName:
    """`scope.assignments` / `scope.accesses`: iterable, and indexed by a name or a node
    (a Name, Attribute, Call, ... : by its dotted name)."""

    def __init__(self, table: dict[str, dict]) -> None:
        self._table = table

    def __iter__(self) -> Iterator:
        for entries in self._table.values():
            yield from entries

    def __getitem__(self, node: NameOrNode) -> Set:
        name = get_full_name_for_node(node)
        entries = self._table.get(name) if name is not None else None
        return entries.keys() if entries else _EMPTY

    def __contains__(self, node: NameOrNode) -> bool:
        return bool(self[node])


class Scope:
    """Where names are bound. `parent` is the enclosing scope (a GlobalScope's is the builtins,
    whose is itself); `globals` the module's."""

    _prefix = ""

    def __init__(self, parent: Scope) -> None:
        self.parent = parent
        self.globals: GlobalScope = parent.globals
        self._assignments: dict[str, dict[BaseAssignment, None]] = {}
        self._count = 0  # bindings so far, in visit order: reads compare against it
        self._accesses: dict[str, dict[Access, None]] = {}
        self._by_node: dict[CSTNode, dict[Access, None]] = {}

    # -- what callers use
    @property
    def assignments(self) -> _ByName:
        return _ByName(self._assignments)

    @property
    def accesses(self) -> _ByName:
        return _ByName(self._accesses)

    def __contains__(self, name: str) -> bool:
        """Is `name` bound here or in a scope visible from here?"""
        raise NotImplementedError

    def __getitem__(self, name: str) -> Set[BaseAssignment]:
        """The bindings `name` may refer to here."""
        return self._resolve(name, self)

    def get_qualified_names_for(self, node: NameOrNode) -> set[QualifiedName]:
        """What `node` (or a dotted name) names here: `openai.OpenAI` through any import form is
        `openai.OpenAI` (IMPORT), `print` is `builtins.print`, a method `C.f` (LOCAL)."""
        return {QualifiedName(name, source) for name, source in self._qualify(node)}

    # -- the analysis
    def _qualify(self, node: NameOrNode) -> set[_Qualified]:
        accesses = self._by_node.get(node) if isinstance(node, CSTNode) else None
        if accesses:
            return {q for access in accesses for r in access._referents for q in r._qualify(r.name)}
        full_name = get_full_name_for_node(node)
        if full_name is None:
            return set()
        found: Set[BaseAssignment] = _EMPTY
        prefix: str | None = full_name
        while prefix:
            if prefix in self:
                found = self[prefix]
                break
            dot = prefix.rfind(".")
            prefix = prefix[:dot] if dot != -1 else None
        if isinstance(node, CSTNode):
            for assignment in found:
                if isinstance(assignment, Assignment) and _binds(node, assignment.node):
                    return set(assignment._qualify(full_name))
        return {q for assignment in found for q in assignment._qualify(full_name)}

    def _resolve(self, name: str, from_scope: Scope) -> Set[BaseAssignment]:
        raise NotImplementedError

    def _target(self, name: str) -> Scope:
        """The scope a binding of `name` made here goes to (`global`, `nonlocal`)."""
        return self

    def _visible_from(self, child: Scope) -> bool:
        return True

    def _visible_parent(self, child: Scope, start: Scope | None = None) -> Scope:
        parent = start if start is not None else self.parent
        while not parent._visible_from(child):
            parent = parent.parent
        return parent

    def _bind(self, name: str, node: CSTNode) -> None:
        target = self._target(name)
        target._assignments.setdefault(name, {})[Assignment(name, target, node, target._count)] = None

    def _bind_import(self, name: str, node: cst.Import | cst.ImportFrom, as_name: CSTNode) -> None:
        target = self._target(name)
        binding = ImportAssignment(name, target, node, target._count, as_name)
        target._assignments.setdefault(name, {})[binding] = None

    def _declare_global(self, name: str) -> None:
        raise NotImplementedError

    def _declare_nonlocal(self, name: str) -> None:
        raise NotImplementedError

    def _add_access(self, name: str, access: Access) -> None:
        self._accesses.setdefault(name, {})[access] = None
        self._by_node.setdefault(access.node, {})[access] = None


class BuiltinScope(Scope):
    """The names of `builtins`, the parent of a GlobalScope."""

    def __init__(self, globals: GlobalScope) -> None:
        self.globals = globals  # read by Scope.__init__, from the parent: this scope
        super().__init__(self)

    def __contains__(self, name: str) -> bool:
        return hasattr(builtins, name)

    def _resolve(self, name: str, from_scope: Scope) -> Set[BaseAssignment]:
        if name not in self._assignments:
            if not hasattr(builtins, name):
                return _EMPTY
            self._assignments[name] = {BuiltinAssignment(name, self): None}
        return self._assignments[name].keys()

    def _target(self, name: str) -> Scope:
        raise NotImplementedError("no bindings go to the builtins")


class GlobalScope(Scope):
    """A module's scope."""

    def __init__(self) -> None:
        self.globals = self
        super().__init__(BuiltinScope(self))

    def __contains__(self, name: str) -> bool:
        return bool(self._assignments.get(name)) or name in self._visible_parent(self)

    def _resolve(self, name: str, from_scope: Scope) -> Set[BaseAssignment]:
        if name in self._assignments:
            return self._assignments[name].keys()
        return self._visible_parent(from_scope)[name]

    def _declare_global(self, name: str) -> None:
        pass

    def _declare_nonlocal(self, name: str) -> None:
        raise NotImplementedError("nonlocal declaration not allowed at module level")  # as LibCST


class LocalScope(Scope):
    """A scope inside the module, made by `node`; `name` is the function's or class's name."""

    def __init__(self, parent: Scope, node: CSTNode, name: str | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.name = name
        self._declared: dict[str, Scope] = {}  # `global`/`nonlocal` names: where they live
        self._prefix = self._make_prefix()

    def _make_prefix(self) -> str:
        return ".".join(filter(None, [self.parent._prefix, self.name, "<locals>"]))

    def __contains__(self, name: str) -> bool:
        if name in self._declared:
            return name in self._declared[name]
        return bool(self._assignments.get(name)) or name in self._visible_parent(self)

    def _resolve(self, name: str, from_scope: Scope) -> Set[BaseAssignment]:
        if name in self._declared:
            return self._visible_parent(from_scope, self._declared[name])._resolve(name, from_scope)
        if name in self._assignments:
            return self._assignments[name].keys()
        return self._visible_parent(from_scope)._resolve(name, from_scope)

    def _target(self, name: str) -> Scope:
        if name in self._declared:
            return self._visible_parent(self, self._declared[name])._target(name)
        return self

    def _declare_global(self, name: str) -> None:
        self._declared[name] = self.globals

    def _declare_nonlocal(self, name: str) -> None:
        self._declared[name] = self.parent


class FunctionScope(LocalScope):
    """A function's or a lambda's body (its parameters included)."""


class ClassScope(LocalScope):
    """A class body: its names are not visible from the functions inside it."""

    def _make_prefix(self) -> str:
        return ".".join(filter(None, [self.parent._prefix, self.name]))

    def _visible_from(self, child: Scope) -> bool:
        return child.parent is self and isinstance(child, AnnotationScope)


class ComprehensionScope(LocalScope):
    """A comprehension or generator expression, after its first iterable."""

    def _make_prefix(self) -> str:
        return ".".join(filter(None, [self.parent._prefix, "<comprehension>"]))


class AnnotationScope(LocalScope):
    """The type parameters of a generic class, function or type alias (PEP 695), and a type
    alias's value."""

    def _make_prefix(self) -> str:
        return self.parent._prefix


def _binds(node: CSTNode, binding: CSTNode) -> bool:
    """Is `node` the binding node, or a name in the import statement `binding`?"""
    if node is binding:
        return True
    if isinstance(binding, (cst.Import, cst.ImportFrom)) and not isinstance(binding.names, cst.ImportStar):
        return any(
            alias.name is node or (alias.asname is not None and alias.asname.name is node) for alias in binding.names
        )
    return False


def _dotted_names(node: CSTNode) -> Iterator[tuple[str, cst.Name | cst.Attribute]]:
    """`a.b.c` -> ("a.b.c", a.b.c), ("a.b", a.b), ("a", a); through calls: `a.b().c` -> as `a.b`;
    nothing for what doesn't start with a name."""
    if isinstance(node, cst.Name):
        yield node.value, node
        return
    assert isinstance(node, cst.Attribute)
    value = node.value
    if isinstance(value, cst.Call):
        if isinstance(value.func, (cst.Attribute, cst.Name)):
            yield from _dotted_names(value.func)
    elif isinstance(value, (cst.Attribute, cst.Name)):
        inner = list(_dotted_names(value))
        if inner:
            yield f"{inner[0][0]}.{node.attr.value}", node
            yield from inner


# ---------------------------------------------------------------------------- the walk
# Expression contexts, as LibCST's ExpressionContextProvider gives them to names: a Name is
# bound when reached through a binding position (assignment targets, `as`, loop targets, ...)
# with nothing reset in between. LOAD also stands for DEL (a read, to the scope analysis);
# NONE is for nodes that provider never reaches (class and function type parameters, string
# annotations), under which nothing is bound.
LOAD, STORE, NONE = 0, 1, 2
# Nodes whose end counts as a binding in their scope (what reads compare their place against).
_COUNTED = frozenset(
    {
        cst.AnnAssign, cst.AsName, cst.Assign, cst.AugAssign, cst.ClassDef, cst.CompFor, cst.FunctionDef,
        cst.Global, cst.Import, cst.ImportFrom, cst.NamedExpr, cst.Nonlocal, cst.Parameters, cst.WithItem,
        cst.TypeVar, cst.TypeAlias, cst.TypeVarTuple, cst.ParamSpec,
    }
)  # fmt: skip
_TYPING_HINTS = ("typing.", "typing_extensions.")
_LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})
_NEW_TYPES = frozenset({"typing.NewType", "typing.TypeVar"})


def resolve_scopes(module: cst.Module) -> Mapping[CSTNode, Scope]:
    """The scope of every node of `module` but formatting nodes, and but those LibCST gives
    none either: the inside of `import`, `global` and `nonlocal` statements, an attribute's
    name, an argument's keyword, the names of type parameters and type aliases, a class's body
    block, the `async` of a function and of a comprehension's first `for`, the parts of a
    string annotation written as several strings, the first argument of `typing.NewType` and
    `typing.TypeVar`."""
    resolver = _Resolver()
    resolver.visit(module, LOAD)
    resolver.infer()
    return resolver.scopes


def _store(ctx: int) -> int:
    return ctx if ctx == NONE else STORE


def _load(ctx: int) -> int:
    return ctx if ctx == NONE else LOAD


class _Resolver:
    """One walk doing what LibCST's ScopeVisitor (and the ExpressionContextVisitor it reads) do,
    in the same order: the order matters, since bindings are numbered as they are met and
    `typing` names are looked up (for string annotations) with what is bound so far."""

    def __init__(self) -> None:
        self.scope: Scope = GlobalScope()
        self.scopes: dict[CSTNode, Scope] = {}
        # Reads, resolved once every binding is known: (read, its name, the outermost Attribute
        # around it, the string annotation it is in).
        self.reads: list[tuple[Access, str, cst.Attribute | None, cst.BaseString | None]] = []
        self.attribute: list[cst.Attribute | None] = [None]  # the outermost Attribute, per call
        self.in_annotation: list[bool] = [False]
        self.in_type_hint: list[bool] = [False]
        self.literals: set[cst.Subscript] = set()  # `Literal[...]` subscripts being walked
        self.string: cst.BaseString | None = None  # the string annotation being walked
        self.handlers: dict[type[CSTNode], Callable[[CSTNode, int], None]] = {
            node_type: getattr(self, "_" + node_type.__name__) for node_type in _HANDLED
        }

    def visit(self, node: CSTNode, ctx: int) -> None:
        handler = self.handlers.get(type(node))
        if handler is not None:
            handler(node, ctx)
            return
        self.children(node, ctx)
        self.scopes[node] = scope = self.scope
        if type(node) in _COUNTED:
            scope._count += 1

    def children(self, node: CSTNode, ctx: int) -> None:
        fields = CONTENT_FIELDS.get(type(node))
        if fields is None:
            for child in node.children:
                if type(child) not in FORMATTING:
                    self.visit(child, ctx)
            return
        for name, kind in fields:
            value = getattr(node, name)
            if kind == MANY:
                for child in value:
                    self.visit(child, ctx)
            elif isinstance(value, CSTNode):
                self.visit(value, ctx)
            elif kind == EITHER and value is not None:
                for child in value:
                    self.visit(child, ctx)

    def leave(self, node: CSTNode, counted: bool = False) -> None:
        self.scopes[node] = scope = self.scope
        if counted:
            scope._count += 1

    def visit_all(self, nodes: Sequence[CSTNode], ctx: int) -> None:
        for node in nodes:
            self.visit(node, ctx)

    def infer(self) -> None:
        """Link every read to the bindings it may see, now that all are known."""
        groups: dict[tuple[Scope, str], list[Access]] = {}
        for access, name, attribute, string in self.reads:
            if attribute is not None:
                for dotted, node in _dotted_names(attribute):
                    if dotted in access.scope:
                        access.node, name = node, dotted
                        break
            if string is not None:
                access.node = string
            groups.setdefault((access.scope, name), []).append(access)
            access._resolve(name)
            access.scope._add_access(name, access)
        for (scope, name), accesses in groups.items():
            for assignment in list(scope._resolve(name, scope)):
                assignment._add_references(accesses)
        self.reads = []

    # -- names
    def _Name(self, node: cst.Name, ctx: int) -> None:
        scope = self.scope
        if ctx == STORE:
            scope._bind(node.value, node)
        else:
            access = Access(node, scope, self.in_annotation[-1], self.in_type_hint[-1])
            self.reads.append((access, node.value, self.attribute[-1], self.string))
        self.scopes[node] = scope

    def _Attribute(self, node: cst.Attribute, ctx: int) -> None:
        outermost = self.attribute[-1] is None
        if outermost:
            self.attribute[-1] = node
        self.visit(node.value, _load(ctx))  # not the attribute's name
        if outermost:
            self.attribute[-1] = None
        self.leave(node)

    def _Import(self, node: cst.Import | cst.ImportFrom, ctx: int) -> None:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self.scopes[alias] = self.scope
                bound: CSTNode = alias.name if alias.asname is None else alias.asname.name
                assert isinstance(bound, (cst.Name, cst.Attribute))
                for dotted, _ in _dotted_names(bound):  # `import a.b.c` binds `a.b.c`, `a.b` and `a`
                    self.scope._bind_import(dotted, node, bound)
        self.leave(node, counted=True)

    _ImportFrom = _Import

    def _Global(self, node: cst.Global | cst.Nonlocal, ctx: int) -> None:
        for item in node.names:
            if isinstance(node, cst.Global):
                self.scope._declare_global(item.name.value)
            else:
                self.scope._declare_nonlocal(item.name.value)
        self.leave(node, counted=True)

    _Nonlocal = _Global

    # -- binding positions
    def _Assign(self, node: cst.Assign, ctx: int) -> None:
        self.visit_all(node.targets, _store(ctx))
        self.visit(node.value, ctx)
        self.leave(node, counted=True)

    def _AnnAssign(self, node: cst.AnnAssign, ctx: int) -> None:
        self.visit(node.target, _store(ctx))
        self.visit(node.annotation, ctx)
        if node.value is not None:
            self.visit(node.value, ctx)
        self.leave(node, counted=True)

    def _AugAssign(self, node: cst.AugAssign, ctx: int) -> None:
        self.visit(node.target, _store(ctx))
        self.visit(node.operator, ctx)
        self.visit(node.value, ctx)
        self.leave(node, counted=True)

    def _NamedExpr(self, node: cst.NamedExpr, ctx: int) -> None:
        self.visit(node.target, _store(ctx))
        self.visit(node.value, ctx)
        self.leave(node, counted=True)

    def _AsName(self, node: cst.AsName, ctx: int) -> None:
        self.visit(node.name, _store(ctx))
        self.leave(node, counted=True)

    def _Del(self, node: cst.Del, ctx: int) -> None:
        self.visit(node.target, _load(ctx))
        self.leave(node)

    def _For(self, node: cst.For, ctx: int) -> None:
        self.visit(node.target, _store(ctx))
        self.scope._count += 1  # the loop's body and iterable see its target
        for child in (node.iter, node.body, node.orelse, node.asynchronous):
            if child is not None:
                self.visit(child, ctx)
        self.leave(node)

    def _CompFor(self, node: cst.CompFor, ctx: int) -> None:  # an inner `for` of a comprehension
        if node.asynchronous is not None:
            self.visit(node.asynchronous, ctx)
        self.visit(node.target, _store(ctx))
        self.visit(node.iter, ctx)
        self.visit_all(node.ifs, ctx)
        if node.inner_for_in is not None:
            self.visit(node.inner_for_in, ctx)
        self.leave(node, counted=True)

    def _Subscript(self, node: cst.Subscript, ctx: int) -> None:
        hint = False
        if isinstance(node.value, cst.Name):
            names = {name for name, _ in self.scope._qualify(node.value)}
            hint = any(name.startswith(_TYPING_HINTS) for name in names)
            if names & _LITERALS:
                self.literals.add(node)
        self.in_type_hint.append(hint)
        self.visit(node.value, _load(ctx))
        self.visit_all(node.slice, _load(ctx))
        self.in_type_hint.pop()
        self.literals.discard(node)
        self.leave(node)

    # -- new scopes
    def _FunctionDef(self, node: cst.FunctionDef, ctx: int) -> None:
        outer = self.scope
        outer._bind(node.name.value, node)
        self.scopes[node.name] = outer
        if node.type_parameters is not None:
            self.scope = AnnotationScope(outer, node)
            self.visit(node.type_parameters, NONE)
        around = self.scope
        self.scope = FunctionScope(around, node, node.name.value)
        self.visit(node.params, ctx)
        self.visit(node.body, ctx)
        self.scope = around
        self.visit_all(node.decorators, ctx)  # (in the type parameters' scope, as LibCST has it)
        if node.returns is not None:
            self.visit(node.returns, ctx)
        self.scope = outer
        self.leave(node, counted=True)

    def _Lambda(self, node: cst.Lambda, ctx: int) -> None:
        outer = self.scope
        self.scope = FunctionScope(outer, node)
        self.visit(node.params, ctx)
        self.visit(node.body, ctx)
        self.scope = outer
        self.leave(node)

    def _Param(self, node: cst.Param, ctx: int) -> None:
        scope = self.scope
        scope._bind(node.name.value, node)
        self.scopes[node.name] = scope
        self.scope = scope.parent  # defaults and annotations are evaluated outside
        for child in (node.default, node.annotation):
            if child is not None:
                self.visit(child, ctx)
        self.scope = scope
        self.leave(node)

    def _Arg(self, node: cst.Arg, ctx: int) -> None:
        self.visit(node.value, ctx)  # not the keyword
        self.leave(node)

    def _ClassDef(self, node: cst.ClassDef, ctx: int) -> None:
        outer = self.scope
        outer._bind(node.name.value, node)
        self.scopes[node.name] = outer
        self.visit_all(node.decorators, ctx)
        if node.type_parameters is not None:
            self.scope = AnnotationScope(outer, node)
            self.visit(node.type_parameters, NONE)
        self.visit_all(node.bases, ctx)
        self.visit_all(node.keywords, ctx)
        around = self.scope
        self.scope = ClassScope(around, node, node.name.value)
        self.visit_all(node.body.body, ctx)
        self.scope = outer
        self.leave(node, counted=True)

    def _ListComp(self, node: cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp, ctx: int) -> None:
        outer = self.scope
        first = node.for_in
        self.visit(first.iter, ctx)  # the first iterable is evaluated outside
        self.scopes[first] = outer
        self.scope = inner = ComprehensionScope(outer, node)
        self.visit(first.target, _store(ctx))
        inner._count += 1
        self.visit_all(first.ifs, ctx)
        if first.inner_for_in is not None:
            self.visit(first.inner_for_in, ctx)
        if isinstance(node, cst.DictComp):
            self.visit(node.key, ctx)
            self.visit(node.value, ctx)
        else:
            self.visit(node.elt, ctx)
        self.scope = outer
        self.leave(node)

    _SetComp = _DictComp = _GeneratorExp = _ListComp

    def _TypeAlias(self, node: cst.TypeAlias, ctx: int) -> None:
        outer = self.scope
        outer._bind(node.name.value, node)
        self.scope = AnnotationScope(outer, node)
        if node.type_parameters is not None:
            self.visit(node.type_parameters, ctx)
        self.visit(node.value, ctx)
        self.scope = outer
        self.leave(node, counted=True)

    def _TypeVar(self, node: cst.TypeVar, ctx: int) -> None:
        self.scope._bind(node.name.value, node)
        if node.bound is not None:
            self.visit(node.bound, ctx)
        self.leave(node, counted=True)

    def _TypeVarTuple(self, node: cst.TypeVarTuple | cst.ParamSpec, ctx: int) -> None:
        self.scope._bind(node.name.value, node)
        self.leave(node, counted=True)

    _ParamSpec = _TypeVarTuple

    # -- annotations and type hints: string annotations are parsed and walked
    def _Annotation(self, node: cst.Annotation, ctx: int) -> None:
        self.in_annotation.append(True)
        self.visit(node.annotation, ctx)
        self.in_annotation.pop()
        self.leave(node)

    def _Call(self, node: cst.Call, ctx: int) -> None:
        self.attribute.append(None)
        self.in_type_hint.append(False)
        names = {name for name, _ in self.scope._qualify(node)}
        if names & _NEW_TYPES:  # NewType("Name", tp), TypeVar("T", bound...): the name isn't walked
            self.visit(node.func, ctx)
            self.in_type_hint[-1] = True
            self.visit_all(node.args[1:], ctx)
        elif "typing.cast" in names:
            self.visit(node.func, ctx)
            if node.args:
                self.in_type_hint.append(True)
                self.visit(node.args[0], ctx)
                self.in_type_hint.pop()
                self.visit_all(node.args[1:], ctx)
        else:
            self.visit(node.func, ctx)
            self.visit_all(node.args, ctx)
        self.attribute.pop()
        self.in_type_hint.pop()
        self.leave(node)

    def _SimpleString(self, node: cst.SimpleString, ctx: int) -> None:
        self.string_annotation(node)
        self.leave(node)

    def _ConcatenatedString(self, node: cst.ConcatenatedString, ctx: int) -> None:
        if not self.string_annotation(node):
            self.visit(node.left, ctx)
            self.visit(node.right, ctx)
        self.leave(node)

    def string_annotation(self, node: cst.SimpleString | cst.ConcatenatedString) -> bool:
        """Walk the code in a string that is an annotation or a type hint, if it parses."""
        if not (self.in_type_hint[-1] or self.in_annotation[-1]) or self.literals:
            return False
        value = node.evaluated_value
        if not value:
            return False
        outermost = self.string is None
        if outermost:
            self.string = node
        try:
            parsed = cst.parse_module(value)
        except cst.ParserSyntaxError:
            pass  # as Python: an annotation that doesn't parse names nothing
        else:
            self.visit(parsed, NONE)
        if outermost:
            self.string = None
        return True


_HANDLED: tuple[type[CSTNode], ...] = (
    cst.Name, cst.Attribute, cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.Assign, cst.AnnAssign,
    cst.AugAssign, cst.NamedExpr, cst.AsName, cst.Del, cst.For, cst.CompFor, cst.Subscript, cst.FunctionDef,
    cst.Lambda, cst.Param, cst.Arg, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp,
    cst.TypeAlias, cst.TypeVar, cst.TypeVarTuple, cst.ParamSpec, cst.Annotation, cst.Call, cst.SimpleString,
    cst.ConcatenatedString,
)  # fmt: skip
