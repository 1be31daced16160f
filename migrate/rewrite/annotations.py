"""Annotations of followed results: `resp: ChatCompletion = ...`, `def ask() -> ChatCompletion:`.

An annotation is understood when every chat type it names (resolved by qualified name, never by
spelling) is one of the kind of value it annotates (rules/annotations.toml), alone or inside
`Optional[...]`, `Union[..., None]`, `... | None` or, for a list kind, `list[...]`; a string
annotation is read the same way. Each chat type is renamed to its Responses type, spelled the
way the module already reaches it (an existing import of it, or `openai.types.responses.X`
through `import openai` when the chat type was spelled that way), or else imported with
`from openai.types.responses import X` where the chat type was imported. Once the planner knows
which calls migrate, `import_edits` adds those imports and drops the chat ones left unused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

import libcst as cst

from migrate.analysis.nodes import code_of, qualified_names
from migrate.analysis.scopes import ImportAssignment, Scope
from migrate.catalog.loader import Annotations

Build = Callable[[cst.CSTNode], cst.CSTNode]
# An edit of an import statement may also drop it, or add lines after it.
StatementBuild = Callable[[cst.CSTNode], cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]]


@dataclass(frozen=True)
class Retype:
    """One type reference (or string annotation) rewritten: `node` is replaced by `build(updated)`."""

    node: cst.CSTNode
    build: Build
    shown: str  # the annotation as written, and as rewritten (for the report)
    new: str
    # `from module import name` this spelling needs, and the import of the chat type near which
    # it goes (a global-scope import statement).
    needs: tuple[tuple[str, str], ...] = ()
    anchor: cst.CSTNode | None = None


@dataclass
class _Rename:
    node: cst.BaseExpression  # a type reference in the tree or in a parsed string annotation
    to: str  # the Responses type's qualified name


@dataclass
class _Target:
    """A node of the tree to replace: a type reference, or a string annotation (`inner` parsed)."""

    node: cst.BaseExpression
    renames: list[_Rename]
    inner: cst.BaseExpression | None = None


@dataclass
class Retyped:
    retypes: list[Retype] = field(default_factory=list)
    why: str | None = None  # not understood: why


class TypeMapper:
    """Decides how an annotation of a value of some kind is rewritten (or why it can't be)."""

    def __init__(self, table: Annotations, scopes: Mapping[cst.CSTNode, Scope | None]) -> None:
        self.table = table
        self.scopes = scopes
        self._taken: dict[str, bool] = {}

    # ------------------------------------------------------------------ public
    def retype(self, annotation: cst.Annotation, kind: str) -> Retyped:
        expr = annotation.annotation
        scope = self.scopes.get(expr)
        if scope is None:
            return Retyped(why="it has no scope information")
        targets = self._match(expr, kind, self._tree_names, scope)
        if targets is None:
            other = self._chat_type_in(expr)
            if other is not None:
                return Retyped(why=f"`{other}` is not the type of this value")
            return Retyped(why="the tool doesn't know this annotation")
        out = Retyped()
        for target in targets:
            retype = self._retype(target, scope)
            if isinstance(retype, str):
                return Retyped(why=retype)
            out.retypes.append(retype)
        return out

    # ------------------------------------------------------------------ matching
    def _match(self, expr, kind: str, names: Callable, scope: Scope, in_string: bool = False) -> list[_Target] | None:
        """The type references to rename when `expr` annotates a value of `kind`, else None."""
        table = self.table.types.get(kind, {})
        if isinstance(expr, cst.SimpleString):
            inner = _parse_string(expr)
            if inner is None or in_string:
                return None
            found = self._match(inner, kind, _text_names(scope), scope, in_string=True)
            if not found:
                return found
            return [_Target(expr, [r for t in found for r in t.renames], inner)]
        qualified = names(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else set()
        hit = sorted(qualified & table.keys())
        if hit:
            return [_Target(expr, [_Rename(expr, table[hit[0]])])]
        if qualified & self.table.anything:
            return []
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            return self._union(_or_operands(expr), kind, names, scope, in_string)
        if not isinstance(expr, cst.Subscript) or not isinstance(expr.value, (cst.Name, cst.Attribute)):
            return None
        args = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if len(args) != len(expr.slice):
            return None
        head = names(expr.value)
        generic = sorted(head & table.keys())
        if generic:  # `ParsedChatCompletion[T]`: the type argument is kept
            to = table[generic[0]]
            return [_Target(expr.value, [_Rename(expr.value, to)])] if to in self.table.generic else None
        if head & self.table.optional and len(args) == 1:
            return self._match(args[0], kind, names, scope, in_string)
        if head & self.table.union:
            return self._union(args, kind, names, scope, in_string)
        if head & self.table.sequence and len(args) == 1 and kind in self.table.lists:
            return self._match(args[0], self.table.lists[kind], names, scope, in_string)
        return None

    def _union(self, members: list, kind: str, names: Callable, scope: Scope, in_string: bool) -> list[_Target] | None:
        """`Union[T, None]`, `T | None`: every member but `None` must fit."""
        out: list[_Target] = []
        real = 0
        for member in members:
            if isinstance(member, cst.Name) and member.value == "None":
                continue
            found = self._match(member, kind, names, scope, in_string)
            if found is None:
                return None
            out.extend(found)
            real += 1
        return out if real else None

    def _chat_type_in(self, expr: cst.CSTNode) -> str | None:
        """A chat type (of any kind) the annotation names, as spelled."""
        known = {name for table in self.table.types.values() for name in table}
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Name, cst.Attribute)) and self._tree_names(node) & known:
                return code_of(node).strip()
            stack.extend(node.children)
        return None

    def _tree_names(self, node: cst.CSTNode) -> set[str]:
        return qualified_names(self.scopes, node)

    def spelling(
        self, reference: cst.BaseExpression, qualified: str
    ) -> tuple[cst.BaseExpression, tuple[str, str] | None, cst.CSTNode | None] | str:
        """How to name the Responses type `qualified` where the chat type (or TypedDict) named by
        `reference` is: (the expression, the import it needs or None, the import it goes near),
        or why the tool can't tell."""
        scope = self.scopes.get(reference)
        if scope is None:
            return "it has no scope information"
        return self._spell(_Rename(reference, qualified), scope)

    # ------------------------------------------------------------------ spelling
    def _retype(self, target: _Target, scope: Scope) -> Retype | str:
        needs: list[tuple[str, str]] = []
        anchor = None
        spelled: dict[int, cst.BaseExpression] = {}
        for rename in target.renames:
            spelling = self._spell(rename, scope)
            if isinstance(spelling, str):
                return spelling
            expr, need, where = spelling
            spelled[id(rename.node)] = expr
            if need is not None:
                needs.append(need)
                anchor = anchor or where
        node = target.node
        if isinstance(node, cst.SimpleString):
            assert target.inner is not None
            replaced = target.inner.visit(_Replace(spelled))
            assert isinstance(replaced, cst.BaseExpression)  # _Replace puts expressions for expressions
            text = code_of(replaced).strip()
            if node.quote in text or "\\" in text:
                return f"the rewritten string annotation would need other quotes: {text}"
            new_node: cst.BaseExpression = node.with_changes(value=f"{node.prefix}{node.quote}{text}{node.quote}")
        else:
            new_node = spelled[id(node)]

        def build(updated: cst.CSTNode, new: cst.BaseExpression = new_node) -> cst.CSTNode:
            if isinstance(updated, cst.BaseExpression) and (updated.lpar or updated.rpar):
                return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            return new

        return Retype(node, build, code_of(node).strip(), code_of(new_node).strip(), tuple(needs), anchor)

    def _spell(self, rename: _Rename, scope: Scope):
        """(the expression naming the new type, the import it needs or None, its anchor), or why not."""
        target = rename.to
        module, _, name = target.rpartition(".")
        existing = self._bound_to(target, scope)
        if existing is not None:
            return cst.Name(existing), None, None
        root = _root(rename.node)
        bindings = [a for a in scope[root] if isinstance(a, ImportAssignment)] if root else []
        if root is None or len(bindings) != 1:
            return f"the tool can't tell how `{code_of(rename.node).strip()}` is imported"
        binding = bindings[0]
        if isinstance(rename.node, cst.Attribute) and isinstance(binding.node, cst.Import):
            # `openai.types.chat.ChatCompletion` through `import openai`: `openai.types.responses.X`.
            for prefix in scope.get_qualified_names_for(root):
                if target.startswith(prefix.name + "."):
                    return _dotted(root + target[len(prefix.name) :]), None, None
        if binding.scope is not binding.scope.globals:
            return f"`{code_of(rename.node).strip()}` is imported inside a function or class"
        if self._is_taken(name):
            return f"`{name}` already names something else in this module"
        return cst.Name(name), (module, name), binding.node

    def _bound_to(self, qualified: str, scope: Scope) -> str | None:
        """A global name already bound to `qualified` (`from openai.types.responses import X [as Y]`)."""
        globals_ = scope.globals
        for assignment in globals_.assignments:
            if (
                isinstance(assignment, ImportAssignment)
                and isinstance(assignment.node, cst.ImportFrom)
                and any(q.name == qualified for q in globals_.get_qualified_names_for(assignment.name))
            ):
                return assignment.name
        return None

    def _is_taken(self, name: str) -> bool:
        if name not in self._taken:
            scopes = {id(s): s for s in self.scopes.values() if s is not None}.values()
            self._taken[name] = any(s.assignments[name] or s.accesses[name] for s in scopes)
        return self._taken[name]


