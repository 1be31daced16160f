"""Generate a deterministic tree of Python files for benchmarking `migrate apply --check`.

Most files are ordinary application code that never touches OpenAI: dataclasses, service
classes, enums, config dict literals, string templates (some mentioning "chat"), plain and
async functions, a few hundred lines each. A few of them mention "completions" in a way
that has nothing to do with OpenAI (shell completions), so the tool's cheap text test lets
them through to the parser. `calls` files also hold Chat Completions call sites: sync and
async clients, tools, `.parse`, streaming, with their results read afterwards.

    python benchmarks/make_tree.py OUT [--files 2000] [--calls 20] [--seed 0]

The same arguments always produce byte-identical files.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

FILES_PER_DIR = 50
# Share of non-call-site files that mention "completions" (shell completions, not OpenAI).
NEEDLE_RATE = 0.005

NOUNS = (
    "invoice customer shipment ledger report session widget channel metric account order "
    "warehouse tenant schedule payment refund coupon inventory supplier forecast audit "
    "notification profile address subscription quota export batch"
).split()
VERBS = "load save sync build render validate merge resolve fetch compute archive publish".split()
TYPES = (("int", "0"), ("str", '""'), ("float", "0.0"), ("bool", "False"), ("list[str]", "field(default_factory=list)"))
CHAT_PHRASES = (
    "Reply in the team chat channel if the export fails.",
    "Open the chat widget on the billing page.",
    "Escalations from live chat go to tier 2.",
    "The chat transcript is attached to the ticket.",
)
IMPORTS = (
    "import json",
    "import logging",
    "import os",
    "import re",
    "import time",
    "from collections import defaultdict",
    "from datetime import datetime, timedelta",
    "from pathlib import Path",
    "from typing import Any, Iterable, Optional",
)


def _camel(*words: str) -> str:
    return "".join(w.capitalize() for w in words)


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.names: set[str] = set()

    def name(self, *parts: str) -> str:
        base = "_".join(parts)
        candidate, i = base, 2
        while candidate in self.names:
            candidate, i = f"{base}_{i}", i + 1
        self.names.add(candidate)
        return candidate

    def emit(self, text: str) -> None:
        self.lines.extend(text.split("\n"))
        self.lines.extend(["", ""])

    # ------------------------------------------------------------------ filler blocks
    def dataclass_block(self) -> None:
        r = self.rng
        noun = r.choice(NOUNS)
        cls = self.name(_camel(noun, r.choice(("record", "row", "snapshot", "entry"))))
        fields = r.sample(NOUNS, r.randint(3, 7))
        body = [f"@dataclass\nclass {cls}:", f'    """One {noun} as stored by the {r.choice(NOUNS)} service."""', ""]
        for f in fields:
            typ, default = r.choice(TYPES)
            body.append(f"    {f}_value: {typ} = {default}")
        body += [
            "",
            "    def to_dict(self) -> dict[str, Any]:",
            "        return {",
            *(f'            "{f}": self.{f}_value,' for f in fields),
            "        }",
            "",
            "    @classmethod",
            f'    def from_dict(cls, data: dict[str, Any]) -> "{cls}":',
            "        return cls(",
            *(f'            {f}_value=data.get("{f}"),' for f in fields),
            "        )",
        ]
        self.emit("\n".join(body))

    def function_block(self) -> None:
        r = self.rng
        noun, verb = r.choice(NOUNS), r.choice(VERBS)
        fn = self.name(verb, noun, "totals")
        key = r.choice(NOUNS)
        threshold = r.randint(2, 500)
        self.emit(
            f'''def {fn}(rows: Iterable[dict[str, Any]], *, limit: int = {threshold}) -> dict[str, float]:
    """{verb.capitalize()} {noun} totals per {key}, skipping rows over the limit."""
    totals: dict[str, float] = defaultdict(float)
    skipped = 0
    for row in rows:
        amount = float(row.get("amount", 0) or 0)
        if amount > limit:
            skipped += 1
            continue
        bucket = str(row.get("{key}", "unknown")).strip().lower()
        if not bucket:
            bucket = "unknown"
        totals[bucket] += amount
    if skipped:
        logger.debug("%s: skipped %d rows over %d", "{fn}", skipped, limit)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))'''
        )

    def service_block(self) -> None:
        r = self.rng
        noun = r.choice(NOUNS)
        cls = self.name(_camel(noun, "service"))
        other = r.choice(NOUNS)
        retries = r.randint(1, 5)
        self.emit(
            f'''class {cls}:
    """Reads and writes {noun}s; caches lookups by id."""

    def __init__(self, root: Path, *, retries: int = {retries}) -> None:
        self.root = root
        self.retries = retries
        self._cache: dict[str, dict[str, Any]] = {{}}

    def path_for(self, item_id: str) -> Path:
        safe = re.sub(r"[^a-z0-9_-]", "_", item_id.lower())
        return self.root / "{noun}s" / f"{{safe}}.json"

    def get(self, item_id: str) -> Optional[dict[str, Any]]:
        if item_id in self._cache:
            return self._cache[item_id]
        path = self.path_for(item_id)
        for attempt in range(self.retries):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                return None
            except json.JSONDecodeError:
                logger.warning("corrupt {noun} %s (attempt %d)", item_id, attempt + 1)
                time.sleep(0.1 * (attempt + 1))
                continue
            self._cache[item_id] = data
            return data
        return None

    def put(self, item_id: str, data: dict[str, Any]) -> None:
        path = self.path_for(item_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
        self._cache[item_id] = data

    def related_{other}s(self, item_id: str) -> list[str]:
        data = self.get(item_id) or {{}}
        return [str(x) for x in data.get("{other}_ids", []) if x]'''
        )

    def config_block(self) -> None:
        r = self.rng
        noun = r.choice(NOUNS)
        const = self.name(noun.upper(), "SETTINGS")
        entries = []
        for key in r.sample(NOUNS, r.randint(4, 9)):
            kind = r.randint(0, 3)
            if kind == 0:
                value = str(r.randint(1, 10_000))
            elif kind == 1:
                value = repr(f"{r.choice(VERBS)}-{r.choice(NOUNS)}")
            elif kind == 2:
                value = "[" + ", ".join(repr(n) for n in r.sample(NOUNS, 3)) + "]"
            else:
                value = "{" + ", ".join(f'"{n}": {r.randint(0, 99)}' for n in r.sample(NOUNS, 3)) + "}"
            entries.append(f'    "{key}": {value},')
        if r.random() < 0.3:
            entries.append(f'    "help_text": {r.choice(CHAT_PHRASES)!r},')
        self.emit("\n".join([f"{const}: dict[str, Any] = {{", *entries, "}"]))

    def enum_block(self) -> None:
        r = self.rng
        cls = self.name(_camel(r.choice(NOUNS), "status"))
        members = r.sample(("pending active paused failed done archived draft queued expired").split(), r.randint(3, 6))
        body = [f"class {cls}(str, Enum):"] + [f'    {m.upper()} = "{m}"' for m in members]
        body += [
            "",
            "    @property",
            "    def is_final(self) -> bool:",
            f"        return self in ({cls}.{members[-1].upper()},)",
        ]
        self.emit("\n".join(body))

    def template_block(self) -> None:
        r = self.rng
        noun = r.choice(NOUNS)
        const = self.name(noun.upper(), "TEMPLATE")
        phrase = r.choice(CHAT_PHRASES) if r.random() < 0.4 else f"Your {noun} is ready."
        self.emit(
            f'''{const} = """\\
