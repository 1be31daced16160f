"""Jupyter notebooks (``.ipynb``): migrate the code cells as one program, write back only the
cell sources that changed.

* The notebook is read with :mod:`nbformat` (version 4 only; a notebook in another language
  is skipped). Only code cells are migrated; outputs, metadata and other cells are untouched.
* Results are followed across cells: the code cells are joined into one virtual module, each
  cell after a marker line (``# migrate-notebook: cell N``), and the engine runs on it. A call
  in cell 2 whose result is read in cell 3 is migrated together with that read, or not at all.
* IPython syntax: a line magic (``%pip install openai``), a shell escape (``!ls``,
  ``files = !ls``) or a help line (``obj?``) becomes a one-line placeholder,
  ``_ipython_magic_(names...)  # migrate-notebook: magic K``, that passes every name on the
  line to a function. The engine sees those names "escape", so a result a magic line reads
  is never half-migrated. A cell magic (``%%time``, ``%%bash``) makes the whole cell opaque
  the same way. Placeholders are put back afterwards, byte for byte. A cell that parses as
  plain Python is never touched by this step.
* Writing keeps the file's JSON formatting exactly: only the changed ``source`` values are
  spliced into the original text, in the style they had (a list of lines or one string, the
  same indentation and line endings, ``\\uXXXX`` escapes or raw non-ASCII as in the file), so
  ``git diff`` shows only the changed lines of the changed cells. The result is checked: it must
  load as the original notebook with only those sources replaced, and still validate against
  the notebook schema if the original did.
* Locations: each :class:`~migrate.catalog.findings.CallSite` gets ``cell`` (1-based, counting every
  cell, markdown included, as they appear in the file) and a ``line`` relative to that cell.
  Line numbers inside messages (``... at line 4 of cell 3``) and in failure reasons are mapped
  the same way.
"""

from __future__ import annotations

import ast
import json
import keyword
import os
import re
import traceback
from dataclasses import dataclass, replace

from migrate.analysis.links import NO_LINKS, Links
from migrate.catalog import loader as catalog
from migrate.catalog.findings import CallSite, FileResult, FileStatus, Finding
from migrate.catalog.settings import Settings
from migrate.engine.pipeline import might_contain_call_sites, migrate_source

CELL_MARKER = "# migrate-notebook: cell {}"
MAGIC_MARKER = "# migrate-notebook: magic {}"
MAGIC_FUNCTION = "_ipython_magic_"
# Line 1 of the virtual module: pins its encoding, whatever cookie a cell may carry.
HEADER = "# -*- coding: utf-8 -*-  (migrate: the code cells of a notebook)"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_WS = re.compile(r"[ \t\n\r]*")
_NAME = re.compile(r"\w+")
# Line magics, shell escapes, `x = !cmd` / `x = %magic`, and `?` help (not in a comment).
_MAGIC_START = re.compile(r"\s*(?:%|!|\?)")
_MAGIC_ASSIGN = re.compile(r"\s*[^\W\d][\w.,\s\[\]()]*?\s*=\s*(?:%|!)")
_HELP_END = re.compile(r"[^#]*\?\??\s*\Z")
_LINE_REF = re.compile(r"\bline (\d+)\b")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ESCAPED_NON_ASCII = re.compile(
    r"(?<!\\)(?:\\\\)*\\u(?:00[89a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2})[0-9a-fA-F]"
)


class _Bail(Exception):
    """The notebook can't be handled: a FileResult status and a reason."""

    def __init__(self, status: FileStatus, reason: str, *, unchecked: bool = False) -> None:
        super().__init__(reason)
        self.status, self.reason, self.unchecked = status, reason, unchecked


@dataclass
class _Cell:
    number: int  # 1-based, among all cells
    text: str  # the source, joined
    span: tuple[int, int]  # the `source` value in the JSON text
    start: int = 0  # the virtual module's line holding the cell's first line
    lines: int = 0  # how many lines the cell has in the virtual module
    added: str = ""  # the line ending added after the cell's last line, if it had none


