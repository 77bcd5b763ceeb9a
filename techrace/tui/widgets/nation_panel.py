"""The player's nation at a glance: the figures that decide the race, with the change since last turn."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from techrace.tui.widgets.format import node, number
from techrace.tui.widgets.history import series

GLANCE = (
    ("ai_compute_h100e", "Compute", "H100e"),
    ("capability", "Capability", ""),
    ("best_node_nm", "Best node", ""),
    ("advanced_wafer_starts", "Adv. wafers", "/mo"),
    ("engineers", "Engineers", ""),
    ("budget", "Budget", "$bn/q"),
    ("gdp_index", "GDP index", ""),
)


def budget_of(nation_row: dict[str, Any]) -> float | None:
    """The budget figure of a nation row from the core's view (any column named like *budget*)."""
    for key, value in nation_row.items():
        if "budget" in key and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


class NationPanel(Vertical):
    """Figures for one nation from its metric rows and its row of `game.view.nations()`."""

    DEFAULT_CSS = """
    NationPanel { height: 10; border: round $primary; padding: 0 1; }
    NationPanel #glance { height: 7; }
    NationPanel Sparkline { height: 1; margin: 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="glance")
        yield Sparkline([], id="compute-trend", summary_function=max)

    def show(self, title: str, rows: list[dict[str, Any]], nation_row: dict[str, Any]) -> None:
        self.border_title = title
        now = dict(rows[-1]) if rows else {}
        before = rows[-2] if len(rows) > 1 else {}
        now["budget"] = budget_of(nation_row)
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        for key, label, unit in GLANCE:
            value = now.get(key)
            shown = node(value) if key == "best_node_nm" else number(value)
            grid.add_row(label, shown, _change(key, value, before.get(key), unit))
        self.query_one("#glance", Static).update(grid)
        self.query_one("#compute-trend", Sparkline).data = series(rows, "ai_compute_h100e")[1][-24:]
        self.query_one("#compute-trend", Sparkline).tooltip = "compute over the last 24 turns"


def _change(key: str, now: Any, before: Any, unit: str) -> Text:
    if not isinstance(now, int | float) or not isinstance(before, int | float) or now == before:
        return Text(unit, style="dim")
    better = now < before if key == "best_node_nm" else now > before
    arrow = "▲" if now > before else "▼"
    return Text(f"{arrow} {unit}".rstrip(), style="green" if better else "red")
