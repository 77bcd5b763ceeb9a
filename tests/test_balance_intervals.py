"""The tournament's balance verdicts carry the 95% Wilson interval of each win share, and say when it spans the
criterion's threshold (then more seeds may turn the verdict): 21 of 24 and 163 of 200 computer-only US wins
read as 'does not hold' and 'holds', and both intervals contain 85%."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from techrace.batch.balance import criterion_baseline_strategy, criterion_computer, wilson_interval


def _plan() -> SimpleNamespace:
    return SimpleNamespace(rulesets={"baseline": SimpleNamespace(name="baseline")}, nations=["US", "CN"])


def _computer_games(us_wins: int, games: int) -> pd.DataFrame:
    winners = ["US"] * us_wins + ["CN"] * (games - us_wins)
    return pd.DataFrame({"ruleset": "baseline", "arm": "computer-only", "winner": winners})


def test_the_wilson_interval_is_scipys_and_matches_the_balance_page() -> None:
    assert wilson_interval(163, 200) == pytest.approx((0.7554, 0.8627), abs=1e-4)
    assert wilson_interval(24, 24) == pytest.approx((0.8620, 1.0), abs=1e-4)
    assert wilson_interval(0, 6)[0] == 0.0


@pytest.mark.parametrize(("wins", "games", "verdict"), [(21, 24, "does not hold"), (163, 200, "holds")])
def test_a_computer_only_share_near_85_percent_says_more_seeds_may_turn_it(wins: int, games: int, verdict: str) -> None:
    got, lines = criterion_computer(_plan(), _computer_games(wins, games))
    assert got == verdict
    assert "95% interval" in lines[0] and "the interval of US spans 85%: more seeds may turn the verdict" in lines[1]


def test_a_clear_share_gives_its_interval_and_no_warning() -> None:
    got, lines = criterion_computer(_plan(), _computer_games(200, 200))
    assert got == "does not hold" and lines == ["winners of 200 computer-only baseline games: US 100% (95% interval 98-100%)"]


def test_the_best_strategy_line_gives_its_interval_and_warns_near_40_percent() -> None:
    rows = [("US", "compute-race", 24, 1.0, 14.0), ("US", "open-trade", 24, 0.5, 44.0),
            ("CN", "blockade", 24, 11 / 24, 35.0), ("CN", "talent", 24, 0.04, 38.0)]
    table = pd.DataFrame(rows, columns=["nation", "strategy", "runs", "win_share", "median_win_turn"]).assign(ruleset="baseline")
    got, lines = criterion_baseline_strategy(_plan(), table)
    assert got == "holds"
    assert lines[0] == "US: best is compute-race, 100% of 24 games (95% interval 86-100%)"
    assert lines[1].startswith("CN: best is blockade, 46% of 24 games (95% interval 28-65%)")
    assert lines[1].endswith("the interval spans 40%: more seeds may turn the verdict")


def test_a_nation_without_probes_is_told_where_probes_go() -> None:
    """A modder's new nation has no shipped probes: the lever criterion names the unprobed levers and how to
    probe them."""
    from techrace.batch.balance import criterion_levers
    from techrace.ruleset import load_ruleset

    plan = SimpleNamespace(nations=["US"], rulesets={"baseline": load_ruleset("baseline")})
    levers = pd.DataFrame(columns=["ruleset", "nation", "lever", "outcome", "effect", "ci_low", "ci_high"])
    verdict, [line] = criterion_levers(plan, levers)
    assert verdict == "not measured"
    assert "not probed: entity_list" in line
    assert line.endswith("(a probe is a one-order strategy file in DIR/probes/, played with --strategies DIR)")
