"""`migrate verify` and the runnable fixture programs (tests/runnable/).

* Every ``tests/runnable/<name>.py`` is migrated by the engine, then the original and
  the migrated program each run (in-process) against their own fake server: stdout,
  exit status and canonical requests must be identical, with no invalid request and
  no chat.completions request left in the migrated run.
* ``tests/runnable/pairs/<case>.before.py`` + ``<case>.<variant>.after.py`` are
  hand-written migrations: the right ones verify OK, the deliberately wrong ones are
  caught (a rejected request, a changed canonical field, a different output).
* ``verify_command`` runs end to end in a temporary project (subprocesses).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("openai")
pytest.importorskip("pydantic")

from fixture_cases import FIXTURES

from migrate.catalog.settings import Settings
from migrate.engine.pipeline import migrate_source
from migrate.verify.command import Comparison, RunRecord, compare_runs, verify_command
from migrate.verify.programs import run_source
from migrate.verify.server import FakeOpenAI

RUNNABLE = Path(__file__).resolve().parent / "runnable"
PROGRAMS = sorted(RUNNABLE.glob("*.py"))
PAIRS = RUNNABLE / "pairs"
AFTERS = sorted(PAIRS.glob("*.*.after.py"))


def _run(label: str, source: bytes, filename: str) -> RunRecord:
    with FakeOpenAI() as server:
        done = run_source(source, server.base_url, filename=filename)
        return RunRecord(label, done.stdout, done.stderr, done.returncode, server.requests)


def _compare(before: bytes, after: bytes, name: str) -> tuple[Comparison, RunRecord, RunRecord]:
    original = _run("original", before, name)
    migrated = _run("migrated", after, name)
    return compare_runs(original, migrated), original, migrated


def test_there_are_enough_runnable_programs():
    assert len(PROGRAMS) >= 20
    assert len(AFTERS) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_migrated_program_behaves_identically(program: Path):
    data = program.read_bytes()
    # A program named `..._unsafe` is migrated with --unsafe (its README says what it assumes).
    result = migrate_source(str(program), data, Settings(unsafe=program.stem.endswith("_unsafe")))
    assert result.status == "changed", result.reason
    assert result.calls and all(call.outcome == "migrated" for call in result.calls), [
        (call.outcome, [f.code for f in call.findings]) for call in result.calls
    ]
    comparison, original, migrated = _compare(data, result.migrated, str(program))
    assert original.returncode == 0, original.stderr
    assert original.requests and all(r.api == "chat" for r in original.requests)
    assert [r.errors for r in original.requests + migrated.requests] == [[]] * (
        len(original.requests) + len(migrated.requests)
    )
    assert all(r.api == "responses" for r in migrated.requests)
    assert [r.canonical for r in migrated.requests] == [r.canonical for r in original.requests]
    assert migrated.stdout == original.stdout and migrated.returncode == 0, migrated.stderr
    assert comparison.ok, "\n".join(comparison.details)
    assert comparison.verdict == (
        f"verify: OK — {len(original.requests)} request{'s' if len(original.requests) > 1 else ''}, identical answers"
    )


# (variant) -> None for a correct migration, else (a verdict fragment, a detail fragment)
EXPECTED = {
    "tool_loop.correct": None,
    "tool_loop.item_id": ("invalid request", "No tool call found for function call output with call_id fc_"),
    "tools.not_flattened": ("invalid request", "Missing required parameter: 'tools[0].name'"),
    "tools.strict_omitted": ("changed meaning", "`tools[1].strict`"),
    "stop.dropped": ("changed meaning", "`stop`"),
    "choices.left_in_place": ("exit status 0 became 1", "AttributeError: 'Response' object has no attribute 'choices'"),
    "system.instructions": None,
    "system.as_user": ("changed meaning", "`turns[0].role`"),
    "system.store_omitted": ("changed meaning", "`store`"),
    "json_schema.not_flattened": ("invalid request", "Unknown parameter: 'text.format.json_schema'"),
    "conversation.previous_response_id": None,
    "conversation.not_stored": ("invalid request", "Previous response with id 'resp_"),
    "stream.events": None,
    "print_delta.none_for_other_events": ("stdout differs", "None"),
    # A reasoning item comes first: the call's `output_index` is 1 where chat's `index` was 0.
    "tool_deltas.correct": None,
    "tool_deltas.output_index": ("stdout differs", "+{1: "),
    # Azure serves /openai/responses only from api-version 2025-03-01-preview on (RSP006).
    "azure_api_version.client_kept": (
        "invalid request",
        "Azure OpenAI Responses API is enabled only for api-version 2025-03-01-preview and later",
    ),
    "azure_api_version.version_raised": None,
    "azure_api_version.v1_api": None,
}


def test_every_pair_has_an_expectation():
    assert sorted(p.name[: -len(".after.py")] for p in AFTERS) == sorted(EXPECTED)


@pytest.mark.parametrize("after", AFTERS, ids=lambda p: p.name[: -len(".after.py")])
def test_hand_written_migrations(after: Path):
    variant = after.name[: -len(".after.py")]
    before = PAIRS / (variant.split(".")[0] + ".before.py")
    comparison, original, migrated = _compare(before.read_bytes(), after.read_bytes(), variant)
    assert original.returncode == 0 and not [r for r in original.requests if r.errors], original.stderr
    expected = EXPECTED[variant]
    report = comparison.verdict + "\n" + "\n".join(comparison.details)
    if expected is None:
        assert comparison.ok, report
        assert migrated.stdout == original.stdout
    else:
        fragment, detail = expected
        assert not comparison.ok
        assert comparison.verdict.startswith("verify: FAILED — ") and fragment in comparison.verdict, report
        assert detail in report, report


def test_the_tool_leaves_an_azure_client_on_an_old_api_version_alone():
    """What `azure_api_version.client_kept` shows fails, the tool doesn't write: it reports the call."""
    before = PAIRS / "azure_api_version.before.py"
    result = migrate_source(str(before), before.read_bytes(), Settings())
    assert result.status == "unchanged"
    assert [(call.outcome, [f.code for f in call.findings]) for call in result.calls] == [("reported", ["RSP006"])]