def migrate_notebook(path: str, data: bytes, settings: Settings, links: Links = NO_LINKS) -> FileResult:
    """Migrate the code cells of one notebook's bytes. Never raises for a bad notebook. `links`:
    what the run knows of it (only `chat_wrapped` applies to a notebook)."""
    if not might_contain_call_sites(data):
        return FileResult(path, "unchanged", original=data)
    try:
        return _migrate(path, data, settings, Links(chat_wrapped=links.chat_wrapped))
    except _Bail as bail:
        return FileResult(path, bail.status, reason=bail.reason, original=data, unchecked=bail.unchecked)
    except RecursionError:
        return FileResult(path, "failed", reason="too deeply nested to process", original=data)
    except Exception as error:  # a bug: explain it, leave the file alone, go on with the next one
        if os.environ.get("MIGRATE_DEBUG"):
            raise
        frames = traceback.extract_tb(error.__traceback__)
        where = f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
        reason = (
            f"internal error: {type(error).__name__}: {error}{where}; the file was left unchanged (please report this)"
        )
        return FileResult(path, "failed", reason=" ".join(reason.split()), original=data)


def _migrate(path: str, data: bytes, settings: Settings, links: Links = NO_LINKS) -> FileResult:
    text, bom = _decode(data)
    doc = _load(text)
    cells = _code_cells(text, doc)
    if not cells:
        return FileResult(path, "unchanged", original=data)

    module, placeholders, magic_lines, newline = _virtual_module(cells)
    result = migrate_source(path, module.encode("utf-8"), settings, links)
    calls = [_locate_call(call, cells, magic_lines) for call in result.calls]
    if result.status in ("failed", "skipped"):
        reason = _locate_text(result.reason, cells)
        return FileResult(path, result.status, calls=calls, reason=reason, original=data, unchecked=result.unchecked)
    if result.status != "changed" or result.migrated is None:
        return FileResult(path, "unchanged", calls=calls, original=data)

    new_sources = _split_back(result.migrated.decode("utf-8"), cells, placeholders, newline)
    changed = {cell.number: new for cell, new in zip(cells, new_sources, strict=True) if new != cell.text}
    if not changed:
        return FileResult(path, "unchanged", calls=calls, original=data)
    new_text = _splice(text, doc, cells, changed)
    _check(doc, new_text, changed)
    return FileResult(path, "changed", calls=calls, original=data, migrated=(bom + new_text).encode("utf-8"))


# -- reading -------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Bail("failed", f"not a notebook: not UTF-8 (byte {error.start})") from None
    if text.startswith("\ufeff"):
        return text[1:], "\ufeff"
    return text, ""


