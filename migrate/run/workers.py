"""Worker processes the parent can always account for: :func:`map_ordered` runs a function on
each item in a few forked workers and yields the outcomes in order, whatever happens to them.

A worker that dies (a signal, the out-of-memory killer, a crash in native code) or runs past an
item's deadline is ended, its item gets the outcome `lost(item, reason)` (a one-line reason),
and a fresh worker takes its place: the other items finish and the run never hangs. The parent
waits on each worker's pipe *and* its process sentinel, so a death is seen at once.

Workers ignore SIGINT and SIGTERM (the parent decides when to stop, and ends them with SIGKILL).
When the parent is gone (killed with SIGKILL) a worker finds its pipe closed and exits quietly,
without a traceback: each worker holds only its own end of its own pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def quiet_signals() -> None:
    """In a worker: the parent decides when to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class _Raised:
    """What a worker sends back when the function raised (a bug): the error, on one line."""

    def __init__(self, error: BaseException) -> None:
        self.text = " ".join(f"{type(error).__name__}: {error}".split())


def _serve(conn: Connection, close: Sequence[int], func, initializer, initargs) -> None:
    for fd in close:  # other workers' pipes, inherited through fork: theirs, not ours
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        quiet_signals()
        if initializer is not None:
            initializer(*initargs)
        while True:
            job = conn.recv()
            if job is None:
                break
            index, item = job
            try:
                outcome = func(item)
            except Exception as error:
                outcome = _Raised(error)
            conn.send((index, outcome))
    except (EOFError, OSError, KeyboardInterrupt):  # the parent is gone (or ended us): nothing to say
        pass
    finally:
        os._exit(0)


class _Worker:
    def __init__(self, ctx, func, initializer, initargs, others: Sequence[_Worker]) -> None:
        ours, theirs = ctx.Pipe()
        self.conn: Connection = ours
        # Through fork the worker inherits our end of its pipe and of the others': it closes them,
        # so that when we are gone its pipe reads EOF.
        close = [w.conn.fileno() for w in (*others, self)] if ctx.get_start_method() == "fork" else []
        self.process = ctx.Process(target=_serve, args=(theirs, close, func, initializer, initargs), daemon=True)
        self.process.start()
        theirs.close()
        self.job: tuple[int, Any] | None = None
        self.deadline: float | None = None

    def give(self, index: int, item: Any, seconds: float | None) -> None:
        self.job = (index, item)
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.conn.send((index, item))

    def end(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()

    def death(self) -> str:
        """Why the process ended, for a person."""
        self.process.join()
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == signal.SIGKILL:
                return f"the worker process was killed ({name}, e.g. by the out-of-memory killer)"
            return f"the worker process crashed ({name})"
        return f"the worker process exited (status {code})"


class Lost(Generic[Item]):
    """Why an item has no outcome from a worker: it `died`, `overran` its deadline, or `raised`."""

    def __init__(self, item: Item, kind: str, reason: str) -> None:
        self.item, self.kind, self.reason = item, kind, reason


def map_ordered(
    func: Callable[[Item], Outcome],
    items: Sequence[Item],
    *,
    jobs: int,
    lost: Callable[[Lost[Item]], Outcome],
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    deadline: Callable[[Item], float | None] = lambda item: None,
) -> Generator[Outcome, None, None]:
    """`func(item)` for each item, in order, from up to `jobs` worker processes. `deadline(item)`:
    the seconds a worker may spend on it (None: no limit). Closing the generator ends the workers."""
    if not items:
        return
    ctx = context()
    pending = deque(enumerate(items))
    workers: list[_Worker] = []
    done: dict[int, Outcome] = {}
    emitted = 0

    def start() -> _Worker:
        worker = _Worker(ctx, func, initializer, initargs, workers)
        workers.append(worker)
        return worker

    def replace(worker: _Worker) -> None:
        worker.end()
        workers.remove(worker)
        if pending:
            start()

    try:
        for _ in range(min(jobs, len(items))):
            start()
        while emitted < len(items):
            for worker in list(workers):
                if worker.job is None and pending:
                    index, item = pending.popleft()
                    try:
                        worker.give(index, item, deadline(item))
                    except OSError:  # it died while idle: the item goes to its successor
                        worker.job = None
                        pending.appendleft((index, item))
                        replace(worker)
            busy = [w for w in workers if w.job is not None]
            if not busy:  # every worker was replaced just now: give the items again
                continue
            limits = [w.deadline for w in busy if w.deadline is not None]
            wait_for = max(0.0, min(limits) - time.monotonic()) if limits else None
            wait([*(w.conn for w in busy), *(w.process.sentinel for w in busy)], wait_for)
            for worker in busy:
                assert worker.job is not None
                index, item = worker.job
                answer = _answer(worker)
                if answer is not None:
                    got_index, outcome = answer
                    assert got_index == index
                    worker.job = None
                    done[index] = (
                        lost(Lost(item, "raised", f"internal error: {outcome.text}"))
                        if isinstance(outcome, _Raised)
                        else outcome
                    )
                elif not worker.process.is_alive():
                    done[index] = lost(Lost(item, "died", worker.death()))
                    replace(worker)
                elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                    done[index] = lost(Lost(item, "overran", "the worker process overran its deadline"))
                    replace(worker)
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
    finally:
        for worker in workers:
            worker.end()


def _answer(worker: _Worker) -> tuple[int, Any] | None:
    """The worker's result if it has sent one (None: not yet, or it died before sending)."""
    try:
        if worker.conn.poll():
            return worker.conn.recv()
    except (EOFError, OSError):
        pass
    return None
