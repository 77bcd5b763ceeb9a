"""Progress of a batch: a rich bar on a terminal, plain lines in logs and pipes."""

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
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[failed]}"),
                TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("runs", total=total, completed=already, rate="", failed="")

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
            self._bar.update(self._task, completed=self.done, rate=f"{self.rate:.1f} runs/s", failed=failed_text)
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
