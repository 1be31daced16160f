"""Run the engine over files: discover, migrate, write atomically, yield results in order.

Every file named or found ends as one FileResult, whatever goes wrong with it (a missing
path, a permission error, a broken symlink, a file that changed under us): the run goes on.

Ctrl-C: inside :func:`stop_on_sigint`, SIGINT never lands in the middle of a write or
between a write and the yield that reports it. While a file is being read and parsed it
abandons that file at once; otherwise the file in hand is finished (written and yielded)
first. Either way :func:`run` then returns normally, every file it yielded is fully done,
no temporary file is left, and ``stop.requested`` tells the caller to exit with
:data:`EXIT_INTERRUPTED`.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator, Sequence

from migrate.discovery import iter_files
from migrate.engine import migrate_source
from migrate.fileio import FileChangedError, read_bytes, write_atomic
from migrate.findings import FileResult
from migrate.settings import Settings

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C'd command
_PYTHON_SUFFIXES = (".py", ".pyw", ".pyi", ".ipynb")


class Stop:
    """A stop request shared by a signal handler and :func:`run`."""

    def __init__(self) -> None:
        self.requested = False
        self._interruptible = False

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """While inside, a SIGINT raises KeyboardInterrupt at once (nothing is written here)."""
        try:
            self._interruptible = True
            if self.requested:
                raise KeyboardInterrupt
            yield
        finally:
            self._interruptible = False

    def _on_sigint(self, signum, frame) -> None:
        self.requested = True
        if self._interruptible:
            raise KeyboardInterrupt


@contextmanager
def stop_on_sigint() -> Iterator[Stop]:
    """Turn Ctrl-C into a clean stop between files (see the module docstring).

    Outside the main thread signals can't be caught: the Stop is then never requested.
    """
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, stop._on_sigint)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def run(
    paths: Sequence[str],
    settings: Settings,
    *,
    write: bool,
    exclude: Sequence[str] = (),
    stop: Stop | None = None,
) -> Iterator[FileResult]:
    """Yield one FileResult per file, in discovery order, writing each change as it goes.

    With `stop` (from :func:`stop_on_sigint`), a Ctrl-C ends the run cleanly between files;
    without it, KeyboardInterrupt propagates as usual (no temporary file is left either way).
    """
    caller_handles_interrupts = stop is not None
    stop = stop or Stop()
    found_files = iter_files(paths, exclude=exclude, report_skipped=True)
    while not stop.requested:
        try:
            with stop.interruptible():
                found = next(found_files, None)
                if found is None:
                    return
                result, data = _process(found, settings)
        except KeyboardInterrupt:
            if not caller_handles_interrupts:
                raise
            stop.requested, stop._interruptible = True, False
            return
        if write and result.status == "changed" and result.migrated is not None and data is not None:
            result = _write(found.path, result, data)
        yield result


def _process(found, settings: Settings) -> tuple[FileResult, bytes | None]:
    path = str(found.path)
    if found.error is not None:
        return FileResult(path, "failed", reason=found.error), None
    if found.skipped is not None:
        return FileResult(path, "skipped", reason=found.skipped), None
    try:
        data = read_bytes(found.path)
    except IsADirectoryError:
        return FileResult(path, "failed", reason="is a directory"), None
    except OSError as error:
        return FileResult(path, "failed", reason=f"cannot read: {_strerror(error)}"), None
    if found.path.suffix == ".ipynb":
        from migrate.notebook import migrate_notebook

        result = migrate_notebook(path, data, settings)
    else:
        result = migrate_source(path, data, settings)
    if result.status == "failed" and not path.endswith(_PYTHON_SUFFIXES):
        result.reason += " (not a .py file)"
    return result, data


def _write(path, result: FileResult, data: bytes) -> FileResult:
    try:
        write_atomic(path, result.migrated, expected=data)
    except FileChangedError as error:
        return FileResult(result.path, "failed", reason=f"{error}; not written", original=data)
    except OSError as error:
        return FileResult(result.path, "failed", reason=f"cannot write: {_strerror(error)}", original=data)
    return result


def _strerror(error: OSError) -> str:
    return (error.strerror or str(error) or type(error).__name__).lower()
