"""The causal chain: supply chain -> compute -> research -> capability -> money -> supply chain.

Each test changes one link and checks that the effect travels along the chain in the right direction.
"""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import baseline, play, value, variant, world

from techrace.core import Game

CN_LABS = ("BYTEDANCE", "ALIBABA", "DEEPSEEK", "TENCENT", "BAIDU")


def _scale_researchers(factor: float):
    def edit(data: dict) -> None:
        for lab in CN_LABS:
            engineers = data["labs"][lab]["engineers"]
            engineers["ai_research"] *= factor
        pool = data["nations"]["CN"]["engineer_pool"]
        pool["ai_research"] *= factor
    return variant(edit)


def test_doubling_a_nations_ai_researchers_raises_its_algorithmic_efficiency() -> None:
    for seed in (1, 2):
        more = play(_scale_researchers(2.0), seed=seed, turns=8)
        base = play(seed=seed, turns=8)
        cn_labs = more.model.static.lab_nation == more.nations.index("CN")
        assert (more.model.state.research_input[cn_labs] > base.model.state.research_input[cn_labs]).all()
        # diffusion from the frontier does much of a follower's catching up, so its own researchers add a few percent
        assert value(more, "CN", "algorithmic_efficiency") > 1.02 * value(base, "CN", "algorithmic_efficiency")


def test_a_nation_that_stops_buying_accelerators_falls_behind_the_frontier() -> None:
    def broke(data: dict) -> None:
        data["labs"]["MISTRAL"].update(capital_usd_b_per_quarter=0.0, capital_growth_per_quarter=0.0)
    stopped = play(variant(broke), turns=16)
    base = play(turns=16)
    assert value(stopped, "EU", "ai_compute_h100e") < 0.6 * value(stopped, "EU", "ai_compute_h100e", 1)
    assert value(stopped, "EU", "capability") < value(base, "EU", "capability") - 5
    gap = [value(stopped, "US", "algorithmic_efficiency", t) / value(stopped, "EU", "algorithmic_efficiency", t) for t in (1, 16)]
    assert gap[1] > gap[0]


def test_algorithmic_progress_of_the_frontier_is_near_the_published_rate_at_first() -> None:
    """calibration.md §6f: ~2.8x a year (95% CI of the halving time 5-14 months: ~1.8x-5.3x a year)."""
    for seed in (1, 2):
        game = play(seed=seed, turns=5)
        first = max(value(game, n, "algorithmic_efficiency", 1) for n in game.nations)
        year = max(value(game, n, "algorithmic_efficiency", 5) for n in game.nations)
        assert 1.8 < year / first < 5.3


def test_open_weights_spread_algorithms_to_other_labs() -> None:
    def closed(data: dict) -> None:
        data["research"]["diffusion"]["open_weights"]["rate_per_quarter"] = 0.0
    shut = play(variant(closed), turns=10)
    base = play(turns=10)
    assert value(shut, "EU", "algorithmic_efficiency") < value(base, "EU", "algorithmic_efficiency")


def test_world_leading_edge_capacity_grows_with_demand() -> None:
    game = play(turns=24)
    assert world(game, "advanced_wafer_starts", 24) > 1.5 * world(game, "advanced_wafer_starts", 1)
    assert world(game, "accelerators_produced", 24) > world(game, "accelerators_produced", 1)


def test_chip_firms_design_new_generations_on_the_best_node_they_can_get() -> None:
    game = play(turns=12)
    designs = [e for e in game.events if e.kind == "technology" and " designs " in e.text]
    nvidia = [e for e in designs if e.actors == ("NVIDIA",)]
    huawei = [e for e in designs if e.actors == ("HUAWEI",)]
    assert len(nvidia) >= 2 and len(huawei) >= 2 and all(e.cause for e in designs)
    st, s = game.model.static, game.model.state

    def best_nm(firm: str) -> float:
        mine = [k for k, name in enumerate(s.sku_names) if name and s.sku_firm[k] == st.chip_firms.index(firm)]
        return min(st.node_nm[int(s.sku_node[k])] for k in mine)

    assert best_nm("NVIDIA") < best_nm("HUAWEI")  # TSMC's EUV nodes are closed to Huawei (entity list)


