"""Where the messages of a `messages=` value built elsewhere come from.

A message list the call does not spell out (`messages=build(question)`, `[system] + history`,
`messages=history` grown in a loop) may still be one the tool can read: every message that
can end up in it is then a dict literal it sees (or a call of one of the SDK's message
TypedDicts, `ChatCompletionUserMessageParam(role=..., content=...)`, which builds one: the
caller converts it as that dict). `message_sources` collects them by following the value
through:

* list and tuple literals, their elements (a dict literal, or a name bound once to one and
  used nowhere but in lists and `.append(...)`), and their `*unpacked` lists;
* `+` of two lists;
* a name bound once, and every use of it: `.append(...)`, `.insert(i, ...)`, `.extend(...)`,
  `+= ...` add what they add; `len()`, `.pop()`, `.clear()`, `+`, `*name` in a list and
  `messages=name` on a recognised call read it; `return name` of a function's own list. Any
  other use (iterated, passed to a function, stored) may change its messages unseen;
* a call of a function of the module (not a method, not decorated, no `yield`) whose every
  return gives such a list, and whose body ends with a `return` (or a `raise`).

What the tool can't see is `unseen`, with why: a parameter (its callers fill it), an attribute
or item (`st.session_state.messages`), a call of a method or of another module's function
(`prompt.compile()`), a comprehension of plain `{"role": ..., "content": ...}` dicts. What
shows that the list can't be passed on as it is, or can't be followed at all, is `refused`.
The caller decides what each message needs (see migrate/rewrite/request.py): nothing here
changes a tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.nodes import DictView, code_of, describe_use, short_code
from migrate.analysis.scopes import Assignment, ImportAssignment

_MAX_DEPTH = 12
_READS = ("pop", "clear", "copy", "count", "index")
_PLAIN_KEYS = {"role", "content"}


@dataclass
class Sources:
    # Every message dict literal that can end up in the list, where it is written (or a call of
    # one of the SDK's message TypedDicts, which builds one).
    messages: list[cst.Dict | cst.Call] = field(default_factory=list)
    # Parts of the list the tool can't see, each a phrase saying why.
    unseen: list[str] = field(default_factory=list)
    # Why the list can't be passed on (or followed) at all: the first reason found.
    refused: str | None = None
    # The annotations the list passes through: of a name bound to it (`history: list[...] = ...`)
    # and of a function returning it (`def build() -> list[...]`), with the name annotated.
    annotations: list[tuple[str, cst.Annotation]] = field(default_factory=list)


def message_sources(
    node: cst.BaseExpression,
    scopes: Mapping,
    parents: Mapping[cst.CSTNode, cst.CSTNode],
    site_calls: set,
    constructors: frozenset[str] = frozenset(),
) -> Sources:
    """What the list `node` (a `messages=` value) is proven to hold, or why not. `constructors`:
    the spellings of the SDK's message TypedDicts, a call of which is a message as a dict is."""
    collector = _Collector(scopes, parents, site_calls, constructors)
    collector.list_value(node, 0)
    return collector.out


