"""Compute and capability of every nation over turns, drawn with textual-plot.

Compute spans decades between nations, so it is drawn on a log scale with ticks at 1k, 10k, 1M ...;
each nation's line ends in its own letter as well as its colour, so the lines are told apart in a
16-colour terminal or by a colour-blind player; lines that end in one cell get their letters in cells of
their own (`place_marks`), so none hides another. Side by side when wide, stacked when narrow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any, Self

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Grid, Horizontal, Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Static
from textual_hires_canvas import Canvas
from textual_hires_canvas.hires import hires_sizes, pixels
from textual_plot import AxisFormatter, HiResMode, NumericAxisFormatter, PlotWidget
from textual_plot.plot_widget import Legend

from techrace.tui.widgets.history import by_nation, series

# Named ANSI colours only, so the charts read the same with 16 colours and under any theme.
PALETTE = ("red", "green", "yellow", "blue", "magenta", "cyan", "bright_red", "bright_green",
           "bright_yellow", "bright_blue", "bright_magenta", "bright_cyan", "white")
STACK_BELOW = 90  # columns: narrower charts are stacked rather than side by side ...
STACK_FROM_ROWS = 26  # ... when each still gets 13 rows (axes, ticks and labels take 7, six for the lines)
NARROW_PLOT = 30  # columns: a narrower plot keeps 7 columns for its y labels, not 10
LOW_PLOT = 14     # rows: a lower plot keeps one row above its box (its y label), not two


class TurnAxis(AxisFormatter):
    """Whole turns, at most four of them, so tick labels never run into each other on narrow charts; the first
    says what they count ("turn 0"), so the plot needs no row for an x label."""

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        span = max(1.0, max_ - min_)
        step = next(s for s in (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if span / s <= 4 or s == 1000)
        first = math.ceil(min_ / step) * step
        return [float(t) for t in range(int(first), int(math.floor(max_)) + 1, step)]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [f"turn {int(t)}" if i == 0 else str(int(t)) for i, t in enumerate(ticks)]


class LogAxis(AxisFormatter):
    """An axis of log10 values labelled with the values themselves: 10k, 100k, 1M."""

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        decades = list(range(math.ceil(min_), math.floor(max_) + 1))
        if len(decades) < 2:  # less than a decade in view: 1-2-5 steps
            steps = [k + math.log10(m) for k in range(math.floor(min_), math.ceil(max_) + 1) for m in (1, 2, 5)]
            return [t for t in steps if min_ <= t <= max_][:max_ticks]
        stride = max(1, math.ceil(len(decades) / max(1, min(max_ticks, 5))))
        return [float(d) for d in decades[::stride]]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [tick_label(10 ** t) for t in ticks]


class SpacedAxis(AxisFormatter):
    """Another formatter's ticks, only those at least two rows apart on the plot drawn: on a chart a few rows
    high (80x24) textual-plot put up to eight labels on two rows, one over the other ("101M")."""

    def __init__(self, inner: AxisFormatter, plot: PlotWidget) -> None:
        self.inner, self.plot = inner, plot

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        ticks = self.inner.get_ticks(min_, max_, max_ticks)
        return spaced(ticks, lambda t: self.plot.get_pixel_from_coordinate(0.0, t)[1])

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return self.inner.get_labels_for_ticks(ticks)


def spaced(ticks: Sequence[float], row_of: Any) -> list[float]:
    """The ticks whose rows are at least two apart (a blank row between labels), the first ones kept."""
    kept: list[float] = []
    rows: list[int] = []
    for tick in ticks:
        row = row_of(tick)
        if all(abs(row - other) >= 2 for other in rows):
            kept.append(tick)
            rows.append(row)
    return kept


def tick_label(value: float) -> str:
    """A round axis value in few characters: 500, 2k, 10k, 1M, 20G."""
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale * 0.999:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def nation_marks(nations: Sequence[str]) -> dict[str, str]:
    """One distinct letter per nation (the first free letter of its code), to end its line with."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for code in nations:
        candidates = [c.upper() for c in code if c.isalnum()] + [c.lower() for c in code if c.isalpha()]
        mark = next((c for c in candidates if c not in used), None)
        if mark is None:
            mark = next(c for c in "0123456789*+#@%&" if c not in used) if len(used) < 80 else "?"
        used.add(mark)
        out[code] = mark
    return out


