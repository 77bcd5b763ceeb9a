"""Labs (power, centralisation, capability) and shocks (blockade, invasion, earthquake, capex bust)."""

from __future__ import annotations

import pytest
from core_helpers import baseline, play, value, variant, world

from techrace.core import Action, Game
from techrace.core.mechanisms.labs import capability_of


def _schedule(shock: str, quarter: str = "2025Q3"):
    def edit(data: dict) -> None:
        data["shocks"][shock].update(at=quarter, triggered_by_action=False)
    return variant(edit)


def test_power_limits_clusters() -> None:
    def dark(data: dict) -> None:
        data["nations"]["US"].update(power_buildout_gw_per_quarter=0.0, datacenter_power_gw=8.0)
    limited = play(variant(dark), turns=6)
    base = play(turns=6)
    assert value(limited, "US", "ai_compute_h100e") < 0.8 * value(base, "US", "ai_compute_h100e")


def test_centralisation_raises_the_largest_run_over_quarters_and_costs_budget() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    game.step([Action("centralisation", "CN", {"share": 0.6})])
    base = Game.from_ruleset(baseline(), seed=1, player="CN")
    base.step([Action("advisor", "CN", {"group": "compute", "advisor": False})])  # nobody pools in the base game
    cn = game.nations.index("CN")
    assert game.model.state.centralisation[cn] == pytest.approx(base.model.state.centralisation[cn])  # not at once
    game.run(5)
    base.run(5)
    step = baseline().levers.centralisation_step_per_quarter
    assert game.model.state.centralisation[cn] == pytest.approx(0.05 + 5 * step)
    assert value(game, "CN", "largest_training_run_flop") > 3 * value(base, "CN", "largest_training_run_flop")
    st, s = game.model.static, game.model.state
    pooled = float((st.lab_to_nation @ s.usable_compute)[cn]) * s.centralisation[cn]
    rate = baseline().levers.centralisation_cost_usd_per_h100e_quarter
    assert s.standing_cost[cn] == pytest.approx(pooled * rate / 1e9, rel=0.2)  # charged every quarter on what is pooled
    assert s.standing_cost[cn] > 3 * base.model.state.standing_cost[cn]


def test_capability_scale() -> None:
    assert capability_of(1e26) == pytest.approx(100.0)
    assert capability_of(1e27) == pytest.approx(125.0)
    game = play(turns=8)
    best = [r["best_capability"] for r in game.metric_rows if r["nation"] == "US"]
    caps = [r["capability"] for r in game.metric_rows if r["nation"] == "US"]
    assert best == sorted(best) and all(b >= c for b, c in zip(best, caps, strict=True))  # the record never falls


def test_capability_is_what_can_be_trained_now_and_falls_when_compute_is_lost() -> None:
    from techrace.core.mechanisms import labs

    game = play(turns=2)
    st, s = game.model.static, game.model.state
    us = st.nations.index("US")
    before, record = s.capability[us], s.best_capability[us]
    s.compute[st.lab_nation == us] *= 0.1  # nine tenths of the US's accelerators lost
    labs.usable_compute(st, s)
    labs.training_runs(st, s)
    assert before - 25.5 < s.capability[us] < before - 20.0  # a tenth of the compute: about a decade less
    assert s.best_capability[us] == record


def test_taiwan_blockade_cuts_world_accelerator_output_within_two_quarters() -> None:
    for seed in (1, 2):
        shocked = play(_schedule("taiwan_blockade"), seed=seed, turns=4)
        base = play(seed=seed, turns=4)
        # fires in 2025Q3 (turn 3); by turn 4 most of the volume is gone
        assert world(shocked, "accelerators_produced", 4) < 0.4 * world(base, "accelerators_produced", 4)
        assert value(shocked, "TW", "gdp_index", 4) < value(base, "TW", "gdp_index", 4) - 3
        assert any(e.kind == "shock" and "blockades" in e.text for e in shocked.events)


