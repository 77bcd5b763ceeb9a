"""Pilot tests of what a player sees on a small terminal (80x24): order forms without scrolling, the orders
panel's whole border, charts whose axis labels never overlap."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Select
from textual_hires_canvas import Canvas
from tui_helpers import board, end_turn, open_form, settle, sync, text_of

from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.action_form import ActionForm
from techrace.tui.options import GameOptions
from techrace.tui.widgets.charts import RacePlot, spaced

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves and settings go to a temporary folder
SMALL = (80, 24)


async def effect_shown(pilot: object, form: ActionForm) -> None:
    """Wait until the form's preview shows the order's expected effect (worked out in a worker)."""
    for _ in range(40):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if form.effects is not None:
            break
    await settle(pilot)  # type: ignore[arg-type]
    assert form.effects is not None, "the expected effect arrived"


@sync
async def test_a_subsidy_form_and_its_whole_preview_fit_80x24() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "subsidy")
        firm = form.query_one("#p-firm", Select)
        firm.value = form.choices["firm"][0][1]
        await effect_shown(pilot, form)
        fields, preview = form.query_one("#fields"), form.query_one("#form-preview")
        assert fields.max_scroll_y == 0, "every field in view without scrolling"
        for row in fields.children:
            assert fields.region.contains_region(row.region), (row.region, fields.region)
        inside = form.query_one(".form").content_region
        assert inside.contains_region(preview.region), (preview.region, inside)
        assert preview.max_scroll_y == 0, "the whole preview in view"
        shown = text_of(preview)
        assert "Cost this quarter" in shown and "Budget left" in shown and "Expected in" in shown


@sync
async def test_the_orders_panel_is_whole_at_80x24() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_form(pilot, "visa_policy")
        await pilot.press("ctrl+j")
        await settle(pilot)
        screen = board(pilot)
        queue, footer = screen.query_one("#queue"), screen.query_one(Footer)
        assert queue.region.bottom <= footer.region.y, (queue.region, footer.region)  # the bottom edge is drawn
        assert queue.region.right <= SMALL[0]
        order = screen.query_one("#queue-list").children[0]
        assert "Visa policy" in text_of(order.query_one("Label"))
        assert queue.content_region.contains_region(order.region), "the order shows inside the border"
        assert queue.content_region.contains_region(screen.query_one("#queue-summary").region)


def axis_labels(plot: RacePlot) -> list[tuple[int, str]]:
    """The y-axis labels a player reads left of a chart: (row, text), top to bottom."""
    margin = plot.query_one("#margin-left", Canvas)
    width, height = margin.size

    def cell(x: int, y: int) -> str:
        try:
            return margin.get_pixel(x, y)[0]
        except IndexError:  # the canvas's buffer may lag a resize by a frame
            return " "

    rows = ["".join(cell(x, y) for x in range(width)).strip() for y in range(height)]
    return [(y, text) for y, text in enumerate(rows) if text]


@sync
async def test_the_charts_show_lines_and_separate_axis_labels_on_small_terminals() -> None:
    """At 80x24 and 100x30 each chart has rows for its lines (stacked charts had one or two), its y labels
    a blank row apart (two labels on one row read as "101M") and its whole box, after a resize too."""
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await end_turn(pilot, 3)
        await pilot.press("2")
        for size in (SMALL, (100, 30)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            for plot in board(pilot).query(RacePlot):
                canvas = plot.query_one("#plot", Canvas)
                assert canvas.size.height - 2 >= 5, (size, plot.id, canvas.size)  # rows inside the axes' box
                # the box's right edge is drawn (after 80x24 -> 100x30 it was cut off: drawn for the old width)
                width, height = canvas.size
                right = "".join(canvas.get_pixel(width - 1, y)[0] for y in range(height))
                assert right[0] == "┓" and right[-1] == "┛" and " " not in right, (size, plot.id, right)
                labels = axis_labels(plot)
                assert len(labels) >= 2, (size, plot.id, labels)
                rows = [row for row, _ in labels]
                assert all(b - a >= 2 for a, b in zip(rows, rows[1:], strict=False)), (size, plot.id, labels)
                values = [float(text.rstrip("kMGT")) * {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}.get(text[-1], 1)
                          for _, text in labels]
                assert values == sorted(values, reverse=True) and len(set(values)) == len(values), (size, labels)


def test_axis_ticks_that_fall_on_one_row_or_the_next_are_dropped() -> None:
    rows = {1.0: 5, 2.0: 5, 3.0: 4, 4.0: 3, 5.0: 0}  # ticks 1 and 2 on one row, 3 on the next
    assert spaced(list(rows), rows.__getitem__) == [1.0, 4.0, 5.0]


@sync
async def test_forms_with_a_list_to_tick_show_the_focused_fields_help_at_80x24() -> None:
    """At 80x24 every help line under every field made the entity-list form scroll by 3 rows (tool bans by 13):
    a form with a checklist now shows only the focused field's help, so the entity list fits, and as focus
    moves through a tool ban's fields each stays in view with its own help beside it."""
    app = TechraceApp(GameOptions("play", "baseline", "US", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "entity_list")
        await settle(pilot)
        fields = form.query_one("#fields")
        assert fields.max_scroll_y == 0, "the entity list's fields in view without scrolling"
        shown = [h.id for h in form.query(".field-help") if h.display and h.region.height]
        assert shown == ["help-entities"], shown
        await pilot.press("escape")
        await settle(pilot)
        form = await open_form(pilot, "tool_ban")
        await settle(pilot)
        fields = form.query_one("#fields")
        for param in form.spec.params:
            form.query_one(f"#p-{param.name}").focus()
            await settle(pilot)
            shown = [h.id for h in form.query(".field-help") if h.display and h.region.height]
            assert shown == [f"help-{param.name}"], (param.name, shown)
            row = form.query_one(f"#p-{param.name}")
            assert fields.region.contains_region(row.region) or row.region.height > fields.region.height, param.name


@sync
async def test_the_end_screen_keeps_rows_for_its_charts_at_80x24(tmp_path) -> None:
    """At 80x24 the end screen's charts had two rows inside their axes and one y label (the margins and the
    whole table took the rest), then six: now nine or more, textual-plot's blank margin rows and its x label
    row given to the lines (the first tick says "turn 0"), with the verdict and the leading nations still in
    view, and at 100x30 the roomy layout with every nation."""
    from techrace.tui.screens.end import EndScreen
    from techrace.tui.widgets.rivals import RivalsTable

    short = tmp_path / "short"
    short.mkdir()
    (short / "ruleset.yaml").write_text("name: short\nextends: baseline\ndescription: three quarters\nturns: 3\n")
    app = TechraceApp(GameOptions("play", str(short), "CN", 1), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await end_turn(pilot, 3)
        screen = app.screen
        assert isinstance(screen, EndScreen)
        for size, rows in ((SMALL, 9), ((100, 30), 10)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            for plot in screen.query(RacePlot):
                canvas = plot.query_one("#plot", Canvas)
                assert canvas.size.height - 2 >= rows, (size, plot.id, canvas.size)
                assert len(axis_labels(plot)) >= 2, (size, plot.id, axis_labels(plot))
            table = screen.query_one(RivalsTable)
            assert screen.query_one("#end-headline").region.y >= 1 and table.region.bottom <= size[1] - 1
            assert table.size.height >= 5, (size, table.size)  # the heading and the leading nations
