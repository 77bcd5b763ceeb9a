"""Progress of a batch: a rich bar on a terminal, plain lines in logs and pipes.

The bar reads "12/500 ... 3.1 runs/s · 0:00:04 elapsed · ~0:02:37 left". Runs finish a chunk at a time, so
the time left is estimated from the whole batch's rate when a chunk arrives and then counts down each
second, instead of standing still between chunks and jumping.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts runs done and failed; shows runs done, rate and time left."""

    def __init__(self, total: int, already: int = 0, stream: TextIO | None = None, enabled: bool = True,
                 interval_s: float = 5.0):
        self.total, self.done, self.failed = total, already, 0
        self._start_done = already
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval_s = interval_s
        self._started = time.monotonic()
        self._last_line = 0.0
        self._bar = None
        self._task = None
        if enabled and self.stream.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[failed]}"),
                TimeElapsedColumn(), TextColumn("elapsed ·"), _TimeLeftColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("runs", total=total, completed=already, rate="", failed="", eta=None)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self._started
        return (self.done - self._start_done) / elapsed if elapsed > 0 else 0.0

    def advance(self, done: int, failed: int = 0) -> None:
        self.done += done
        self.failed += failed
        if not self.enabled:
            return
        if self._bar is not None:
            failed_text = f"[red]{self.failed} failed" if self.failed else ""
            rate = self.rate
            eta = time.monotonic() + (self.total - self.done) / rate if rate > 0 else None
            self._bar.update(self._task, completed=self.done, rate=f"{rate:.1f} runs/s ·", failed=failed_text, eta=eta)
            return
        now = time.monotonic()
        if now - self._last_line >= self.interval_s or self.done >= self.total:
            self._last_line = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        rate = self.rate
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        failed = f", {self.failed} failed" if self.failed else ""
        left_text = f", ~{left:.0f} s left" if left == left else ""
        return f"batch: {self.done}/{self.total} runs done{failed}, {rate:.1f} runs/s{left_text}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _time_left_column() -> type:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class TimeLeft(ProgressColumn):
        """'~0:02:37 left', counting down between chunks from the estimate made when the last chunk arrived."""

        max_refresh = 1.0

        def render(self, task) -> Text:  # noqa: ANN001 - rich's Task
            eta = task.fields.get("eta")
            if task.finished:
                return Text("done", style="progress.remaining")
            if eta is None:
                return Text("-:--:-- left", style="progress.remaining")
            left = max(0, int(eta - time.monotonic()))
            return Text(f"~{left // 3600}:{left // 60 % 60:02d}:{left % 60:02d} left", style="progress.remaining")

    return TimeLeft


def _TimeLeftColumn() -> object:  # noqa: N802 - reads as the column class it builds
    return _time_left_column()()
