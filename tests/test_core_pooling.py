"""National pooling of compute: counted once, served by the nation's labs, rented where a ruleset says so,
and never pooled by a computer player beyond what its budget pays for."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import baseline, variant

from techrace.core import Action, Game
from techrace.core.mechanisms import labs, standing
from techrace.ruleset.schema import NationPolicyParams


def _pooling_game(share: float, ruleset=None, seed: int = 3) -> Game:
    """China's player pools `share` (the compute group held, so no advisor changes it); 6 quarters."""
    game = Game.from_ruleset(ruleset or baseline(), seed=seed, player="CN")
    game.step([Action("advisor", "CN", {"group": "compute", "advisor": False}), Action("centralisation", "CN", {"share": share})])
    game.run(5)
    return game


def test_pooled_compute_trains_one_run_not_two() -> None:
    game = _pooling_game(0.4)
    st, s = game.model.static, game.model.state
    cn = st.nations.index("CN")
    mine = st.lab_nation == cn
    assert s.centralisation[cn] >= 0.3 - 1e-9  # 0.05 and five steps of 0.05
    own = labs.own_compute(st, s)
    assert np.allclose(own[mine], s.usable_compute[mine] * (1.0 - s.centralisation[cn]))
    pooled = float((st.lab_to_nation @ s.usable_compute)[cn]) * s.centralisation[cn]
    assert own[mine].sum() + pooled == pytest.approx(s.usable_compute[mine].sum())  # every H100e counted once
    others = st.lab_nation == st.nations.index("US")
    assert np.allclose(own[others], s.usable_compute[others] * (1.0 - s.centralisation[st.nations.index("US")]))


def test_more_pooling_shrinks_the_labs_own_runs_and_they_serve_the_national_model() -> None:
    low, high = _pooling_game(0.1), _pooling_game(0.6)
    st = low.model.static
    cn = st.nations.index("CN")
    mine = np.flatnonzero(st.lab_nation == cn)
    own_low = labs.own_compute(st, low.model.state)[mine] * low.model.state.site_share[mine]
    own_high = labs.own_compute(st, high.model.state)[mine] * high.model.state.site_share[mine]
    assert (own_high < own_low).all()  # the labs give up training compute to the national project
    s = high.model.state
    assert s.capability[cn] > low.model.state.capability[cn]  # the larger national run
    assert (s.lab_capability[mine] >= s.capability[cn] - 1e-9).all()  # the nation's labs serve its model


def test_rented_pooling_pays_the_labs_and_an_unpaid_pool_goes_back() -> None:
    def rent(data: dict) -> None:
        data["levers"]["centralisation_rent_share"] = 1.0
    rules = variant(rent)
    game = Game.from_ruleset(rules, seed=2, player="CN")
    st, s = game.model.static, game.model.state
    cn = st.nations.index("CN")
    start = float(s.centralisation[cn])
    share = np.array(s.centralisation)
    share[cn] = start + 0.2
    bill = standing.pooling_rent(st, s, share)
    mine = st.lab_nation == cn
    price = rules.finance.revenue_per_h100e_quarter_usd
    assert bill[mine].sum() == pytest.approx(float(s.usable_compute[mine].sum()) * 0.2 * price / 1e9)
    assert (bill[~mine] == 0).all()  # other nations pool no more than at the start
    assert standing.centralisation_cost(st, s, share)[cn] > bill[mine].sum()  # rent plus interconnect
    half = standing.rented_share(st, share, np.full(len(st.nations), 0.5))
    assert half[cn] == pytest.approx(start + 0.1)  # half the bill paid: half the extra pool kept
    assert standing.rented_share(st, share, np.ones(len(st.nations)))[cn] == pytest.approx(share[cn])


