"""Per-quarter mechanisms with their shortcuts (nothing to scale, no cut under way, all markets folded at
once) against the equations written out in full, bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.mechanisms import diaspora, finance, forecast
from techrace.ruleset import load_ruleset


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset(load_ruleset("baseline"), seed=2).run(4)


def _go_home_in_full(static, s) -> None:
    aged = s.diaspora * (1.0 - static.nation_params.retirement)[:, None, None]
    total = aged.sum(axis=1)
    kept = aged * np.where(total > s.pool, s.pool / np.maximum(total, 1e-12), 1.0)[:, None, :]
    back = kept * (static.ruleset.talent.diaspora_return_per_quarter * s.visa)[None, :, None]
    leaving, coming = back.sum(axis=1), back.sum(axis=0)
    stay = s.pool - leaving
    new_pool = stay + coming
    exp_in = (back * s.pool_exp[:, None, :]).sum(axis=0)
    s.pool_exp = np.where(new_pool > 0, (stay * s.pool_exp + exp_in) / np.maximum(new_pool, 1e-12), 0.0)
    s.pool = new_pool
    s.diaspora = kept - back
    s.emigrated += leaving.sum(axis=1)
    s.immigrated += coming.sum(axis=1)
    s.researcher_inflow = s.researcher_inflow + back[:, :, diaspora.AI_RESEARCH]


@pytest.mark.parametrize("scale", [0.0, 1.0, 50.0])  # diasporas within their pools, or outgrowing some
def test_going_home_equals_the_equations_in_full(game: Game, scale: float) -> None:
    static = game.model.static
    s = copy.deepcopy(game.model.state)
    s.diaspora = s.diaspora * scale + (s.pool[:, None, :] * 0.2 if scale > 10 else 0.0)
    full = copy.deepcopy(s)
    diaspora.go_home(static, s)
    _go_home_in_full(static, full)
    for name in ("diaspora", "pool", "pool_exp", "emigrated", "immigrated", "researcher_inflow"):
        assert getattr(s, name).tobytes() == getattr(full, name).tobytes(), name


@pytest.mark.parametrize("cut", [False, True])
def test_capex_cuts_count_down_as_before(game: Game, cut: bool) -> None:
    static, model = game.model.static, game.model
    s = copy.deepcopy(model.state)
    if cut:
        s.capex_cut_left[[1, 3]] = [2.0, 0.5]
        s.capex_cut[[1, 3, 5]] = [0.3, 0.2, 0.1]
    left, before = s.capex_cut_left.copy(), s.capex_cut.copy()
    gain, luck = np.full(len(static.labs), 0.1), np.ones(len(static.labs))
    finance.update(static, s, model.market_start, gain, luck)
    assert s.capex_cut_left.tobytes() == np.maximum(left - 1.0, 0.0).tobytes()
    assert s.capex_cut.tobytes() == np.where(left > 0, before, 0.0).tobytes()


def test_all_markets_folded_at_once_equal_one_at_a_time(game: Game) -> None:
    s, rules = copy.deepcopy(game.model.state), game.model.ruleset.industry.forecast
    markets = ("wafer", "hbm", "packaging", "tool")
    expected = {m: forecast.observe(getattr(s, f"{m}_demand_level"), getattr(s, f"{m}_demand_trend"), getattr(s, f"{m}_demand"), rules)
                for m in markets}
    forecast.observe_all(s, markets, rules)
    for m in markets:
        level, trend = expected[m]
        assert getattr(s, f"{m}_demand_level").tobytes() == level.tobytes()
        assert getattr(s, f"{m}_demand_trend").tobytes() == trend.tobytes()
        assert getattr(s, f"{m}_demand_level").shape == level.shape


def _revenue_in_full(static, s, start) -> np.ndarray:
    rules = static.ruleset.finance
    best = finance._best_served(static, s)
    behind = np.maximum(best[:, None] - s.lab_capability[None, :], 0.0)
    weight = static.blocs.serves * s.usable_compute[None, :] * 10.0 ** (-rules.quality_elasticity * behind / finance.CAPABILITY_PER_DECADE)
    total = weight.sum(axis=1, keepdims=True)
    share = np.where(total > 0, weight / np.maximum(total, 1e-12), 0.0)
    return (finance.market_size(static, s, start, best)[:, None] * share).sum(axis=0)


@pytest.mark.parametrize("compute", ["as played", "none", "tiny"])
def test_revenue_equals_the_equations_in_full(game: Game, compute: str) -> None:
    static, model = game.model.static, game.model
    s = copy.deepcopy(model.state)
    if compute == "none":
        s.usable_compute[...] = 0.0
    if compute == "tiny":
        s.usable_compute[...] = s.usable_compute * 1e-18
    assert finance.revenue(static, s, model.market_start).tobytes() == _revenue_in_full(static, s, model.market_start).tobytes()


def test_going_home_with_an_empty_pool_equals_the_equations_in_full(game: Game) -> None:
    static = game.model.static
    s = copy.deepcopy(game.model.state)
    s.pool[2, :] = 0.0
    s.diaspora[2, :, :] = 0.0
    s.diaspora[:, 2, :] = 0.0
    full = copy.deepcopy(s)
    diaspora.go_home(static, s)
    _go_home_in_full(static, full)
    for name in ("diaspora", "pool", "pool_exp", "emigrated", "immigrated", "researcher_inflow"):
        assert getattr(s, name).tobytes() == getattr(full, name).tobytes(), name
