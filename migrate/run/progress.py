"""A progress bar for long runs: shown on a terminal, for more than :data:`MIN_FILES` files.

The bar shares the report's rich Console, so per-file lines print above it. Elsewhere (a
pipe, CI, pre-commit's captured output) nothing is drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich.progress is imported when a bar is drawn
    from rich.progress import Progress, TaskID

MIN_FILES = 200


class ProgressBar:
    def __init__(self, console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        """Called once the files are found: draw a bar if the run is long enough to want one."""
        if total <= MIN_FILES or not self.console.is_terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("migrate"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task("files", total=total)
        self._progress.start()

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def progress_bar(console) -> Iterator[ProgressBar]:
    bar = ProgressBar(console)
    try:
        yield bar
    finally:
        bar.stop()