def place_marks(wanted: Sequence[tuple[int, int]], inside: Region) -> list[tuple[int, int]]:
    """A cell (column, row) for each letter, in the order given (the highest value first), never one already
    taken while `inside` (the axes' cells) has room: the cell its line ends in, else one two columns to its
    right (a blank between letters) on the same row, so the row still reads as its value, else the nearest
    row with such a cell (below first); only when the margin right of the lines is full, the same to the
    left, over the lines."""
    taken: set[tuple[int, int]] = set()
    cells = []
    for column, row in wanted:
        column = min(max(column, inside.x), inside.right - 1)
        row = min(max(row, inside.y), inside.bottom - 1)
        rows = list(_outwards(row, inside.y, inside.bottom - 1))
        sides = (range(column, inside.right, 2), range(column - 2, inside.x - 1, -2))
        free = ((c, r) for columns in sides for r in rows for c in columns if (c, r) not in taken)
        cell = next(free, (column, row))
        taken.add(cell)
        cells.append(cell)
    return cells


def _outwards(row: int, top: int, bottom: int) -> Iterator[int]:
    """Rows from `row` outwards within top..bottom, below before above: row, row+1, row-1, row+2 ..."""
    yield row
    for step in range(1, bottom - top + 1):
        yield from (r for r in (row + step, row - step) if top <= r <= bottom)


