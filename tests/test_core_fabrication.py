"""Fabs: EUV and the DUV multi-patterning path, yield, learning, node R&D, construction."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline, play
from hypothesis import given
from hypothesis import strategies as st

from techrace.core import Game
from techrace.core.mechanisms import fabrication as fab
from techrace.ruleset import load_ruleset


def _model():
    return Game.from_ruleset(baseline(), seed=1).model


def test_without_euv_n5_pays_the_multipatterning_penalty_and_n3_stops() -> None:
    model = _model()
    st_, s = model.static, model.state
    tw = st_.sites.index("TSMC-TW")
    n5, n3 = st_.nodes.index("N5"), st_.nodes.index("N3")
    fab.update_usable(st_, s)
    d0_with = fab.effective_d0(st_, s)[0, n5]
    assert s.duv_share[tw, n5] == 0.0 and s.usable[tw, n3] > 0
    s.tools[:, :, fab.EUV] = 0.0
    fab.update_usable(st_, s)
    assert s.usable[tw, n3] == 0.0  # N3 needs EUV and cannot be multi-patterned
    assert s.duv_share[tw, n5] == 1.0  # N5 falls back to DUV multi-patterning
    assert fab.effective_d0(st_, s)[0, n5] > 1.9 * d0_with  # with a defect penalty
    # the DUV path needs twice the ArF scanners: a site making only N5 runs about half its capacity
    az = st_.sites.index("TSMC-AZ")
    assert s.usable[az, n5] < 0.6 * s.capacity[az, n5]


def test_research_without_euv_cannot_master_n3_but_can_reach_n5_slowly() -> None:
    model = _model()
    st_, s = model.static, model.state
    smic = st_.foundries.index("SMIC")
    n5, n3 = st_.nodes.index("N5"), st_.nodes.index("N3")
    funding = np.full(len(st_.foundries), 100.0)
    talent = np.ones(len(st_.foundries))
    quarters_to_n5 = 0
    while s.mastered[smic, n5] == 0 and quarters_to_n5 < 40:
        fab.research(st_, s, funding, talent, np.zeros(len(st_.foundries)))
        quarters_to_n5 += 1
    assert s.mastered[smic, n5] == 1.0
    # 45% left at 0.6 speed over 12 quarters -> ~9 quarters, slower than with EUV (~6)
    assert 8 <= quarters_to_n5 <= 11
    for _ in range(40):
        fab.research(st_, s, funding, talent, np.zeros(len(st_.foundries)))
    assert s.mastered[smic, n3] == 0.0 and s.rd_progress[smic, n3] == 0.0


def test_unfunded_research_does_not_progress() -> None:
    model = _model()
    st_, s = model.static, model.state
    before = s.rd_progress.copy()
    fab.research(st_, s, np.zeros(len(st_.foundries)), np.ones(len(st_.foundries)), np.zeros(len(st_.foundries)))
    assert np.array_equal(before, s.rd_progress)


def test_learning_is_faster_with_more_wafers_and_more_experienced_engineers() -> None:
    model = _model()
    st_, s = model.static, model.state
    f = st_.foundries.index("SMIC")
    m = st_.nodes.index("N7")
    start = s.d0.copy()

    def after(wafers: float, talent: float) -> float:
        s.d0 = start.copy()
        volume = np.zeros_like(s.d0)
        volume[f, m] = wafers
        fab.learn(st_, s, volume, np.full(len(st_.foundries), talent))
        return float(s.d0[f, m])

    assert after(0.0, 1.0) == start[f, m]
    assert after(100000.0, 1.0) < after(20000.0, 1.0) < start[f, m]
    assert after(60000.0, 2.0) < after(60000.0, 0.5)
    assert after(1e9, 4.0) >= st_.d0_mature[m]  # never below the mature floor


def test_fab_construction_takes_its_build_quarters() -> None:
    model = _model()
    st_, s = model.static, model.state
    site, m = st_.sites.index("SMIC-BJ"), st_.nodes.index("N28")
    before = s.capacity[site, m]
    fab.start_construction(st_, s, site, m, 10000.0)
    for quarter in range(1, st_.build_quarters[m] + 1):
        fab.advance_construction(s)
        if quarter < st_.build_quarters[m]:
            assert s.capacity[site, m] == before
    assert s.capacity[site, m] == before + 10000.0
    assert 8 <= st_.build_quarters[m] <= 12  # §1e 2-3 years


def test_foundries_master_new_nodes_over_years_in_a_game() -> None:
    game = play(turns=12)
    texts = [e.text for e in game.events if e.kind == "technology"]
    assert any("TSMC masters N2" in t for t in texts)
    assert any("SMIC masters N5 on DUV multi-patterning" in t for t in texts)


@given(st.floats(20, 850), st.floats(20, 850), st.floats(0.01, 1.0))
def test_yield_falls_with_die_area(a: float, b: float, d0: float) -> None:
    small, large = sorted((a, b))
    for model in ("murphy", "poisson"):
        ys, yl = (float(fab.die_yield(np.array(x), np.array(d0), model)) for x in (small, large))
        assert 0.0 < yl <= ys * (1 + 1e-12) and ys <= 1.0  # one ulp of area is within rounding


def test_a_foundry_commits_its_build_budget_to_whole_fabs_not_only_their_shells() -> None:
    """The construction budget pays for a fab's shell now and holds the rest for its tools, which the tool market
    charges on delivery: a fab whose shell fits but whose tools do not is not started (TSMC's cash otherwise fell to
    -$86 bn by 2030 in baseline, building four times what it had committed)."""
    from techrace.core.policies.foundries import _build_fabs

    model = _model()
    st_, s = model.static, model.state
    tsmc = np.array([st_.foundries.index("TSMC")])
    s.wafer_demand_level[tsmc] *= 4.0  # far more demand ahead than capacity: the budget, not demand, binds
    s.ai_wafer_demand_level[tsmc] *= 4.0
    shell = st_.ruleset.industry.shell_share_of_capex
    for budget in (2.0, 8.0):
        building, cash = np.add.reduce(s.construction, axis=2).copy(), s.cash.copy()
        _build_fabs(model, tsmc, np.array([budget]))
        started = np.add.reduce(s.construction, axis=2) - building                   # (site, node) wpm
        capex = float(np.add.reduce(started @ st_.capex_per_wpm)) / 1e9
        assert 0.5 * budget < capex <= budget * (1 + 1e-9), "the whole fab's capex within the budget"
        assert abs(float(cash.sum() - s.cash.sum()) - capex * shell) < 1e-9, "its shell paid now"


def test_a_memory_maker_commits_its_build_budget_to_whole_hbm_lines() -> None:
    """HBM's TSV lines likewise: their shell paid now, their tools (`hbm_tools_per_kwpm`) bought on delivery, the
    whole line's capex within the budget."""
    from techrace.core.policies.foundries import _grow_hbm

    model = Game.from_ruleset(baseline(), seed=1).run(1).model  # a quarter played: HBM demand seen
    st_, s = model.static, model.state
    hynix = np.array([st_.foundries.index("SK_HYNIX")])
    s.hbm_demand_level[hynix] *= 4.0  # far more demand ahead than lines: the budget binds
    industry = st_.ruleset.industry
    for budget in (0.2, 0.5):
        building, cash = float(s.hbm_construction.sum()), float(s.cash.sum())
        _grow_hbm(model, hynix, np.array([budget]))
        started = float(s.hbm_construction.sum()) - building                          # TSV wpm
        capex = started * industry.hbm_capex_per_wpm_usd / 1e9
        assert 0.0 < capex <= budget * (1 + 1e-9), "the whole line's capex within the budget"
        assert abs((cash - float(s.cash.sum())) - capex * industry.shell_share_of_capex) < 1e-9, "its shell paid now"