def test_servicing_bans_wear_tools_over_years_and_grey_servicing_slows_it() -> None:
    decoupled = play(variant(lambda d: None, base=_ruleset("full-decoupling")), turns=12)
    no_grey = play(variant(lambda d: d["industry"].update(grey_servicing_share=0.0), base=_ruleset("full-decoupling")), turns=12)
    st = decoupled.model.static
    sites = [st.sites.index("SMIC-BJ"), st.sites.index("SMIC-SN1")]

    def health(game: Game) -> float:
        s = game.model.state
        tools = s.tools[sites]
        return float((tools * s.health[sites]).sum() / tools.sum())

    assert 0.4 < health(decoupled) < 0.95  # worn, not gone, after ten quarters of bans
    assert health(no_grey) < health(decoupled)


def test_stockpiled_tools_are_installed_before_new_orders() -> None:
    game = play(turns=6)
    s, st = game.model.state, game.model.static
    site = st.sites.index("SMIC-SN1")
    fresh = Game.from_ruleset(baseline(), seed=1).model.state
    assert s.site_stockpile[site].sum() < fresh.site_stockpile[site].sum()


def test_investors_follow_capability_gains() -> None:
    def eager(data: dict) -> None:
        data["finance"].update(investor_hurdle=0.0)
    def demanding(data: dict) -> None:
        data["finance"].update(investor_hurdle=15.0)
    hot, cold = play(variant(eager), turns=8), play(variant(demanding), turns=8)
    assert value(hot, "US", "lab_capex_usd_b") > 1.2 * value(cold, "US", "lab_capex_usd_b")


def test_a_capex_bust_persists_through_the_chain() -> None:
    def bust(data: dict) -> None:
        data["shocks"]["capex_bust"].update(at="2025Q2", probability_per_quarter=0.0, when=None)
    busted, base = play(variant(bust), turns=12), play(turns=12)
    assert value(busted, "US", "ai_compute_h100e") < 0.9 * value(base, "US", "ai_compute_h100e")
    assert value(busted, "US", "lab_capex_usd_b") < value(base, "US", "lab_capex_usd_b")


@pytest.mark.slow
def test_no_controls_leaves_china_well_ahead_of_full_decoupling_in_2030() -> None:
    free = [play(_ruleset("no-controls"), seed=seed, turns=24) for seed in (1, 2)]
    cut = [play(_ruleset("full-decoupling"), seed=seed, turns=24) for seed in (1, 2)]
    mean = lambda games: float(np.mean([value(g, "CN", "capability") for g in games]))  # noqa: E731
    assert mean(free) > mean(cut) + 5.0


@pytest.mark.slow
def test_world_advanced_capacity_in_2030_is_above_2025() -> None:
    game = play(turns=24)
    assert world(game, "advanced_wafer_starts", 24) > world(game, "advanced_wafer_starts", 1)


@pytest.mark.slow
def test_a_taiwan_blockade_costs_the_us_capability_it_does_not_regain_by_2029() -> None:
    for seed in (1, 2):
        blockade = play(_ruleset("taiwan-blockade-2027"), seed=seed, turns=20)
        base = play(seed=seed, turns=20)
        assert value(blockade, "US", "capability") < value(base, "US", "capability")
        # compute falls while the island is cut off (2027Q3-2028Q2); chips made there meanwhile ship once it
        # reopens, so compute itself catches up later (a newer fleet runs more per gigawatt)
        assert value(blockade, "US", "ai_compute_h100e", 14) < 0.8 * value(base, "US", "ai_compute_h100e", 14)


def _ruleset(name: str):
    from techrace.ruleset import load_ruleset

    return load_ruleset(name)


def test_hbm_and_packaging_lines_already_being_built_arrive_in_the_first_year() -> None:
    game = play(seed=1, turns=5)
    state = Game.from_ruleset(game.ruleset, seed=1).model.state
    assert state.hbm_construction.sum() > 0 and state.packaging_construction.sum() > 0
    assert world(game, "hbm_stacks_produced", 5) > 1.2 * world(game, "hbm_stacks_produced", 1)
    flat = variant(lambda d: d["industry"]["forecast"].update(start_growth_per_year=1.0))
    assert Game.from_ruleset(flat, seed=1).model.state.hbm_construction.sum() == 0
