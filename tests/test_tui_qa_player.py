"""Pilot tests of what a QA player found at 100x30: tab labels cut off, a form whose last field starts out of
view, chart end labels drawn over each other, and keys typed while the world loads."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import Tab
from tui_helpers import SIZE, board, end_turn, open_form, settle, sync, text_of

from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.action_form import ActionForm
from techrace.tui.dialogs.lever_menu import available_levers
from techrace.tui.options import GameOptions
from techrace.tui.screens.loading import LoadingScreen
from techrace.tui.widgets.charts import RaceCharts, nation_marks, place_marks
from techrace.tui.widgets.checklist import Checklist

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves and settings go to a temporary folder
SIZES = (SIZE, (80, 24), (116, 30), (117, 30), (120, 40))  # the smallest board, the QA size, both sides of -wide


@sync
async def test_every_tab_label_is_whole_on_the_board() -> None:
    """At every size (one board, resized), each label is whole inside the bar; in the two-row layout (100x30) and
    the one-row one (120x40) the chosen tab is told apart without colour."""
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        screen = board(pilot)
        tabs = list(screen.query(Tab))
        assert len(tabs) == 9
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            bar = screen.query_one("#tabs #tabs-scroll")
            for tab in tabs:
                label = str(tab.label)
                assert tab.region.width == len(label) + 2, (size, label)  # one column of padding each side
                assert bar.region.contains_region(tab.region), (size, label, tab.region, bar.region)
            if size not in (SIZE, (120, 40)):
                continue
            for key, tab in zip("123456789", tabs, strict=True):
                await pilot.press(key)
                await pilot.pause()
                assert tab.has_class("-active")
                others = [other.rich_style.reverse for other in tabs if other is not tab]
                assert screen.query_one("Underline").display or (tab.rich_style.reverse and not any(others)), size



@sync
async def test_the_subsidy_form_opens_with_every_field_in_view_at_100x30() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "subsidy")
        fields = form.query_one("#fields")
        assert fields.max_scroll_y == 0, "nothing to scroll to"
        for part in fields.children:
            assert fields.region.contains_region(part.region), (part.id, part.region, fields.region)
        assert form.query_one("#p-recurring").region.bottom <= SIZE[1]


@sync
async def test_every_form_keeps_its_preview_and_buttons_inside_the_dialog() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "US", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for size in (SIZE, (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            for spec in available_levers(board(pilot).session.game, "US"):
                form = await open_form(pilot, spec.kind)
                inside = form.query_one(".form").content_region
                for part in ("#form-preview", ".buttons"):
                    widget = form.query_one(part)
                    if widget.display:
                        assert inside.contains_region(widget.region), (size, spec.kind, part, widget.region, inside)
                fields = form.query_one("#fields")  # at least 3 rows, or all of a shorter form's fields
                assert fields.region.height >= min(3, fields.virtual_size.height), (size, spec.kind)
                if size == (80, 24) and not form.query(Checklist):  # compact: every field in view, no scrolling
                    assert fields.max_scroll_y == 0, (size, spec.kind)
                await pilot.press("escape")
                await pilot.pause()


def test_end_letters_that_want_one_cell_get_cells_of_their_own() -> None:
    inside = Region(1, 1, 10, 4)  # columns 1..10, rows 1..4
    assert place_marks([(5, 2), (5, 2), (5, 2)], inside) == [(5, 2), (7, 2), (9, 2)]  # the same row, a blank apart
    assert place_marks([(9, 2), (9, 2), (9, 2)], inside) == [(9, 2), (9, 3), (9, 1)]  # margin full: below, then above
    crowded = place_marks([(9, 1)] * 6, inside)
    assert crowded[:4] == [(9, 1), (9, 2), (9, 3), (9, 4)] and crowded[4:] == [(7, 1), (5, 1)]  # then over the lines
    assert len(set(place_marks([(10, 4)] * 20, inside))) == 20  # 20 letters, 20 cells (5 columns x 4 rows)
    assert place_marks([(3, 0), (30, 9)], inside) == [(3, 1), (10, 4)]  # kept inside the axes


@sync
async def test_every_nations_letter_shows_on_the_charts() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await end_turn(pilot, 4)
        await pilot.press("2")
        await settle(pilot)
        charts = board(pilot).query_one(RaceCharts)
        game = board(pilot).session.game
        marks = nation_marks(list(game.ruleset.nations))
        plotted = {"compute-chart": [n for n in game.ruleset.nations if game.metrics().query(
                       f"nation == '{n}'")["ai_compute_h100e"].iloc[-1] > 0],
                   "capability-chart": list(game.ruleset.nations)}
        for chart, nations in plotted.items():
            canvas = charts.query_one(f"#{chart} #plot")
            width, height = canvas.size
            shown = [canvas.get_pixel(x, y)[0] for y in range(height) for x in range(width)]
            for code in nations:
                assert shown.count(marks[code]) == 1, (chart, code, marks[code])


def held_world(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> threading.Event:
    """The world is built only once the returned event is set (or its building fails), so a test can type
    while it loads."""
    from techrace.core import Game

    release = threading.Event()
    build = Game.from_ruleset

    def held(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30)
        if fail:
            raise RuntimeError("no world today")
        return build(*args, **kwargs)

    monkeypatch.setattr(Game, "from_ruleset", held)
    return release


@sync
async def test_keys_typed_while_the_world_loads_are_shown_then_used_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    release = held_world(monkeypatch)
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoadingScreen)
        await pilot.press("x", "escape")  # escape forgets what was typed so far
        await pilot.press("2", "a", "enter", "s", "m")
        shown = app.screen.query_one("#loading-keys")
        assert "Keys typed: 2 a enter s m" in text_of(shown)
        assert shown.region.height == 1 and shown.region.bottom <= SIZE[1], "the line is on the screen"
        release.set()
        await settle(pilot)
        await pilot.pause(0.2)
        form = app.screen
        assert isinstance(form, ActionForm), "a opened the lever menu, enter the first lever's form"
        assert form.spec.kind == "entity_list" and form.query_one(Checklist).search == "sm", "typed into its field"
        await pilot.press("escape")
        await pilot.pause()
        assert board(pilot).query_one("#tabs").active == "charts"  # type: ignore[attr-defined]


@sync
async def test_keys_typed_before_a_world_that_fails_are_not_dropped_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    release = held_world(monkeypatch, fail=True)
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        release.set()
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("no world today" in m and "the 1 key typed while it loaded was not used" in m for m in messages)
