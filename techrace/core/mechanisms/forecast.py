"""Demand forecasts that firms build capacity against: Holt's linear trend method (Holt 1957) on the
log of demand, so a market growing by a steady factor is forecast to keep growing by it, with the trend
damped (Gardner & McKenzie 1985) so that a boom is not extrapolated forever.

Every forecast keeps two arrays in the world state, a level and a trend (natural logs); `observe` folds in
this quarter's demand and `ahead` says what demand will be `h` quarters on. Where demand moves between the
parts of a whole (AI wafers between a foundry's nodes), `top_down` forecasts the whole and splits it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from techrace.ruleset.schema import Forecasting

FLOOR = 1.0  # demand of less than one unit counts as one (the log needs a floor; units are wafers, stacks, packages)
FEW = 12  # forecasts this many or fewer are folded in plain Python (cheaper than a dozen numpy calls; same numbers)


def observe(level: np.ndarray, trend: np.ndarray, demand: np.ndarray, rules: Forecasting) -> tuple[np.ndarray, np.ndarray]:
    """New (level, trend) after seeing `demand`; a level of 0 means no history yet (the first demand sets it)."""
    seen = np.log(np.maximum(demand, FLOOR))
    if seen.ndim == 1 and len(seen) <= FEW:
        return _observe_few(level, trend, seen, rules)
    fresh = level <= 0
    expected = level + trend * rules.trend_damping
    new_level = np.where(fresh, seen, rules.level_smoothing * seen + (1.0 - rules.level_smoothing) * expected)
    start_trend = _start_trend(rules.start_growth_per_year)
    new_trend = np.where(fresh, start_trend,
                         rules.trend_smoothing * (new_level - level) + (1.0 - rules.trend_smoothing) * trend * rules.trend_damping)
    return new_level, new_trend


def observe_all(s: Any, markets: tuple[str, ...], rules: Forecasting) -> None:
    """`observe` each market's `<market>_demand` into its `<market>_demand_level` and `_trend` arrays of the
    world state in one elementwise pass over all of them (the same numbers as one call per market)."""
    names = _names(markets)
    levels = [getattr(s, level) for level, _, _ in names]
    level, trend = observe(np.concatenate(levels, axis=None),  # axis None: each flattened, in order
                           np.concatenate([getattr(s, trend) for _, trend, _ in names], axis=None),
                           np.concatenate([getattr(s, demand) for _, _, demand in names], axis=None), rules)
    start = 0
    for (level_name, trend_name, _), old in zip(names, levels, strict=True):
        end = start + old.size
        if old.ndim == 1:  # the slices have the shape already
            setattr(s, level_name, level[start:end])
            setattr(s, trend_name, trend[start:end])
        else:
            setattr(s, level_name, level[start:end].reshape(old.shape))
            setattr(s, trend_name, trend[start:end].reshape(old.shape))
        start = end


def _observe_few(level: np.ndarray, trend: np.ndarray, seen: np.ndarray, rules: Forecasting) -> tuple[np.ndarray, np.ndarray]:
    """`observe` after the log for a few forecasts (a chip firm's), in plain Python floats: the same
    operations in the same order, and the same choice of branch, as the array equations."""
    ls, ts, damping = rules.level_smoothing, rules.trend_smoothing, rules.trend_damping
    start = float(_start_trend(rules.start_growth_per_year))
    levels, trends = [], []
    for old, slope, x in zip(level.tolist(), trend.tolist(), seen.tolist(), strict=True):
        fresh = old <= 0
        new = x if fresh else ls * x + (1.0 - ls) * (old + slope * damping)
        levels.append(new)
        trends.append(start if fresh else ts * (new - old) + (1.0 - ts) * slope * damping)
    return np.array(levels, dtype=np.float64), np.array(trends, dtype=np.float64)


@lru_cache(maxsize=16)
def _start_trend(growth_per_year: float) -> np.float64:
    """The trend a first demand starts with (log per quarter), worked out once per growth rate."""
    return np.log(growth_per_year) / 4.0


@lru_cache(maxsize=16)
def _names(markets: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(level, trend, demand) attribute names of each market, spelled once."""
    return tuple((f"{m}_demand_level", f"{m}_demand_trend", f"{m}_demand") for m in markets)


def ahead(level: np.ndarray, trend: np.ndarray, quarters: np.ndarray | int, rules: Forecasting) -> np.ndarray:
    """Demand forecast `quarters` ahead (0 where there is no history)."""
    phi = rules.trend_damping
    if type(quarters) is int:  # one horizon for all (most calls): its steps kept by the number itself
        steps = _scalar_steps(phi, quarters)
    else:
        h = np.asarray(quarters, dtype=np.float64)
        steps = h if phi >= 1.0 else _damped_steps(phi, h.shape, h.tobytes())
    return np.where(level > 0, np.exp(level + trend * steps), 0.0)


def top_down(level: np.ndarray, trend: np.ndarray, part_levels: np.ndarray, quarters: np.ndarray | int,
             rules: Forecasting) -> np.ndarray:
    """(whole, part) forecast `quarters` ahead of each whole (a foundry's AI wafer demand) split over its parts
    (nodes) by each part's smoothed share of it: top-down hierarchical forecasting (Hyndman & Athanasopoulos,
    *Forecasting: Principles and Practice*, 3rd ed., §11.2). Demand moving from one part to another (designs
    moving to the next node) then shifts the forecast between parts without adding to it; a trend per part
    reads the move as growth (a log trend of +0.7 a quarter on TSMC's N3 in baseline 2026) and builds for it."""
    return split(ahead(level[:, None], trend[:, None], quarters, rules), part_levels)


def split(whole_ahead: np.ndarray, part_levels: np.ndarray) -> np.ndarray:
    """`top_down` of a whole already forecast (`whole_ahead`, (whole, part): the whole's forecast at each part's
    horizon): each part gets its smoothed share of it."""
    seen = np.where(part_levels > 0, np.exp(part_levels), 0.0)
    share = seen / np.maximum(np.add.reduce(seen, axis=1, keepdims=True), 1e-12)
    return whole_ahead * share


def industry_ahead(static: Any, s: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The forecasts foundries and memory makers build capacity against, in one pass over all of them: (foundry,
    node) each foundry's whole AI wafer demand `build_quarters` of each node ahead (for `split`), (foundry,) HBM
    demand `hbm_build_quarters` ahead and (pool,) packaging demand `packaging_build_quarters` ahead. Each number
    is `ahead`'s (the same steps, every operation elementwise), for three calls' work in one."""
    gather, steps, (shape, hbm, packaging, size) = _industry_plan(static, s)
    # the levels and trends laid end to end, each forecast's level and trend gathered from them in one take
    both = np.concatenate((s.ai_wafer_demand_level, s.hbm_demand_level, s.packaging_demand_level, s.ai_wafer_demand_trend,
                           s.hbm_demand_trend, s.packaging_demand_trend), axis=None).take(gather)
    level, trend = both[:size], both[size:]
    found = np.where(level > 0, np.exp(level + trend * steps), 0.0)
    return found[:hbm].reshape(shape), found[hbm:packaging], found[packaging:]


def _industry_plan(static: Any, s: Any) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], int, int, int]]:
    """For `industry_ahead`, once a game (read-only): where each forecast's level and then each one's trend lie in
    the markets' levels and trends laid end to end, the forecasts' steps (`ahead`'s own: the same horizons give
    the same numbers), and the AI wafer part's shape, where the HBM and the packaging parts start and the forecasts' count."""
    plan = static.cache.get("industry_ahead")
    if plan is None:
        industry = static.ruleset.industry
        phi = industry.forecast.trend_damping
        nodes = static.build_quarters[None, :].astype(np.float64)  # (1, node), as `top_down` is given them
        wholes = len(s.ai_wafer_demand_level)
        wafer_steps = nodes if phi >= 1.0 else _damped_steps(phi, nodes.shape, nodes.tobytes())
        wafers, wafer_steps = np.broadcast_arrays(np.arange(wholes)[:, None], wafer_steps)  # each whole at each horizon
        makers, pools = len(s.hbm_demand_level), len(s.packaging_demand_level)
        places = np.concatenate((wafers.ravel(), wholes + np.arange(makers + pools)))
        steps = np.concatenate((wafer_steps.ravel(), np.broadcast_to(_scalar_steps(phi, industry.hbm_build_quarters), makers),
                                np.broadcast_to(_scalar_steps(phi, industry.packaging_build_quarters), pools)))
        gather = np.concatenate((places, places + wholes + makers + pools))  # the levels, then the trends
        plan = static.cache["industry_ahead"] = (gather, steps, (wafers.shape, wafers.size, wafers.size + makers, len(places)))
        for array in (gather, steps):
            array.flags.writeable = False
    return plan


@lru_cache(maxsize=64)
def _scalar_steps(phi: float, quarters: int) -> np.ndarray:
    """`ahead`'s steps for a whole number of quarters, worked out as for an array of them (the same numbers)."""
    h = np.asarray(quarters, dtype=np.float64)
    h.flags.writeable = False
    return h if phi >= 1.0 else _damped_steps(phi, h.shape, h.tobytes())


@lru_cache(maxsize=64)
def _damped_steps(phi: float, shape: tuple[int, ...], quarters: bytes) -> np.ndarray:
    """The damped trend's total over `quarters` quarters: the same few horizons (build times, planning
    quarters) every quarter, so kept (read-only)."""
    # worked out on a 1-d array even for one horizon: where the processor has AVX-512, numpy powers a 0-d
    # array by another loop than any array (0.8 ** 2: 0.6400000000000001 against 0.64), so the one horizon
    # and an array of it would differ in the last bit
    flat = np.frombuffer(quarters, dtype=np.float64)
    steps = (phi * (1.0 - phi ** flat) / (1.0 - phi)).reshape(shape)
    steps.flags.writeable = False
    return steps