def test_a_blockade_raises_chinas_home_made_share_of_new_compute_while_it_lasts() -> None:
    """Nothing leaves Taiwan, so the foreign accelerators China buys (made there) stop coming: its smoothed share of
    home-made new compute climbs each quarter of the blockade (why baseline's `cn_self_reliance` does not count those
    quarters), and the US, which buys from Taiwan, gets fewer new accelerators."""
    shocked = play(_schedule("taiwan_blockade"), seed=1, turns=6)
    base = play(seed=1, turns=6)
    share = [value(shocked, "CN", "domestic_accelerator_share", t) for t in range(2, 7)]
    assert all(later > earlier for earlier, later in zip(share, share[1:], strict=False))
    assert share[-1] > value(base, "CN", "domestic_accelerator_share", 6) + 0.2
    assert value(shocked, "US", "ai_compute_h100e", 6) < value(base, "US", "ai_compute_h100e", 6)


def test_invasion_hits_harder_and_longer_than_a_blockade() -> None:
    invaded = play(_schedule("taiwan_invasion"), turns=12)
    blockaded = play(_schedule("taiwan_blockade"), turns=12)
    assert world(invaded, "accelerators_produced") < world(blockaded, "accelerators_produced")
    assert value(invaded, "US", "gdp_index") < value(blockaded, "US", "gdp_index")


def test_earthquake_takes_capacity_offline_and_it_recovers() -> None:
    game = play(_schedule("taiwan_earthquake"), turns=3)
    base = play(turns=3)
    assert value(game, "TW", "advanced_wafer_starts") < 0.8 * value(base, "TW", "advanced_wafer_starts")
    game.run(3)
    base.run(3)
    assert value(game, "TW", "advanced_wafer_starts") == pytest.approx(value(base, "TW", "advanced_wafer_starts"), rel=0.05)


def test_capex_bust_cuts_lab_purchases() -> None:
    bust = play(_schedule("capex_bust", "2026Q1"), turns=8)
    base = play(turns=8)
    assert value(bust, "US", "ai_compute_h100e") < 0.95 * value(base, "US", "ai_compute_h100e")


def test_a_military_move_fires_its_shock_only_where_allowed() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    game.step([Action("military", "CN", {"shock": "taiwan_blockade"})])
    assert any(e.kind == "shock" and "CN ordered it" in e.cause for e in game.events)
    assert game.validate(Action("military", "US", {"shock": "taiwan_blockade"}))


def test_conditions_gate_probabilistic_shocks() -> None:
    def certain(data: dict) -> None:
        data["shocks"]["capex_bust"].update(probability_per_quarter=1.0, when={"from": "2025Q3"})
    game = play(variant(certain), turns=3)
    fired = [e for e in game.events if e.kind == "shock"]
    assert [e.quarter for e in fired if "capex" in e.text] == ["2025Q3"]

    def impossible(data: dict) -> None:
        data["shocks"]["capex_bust"].update(probability_per_quarter=1.0, when={
            "all": [{"metric": "capability", "nation": "CN", "op": "gt", "of_nation": "US", "ratio": 5.0}]})
    assert not [e for e in play(variant(impossible), turns=3).events if e.kind == "shock"]


def test_chinas_own_import_curb_keeps_its_home_made_share_up_once_a_blockade_is_over() -> None:
    """The route of `blockade-then-curb`: after a blockade (2027) Taiwan's chips flow again and China's home-made
    share falls back, unless China bars foreign accelerators itself (an import rule of its own regulator)."""
    rules = _schedule("taiwan_blockade", "2027Q1")  # to 2027Q4
    games = {curb: Game.from_ruleset(rules, seed=1, player="CN") for curb in (True, False)}
    for curb, game in games.items():
        for turn in range(1, 21):  # to 2029Q4; the curb is ordered in 2027Q2, as the strategy's condition does
            game.step([Action("chip_threshold", "CN", {"tpp": 2000, "scope": "imports"})] if curb and turn == 10 else [])
    during = [value(games[c], "CN", "domestic_accelerator_share", 12) for c in (True, False)]
    after = [value(games[c], "CN", "domestic_accelerator_share", 20) for c in (True, False)]
    assert abs(during[0] - during[1]) < 0.05  # nothing foreign comes in a blockade, curb or not
    assert after[0] > after[1] + 0.05
