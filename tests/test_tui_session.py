"""The session rules behind the board: queueing through the game's validation, undo, unsaved turns."""

from __future__ import annotations

import pytest

from techrace.core import Action, Game
from techrace.tui.session import QueueError, Session


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset("baseline", seed=3, player="CN")


def test_queue_uses_the_games_validation_and_undo_picks_the_right_order(game: Game) -> None:
    session = Session(game, "CN")
    with pytest.raises(QueueError, match="at most 1"):
        session.queue(Action("visa_policy", "CN", {"visa_openness": 3.0}))
    with pytest.raises(QueueError, match="you play CN"):
        session.queue(Action("visa_policy", "US", {"visa_openness": 0.5}))
    first = Action("visa_policy", "CN", {"visa_openness": 0.5})
    second = Action("power_buildout", "CN", {"extra_gw": 1.0})
    third = Action("centralisation", "CN", {"share": 0.4})
    for action in (first, second, third):
        session.queue(action)
    assert session.queued_cost() > 0  # power costs budget, as the game's preview says
    assert session.undo(1) == second
    assert session.undo() == third
    assert session.queued == [first]
    assert session.undo() == first and session.undo() is None


def test_observers_cannot_queue(game: Game) -> None:
    with pytest.raises(QueueError, match="computer players only"):
        Session(game, None).queue(Action("visa_policy", "CN", {"visa_openness": 0.5}))


def test_turns_since_the_last_save_are_counted() -> None:
    session = Session(Game.from_ruleset("baseline", seed=4, player="US"), "US")
    assert session.unsaved_turns == 0
    session.queue(Action("visa_policy", "US", {"visa_openness": 0.7}))
    session.end_turn()
    assert session.queued == [] and session.unsaved_turns == 1
    assert [a.kind for a in session.game.action_log[-1]] == ["visa_policy"]
    session.mark_saved("us")
    assert session.unsaved_turns == 0 and session.save_name == "us"


def test_a_turn_report_that_cannot_be_built_never_undoes_the_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    import techrace.tui.session as session_module

    def broken(*_: object) -> None:
        raise KeyError("goal")

    monkeypatch.setattr(session_module, "summarise", broken)
    session = Session(Game.from_ruleset("baseline", seed=4, player="US"), "US")
    session.queue(Action("visa_policy", "US", {"visa_openness": 0.7}))
    session.end_turn()
    assert session.game.turn == 1 and session.queued == [] and session.last_summary is None
    assert session.summary_problem and "cannot build the turn report" in session.summary_problem
