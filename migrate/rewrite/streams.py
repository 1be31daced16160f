"""Loops over a stream that use only its text, in the form a person writes for Responses
(docs/api-mapping.md#streams; the data is `_text_loop` in rules/results.toml).

A `for` loop over a chat stream whose body reads each chunk only for its text
(`chunk.choices[0].delta.content`, also through `delta = chunk.choices[0].delta` or a name
bound to the text) keeps only the `response.output_text.delta` events and reads their `delta`,
a str, once per read:

    for chunk in stream:                          for chunk in stream:
        if not chunk.choices:                         if chunk.type != "response.output_text.delta":
            continue                                      continue
        print(chunk.choices[0].delta.content or "")   print(chunk.delta)

That keeps the program's behaviour when a chunk with no text does nothing in chat. Chat sends
such chunks (the first with `""`, the last with None, the usage chunk and Azure's filter chunk
with no choices); the loop must skip them, or do nothing with them:

* a test of `chunk.choices` (`if chunk.choices:`, `not chunk.choices`, `len(chunk.choices) > 0`)
  or `chunk.choices[0].finish_reason is None` ("not the last chunk", which is the chunk with
  None) is allowed only where it skips chunks: in the first statement, `if ...: continue`, or
  in the test of an `if` that is the whole body. It becomes the event-type test;
* every other statement run for a chunk with no text (None or `""`; only `""` behind a
  `finish_reason is None` test) does nothing with it: a name bound to the text, an `if` whose
  test starts with a test that the text is there (truth, `is not None`), `print(text or "",
  end="")`, `x += text or ""`, `pass`, `continue`.

Any other loop is left to the read-by-read rewrite (results.py), which keeps every event; a
loop that tests `choices` / `finish_reason` and does more is reported (RSP315) where that
rewrite stops at the test. Two helpers make that rewrite's output read as a person's:

* narrowed: a read that is None on the other events (`chunk.usage`, the text), tested by an
  `if` (or first of an `and`), tests the event type and then the value; the same read in that
  `if`'s body, or later in the `and`, is the event's value (`narrow` in rules/results.toml);
* redundant_guard: `chunk.choices and <a test of the text>` tested for truth loses its guard,
  which the text's test (now of the event type) already implies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrate.analysis.nodes import code_of, truth_tested
from migrate.analysis.scopes import Assignment
from migrate.catalog.findings import Finding
from migrate.catalog.loader import Segment, TextLoop, format_path
from migrate.rewrite.edits import Edit

_PRESENT, _ABSENT = True, False  # an atom's polarity: true when the chunk has text / has none


@dataclass
class Planned:
    edits: list[Edit] = field(default_factory=list)
    fixes: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class GuardRefused:
    """A loop that tests `choices` / `finish_reason` to skip chunks, but does more than use
    the text: the test has a Responses counterpart only where the text's test makes it
    redundant (redundant_guard)."""

    guards: tuple[cst.CSTNode, ...]  # every such test
    why: str


def plan_text_loop(
    loop: cst.For, spec: TextLoop, scopes: Mapping, parents: Mapping, line: Callable[[cst.CSTNode], int]
) -> Planned | GuardRefused | None:
    """The edits that make `loop` keep only text events; GuardRefused when its body does more and
    tests `choices` / `finish_reason`; None when it does more (the reads are then followed one
    by one)."""
    if not (isinstance(loop.target, cst.Name) and isinstance(loop.body, _BODIES)):
        return None
    planner = _TextLoop(loop, spec, scopes, parents, line)
    if loop.orelse:
        return planner.refused("the loop has an `else`")
    return planner.plan()


class _TextLoop:
    def __init__(
        self, loop: cst.For, spec: TextLoop, scopes: Mapping, parents: Mapping, line: Callable[[cst.CSTNode], int]
    ) -> None:
        assert isinstance(loop.target, cst.Name) and isinstance(loop.body, _BODIES)
        self.loop, self.spec, self.scopes, self.parents, self.line = loop, spec, scopes, parents, line
        self.guards: list[cst.CSTNode] = []  # every test of `choices` / `finish_reason` seen
        self.why: str | None = None  # why a read of the text can't be rewritten, if known
        self.var = loop.target.value
        self.body: list[cst.CSTNode] = list(loop.body.body)  # statements; small ones on one line
        self.texts: set[cst.CSTNode] = set()  # reads of the text, rewritten to `<var>.<field>`
        self.named: set[cst.CSTNode] = set()  # reads of names bound to the text
        self.removed: set[int] = set()  # `delta = chunk.choices[0].delta` statements
        self.atoms: dict[cst.CSTNode, bool] = {}  # tests of `choices` / `finish_reason`
        self.finish = False  # a `finish_reason is None` test filters the chunks
        self.rebuilt: set[cst.CSTNode] = set()  # reads that are a whole test the guard rebuilds

    # ------------------------------------------------------------------ what the loop reads
    def plan(self) -> Planned | GuardRefused | None:
        assert isinstance(self.loop.target, cst.Name)
        reads = self._reads(self.loop.target, loops=True)
        if reads is None or not reads:
            return None
        failed = [read for read in reads if not self._classify(read)]
        if failed:
            top = _chain_top(failed[0], self.parents)
            return self.refused(self.why or f"it also reads `{code_of(top).strip()}` (line {self.line(top)})")
        rest = [i for i in range(len(self.body)) if i not in self.removed]
        if not self.texts or not rest:
            return self.refused("it reads no text")
        out = Planned(fixes=[Finding.of(self.spec.fix, **dict(self.spec.fix_args))])
        first = self.body[rest[0]]
        checked: list[cst.CSTNode]
        if isinstance(first, cst.If) and _exits(first) and self._guard(first.test, cst.Or, _ABSENT, out):
            checked = [] if self._tests_text(first.test, cst.Or, _ABSENT) else [self.body[i] for i in rest[1:]]
            shape = "guarded"
        elif len(rest) == 1 and isinstance(first, cst.If) and first.orelse is None:
            if not self._guard(first.test, cst.And, _PRESENT, out):
                return self.refused(_SHAPE)
            checked = [] if self._tests_text(first.test, cst.And, _PRESENT) else list(first.body.body)
            shape = "guarded"
        elif not self.atoms:
            checked = [self.body[i] for i in rest]
            shape = "wrapped" if len(rest) == 1 else "filtered"
        elif isinstance(first, cst.If) and first.orelse is not None:
            return self.refused(f"the `if` at line {self.line(first)} has an `else`")
        elif isinstance(first, cst.If) and _leaves(first):
            return self.refused(f"the `if` at line {self.line(first)} leaves the loop")
        else:
            return self.refused(_SHAPE)
        if self.atoms:  # a test of `choices` / `finish_reason` left anywhere but the guard
            return self.refused(_SHAPE)
        busy = self._busy(checked)
        if busy is not None:
            shown = [t for t in self.texts | self.named if _inside(t, busy, self.parents) and not self._or_blank(t)]
            if shown:
                return self.refused(f"line {self.line(busy)} uses the text where chat's last chunk has None")
            return self.refused(f"line {self.line(busy)} also runs for a chunk with no text")
        for text in self.texts - self.rebuilt:
            out.edits.append(Edit(text, self._text_build))
            self._or_empty(text, out)
        for named in self.named:
            self._or_empty(named, out)
        out.edits.append(Edit(self.loop.body, lambda updated: self._body(updated, shape)))
        return out

    def refused(self, why: str) -> GuardRefused | None:
        """GuardRefused, naming the first test of `choices` / `finish_reason`; None without one."""
        if not self.guards:
            return None
        return GuardRefused(tuple(self.guards), why)

    def _reads(self, target: cst.Name, loops: bool = False) -> list[cst.Name] | None:
        """Every read of the name `target` binds, all inside the loop's body; None if the name
        is bound anywhere else or read elsewhere. With `loops`, the name may also be the
        variable of other loops, outside this one: a read in this loop's body sees this
        loop's item, one in theirs their items."""
        scope = self.scopes.get(target)
        if scope is None:
            return None
        bound = list(scope.assignments[target.value])
        ours = [a for a in bound if isinstance(a, Assignment) and a.node is target]
        others = [a for a in bound if a not in ours]
        if len(ours) != 1 or not all(loops and self._other_loop(a) is not None for a in others):
            return None
        reads = []
        for access in ours[0].references:
            node = access.node
            if not isinstance(node, cst.Name) or any(not isinstance(r, Assignment) for r in access.referents):
                return None
            if self._in_body(node):
                reads.append(node)
            elif not any(_inside(node, self._other_loop(a), self.parents) for a in others):
                return None
        return reads

    def _other_loop(self, assignment: object) -> cst.For | None:
        """The `for` loop, outside this one and not around it, whose variable `assignment` binds."""
        node = getattr(assignment, "node", None)
        loop = self.parents.get(node) if node is not None else None
        if not (isinstance(loop, cst.For) and loop.target is node):
            return None
        if _inside(loop, self.loop.body, self.parents) or _inside(self.loop, loop, self.parents):
            return None
        return loop

    def _in_body(self, node: cst.CSTNode | None) -> bool:
        """Is `node` in the loop's body, and not in a function or lambda there (which may run
        after the loop, and see the last chunk)?"""
        while node is not None and node is not self.loop:
            if node is self.loop.body:
                return True
            if isinstance(node, (cst.Lambda, cst.FunctionDef)):
                return False
            node = self.parents.get(node)
        return False

    def _statement_index(self, node: cst.CSTNode | None) -> int | None:
        """The index of the body statement that holds `node`."""
        while node is not None:
            parent = self.parents.get(node)
            if parent is self.loop.body:
                return next(i for i, statement in enumerate(self.body) if statement is node)
            node = parent
        return None

    def _classify(self, read: cst.Name) -> bool:
        segments: list[Segment] = []
        node: cst.CSTNode = read
        parent = self.parents.get(node)
        while isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is node:
            segments.append(_segment(parent))
            node, parent = parent, self.parents.get(parent)
            path = tuple(segments)
            if path == self.spec.text:
                return self._text(node)
            if path == self.spec.delta and not isinstance(parent, (cst.Attribute, cst.Subscript)):
                return self._delta(node)
            if path == self.spec.choices and not (isinstance(parent, cst.Subscript) and parent.value is node):
                return self._choices(node)
            if path == self.spec.finish:
                return self._finish(node)
        return False

    def _text(self, node: cst.CSTNode) -> bool:
        parent = self.parents.get(node)
        if isinstance(parent, (cst.Attribute, cst.Subscript, cst.Call)) and _chained(parent, node):
            return False
        self.texts.add(node)
        name = _bound_name(parent, node)
        if name is None:
            if isinstance(parent, cst.AugAssign):
                return parent.value is node
            return not isinstance(parent, (cst.NamedExpr, cst.AnnAssign, cst.AssignTarget))
        index = self._statement_index(node)
        reads = self._reads(name)
        if reads is None:
            where = f"line {self.line(name)}"
            self.why = f"`{name.value}`, bound to the text at {where}, is also used outside the loop or bound again"
            return False
        if index is None or self.parents.get(parent) is not self.body[index]:
            return False
        for read in reads:  # read after the binding, in the same pass of the loop
            later = self._statement_index(read)
            if later is None or later <= index:
                return False
            self.named.add(read)
        return True

    def _delta(self, node: cst.CSTNode) -> bool:
        """`delta = chunk.choices[0].delta`, a statement of the body, whose every read is
        `delta.content`: the statement goes, each read is a read of the text."""
        parent = self.parents.get(node)
        if isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation)) or truth_tested(parent, node, self.parents):
            return self._choices(node)  # `chunk.choices[0].delta and ...`: a delta is always there
        name = _bound_name(parent, node)
        index = self._statement_index(node)
        if name is None or index is None:
            return False
        statement = self.body[index]
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return False
        if statement.body[0] is not parent:
            return False
        reads = self._reads(name)
        if not reads:
            return False
        last = self.spec.text[-1][1]
        for read in reads:
            attribute = self.parents.get(read)
            later = self._statement_index(read)
            if not (isinstance(attribute, cst.Attribute) and attribute.value is read and attribute.attr.value == last):
                return False
            if later is None or later <= index or not self._text(attribute):
                return False
        self.removed.add(index)
        return True

    def _choices(self, node: cst.CSTNode) -> bool:
        """`chunk.choices` tested for truth, or `len(chunk.choices)` compared with 0 / 1 (and
        `chunk.choices[0].delta` tested for truth)."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
            self.atoms[parent] = _ABSENT
            self.guards.append(parent)
            return True
        if truth_tested(parent, node, self.parents) or isinstance(parent, cst.BooleanOperation):
            self.atoms[node] = _PRESENT
            self.guards.append(node)
            return True
        call = self.parents.get(parent) if isinstance(parent, cst.Arg) else None
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "len"
            and len(call.args) == 1
            and not call.args[0].star
        ):
            return False
        comparison = self.parents.get(call)
        if not (
            isinstance(comparison, cst.Comparison) and comparison.left is call and len(comparison.comparisons) == 1
        ):
            return False
        target = comparison.comparisons[0]
        if not isinstance(target.comparator, cst.Integer):
            return False
        number = int(target.comparator.value, 0)
        polarity = _LEN_TESTS.get((type(target.operator), number))
        if polarity is None:
            return False
        self.atoms[comparison] = polarity
        self.guards.append(comparison)
        return True

    def _finish(self, node: cst.CSTNode) -> bool:
        """`chunk.choices[0].finish_reason is None` (or `is not None`)."""
        comparison = self.parents.get(node)
        polarity = _none_test(comparison, node)
        if polarity is None or comparison is None:
            return False
        self.atoms[comparison] = not polarity  # `finish_reason is None`: there may be text
        self.guards.append(comparison)
        self.finish = True
        return True

    # ------------------------------------------------------------------ the guard
    def _guard(self, test: cst.BaseExpression, operator: type, polarity: bool, out: Planned) -> bool:
        """A test (`or` of tests for `if ...: continue`, `and` of tests for the body's `if`)
        made of tests of `choices` / `finish_reason` of that polarity, tests of the text, and
        names: rebuilt as the event-type test and the rest."""
        parts = _operands(test, operator)
        kept: list[int] = []
        has_atom = False
        for i, part in enumerate(parts):
            if self.atoms.get(part) is polarity:
                has_atom = True
            elif self._text_test(part, polarity) is not None:
                if self._text_test(part, polarity) == "kept":
                    kept.append(i)
            elif isinstance(part, cst.Name) and operator is cst.And:
                kept.append(i)
            else:
                return False
        if operator is cst.Or and not has_atom and len(kept) == len(parts):
            return False  # `if <not text>: continue` with no test to replace
        for part in parts:
            self.atoms.pop(part, None)
        event = f'{self.var}.type {"==" if polarity else "!="} "{self.spec.event}"'

        kept_read = parts == [test] and test in self.texts  # `if text:`: this edit is the read's too
        if kept_read:
            self.rebuilt.add(test)

        def build(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.BaseExpression)
            now = [self._text_build(updated)] if kept_read else _operands(updated, operator)
            new: cst.BaseExpression = cst.parse_expression(event)
            for i in kept:
                right = now[i]
                assert isinstance(right, cst.BaseExpression)
                new = cst.BooleanOperation(left=new, operator=operator(), right=right)
            if updated.lpar and not kept_read and not (spaced and _multiline(updated)):
                return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)  # `if (a and b):`
            return new  # ruff's `if (\n    a\n    and b\n):` is now one short line

        statement = self.parents.get(test)
        spaced = isinstance(statement, cst.If) and bool(code_of(statement.whitespace_before_test))

        out.edits.append(Edit(test, build))
        return True

    def _text_test(self, part: cst.BaseExpression, polarity: bool) -> str | None:
        """Is `part` a test that the text is there (`polarity`) or not? "kept" for a truth test
        (`text`, `not text`), "dropped" for a None test (the text of a text event is a str)."""
        if polarity and part in self.texts:
            return "kept"
        if not polarity and isinstance(part, cst.UnaryOperation) and isinstance(part.operator, cst.Not):
            return "kept" if part.expression in self.texts else None
        if isinstance(part, cst.Comparison) and part.left in self.texts and _none_test(part, part.left) is polarity:
            return "dropped"
        return None

    def _tests_text(self, test: cst.BaseExpression, operator: type, polarity: bool) -> bool:
        return any(self._text_test(p, polarity) is not None for p in _operands(test, operator))

    # ------------------------------------------------------------------ doing nothing without text
    def _text_value(self, node: cst.CSTNode) -> bool:
        return node in self.texts or node in self.named

    def _present(self, test: cst.BaseExpression) -> bool:
        """Is `test` false when the text is None or ""? (Its first operand tests the text.)"""
        first = _operands(test, cst.And)[0]
        if self._text_value(first):
            return True
        return (
            isinstance(first, cst.Comparison) and self._text_value(first.left) and _none_test(first, first.left) is True
        )

    def _busy(self, statements: list[cst.CSTNode]) -> cst.CSTNode | None:
        """The first statement that does something when the text is None or "" (None: they do
        nothing). What follows `if not text: continue` runs only with the text there."""
        for statement in statements:
            if not self._inert(statement):
                return statement
            if isinstance(statement, cst.If) and _exits(statement) and self._excludes(statement.test):
                return None
        return None

    def _excludes(self, test: cst.BaseExpression) -> bool:
        """Is `test` true when the text is None or ""? (One of its `or` operands tests that.)"""
        for part in _operands(test, cst.Or):
            if isinstance(part, cst.UnaryOperation) and isinstance(part.operator, cst.Not):
                if self._text_value(part.expression):
                    return True
            elif (
                isinstance(part, cst.Comparison)
                and self._text_value(part.left)
                and _none_test(part, part.left) is False
            ):
                return True
        return False

    def _inert(self, statement: cst.CSTNode) -> bool:
        """Does `statement` do nothing when the text is None or ""?"""
        if isinstance(statement, cst.If):
            if statement.orelse is not None:  # the `else` runs without the text
                return False
            return self._present(statement.test) or (_exits(statement) and self._pure(statement.test))
        if isinstance(statement, cst.SimpleStatementLine):
            return all(self._inert_small(s) for s in statement.body)
        return isinstance(statement, cst.BaseSmallStatement) and self._inert_small(statement)

    def _pure(self, test: cst.BaseExpression) -> bool:
        """A test of the text (`not text`, `text is None`) and names: no effect of its own."""
        for part in _operands(test, cst.Or):
            if isinstance(part, cst.UnaryOperation) and isinstance(part.operator, cst.Not):
                part = part.expression
            elif isinstance(part, cst.Comparison) and _none_test(part, part.left) is not None:
                part = part.left
            if not (self._text_value(part) or isinstance(part, cst.Name)):
                return False
        return True

    def _inert_small(self, statement: cst.BaseSmallStatement) -> bool:
        if isinstance(statement, (cst.Pass, cst.Continue)):
            return True
        if isinstance(statement, cst.Assign):
            # A name bound to the text (read only in the loop). Anything else (`state["last"] =`,
            # `ui.text =`, `a = b =`) keeps the text after the loop: chat leaves its last None.
            return statement.value in self.texts and _bound_name(statement, statement.value) is not None
        if isinstance(statement, cst.AugAssign):
            return (
                isinstance(statement.operator, cst.AddAssign)
                and isinstance(statement.target, cst.Name)
                and self._empty(statement.value)
            )
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            return self._prints_nothing(statement.value)
        return False

    def _empty(self, value: cst.BaseExpression) -> bool:
        """Is `value` "" when the text is None or "" (only "" behind a finish-reason filter)?"""
        if self._text_value(value):
            return self.finish
        if isinstance(value, cst.IfExp):  # `"." if text else ""`
            return (
                self._present(value.test)
                and isinstance(value.orelse, cst.SimpleString)
                and value.orelse.evaluated_value == ""
            )
        return (
            isinstance(value, cst.BooleanOperation)
            and isinstance(value.operator, cst.Or)
            and self._text_value(value.left)
            and isinstance(value.right, cst.SimpleString)
            and value.right.evaluated_value == ""
        )

    def _prints_nothing(self, call: cst.Call) -> bool:
        """`print(value, end="")` with `value` empty: prints nothing."""
        if not (isinstance(call.func, cst.Name) and call.func.value == "print"):
            return False
        positional = [a for a in call.args if a.keyword is None]
        if len(positional) != 1 or positional[0].star or not self._empty(positional[0].value):
            return False
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        end = keywords.get("end")
        if not (isinstance(end, cst.SimpleString) and end.evaluated_value == ""):
            return False
        return all(isinstance(v, (cst.Name, cst.Attribute)) for k, v in keywords.items() if k != "end")

    # ------------------------------------------------------------------ building
    def _text_build(self, updated: cst.CSTNode) -> cst.CSTNode:
        new = cst.Attribute(value=cst.Name(self.var), attr=cst.Name(self.spec.field))
        if isinstance(updated, cst.BaseExpression) and updated.lpar:
            return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return new

    def _or_blank(self, read: cst.CSTNode) -> cst.BooleanOperation | None:
        """`read or ""`, if that is where `read` is."""
        parent = self.parents.get(read)
        if (
            isinstance(parent, cst.BooleanOperation)
            and isinstance(parent.operator, cst.Or)
            and parent.left is read
            and isinstance(parent.right, cst.SimpleString)
            and parent.right.evaluated_value == ""
        ):
            return parent
        return None

    def _or_empty(self, read: cst.CSTNode, out: Planned) -> None:
        """`text or ""` is the text itself (a str)."""
        blank = self._or_blank(read)
        if blank is not None:
            out.edits.append(Edit(blank, _left))

    def _body(self, updated: cst.CSTNode, shape: str) -> cst.CSTNode:
        if isinstance(updated, cst.SimpleStatementSuite):
            # `for chunk in stream: print(...)`: the new test needs a block, one statement a line.
            lines = [
                cst.SimpleStatementLine(body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
                for small in updated.body
            ]
            updated = cst.IndentedBlock(body=lines, header=updated.trailing_whitespace)
        assert isinstance(updated, cst.IndentedBlock)
        statements: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for i, statement in enumerate(updated.body):
            if i in self.removed:
                carried.extend(statement.leading_lines)  # type: ignore[attr-defined]
                carried.extend(_comment_lines(statement))
                continue
            if carried:
                statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])  # type: ignore[attr-defined]
                carried = []
            statements.append(statement)
        if shape == "wrapped":
            test = cst.parse_expression(f'{self.var}.type == "{self.spec.event}"')
            only = statements[0]
            inner = only.with_changes(leading_lines=[])
            wrapped = cst.If(test=test, body=cst.IndentedBlock(body=[inner]), leading_lines=only.leading_lines)  # type: ignore[attr-defined]
            statements = [wrapped]
        elif shape == "filtered":
            guard = cst.parse_statement(f'if {self.var}.type != "{self.spec.event}":\n    continue\n')
            statements = [guard, *statements]
        return updated.with_changes(body=statements)


_BODIES = (cst.IndentedBlock, cst.SimpleStatementSuite)

# A comment that speaks to a tool about its own line only (noqa, type: ignore, pyright: ...).
_PRAGMA = re.compile(r"#\s*(noqa|type:|pyright:|pylint:|mypy:|nosec|isort:|ruff:|fmt:|pragma:)")


def _comment_lines(statement: cst.CSTNode) -> list[cst.EmptyLine]:
    """The comments of a statement that goes (`delta = chunk.choices[0].delta  # why`), other
    than those above it, as lines of their own: they stay, above the next statement. A pragma
    (`# noqa`, `# type: ignore`) goes with its line, the only one it was about."""
    comments: list[cst.Comment] = []

    class _Comments(cst.CSTVisitor):
        def visit_Comment(self, node: cst.Comment) -> None:
            comments.append(node)

    statement.with_changes(leading_lines=[]).visit(_Comments())
    return [cst.EmptyLine(comment=c) for c in comments if not _PRAGMA.match(c.value)]


_SHAPE = (
    "the test is neither the loop's first statement, `if ...: continue`, nor the test of an `if` that is its whole body"
)

_LEN_TESTS = {
    (cst.GreaterThan, 0): _PRESENT,
    (cst.NotEqual, 0): _PRESENT,
    (cst.GreaterThanEqual, 1): _PRESENT,
    (cst.Equal, 0): _ABSENT,
    (cst.LessThan, 1): _ABSENT,
}


def _chain_top(node: cst.CSTNode, parents: Mapping) -> cst.CSTNode:
    """The longest attribute / subscript / call chain `node` starts."""
    parent = parents.get(node)
    while isinstance(parent, (cst.Attribute, cst.Subscript, cst.Call)) and _chained(parent, node):
        node, parent = parent, parents.get(parent)
    return node


def _inside(node: cst.CSTNode | None, outer: cst.CSTNode | None, parents: Mapping) -> bool:
    """Is `node` in the body of the loop `outer` (or in `outer`, any other node), and not in a
    function or lambda there (which may run later, when the name holds another value)?"""
    if isinstance(outer, cst.For):
        outer = outer.body
    while node is not None and outer is not None:
        if node is outer:
            return True
        if isinstance(node, (cst.Lambda, cst.FunctionDef)):
            return False
        node = parents.get(node)
    return False


def _segment(node: cst.Attribute | cst.Subscript) -> Segment:
    if isinstance(node, cst.Attribute):
        return ("attr", node.attr.value)
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, cst.Integer):
            return ("index", int(value.value, 0))
    return ("index", "<other>")


def _chained(parent: cst.CSTNode, node: cst.CSTNode) -> bool:
    if isinstance(parent, cst.Call):
        return parent.func is node
    return getattr(parent, "value", None) is node


def _bound_name(parent: cst.CSTNode | None, node: cst.CSTNode) -> cst.Name | None:
    """The name of `name = node`, a plain one-target assignment."""
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target if isinstance(target, cst.Name) else None
    return None


def _none_test(comparison: cst.CSTNode | None, node: cst.CSTNode) -> bool | None:
    """For `node is not None` True, `node is None` False; None for anything else."""
    if not (isinstance(comparison, cst.Comparison) and comparison.left is node and len(comparison.comparisons) == 1):
        return None
    target = comparison.comparisons[0]
    if not (isinstance(target.comparator, cst.Name) and target.comparator.value == "None"):
        return None
    if isinstance(target.operator, cst.IsNot):
        return True
    if isinstance(target.operator, cst.Is):
        return False
    return None


def _operands(test: cst.BaseExpression, operator: type) -> list[cst.BaseExpression]:
    """The operands of a chain of `operator` (`a and b and c`, also `(a and b) and c` and
    `(\n    a\n    and b\n)`, ruff's layout of a long test), or `[test]`."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, operator):
        return [*_operands(test.left, operator), *_operands(test.right, operator)]
    return [test]


def _multiline(expr: cst.BaseExpression) -> bool:
    """Do the parentheses around `expr` hold line breaks?"""
    return any(isinstance(p.whitespace_after, cst.ParenthesizedWhitespace) for p in expr.lpar)


def _leaves(statement: cst.If) -> bool:
    """Does the `if`'s body end with `break` or `return`?"""
    body = statement.body
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Break, cst.Return))


