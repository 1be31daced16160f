"""Where a client comes from (#15): the RSP004 message names the step of the chain that could
not be followed, and a factory method is refused when any module of the project may override
it (migrate/analysis/definitions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.analysis.definitions import ProjectModules
from migrate.catalog import loader as catalog
from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source

CALL = """
def ask():
    completion = {receiver}.chat.completions.create(model="gpt-4.1", messages=[{{"role": "user", "content": "Hi"}}])
    return completion.choices[0].message.content
"""


def _outcome(tmp_path: Path, files: dict[str, str], path: str) -> tuple[str, str, str]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    target = tmp_path / path
    result = migrate_source(str(target), target.read_bytes(), Settings())
    (call,) = result.calls
    return call.outcome, call.findings[0].code, call.findings[0].message()


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (
            {"main.py": "from app.clients import client\n" + CALL.format(receiver="client")},
            "(`client` is imported from `app.clients`, which is not in the project)",
        ),
        (
            {"main.py": "from app import clients\n" + CALL.format(receiver="clients.client")},
            "(`clients.client` is imported from `app.clients`, which is not in the project)",
        ),
        (
            {
                "main.py": "import tracing\nfrom openai import OpenAI\n\n@tracing.traced\ndef get():\n"
                "    return OpenAI()\n" + CALL.format(receiver="get()")
            },
            "(`get()` is decorated with `@tracing.traced`)",
        ),
        (
            {
                "main.py": "from openai import OpenAI\n\nasync def get():\n    return OpenAI()\n"
                + CALL.format(receiver="get()")
            },
            "(`get()` is a coroutine function)",
        ),
        (
            {
                "main.py": "from helpers import make\n\ndef get():\n    return make()\n"
                + CALL.format(receiver="get()"),
                "helpers.py": "from vendor import build\n\ndef make():\n    return build()\n",
            },
            "(`get()` returns `make()`: `make()` comes from `helpers`: `make()` returns `build()`: "
            "`build()` is imported from `vendor`, which is not in the project)",
        ),
        (
            {
                "main.py": "from shapes import Shape\n" + CALL.format(receiver="Shape()"),
                "shapes.py": "class Shape:\n    pass\n",
            },
            "(`Shape()` comes from `shapes`: `Shape` is a class of the project, not an OpenAI client class)",
        ),
    ],
    ids=["imported", "module_attribute", "decorated", "coroutine", "chain", "project_class"],
)
def test_unresolved_client_names_the_step(tmp_path: Path, files: dict[str, str], why: str) -> None:
    outcome, code, message = _outcome(tmp_path, files, "main.py")
    assert (outcome, code) == ("skipped", "RSP004")
    assert message.endswith(why), message


def test_a_client_imported_from_the_project_is_checked_where_it_is_built(tmp_path: Path) -> None:
    files = {
        "main.py": "from clients import client\n" + CALL.format(receiver="client"),
        "clients.py": 'import os\nfrom openai import OpenAI\n\nos.environ["OPENAI_BASE_URL"] = "http://localhost:8000/v1"\n'
        "client = OpenAI()\n",
    }
    assert _outcome(tmp_path, files, "main.py")[:2] == ("skipped", "RSP003")
    (tmp_path / "clients.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    assert _outcome(tmp_path, {}, "main.py")[:2] == ("migrated", "RSP100")


def _modules(files: dict[str, bytes], listed: list[str] | None = None) -> ProjectModules:
    return ProjectModules(
        catalog.load(),
        lambda module: None,
        files.get,
        lambda: list(files) if listed is None else listed,
    )


def test_overriding_follows_subclasses_of_subclasses_across_modules() -> None:
    files = {
        "a.py": b"from base import Provider\n\nclass Local(Provider):\n    pass\n",
        "b.py": b"import a\n\nclass Ollama(a.Local):\n    def _client(self):\n        return None\n",
        "c.py": b"class Unrelated:\n    def _client(self):\n        return None\n",
    }
    assert _modules(files).overriding("Provider", "_client") == "`Ollama._client` in b.py"
    assert _modules(files).overriding("Provider", "other") is None
    assert _modules({"c.py": files["c.py"]}).overriding("Provider", "_client") is None


def test_overriding_counts_a_base_listed_first() -> None:
    """`class D(Mixin, Provider)`: Mixin comes first in D's method resolution order, so whatever
    it defines overrides Provider's, and the tool doesn't read it."""
    first = {"d.py": b"from base import Provider\nfrom mixins import Mixin\n\nclass D(Mixin, Provider):\n    pass\n"}
    assert _modules(first).overriding("Provider", "_client") == "`D` in d.py (which derives from `Mixin` first)"
    later = {"d.py": b"from base import Provider\n\nclass D(Generic[T], Provider, Mixin):\n    pass\n"}
    assert _modules(later).overriding("Provider", "_client") is None


def test_overriding_refuses_what_it_cant_read() -> None:
    broken = {"x.py": b"class Sub(Provider:\n"}
    assert _modules(broken).overriding("Provider", "_client") == "a class in x.py, which can't be read or parsed"
    too_many = ProjectModules(catalog.load(), lambda module: None, broken.get, lambda: None)
    assert "too many files" in (too_many.overriding("Provider", "_client") or "")


# A parameter without annotation (#15): resolved from its callers only when every caller is in
# sight (migrate/analysis/callers.py), else RSP004 naming the step that failed.
ASK = """
def {name}(llm, question):
    completion = llm.chat.completions.create(model="gpt-4.1", messages=[{{"role": "user", "content": question}}])
    return completion.choices[0].message.content