# ---------------------------------------------------------------------- imports


def import_edits(
    retypes: Iterable[Retype],
    module: cst.Module,
    scopes: Mapping,
    parents: Mapping,
    replaced: Iterable[cst.CSTNode] = (),
) -> dict[cst.CSTNode, list[StatementBuild]]:
    """The import statements to change for the annotations rewritten: the Responses types each
    needs are imported (beside an existing `from <module> import ...`, or where the chat type was
    imported), and chat type imports no longer used anywhere are dropped. `replaced`: other nodes
    rewritten away (a chat message TypedDict call written as a dict), whose names go too."""
    retypes = list(retypes)
    gone = {r.node for r in retypes} | set(replaced)
    globals_ = scopes.get(module)
    if not gone or globals_ is None:
        return {}
    plan = _ImportPlan(globals_, parents, _statement_order(module))
    plan.removals = _unused_imports(globals_, gone, parents)
    needs: dict[str, set[str]] = {}
    anchors: dict[str, list[cst.CSTNode]] = {}
    for r in retypes:
        for mod, name in r.needs:
            needs.setdefault(mod, set()).add(name)
            if r.anchor is not None:
                anchors.setdefault(mod, []).append(r.anchor)
    for mod in sorted(needs):
        plan.place(mod, needs[mod], anchors.get(mod, []))
    return plan.edits()


