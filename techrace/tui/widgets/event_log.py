"""What happened and why: the core's events, newest at the bottom, each with its cause."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import RichLog

KIND_STYLES = {"shock": "bold red", "victory": "bold green", "control": "yellow", "player": "cyan"}


def event_text(event: Any, player: str | None = None) -> Text:
    """One line (wrapping) per event: quarter, kind, what happened, and why."""
    text = Text()
    text.append(f"{getattr(event, 'quarter', '')} ", style="dim")
    kind = str(getattr(event, "kind", "event"))
    text.append(f"[{kind}] ", style=KIND_STYLES.get(kind, "bold"))
    actors = tuple(getattr(event, "actors", ()) or ())
    text.append(str(getattr(event, "text", "")), style="bold" if player and player in actors else "")
    cause = getattr(event, "cause", None)
    if cause:
        text.append(f" — because {cause}", style="italic dim")
    return text


class EventLog(RichLog):
    DEFAULT_CSS = "EventLog { height: 7; border: round $secondary; padding: 0 1; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=2000, **kwargs)
        self.shown = 0
        self.border_title = "Events (why things happened)"

    def show(self, events: list[Any], player: str | None = None) -> None:
        """Append the events not yet shown (the log keeps its scroll position at the end)."""
        if len(events) < self.shown:  # a different game: start over
            self.clear()
            self.shown = 0
        for event in events[self.shown:]:
            self.write(event_text(event, player))
        self.shown = len(events)