Hello {{name}},

{phrase}
Reference: {{reference}} ({noun})
"""


def render_{const.lower()}(name: str, reference: str) -> str:
    return {const}.format(name=name.title(), reference=reference.upper())'''
        )

    def async_block(self) -> None:
        r = self.rng
        noun, verb = r.choice(NOUNS), r.choice(VERBS)
        fn = self.name(verb, noun, "batch")
        self.emit(
            f"""async def {fn}(ids: list[str], *, concurrency: int = {r.randint(2, 16)}) -> list[str]:
    semaphore = asyncio.Semaphore(concurrency)
    done: list[str] = []

    async def one(item_id: str) -> None:
        async with semaphore:
            await asyncio.sleep(0)
            done.append(item_id)

    await asyncio.gather(*(one(i) for i in ids))
    return sorted(done)"""
        )

    def comprehension_block(self) -> None:
        r = self.rng
        noun = r.choice(NOUNS)
        fn = self.name("group", noun, "by_day")
        self.emit(
            f'''def {fn}(events: list[dict[str, Any]], days: int = {r.randint(1, 90)}) -> dict[str, list[str]]:
    cutoff = datetime.now() - timedelta(days=days)
    recent = [e for e in events if datetime.fromisoformat(e["at"]) >= cutoff]
    by_day: dict[str, list[str]] = {{}}
    for event in recent:
        day = event["at"][:10]
        by_day.setdefault(day, []).append(event.get("{noun}_id", "?"))
    return {{day: sorted(set(ids)) for day, ids in by_day.items() if ids}}'''
        )

    def completions_decoy_block(self) -> None:
        fn = self.name("install_shell_completions")
        self.emit(
            f'''def {fn}(shell: str = "bash") -> Path:
    """Install shell completions for the admin CLI (tab completions, nothing to do with models)."""
    target = Path.home() / f".{{shell}}_completions.d" / "admin"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("complete -C admin admin\\n", encoding="utf-8")
    return target'''
        )

    FILLERS = (
        "dataclass_block",
        "function_block",
        "service_block",
        "config_block",
        "enum_block",
        "template_block",
        "async_block",
        "comprehension_block",
    )

    def fill(self, target_lines: int) -> None:
        while len(self.lines) < target_lines:
            getattr(self, self.rng.choice(self.FILLERS))()


# ---------------------------------------------------------------------- call sites
# Each template is one function with a Chat Completions call and the reads of its result.
# `{fn}` is replaced by a unique function name.

CALL_TEMPLATES = {
    "sync": """def {fn}(question: str) -> tuple[str, int]:
    completion = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[
            {{"role": "system", "content": "You answer questions about our internal tools."}},
            {{"role": "user", "content": question}},
        ],
        temperature=0.2,
        max_completion_tokens=500,
    )
    logger.info("used %d prompt tokens", completion.usage.prompt_tokens)
    return completion.choices[0].message.content or "", completion.usage.total_tokens""",
    "async": """async def {fn}(text: str) -> str:
    completion = await aclient.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{{"role": "user", "content": f"Summarise in one line: {{text}}"}}],
        max_tokens=120,
    )
    return completion.choices[0].message.content.strip()""",
    "tools": '''def {fn}(request: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{{"role": "user", "content": request}}],
        tools=[
            {{
                "type": "function",
                "function": {{
                    "name": "get_weather",
                    "description": "Current weather for a city.",
                    "parameters": {{
                        "type": "object",
                        "properties": {{"city": {{"type": "string"}}}},
                        "required": ["city"],
                    }},
                }},
            }}
        ],
        tool_choice="auto",
    )
    logger.debug("completion tokens: %d", completion.usage.completion_tokens)
    return completion.choices[0].message.content or ""''',
    "parse": """def {fn}(text: str) -> "Extraction | None":
    completion = client.beta.chat.completions.parse(
        model="gpt-4.1",
        messages=[
            {{"role": "system", "content": "Extract the fields."}},
            {{"role": "user", "content": text}},
        ],
        response_format=Extraction,
    )
    return completion.choices[0].message.parsed""",
    "json_schema": """def {fn}(text: str) -> dict[str, Any]:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{{"role": "user", "content": text}}],
        response_format={{
            "type": "json_schema",
            "json_schema": {{"name": "labels", "schema": {{"type": "object", "properties": {{}}}}, "strict": False}},
        }},
    )
    return json.loads(completion.choices[0].message.content)""",
    "stream": """def {fn}(prompt: str):
    stream = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{{"role": "user", "content": prompt}}],
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content""",
    "returned": """def {fn}(prompt: str):
    response = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[{{"role": "user", "content": prompt}}],
        seed=7,
    )
    return response""",
}
CALL_HEADER = """from openai import AsyncOpenAI, OpenAI
from pydantic import BaseModel

