"""Watching computer players: play/pause, single step and speed; the panel follows the leading nation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Static

from techrace.tui.orders import nation_row
from techrace.tui.screens.game import TABS, GameScreen
from techrace.tui.session import nation_label
from techrace.tui.widgets.history import by_nation
from techrace.tui.widgets.nation_panel import NationPanel

SPEEDS = (2.0, 1.0, 0.5, 0.25, 0.1, 0.0)  # seconds between quarters while playing


class ObserveScreen(GameScreen):
    BINDINGS = [
        Binding("space", "toggle_play", "Play/Pause"),
        Binding("s,n", "step", "Step"),
        Binding("plus,equals_sign", "faster", "Faster"),
        Binding("minus", "slower", "Slower"),
        Binding("e", "events", "Events"),
        Binding("ctrl+s", "save", "Save"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ] + [Binding(str(i + 1), f"show_tab('{tab}')", tab, show=False) for i, tab in enumerate(TABS)]

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.playing = False
        self.speed = 2
        self._timer: Timer | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Orders do not exist while observing: hide their keys from the footer."""
        if action in ("levers", "undo", "undo_selected", "end_turn", "focus_orders", "turn_report", "standing"):
            return False
        return True

    def compose_side(self) -> Iterable[Any]:
        yield NationPanel(id="nation")
        yield Static("", id="observe-status")

    def leader(self) -> str:
        game = self.session.game
        nations = by_nation(self.session.history())
        leader = max(nations, key=lambda n: (float(nations[n][-1].get("capability") or 0.0), n), default=None)
        return leader if leader is not None else next(iter(game.ruleset.nations))

    def goal_nation(self) -> tuple[str | None, str]:
        leader = self.leader()
        return leader, f"leader {leader}"

    def draw_side(self) -> None:
        game = self.session.game
        leader = self.leader()
        rows = by_nation(self.session.history()).get(leader, [])
        self.query_one(NationPanel).show(f"Leader: {nation_label(game, leader)}", rows, nation_row(game, leader))
        self.draw_status()

    def draw_queue(self) -> None:  # nothing is queued while observing
        return

    def draw_status(self) -> None:
        state = "▶ playing" if self.playing else "⏸ paused"
        if self.session.game.finished:
            state = "■ game over"
        delay = SPEEDS[self.speed]
        pace = f"{delay:g} s per quarter" if delay else "as fast as possible"
        self.query_one("#observe-status", Static).update(
            f"{state} · {pace}\nspace play/pause · s step · +/- speed"
        )

    def action_levers(self) -> None:
        self.notify("Computer players only: use `techrace play` to give orders.")

    def action_toggle_play(self) -> None:
        if self.session.game.finished:
            self.notify("The game is over.")
            return
        self.playing = not self.playing
        self.draw_status()
        if self.playing and not self.busy:
            self.play_one()

    def action_step(self) -> None:
        self.playing = False
        self.draw_status()
        self.play_one()

    def play_one(self) -> None:
        if self._blocked():
            return
        self.busy = True
        self.app.sub_title = f"playing {self.session.game.quarter}…"
        self.play_turn()

    def action_faster(self) -> None:
        self.speed = min(len(SPEEDS) - 1, self.speed + 1)
        self.draw_status()

    def action_slower(self) -> None:
        self.speed = max(0, self.speed - 1)
        self.draw_status()

    def turn_done(self, report: Any) -> None:
        super().turn_done(report)
        if self.session.game.finished:
            self.playing = False
            self.draw_status()
        elif self.playing:
            self._timer = self.set_timer(max(SPEEDS[self.speed], 0.02), self._next_if_playing)

    def _next_if_playing(self) -> None:
        if self.playing and not self.busy:
            self.play_one()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Play / pause", "Let the quarters run or stop them (space)", self.action_toggle_play)
        yield SystemCommand("Step one quarter", "Play exactly one quarter (s)", self.action_step)
        yield SystemCommand("Faster", "Less time between quarters (+)", self.action_faster)
        yield SystemCommand("Slower", "More time between quarters (-)", self.action_slower)
        yield SystemCommand("Event log", "Every event, filtered by kind, nation and text (e)", self.action_events)
        yield SystemCommand("Save game", "Save under a name (ctrl+s)", self.action_save)