def _exits(statement: cst.CSTNode) -> bool:
    """`if ...: continue` with no else."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    body = statement.body
    small = body.body if isinstance(body, cst.SimpleStatementSuite) else None
    if (
        isinstance(body, cst.IndentedBlock)
        and len(body.body) == 1
        and isinstance(body.body[0], cst.SimpleStatementLine)
    ):
        small = body.body[0].body
    return small is not None and len(small) == 1 and isinstance(small[0], cst.Continue)


def _left(updated: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(updated, cst.BooleanOperation)
    if updated.lpar:
        return updated.left.with_changes(lpar=updated.lpar, rpar=updated.rpar)
    return updated.left


# ---------------------------------------------------------------------- a read tested, then read
def narrowed(
    node: cst.CSTNode, base: cst.CSTNode, narrow: tuple[str, str], parents: Mapping, spec: TextLoop | None
) -> tuple[str, cst.Comparison | None] | None:
    """The template for a read (`node`, from the name `base`) whose value is None on the other
    events, where its context settles the event (`narrow`: the event's test, its value):
    `if chunk.usage:` tests the event and the value at once; `if chunk.usage is not None:`
    the event and then that the value is not None (the comparison, returned, is put after
    the event's test); `chunk.usage.total_tokens` in such an `if`'s body reads the value
    alone. None: anywhere else."""
    if not isinstance(base, cst.Name):
        return None
    event, value = narrow
    parent = parents.get(node)
    if _first_operand(parent, node, parents, spec) is not None:
        return f"{and_operand(event)} and {value}", None
    if (
        isinstance(parent, cst.Comparison)
        and _none_test(parent, node) is True
        and _first_operand(parents.get(parent), parent, parents, spec) is not None
    ):
        return value, parent
    shown = code_of(node).strip()
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        test = None
        if isinstance(parent, cst.If) and child is parent.body:
            test = parent.test
        elif (
            isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.And) and child is parent.right
        ):
            test = parent  # `chunk.usage and chunk.usage.total_tokens`
        if test is not None:
            first = next((o for o in _operands(test, cst.And) if not _is_guard(o, spec)), test)
            if isinstance(first, cst.Comparison) and _none_test(first, first.left) is True:
                first = first.left  # `if x is not None:`
            if code_of(first).strip() == shown and not _inside(node, first, parents):
                return value, None  # a test before it settled the event, not the read itself
        child, parent = parent, parents.get(parent)
    return None


def and_operand(test: str) -> str:
    """`test` as the left operand of an `and`: in parentheses when it is an `or` (`(a or b) and c`)."""
    expr = cst.parse_expression(test)
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or) and not expr.lpar:
        return f"({test})"
    return test


def _first_operand(
    parent: cst.CSTNode | None, node: cst.CSTNode, parents: Mapping, spec: TextLoop | None
) -> cst.If | None:
    """The `if` whose test is `node`, or `node and ...` (after tests of `choices`, which the
    test of the text makes redundant: redundant_guard)."""
    while isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.And):
        chain = isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And)
        if not chain and (node.lpar if isinstance(node, cst.BaseExpression) else False):
            return None  # `(chunk.choices and text) and x` reads as `chunk.choices and text and x`
        if parent.right is node and not all(_is_guard(o, spec) for o in _operands(parent.left, cst.And)):
            return None
        node, parent = parent, parents.get(parent)
    if isinstance(parent, cst.If) and parent.test is node:
        return parent
    return None


def _is_guard(expr: cst.CSTNode, spec: TextLoop | None) -> bool:
    """`chunk.choices`, or `len(chunk.choices) > 0` (`!= 0`, `>= 1`)."""
    if spec is None:
        return False
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1 and isinstance(expr.left, cst.Call):
        call, target = expr.left, expr.comparisons[0]
        if not (
            isinstance(call.func, cst.Name)
            and call.func.value == "len"
            and len(call.args) == 1
            and isinstance(target.comparator, cst.Integer)
            and _LEN_TESTS.get((type(target.operator), int(target.comparator.value, 0))) is _PRESENT
        ):
            return False
        expr = call.args[0].value
    segments: list[Segment] = []
    while isinstance(expr, (cst.Attribute, cst.Subscript)) and not expr.lpar:
        segments.insert(0, _segment(expr))
        expr = expr.value
    return isinstance(expr, cst.Name) and tuple(segments) == spec.choices


# ---------------------------------------------------------------------- a guard the text test makes redundant
def redundant_guard(
    node: cst.CSTNode, base: cst.CSTNode, spec: TextLoop, parents: Mapping
) -> cst.BooleanOperation | None:
    """`chunk.choices and chunk.choices[0].delta.content` (or `len(chunk.choices) > 0 and ...`)
    tested for truth: the test of the text already fails for a chunk with no choices, and in
    Responses, where the text's test checks the event type, the guard goes. `node` is the read
    of `choices`; the result, the `and` to replace with its right operand (None: keep)."""
    if not isinstance(base, cst.Name):
        return None
    atom: cst.CSTNode | None = node
    parent = parents.get(node)
    if isinstance(parent, cst.Arg):  # `len(chunk.choices) > 0`
        atom = parents.get(parents.get(parent))
        parent = parents.get(atom)
    if atom is None or not _is_guard(atom, spec) or getattr(atom, "lpar", None):
        return None
    if not (isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.And) and parent.left is atom):
        return None
    chain: cst.BooleanOperation = parent
    while True:
        up = parents.get(chain)
        if not (isinstance(up, cst.BooleanOperation) and isinstance(up.operator, cst.And) and up.left is chain):
            break
        chain = up
    if not truth_tested(parents.get(chain), chain, parents):
        return None
    text = code_of(base).strip() + format_path(spec.text)
    operands = _operands(chain, cst.And)
    place = next((i for i, operand in enumerate(operands) if operand is atom), None)
    if place is None:  # a shape this reading does not know: keep the guard (the read is reported)
        return None
    for operand in operands[place + 1 :]:
        if isinstance(operand, cst.Comparison) and _none_test(operand, operand.left) is True:
            operand = operand.left
        if code_of(operand).strip() == text:
            return parent
    return None