@dataclass
class _ImportPlan:
    globals_: Scope
    parents: Mapping
    order: Mapping[cst.CSTNode, int]
    removals: dict[cst.CSTNode, set[str]] = field(default_factory=dict)  # import node -> names to drop
    additions: dict[cst.CSTNode, set[str]] = field(default_factory=dict)  # ImportFrom -> names to add
    converted: dict[cst.CSTNode, str] = field(default_factory=dict)  # emptied ImportFrom -> new module
    inserted: dict[cst.CSTNode, list[tuple[str, list[str]]]] = field(default_factory=dict)  # line -> imports after it

    def place(self, module: str, names: set[str], anchors: list[cst.CSTNode]) -> None:
        """Import `names` from `module`: into an existing `from module import ...`, else in place of
        the first chat import they replace when it is left empty, else on the line after it."""
        existing = _import_from(self.globals_, module, self.order)
        if existing is not None:
            self.additions.setdefault(existing, set()).update(names)
            return
        anchor = min(anchors, key=lambda n: self.order.get(n, 0), default=None)
        if anchor is None:
            return
        if self._emptied(anchor) and anchor not in self.converted and isinstance(anchor, cst.ImportFrom):
            self.converted[anchor] = module
            self.additions.setdefault(anchor, set()).update(names)
        else:
            self.inserted.setdefault(self.parents[anchor], []).append((module, sorted(names)))

    def _emptied(self, node: cst.CSTNode) -> bool:
        return node in self.removals and _all_removed(node, self.removals[node])

    def edits(self) -> dict[cst.CSTNode, list[StatementBuild]]:
        edits: dict[cst.CSTNode, list[StatementBuild]] = {}
        gone: set[cst.CSTNode] = set()  # whole lines whose only import is dropped
        for node in sorted(set(self.removals) | set(self.additions), key=lambda n: self.order.get(n, 0)):
            remove = self.removals.get(node, set())
            add = self.additions.get(node, set())
            if remove and not add and _all_removed(node, remove):
                line = self.parents.get(node)
                if _commented(line) or (not _removable(line, self.parents) and line not in self.inserted):
                    continue  # keep the unused import rather than lose a comment or empty a block
                if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                    gone.add(line)
                    continue
            module = self.converted.get(node)
            edits.setdefault(node, []).append(
                partial(_edit_import, remove=frozenset(remove), add=sorted(add), module=module)
            )
        for line in gone - self.inserted.keys():
            edits.setdefault(line, []).append(lambda updated: cst.RemoveFromParent())
        for line, statements in self.inserted.items():
            new_lines = [_import_line(module, names) for module, names in statements]
            edits.setdefault(line, []).append(partial(_insert_after, new_lines=new_lines, replace=line in gone))
        return edits