client = OpenAI()
aclient = AsyncOpenAI()


class Extraction(BaseModel):
    title: str
    tags: list[str]"""


@dataclass
class Tree:
    root: Path
    files: list[Path] = field(default_factory=list)
    call_site_files: list[Path] = field(default_factory=list)
    call_sites: int = 0
    needle_files: int = 0  # files other than call-site files that contain "completions"
    lines: int = 0


def _module(rng: random.Random, *, kinds: list[str], decoy: bool) -> str:
    w = _Writer(rng)
    topic = rng.choice(NOUNS)
    w.lines = [f'"""{topic.capitalize()} helpers for the back office."""', "", "from __future__ import annotations", ""]
    # Every filler block may use any of these, so all are imported.
    w.lines += ["import asyncio", *IMPORTS, "from dataclasses import dataclass, field", "from enum import Enum"]
    w.lines += ["", "logger = logging.getLogger(__name__)", "", ""]
    target = rng.randint(150, 450)
    if kinds:
        w.emit(CALL_HEADER)
    w.fill(target // 2)
    if decoy:
        w.completions_decoy_block()
    for kind in kinds:
        w.emit(CALL_TEMPLATES[kind].format(fn=w.name(kind, "call")))
        w.fill(len(w.lines) + rng.randint(10, 60))
    w.fill(target)
    while w.lines and w.lines[-1] == "":
        w.lines.pop()
    return "\n".join(w.lines) + "\n"


def make_tree(root: Path, *, files: int = 2000, calls: int = 20, seed: int = 0) -> Tree:
    """Write `files` modules under `root` (created if needed); `calls` of them hold call sites."""
    if not 0 <= calls <= files:
        raise ValueError("need 0 <= calls <= files")
    rng = random.Random(seed)
    with_calls = set(rng.sample(range(files), calls))
    kinds_cycle = list(CALL_TEMPLATES)
    tree = Tree(Path(root))
    next_kind = 0
    for i in range(files):
        file_rng = random.Random(f"{seed}:{i}")
        kinds: list[str] = []
        if i in with_calls:
            for _ in range(file_rng.choice((1, 1, 2, 3))):
                kinds.append(kinds_cycle[next_kind % len(kinds_cycle)])
                next_kind += 1
        decoy = not kinds and file_rng.random() < NEEDLE_RATE
        text = _module(file_rng, kinds=kinds, decoy=decoy)
        path = tree.root / f"pkg{i // FILES_PER_DIR:03d}" / f"{file_rng.choice(NOUNS)}_{i:05d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        tree.files.append(path)
        tree.lines += text.count("\n")
        tree.needle_files += decoy
        if kinds:
            tree.call_site_files.append(path)
            tree.call_sites += len(kinds)
    return tree


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write the tree into")
    parser.add_argument("--files", type=int, default=2000, help="number of Python files (default 2000)")
    parser.add_argument("--calls", type=int, default=20, help="how many of them hold call sites (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tree = make_tree(args.out, files=args.files, calls=args.calls, seed=args.seed)
    print(
        f"{len(tree.files)} files, {tree.lines} lines in {tree.root}: "
        f"{len(tree.call_site_files)} with {tree.call_sites} call sites, "
        f"{tree.needle_files} others mentioning 'completions'"
    )


if __name__ == "__main__":
    main()