def test_comparison_reports_count_and_chat_leftovers():
    data = (RUNNABLE / "chained_calls.py").read_bytes()
    original = _run("original", data, "chained")
    # Only the first call migrated by hand: the second still goes to chat.completions.
    partial = data.replace(
        b"first = client.chat.completions.create(", b"first = client.responses.create(store=False,", 1
    )
    partial = partial.replace(
        b'messages=[{"role": "user", "content": "Suggest a name for a bakery."}],\n)',
        b'input=[{"role": "user", "content": "Suggest a name for a bakery."}],\n)',
        1,
    )
    partial = partial.replace(b"name = first.choices[0].message.content", b"name = first.output_text")
    migrated = _run("migrated", partial, "chained")
    comparison = compare_runs(original, migrated)
    assert comparison.ok, comparison.details
    assert comparison.notes and "still sent 1 chat.completions request" in comparison.notes[0]
    fewer = compare_runs(original, RunRecord("migrated", original.stdout, "", 0, migrated.requests[:1]))
    assert "2 requests became 1" in fewer.verdict
    nothing = compare_runs(RunRecord("original", "", "", 0, []), RunRecord("migrated", "", "", 0, []))
    assert "sent no requests" in nothing.verdict


# --------------------------------------------------------------------------------------
# verify_command, end to end
# --------------------------------------------------------------------------------------

APP = """
from openai import OpenAI

client = OpenAI()


def ask(question: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": question},
        ],
        max_tokens=64,
    )
    return completion.choices[0].message.content


def tokens() -> int:
    completion = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "Hi"}])
    return completion.usage.prompt_tokens
"""

DEMO = """
import app

print(app.ask("What is a monad?"))
print(app.tokens())
"""


def _project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "src" / "app.py").write_text(textwrap.dedent(APP))
    (root / "scripts" / "demo.py").write_text(textwrap.dedent(DEMO))
    (root / ".venv").mkdir()  # never copied
    (root / ".venv" / "big.bin").write_bytes(b"0" * 10)
    return root


