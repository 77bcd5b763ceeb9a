"""Pilot tests of every flow of the terminal game against the real core and saves.

new game → three turns with orders → save → quit → load → continue; the quit question; observe mode;
the end screen; the help screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select
from tui_helpers import SIZE, end_turn, press_settled, settle, sync

from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.action_form import ActionForm
from techrace.tui.dialogs.confirm import ConfirmDialog
from techrace.tui.dialogs.lever_menu import LeverMenu
from techrace.tui.dialogs.save_dialog import SaveDialog
from techrace.tui.options import GameOptions
from techrace.tui.screens.end import EndScreen
from techrace.tui.screens.game import GameScreen
from techrace.tui.screens.help import HelpScreen
from techrace.tui.screens.observe import ObserveScreen
from techrace.tui.screens.start import NewGameScreen
from techrace.tui.widgets.event_log import EventLog

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves go to a temporary ./saves


async def give_order(pilot: Pilot, kind: str, fill: dict[str, object]) -> ActionForm:
    """Open the levers (a), pick `kind`, fill the form's fields and press enter to queue."""
    await pilot.press("a")
    await pilot.pause()
    menu = pilot.app.screen
    assert isinstance(menu, LeverMenu)
    options = menu.query_one(OptionList)
    options.highlighted = [spec.kind for spec in menu.specs].index(kind)
    await pilot.press("enter")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, ActionForm) and form.spec.kind == kind
    for name, value in fill.items():
        widget = form.query_one(f"#p-{name}")
        if isinstance(widget, Input):
            widget.value = str(value)
        elif isinstance(widget, Select):
            widget.value = value
        else:
            for item in value:  # type: ignore[attr-defined]
                widget.set_chosen(item, True)  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.press("ctrl+j")
    await pilot.pause()
    return form


@sync
async def test_new_game_three_turns_save_quit_load_continue(in_tmp: Path) -> None:
    app = TechraceApp(GameOptions("play", ruleset="baseline", seed=11))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        start = app.screen
        assert isinstance(start, NewGameScreen)
        start.query_one("#nation", Select).value = "CN"
        await pilot.pause()
        await pilot.click("#start")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GameScreen) and screen.session.player == "CN"
        assert app.sub_title.startswith("Turn 1/")

        await give_order(pilot, "visa_policy", {"visa_openness": 0.8})
        assert [a.kind for a in screen.session.queued] == ["visa_policy"]
        await end_turn(pilot)
        await give_order(pilot, "power_buildout", {"extra_gw": 2})
        await give_order(pilot, "centralisation", {"share": 0.6})
        await pilot.press("u")  # withdraw centralisation
        assert [a.kind for a in screen.session.queued] == ["power_buildout"]
        await end_turn(pilot)
        await give_order(pilot, "pay_policy", {"pay_index": 1.2})
        await end_turn(pilot)

        game = screen.session.game
        assert game.turn == 3 and app.sub_title.startswith("Turn 4/")
        assert [[a.kind for a in turn] for turn in game.action_log][:3] == [["visa_policy"], ["power_buildout"], ["pay_policy"]]
        assert list((in_tmp / "saves" / "autosave").glob("*.json.gz")), "an autosave is written each turn"
        assert screen.query_one(EventLog).shown == len(game.events)

        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        dialog.query_one(Input).value = "cn-run"
        await pilot.press("enter")
        await settle(pilot)
        assert (in_tmp / "saves" / "cn-run.json.gz").is_file()
        assert screen.session.unsaved_turns == 0
        metrics_at_save = game.metric_rows[-1]

        await pilot.press("q")  # saved: quits without asking
        await pilot.pause()
    assert app.return_code == 0

    again = TechraceApp(GameOptions("play", load="cn-run"))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, GameScreen)
        loaded = screen.session.game
        assert (loaded.turn, screen.session.player) == (3, "CN")
        assert loaded.metric_rows[-1] == metrics_at_save
        await end_turn(pilot)
        assert loaded.turn == 4 and again.sub_title.startswith("Turn 5/")


