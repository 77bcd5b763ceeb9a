"""Pilot tests of what a QA tester read on the board: orders in plain words wherever they are shown (the
orders panel, the turn report, the event log), the rules a form offers, field labels that agree with the
game's validation, and money written one way."""

from __future__ import annotations

import pytest
from textual.widgets import Label, OptionList, Static
from tui_helpers import board, end_turn, settle, sync, text_of

from techrace.core import Action
from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.action_form import ActionForm
from techrace.tui.dialogs.standing_dialog import StandingDialog
from techrace.tui.options import GameOptions
from techrace.tui.screens.events import EventLogScreen
from techrace.tui.screens.turn_report import TurnReportScreen
from techrace.tui.widgets.queue import QueuePanel

pytestmark = pytest.mark.usefixtures("in_tmp")
SIZE = (120, 40)


@sync
async def test_a_hand_over_order_reads_as_words_in_the_panel_the_report_and_the_log() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = board(pilot)
        await pilot.press("p")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, StandingDialog)
        listing = dialog.query_one(OptionList)
        listing.highlighted = listing.get_option_index("group-power")
        await pilot.press("enter", "escape")
        await pilot.pause()
        taken = "You take back the power levers from your advisor"
        assert list(screen.query_one(QueuePanel).shown) == [taken]
        await pilot.press("n")
        await settle(pilot)
        report = pilot.app.screen
        assert isinstance(report, TurnReportScreen)
        orders = text_of(report.query_one("#report-orders"))
        assert taken in orders and "Advisor decides" not in orders and "False" not in orders
        await pilot.press("e")
        await settle(pilot)
        log = pilot.app.screen
        assert isinstance(log, EventLogScreen)
        assert any(entry.text == taken for entry in log.shown)
        assert not any("Advisor decides" in entry.text for entry in log.shown)


def test_handing_a_group_to_the_advisor_reads_as_words() -> None:
    from techrace.core import Action, Game
    from techrace.tui.orders import order_label

    game = Game.from_ruleset("baseline", seed=7)
    assert order_label(game, Action("advisor", "CN", {"group": "power", "advisor": True})) == \
        "Your advisor decides the power levers"


@sync
async def test_enact_a_prepared_rule_offers_only_rules_not_in_force() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "US", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board(pilot)._lever_chosen("enact_control")  # before the first turn: the rules' dates are applied
        await pilot.pause()
        first = [value for _, value in pilot.app.screen.choices["control"]]
        assert "oct2023_chips" not in first and "jan2025_foundry" not in first, "in force, or in force from 2025Q1"
        assert "escalate_smic_whole" in first
        await pilot.press("escape")
        await pilot.pause()
        await end_turn(pilot)
        screen = board(pilot)
        status = {row["control"]: row["status"] for row in screen.session.game.view.controls() if row["regulator"] == "BIS"}
        assert status["oct2023_chips"] == "active", "the 2023 chip rule is in force after the first quarter"
        screen._lever_chosen("enact_control")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ActionForm)
        offered = [value for _, value in form.choices["control"]]
        assert "oct2023_chips" not in offered
        assert offered == [cid for cid, st in status.items() if st != "active"] != []
        await pilot.press("escape")
        await pilot.pause()
        screen._lever_chosen("lift_control")
        await pilot.pause()
        assert "oct2023_chips" in [value for _, value in pilot.app.screen.choices["control"]], "a rule in force can be lifted"


@sync
async def test_the_chip_thresholds_form_says_destinations_are_required_for_exports() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "US", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board(pilot)._lever_chosen("chip_threshold")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ActionForm)
        labels = [text_of(label) for label in form.query(Label) if "field-label" in label.classes]
        assert "Destinations (required for exports; empty for imports)" in labels
        assert not any(label.startswith("Destinations (optional)") for label in labels)
        assert "Destinations: required" in text_of(form.query_one("#form-errors")), "exports is the default scope"


@sync
async def test_the_orders_panel_says_scope_stop_every_quarter_and_small_amounts() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = board(pilot)
        for kind, params in (("entity_list", {"entities": ["MICRON"], "scope": "imports"}),
                             ("subsidy", {"firm": "CAMBRICON", "usd_b": 0.0, "recurring": True}),
                             ("subsidy", {"firm": "SMIC", "usd_b": 0.5, "recurring": True}),
                             ("power_buildout", {"extra_gw": 0.05})):
            screen.session.queue(Action(kind, "CN", params))
        screen.draw_side()
        await pilot.pause()
        shown = list(screen.query_one(QueuePanel).shown)
        assert shown[0] == "Entity list (imports): Micron"
        assert shown[1] == "Stop subsidy to Cambricon"
        assert shown[2] == "Subsidy: $0.5 bn to SMIC every quarter"
        assert shown[3].startswith("Power build-out: +0.05 GW")
        assert "+0.05" in text_of(screen.query_one("NationPanel")), "the nation panel's queued power too"


@sync
async def test_money_reads_minus_dollar_in_the_form_and_the_panel_and_the_goal_in_words() -> None:
    from techrace.tui.widgets.goal_panel import GoalPanel
    from techrace.tui.widgets.nation_panel import NationPanel

    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = board(pilot)
        screen.session.game.budget_left = lambda nation, queued=(): -9.55  # over budget, as after a costly programme
        screen.draw_side()
        await pilot.pause()
        assert "-$9.55 bn" in text_of(screen.query_one(NationPanel))
        screen._lever_chosen("subsidy")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ActionForm)
        note = text_of(form.query_one("#help-usd_b"))
        assert "budget left -$9.55 bn" in note and "$-" not in note
        await pilot.press("escape")
        await pilot.pause()
        goal = text_of(screen.query_one(GoalPanel))
        assert "GDP index 100.0" in goal and "gdp_index" not in goal


def test_a_tiny_expected_effect_is_never_a_negative_zero() -> None:
    from techrace.tui.dialogs.action_form import effects_table

    shown = text_of(Static(effects_table({"lab_capex_usd_b": -0.0002, "capability": 0.081})))
    assert "Lab capex $bn -0.0002" in " ".join(shown.split()) and "-0.000 " not in shown + " "
    assert "+0.081" in shown