@pytest.mark.slow
def test_verify_command_ok(tmp_path, monkeypatch):
    project = _project(tmp_path / "project")
    monkeypatch.chdir(project)
    out = io.StringIO()
    code = verify_command("src/", ["--", sys.executable, "scripts/demo.py"], out=out)
    text = out.getvalue()
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 2 requests, identical answers"
    assert "migrated 2 calls in 1 file" in text
    assert "original: 2 requests (2 chat.completions, 0 responses), exit 0" in text
    assert "migrated: 2 requests (0 chat.completions, 2 responses), exit 0" in text
    assert "chat.completions" in (project / "src" / "app.py").read_text()  # the original is untouched


# Plain-HTTP programs (no SDK import: a fast subprocess) for the revision mode.
HTTP_APP = """
import json, os, urllib.request

def post(path, body):
    request = urllib.request.Request(
        os.environ["OPENAI_BASE_URL"] + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": "Bearer " + os.environ["OPENAI_API_KEY"]},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())

%s
"""
HTTP_CHAT = """
out = post(
    "/chat/completions",
    {"model": "gpt-4.1", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]},
)
print(out["choices"][0]["message"]["content"])
"""
HTTP_WRONG = """
out = post("/responses", {"model": "gpt-4.1", "instructions": "Be brief.", "input": "Hi"})
print(out["output"][0]["content"][0]["text"])
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_verify_command_revision_mode_catches_a_wrong_migration(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(HTTP_APP % HTTP_CHAT)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "chat"], cwd=project, check=True)
    # A hand migration that forgets store=False.
    (project / "app.py").write_text(HTTP_APP % HTTP_WRONG)
    monkeypatch.chdir(project)
    out = io.StringIO()
    code = verify_command(".", [sys.executable, "app.py"], revision="HEAD", out=out)
    text = out.getvalue()
    assert code == 1, text
    assert text.splitlines()[-1] == "verify: FAILED — 1 request changed meaning, stdout differs"
    assert "request #1 chat.completions -> #1 responses: the request's meaning changed at `store`" in text
    assert "original: HEAD; migrated: the working tree" in text
    # The same tree against itself is OK.
    subprocess.run([*git, "commit", "-q", "-am", "responses"], cwd=project, check=True)
    out = io.StringIO()
    assert verify_command(".", [sys.executable, "app.py"], revision="HEAD", out=out) == 0, out.getvalue()
    assert out.getvalue().splitlines()[-1] == "verify: OK — 1 request, identical answers"


def test_verify_command_usage_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert verify_command("missing/", ["python", "x.py"], out=out) == 2
    assert "no such file or directory" in out.getvalue()
    out = io.StringIO()
    assert verify_command(".", [], out=out) == 2
    assert "no command given" in out.getvalue()


def test_register_adds_a_typer_command(monkeypatch):
    typer = pytest.importorskip("typer")
    from typer.testing import CliRunner

    import migrate.verify.command as verify_module

    seen = {}

    def fake(path, command, revision=None, **kwargs):
        seen.update(path=path, command=command, revision=revision)
        return 1

    monkeypatch.setattr(verify_module, "verify_command", fake)
    app = typer.Typer()

    @app.command()
    def other() -> None:  # a second command, so `verify` is a subcommand as in migrate.cli.app
        pass

    verify_module.register(app)
    result = CliRunner().invoke(app, ["verify", "--revision", "HEAD~1", "src/", "--", "python", "-m", "demo", "--flag"])
    assert result.exit_code == 1, result.output
    assert seen == {"path": "src/", "command": ["python", "-m", "demo", "--flag"], "revision": "HEAD~1"}
    help_text = CliRunner().invoke(app, ["verify", "--help"]).output
    assert "COMMAND" in help_text and "--revision" in help_text


def test_programs_cannot_reach_a_real_endpoint():
    program = b"""
