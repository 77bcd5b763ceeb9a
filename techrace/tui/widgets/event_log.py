"""What happened and why: the core's events with their causes, each of the player's orders told once.

`EventLog` is the strip of latest events under the board (on terminals tall enough for it);
the full, filterable log is `screens/events.py`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import RichLog

from techrace.safe_text import printable
from techrace.tui.report import LogEntry, log_entries

KIND_STYLES = {"shock": "bold red", "victory": "bold green", "control": "yellow", "order": "bold cyan",
               "policy": "cyan"}


def entry_text(entry: LogEntry, mine: bool = False) -> Text:
    """One line (wrapping) per entry: quarter, kind, what happened, and why (or, for an order, what it did)."""
    text = Text()
    text.append(f"{entry.quarter} ", style="dim")
    text.append(f"[{entry.kind}] ", style=KIND_STYLES.get(entry.kind, "bold"))
    text.append(printable(entry.text), style="bold" if mine else "")
    if entry.kind == "order":
        if entry.effect:
            text.append(f" → {printable(entry.effect)}", style="italic")
    elif entry.cause:
        text.append(f" — because {printable(entry.cause)}", style="italic dim")
    return text


class EventLog(RichLog):
    DEFAULT_CSS = "EventLog { height: 8; border: round $secondary; padding: 0 1; scrollbar-gutter: stable; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=2000, **kwargs)
        self.shown = 0
        self.border_title = "Events (why things happened)"
        self.border_subtitle = "e: full log"

    def show(self, game: Any, player: str | None = None) -> None:
        """Append the events not yet shown (whole turns, so each order is merged with what it caused)."""
        events = game.events
        if len(events) < self.shown:  # a different game: start over
            self.clear()
            self.shown = 0
        for entry in log_entries(game, events[self.shown:]):
            self.write(entry_text(entry, bool(player and player in entry.actors)), scroll_end=False)
        self.shown = len(events)
        # The newest line in view. Laid out, the log knows its end now (its height is fixed and its lines
        # wrap): scrolled at once, it is painted once, with the board; Textual's own scroll_end waits for a
        # paint and then painted the log again, scrolled. Before the first layout, after it.
        if self.size:
            self.scroll_end(animate=False, immediate=True)
        else:
            self.call_after_refresh(self.scroll_end, animate=False)