class _Collector:
    def __init__(
        self,
        scopes: Mapping,
        parents: Mapping[cst.CSTNode, cst.CSTNode],
        site_calls: set,
        constructors: frozenset[str] = frozenset(),
    ) -> None:
        self.constructors = constructors
        self.scopes = scopes
        self.parents = parents
        self.site_calls = site_calls
        self.out = Sources()
        self.followed: set[int] = set()  # the bindings and functions already followed
        self.followed_names: set[tuple[str, str]] = set()  # the attributes already followed

    def position(self, node: cst.CSTNode) -> int:
        position_of = getattr(self.parents, "position_of", None)
        return position_of(node) if position_of is not None else 0

    def refuse(self, why: str) -> None:
        if self.out.refused is None:
            self.out.refused = why

    def unseen(self, why: str) -> None:
        if why not in self.out.unseen:
            self.out.unseen.append(why)

    # ------------------------------------------------------------------ lists
    def list_value(self, node: cst.BaseExpression, depth: int) -> None:
        if self.out.refused is not None:
            return
        if depth > _MAX_DEPTH:
            self.refuse(f"`{short_code(node)}` is built too deep for the tool to follow")
        elif isinstance(node, (cst.List, cst.Tuple)):
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    self.list_value(element.value, depth + 1)
                else:
                    self.message(element.value, depth + 1)
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            self.list_value(node.left, depth + 1)
            self.list_value(node.right, depth + 1)
        elif isinstance(node, cst.Name):
            self.name(node, depth)
        elif isinstance(node, cst.Call):
            self.call(node, node, depth)
        elif isinstance(node, cst.Await) and isinstance(node.expression, cst.Call):
            self.call(node.expression, node, depth)
        elif isinstance(node, cst.ListComp):
            self.comprehension(node)
        elif isinstance(node, (cst.GeneratorExp, cst.SetComp, cst.Set, cst.Dict, cst.DictComp)):
            self.refuse(f"`{short_code(node)}` is not a list (Responses `input` must be one)")
        elif isinstance(node, cst.Attribute):
            self.unseen(f"`{short_code(node)}` is filled where the tool can't see")
            self.attribute(node, depth)
        elif isinstance(node, cst.Subscript):
            self.unseen(f"`{short_code(node)}` is filled where the tool can't see")
        elif isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer)):
            self.refuse(f"`{short_code(node)}` is not a list")
        else:
            self.unseen(f"`{short_code(node)}` is not a value the tool follows")

    def comprehension(self, node: cst.ListComp) -> None:
        view = DictView.of(node.elt)
        if view is not None and view.keys() <= _PLAIN_KEYS:
            self.unseen(f"`{short_code(node)}` builds its messages from values the tool can't check")
        elif isinstance(node.elt, cst.Dict):
            extra = sorted((view.keys() if view is not None else set()) - _PLAIN_KEYS) or ["**"]
            self.refuse(f"`{short_code(node)}` builds messages with `{extra[0]}`, which change shape")
        else:
            self.unseen(f"`{short_code(node)}` builds its messages from values the tool can't check")

    # ------------------------------------------------------------------ messages
    def message(self, node: cst.BaseExpression, depth: int) -> None:
        if isinstance(node, cst.Dict) or self.constructed(node):
            assert isinstance(node, (cst.Dict, cst.Call))
            self.out.messages.append(node)
            return
        if isinstance(node, cst.Name):
            assignment = self.only_binding(node)
            target = assignment.node if assignment is not None else None
            if isinstance(target, cst.Param):
                self.unseen(f"the message `{node.value}` is a parameter, filled by its callers")
                return
            value = self.assigned(target) if target is not None else None
            if isinstance(value, cst.Dict) and assignment is not None and self.message_uses(assignment, node.value):
                if id(value) not in {id(m) for m in self.out.messages}:
                    self.out.messages.append(value)
                return
            if self.out.refused is None and value is not None and self.constructed(value):
                self.refuse(
                    f"the message `{node.value}` is bound to `{short_code(value)}`: a TypedDict call is"
                    " converted where a list holds it, not through a name"
                )
            elif self.out.refused is None:
                self.refuse(f"the message `{node.value}` is not a dict literal bound once and left as it is")
            return
        self.refuse(f"the message `{short_code(node)}` is not a dict the tool can check")

    def constructed(self, node: cst.BaseExpression) -> bool:
        """A call of one of the SDK's message TypedDicts: it builds a message dict."""
        return isinstance(node, cst.Call) and code_of(node.func).strip() in self.constructors

    def message_uses(self, assignment: Assignment, shown: str) -> bool:
        """A message dict given by name is left as it is: it is only put in lists."""
        for node in sorted((a.node for a in assignment.references), key=self.position):
            parent = self.parents.get(node)
            if isinstance(parent, cst.Element) and isinstance(self.parents.get(parent), (cst.List, cst.Tuple)):
                continue
            if isinstance(parent, cst.Arg) and self._method_of(parent) in ("append", "insert"):
                continue
            if isinstance(parent, cst.FormattedStringExpression):
                continue  # `f"... {message}"`: only read
            self.refuse(f"the message {describe_use(parent, shown)}")
            return False
        return True

    def _method_of(self, arg: cst.Arg) -> str | None:
        call = self.parents.get(arg)
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and arg.keyword is None:
            return call.func.attr.value
        return None

    # ------------------------------------------------------------------ names
    def only_binding(self, name: cst.Name) -> Assignment | None:
        """The assignment `name` refers to, when its scope binds the name once (`+=` aside)."""
        scope = self.scopes.get(name)
        if scope is None:
            return None
        accesses = [a for a in scope.accesses[name] if a.node is name]
        if len(accesses) != 1 or not accesses[0].referents:
            return None
        referents = accesses[0].referents
        if not all(isinstance(r, Assignment) for r in referents):
            return None
        everything = next(iter(referents)).scope.assignments[name.value]
        plain = [a for a in everything if not (isinstance(a, Assignment) and self.augmented(a))]
        if len(plain) != 1 or not all(r is plain[0] or self.augmented(r) for r in referents):
            return None
        return plain[0]

    def augmented(self, assignment: Assignment) -> bool:
        """`x += [...]` changes the list in place: not another value."""
        return isinstance(self.parents.get(assignment.node), cst.AugAssign)

    def assigned(self, target: cst.CSTNode) -> cst.BaseExpression | None:
        parent = self.parents.get(target)
        if isinstance(parent, cst.AssignTarget) and parent.target is target:
            statement = self.parents.get(parent)
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                return statement.value
        if isinstance(parent, cst.AnnAssign) and parent.target is target:
            return parent.value
        return None

    def name(self, node: cst.Name, depth: int) -> None:
        assignment = self.only_binding(node)
        if assignment is None:
            scope = self.scopes.get(node)
            accesses = [a for a in scope.accesses[node] if a.node is node] if scope is not None else []
            referents = accesses[0].referents if len(accesses) == 1 else set()
            if referents and all(isinstance(r, ImportAssignment) for r in referents):
                self.unseen(f"`{node.value}` is imported from another module")
            else:
                self.refuse(f"`{node.value}` is not bound once in its scope")
            return
        if id(assignment) in self.followed:
            return
        self.followed.add(id(assignment))
        target = assignment.node
        if isinstance(target, cst.Param):
            self.unseen(f"`{node.value}` is a parameter, filled by its callers")
        elif isinstance(assignment, ImportAssignment):
            self.unseen(f"`{node.value}` is imported from another module")
        else:
            value = self.assigned(target)
            if value is None:
                self.refuse(f"`{node.value}` is not assigned a value the tool follows")
                return
            statement = self.parents.get(target)
            if isinstance(statement, cst.AnnAssign):
                self.out.annotations.append((node.value, statement.annotation))
            self.list_value(value, depth + 1)
        adds = [a for a in assignment.scope.assignments[node.value] if a is not assignment]
        for add in adds:  # `name += [...]`: a binding, not a read, that adds what it adds
            added = getattr(add, "node", None)
            if isinstance(added, cst.Name) and isinstance(self.parents.get(added), cst.AugAssign):
                self.list_use(added, assignment, depth)
            else:
                self.refuse(f"`{node.value}` is not bound once in its scope")
            if self.out.refused is not None:
                return
        uses = {id(a.node): a.node for binding in (assignment, *adds) for a in binding.references}
        for use in sorted(uses.values(), key=self.position):
            if self.out.refused is not None:
                return
            if not isinstance(use, cst.Name):
                self.refuse(f"`{node.value}` is used in a way the tool does not follow")
                return
            self.list_use(use, assignment, depth)

    def list_use(self, node: cst.Name, assignment: Assignment, depth: int) -> None:
        shown = node.value
        parent = self.parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            call = self.parents.get(parent)
            method = parent.attr.value
            if not (isinstance(call, cst.Call) and call.func is parent):
                self.refuse(f"`{shown}` is read as `.{method}`")
                return
            args = [a.value for a in call.args if a.keyword is None and not a.star]
            if len(args) != len(call.args):
                self.refuse(f"`{shown}` is changed by `.{method}(...)` with keyword or unpacked arguments")
            elif not self.added(method, args, depth) and method not in _READS:
                self.refuse(f"`{shown}` is changed by `.{method}(...)` in a way the tool does not follow")
            return
        if isinstance(parent, cst.AugAssign) and parent.target is node:
            if isinstance(parent.operator, cst.AddAssign):
                self.list_value(parent.value, depth + 1)
            else:
                self.refuse(f"`{shown}` is changed with `{parent.operator.__class__.__name__}`")
            return
        if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Add):
            return  # a new list: this one is left as it is
        if isinstance(parent, cst.Subscript) and parent.value is node:
            if not _only_read(parent, self.parents):
                self.refuse(f"`{shown}` is changed through `{short_code(parent)}`")
            return  # `history[-1]["content"]`: read by index
        if isinstance(parent, cst.StarredElement):
            return
        if isinstance(parent, cst.Arg):
            call = self.parents.get(parent)
            if isinstance(call, cst.Call):
                if isinstance(call.func, cst.Name) and call.func.value == "len" and parent.keyword is None:
                    return
                if call in self.site_calls and parent.keyword is not None and parent.keyword.value == "messages":
                    return
        if isinstance(parent, cst.Return) and isinstance(getattr(assignment.scope, "node", None), cst.FunctionDef):
            return  # the function's own list, made anew by each call
        if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Attribute) and ("attribute", target.attr.value) in self.followed_names:
                return  # stored in the attribute followed: what is put there is seen
        self.refuse(describe_use(parent, shown))

    def added(self, method: str, args: list[cst.BaseExpression], depth: int) -> bool:
        """`.append(m)`, `.insert(i, m)`, `.extend(ms)`: what they add is followed. False for any
        other method."""
        if method == "append" and len(args) == 1:
            self.message(args[0], depth + 1)
        elif method == "insert" and len(args) == 2:
            self.message(args[1], depth + 1)
        elif method == "extend" and len(args) == 1:
            self.list_value(args[0], depth + 1)
        else:
            return False
        return True

    def attribute(self, node: cst.Attribute, depth: int) -> None:
        """`self.history`, `st.session_state.messages`: what the module puts in an attribute of
        that name, wherever it does, is seen (`.append(...)`, `+=`, `=`), and must be plain too."""
        name = node.attr.value
        if ("attribute", name) in self.followed_names:
            return
        self.followed_names.add(("attribute", name))
        for other in list(self.parents):
            if self.out.refused is not None:
                return
            if not isinstance(other, cst.Attribute) or other is node or other.attr.value != name:
                continue
            parent = self.parents.get(other)
            if isinstance(parent, cst.AssignTarget) and parent.target is other:
                statement = self.parents.get(parent)
                if isinstance(statement, cst.Assign):
                    self.list_value(statement.value, depth + 1)
            elif isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is other:
                if parent.value is not None:
                    self.list_value(parent.value, depth + 1)
            elif isinstance(parent, cst.Attribute) and parent.value is other:
                call = self.parents.get(parent)
                if not (isinstance(call, cst.Call) and call.func is parent):
                    continue
                args = [a.value for a in call.args if a.keyword is None and not a.star]
                self.added(parent.attr.value, args, depth)

    # ------------------------------------------------------------------ calls
    def call(self, call: cst.Call, value: cst.BaseExpression, depth: int) -> None:
        func = call.func
        definition = None
        if isinstance(func, cst.Name):
            assignment = self.only_binding(func)
            if assignment is not None and isinstance(assignment.node, cst.FunctionDef):
                definition = assignment.node
        if definition is None:
            self.unseen(f"`{short_code(call)}` returns messages the tool can't see")
            return
        awaited = isinstance(value, cst.Await)
        if definition.decorators or (definition.asynchronous is not None) != awaited:
            self.unseen(f"`{short_code(call)}` returns messages the tool can't see")
            return
        if id(definition) in self.followed:
            return
        self.followed.add(id(definition))
        returns = _returns(definition.body)
        if _yields(definition.body):
            self.refuse(f"`{definition.name.value}` is a generator")
            return
        if not returns or any(r.value is None for r in returns) or not _ends(definition.body):
            self.refuse(f"`{definition.name.value}()` may return something other than a list")
            return
        if definition.returns is not None:
            self.out.annotations.append((f"{definition.name.value}()", definition.returns))
        for r in returns:
            assert r.value is not None
            self.list_value(r.value, depth + 1)


def _only_read(subscript: cst.Subscript, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    """`x[i]` (and `x[i][k]`...) only read: not assigned, deleted, nor a method called on it."""
    node: cst.CSTNode = subscript
    parent = parents.get(node)
    while isinstance(parent, cst.Subscript) and parent.value is node:
        node, parent = parent, parents.get(parent)
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.Del, cst.Attribute)):
        return False
    return not (isinstance(parent, cst.AnnAssign) and parent.target is node)


def _returns(body: cst.CSTNode) -> list[cst.Return]:
    """The `return` statements of a function body (not of nested functions)."""
    found, stack = [], [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Return):
            found.append(node)
            continue
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and node is not body:
            continue
        stack.extend(node.children)
    return found


def _yields(body: cst.CSTNode) -> bool:
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Yield):
            return True
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        stack.extend(node.children)
    return False


def _ends(body: cst.BaseSuite) -> bool:
    """The body's last statement returns or raises: the function never falls off its end."""
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return isinstance(body, cst.SimpleStatementSuite) and isinstance(body.body[-1], (cst.Return, cst.Raise))
    last = body.body[-1]
    return isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], (cst.Return, cst.Raise))