def _fabs_started(model, foundry: np.ndarray) -> np.ndarray:
    """(site, node) wpm `_build_fabs` starts for `foundry` with ample budget, the world left as it was."""
    from techrace.core.policies.foundries import _build_fabs

    s = model.state
    construction, cash = s.construction.copy(), s.cash.copy()
    _build_fabs(model, foundry, np.array([1e6]))
    started = np.add.reduce(s.construction - construction, axis=2)
    s.construction, s.cash = construction, cash
    return started


def test_fabs_are_built_for_the_whole_ai_demand_not_for_designs_moving_between_nodes() -> None:
    """A foundry forecasts its whole AI wafer demand and splits it over nodes by their shares: demand moving from N3
    to N2 (a falling trend on one node, a rising one on the next) builds nothing more; the whole growing does. With a
    trend per node, TSMC read the move to N3 in 2026 as +0.7 a quarter and started 290K wpm of A16, ran its cash to
    -$15 bn and made lifting every control look like it cut Taiwan's output by a fifth."""
    model = play(baseline(), seed=1, turns=8).model
    st_, s = model.static, model.state
    tsmc = np.array([st_.foundries.index("TSMC")])
    n3, n2 = st_.nodes.index("N3"), st_.nodes.index("N2")
    s.ai_wafer_demand_trend[tsmc] = 0.0  # the whole flat
    flat = _fabs_started(model, tsmc)
    s.wafer_demand_trend[tsmc, n3], s.wafer_demand_trend[tsmc, n2] = -0.5, 0.7  # demand moving from N3 to N2
    assert np.array_equal(_fabs_started(model, tsmc), flat)
    s.ai_wafer_demand_trend[tsmc] = 0.2  # the whole growing ~2.2x a year
    assert _fabs_started(model, tsmc).sum() > flat.sum() + 1000.0


def test_a_foundry_building_to_forecast_demand_stays_solvent_and_controls_do_not_cut_taiwans_output() -> None:
    """Through 2030, TSMC's cash stays above zero in baseline and in a 2027 blockade of Taiwan, and lifting every
    control does not lower Taiwan's advanced wafer starts (it adds buyers of TSMC's wafers)."""
    advanced = {}
    for name in ("baseline", "taiwan-blockade-2027", "no-controls"):
        game = Game.from_ruleset(load_ruleset(name), seed=1)
        tsmc = game.model.static.foundries.index("TSMC")
        lowest = min(float(game.run(1).model.state.cash[tsmc]) for _ in range(24))
        assert lowest > 0.0, f"{name}: TSMC's cash fell to {lowest:.1f} $bn"
        advanced[name] = next(r["advanced_wafer_starts"] for r in reversed(game.metric_rows) if r["nation"] == "TW")
    assert advanced["no-controls"] >= advanced["baseline"]
