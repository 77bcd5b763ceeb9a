"""Labs' money: revenue from serving models, and investors' capital that follows capability gains.

    market    = per bloc: its GDP share of the start world market (start inference compute * revenue per H100e),
                * 10^(market elasticity * gain of the best model it may buy / 25) * its GDP growth,
                at most `market_gdp_cap` of its GDP; labs sell where `blocs.*.ai_market_open_to` lets them
    revenue   = each market * a lab's share of inference compute weighted by 10^(-quality elasticity * points behind / 25)
    spending  = reinvested revenue + investors' capital
    investors' capital grows by its (decaying) baseline growth plus sensitivity * (recent gain - hurdle)

Recent gain is a running mean of the lab's quarterly capability gain. While compute and algorithms grow
fast, gains beat the hurdle and capital pours in (a boom); when a constraint binds (power, HBM,
packaging, wafers, controls) or a shock cuts compute, gains fall below what investors expect and their
capital shrinks (a bust), which slows the next gains in turn. A bloc's `investor_weight` is the share of
its labs' capital that follows sentiment (the rest is state or corporate money that keeps its baseline).
Sources: the boom-bust logic of adaptive expectations; calibration.md §6e (capex 2023-2025) for the start
and the first year's growth; the revenue and sensitivity parameters are P (rulesets/baseline/finance.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from techrace.core.mechanisms.economy import kept_gdp_index
from techrace.core.mechanisms.labs import CAPABILITY_PER_DECADE
from techrace.core.state import WorldState
from techrace.core.static import Static


def _bloc_gdp(static: Static, s: WorldState) -> np.ndarray:
    """GDP per bloc (USD bn per quarter)."""
    return static.blocs.nation_to_bloc @ (kept_gdp_index(static, s) * static.nation_params.gdp_usd_t) / 100.0 * 1000.0 / 4.0


def _best_served(static: Static, s: WorldState) -> np.ndarray:
    """(bloc,) capability of the best lab that may sell in each bloc's market."""
    return np.maximum.reduce(np.where(static.blocs.serves, s.lab_capability[None, :], 0.0), axis=1, initial=0.0)  # `.max`, no wrapper


def market_size(static: Static, s: WorldState, start: MarketStart, best: np.ndarray | None = None) -> np.ndarray:
    """Spending on AI models in each bloc's market this quarter (USD bn): its start share of the world
    market (by GDP) grown with the best model it can buy and with its economy, capped by `market_gdp_cap`
    (`best`: `_best_served`, when the caller has it)."""
    rules = static.ruleset.finance
    gdp = _bloc_gdp(static, s)
    gained = np.maximum((_best_served(static, s) if best is None else best) - start.best_capability, 0.0)
    grown = start.market_usd_b * 10.0 ** (rules.market_elasticity * gained / CAPABILITY_PER_DECADE) * gdp / start.bloc_gdp
    return np.minimum(grown, rules.market_gdp_cap * gdp)


def revenue(static: Static, s: WorldState, start: MarketStart) -> np.ndarray:
    """Revenue per lab this quarter (USD bn): in every market it may serve, its share by inference compute
    and quality against the best model sold there."""
    rules = static.ruleset.finance
    serves = static.blocs.serves
    best = _best_served(static, s)
    behind = np.maximum(best[:, None] - s.lab_capability[None, :], 0.0)                          # (bloc, lab)
    weight = serves * s.usable_compute[None, :] * 10.0 ** (-rules.quality_elasticity * behind / CAPABILITY_PER_DECADE)
    total = np.add.reduce(weight, axis=1, keepdims=True)  # `.sum` without its Python wrapper
    if np.minimum.reduce(total, axis=None) >= 1e-12:  # every market has sellers (most quarters): the guards change nothing
        share = weight / total
    else:
        share = np.where(total > 0, weight / np.maximum(total, 1e-12), 0.0)
    return np.add.reduce(market_size(static, s, start, best)[:, None] * share, axis=0)


@dataclass(frozen=True)
class MarketStart:
    """The AI markets at start, from which they grow with capability and their economies."""

    market_usd_b: np.ndarray    # (bloc,)
    best_capability: np.ndarray  # (bloc,)
    bloc_gdp: np.ndarray        # (bloc,)


def market_start(static: Static, s: WorldState) -> MarketStart:
    """The world market at start (start inference compute x revenue per H100e) split by GDP."""
    rules = static.ruleset.finance
    world = float(s.usable_compute.sum()) * rules.inference_share * rules.revenue_per_h100e_quarter_usd / 1e9
    gdp = _bloc_gdp(static, s)
    return MarketStart(world * gdp / max(gdp.sum(), 1e-12), _best_served(static, s), np.maximum(gdp, 1e-12))


def start(static: Static, s: WorldState, market: MarketStart) -> None:
    """Split each lab's start spending into reinvested revenue and investors' capital (at least a tenth)."""
    rules = static.ruleset.finance
    s.ai_revenue = revenue(static, s, market)
    s.investor_capital = np.maximum(s.capital - rules.reinvest_share * s.ai_revenue, 0.1 * s.capital)


def update(static: Static, s: WorldState, start: MarketStart, gain: np.ndarray, luck: np.ndarray) -> None:
    """After this quarter's runs: revenue, investors' view of recent gains, and next quarter's spending."""
    rules, market = static.ruleset.finance, static.ruleset.market
    s.ai_revenue = revenue(static, s, start)
    s.recent_gain = rules.expectation_smoothing * gain + (1.0 - rules.expectation_smoothing) * s.recent_gain
    baseline = s.capital_growth * market.growth_decay_per_quarter ** s.turn
    sentiment = rules.investor_sensitivity * (s.recent_gain - rules.investor_hurdle)
    growth = baseline + static.blocs.lab_investor_weight * sentiment
    growth = np.minimum(np.maximum(growth, -rules.investor_cut_max), rules.investor_growth_max)  # np.clip, without its wrapper
    s.investor_capital = s.investor_capital * (1.0 + growth) * luck
    s.capital = rules.reinvest_share * s.ai_revenue + s.investor_capital
    if s.capex_cut_left.tobytes() != _zeros(len(s.capex_cut_left)) or s.capex_cut.tobytes() != _zeros(len(s.capex_cut)):
        active = s.capex_cut_left > 0  # (without a cut under way, both stay the zeros they are)
        s.capex_cut_left = np.maximum(s.capex_cut_left - 1.0, 0.0)
        s.capex_cut = np.where(active, s.capex_cut, 0.0)


@lru_cache(maxsize=8)
def _zeros(count: int) -> bytes:
    """The bytes of `count` float zeros (+0.0)."""
    return np.zeros(count).tobytes()
