"""The full event log: every event of the game with its cause, filtered by kind, nation and text, and
scrolled with the keyboard (arrows, page keys, home/end)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, RichLog, Select, Static

from techrace.tui.report import LogEntry, concerns, log_entries, player_words
from techrace.tui.widgets.event_log import entry_text

FILTER_DELAY = 0.15  # seconds of no typing before the text filter is applied


def filter_entries(game: Any, entries: list[LogEntry], kind: str | None, nation: str | None, words: str) -> list[LogEntry]:
    """Entries of `kind`, concerning `nation` (actor, name, regulator or firm), containing `words`."""
    pattern = player_words(game, nation) if nation else None
    needle = words.strip().lower()
    out = []
    for entry in entries:
        if kind and entry.kind != kind:
            continue
        if pattern is not None and not concerns(entry, pattern):
            continue
        if needle and needle not in f"{entry.text} {entry.cause} {entry.effect}".lower():
            continue
        out.append(entry)
    return out


class EventLogScreen(Screen[None]):
    """Pushed over the board with `e`; `escape` goes back."""

    BINDINGS = [
        Binding("escape", "close", "Back to the board"),
        Binding("slash", "focus_search", "Search"),
        Binding("l", "focus_log", "Log", show=False),
    ]
    DEFAULT_CSS = """
    EventLogScreen #event-filters { height: auto; padding: 0 1; }
    EventLogScreen #event-filters Select { width: 22; }
    EventLogScreen #event-filters Input { width: 1fr; }
    EventLogScreen #event-count { height: 1; padding: 0 1; color: $text-muted; }
    EventLogScreen #full-log { height: 1fr; border: round $secondary; padding: 0 1; scrollbar-gutter: stable; }
    """

    def __init__(self, game: Any, player: str | None) -> None:
        super().__init__()
        self.game, self.player = game, player
        self.entries = log_entries(game, game.events)
        self.shown: list[LogEntry] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        kinds = sorted({entry.kind for entry in self.entries})
        yield Header(show_clock=False)
        with Horizontal(id="event-filters"):
            yield Select([(k, k) for k in kinds], id="filter-kind", prompt="every kind", allow_blank=True)
            yield Select([(f"{code} {spec.name}", code) for code, spec in self.game.ruleset.nations.items()],
                         id="filter-nation", prompt="every nation", allow_blank=True)
            yield Input(placeholder="text to find (/)", id="filter-text")
        yield Static("", id="event-count")
        yield RichLog(id="full-log", wrap=True, markup=False, highlight=False, max_lines=100_000)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#full-log", RichLog).border_title = "Event log"
        self.app.sub_title = f"Event log · {len(self.entries)} entries"
        self.apply_filters()
        self.query_one("#full-log").focus()

    def apply_filters(self) -> None:
        kind = self.query_one("#filter-kind", Select).value
        nation = self.query_one("#filter-nation", Select).value
        words = self.query_one("#filter-text", Input).value
        shown = filter_entries(self.game, self.entries, None if kind is Select.NULL else str(kind),
                               None if nation is Select.NULL else str(nation), words)
        self.shown = shown
        log = self.query_one("#full-log", RichLog)
        log.clear()
        for entry in shown:
            log.write(entry_text(entry, bool(self.player and self.player in entry.actors)))
        log.scroll_end(animate=False)
        self.query_one("#event-count", Static).update(
            f"{len(shown)} of {len(self.entries)} entries · newest at the bottom · arrows and page keys scroll")

    def on_select_changed(self, event: Select.Changed) -> None:
        self.apply_filters()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FILTER_DELAY, self.apply_filters)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.apply_filters()
        self.query_one("#full-log").focus()

    def action_focus_search(self) -> None:
        self.query_one("#filter-text").focus()

    def action_focus_log(self) -> None:
        self.query_one("#full-log").focus()

    def action_close(self) -> None:
        self.dismiss(None)
