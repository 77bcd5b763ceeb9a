"""Pilot tests of the player's view: the goal on the board, the turn report and its setting, the full
event log, honest forms and panels, every queued order reachable at 80x24, the layout at 80x24 and
120x40 (the smaller defects are in test_tui_defects.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, RichLog, Select
from tui_helpers import end_turn, open_form, settle, sync, text_of

from techrace.core import Action
from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.settings_dialog import SettingsDialog
from techrace.tui.options import GameOptions
from techrace.tui.orders import nation_row
from techrace.tui.screens.events import EventLogScreen
from techrace.tui.screens.game import GameScreen
from techrace.tui.screens.turn_report import TurnReportScreen
from techrace.tui.settings import load_settings
from techrace.tui.widgets.checklist import Checklist
from techrace.tui.widgets.format import field_words
from techrace.tui.widgets.goal_panel import GoalPanel
from techrace.tui.widgets.queue import QueueList, QueuePanel
from techrace.tui.widgets.rivals import RivalsTable

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves and settings go to a temporary folder
SMALL, LARGE = (80, 24), (120, 40)



def queue(pilot: Pilot, *actions: Action) -> GameScreen:
    screen = pilot.app.screen
    assert isinstance(screen, GameScreen)
    for action in actions:
        screen.session.queue(action)
    screen.draw_side()
    return screen


@sync
async def test_the_goal_is_on_the_first_board_at_80x24() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(GoalPanel)
        game = app.screen.session.game  # type: ignore[attr-defined]
        assert panel.border_title == "Goal" and panel.region.height > 2
        assert 0 <= panel.region.y and panel.region.bottom <= SMALL[1]
        shown = text_of(panel)
        for goal in game.goals("CN"):  # one row per goal, cut at the terminal's width
            assert field_words(goal.text)[:40] in shown and f"{goal.progress:.0%}" in shown
        assert shown.count("Lose") == sum(g.loss for g in game.goals("CN"))
        rows = [row for row in shown.splitlines() if "Win " in row or "Lose " in row]
        assert all(("% safe " in row) == ("Lose " in row) for row in rows), "a loss bar says it is the margin left"
        assert f"{game.turns_total} turns left" in str(panel.border_subtitle)
        await end_turn(pilot)
        assert f"{game.turns_total - 1} turns left" in str(panel.border_subtitle)
        figures = text_of(app.screen.query_one("#nation"))
        assert "▲" in figures or "▼" in figures, "the first turn's changes show too (from the starting state)"


@sync
async def test_turn_report_after_each_turn_and_the_setting_that_turns_it_off(in_tmp: Path) -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        queue(pilot, Action("subsidy", "CN", {"firm": "HUAWEI", "usd_b": 2.0}),
              Action("visa_policy", "CN", {"visa_openness": 0.6}))
        await pilot.press("n")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, TurnReportScreen), "a turn report follows the turn"
        assert str(report.query_one("#report").border_title).startswith("Turn report")
        figures = text_of(report.query_one("#report-figures"))
        assert "Compute" in figures and "Before" in figures and "%" in figures
        orders = text_of(report.query_one("#report-orders"))
        assert "Subsidy: $2.0 bn to Huawei / HiSilicon" in orders and "[paid $2.00 bn]" in orders
        assert "Visa policy: openness 0.60  [done]" in orders and "sets visa openness to 0.60" in orders
        assert "usd_b" not in orders
        await pilot.press("t")  # stop showing it after each turn
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        assert load_settings()[0].turn_report is False, "the choice is kept for the next session"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, GameScreen), "no report once it is turned off"
        await pilot.press("r")  # but the last one can be shown on request
        await pilot.pause()
        assert isinstance(app.screen, TurnReportScreen) and "turn 2 of" in str(app.screen.query_one("#report").border_title)
        await pilot.press("escape")
        await pilot.press("f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SettingsDialog)
        checklist = dialog.query_one(Checklist)
        assert "[ ] Show the turn report" in checklist.get_option_at_index(0).prompt.plain  # type: ignore[union-attr]
        await pilot.press("space")
        await pilot.click("#ok")
        await settle(pilot)
        assert app.settings.turn_report and load_settings()[0].turn_report


@sync
async def test_event_log_tells_each_order_once_and_filters_by_kind_nation_and_text() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        queue(pilot, Action("visa_policy", "CN", {"visa_openness": 0.7}))
        await end_turn(pilot, 3)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventLogScreen)
        log = screen.query_one("#full-log", RichLog)
        everything = "\n".join(line.text for line in log.lines)
        assert everything.count("Visa policy: openness 0.70") == 1 and "[action]" not in everything
        assert "CN sets visa openness to 0.70" in everything  # what the order did, on its line
        screen.query_one("#filter-kind", Select).value = "order"
        await pilot.pause()
        assert [e.text for e in screen.shown] == ["Visa policy: openness 0.70"]
        screen.query_one("#filter-kind", Select).value = Select.NULL
        screen.query_one("#filter-nation", Select).value = "US"
        await pilot.pause()
        assert 0 < len(screen.shown) < len(screen.entries)
        from techrace.core.actions import firm_ids

        ruleset = screen.game.ruleset
        us_words = {"US", "BIS"} | {f for f, n in firm_ids(ruleset).items() if n == "US"} | {
            spec.name for group in (ruleset.foundries, ruleset.toolmakers, ruleset.chip_firms, ruleset.labs)
            for f, spec in group.items() if spec.nation == "US"}
        assert all(set(e.actors) & us_words or any(w in e.text for w in us_words) for e in screen.shown)
        screen.query_one("#filter-nation", Select).value = Select.NULL
        await pilot.press("slash")
        await pilot.press(*"visa")
        await pilot.pause(0.4)
        assert screen.shown and all("visa" in f"{e.text} {e.cause} {e.effect}".lower() for e in screen.shown)
        assert f"{len(screen.shown)} of {len(screen.entries)} entries" in text_of(screen.query_one("#event-count"))
        await pilot.press("enter")  # back to the log, which scrolls with the keyboard
        screen.query_one("#filter-text", Input).value = ""
        await pilot.pause(0.4)
        log.focus()
        await pilot.press("home")
        await pilot.pause()
        top = log.scroll_y
        await pilot.press("pagedown")
        await pilot.pause()
        assert log.max_scroll_y == 0 or log.scroll_y > top
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)


@sync
async def test_forms_open_at_current_settings_and_the_board_shows_policies_and_budget_left() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        screen = app.screen
        row = nation_row(screen.session.game, "CN")  # type: ignore[attr-defined]
        form = await open_form(pilot, "pay_policy")
        assert float(form.query_one("#p-pay_index", Input).value) == pytest.approx(row["pay"])
        assert f"now {row['pay']:.2f}" in text_of(form.query_one("#help-pay_index"))
        await pilot.press("escape")
        form = await open_form(pilot, "visa_policy")
        form.query_one("#p-visa_openness", Input).value = "0.8"
        await pilot.press("ctrl+j")
        await pilot.pause()
        form = await open_form(pilot, "subsidy")
        form.query_one("#p-firm", Select).value = "SMIC"
        form.query_one("#p-usd_b", Input).value = "2"
        await pilot.pause()
        assert "Budget left after your queued orders and this one" in text_of(form.query_one("#form-preview"))
        await pilot.press("ctrl+j")
        await pilot.pause()
        nation = text_of(screen.query_one("#nation"))
        assert f"Visa {row['visa']:.2f}→0.80" in nation and f"Pay {row['pay']:.2f}x" in nation
        assert "Pool" in nation and "Power" in nation
        left = screen.session.game.budget_left("CN") - 2.0  # type: ignore[attr-defined]
        assert f"${left:.2f} bn left" in nation
        form = await open_form(pilot, "visa_policy")  # opens at the queued value
        assert form.query_one("#p-visa_openness", Input).value == "0.8"
        await pilot.press("escape")


@sync
async def test_military_move_form_lists_the_rulesets_moves_and_queues_one() -> None:
    from techrace.core.actions import military_moves

    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "military")
        select = form.query_one("#p-shock", Select)
        moves = military_moves(form.game.ruleset)
        assert moves and [value for _, value in select._options if value is not Select.NULL] == moves
        select.value = moves[0]
        await pilot.pause()
        assert form.game.ruleset.shocks[moves[0]].description in text_of(form.query_one("#help-shock"))
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert [a.params for a in app.screen.session.queued] == [{"shock": moves[0]}]  # type: ignore[attr-defined]


@sync
async def test_checklists_mark_choices_choose_all_and_find_by_typing() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "US", 7), autosaves=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "entity_list")
        checklist = form.query_one("#p-entities", Checklist)
        checklist.focus()
        await pilot.press(*"smic")
        await pilot.pause()
        rows = [checklist.get_option_at_index(i).prompt.plain for i in range(checklist.option_count)]  # type: ignore[union-attr]
        assert rows and all("smic" in r.lower() for r in rows) and all(r.startswith("[ ] ") for r in rows)
        await pilot.press("space")
        await pilot.pause()
        assert checklist.get_option_at_index(0).prompt.plain.startswith("[x] ")  # type: ignore[union-attr]
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert set(checklist.chosen) == {value for _, value in checklist.visible}
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.pause()
        assert checklist.option_count == len(checklist.choices), "clearing the search shows every row again"
        assert "SMIC" in checklist.chosen and f"{len(checklist.chosen)} of" in str(checklist.border_subtitle)
        assert form.params()["entities"] == checklist.chosen
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        queued = app.screen.query_one(QueuePanel).shown
        assert queued and queued[0].startswith("Entity list: ") and "entities" not in queued[0]


@sync
async def test_every_queued_order_is_reachable_at_80x24_and_delete_withdraws_the_marked_one() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        shares = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
        screen = queue(pilot, *(Action("visa_policy", "CN", {"visa_openness": s}) for s in shares))
        await pilot.pause()
        panel = screen.query_one(QueuePanel)
        listing = screen.query_one(QueueList)
        assert panel.selected == len(shares) - 1, "the newest order is marked"
        await pilot.press("o")
        await pilot.pause()
        assert listing.has_focus
        for target in range(len(shares) - 1, -1, -1):
            item = listing.children[target]
            assert item.region.height > 0 and listing.region.contains_region(item.region), \
                f"order {target} is out of view while marked"
            assert text_of(item.query_one("Label")).startswith("▸ ")
            if target:
                await pilot.press("up")
                await pilot.pause()
        assert panel.selected == 0
        await pilot.press("delete")
        await pilot.pause()
        assert [a.params["visa_openness"] for a in screen.session.queued] == shares[1:]


@sync
async def test_the_layout_holds_at_80x24_and_120x40() -> None:
    for size in (SMALL, LARGE):
        app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await end_turn(pilot, 2)
            screen = app.screen
            table = screen.query_one(RivalsTable)
            used = sum(column.get_render_width(table) for column in table.ordered_columns)
            assert used <= table.size.width, "no rival column is pushed off-screen"
            assert [c.key for c in table.columns_shown][:3] == ["nation", "capability", "gap"]
            assert table.row_count == len(screen.session.game.nations)  # type: ignore[attr-defined]
            for widget in ("#goal", "#nation", "#queue", "#tabs"):
                region = screen.query_one(widget).region
                assert region.height > 0 and region.bottom <= size[1] and region.right <= size[0], widget
            assert screen.query_one("#events").display == (size[1] >= 34)
