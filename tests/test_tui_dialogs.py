"""Every dialog's validation, driven like a player would: bad input is explained and nothing is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select
from tui_helpers import SIZE, open_form, settle, sync

from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.lever_menu import available_levers
from techrace.tui.dialogs.load_dialog import LoadDialog
from techrace.tui.dialogs.save_dialog import SaveDialog
from techrace.tui.options import GameOptions
from techrace.tui.screens.game import GameScreen
from techrace.tui.screens.start import NewGameScreen

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves go to a temporary ./saves


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector).render())



@sync
async def test_order_form_refuses_bad_values_and_accepts_fixed_ones() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "US", 1), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        game_screen = app.screen
        assert isinstance(game_screen, GameScreen)

        form = await open_form(pilot, "visa_policy")
        form.query_one("#p-visa_openness", Input).value = "2"
        await pilot.pause()
        assert "must be at most 1" in text_of(form, "#form-errors")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert app.screen is form and not game_screen.session.queued
        form.query_one("#p-visa_openness", Input).value = "0.25"
        await pilot.pause()
        assert text_of(form, "#form-errors") == "" and "Cost this quarter" in text_of(form, "#form-preview")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        assert game_screen.session.queued[-1].params == {"visa_openness": 0.25}

        form = await open_form(pilot, "subsidy")
        assert "Firm: required" in text_of(form, "#form-errors")
        app.clear_notifications()  # the "order queued" notice may sit over the buttons
        await pilot.pause()
        await pilot.click("#queue")
        await pilot.pause()
        assert app.screen is form
        form.query_one("#p-firm", Select).value = "INTEL_FOUNDRY"
        form.query_one("#p-usd_b", Input).value = "2"
        await pilot.pause()
        assert "$2.00 bn" in text_of(form, "#form-preview")
        await pilot.pause(0.25)  # a button ignores a second click within its 0.2 s press effect
        await pilot.click("#queue")
        await pilot.pause()
        assert [a.kind for a in game_screen.session.queued] == ["visa_policy", "subsidy"]

        form = await open_form(pilot, "entity_list")
        form.query_one("#p-entities").set_chosen("SMIC", True)  # type: ignore[attr-defined]
        await pilot.pause()
        assert text_of(form, "#form-errors") == ""
        await pilot.press("escape")  # cancelling queues nothing
        await pilot.pause()
        assert len(game_screen.session.queued) == 2


@sync
async def test_levers_offered_follow_the_ruleset() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "TW", 1), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        game = app.screen.session.game  # type: ignore[attr-defined]
        from techrace.core.actions import regulator_of

        kinds = {spec.kind for spec in available_levers(game, "TW")}
        assert "subsidy" in kinds and "visa_policy" in kinds
        if regulator_of(game.ruleset, "TW") is None:
            assert "entity_list" not in kinds and "tool_ban" not in kinds
        assert ("military" in kinds) == bool(game.ruleset.nations["TW"].military_moves)


@sync
async def test_save_dialog_refuses_names_that_escape_and_keeps_asking(in_tmp: Path) -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 1), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        for bad, message in (("../evil", "cannot contain"), ("", "required"), ("a b", "letters, digits")):
            dialog.query_one(Input).value = bad
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog and message in text_of(dialog, "#save-error")
        assert not (in_tmp.parent / "evil.json.gz").exists()
        dialog.query_one(Input).value = "good"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        assert (in_tmp / "saves" / "good.json.gz").is_file()


@sync
async def test_load_dialog_lists_saves_and_explains_when_there_are_none(in_tmp: Path) -> None:
    app = TechraceApp(GameOptions("play", "baseline", seed=1), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NewGameScreen)
        await pilot.press("ctrl+o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LoadDialog)
        assert "no saved games yet" in text_of(dialog, "#load-error")
        await pilot.click("#load")
        await pilot.pause()
        assert app.screen is dialog and "nothing to load" in text_of(dialog, "#load-error")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NewGameScreen)

    from techrace.core import Game
    from techrace.saves import save_game

    game = Game.from_ruleset("baseline", seed=9, player="KR")
    game.step([])
    save_game(game, "korea")
    app = TechraceApp(GameOptions("play", "baseline", seed=1), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GameScreen)
        assert (app.screen.session.player, app.screen.session.game.turn) == ("KR", 1)


@sync
async def test_missing_save_on_the_command_line_is_a_notice_not_a_crash() -> None:
    app = TechraceApp(GameOptions("play", load="no-such-save"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NewGameScreen)
        assert any("no-such-save" in str(n.message) for n in app._notifications)


@sync
async def test_new_game_screen_explains_a_bad_seed() -> None:
    app = TechraceApp(GameOptions("play", "baseline", seed=5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewGameScreen)
        assert screen.query_one("#seed", Input).value == "5"
        screen.query_one("#nation", Select).value = "JP"
        screen.query_one("#seed", Input).value = ""
        await pilot.click("#start")
        await pilot.pause()
        assert app.screen is screen and "whole number" in text_of(screen, "#newgame-error")
        await pilot.click("#reseed")
        await pilot.pause()
        assert screen.query_one("#seed", Input).value.isdigit()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, GameScreen) and app.screen.session.player == "JP"
