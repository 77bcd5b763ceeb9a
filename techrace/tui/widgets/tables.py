"""A DataTable filled from a list of dicts, so new columns in the core's view tables just appear."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from techrace.tui.widgets.format import cell, heading


class DictTable(DataTable):
    """Rows are dicts (column name → value); columns follow the keys in order of first appearance."""

    DEFAULT_CSS = """
    DictTable { height: 1fr; }
    """

    def __init__(self, *, empty: str = "nothing to show", **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)
        self.empty = empty
        self._keys: list[str] = []

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        keys: list[str] = []
        for row in rows:
            keys.extend(k for k in row if k not in keys)
        if not rows:
            keys = ["info"]
            rows = [{"info": self.empty}]
        cursor = self.cursor_row
        if keys != self._keys:
            self.clear(columns=True)
            for key in keys:
                self.add_column(heading(key), key=key)
            self._keys = keys
        else:
            self.clear()
        for row in rows:
            self.add_row(*(_aligned(row.get(k)) for k in keys))
        if rows and cursor < len(rows):
            self.move_cursor(row=cursor, animate=False)


def _aligned(value: Any) -> Text:
    """Numbers right-aligned so columns of figures line up; everything else as text."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Text(cell(value), justify="right" if numeric else "left")
