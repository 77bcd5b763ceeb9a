"""Every nation side by side, most capable first, with fixed-width trends.

Columns have fixed widths and a priority: when the table is narrower than all of them, the least
important columns are dropped (never pushed off-screen), so the nation, its capability and the gap
to the player stay in view at 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from techrace.tui.widgets.format import node, number, sparkline
from techrace.tui.widgets.history import by_nation, series

TREND = 12  # turns shown by a trend sparkline (and its column width)
CELL_PADDING = 2  # a DataTable cell's padding, both sides together


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    priority: int  # lower is kept longer when the table is narrow


COLUMNS = (
    Column("nation", "Nation", 6, 0),
    Column("capability", "Capability", 10, 1),
    Column("gap", "vs you", 7, 2),
    Column("ai_compute_h100e", "Compute", 8, 3),
    Column("capability_trend", "Cap. trend", TREND, 4),
    Column("best_node_nm", "Node", 6, 5),
    Column("compute_trend", "Comp. trend", TREND, 6),
    Column("advanced_wafer_starts", "Adv. wafers", 11, 7),
    Column("gdp_index", "GDP", 5, 8),
    Column("engineers", "Engineers", 9, 9),
)


def fitting_columns(width: int, with_gap: bool = True) -> list[Column]:
    """The columns that fit in `width` cells, most important first chosen, shown in table order."""
    wanted = [c for c in COLUMNS if with_gap or c.key != "gap"]
    chosen: set[str] = set()
    used = 0
    for column in sorted(wanted, key=lambda c: c.priority):
        need = max(column.width, len(column.label)) + CELL_PADDING
        if used + need > width and chosen:
            continue
        chosen.add(column.key)
        used += need
    return [c for c in wanted if c.key in chosen]


class RivalsTable(DataTable):
    DEFAULT_CSS = "RivalsTable { height: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)
        self.columns_shown: list[Column] = []
        self._source: tuple[list[dict[str, Any]], str | None] = ([], None)

    def show(self, metric_rows: list[dict[str, Any]], player: str | None) -> None:
        """Latest row per nation, strongest capability first, the player's nation marked."""
        self._source = (metric_rows, player)
        self._fill()

    def on_resize(self) -> None:
        if [c.key for c in fitting_columns(self._width(), self._source[1] is not None)] != [c.key for c in self.columns_shown]:
            self._fill()

    def _width(self) -> int:
        return max(self.size.width - 1, 20)  # one cell for the vertical scrollbar's gutter

    def _fill(self) -> None:
        metric_rows, player = self._source
        columns = fitting_columns(self._width(), player is not None)
        if [c.key for c in columns] != [c.key for c in self.columns_shown]:
            self.clear(columns=True)
            for column in columns:
                self.add_column(column.label, key=column.key, width=max(column.width, len(column.label)))
            self.columns_shown = columns
        else:
            self.clear()
        nations = by_nation(metric_rows)
        ordered = sorted(nations, key=lambda n: (-float(nations[n][-1].get("capability") or 0.0), n))
        mine = float(nations[player][-1].get("capability") or 0.0) if player in nations else None
        for code in ordered:
            cells = _cells(code, nations[code], player, mine)
            self.add_row(*(cells[c.key] for c in columns), key=code)


def _cells(code: str, rows: list[dict[str, Any]], player: str | None, mine: float | None) -> dict[str, Text]:
    last = rows[-1]
    capability = float(last.get("capability") or 0.0)
    gap = "you" if code == player else ("" if mine is None else f"{capability - mine:+.1f}")
    return {
        "nation": Text(f"{code}◂" if code == player else code, style="bold reverse" if code == player else ""),
        "capability": Text(number(last.get("capability")), justify="right"),
        "gap": Text(gap, justify="right", style="bold" if code == player else ""),
        "ai_compute_h100e": Text(number(last.get("ai_compute_h100e")), justify="right"),
        "capability_trend": Text(sparkline(series(rows, "capability")[1], TREND), style="magenta"),
        "best_node_nm": Text(node(last.get("best_node_nm")), justify="right"),
        "compute_trend": Text(sparkline(series(rows, "ai_compute_h100e")[1], TREND), style="cyan"),
        "advanced_wafer_starts": Text(number(last.get("advanced_wafer_starts")), justify="right"),
        "gdp_index": Text(number(last.get("gdp_index")), justify="right"),
        "engineers": Text(number(last.get("engineers")), justify="right"),
    }
