"""The end of the game: who won under the ruleset's victory conditions, why, and how the race went."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from techrace.tui.session import Session, nation_label
from techrace.tui.widgets.charts import RaceCharts
from techrace.tui.widgets.rivals import RivalsTable


def verdict(session: Session) -> tuple[str, str]:
    """(headline, explanation) of the outcome, from the player's point of view when there is one."""
    game = session.game
    outcome: Any = game.outcome
    if outcome is None:
        return "The game ended without a decision", f"{game.turn} quarters were played."
    winner = getattr(outcome, "winner", None)
    kind = str(getattr(outcome, "kind", "")).replace("_", " ")
    reason = str(getattr(outcome, "reason", ""))
    if winner is None:
        headline = "Nobody won"
    elif session.player is None:
        headline = f"{nation_label(game, winner)} wins"
    elif winner == session.player:
        headline = f"You win: {nation_label(game, winner)}"
    else:
        headline = f"{nation_label(game, winner)} wins; you ({session.player}) lose"
    return f"{headline} — {kind}" if kind else headline, reason


class EndScreen(Screen[None]):
    # Below 30 rows the margins go and the table shows its first rows (it scrolls), so the charts keep six rows
    # for their lines at 80x24 (they had two, and one y label)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to the board"),
        Binding("ctrl+s", "save", "Save"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        headline, reason = verdict(self.session)
        yield Header(show_clock=False)
        with Vertical(id="end"):
            yield Static(headline, id="end-headline")
            yield Static(reason, id="end-reason")
            yield RaceCharts(id="end-charts")
            yield RivalsTable(id="end-rivals")
        yield Footer()

    def on_mount(self) -> None:
        game = self.session.game
        self.app.sub_title = f"Game over · {game.turn} quarters"
        self.query_one(RaceCharts).show(self.session.history(), list(game.ruleset.nations))
        self.query_one(RivalsTable).show(self.session.history(), self.session.player)

    def action_save(self) -> None:
        from techrace.tui.dialogs.save_dialog import SaveDialog

        def named(name: str | None) -> None:
            if name:
                self.app.save_session(self.session, name)  # type: ignore[attr-defined]

        self.app.push_screen(SaveDialog(self.session.save_name or "final"), named)