def _load(text: str) -> dict:
    from nbformat.reader import NotJSONError, get_version, reads

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Bail(
            "failed", f"not a notebook: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(doc, dict):
        raise _Bail("failed", "not a notebook: the JSON document is not an object")
    major, _minor = get_version(doc)
    if major != 4:
        raise _Bail(
            "skipped",
            f"nbformat {major} notebook: only version 4 is supported "
            "(convert it with `jupyter nbconvert --to notebook --nbformat 4`)",
            unchecked=True,
        )
    try:
        reads(text)  # nbformat's own reader: the structure it needs is there
    except (NotJSONError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise _Bail("failed", f"not a notebook: {error}") from None
    cells = doc.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise _Bail("failed", "not a notebook: `cells` is not a list of objects")
    metadata = doc.get("metadata")
    language = _language(metadata if isinstance(metadata, dict) else {})
    if language and language.lower() not in ("python", "python3", "ipython", "ipython3"):
        raise _Bail("skipped", f"not a Python notebook (its kernel's language is {language})")
    return doc


def _language(metadata: dict) -> str | None:
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return value[field]
    return None


def _code_cells(text: str, doc: dict) -> list[_Cell]:
    spans = _source_spans(text)
    if len(spans) != len(doc["cells"]):  # can't happen for valid JSON; be safe
        raise _Bail("failed", "not a notebook: the cells can't be located in the file")
    cells = []
    for number, (cell, span) in enumerate(zip(doc["cells"], spans, strict=True), 1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str) or span is None:
            raise _Bail("failed", f"not a notebook: cell {number} has no readable `source`")
        cells.append(_Cell(number, source, span))
    return cells


# -- the JSON text: where each cell's `source` value is --------------------------------------

_DECODER = json.JSONDecoder()


def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]


def _value_end(text: str, i: int) -> int:
    return _DECODER.raw_decode(text, i)[1]


def _members(text: str, i: int) -> list[tuple[str, int, int]]:
    """The members of the object starting at text[i] == '{': (key, value start, value end)."""
    from json.decoder import scanstring  # type: ignore[attr-defined]  # in the stdlib, not in typeshed

    assert text[i] == "{"
    members: list[tuple[str, int, int]] = []
    i = _skip_ws(text, i + 1)
    if text[i] == "}":
        return members
    while True:
        key, i = scanstring(text, i + 1)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # past ':'
        end = _value_end(text, i)
        members.append((key, i, end))
        i = _skip_ws(text, end)
        if text[i] == "}":
            return members
        i = _skip_ws(text, i + 1)  # past ','


def _elements(text: str, i: int) -> list[tuple[int, int]]:
    """The elements of the array starting at text[i] == '[': (start, end)."""
    assert text[i] == "["
    elements: list[tuple[int, int]] = []
    i = _skip_ws(text, i + 1)
    if text[i] == "]":
        return elements
    while True:
        end = _value_end(text, i)
        elements.append((i, end))
        i = _skip_ws(text, end)
        if text[i] == "]":
            return elements
        i = _skip_ws(text, i + 1)


def _source_spans(text: str) -> list[tuple[int, int] | None]:
    """For each cell, the span of its `source` value (the last one, as json.loads keeps)."""
    top = {key: (start, end) for key, start, end in _members(text, _skip_ws(text, 0))}
    start, _ = top["cells"]
    spans: list[tuple[int, int] | None] = []
    for cell_start, _end in _elements(text, start):
        if text[cell_start] != "{":
            spans.append(None)
            continue
        found = {key: (s, e) for key, s, e in _members(text, cell_start)}
        spans.append(found.get("source"))
    return spans


# -- the virtual module ----------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _content(line: str) -> tuple[str, str]:
    """A line split into its content and its line ending."""
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped) :]


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _is_magic(content: str) -> bool:
    if not content.strip() or content.lstrip().startswith("#"):
        return False
    return bool(_MAGIC_START.match(content) or _MAGIC_ASSIGN.match(content) or _HELP_END.match(content))


def _placeholder(content: str, indent: str, key: int) -> str:
    names = []
    for name in _NAME.findall(content):
        if name.isidentifier() and not keyword.iskeyword(name) and name != MAGIC_FUNCTION and name not in names:
            names.append(name)
    return f"{indent}{MAGIC_FUNCTION}({', '.join(names)})  {MAGIC_MARKER.format(key)}"


def _neutralise(text: str, placeholders: dict[str, str]) -> tuple[str, list[int]]:
    """The cell with its IPython-only lines replaced by placeholders (recorded in `placeholders`,
    placeholder -> original line content), and the (0-based) lines replaced. A cell that is
    plain Python is returned as is."""
    lines = _lines(text)
    first = next((line for line in lines if line.strip()), "")
    opaque = first.lstrip().startswith("%%")
    if not opaque and _parses(text):
        return text, []
    out, replaced = [], []
    continued, indent = False, ""
    for number, line in enumerate(lines):
        content, ending = _content(line)
        magic = (opaque and bool(content.strip())) or continued or _is_magic(content)
        if not magic:
            out.append(line)
            continue
        if not continued and not opaque:  # a continuation line keeps its magic's indentation
            indent = content[: len(content) - len(content.lstrip())]
        continued = content.endswith("\\") and not opaque
        stand_in = _placeholder(content, indent, len(placeholders) + 1)
        placeholders[stand_in] = content
        out.append(stand_in + ending)
        replaced.append(number)
    return "".join(out), replaced


