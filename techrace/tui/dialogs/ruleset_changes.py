"""`w` on the board: the ruleset's edits in this game (`--watch`), every line of them.

What waits for the end of the turn, the located errors of an edit that was not taken (the game plays on
under its rules), and the reloads already in force with the changes of the last one.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from techrace.safe_text import printable


def changes_text(session: Any) -> Text:
    """The sections that apply, in words; a line on how to start watching when nothing was edited."""
    game = session.game
    text = Text()

    def section(title: str, lines: list[str], style: str = "") -> None:
        text.append(title + "\n", style="bold")
        for line in lines:
            text.append(f"  {printable(line)}\n", style=style)
        text.append("\n")

    if session.pending_reload is not None:
        count = len(session.pending_changes)
        section(f"Edited ruleset, in force when this turn ends ({count} value{'s' if count != 1 else ''} changed)",
                session.pending_changes or ["only names and descriptions changed"])
    if session.reload_errors:
        section("The edited ruleset was not taken; the game plays on under its rules", session.reload_errors, "red")
    if session.reload_problem:
        section("The last reload failed", [session.reload_problem], "red")
    reloads = list(getattr(game, "reloads", []))
    if reloads:
        from techrace.ruleset import quarter_label

        when = [f"before {quarter_label(r.turn, game.ruleset.start_quarter)}: {len(r.changes)} change(s)" for r in reloads]
        section(f"Reloads in force in this game ({len(reloads)}; saves record them, replay repeats them)", when)
    if session.last_reload:
        section("What the last reload changed", session.last_reload)
    if not text.plain:
        text.append("The ruleset has not been edited in this game.\n")
    where = session.ruleset_source or game.ruleset.name
    if session.watching:
        text.append(f"Watching the files of {printable(where)}: save an edit and it is checked at once.", style="dim")
    else:
        text.append("Start with --watch (techrace play --watch) to reload edited ruleset files between turns.",
                    style="dim")
    return text


class RulesetChanges(ModalScreen[None]):
    BINDINGS = [Binding("escape,w,q", "close", "Close")]

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Ruleset changes — escape: close", classes="question")
            with VerticalScroll():
                yield Static(changes_text(self.session), id="ruleset-changes")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