def test_a_computer_player_pools_no_more_than_its_budget_pays_for() -> None:
    def rent(data: dict) -> None:
        data["levers"]["centralisation_rent_share"] = 1.0
    game = Game.from_ruleset(variant(rent), seed=1)
    cn = game.nations.index("CN")
    assert "centralisation_budget_share" not in game.model.static.ruleset.policies.personalities["state_led"].params
    limit = NationPolicyParams.model_fields["centralisation_budget_share"].default  # China's state_led uses the default
    for _ in range(24):
        game.step([])
        s = game.model.state
        whole = float(s.budget[cn] + s.standing_cost[cn])
        cost = float(standing.centralisation_cost(game.model.static, s, s.centralisation)[cn])
        assert cost <= limit * whole * 1.3 + 0.05  # its own bill stays near its pooling allowance
    free = Game.from_ruleset(baseline(), seed=1)
    free.run(24)
    assert s.centralisation[cn] < free.model.state.centralisation[cn]  # renting at market price: it pools less


def test_the_advisor_keeps_a_players_pooling_target_above_its_own_maximum() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    game.step([Action("centralisation", "CN", {"share": 0.8})])  # compute group still with the advisor
    cn = game.nations.index("CN")
    for _ in range(4):
        game.step([])
        assert game.model.state.centralisation_target[cn] == pytest.approx(0.8)


def test_free_pooling_is_always_affordable() -> None:
    def free(data: dict) -> None:
        data["levers"]["centralisation_cost_usd_per_h100e_quarter"] = 0.0
    game = Game.from_ruleset(variant(free), seed=1)
    assert standing.affordable_share(game.model.static, game.model.state, game.nations.index("CN"), 0.0) == 1.0
    game.run(3)  # China's computer player pools when behind, at no cost
    assert game.model.state.centralisation[game.nations.index("CN")] > 0.05


def _us_pooling(share: float, ruleset=None, turns: int = 8) -> list[tuple[float, float, float]]:
    """The US pools `share` from turn 1 (compute group held): (pooled share, national sites GW, labs' power
    draw GW) after each quarter."""
    game = Game.from_ruleset(ruleset or baseline(), seed=1, player="US")
    st = game.model.static
    us = st.nations.index("US")
    game.step([Action("advisor", "US", {"group": "compute", "advisor": False}), Action("centralisation", "US", {"share": share})])
    seen = []
    for _ in range(turns):
        game.step([])
        s = game.model.state
        seen.append((float(s.centralisation[us]), float(s.national_site_gw[us]), float((st.lab_to_nation @ s.lab_power)[us])))
    return seen


def test_a_large_pool_waits_for_national_sites_built_a_few_hundred_MW_a_quarter() -> None:
    rate = baseline().nations["US"].national_site_gw_per_quarter
    seen = _us_pooling(0.6)
    for (_, before, draw), (share, after, _) in zip(seen[:-1], seen[1:], strict=True):
        assert after - before <= rate + 1e-9  # sites grow no faster than the nation builds them
        assert share * draw <= after * (1 + 1e-9)  # the pool set at the quarter's start fits the sites then
    assert seen[-1][0] < 0.6 - 0.1  # eight quarters in, the US's fleet outgrows what its sites can host
    fast = _us_pooling(0.6, variant(lambda d: d["nations"]["US"].update(national_site_gw_per_quarter=50.0)))
    rules = baseline()
    stepped = rules.nations["US"].centralisation + 8 * rules.levers.centralisation_step_per_quarter
    assert fast[-1][0] == pytest.approx(min(stepped, 0.6))  # with sites no limit, the 5-point steps alone set the pace
    assert fast[-1][0] > seen[-1][0]


def test_national_sites_stay_when_the_pool_is_lowered() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    us = game.nations.index("US")
    game.step([Action("advisor", "US", {"group": "compute", "advisor": False}), Action("centralisation", "US", {"share": 0.4})])
    game.run(4)
    s = game.model.state
    built = float(s.national_site_gw[us])
    game.step([Action("centralisation", "US", {"share": 0.05})])
    assert s.centralisation[us] == pytest.approx(0.05)  # lowered at once
    game.run(2)
    assert s.national_site_gw[us] >= built  # the halls and power stay built


def test_national_sites_at_start_host_the_start_pool_and_save_with_the_game() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    st, s = game.model.static, game.model.state
    draw = st.lab_to_nation @ s.lab_power
    assert np.allclose(s.national_site_gw, s.centralisation * draw)
    game.run(3)
    again = Game.from_snapshot(game.snapshot())
    assert np.array_equal(again.model.state.national_site_gw, s.national_site_gw)