def _virtual_module(cells: list[_Cell]) -> tuple[str, dict[str, str], set[int], str]:
    """The code cells joined (see the module docstring), the placeholders put in, the lines of
    the module that hold a placeholder, and the line ending used between cells (the cells' own)."""
    first = next((m.group() for m in (_NEWLINE.search(cell.text) for cell in cells) if m), "\n")
    placeholders: dict[str, str] = {}
    magic_lines: set[int] = set()
    parts = [HEADER + first]
    line = 2
    for cell in cells:
        body, replaced = _neutralise(cell.text, placeholders)
        if body and not body.endswith(("\n", "\r")):
            cell.added = first
            body += first
        parts.append(CELL_MARKER.format(cell.number) + first)
        cell.start = line + 1
        cell.lines = len(_NEWLINE.findall(body))
        magic_lines.update(cell.start + n for n in replaced)
        parts.append(body)
        line = cell.start + cell.lines
    return "".join(parts), placeholders, magic_lines, first


def _split_back(migrated: str, cells: list[_Cell], placeholders: dict[str, str], newline: str) -> list[str]:
    """The migrated module cut back into cell sources, placeholders restored."""
    lines = _lines(migrated)
    if not lines or lines[0] != HEADER + newline:
        raise _Bail(
            "failed", "internal error: the notebook's cells could not be told apart after migrating; left unchanged"
        )
    sources: list[list[str]] = []
    expected = iter(cells)
    pending = next(expected, None)
    restored = 0
    for line in lines[1:]:
        content, ending = _content(line)
        if pending is not None and content == CELL_MARKER.format(pending.number) and ending == newline:
            sources.append([])
            pending = next(expected, None)
            continue
        if content in placeholders:
            line = placeholders[content] + ending
            restored += 1
        if not sources:
            raise _Bail("failed", "internal error: code before the first cell after migrating; left unchanged")
        sources[-1].append(line)
    if len(sources) != len(cells) or restored != len(placeholders):
        raise _Bail(
            "failed", "internal error: the notebook's cells could not be told apart after migrating; left unchanged"
        )
    out = []
    for cell, body in zip(cells, sources, strict=True):
        new = "".join(_locate_todo(line, cells) for line in body)
        if cell.added and new.endswith(cell.added):
            new = new[: -len(cell.added)]
        out.append(new)
    return out


# -- locations -------------------------------------------------------------------------------


def _cell_of(line: int, cells: list[_Cell]) -> tuple[_Cell, int]:
    """The cell holding the virtual module's `line`, and the line's number in that cell."""
    holder = cells[0]
    for cell in cells:
        if cell.start <= line:
            holder = cell
    return holder, max(line - holder.start + 1, 1)


def _locate_call(call: CallSite, cells: list[_Cell], magic_lines: set[int]) -> CallSite:
    cell, line = _cell_of(call.line, cells)
    findings = [_locate_finding(f, cells, magic_lines) for f in call.findings]
    return replace(call, line=line, cell=cell.number, findings=findings)


def _locate_finding(finding: Finding, cells: list[_Cell], magic_lines: set[int]) -> Finding:
    args = dict(finding.args)
    if not isinstance(args.get("line"), int):
        return finding
    if args["line"] in magic_lines:
        for arg, template in catalog.load().rule(finding.code).at_magic.items():
            name = re.match(r"`[^`]*`", str(args.get(arg, "")))
            args[arg] = template.format(subject=name.group() if name else "it")
    cell, line = _cell_of(args["line"], cells)
    args["line"] = f"{line} of cell {cell.number}"
    return Finding.of(finding.code, **args)


