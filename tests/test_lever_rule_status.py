"""Orders on a rule that would do nothing are refused in words: enacting a rule in force, lifting one that ended,
licensing trade under an ended rule, and a second enact or lift of the same rule in one turn. The status read is the
rule's in the quarter the order is given for (its dates applied), after the turn's earlier orders."""

from __future__ import annotations

import pytest
from core_helpers import baseline

from techrace.core import Action, Game
from techrace.core.strategy import StrategyPlayer
from techrace.errors import TechraceError
from techrace.ruleset.strategies import Strategy
from techrace.saves import save_game, verify_replay

CHIPS = "oct2023_chips (BIS 3A090.a: TPP >= 4,800, or TPP >= 1,600 with performance density >= 5.92)"
SMIC = "escalate_smic_whole (BIS adds SMIC to the entity list)"


def enact(rule: str) -> Action:
    return Action("enact_control", "US", {"control": rule})


def lift(rule: str) -> Action:
    return Action("lift_control", "US", {"control": rule})


def licence(rule: str) -> Action:
    return Action("licence_exception", "US", {"control": rule, "licence_share": 0.5, "licence_revenue_share": 0.15})


def us_game(turns: int = 0, orders: list[Action] | None = None) -> Game:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    for turn in range(turns):
        game.step(orders if turn == 0 and orders else [])
    return game


def test_enacting_a_rule_in_force_is_refused_and_the_turn_is_not_played() -> None:
    game = us_game(1)
    assert game.validate(enact("oct2023_chips")) == [f"{CHIPS} is already in force: nothing to enact"]
    with pytest.raises(TechraceError, match="orders refused: US: Enact a prepared rule: .* is already in force: nothing to enact"):
        game.step([enact("oct2023_chips")])
    assert game.turn == 1 and game.action_log == [[]]


def test_before_the_first_turn_a_rule_reads_as_its_dates_put_it() -> None:
    game = us_game()
    assert game.model.state.control_status["oct2023_chips"] == "inactive"  # the timeline moves it at the turn's start
    assert game.validate(enact("oct2023_chips")) == [f"{CHIPS} is already in force (since 2023Q4): nothing to enact"]
    [message] = game.validate(enact("jan2025_foundry"))
    assert message.startswith("jan2025_foundry (Foundry due diligence") and \
        message.endswith("takes effect this quarter (2025Q1) by its dates: nothing to enact")
    assert game.validate(lift("oct2023_chips")) == [] and game.validate(licence("oct2023_chips")) == []


def test_a_prepared_rule_and_a_lifted_rule_are_still_enacted() -> None:
    game = us_game(1, [lift("oct2023_chips")])
    assert game.validate(enact("escalate_smic_whole")) == [] and game.validate(enact("oct2023_chips")) == []
    report = game.step([enact("escalate_smic_whole"), enact("oct2023_chips")])
    status = game.model.state.control_status
    assert status["escalate_smic_whole"] == status["oct2023_chips"] == "active"
    assert any(e.kind == "control" and "SMIC" in e.text for e in report.events)


def test_lifting_a_lifted_or_expired_rule_is_refused_with_how_it_ended() -> None:
    game = us_game(1, [lift("oct2023_chips")])
    assert game.validate(lift("oct2023_chips")) == [f"{CHIPS} was lifted and is not in force: nothing to lift"]
    [ends] = game.validate(lift("ai_diffusion"))  # announced in 2025Q1, expires 2025Q2 when the next turn starts
    assert ends.startswith("ai_diffusion (AI Diffusion Framework") and ends.endswith("expires this quarter (2025Q2) by its dates: nothing to lift")
    game.step([])
    [ended] = game.validate(lift("ai_diffusion"))
    assert ended.endswith("expired in 2025Q2 and is not in force: nothing to lift")


def test_a_prepared_or_announced_rule_can_still_be_lifted() -> None:
    game = us_game()
    assert game.validate(lift("ai_diffusion")) == []  # announced: lifting it means it never starts
    assert game.validate(lift("escalate_smic_whole")) == []  # waiting: lifting it keeps the advisor from enacting it


def test_a_licence_under_an_ended_rule_is_refused_unless_an_earlier_order_enacts_it() -> None:
    game = us_game(1, [lift("oct2023_chips")])
    assert game.validate(licence("oct2023_chips")) == [
        f"{CHIPS} was lifted and is not in force: there is no trade under it to license (enact it again first)"]
    assert game.validate(licence("oct2023_chips"), [enact("oct2023_chips")]) == []
    assert game.validate(licence("escalate_smic_whole")) == []  # waiting: the licence applies once it is in force
    game.step([enact("oct2023_chips"), licence("oct2023_chips")])
    assert game.model.state.controls["oct2023_chips"]["licence_share"] == 0.5


def test_one_enact_or_lift_of_a_rule_a_turn() -> None:
    game = us_game(1)
    assert game.validate(enact("escalate_smic_whole"), [enact("escalate_smic_whole")]) == [
        f"{SMIC} is already enacted by an earlier order this turn: nothing to enact"]
    assert game.validate(lift("escalate_smic_whole"), [enact("escalate_smic_whole")]) == [
        f"{SMIC} is enacted by an earlier order this turn: lifting it in the same turn would undo that (remove the enact order instead)"]
    assert game.validate(enact("oct2023_chips"), [lift("oct2023_chips")]) == [
        f"{CHIPS} is lifted by an earlier order this turn: enacting it in the same turn would undo that (remove the lift order instead)"]
    assert game.validate(lift("oct2023_chips"), [lift("oct2023_chips")]) == [
        f"{CHIPS} is already lifted by an earlier order this turn: nothing to lift"]
    assert game.validate(licence("oct2023_chips"), [lift("oct2023_chips")]) == [
        f"{CHIPS} is lifted by an earlier order this turn: there is no trade under it to license"]
    assert game.validate(lift("escalate_smic_whole"), [enact("oct2023_chips")]) == []  # another rule: no matter
    with pytest.raises(TechraceError, match="nothing to enact"):
        game.step([enact("escalate_smic_whole"), enact("escalate_smic_whole")])
    assert game.turn == 1


def test_a_strategy_notes_the_refusal_and_tries_a_once_order_again() -> None:
    strategy = Strategy.model_validate({"name": "t", "nation": "US", "description": "d", "format_version": 1,
                                        "orders": [{"lever": "enact_control", "params": {"control": "oct2023_chips"}}]})
    player, game = StrategyPlayer(strategy), us_game()
    for _ in range(3):
        game.step(player.orders(game))
    assert player.given == []
    assert [(r.quarter, r.reason) for r in player.refusals] == [
        ("2025Q1", f"{CHIPS} is already in force (since 2023Q4): nothing to enact"),
        ("2025Q2", f"{CHIPS} is already in force: nothing to enact"),
        ("2025Q3", f"{CHIPS} is already in force: nothing to enact")]


def test_a_save_whose_log_holds_an_order_that_did_nothing_still_replays(tmp_path) -> None:
    """Saves written before these orders were refused may hold them; replay steps the log as it was given."""
    game = us_game(1)
    game.step([enact("oct2023_chips")], logged=True)  # as the game before this check took it
    game.step([])
    path = save_game(game, tmp_path / "old.json.gz")
    assert verify_replay(path) is None
