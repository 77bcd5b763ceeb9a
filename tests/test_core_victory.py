"""Victory per nation: conditions that apply to some nations, held for quarters, collapse, end score, goals."""

from __future__ import annotations

import pytest
from core_helpers import play, variant

from techrace.core import Action, Game
from techrace.core.mechanisms.shocks import exports_halted


def _victory(conditions: dict, **extra):
    return variant(lambda d: d.update(victory=conditions, **extra))


def test_a_condition_applies_only_to_its_nations() -> None:
    rules = _victory({"cn_bar": {"kind": "threshold", "nations": ["CN"], "value": 100.0}})
    game = play(rules, turns=6)
    assert game.outcome is not None and game.outcome.winner == "CN" and game.outcome.condition == "cn_bar"


def test_a_lead_must_hold_for_consecutive_quarters() -> None:
    once = play(_victory({"lead": {"kind": "lead", "nations": ["US"], "rivals": ["CN"], "value": 5.0, "quarters": 1}}), turns=3)
    long = play(_victory({"lead": {"kind": "lead", "nations": ["US"], "rivals": ["CN"], "value": 5.0, "quarters": 3}}), turns=3)
    assert once.outcome.turn == 1
    assert long.outcome.turn == 3
    goal = next(g for g in Game.from_ruleset(long.ruleset, seed=1).run(2).goals("US") if g.id == "lead")
    assert goal.quarters_held == 2 and goal.quarters_needed == 3 and "held 2 of 3" in goal.text


def test_parity_and_from_quarter() -> None:
    rules = _victory({"catch_up": {"kind": "parity", "nations": ["CN"], "rivals": ["US"], "value": 100.0, "from": "2025Q3"}})
    game = play(rules, turns=4)
    assert game.outcome.winner == "CN" and game.outcome.quarter == "2025Q3"


def test_a_collapsed_bystander_is_out_but_the_game_goes_on() -> None:
    rules = _victory({"fall": {"kind": "collapse", "metric": "gdp_index", "value": 99.0, "nations": ["TW"]},
                      "bar": {"kind": "threshold", "value": 1000.0}},
                     shocks={"crash": {"description": "Taiwan's economy crashes", "at": "2025Q1",
                                       "effects": [{"kind": "gdp_shock", "world_gdp": 0.0, "nations_gdp": {"TW": -0.3}, "quarters": 1}]}})
    game = play(rules, turns=3)
    assert game.outcome is None and not game.finished
    assert game.model.state.collapsed[game.nations.index("TW")] == 1.0
    assert any(e.kind == "collapse" and "TW" in e.text for e in game.events)


def test_the_players_collapse_ends_the_game() -> None:
    rules = _victory({"fall": {"kind": "collapse", "metric": "gdp_index", "value": 99.0, "nations": ["TW"]}},
                     shocks={"crash": {"description": "Taiwan's economy crashes", "at": "2025Q1",
                                       "effects": [{"kind": "gdp_shock", "world_gdp": 0.0, "nations_gdp": {"TW": -0.3}, "quarters": 1}]}})
    game = Game.from_ruleset(rules, seed=1, player="TW")
    game.step()
    assert game.outcome is not None and game.outcome.kind == "collapse" and game.outcome.winner != "TW"
    assert "your nation, collapsed" in game.outcome.reason


def test_the_end_score_ranks_the_nations_still_in_the_game() -> None:
    rules = _victory({}, turns=2, scoring={"weights": {"gdp_index": 1.0}})
    game = play(rules, turns=2)
    scores = game.scores()
    assert game.outcome.kind == "score" and game.outcome.winner == max(scores, key=scores.get)
    goal = game.goals("US")[-1]
    assert goal.id == "scoring" and "rank" in goal.text


def test_goals_list_the_conditions_of_one_nation() -> None:
    game = Game.from_ruleset("baseline", seed=1, player="CN").run(1)
    ids = [g.id for g in game.goals()]
    assert "cn_parity" in ids and "cn_self_reliance" in ids and "us_decisive_lead" not in ids
    assert ids[-1] == "scoring"
    assert all(0.0 <= g.progress <= 1.0 for g in game.goals())
    with pytest.raises(Exception, match="unknown nation"):
        game.goals("XX")


def test_the_end_score_goal_measures_how_many_nations_a_nation_is_ahead_of() -> None:
    game = Game.from_ruleset("baseline", seed=1).run(2)
    scores = game.scores()
    assert sorted(scores.values())[0] == sorted(scores.values())[1], "baseline has a tie (TW and NL train nothing)"
    others = len(scores) - 1
    for code, score in scores.items():  # a tie is ahead of neither
        goal = game.goals(code)[-1]
        above = sum(v > score for v in scores.values())
        below = sum(v < score for v in scores.values())
        assert goal.progress == pytest.approx(below / others)
        assert f"rank {above + 1} of {len(scores)} (ahead of {below} of {others})" in goal.text
    best = max(scores, key=scores.get)
    assert game.goals(best)[-1].progress == 1.0


