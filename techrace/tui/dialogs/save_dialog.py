"""Ask for a save name; names that could escape the saves folder are refused here already."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

SAVE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def save_name_problem(name: str) -> str | None:
    """Why a save name is not acceptable, or None."""
    if not name:
        return "a name is required"
    if ".." in name or "/" in name or "\\" in name:
        return "a save name cannot contain '..', '/' or '\\'"
    if not SAVE_NAME.match(name):
        return "use up to 64 letters, digits, '_', '-' or '.', starting with a letter or digit"
    return None


class SaveDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggestion: str = "") -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Save the game as:", classes="question")
            yield Input(value=self.suggestion, placeholder="name, e.g. china-2027", id="save-name")
            yield Static("", id="save-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#save-error", Static).update("")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        name = self.query_one("#save-name", Input).value.strip()
        problem = save_name_problem(name)
        if problem:
            self.query_one("#save-error", Static).update(problem)
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
