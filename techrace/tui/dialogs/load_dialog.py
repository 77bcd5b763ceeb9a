"""Pick a save to continue. The saves are read in a worker thread (a big or damaged save folder never
freezes the screen); the table says how many turns each save has played and the quarter it plays next,
the same two facts the title bar shows as "Turn 13/44 · 2028Q1" (13 = 12 played + 1)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Static
from textual.worker import get_current_worker

from techrace.safe_text import printable

# (SaveInfo field, column heading)
COLUMNS = (("name", "Name"), ("ruleset", "Ruleset"), ("player", "Player"), ("seed", "Seed"),
           ("turn", "Played"), ("quarter", "Next quarter"), ("saved", "Saved"), ("problem", "Problem"))


class LoadDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Continue a saved game (enter to load):", classes="question")
            yield DataTable(id="saves", cursor_type="row", zebra_stripes=True)
            yield Static("reading the saves…", id="load-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Load", id="load", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()  # this dialog's own keys, not the board's

    def on_mount(self) -> None:
        table = self.query_one("#saves", DataTable)
        for key, heading in COLUMNS:
            table.add_column(heading, key=key)
        table.focus()
        self.read_saves()

    @work(thread=True, exclusive=True, group="list-saves", exit_on_error=False)
    def read_saves(self) -> None:
        from techrace.tui.saving import list_all

        saves, problem = list_all()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_saves, saves, problem)

    def show_saves(self, saves: list[Any], problem: str | None) -> None:
        if not self.is_attached:
            return
        table = self.query_one("#saves", DataTable)
        for info in saves:
            table.add_row(*(_cell(getattr(info, key, None)) for key, _ in COLUMNS), key=str(info.name))
        self.loaded = True
        message = problem or ("" if saves else "no saved games yet (ctrl+s saves one)")
        self.query_one("#load-error", Static).update(message)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        table = self.query_one("#saves", DataTable)
        if table.row_count == 0:
            waiting = "the saves are still being read" if not self.loaded else "there is nothing to load"
            self.query_one("#load-error", Static).update(waiting)
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        self.dismiss(str(key.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _cell(value: Any) -> Text:
    """Plain text (never markup): save headers are user-supplied."""
    if hasattr(value, "strftime"):
        return Text(value.strftime("%Y-%m-%d %H:%M"))
    return Text("" if value is None else printable(value))
