"""Run a program against a fake server: in-process (fast, for tests) or as a command.

Both point the ``openai`` SDK at the server through the environment only
(``OPENAI_BASE_URL``, ``OPENAI_API_KEY``), as a real program would be configured.  The
program gets a minimal environment: only the variables it needs to run (``PATH``, ``HOME``,
the locale, the temporary directory, ``PYTHON*``, the active virtualenv; :data:`KEPT`) are
passed through, so no secret of the caller (``ANTHROPIC_API_KEY``, ``GROQ_API_KEY``, cloud
credentials, tokens) reaches it and nothing else can send a request elsewhere.  A command
runs in its own session (process group): when it times out, or once it has exited, the
whole group is killed, so no grandchild outlives the run.  As a second guard, every
proxy variable points at a closed local port (``NO_PROXY`` exempts only 127.0.0.1 and
localhost), so a program that hard-codes ``base_url="https://api.openai.com/v1"``
gets a connection error instead of reaching the real API.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DUMMY_API_KEY", "ProgramRun", "fake_env", "run_command", "run_source"]

DUMMY_API_KEY = "sk-fake-migrate-verify"

# The caller's variables a program gets (everything else is dropped): what it needs to run.
KEPT = frozenset(
    "PATH HOME USER LOGNAME SHELL LANG LANGUAGE TZ TERM TMPDIR TEMP TMP VIRTUAL_ENV CONDA_PREFIX"
    " SYSTEMROOT SYSTEMDRIVE WINDIR COMSPEC PATHEXT USERPROFILE APPDATA LOCALAPPDATA".split()
)
KEPT_PREFIXES = ("LC_", "PYTHON")
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused


@dataclass
class ProgramRun:
    stdout: str
    stderr: str
    returncode: int

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def fake_env(base_url: str, env: Mapping[str, str] | None = None) -> dict:
    """The variables of ``env`` (default: os.environ) a program needs to run, pointed at the fake server."""
    source = os.environ if env is None else env
    out = {key: value for key, value in source.items() if key in KEPT or key.startswith(KEPT_PREFIXES)}
    out["OPENAI_BASE_URL"] = base_url
    out["OPENAI_API_KEY"] = DUMMY_API_KEY
    for key in _PROXIES:
        out[key] = DEAD_PROXY
    out["NO_PROXY"] = out["no_proxy"] = "127.0.0.1,localhost"
    out.setdefault("PYTHONHASHSEED", "0")
    return out


_ENV_LOCK = threading.Lock()
_EMPTY_DIR: str | None = None


def _empty_dir() -> str:
    global _EMPTY_DIR
    if _EMPTY_DIR is None or not os.path.isdir(_EMPTY_DIR):
        import atexit
        import tempfile

        _EMPTY_DIR = tempfile.mkdtemp(prefix="migrate-no-ca-")
        atexit.register(os.rmdir, _EMPTY_DIR)
    return _EMPTY_DIR


@contextlib.contextmanager
def _patched_environ(values: dict):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_source(source: str | bytes, base_url: str, *, filename: str = "<program>") -> ProgramRun:
    """Execute a Python program in this process with its output captured.

    The program runs as ``__main__`` in a fresh namespace, with the environment
    pointed at ``base_url``.  An uncaught exception gives return code 1 and its
    traceback (last line) on stderr; ``sys.exit(n)`` gives ``n``.
    """
    code = compile(source, filename, "exec", dont_inherit=True)
    out, err = io.StringIO(), io.StringIO()
    returncode = 0
    namespace = {"__name__": "__main__", "__file__": filename, "__builtins__": __builtins__}
    env = fake_env(base_url)
    # The fake server speaks plain HTTP: trust no CA at all.  No HTTPS request can
    # succeed (a second guard against real endpoints), and each client skips
    # loading the system CA bundle (~0.1 s).
    env.pop("SSL_CERT_FILE", None)
    env["SSL_CERT_DIR"] = _empty_dir()
    with _ENV_LOCK, _patched_environ(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _reset_module_client()
        try:
            exec(code, namespace)
        except SystemExit as stop:
            returncode = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException as error:  # the program's failure is a result
            if isinstance(error, KeyboardInterrupt):
                raise
            returncode = 1
            err.write("".join(traceback.format_exception_only(type(error), error)))
        finally:
            _reset_module_client()
    return ProgramRun(out.getvalue(), err.getvalue(), returncode)


def _reset_module_client() -> None:
    """Forget the ``openai`` module-level client (``openai.chat...``): it caches its base URL."""
    module = sys.modules.get("openai")
    if module is not None and getattr(module, "_client", None) is not None:
        module._client = None  # type: ignore[attr-defined]  # the SDK's own module attribute


def run_command(
    command: Sequence[str], base_url: str, *, cwd: str, timeout: float = 300, extra_path: Sequence[str] = ()
) -> ProgramRun:
    """Run ``command`` (no shell) in ``cwd`` against the fake server."""
    env = fake_env(base_url)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join([*extra_path, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: killed as a whole below
        )
    except FileNotFoundError as error:
        return ProgramRun("", f"cannot run {command[0]!r}: {error.strerror or error}\n", 127)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, _ = _drain(process)
        return ProgramRun(stdout, f"timed out after {timeout:g} s\n", 124)
    except BaseException:  # Ctrl-C while it runs: leave nothing behind
        _kill_group(process)
        _drain(process)
        raise
    _kill_group(process)  # a grandchild it left running (the group outlives its leader)
    return ProgramRun(stdout, stderr, process.returncode)


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL every process of the command's process group (the command itself on Windows)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # the group id is the leader's pid
    else:  # pragma: no cover - Windows
        with contextlib.suppress(OSError):
            process.kill()


def _drain(process: subprocess.Popen) -> tuple[str, str]:
    """What the killed command wrote, once every writer is gone (bounded: a stray holder of the pipe can't hang us)."""
    try:
        stdout, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return "", ""
    return stdout or "", stderr or ""
