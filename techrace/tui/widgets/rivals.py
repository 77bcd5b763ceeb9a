"""Every nation side by side, with sparkline trends of compute and capability."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from techrace.tui.widgets.format import node, number, sparkline
from techrace.tui.widgets.history import by_nation, series

COLUMNS = (
    ("nation", "Nation"),
    ("ai_compute_h100e", "Compute H100e"),
    ("compute_trend", "Trend"),
    ("capability", "Capability"),
    ("capability_trend", "Trend"),
    ("best_node_nm", "Best node"),
    ("advanced_wafer_starts", "Adv. wafers"),
    ("engineers", "Engineers"),
    ("gdp_index", "GDP idx"),
)


class RivalsTable(DataTable):
    DEFAULT_CSS = "RivalsTable { height: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, metric_rows: list[dict[str, Any]], player: str | None) -> None:
        """Latest row per nation, strongest capability first, the player's nation in bold."""
        nations = by_nation(metric_rows)
        ordered = sorted(nations, key=lambda n: (-float(nations[n][-1].get("capability") or 0.0), n))
        self.clear()
        for code in ordered:
            rows = nations[code]
            last = rows[-1]
            style = "bold reverse" if code == player else ""
            self.add_row(
                Text(code, style=style),
                Text(number(last.get("ai_compute_h100e")), justify="right"),
                Text(sparkline(series(rows, "ai_compute_h100e")[1]), style="cyan"),
                Text(number(last.get("capability")), justify="right"),
                Text(sparkline(series(rows, "capability")[1]), style="magenta"),
                Text(node(last.get("best_node_nm")), justify="right"),
                Text(number(last.get("advanced_wafer_starts")), justify="right"),
                Text(number(last.get("engineers")), justify="right"),
                Text(number(last.get("gdp_index")), justify="right"),
                key=code,
            )
