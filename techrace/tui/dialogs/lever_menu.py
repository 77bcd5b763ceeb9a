"""The levers a player's nation can pull this quarter, from ACTION_SPECS."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option


def available_levers(game: Any, player: str) -> list[Any]:
    """Specs the player may use: regulator levers only with a regulator, military only where allowed."""
    from techrace.core import ACTION_SPECS
    from techrace.core.actions import regulator_of

    has_regulator = regulator_of(game.ruleset, player) is not None
    military = bool(game.ruleset.nations[player].military_moves)
    out = []
    for spec in ACTION_SPECS.values():
        if spec.needs_regulator and not has_regulator:
            continue
        if spec.kind == "military" and not military:
            continue
        out.append(spec)
    return out


class LeverMenu(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, specs: list[Any], quarter: str) -> None:
        super().__init__()
        self.specs = specs
        self.quarter = quarter

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"Levers for {self.quarter}: pick one (enter), escape to close", classes="question")
            options = []
            for spec in self.specs:
                label = Text(spec.label, style="bold")
                label.append(f"\n  {spec.description}", style="dim")
                options.append(Option(label, id=spec.kind))
            yield OptionList(*options, id="levers")
        yield Footer()  # this dialog's own keys, not the board's

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