def _import_line(module: str, names: list[str]) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        body=[cst.ImportFrom(module=_dotted(module), names=[cst.ImportAlias(cst.Name(n)) for n in names])]
    )


def _insert_after(
    line: cst.CSTNode, new_lines: list[cst.SimpleStatementLine], replace: bool
) -> cst.FlattenSentinel[cst.CSTNode]:
    """The new import lines after `line`, or instead of it (keeping what was written above it)."""
    if not replace:
        return cst.FlattenSentinel([line, *new_lines])
    assert isinstance(line, cst.SimpleStatementLine)
    first = new_lines[0].with_changes(leading_lines=line.leading_lines)
    return cst.FlattenSentinel([first, *new_lines[1:]])


def _unused_imports(globals_: Scope, replaced: set, parents: Mapping) -> dict[cst.CSTNode, set[str]]:
    """Global imported names every use of which is in a rewritten annotation."""
    if globals_.assignments["__all__"]:
        return {}  # the names may be re-exported
    out: dict[cst.CSTNode, set[str]] = {}
    for assignment in globals_.assignments:
        if not (isinstance(assignment, ImportAssignment) and isinstance(assignment.node, (cst.ImportFrom, cst.Import))):
            continue
        uses = [access.node for access in assignment.references]
        if uses and all(_inside(use, replaced, parents) for use in uses):
            out.setdefault(assignment.node, set()).add(assignment.name)
    return out


def _inside(node: cst.CSTNode, replaced: set, parents: Mapping) -> bool:
    current: cst.CSTNode | None = node
    while current is not None:
        if current in replaced:
            return True
        current = parents.get(current)
    return False


def _all_removed(node: cst.CSTNode, names: set[str]) -> bool:
    assert isinstance(node, (cst.Import, cst.ImportFrom))
    if isinstance(node.names, cst.ImportStar):
        return False
    return all(_bound_name(alias) in names for alias in node.names)


def _commented(line: cst.CSTNode | None) -> bool:
    return isinstance(line, cst.SimpleStatementLine) and line.trailing_whitespace.comment is not None