class PlotCanvas(Canvas):
    """textual-hires-canvas's Canvas, its style worked out once per repaint rather than once per line.

    `Canvas.render_line` asks for `rich_style`, which Textual computes afresh on every call by walking the
    widget's ancestors (ten of them on the board): a third of a chart's repaint after a turn went there."""

    _line_style: Style | None = None  # the style of this repaint, while its lines are rendered

    @property
    def rich_style(self) -> Style:
        return self._line_style or super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._line_style = super().rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._line_style = None

    def set_hires_pixels(self, coordinates: Iterable[tuple[float, float]], hires_mode: HiResMode | None = None,
                         style: str = "white") -> None:
        """`Canvas.set_hires_pixels`, the same cells and characters, each cell's dots gathered in a list rather
        than a numpy array made and read back for every cell (the most of drawing a chart's lines)."""
        hires_mode = hires_mode or self.default_hires_mode
        size = hires_sizes[hires_mode]
        characters = pixels[hires_mode]
        width, height = size.width, size.height
        inside = self._canvas_region.contains
        cells: dict[tuple[int, int], set[tuple[int, int]]] = {}
        for x, y in coordinates:
            if not inside(math.floor(x), math.floor(y)):
                continue
            hx, hy = math.floor(x * width), math.floor(y * height)
            cells.setdefault((hx // width, hy // height), set()).add((hx % width, hy % height))
        for (column, row), dots in cells.items():
            cell = [0] * (width * height)
            for dx, dy in dots:
                cell[dy * width + dx] = 1  # row by row, as numpy's .flat of a (height, width) array
            if char := characters[tuple(cell)]:
                self.set_pixel(column, row, char=char, style=style)


class RacePlot(PlotWidget):
    """A plot whose lines end in a letter each, every letter on a row of its own.

    Drawn as scatter points, two nations ending at similar values put their letters in one cell and only
    the last drawn showed; the letters are placed after the plot is drawn, when the cells are known.

    After a turn the plot is drawn at once (`draw`), not when Textual next paints it: textual-plot draws in
    `render`, so its canvases, changed during the paint, needed a second paint of their own (the first one
    showing the old lines). Every pixel set on a canvas asked Textual for a refresh (some 400 a turn): the
    canvases are refreshed once each, after the drawing."""

    _holding = False  # inside `drawing`: repaints asked for are noted, not passed on
    _held = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.end_marks: list[tuple[float, float, str, str]] = []  # x, y, letter, style

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._holding and repaint and not (regions or layout or recompose):
            self._held = True
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    @contextmanager
    def drawing(self) -> Iterator[None]:
        """Data set within, drawn at the end (`draw`): textual-plot asks for a repaint of the whole plot at
        every series, limit and letter set (some 30 a turn), and when drawn at once it needs none (its own
        cells are blank; the canvases it drew on repaint themselves); else one, so `render` draws it."""
        self._holding, self._held = True, False
        try:
            yield
        finally:
            self._holding = False
            if not self.draw() and self._held:
                self.refresh()

    def compose(self) -> ComposeResult:
        """textual-plot's own widgets, with `PlotCanvas` for its canvases."""
        with Grid():
            for canvas in ("margin-top", "margin-left", "plot", "margin-bottom"):
                yield PlotCanvas(1, 1, id=canvas)
        yield Legend(id="legend")

    def clear(self) -> None:
        self.end_marks = []
        super().clear()

    def on_resize(self) -> None:
        """Labels of at most five characters ("100k", "120") need 7 columns: a narrow plot keeps the rest.
        A changed margin narrows or widens the drawing canvas after this resize, which textual-plot does not
        see (it sizes its canvases when the plot itself changes size): without a second layout refresh the
        box stayed drawn for the old width, its right edge cut off (80x24 -> 100x30)."""
        margin = 7 if 0 < self.size.width < NARROW_PLOT else 10
        top = 1 if 0 < self.size.height < LOW_PLOT else 2
        if (margin, top, 1) != (self.margin_left, self.margin_top, self.margin_bottom):
            # one row under the box for the tick labels (the first says "turn 0"): textual-plot's other
            # two rows, a blank and the x label, and above a low box its blank row, were rows lines could use
            self.margin_left, self.margin_top, self.margin_bottom = margin, top, 1
            self.call_after_refresh(self.refresh, layout=True)

    def mark_end(self, x: float, y: float, mark: str, style: str) -> None:
        self.end_marks.append((x, y, mark, style))
        self.refresh()

    def render(self) -> RenderResult:
        """The plot and its letters, drawn only when something changed (or the size), each canvas refreshed once."""
        if not self._needs_rerender:
            return ""
        with ExitStack() as batch:
            for canvas in self.query(Canvas):
                batch.enter_context(canvas.batch_refresh())
            result = super().render()
            self.draw_end_marks()
        return result

    def draw(self) -> bool:
        """Draw now what `render` would draw at the next paint, if the canvases have their size (a plot not yet
        laid out or being resized is drawn by `render`, after the layout); whether it was drawn."""
        canvas = self.query_one("#plot", Canvas)
        if self._needs_rerender and not self._needs_canvas_resize and canvas.size \
                and canvas.size == canvas._canvas_size:
            self.render()
            return True
        return False

    def draw_end_marks(self) -> None:
        """Each letter where its line ends, or in the nearest free cell (`place_marks`), the higher value first."""
        canvas = self.query_one("#plot", Canvas)
        inside = Region(1, 1, canvas.size.width - 2, canvas.size.height - 2)  # the cells within the axes' box
        if not inside.area or not self.end_marks:
            return
        marks = sorted(self.end_marks, key=lambda m: -m[1])
        cells = place_marks([self.get_pixel_from_coordinate(x, y) for x, y, _, _ in marks], inside)
        for (column, row), (_, _, letter, style) in zip(cells, marks, strict=True):
            canvas.set_pixel(column, row, char=letter, style=style)


class RaceCharts(Vertical):
    """A one-line key (letter and colour per nation) above the two charts."""

    DEFAULT_CSS = """
    RaceCharts { height: 1fr; }
    RaceCharts #chart-key { height: auto; padding: 0 1; }
    RaceCharts #chart-row { height: 1fr; }
    RaceCharts.-stacked #chart-row { layout: vertical; }
    RaceCharts PlotWidget { width: 1fr; height: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key: Text | None = None  # the key shown

    def compose(self) -> ComposeResult:
        yield Static("", id="chart-key")
        with Horizontal(id="chart-row"):
            for chart in ("compute-chart", "capability-chart"):
                plot = RacePlot(id=chart, allow_pan_and_zoom=False)
                plot.can_focus = False  # no zoom or pan here: keep the screen's own keys in the footer
                yield plot

    def on_resize(self) -> None:
        """Stacked when narrow, unless that leaves each chart too few rows to show a line (80x24, 100x30:
        a chart of 6 rows had one row of lines and labels drawn over each other): then side by side."""
        self.set_class(0 < self.size.width < STACK_BELOW and self.size.height >= STACK_FROM_ROWS, "-stacked")

    def show(self, metric_rows: list[dict[str, Any]], nations: list[str]) -> None:
        per_nation = by_nation(metric_rows)
        colours = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(nations)}
        marks = nation_marks(nations)
        compute = self.query_one("#compute-chart", RacePlot)
        capability = self.query_one("#capability-chart", RacePlot)
        with compute.drawing(), capability.drawing():
            no_compute = self._set_lines(compute, capability, per_nation, nations, colours, marks)
        key = _key(nations, colours, marks, no_compute)
        if key != self.key:  # the same key most turns: no update, so no layout pass for it
            self.key = key
            self.query_one("#chart-key", Static).update(key)

    def _set_lines(self, compute: RacePlot, capability: RacePlot, per_nation: dict[str, list[dict[str, Any]]],
                   nations: list[str], colours: dict[str, str], marks: dict[str, str]) -> list[str]:
        """Each nation's lines, limits, labels and axes set on the two plots; the nations with no compute yet."""
        for plot in (compute, capability):
            plot.clear()
        no_compute: list[str] = []
        extent: dict[str, list[float]] = {"x": [], "compute": [], "capability": []}
        for code in nations:
            rows = per_nation.get(code, [])
            xs, ys = series(rows, "ai_compute_h100e")
            logs = [(x, math.log10(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
            if logs:
                _line(compute, [p[0] for p in logs], [p[1] for p in logs], colours[code], marks[code], code)
                extent["compute"] += [p[1] for p in logs]
            else:
                no_compute.append(code)
            xs, ys = series(rows, "capability")
            if xs:
                _line(capability, xs, ys, colours[code], marks[code], code)
                extent["x"] += xs
                extent["capability"] += ys
        _room_for_marks(compute, extent["x"], extent["compute"])
        _room_for_marks(capability, extent["x"], extent["capability"])
        compute.set_ylabel("H100e (log)")
        compute.set_y_formatter(SpacedAxis(LogAxis(), compute))
        capability.set_ylabel("capability")
        capability.set_y_formatter(SpacedAxis(NumericAxisFormatter(), capability))
        for plot in (compute, capability):
            plot.show_legend(is_visible=False)
            plot.set_x_formatter(TurnAxis())
        return no_compute


def _line(plot: RacePlot, xs: list[float], ys: list[float], colour: str, mark: str, code: str) -> None:
    plot.plot(xs, ys, line_style=colour, hires_mode=HiResMode.BRAILLE, label=code)
    plot.mark_end(xs[-1], ys[-1], mark, f"bold {colour}")


def _room_for_marks(plot: PlotWidget, xs: list[float], ys: list[float]) -> None:
    """Limits a little past the data, so the letter that ends each line is drawn inside the axes."""
    if not xs or not ys:
        return
    x_span, y_span = max(xs) - min(xs), max(ys) - min(ys)
    plot.set_xlimits(min(xs), max(xs) + max(0.5, 0.04 * x_span))
    plot.set_ylimits(min(ys) - 0.02 * y_span, max(ys) + max(0.05 * y_span, 1e-3))


def _key(nations: list[str], colours: dict[str, str], marks: dict[str, str], no_compute: list[str]) -> Text:
    key = Text("")
    for code in nations:
        key.append(f"{marks[code]}━ {code}  ", style=colours[code])
    if no_compute:
        key.append(f"(no compute yet: {', '.join(no_compute)})", style="dim")
    return key
