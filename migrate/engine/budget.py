"""A per-file time budget (``--timeout-per-file``), enforced with a real-time interval timer.

The timer raises :class:`OutOfTime` in the thread that runs the engine, at the next Python
bytecode: a long stretch inside LibCST's native parser is stopped when it returns to Python,
not in the middle (the engine's depth limit keeps those stretches short). Signals can only be
handled in the main thread, so elsewhere (a library caller's thread) there is no budget.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OutOfTime(BaseException):
    """The file took longer than its budget. A BaseException, so that the engine's "a bug in
    the tool" handler (which catches Exception) lets it through."""


def _expired(signum, frame) -> None:
    raise OutOfTime


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise OutOfTime inside the block once `seconds` have passed (None or 0: no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
