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
