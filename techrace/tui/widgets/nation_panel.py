"""The player's nation at a glance: the figures that decide the race with their change since last
turn, the budget left after the queued orders, and the standing policies (visa, pay, centralisation,
power) with any change an order queued for the coming quarter will make."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.markup import escape
from textual.widgets import Static

from techrace.safe_text import printable
from techrace.tui.widgets.format import amount, change, money, node, number

# (metric row key, label, unit, True when a rise is good, change as a share rather than points)
GLANCE = (
    ("ai_compute_h100e", "Compute", "H100e", True, True),
    ("capability", "Capability", "", True, False),
    ("best_node_nm", "Best node", "", False, False),
    ("advanced_wafer_starts", "Adv. wafers", "/mo", True, True),
    ("engineers", "Engineers", "", True, True),
    ("gdp_index", "GDP index", "", True, False),
)
# (nation view column, label, how to show it, the queued order's (kind, parameter) that changes it)
POLICIES = (
    ("visa", "Visa", "{:.2f}", ("visa_policy", "visa_openness")),
    ("pay", "Pay", "{:.2f}x", ("pay_policy", "pay_index")),
    ("centralisation", "Pool", "{:.0%}", ("centralisation", "share")),
    ("power_gw", "Power", "{:.1f} GW", ("power_buildout", "extra_gw")),
)


def pending_policies(queued: list[Any]) -> dict[str, float]:
    """What the queued orders will set each standing policy to (power: the GW they add)."""
    out: dict[str, float] = {}
    for column, _, _, (kind, param) in POLICIES:
        for action in queued:
            if action.kind == kind and isinstance(action.params.get(param), int | float):
                value = float(action.params[param])
                out[column] = out.get(column, 0.0) + value if column == "power_gw" else value
    return out


class NationPanel(Static):
    """Figures for one nation from its metric rows and its row of `game.view.nations()`."""

    DEFAULT_CSS = "NationPanel { height: auto; border: round $primary; padding: 0 1; }"
    rows = 0

    def show(self, title: str, rows: list[dict[str, Any]], nation_row: dict[str, Any],
             left: float | None = None, pending: dict[str, float] | None = None) -> None:
        self.border_title = escape(printable(title))  # a ruleset's nation name is text, not markup
        now = rows[-1] if rows else {}
        before = rows[-2] if len(rows) > 1 else {}
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        for key, label, unit, rise_good, relative in GLANCE:
            value = now.get(key)
            shown = node(value) if key == "best_node_nm" else f"{number(value)} {unit}".rstrip()
            grid.add_row(label, shown, _change(value, before.get(key), rise_good, relative))
        grid.add_row("Budget", *_budget(nation_row.get("budget_usd_b")))
        if left is not None:
            grid.add_row("After orders", *_left(left))
        outer = Table.grid(expand=True)
        outer.add_column()
        outer.add_row(grid)
        policies = _policies(nation_row, pending or {})
        outer.add_row(policies)
        rows = grid.row_count + len(policies.plain.splitlines())
        self.update(outer, layout=rows != self.rows)  # a layout pass only when the height changes
        self.rows = rows


def _change(now: Any, before: Any, rise_good: bool, relative: bool) -> Text:
    if not isinstance(now, int | float) or not isinstance(before, int | float) or now == before:
        return Text("")
    better = (now > before) == rise_good
    arrow = "▲" if now > before else "▼"
    return Text(f"{arrow}{change(float(before), float(now), relative)}", style="green" if better else "red")


def _budget(budget: Any) -> tuple[Text, Text]:
    if not isinstance(budget, int | float):
        return Text("–"), Text("")
    return Text(money(budget)), Text("/q", style="dim")


def _left(left: float) -> tuple[Text, Text]:
    """The budget left after the queued orders; over budget is said in words, not colour alone."""
    if left < -1e-9:
        return Text(money(left), style="bold red"), Text("OVER", style="bold red")
    return Text(money(left), style="green" if left > 1e-9 else "yellow"), Text("left", style="dim")


def _policies(row: dict[str, Any], pending: dict[str, float]) -> Text:
    """`Visa 0.15→0.80 · Pay 0.50x` / `Pool 5% · Power 2.5 GW+2.0`: what holds now and what is queued."""
    text = Text(no_wrap=True, overflow="ellipsis")
    shown = 0
    for column, label, fmt, _ in POLICIES:
        value = row.get(column)
        if not isinstance(value, int | float):
            continue
        if shown:
            text.append("\n" if shown % 2 == 0 else " · ")
        shown += 1
        text.append(f"{label} ", style="bold")
        text.append(fmt.format(float(value)))
        if column in pending:
            queued = f"+{amount(pending[column])}" if column == "power_gw" else "→" + fmt.format(pending[column])
            text.append(queued, style="bold cyan")
    return text
