"""Pilot tests of the advisor and standing orders on the board: the Advisor tab names what limits the
player's compute (from `Game.constraints`) with its numbers and the lever that loosens it; `p` lists the
standing orders (a programme opens its form at the values that stop it) and hands lever groups to the
advisor or takes them back; an order's preview shows its expected effect as a table of figures."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select
from tui_helpers import board, end_turn, settle, sync, text_of

from techrace.core import Action
from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.action_form import ActionForm
from techrace.tui.dialogs.standing_dialog import StandingDialog
from techrace.tui.options import GameOptions
from techrace.tui.orders import FIGURE_LABELS
from techrace.tui.widgets.advisor import AdvisorPanel
from techrace.tui.widgets.queue import QueuePanel

pytestmark = pytest.mark.usefixtures("in_tmp")
SMALL, LARGE = (80, 24), (120, 40)


async def open_standing(pilot: Pilot) -> StandingDialog:
    await pilot.press("p")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, StandingDialog)
    return dialog


def prompt_of(dialog: StandingDialog, option_id: str) -> str:
    return str(dialog.query_one(OptionList).get_option(option_id).prompt)


async def choose(pilot: Pilot, dialog: StandingDialog, option_id: str) -> None:
    listing = dialog.query_one(OptionList)
    listing.highlighted = listing.get_option_index(option_id)
    await pilot.press("enter")
    await pilot.pause()


@sync
async def test_the_advisor_tab_names_what_limits_compute_with_numbers_and_levers() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        panel = board(pilot).query_one(AdvisorPanel)
        assert panel.display and "end a turn (n) first" in panel.shown  # nothing was measured yet
        await end_turn(pilot)
        await pilot.press("v")
        await pilot.pause()
        shown = panel.shown
        game = board(pilot).session.game
        ranked = [c for c in game.constraints("CN") if c.binding >= 0.005]
        assert ranked, "China's compute is limited by something after a quarter of controls"
        top = ranked[0]
        assert f"measured in {game.model.quarter}" in shown
        assert f"{top.binding:4.0%}" in shown and top.label in shown and top.remedy in shown
        assert shown.index(top.label) < min(shown.index(c.label) for c in ranked[1:]) if ranked[1:] else True
        assert any(ch.isdigit() for ch in shown.split(top.label, 1)[1].split("\n")[1]), "the numbers behind it"
        assert "→ " in shown and "Slack:" in shown


@sync
async def test_groups_go_to_the_advisor_and_back_as_queued_orders() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        screen = board(pilot)
        game = screen.session.game
        n, talent = game.nations.index("CN"), 1  # LEVER_GROUPS: industry, talent, …
        assert game.model.state.delegated[n, talent] > 0, "an idle player's nation plays as its computer policy"
        dialog = await open_standing(pilot)
        assert "[x] advisor  talent" in prompt_of(dialog, "group-talent")
        await choose(pilot, dialog, "group-talent")
        assert [a.params for a in screen.session.queued] == [{"group": "talent", "advisor": False}]
        prompt = prompt_of(dialog, "group-talent")
        assert "[ ] advisor  talent" in prompt and "taken back by a queued order" in prompt
        await choose(pilot, dialog, "group-talent")  # pressed again: the queued order is withdrawn
        assert screen.session.queued == []
        await choose(pilot, dialog, "group-talent")
        await pilot.press("escape")
        await pilot.pause()
        assert any("talent" in line for line in screen.query_one(QueuePanel).shown), "the order is listed in words"
        await pilot.press("v")
        await pilot.pause()
        assert "You decide: talent" in screen.query_one(AdvisorPanel).shown
        await end_turn(pilot)
        assert game.model.state.delegated[n, talent] == 0, "after the turn the player decides talent"
        dialog = await open_standing(pilot)
        assert "[ ] advisor  talent" in prompt_of(dialog, "group-talent")


@sync
async def test_a_standing_subsidy_is_listed_and_stopped_through_its_own_form() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        screen = board(pilot)
        screen._lever_chosen("subsidy")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ActionForm)
        form.query_one("#p-firm", Select).value = "SMIC"
        form.query_one("#p-usd_b", Input).value = "1.5"
        form.query_one("#p-recurring", Checkbox).value = True
        await pilot.pause()
        assert "then $1.50 bn every quarter while it stands" in text_of(form.query_one("#form-preview"))
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert screen.session.queued[0].params["recurring"] is True
        await end_turn(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert "Subsidy to SMIC: $1.5 bn every quarter" in screen.query_one(AdvisorPanel).shown
        dialog = await open_standing(pilot)
        programme = next(o.id for o in dialog.query_one(OptionList).options
                         if o.id and o.id.startswith("programme-") and "SMIC" in str(o.prompt))
        await choose(pilot, dialog, programme)
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ActionForm), "a programme opens its lever's form at the values that stop it"
        assert form.query_one("#p-firm", Select).value == "SMIC"
        assert float(form.query_one("#p-usd_b", Input).value) == 0.0
        assert form.query_one("#p-recurring", Checkbox).value is True
        await pilot.press("ctrl+j")
        await pilot.pause()
        await end_turn(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert "Subsidy to SMIC:" not in screen.query_one(AdvisorPanel).shown, "the standing order stopped"


@sync
async def test_the_preview_shows_the_expected_effect_as_a_table_of_figures() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        screen = board(pilot)
        screen._lever_chosen("power_buildout", {"extra_gw": 2.0})
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ActionForm)
        for _ in range(40):
            await pilot.pause(0.1)
            await settle(pilot)
            if form.effects is not None:
                break
        assert form.effects is not None, "the expected effect arrives from its worker"
        game = screen.session.game
        expected = game.preview(Action("power_buildout", "CN", {"extra_gw": 2.0}))
        assert form.effects == expected.effects  # the very figures of the lever registry's preview
        preview = text_of(form.query_one("#form-preview"))
        assert "Expected in 1 quarter" in preview and "usd_b" not in preview and "ai_compute_h100e" not in preview
        moved = [k for k, v in expected.effects.items() if abs(v) > 1e-9]
        assert all(FIGURE_LABELS[k] in preview for k in moved)
        assert moved or "no change in the key figures" in preview
