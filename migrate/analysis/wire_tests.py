"""Test modules that pin the chat wire format (rules/tests.toml).

A test that mocks the chat endpoint (respx or `httpx.MockTransport` routes on
`/chat/completions`, `mock.patch("...chat.completions.create")`, a method replaced on the
client), replays a cassette recorded against it (VCR, pytest-recording), builds chat result
doubles (`ChatCompletion(...)`) or asserts on chat ids (`chatcmpl-...`) passes only with the
chat call it tests: migrating the call alone breaks it. `chat_wire_marker` finds the first such
mark in a test file; its calls are then reported, not migrated.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from migrate.analysis.nodes import code_of, qualified_names, short_code
from migrate.analysis.test_files import is_test_file
from migrate.catalog.loader import WireTests


def chat_wire_marker(
    path: str, parents: Mapping[cst.CSTNode, cst.CSTNode], scopes: Mapping, data: WireTests
) -> cst.CSTNode | None:
    """The first node of a test file that mocks, records or asserts on the chat endpoint."""
    if not is_test_file(path, data):
        return None
    for node in parents:
        if _marks(node, parents, scopes, data):
            return node
    return None


def describe(node: cst.CSTNode) -> str:
    return f"`{short_code(node)}`"


def _marks(node: cst.CSTNode, parents: Mapping, scopes: Mapping, data: WireTests) -> bool:
    if isinstance(node, cst.SimpleString):
        if isinstance(parents.get(node), cst.Expr):  # a docstring, or a string said nothing with
            return False
        value = node.evaluated_value
        return isinstance(value, str) and any(s in value for s in data.strings)
    if isinstance(node, cst.FormattedStringText):
        return any(s in node.value for s in data.strings)
    if isinstance(node, (cst.Name, cst.Attribute)):
        parent = parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return False
        if isinstance(parent, cst.Arg) and _patched(node, data):  # patch.object(client.chat.completions, ...)
            return True
        if isinstance(parent, (cst.AssignTarget, cst.AugAssign)) and _patched(node, data):
            return True
        names = qualified_names(scopes, node)
        if names & data.doubles and _builds(node, parent, parents, data):
            return True
        return bool(names & data.names) or any(n.startswith(p) for n in names for p in data.prefixes)
    return False


def _builds(node: cst.CSTNode, parent: cst.CSTNode | None, parents: Mapping, data: WireTests) -> bool:
    """`ChatCompletion(...)`, `ChatCompletion.model_validate(...)`: a double is built."""
    if isinstance(parent, cst.Call) and parent.func is node:
        return True
    if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value in data.builders:
        call = parents.get(parent)
        return isinstance(call, cst.Call) and call.func is parent
    return False


def _patched(node: cst.CSTNode, data: WireTests) -> bool:
    spelled = "".join(code_of(node).split())
    return any(spelled.endswith("." + p) for p in data.patched)