def _removable(line: cst.CSTNode | None, parents: Mapping) -> bool:
    """A whole import line may go: no comment above it, and not the only statement of its block."""
    if not isinstance(line, cst.SimpleStatementLine):
        return False
    if any(empty.comment is not None for empty in line.leading_lines):
        return False
    block = parents.get(line)
    body = getattr(block, "body", ())
    return isinstance(block, cst.Module) or len(body) > 1


def _edit_import(
    node: cst.CSTNode, remove: frozenset[str], add: list[str], module: str | None
) -> cst.CSTNode | cst.RemovalSentinel:
    """Drop the names `remove`, add `add`, and (when converted in place) change the module."""
    assert isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar)
    original = list(node.names)
    kept = [alias for alias in original if _bound_name(alias) not in remove]
    if not kept and not add:
        return cst.RemoveFromParent()
    present = {_bound_name(alias) for alias in kept}
    aliases = kept + [cst.ImportAlias(cst.Name(name)) for name in add if name not in present]
    between = original[-2].comma if len(original) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fixed = []
    for i, alias in enumerate(aliases):
        if i == len(aliases) - 1:
            comma = original[-1].comma  # a trailing comma (in parentheses) or nothing
        elif isinstance(alias.comma, cst.Comma) and alias is not original[-1]:
            comma = alias.comma
        else:
            comma = between
        fixed.append(alias.with_changes(comma=comma))
    if module is None or not isinstance(node, cst.ImportFrom):
        return node.with_changes(names=fixed)
    return node.with_changes(names=fixed, module=_dotted(module), relative=[])


def _import_from(globals_: Scope, module: str, order: Mapping) -> cst.ImportFrom | None:
    """The first global `from <module> import a, b` (no star, not relative)."""
    found = []
    for assignment in globals_.assignments:
        node = assignment.node if isinstance(assignment, ImportAssignment) else None
        if (
            isinstance(node, cst.ImportFrom)
            and not node.relative
            and node.module is not None
            and code_of(node.module).strip() == module
            and not isinstance(node.names, cst.ImportStar)
        ):
            found.append(node)
    return min(found, key=lambda n: order.get(n, 0), default=None)


def _statement_order(module: cst.Module) -> dict[cst.CSTNode, int]:
    order: dict[cst.CSTNode, int] = {}
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.ImportFrom, cst.Import)):
            order[node] = len(order)
            continue
        if isinstance(node, cst.BaseExpression):
            continue
        stack.extend(reversed(node.children))
    return order


# ---------------------------------------------------------------------- helpers


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return code_of(alias.name).strip()


def _dotted(name: str) -> cst.Attribute | cst.Name:
    expr = cst.parse_expression(name)
    assert isinstance(expr, (cst.Attribute, cst.Name))
    return expr


def _root(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _or_operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return _or_operands(expr.left) + _or_operands(expr.right)
    return [expr]


def _parse_string(node: cst.SimpleString) -> cst.BaseExpression | None:
    if any(c in node.prefix.lower() for c in "bf") or node.quote not in ('"', "'"):
        return None
    text = node.evaluated_value
    if not isinstance(text, str):
        return None
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None


def _text_names(scope: Scope) -> Callable[[cst.CSTNode], set[str]]:
    """Qualified names of a node of a parsed string annotation, looked up by its dotted text."""

    def names(node: cst.CSTNode) -> set[str]:
        text = code_of(node).strip()
        if not text.replace(".", "").replace("_", "").isalnum():
            return set()
        return {q.name for q in scope.get_qualified_names_for(text)}

    return names


class _Replace(cst.CSTTransformer):
    """Replace the nodes of a parsed string annotation (by identity) with their new spelling."""

    def __init__(self, spelled: dict[int, cst.BaseExpression]) -> None:
        self.spelled = spelled

    def on_leave(self, original_node, updated_node):
        return self.spelled.get(id(original_node), updated_node)
