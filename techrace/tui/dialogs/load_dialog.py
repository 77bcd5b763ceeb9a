"""Pick a save to continue, from `techrace.saves.list_saves()`."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

COLUMNS = ("name", "ruleset", "player", "seed", "turn", "quarter", "saved", "problem")


def read_saves() -> tuple[list[Any], str | None]:
    """(saves, problem): the saves on disk, or why they cannot be listed."""
    try:
        from techrace.saves import list_saves
    except ImportError:
        return [], "saving is not available in this version"
    try:
        return list(list_saves()), None
    except Exception as exc:  # a broken saves folder is a notice, never a crash
        return [], f"cannot list saves: {exc}"


class LoadDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Continue a saved game (enter to load):", classes="question")
            yield DataTable(id="saves", cursor_type="row", zebra_stripes=True)
            yield Static("", id="load-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Load", id="load", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        saves, problem = read_saves()
        table = self.query_one("#saves", DataTable)
        for column in COLUMNS:
            table.add_column(column.title(), key=column)
        for info in saves:
            table.add_row(*(_cell(getattr(info, c, None)) for c in COLUMNS), key=str(info.name))
        if problem or not saves:
            self.query_one("#load-error", Static).update(problem or "no saved games yet (ctrl+s saves one)")
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        table = self.query_one("#saves", DataTable)
        if table.row_count == 0:
            self.query_one("#load-error", Static).update("there is nothing to load")
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        self.dismiss(str(key.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _cell(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)
