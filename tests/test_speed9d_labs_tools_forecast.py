"""Training runs over labs and nations in shared passes, the tool market's reroute taken from the supplier split,
and forecasts without the history mask when every one has a history: each equals the equations in full, bit
for bit (zeros, signed zeros, NaN and a bloc that does not buy from itself included)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.markets import tools
from techrace.core.mechanisms import forecast, labs
from techrace.core.mechanisms.labs import capability_score, own_compute, run_flop, run_length_factor
from techrace.ruleset import load_ruleset

STATE_ARRAYS = ("lab_capability", "capability", "largest_run", "best_capability", "tool_inventory", "tool_backlog",
                "tool_demand", "toolmaker_cash", "cash", "tools", "health", "tool_ring", "tools_produced", "site_stockpile",
                "tools_scrapped")


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset(load_ruleset("baseline"), seed=2).run(6)


def training_runs_in_full(static, s) -> None:  # noqa: ANN001 - the equations before the shared passes
    n = len(static.nations)
    algo = 10.0 ** s.algo_log10
    length = run_length_factor(static, s.turn)
    lab_runs = run_flop(static, own_compute(static, s) * s.site_share, length)
    s.lab_capability = capability_score(lab_runs * algo)
    national = static.lab_to_nation @ s.usable_compute
    pooled = run_flop(static, national * s.centralisation, length)
    weighted_algo = static.lab_to_nation @ (s.usable_compute * algo)
    pooled_algo = np.where(national > 0, weighted_algo / np.maximum(national, 1e-12), 1.0)
    best_lab_run, best_lab_eff = np.zeros(n), np.zeros(n)
    np.maximum.at(best_lab_run, static.lab_nation, lab_runs)
    np.maximum.at(best_lab_eff, static.lab_nation, lab_runs * algo)
    s.largest_run = np.maximum(best_lab_run, pooled)
    pooled_eff = pooled * pooled_algo
    s.capability = capability_score(np.maximum(best_lab_eff, pooled_eff))
    national_model = capability_score(pooled_eff)
    s.lab_capability = np.maximum(s.lab_capability, national_model[static.lab_nation])
    s.best_capability = np.maximum(s.best_capability, s.capability)


def assert_same_state(a, b) -> None:  # noqa: ANN001
    for name in STATE_ARRAYS:
        x, y = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        assert x.shape == y.shape and x.tobytes() == y.tobytes(), name


@pytest.mark.parametrize("case", ["as played", "no compute", "pooled", "signed zeros", "nan"])
def test_training_runs_equal_the_equations_in_full(game: Game, case: str) -> None:
    static, s = game.model.static, copy.deepcopy(game.model.state)
    if case == "no compute":
        s.usable_compute[::2] = 0.0
    elif case == "pooled":
        s.centralisation[:] = np.linspace(0.0, 1.0, len(s.centralisation))
    elif case == "signed zeros":
        s.usable_compute[:] = -0.0
        s.site_share[1] = -0.0
    elif case == "nan":
        s.usable_compute[3] = np.nan
        s.algo_log10[0] = np.nan
    full = copy.deepcopy(s)
    with np.errstate(all="ignore"):
        labs.training_runs(static, s)
        training_runs_in_full(static, full)
    assert_same_state(s, full)


def tools_market_in_full(static, s, lic, orders, domestic_share):  # noqa: ANN001, ANN201 - the reroute from own-bloc stock
    produced = s.tool_capacity * lic.tool_output_kept
    s.tools_produced += produced
    s.tool_inventory += produced
    orders = tools.install_stockpile(s, orders)
    stocked = s.tool_capacity + s.tool_inventory
    weights = tools.supplier_weights(static, stocked, domestic_share)
    legal = weights * lic.tool_allowed
    own = tools._bloc_tables(static)[2] * stocked[:, None, :]
    legal_total, own_total = legal.sum(axis=0), own.sum(axis=0)
    blocked = orders * (1.0 - legal_total)
    reroute = own / np.maximum(own_total, 1e-12)
    demand = orders[None, :, :] * legal + reroute * blocked[None, :, :] * lic.tool_allowed
    total = demand.sum(axis=1)
    s.tool_demand = total
    fill = np.where(total > 0, np.minimum(1.0, s.tool_inventory / np.maximum(total, 1e-12)), 0.0)
    shipped = demand * fill[:, None, :]
    s.tool_backlog = np.maximum(total - s.tool_inventory, 0.0)
    s.tool_inventory = np.maximum(s.tool_inventory - shipped.sum(axis=1), 0.0)
    value = shipped * s.tool_price[:, None, :] / 1000.0
    s.toolmaker_cash += value.sum(axis=(1, 2))
    s.cash -= static.by_foundry(value.sum(axis=(0, 2)))
    tools._ship(static, s, shipped)
    arriving = s.tool_ring[s.tool_head]  # delivery with the installation's guard of empty cells
    admitted = arriving * lic.tool_admitted
    s.tool_inventory += (arriving - admitted).sum(axis=1)
    new = admitted.transpose(1, 0, 2)
    total = s.tools + new
    s.health = np.where(total > 0, (s.tools * s.health + new) / np.maximum(total, 1e-12), 0.0)
    s.tools = total
    arriving[...] = 0.0
    s.tool_head = (s.tool_head + 1) % s.tool_ring.shape[0]
    installed = s.tools > 0
    s.health = np.where(installed, np.minimum(1.0, s.health + lic.tool_recovery) - lic.tool_wear, 0.0)
    scrap = installed & (s.health < static.ruleset.technology.tool_scrap_health)
    s.tools_scrapped += np.where(scrap, s.tools, 0.0).sum(axis=0)
    s.tools = np.where(scrap, 0.0, s.tools)
    s.health = np.where(scrap, 0.0, s.health)
    return blocked


@pytest.mark.parametrize("worn", [False, True])
@pytest.mark.parametrize("own_bloc", [True, False])
def test_tool_market_reroutes_as_in_full(game: Game, own_bloc: bool, worn: bool) -> None:
    model = game.model
    static = copy.deepcopy(model.static)
    assert tools._sources_own_bloc(static)
    if not own_bloc:  # the first site's bloc no longer lists itself among its tool sources
        static.cache.clear()
        static.blocs.tool_source = static.blocs.tool_source & ~static.blocs.tool_domestic
        assert not tools._sources_own_bloc(static)
    orders = np.abs(np.sin(np.arange(model.state.tools.shape[0] * model.state.tools.shape[2], dtype=np.float64))).reshape(
        model.state.tools.shape[0], model.state.tools.shape[2]) * 50.0
    s, full = copy.deepcopy(model.state), copy.deepcopy(model.state)
    if worn:  # unserviced tools near the scrap floor: some are scrapped this quarter
        s.health[:] = full.health[:] = np.where(s.tools > 0, static.ruleset.technology.tool_scrap_health + 0.01, 0.0)
    blocked = tools.tools_market(static, s, model.licences, orders.copy(), model.domestic_share)
    expected = tools_market_in_full(static, full, model.licences, orders.copy(), model.domestic_share)
    assert blocked.tobytes() == expected.tobytes()
    assert_same_state(s, full)
    assert (full.tools_scrapped.sum() > model.state.tools_scrapped.sum()) == worn


@pytest.mark.parametrize("level", [
    np.array([1.0, 2.5, 3.0]), np.array([1.0, 0.0, 3.0]), np.array([1.0, -0.0, 2.0]), np.array([np.nan, 1.0]),
    np.array([[1.0, 2.0], [0.5, -1.0]]), np.zeros(0), np.array(2.0), np.array([np.inf, 1.0]),
])
@pytest.mark.parametrize("quarters", [1, 4, "array"])
def test_forecasts_ahead_equal_the_masked_equation(level: np.ndarray, quarters: object) -> None:
    rules = load_ruleset("baseline").industry.forecast
    trend = np.full(level.shape, 0.05)
    h = np.full(level.shape, 3) if quarters == "array" else quarters
    steps = (rules.trend_damping * (1.0 - rules.trend_damping ** np.asarray(h, dtype=np.float64).reshape(-1))
             / (1.0 - rules.trend_damping)).reshape(np.shape(h))
    with np.errstate(all="ignore"):
        got = forecast.ahead(level, trend, h, rules)
        expected = np.where(level > 0, np.exp(level + trend * steps), 0.0)
    assert got.shape == expected.shape and got.dtype == expected.dtype and got.tobytes() == expected.tobytes()
