"""The turn report, shown after each turn (unless turned off in the settings): the player's figures
with their changes, what each order did, where the goal stands, and the events that concern the
player with their causes."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from techrace.safe_text import printable
from techrace.tui.report import FigureChange, OrderOutcome, TurnSummary
from techrace.tui.widgets.event_log import entry_text
from techrace.tui.widgets.format import change, money, node, number
from techrace.tui.widgets.goal_panel import goal_line

PAINTED_AFTER = 0.1  # seconds after mounting: the report's first repaint is processed before this
STATUS_STYLE = {"done": "green", "paid": "green", "refused": "bold red"}
RELATIVE = ("Compute", "Adv. wafers", "Engineers", "Budget")  # changes shown as a share; the rest in points


def figures_table(figures: list[FigureChange]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("Figure", no_wrap=True)
    table.add_column("Before", justify="right", no_wrap=True)
    table.add_column("Now", justify="right", no_wrap=True)
    table.add_column("Change", justify="right", no_wrap=True)
    for fig in figures:
        show = node if fig.label == "Best node" else _money if fig.label == "Budget" else number
        good = fig.good
        arrow = "" if good is None else ("▲" if (fig.delta or 0) > 0 else "▼")
        style = "" if good is None else ("green" if good else "red")
        moved = change(fig.before, fig.now, fig.label in RELATIVE)
        unit = f" {fig.unit}" if fig.unit and fig.label not in ("Best node", "Budget") else ""
        table.add_row(fig.label, show(fig.before), f"{show(fig.now)}{unit}", Text(f"{arrow}{moved}", style=style))
    return table


def _money(value: float | None) -> str:
    return "–" if value is None else money(value)


def order_lines(orders: list[OrderOutcome]) -> Text:
    if not orders:
        return Text("No orders this quarter (a: give one).", style="dim")
    lines = []
    for order in orders:
        line = Text("• ")
        line.append(printable(order.label), style="bold")
        status = order.status if order.cost_usd_b <= 0 else f"{order.status} {money(order.cost_usd_b)}"
        line.append(f"  [{status}]", style=STATUS_STYLE.get(order.status, ""))
        if order.detail:
            line.append(f"\n  {printable(order.detail)}", style="italic")
        lines.append(line)
    return Text("\n").join(lines)


class TurnReportScreen(ModalScreen[str | None]):
    """Dismissed with enter or escape; `e` goes on to the full event log, `t` stops these reports."""

    BINDINGS = [
        Binding("enter,escape,space", "close", "Continue"),
        Binding("e", "close('events')", "Event log"),
        Binding("t", "close('turn_off')", "Don't show after each turn"),
    ]
    DEFAULT_CSS = """
    TurnReportScreen #report { width: 96; max-width: 100%; height: auto; max-height: 100%;
                               border: thick $primary; background: $surface; padding: 0 1; }
    TurnReportScreen #report-body { height: auto; max-height: 100%; }
    TurnReportScreen .section { text-style: bold; color: $accent; margin-top: 1; }
    """

    def __init__(self, summary: TurnSummary, painted: Callable[[], None] | None = None) -> None:
        """`painted`: called once the report is on screen (the autosave waits for it)."""
        super().__init__()
        self.summary = summary
        self.painted = painted

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(id="report"):
            with VerticalScroll(id="report-body"):
                if s.outcome:
                    yield Static(Text(printable(s.outcome), style="bold green"), id="report-outcome")
                yield Static("Your figures", classes="section")
                yield Static(figures_table(s.figures), id="report-figures")
                yield Static("Your orders", classes="section")
                yield Static(order_lines(s.orders), id="report-orders")
                yield Static("Goal", classes="section")
                yield Static(Group(*(goal_line(g) for g in s.goals)) if s.goals else Text("–"), id="report-goals")
                yield Static("What happened to you", classes="section")
                events = Text("\n").join(entry_text(e) for e in s.events) if s.events else Text("Nothing new for you.")
                yield Static(events, id="report-events")
        yield Footer()  # this report's own keys, not the board's

    def on_mount(self) -> None:
        s = self.summary
        box = self.query_one("#report")
        box.border_title = f"Turn report · {s.quarter} · turn {s.turn} of {s.turns_total}"
        box.border_subtitle = "enter: continue · e: event log · t: don't show after each turn"
        self.query_one("#report-body").focus()
        if self.painted is not None:  # a timer after the first repaint (queued before it); an
            self.set_timer(PAINTED_AFTER, self.painted)  # after-refresh callback waits for a 2nd

    def action_close(self, then: str | None = None) -> None:
        self.dismiss(then)