from openai import OpenAI
client = OpenAI(base_url="https://api.openai.com/v1", max_retries=0)
client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "x"}])
"""
    with FakeOpenAI() as server:
        done = run_source(program, server.base_url)
        assert done.returncode == 1 and "APIConnectionError" in done.stderr
        assert server.requests == []


# -- the program's environment, its processes, the settings it is migrated with ---------------------


def test_a_command_gets_a_minimal_environment_without_the_callers_secrets(tmp_path, monkeypatch):
    from migrate.verify.programs import DUMMY_API_KEY, run_command

    secrets = {
        "ANTHROPIC_API_KEY": "sk-ant-secret",
        "GROQ_API_KEY": "gsk-secret",
        "AWS_SECRET_ACCESS_KEY": "aws-secret",
        "GITHUB_TOKEN": "ghp-secret",
        "OPENAI_API_KEY": "sk-real-secret",
        "OPENAI_ORG_ID": "org-real",
    }
    for key, value in secrets.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    program = "import json, os; print(json.dumps(dict(os.environ)))"
    done = run_command([sys.executable, "-c", program], "http://127.0.0.1:1/v1", cwd=str(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    import json

    env = json.loads(done.stdout)
    assert not [value for value in env.values() if "secret" in value or value == "org-real"], env
    assert "ANTHROPIC_API_KEY" not in env and "GROQ_API_KEY" not in env and "OPENAI_ORG_ID" not in env
    assert env["OPENAI_API_KEY"] == DUMMY_API_KEY
    assert env["OPENAI_BASE_URL"] == "http://127.0.0.1:1/v1"
    assert env["PATH"] == os.environ["PATH"] and env["LC_ALL"] == "C.UTF-8"


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (dead, waiting for a parent that doesn't reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


# The command starts a grandchild that sleeps and writes its pid; the command itself then sleeps
# (timeout) or exits at once with the grandchild running in the background (detached).
GRANDCHILD = """
import subprocess, sys, time
child = subprocess.Popen(
    [sys.executable, "-c", "import os, time; open('pid', 'w').write(str(os.getpid())); time.sleep(120)"],
    stdout=subprocess.DEVNULL if sys.argv[1] == "detached" else None,
    stderr=subprocess.DEVNULL if sys.argv[1] == "detached" else None,
)
while True:
    try:
        if open("pid").read():
            break
    except OSError:
        pass
    time.sleep(0.02)
if sys.argv[1] == "sleeps":
    time.sleep(120)
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
@pytest.mark.parametrize("mode", ["sleeps", "detached"])
def test_no_process_of_the_command_outlives_its_run(tmp_path, mode):
    from migrate.verify.programs import run_command

    (tmp_path / "prog.py").write_text(GRANDCHILD)
    done = run_command(
        [sys.executable, "prog.py", mode],
        "http://127.0.0.1:1/v1",
        cwd=str(tmp_path),
        timeout=3 if mode == "sleeps" else 60,
    )
    if mode == "sleeps":
        assert done.returncode == 124 and "timed out after 3 s" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
    pid = int((tmp_path / "pid").read_text())
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not _gone(pid):
        os.kill(pid, 9)  # don't leave it behind when the test fails
        pytest.fail(f"the grandchild {pid} survived the command's {'timeout' if mode == 'sleeps' else 'exit'}")


# Prints, in each tree, whether app.py has store=False and whether the excluded file was migrated.
INSPECT = (
    "import pathlib; print('store=False' in pathlib.Path('app.py').read_text(),"
    " 'responses' in pathlib.Path('legacy/old.py').read_text())"
)


@pytest.mark.slow
def test_verify_migrates_with_the_settings_apply_would_use(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "legacy").mkdir(parents=True)
    (project / "app.py").write_text(textwrap.dedent(APP))
    (project / "legacy" / "old.py").write_text(textwrap.dedent(APP))
    (project / "pyproject.toml").write_text('[tool.migrate]\nstore = "omit"\nexclude = ["legacy/"]\n')
    monkeypatch.chdir(project)
    out = io.StringIO()
    code = verify_command(".", [sys.executable, "-c", INSPECT], out=out)
    text = out.getvalue()
    assert code == 1, text  # the command sends no request: nothing verified
    assert "migrated 2 calls in 1 file" in text, text  # legacy/ excluded
    assert "stdout differs" not in text, text  # no store=False written, legacy/old.py untouched
    assert text.splitlines()[-1] == "verify: FAILED — the command sent no requests (nothing was verified)"


