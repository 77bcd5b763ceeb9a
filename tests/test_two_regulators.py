"""A nation with two regulators (a modder's US Commerce and US State, say): its orders reach the rules of both."""

from __future__ import annotations

from typing import Any

import pytest
from core_helpers import variant

from techrace.core import ACTION_SPECS, Action, Game
from techrace.core.actions import regulator_of, regulators_of
from techrace.tui.orders import param_choices


def _with_state_department(data: dict[str, Any]) -> None:
    data["regulators"]["STATE"] = {"name": "US State Department", "nation": "US", "enforcement": 0.9}
    rule = dict(data["controls"]["oct2023_chips"], regulator="STATE", description="State's own chip rule")
    data["controls"]["state_chips"] = rule


@pytest.fixture(scope="module")
def ruleset():
    return variant(_with_state_department)


def test_both_regulators_belong_to_the_nation_and_new_rules_go_to_the_first(ruleset) -> None:
    assert regulators_of(ruleset, "US") == ("BIS", "STATE")
    assert regulator_of(ruleset, "US") == "BIS"
    assert regulators_of(ruleset, "TW") == ()


def test_the_player_may_lift_and_license_the_second_regulators_rule(ruleset) -> None:
    game = Game.from_ruleset(ruleset, seed=1, player="US")
    game.step()  # the rule is in force from its date
    lift = Action("lift_control", "US", {"control": "state_chips"})
    licence = Action("licence_exception", "US", {"control": "state_chips", "licence_share": 0.5, "licence_revenue_share": 0.1})
    assert game.validate(lift) == [] and game.validate(licence) == []
    game.step([lift])
    assert game.model.state.control_status["state_chips"] == "lifted"


def test_another_nation_may_not_touch_them(ruleset) -> None:
    game = Game.from_ruleset(ruleset, seed=1, player="CN")
    [problem] = game.validate(Action("lift_control", "CN", {"control": "state_chips"}))
    assert problem.endswith("rule 'state_chips' belongs to another regulator (STATE, not MOFCOM)")


def test_the_order_form_offers_the_rules_of_both(ruleset) -> None:
    game = Game.from_ruleset(ruleset, seed=1, player="US")
    offered = [value for _, value in param_choices(game, "US", ACTION_SPECS["lift_control"].params[0], "lift_control")]
    assert "state_chips" in offered and "oct2023_chips" in offered