@pytest.mark.parametrize("turns", [6, 12])
def test_the_quarter_counted_all_at_once_is_the_quarter_counted_condition_by_condition(turns: int) -> None:
    import copy

    import numpy as np

    from techrace.core.mechanisms import victory
    from techrace.core.metrics import nation_metrics

    rules = _victory({"bar": {"kind": "threshold", "value": 100.0, "quarters": 40},
                      "lead": {"kind": "lead", "nations": ["US"], "rivals": ["CN"], "value": 5.0, "quarters": 40},
                      "fall": {"kind": "collapse", "metric": "gdp_index", "value": 50.0}})
    game = play(rules, turns=turns)
    static, quarter = game.model.static, game.model.quarter
    fast, full = copy.deepcopy(game.model.state), copy.deepcopy(game.model.state)
    fast.victory_streak[0] = 1.0  # a condition part way through its quarters
    full.victory_streak[0] = 1.0
    metrics = nation_metrics(static, fast)
    outcome = victory.check(static, fast, quarter, False, metrics)
    counted = victory._decide(static, full, metrics, quarter, False, None, victory.quarter_indices(static)[quarter], {})
    assert np.array_equal(fast.victory_streak, full.victory_streak) and outcome == counted
    assert fast.victory_streak.any()  # some condition holds this quarter


def test_the_economic_share_goal_reads_the_share_the_condition_decides_on() -> None:
    """The goal panel's share is of the nation and its rivals, as the check that ends the game (it divided by the
    world's GDP: 'economic share 5% of 25%' while the deciding share was 17%)."""
    rules = _victory({"cn_econ": {"kind": "economic_share", "nations": ["CN"], "rivals": ["US"], "value": 0.9}})
    game = Game.from_ruleset(rules, seed=1).run(1)
    goal = next(g for g in game.goals("CN") if g.id == "cn_econ")
    row = {r["nation"]: r for r in game.metric_rows if r["turn"] == 1}
    gdp = {code: row[code]["gdp_index"] * rules.nations[code].gdp_usd_t for code in ("CN", "US")}
    share = gdp["CN"] / (gdp["CN"] + gdp["US"])
    assert goal.progress == pytest.approx(share / 0.9, abs=1e-3)
    assert f"economic share {share:.0%} of 90%" in goal.text


def test_a_goal_of_a_kind_that_reads_no_rival_names_none() -> None:
    rules = _victory({"cn_when": {"kind": "condition", "nations": ["CN"], "description": "China out-builds Korea",
                                  "when": {"all": [{"metric": "advanced_wafer_starts", "nation": "CN", "op": "gt",
                                                    "of_nation": "KR"}]}},
                      "collapse": {"kind": "collapse", "metric": "gdp_index", "value": 70}})
    goals = {g.id: g for g in Game.from_ruleset(rules, seed=1).run(1).goals("CN")}
    assert goals["cn_when"].rival is None and goals["cn_when"].rival_value is None
    assert goals["collapse"].rival is None


@pytest.mark.parametrize("counts", [True, False])
def test_a_self_sufficiency_goal_may_refuse_the_quarters_of_halted_trade(counts: bool) -> None:
    """A blockade halts imports, so a home-made share reached then is not self-reliance: with
    `counts_while_exports_halted: false` the quarters of the blockade break the run, and counting starts again
    once it is over; with the default they count like any other (a bar of 0 holds every quarter here)."""
    goal = {"kind": "self_sufficiency", "nations": ["CN"], "rivals": ["US"], "value": 0.0, "quarters": 40,
            "counts_while_exports_halted": counts}
    game = Game.from_ruleset(_victory({"home": goal}), seed=1, player="CN")
    streaks, halted = [], []
    for turn in range(8):
        game.step([Action("military", "CN", {"shock": "taiwan_blockade"})] if turn == 0 else [])
        streaks.append(int(game.model.state.victory_streak[0][game.model.static.nations.index("CN")]))
        halted.append(exports_halted(game.model.static, game.model.state))
        if turn == 0:  # the goal panel says why the count stands still
            assert ("not counted while a shock halts exports" in game.goals("CN")[0].text) is not counts
    assert halted == [True] * 4 + [False] * 4  # the shipped blockade halts Taiwan's exports four quarters from the turn it is ordered
    assert streaks == (list(range(1, 9)) if counts else [0, 0, 0, 0, 1, 2, 3, 4])