def test_a_bad_tool_migrate_table_stops_verify_with_its_reason(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    (tmp_path / "pyproject.toml").write_text('[tool.migrate]\nstore = "maybe"\n')
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert verify_command(".", [sys.executable, "-c", "pass"], out=out) == 2
    assert out.getvalue().startswith("verify: error: ") and "store = 'maybe'" in out.getvalue(), out.getvalue()


# A value converted where it is written, with the module that imports it (fixtures/projects/
# value_converted_with_importers): the runnable programs are single files, so the two modules
# run end to end here.
AGENT_TOOLS = """
from openai import OpenAI

client = OpenAI()

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    },
]
FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}
CITY_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "city",
        "schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    },
}


def weather(city: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": f"Weather in {city}?"}],
        tools=TOOLS,
        tool_choice=FORCE_WEATHER,
    )
    return completion.choices[0].message.content or "<no text>"


def city(text: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": text}],
        response_format=CITY_FORMAT,
    )
    return completion.choices[0].message.content
"""

AGENT_CHAT = """
from openai import OpenAI

from .tools import CITY_FORMAT, FORCE_WEATHER, TOOLS

client = OpenAI()


def chat(text: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": text}],
        tools=TOOLS,
    )
    return completion.choices[0].message.content or "<no text>"


def forced(text: str) -> int:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": text}],
        tools=TOOLS,
        tool_choice=FORCE_WEATHER,
    )
    return completion.usage.total_tokens


def city(text: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": text}],
        response_format=CITY_FORMAT,
    )
    return completion.choices[0].message.content
"""

AGENT_DEMO = """
from agent import chat, tools

print(tools.weather("Paris"))
print(tools.city("I live in Lyon."))
print(chat.chat("Hello"))
print(chat.forced("Weather in Oslo?"))
print(chat.city("I live in Rome."))
"""


def _verify_src(project: Path, monkeypatch, demo: str) -> tuple[int, str]:
    """`migrate verify src/ -- python scripts/demo.py` in `project`, with `demo` as the script:
    its exit code and its output."""
    (project / "scripts").mkdir()
    (project / "scripts" / "demo.py").write_text(demo)
    monkeypatch.chdir(project)
    out = io.StringIO()
    code = verify_command("src/", ["--", sys.executable, "scripts/demo.py"], out=out)
    return code, out.getvalue()


@pytest.mark.slow
def test_verify_command_value_converted_with_its_importer(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "src" / "agent").mkdir(parents=True)
    (project / "src" / "agent" / "__init__.py").write_text("")
    (project / "src" / "agent" / "tools.py").write_text(textwrap.dedent(AGENT_TOOLS))
    (project / "src" / "agent" / "chat.py").write_text(textwrap.dedent(AGENT_CHAT))
    code, text = _verify_src(project, monkeypatch, textwrap.dedent(AGENT_DEMO))
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 5 requests, identical answers"
    assert "migrated 5 calls in 2 files" in text
    assert "migrated: 5 requests (0 chat.completions, 5 responses), exit 0" in text


# A tool call passed to a function of another module (fixtures/projects/tool_call_passed_to_other_module).
BOT_TOOLS = """
import json


def execute_tool(tool_call) -> str:
    arguments = json.loads(tool_call.function.arguments)
    return f"{tool_call.function.name}({sorted(arguments)}) id={tool_call.id[:3]}"


def describe(message, prefix: str = "") -> str:
    return prefix + (message.content or "<no text>")
"""

BOT_AGENT = """
from openai import OpenAI

from .tools import describe, execute_tool

client = OpenAI()
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def run(question: str) -> list[str]:
    response = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": question}],
        tools=TOOLS,
        tool_choice="required",
    )
    return [execute_tool(call) for call in response.choices[0].message.tool_calls or []]


def answer(question: str) -> str:
    response = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])
    return describe(response.choices[0].message, prefix="> ")
"""

BOT_DEMO = """
from bot import agent

print(agent.run("Weather in Paris?"))
print(agent.answer("Hello"))
"""


@pytest.mark.slow
def test_verify_command_tool_call_passed_to_another_module(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "src" / "bot").mkdir(parents=True)
    (project / "src" / "bot" / "__init__.py").write_text("")
    (project / "src" / "bot" / "tools.py").write_text(textwrap.dedent(BOT_TOOLS))
    (project / "src" / "bot" / "agent.py").write_text(textwrap.dedent(BOT_AGENT))
    code, text = _verify_src(project, monkeypatch, textwrap.dedent(BOT_DEMO))
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 2 requests, identical answers"
    assert text.splitlines()[0].endswith(" in 2 files"), text  # the function's module changed too
    assert "migrated: 2 requests (0 chat.completions, 2 responses), exit 0" in text


# The same functions reached through other import forms (fixtures/projects/tool_helper_module_import,
# tool_helper_aliased_import): on their module, `from . import tools` and `import bot.tools as t`,
# and under another name; bot/review.py imports the tool list too, converted with both callers
# (fixtures/projects/tool_helper_with_imported_value).
BOT_AGENT_FORMS = (
    BOT_AGENT.replace(
        "from .tools import describe, execute_tool", "from . import tools\nfrom .tools import describe as show"
    )
    .replace("[execute_tool(call)", "[tools.execute_tool(call)")
    .replace("return describe(", "return show(")
)

BOT_REVIEW = """
from openai import OpenAI

import bot.tools as t

from .agent import TOOLS

client = OpenAI()


def review(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": question}],
        tools=TOOLS,
        tool_choice="required",
    )
    message = response.choices[0].message
    done = [t.execute_tool(tool_call=call) for call in message.tool_calls or []]
    return t.describe(message, prefix=f"{len(done)} run: ")
"""

BOT_DEMO_FORMS = (
    BOT_DEMO
    + """
from bot import review

print(review.review("Weather in Rome?"))
"""
)


@pytest.mark.slow
def test_verify_command_tool_call_passed_to_another_module_by_other_import_forms(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "src" / "bot").mkdir(parents=True)
    (project / "src" / "bot" / "__init__.py").write_text("")
    (project / "src" / "bot" / "tools.py").write_text(textwrap.dedent(BOT_TOOLS))
    (project / "src" / "bot" / "agent.py").write_text(textwrap.dedent(BOT_AGENT_FORMS))
    (project / "src" / "bot" / "review.py").write_text(textwrap.dedent(BOT_REVIEW))
    assert "tools.execute_tool(call)" in BOT_AGENT_FORMS and "return show(" in BOT_AGENT_FORMS
    code, text = _verify_src(project, monkeypatch, textwrap.dedent(BOT_DEMO_FORMS))
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 3 requests, identical answers"
    assert text.splitlines()[0].endswith(" in 3 files"), text  # the functions' module changed too
    assert "migrated: 3 requests (0 chat.completions, 3 responses), exit 0" in text


# Values written in a module with no call of its own (fixtures/projects/value_in_module_without_calls).
VALUES_DEMO = """
from agent import chat, search

print(chat.weather("Weather in Oslo?"))
print(chat.answer("Say hi."))
print(chat.save("Remember the milk."))
print(search.search("Find my notes on milk."))
"""


@pytest.mark.slow
def test_verify_command_values_of_a_module_without_calls(tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "value_in_module_without_calls" / "before", project / "src")
    code, text = _verify_src(project, monkeypatch, textwrap.dedent(VALUES_DEMO))
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 4 requests, identical answers"
    assert text.splitlines()[0].endswith(" in 3 files"), text  # tools.py, where the values are written, too
    assert "migrated: 4 requests (0 chat.completions, 4 responses), exit 0" in text


@pytest.mark.slow
def test_verify_command_tools_module_with_value_and_helper(tmp_path, monkeypatch):
    """The common layout: tools.py holds the tool list and the function that runs a tool call,
    with no call of its own (fixtures/projects/tools_module_with_value_and_helper)."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "tools_module_with_value_and_helper" / "before", project / "src")
    code, text = _verify_src(
        project, monkeypatch, "from bot import agent\n\nprint(agent.run('Look up the weather.'))\n"
    )
    assert code == 0, text
    assert text.splitlines()[-1] == "verify: OK — 1 request, identical answers"
    assert text.splitlines()[0].endswith(" in 2 files"), text
