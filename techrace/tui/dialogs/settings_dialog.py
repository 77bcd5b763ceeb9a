"""The settings dialog (`f2`): each setting a marked row; saved for the next session on OK."""

from __future__ import annotations

from dataclasses import asdict, fields

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from techrace.tui.settings import LABELS, Settings
from techrace.tui.widgets.checklist import Checklist


class SettingsDialog(ModalScreen[Settings | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+enter,ctrl+j", "save", "Save")]

    def __init__(self, settings: Settings, where: str = "") -> None:
        super().__init__()
        self.settings, self.where = settings, where

    def compose(self) -> ComposeResult:
        values = asdict(self.settings)
        rows = [(LABELS.get(f.name, f.name), f.name) for f in fields(Settings)]
        with Vertical(classes="dialog"):
            yield Static("Settings (space toggles a row; OK keeps them for next time):", classes="question")
            yield Checklist(rows, [name for _, name in rows if values[name]], id="settings-list")
            yield Static(f"kept in {self.where}" if self.where else "", classes="field-help")
            with Horizontal(classes="buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()  # this dialog's own keys, not the board's

    def on_mount(self) -> None:
        self.query_one(Checklist).focus()

    def chosen(self) -> Settings:
        on = set(self.query_one(Checklist).chosen)
        return Settings(**{f.name: f.name in on for f in fields(Settings)})

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        self.dismiss(None)
