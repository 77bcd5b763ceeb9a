"""The actions queued for the coming quarter, undoable until End Turn."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ListItem, ListView, Static


class QueuePanel(Vertical):
    DEFAULT_CSS = """
    QueuePanel { height: 1fr; border: round $accent; padding: 0 1; }
    QueuePanel ListView { height: 1fr; background: transparent; }
    QueuePanel #queue-summary { color: $text-muted; height: 2; }
    """

    def compose(self) -> ComposeResult:
        yield ListView(id="queue-list")
        yield Static(id="queue-summary")

    shown: tuple[str, ...] = ()

    def show(self, quarter: str, actions: list[Any], cost_usd_b: float) -> None:
        self.border_title = f"Orders for {quarter}"
        lines = tuple(action.describe().split(": ", 1)[-1] for action in actions)
        if lines != self.shown:  # (re)mounting list items costs a layout pass: only when they change
            listing = self.query_one(ListView)
            listing.clear()
            listing.extend(ListItem(Label(line)) for line in lines)
            self.shown = lines
        summary = (
            f"{len(actions)} queued · costs ${cost_usd_b:.2f} bn\nu/del: undo · n: end turn"
            if actions else "a: add an order · n: end turn"
        )
        self.query_one("#queue-summary", Static).update(summary)

    @property
    def selected(self) -> int | None:
        return self.query_one(ListView).index