@sync
async def test_played_orders_replay_headless_to_the_same_world() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 5), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await give_order(pilot, "visa_policy", {"visa_openness": 0.9})
        await end_turn(pilot)
        await give_order(pilot, "power_buildout", {"extra_gw": 3})
        await end_turn(pilot)
        played = app.session.game  # type: ignore[union-attr]
    from techrace.core import Game

    replay = Game.from_ruleset("baseline", seed=5, player="CN")
    for actions in played.action_log:
        replay.step(list(actions))
    assert replay.metric_rows == played.metric_rows


@sync
async def test_quitting_with_unsaved_turns_asks_first() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "US", 2), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await end_turn(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 turn since the last save" in app.screen.question
        await pilot.press("n")  # keep playing
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


@sync
async def test_observe_steps_plays_pauses_and_changes_speed() -> None:
    app = TechraceApp(GameOptions("observe", "baseline", seed=4))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ObserveScreen) and screen.session.player is None
        await pilot.press("s")
        await settle(pilot)
        assert screen.session.game.turn == 1
        for _ in range(5):
            await pilot.press("plus")
        assert "as fast as possible" in str(screen.query_one("#observe-status").render())
        await pilot.press("space")
        for _ in range(600):  # bounded: at most 30 s
            if screen.session.game.turn >= 3 or screen.session.game.finished:
                break
            await pilot.pause(0.05)
        assert screen.session.game.turn >= 3
        await pilot.press("space")
        await settle(pilot)
        stopped_at = screen.session.game.turn
        await pilot.pause(0.3)
        assert screen.session.game.turn == stopped_at and not screen.playing
        await pilot.press("a")  # no orders while observing
        assert not isinstance(app.screen, LeverMenu)
        status = str(screen.query_one("#observe-status").render())
        assert ("game over" in status) if screen.session.game.finished else ("paused" in status)


@sync
async def test_end_screen_says_who_won_and_why(tmp_path: Path) -> None:
    short = tmp_path / "short"
    short.mkdir()
    (short / "ruleset.yaml").write_text("name: short\nextends: baseline\ndescription: two quarters\nturns: 2\n")
    app = TechraceApp(GameOptions("observe", str(short), seed=1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_settled(pilot, "s", 2)
        assert isinstance(app.screen, EndScreen)
        game = app.screen.session.game
        assert game.finished
        headline = str(app.screen.query_one("#end-headline").render())
        if game.outcome is not None and game.outcome.winner:
            assert game.outcome.winner in headline
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ObserveScreen)


@sync
async def test_help_screen_explains_panels_keys_and_every_lever() -> None:
    from techrace.core import ACTION_SPECS

    app = TechraceApp(GameOptions("play", "baseline", "CN", 3), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text").source  # type: ignore[attr-defined]
        for words in ("Nation panel", "Rivals", "Charts", "Controls", "Events", "End turn", "ctrl+s"):
            assert words in text
        for spec in ACTION_SPECS.values():
            assert spec.label in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)


@sync
async def test_tabs_show_the_core_view_tables() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "TW", 8), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        for key, tab in zip("2345678", ("charts", "foundries", "sites", "chip-firms", "labs", "toolmakers", "controls"),
                            strict=True):
            await pilot.press(key)
            await pilot.pause()
            assert screen.query_one("#tabs").active == tab  # type: ignore[attr-defined]
        foundries = screen.query_one("#foundries-table")
        assert foundries.row_count == len(screen.session.game.view.foundries())  # type: ignore[attr-defined]
        sites = screen.query_one("#sites-table")  # every fab site, whoever owns it
        assert sites.row_count == len(screen.session.game.model.static.sites)  # type: ignore[attr-defined]


@sync
async def test_every_theme_including_the_16_colour_ansi_ones_draws_the_board() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "KR", 6), autosaves=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await end_turn(pilot)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            assert isinstance(app.screen, GameScreen)
        app.theme = "ansi-dark"
        await pilot.press("2")  # the charts use ANSI colour names, so they survive 16 colours too
        await pilot.pause()
        assert "KR" in str(app.screen.query_one("#chart-key").render())


@sync
async def test_command_palette_offers_the_main_commands() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "JP", 4), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("End turn", "Give an order", "Undo last order", "Save game", "Load game", "Help", "Show charts"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"End turn")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.game.turn == 1  # type: ignore[union-attr]
