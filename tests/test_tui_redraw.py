"""What the board asks of Textual after a turn (behaviour, never time; the time is benchmarks/tui.py):
the charts are drawn once, when the turn is handed over, each canvas refreshed once rather than per pixel;
nothing asks for a repaint of the whole screen; the only layout pass asked for is the event log's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._header import HeaderTitle
from textual_hires_canvas import Canvas
from textual_plot import PlotWidget
from tui_helpers import settle, sync, text_of

from techrace.tui.app import TechraceApp
from techrace.tui.options import GameOptions
from techrace.tui.screens.game import GameScreen
from techrace.tui.settings import Settings
from techrace.tui.widgets.charts import RacePlot
from techrace.tui.widgets.event_log import EventLog

pytestmark = pytest.mark.usefixtures("in_tmp")


def app() -> TechraceApp:
    return TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False, settings=Settings(turn_report=False))


@contextmanager
def refreshes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Widget, bool]]]:
    """Every refresh that reaches Textual (a canvas holding its refreshes during a drawing does not), with
    whether it asked for a layout."""
    calls: list[tuple[Widget, bool]] = []
    original = Widget.refresh

    def refresh(self: Widget, *regions: Any, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Widget:
        calls.append((self, layout))
        return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    with monkeypatch.context() as patch:
        patch.setattr(Widget, "refresh", refresh)
        yield calls


async def turn_with(pilot: Pilot, tab: str) -> tuple[GameScreen, Any]:
    """The board with `tab` visible and settled, and the report of a turn played but not yet handed over."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, GameScreen)
    screen.action_show_tab(tab)
    await settle(pilot)
    report = await asyncio.to_thread(screen.session.end_turn)
    await pilot.pause()
    return screen, report


@sync
async def test_a_turn_draws_each_chart_once_when_handed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[PlotWidget] = []
    render_plot = PlotWidget._render_plot

    def counted(self: PlotWidget) -> None:
        drawn.append(self)
        render_plot(self)

    monkeypatch.setattr(PlotWidget, "_render_plot", counted)
    async with app().run_test(size=(120, 40)) as pilot:
        screen, report = await turn_with(pilot, "charts")
        plots = list(screen.query(RacePlot))
        canvases = [c for plot in plots for c in plot.query(Canvas)]
        before = [[row[:] for row in c._buffer] for c in canvases if c.id == "plot"]
        drawn.clear()
        with refreshes(monkeypatch) as calls:
            screen.turn_done(report)
            # drawn at once: the new lines are on the canvases before Textual paints anything
            assert sorted(p.id for p in drawn) == ["capability-chart", "compute-chart"]
            after = [[row[:] for row in c._buffer] for c in canvases if c.id == "plot"]
            assert after != before
            await pilot.pause()
            await pilot.pause()
        assert len(drawn) == 2  # not drawn again when painted
        for canvas in canvases:  # once each, not once per pixel or letter
            assert sum(widget is canvas for widget, _ in calls) <= 1, canvas.id


@sync
async def test_a_turn_asks_for_no_layout_but_the_event_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The title, the chart key (unchanged) and the panels of unchanged height ask for none; the event log
    does (its scroll range grows)."""
    async with app().run_test(size=(120, 40)) as pilot:
        screen, report = await turn_with(pilot, "charts")
        with refreshes(monkeypatch) as calls:
            screen.turn_done(report)
            for _ in range(3):
                await pilot.pause()
        layouts = {type(widget).__name__ for widget, layout in calls if layout}
        assert layouts <= {EventLog.__name__}, layouts
        assert not any(isinstance(widget, Screen) for widget, _ in calls)  # no repaint of all of the screen
        title = text_of(screen.query_one(HeaderTitle))
        assert f"Turn {screen.session.game.turn + 1}/" in title


@sync
async def test_the_header_title_follows_the_sub_title_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    async with app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        with refreshes(monkeypatch) as calls:
            pilot.app.sub_title = "a new sub-title"
            assert "a new sub-title" in text_of(pilot.app.screen.query_one(HeaderTitle))  # before any paint
            await pilot.pause()
        assert not any(isinstance(widget, Screen) for widget, _ in calls)
        assert not any(layout for _, layout in calls)


@sync
async def test_a_turn_shows_the_newest_events_in_the_boards_paint() -> None:
    """The strip of events is scrolled to its end when the turn is handed over, not after a paint (which
    painted it twice: where it was, then scrolled)."""
    async with app().run_test(size=(120, 40)) as pilot:
        screen, report = await turn_with(pilot, "rivals")
        log = screen.query_one(EventLog)
        was = log.scroll_y
        screen.turn_done(report)
        assert log.max_scroll_y > was  # the turn added lines below the view
        assert log.scroll_y == log.max_scroll_y
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y