def _locate_text(text: str, cells: list[_Cell]) -> str:
    def sub(match: re.Match) -> str:
        cell, line = _cell_of(int(match.group(1)), cells)
        return f"line {line} of cell {cell.number}"

    return _LINE_REF.sub(sub, text)


def _locate_todo(line: str, cells: list[_Cell]) -> str:
    """`# TODO(migrate): ...` comments (--add-todo) name lines of the virtual module: map them."""
    if not line.lstrip().startswith("# TODO(migrate):"):
        return line
    return _locate_text(line, cells)


# -- writing ---------------------------------------------------------------------------------


def _splice(text: str, doc: dict, cells: list[_Cell], changed: dict[int, str]) -> str:
    ensure_ascii = not _NON_ASCII.search(text) and bool(_ESCAPED_NON_ASCII.search(text))
    newline = "\r\n" if "\r\n" in text else "\n"
    unit = _indent_unit(text)
    out = text
    for cell in sorted((c for c in cells if c.number in changed), key=lambda c: c.span[0], reverse=True):
        start, end = cell.span
        value = _render_source(text, start, end, changed[cell.number], ensure_ascii, newline, unit)
        out = out[:start] + value + out[end:]
    return out


def _indent_unit(text: str) -> str | None:
    """The file's indentation step (from the first indented line), or None for one-line JSON."""
    match = re.search(r"\n([ \t]+)\S", text)
    if match:
        return match.group(1)
    return "" if "\n" in text else None


def _render_source(
    text: str, start: int, end: int, source: str, ensure_ascii: bool, newline: str, unit: str | None
) -> str:
    """The new `source` value, laid out like the one at text[start:end]."""
    if text[start] == '"':
        return json.dumps(source, ensure_ascii=ensure_ascii)
    items = [json.dumps(line, ensure_ascii=ensure_ascii) for line in source.splitlines(True)]
    elements = _elements(text, start)
    if elements:
        opening = text[start + 1 : elements[0][0]]
        closing = text[elements[-1][1] : end - 1]
        separator = text[elements[0][1] : elements[1][0]] if len(elements) > 1 else "," + opening
    elif unit is None:
        opening, closing, separator = "", "", ", "
    else:
        line_start = text.rfind("\n", 0, start) + 1
        indent = re.match(r"[ \t]*", text[line_start:]).group()  # type: ignore[union-attr]
        opening, closing, separator = newline + indent + unit, newline + indent, "," + newline + indent + unit
    if not items:
        return "[]"
    return "[" + opening + separator.join(items) + closing + "]"


def _check(doc: dict, new_text: str, changed: dict[int, str]) -> None:
    """The written notebook must load as the original with only the changed sources replaced,
    and still be a valid notebook if the original was."""
    import copy

    expected = copy.deepcopy(doc)
    for number, source in changed.items():
        cell = expected["cells"][number - 1]
        cell["source"] = source if isinstance(cell["source"], str) else source.splitlines(True)
    try:
        loaded = json.loads(new_text)
    except json.JSONDecodeError as error:
        raise _Bail(
            "failed", f"internal error: the rewritten notebook is not valid JSON ({error}); left unchanged"
        ) from None
    if loaded != expected:
        raise _Bail("failed", "internal error: the rewritten notebook does not match its cells; left unchanged")
    if _valid(doc) and not _valid(loaded):
        raise _Bail("failed", "internal error: the rewritten notebook does not validate; left unchanged")


def _valid(doc: dict) -> bool:
    import copy

    from nbformat.validator import isvalid

    try:
        return isvalid(copy.deepcopy(doc))
    except Exception:  # a schema the installed nbformat doesn't know: don't hold the rewrite on it
        return False


__all__ = ["migrate_notebook"]
