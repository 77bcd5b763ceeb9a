"""The orders queued for the coming quarter, in words with their cost, withdrawable until End Turn.

The marked order (`▸`, visible with or without focus) is the one `delete` withdraws; `o` focuses the
list so the arrows move the mark and every order can be reached however many are queued.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ListItem, ListView, Static

MARK = "▸ "


class QueueList(ListView):
    DEFAULT_CSS = """
    QueueList { height: auto; max-height: 100%; background: transparent; }
    QueueList > ListItem { height: auto; }
    QueueList > ListItem Label { width: 1fr; }
    """


class QueuePanel(Vertical):
    DEFAULT_CSS = """
    QueuePanel { height: 1fr; min-height: 5; border: round $accent; padding: 0 1; }
    QueuePanel QueueList { height: 1fr; }
    QueuePanel #queue-summary { color: $text-muted; height: 1; }
    """

    shown: tuple[str, ...] = ()
    _labels: list[Label] = []

    def compose(self) -> ComposeResult:
        yield QueueList(id="queue-list")
        yield Static(id="queue-summary")

    def show(self, quarter: str, lines: list[str], summary: Text | str) -> None:
        """`lines`: each queued order in words (with its cost); `summary`: count, cost, budget left."""
        self.border_title = f"Orders for {quarter}"
        listing = self.query_one(QueueList)
        if tuple(lines) != self.shown:  # (re)mounting items costs a layout pass: only when they change
            keep = listing.index
            grew = len(lines) > len(self.shown)
            listing.clear()
            self._labels = [Label(Text(" " * len(MARK) + line)) for line in lines]
            listing.extend(ListItem(label) for label in self._labels)
            self.shown = tuple(lines)
            if lines:
                index = len(lines) - 1 if grew or keep is None else min(keep, len(lines) - 1)
                self.call_after_refresh(self._mark, index)
        self.query_one("#queue-summary", Static).update(summary, layout=False)  # always one line

    def _mark(self, index: int) -> None:
        listing = self.query_one(QueueList)
        if index < len(listing.children):
            listing.index = index
        self._draw_marks()

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        self._draw_marks()

    def _draw_marks(self) -> None:
        index = self.query_one(QueueList).index
        for i, (label, line) in enumerate(zip(self._labels, self.shown, strict=False)):
            label.update(Text((MARK if i == index else " " * len(MARK)) + line))

    @property
    def selected(self) -> int | None:
        """The marked order's index (None when nothing is queued)."""
        listing = self.query_one(QueueList)
        if not self.shown or listing.index is None:
            return None
        return min(listing.index, len(self.shown) - 1)