"""
HEAD = "from groq import Groq\nfrom openai import OpenAI\n\nclient = OpenAI()\n"
BOT = (
    HEAD
    + "\nclass Bot:\n    def __init__(self):\n        self.client = OpenAI()\n"
    + "\n".join("    " + line for line in ASK.format(name="_ask").replace("(llm", "(self, llm").splitlines())
    + "\n    def run(self):\n        return self._ask(self.client, 'a')\n"
)
WHY = "(`llm` is a parameter without an OpenAI type annotation, and "


def _callee(tmp_path: Path, main: str, **others: str) -> tuple[str, str, str]:
    """The outcome of the call in `_ask` (or `ask`), the first call site of main.py."""
    files = {"main.py": main, **{f"{name.replace('__', '/')}.py": text for name, text in others.items()}}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    target = tmp_path / "main.py"
    result = migrate_source(str(target), target.read_bytes(), Settings())
    call = result.calls[0]
    return call.outcome, call.findings[0].code, call.findings[0].message()


@pytest.mark.parametrize(
    "main",
    [
        HEAD + ASK.format(name="_ask") + "\ndef a():\n    return _ask(client, 'a')\n\n\ndef b():\n"
        "    return _ask(question='b', llm=OpenAI(timeout=5))\n",
        HEAD
        + "\ndef run():\n"
        + "\n".join("    " + line for line in ASK.format(name="inner").splitlines())
        + "\n    return inner(client, 'a') + inner(OpenAI(), 'b')\n",
        HEAD
        + ASK.format(name="_ask").replace(
            "    completion", "    if not question:\n        return _ask(llm, 'again')\n    completion", 1
        )
        + "\n_ask(client, 'a')\n",
        BOT,
    ],
    ids=["private_two_callers", "nested", "recursive", "private_method"],
)
def test_a_parameter_whose_every_caller_passes_an_openai_client_migrates(tmp_path: Path, main: str) -> None:
    assert _callee(tmp_path, main)[:2] == ("migrated", "RSP100")


@pytest.mark.parametrize(
    ("main", "others", "why"),
    [
        (
            HEAD + ASK.format(name="ask") + "\nask(client, 'a')\n",
            {},
            "`ask()` is public: code outside the module (its users, pytest) may call it)",
        ),
        (
            HEAD
            + "import functools\n"
            + ASK.format(name="_ask").replace("def _ask", "@functools.cache\ndef _ask")
            + "\n_ask(client, 'a')\n",
            {},
            "`_ask()` is decorated with `@functools.cache`)",
        ),
        (
            HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\nhandlers = {'ask': _ask}\n",
            {},
            "`_ask` is referenced without being called (`_ask` is put in a container))",
        ),
        (
            HEAD + "\ndef make():\n    def inner(llm):\n        return llm.chat.completions.create(model='m', "
            "messages=[])\n    inner(client)\n    return inner\n",
            {},
            "`inner` is referenced without being called (`inner` is returned))",
        ),
        (HEAD + ASK.format(name="_ask"), {}, "`_ask()` is never called in this module)"),
        (
            HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n_ask(*([client, 'b']))\n",
            {},
            "`_ask(*([client, 'b']))` passes `*` arguments)",
        ),
        (
            HEAD + "from vendor import make\n" + ASK.format(name="_ask") + "\n_ask(client, 'a')\n_ask(make(), 'b')\n",
            {},
            "`_ask(make(), 'b')` passes `make()` as `llm`, not known to be OpenAI's: "
            "`make()` is imported from `vendor`, which is not in the project)",
        ),
        (
            HEAD
            + ASK.format(name="_ask").replace("llm, question", "question, llm=None")
            + "\n_ask('a', client)\n_ask('b')\n",
            {},
            "`_ask('b')` does not pass `llm`)",
        ),
        (
            HEAD
            + ASK.format(name="_ask").replace("    completion", "    return _ask(llm, question)\n    completion", 1),
            {},
            "`_ask()` is only called with its own `llm`)",
        ),
        (
            HEAD + '__all__ = ["_ask"]\n' + ASK.format(name="_ask") + "\n_ask(client, 'a')\n",
            {},
            '"_ask" is spelled in the module (`__all__ = ["_ask"]`))',
        ),
        (
            HEAD + "\nclass Bot:\n    def __init__(self, llm):\n        self.llm = llm\n\n    def run(self):\n"
            "        return self.llm.chat.completions.create(model='m', messages=[])\n\n\nBot(client).run()\n",
            {},
            "`__init__()` is a special method of `Bot`, whose calls the tool does not follow)",
        ),
        (
            HEAD + "import sys\n" + ASK.format(name="_ask") + "\n_ask(client, 'a')\nsys.modules[__name__]._ask(0, 1)\n",
            {},
            "`._ask` is read in the module (`sys.modules[__name__]._ask(0, 1)`))",
        ),
        (
            BOT + "\n    def other(self):\n        return getattr(self, '_ask')(None, 'b')\n",
            {},
            "\"_ask\" is spelled in the module (`return getattr(self, '_ask')(None, 'b')`))",
        ),
        (
            HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n",
            {"cli": "from main import _ask\n\n_ask(None, 'b')\n"},
            "`_ask()` may be called from another module: cli.py imports it (`from main import ...`))",
        ),
        (
            HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n",
            {"cli": "import main as m\n\nm._ask(None, 'b')\n"},
            "`_ask()` may be called from another module: cli.py reads `m._ask`)",
        ),
        (
            HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n",
            {"cli": "import importlib\n\ngetattr(importlib.import_module('main'), '_ask')(None, 'b')\n"},
            '`_ask()` may be called from another module: cli.py spells "_ask")',
        ),
        (
            BOT + "\n\nclass Fast(Bot):\n    def run(self):\n        return self._ask(None, 'b')\n",
            {},
            "`self._ask(...)` is called outside `Bot` (self._ask(None, 'b')))",
        ),
        (
            BOT,
            {"fast": "from main import Bot\n\n\nclass Fast(Bot):\n    def run(self):\n        self._ask(1, 0)\n"},
            "`self._ask()` may be called from another module: fast.py reads `self._ask`)",
        ),
    ],
    ids=[
        "public",
        "decorated",
        "referenced",
        "nested_returned",
        "never_called",
        "star_arguments",
        "caller_unresolved",
        "default_used",
        "only_recursive",
        "listed_in_all",
        "constructor",
        "attribute_in_module",
        "string_for_method",
        "imported_elsewhere",
        "module_attribute_elsewhere",
        "spelled_elsewhere",
        "method_called_by_subclass",
        "method_called_in_other_module",
    ],
)
def test_a_parameter_whose_callers_cant_all_be_seen_names_the_step(
    tmp_path: Path, main: str, others: dict[str, str], why: str
) -> None:
    outcome, code, message = _callee(tmp_path, main, **others)
    message = message.replace(f"{tmp_path}/", "")
    assert (outcome, code) == ("skipped", "RSP004"), message
    assert message.endswith(why), message
    assert WHY in message, message


def test_a_caller_passing_another_providers_client_holds_the_callee_back(tmp_path: Path) -> None:
    main = HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n_ask(Groq(), 'b')\n"
    assert _callee(tmp_path, main)[:2] == ("skipped", "RSP001")
    local = HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n_ask(OpenAI(base_url=URL), 'b')\n"
    assert _callee(tmp_path, local)[:2] == ("skipped", "RSP003")


def test_a_file_with_its_own_function_of_that_name_does_not_hold_it_back(tmp_path: Path) -> None:
    """Another module naming `_ask` and this module's name, but defining and calling its own
    `_ask`, imports nothing of it (the bytes pick it; its `ast` clears it)."""
    main = HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n"
    other = "import main\n\n\ndef _ask(x):\n    return x\n\n\nprint(_ask(main.client))\n"
    assert _callee(tmp_path, main, other=other)[:2] == ("migrated", "RSP100")


def test_a_function_of_a_package_init_imported_without_its_name(tmp_path: Path) -> None:
    """`from . import _ask` in pkg/sub.py names no `pkg`: any file naming `_ask` is read."""
    init = HEAD + ASK.format(name="_ask") + "\n_ask(client, 'a')\n"
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(init)
    (tmp_path / "pkg" / "sub.py").write_text("from . import _ask\n\n_ask(None, 'b')\n")
    target = tmp_path / "pkg" / "__init__.py"
    call = migrate_source(str(target), target.read_bytes(), Settings()).calls[0]
    assert call.outcome == "skipped"
    assert call.findings[0].message().endswith("pkg/sub.py imports it (`from . import ...`))")
