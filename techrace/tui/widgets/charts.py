"""Compute and capability of every nation over turns, drawn with textual-plot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual_plot import AxisFormatter, HiResMode, PlotWidget

from techrace.tui.widgets.history import by_nation, series

# Named ANSI colours only, so the charts read the same with 16 colours and under any theme.
PALETTE = ("red", "green", "yellow", "blue", "magenta", "cyan", "bright_red", "bright_green",
           "bright_yellow", "bright_blue", "bright_magenta", "bright_cyan", "white")


class TurnAxis(AxisFormatter):
    """Whole turns, at most four of them, so tick labels never run into each other on narrow charts."""

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        span = max(1.0, max_ - min_)
        step = next(s for s in (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if span / s <= 4 or s == 1000)
        first = math.ceil(min_ / step) * step
        return [float(t) for t in range(int(first), int(math.floor(max_)) + 1, step)]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [str(int(t)) for t in ticks]


class RaceCharts(Vertical):
    """A one-line colour key above the two charts (a legend inside would hide the lines when small)."""

    DEFAULT_CSS = """
    RaceCharts { height: 1fr; }
    RaceCharts #chart-key { height: 1; padding: 0 1; }
    RaceCharts Horizontal { height: 1fr; }
    RaceCharts PlotWidget { width: 1fr; height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="chart-key")
        with Horizontal():
            for chart in ("compute-chart", "capability-chart"):
                plot = PlotWidget(id=chart, allow_pan_and_zoom=False)
                plot.can_focus = False  # no zoom or pan here: keep the screen's own keys in the footer
                yield plot

    def show(self, metric_rows: list[dict[str, Any]], nations: list[str]) -> None:
        per_nation = by_nation(metric_rows)
        colours = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(nations)}
        compute = self.query_one("#compute-chart", PlotWidget)
        capability = self.query_one("#capability-chart", PlotWidget)
        for plot in (compute, capability):
            plot.clear()
        for code in nations:
            rows = per_nation.get(code, [])
            xs, ys = series(rows, "ai_compute_h100e")
            logs = [(x, math.log10(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
            if logs:
                compute.plot([p[0] for p in logs], [p[1] for p in logs], line_style=colours[code],
                             hires_mode=HiResMode.BRAILLE, label=code)
            xs, ys = series(rows, "capability")
            if xs:
                capability.plot(xs, ys, line_style=colours[code], hires_mode=HiResMode.BRAILLE, label=code)
        compute.set_xlabel("turn")
        compute.set_ylabel("log10 H100e")
        capability.set_xlabel("turn")
        capability.set_ylabel("capability")
        for plot in (compute, capability):
            plot.show_legend(is_visible=False)
            plot.set_x_formatter(TurnAxis())
        key = Text("nations: ")
        for code in nations:
            key.append(f"━ {code} ", style=colours[code])
        self.query_one("#chart-key", Static).update(key)
