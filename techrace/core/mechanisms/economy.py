"""National economies: real GDP around a trend, hit by shocks and chip shortages; budgets from GDP.

GDP index = trend x (1 + gap). Shocks add to the gap over the quarters they are spread over; a
trailing-node shortfall costs each nation its `chip_dependence` share of a quarter's output; the gap
closes by `economy.gap_recovery_per_quarter` each quarter as the economy adapts.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static


def update_gdp(static: Static, s: WorldState, shortfall: float) -> None:
    rules, params = static.ruleset.economy, static.nation_params
    s.gdp_trend *= _growth_factor(static)
    queue = s.gdp_shock_queue
    gap = s.gdp_gap * rules.gap_recovery_per_quarter  # a new array, worked on in place: the numbers of
    gap += queue[:, 0]                                # `max(gap x recovery + shock - dependence x shortfall x impact, floor)`
    if shortfall:  # most quarters have none: the shares times a shortfall of 0.0 are 0.0, which takes nothing off
        gap -= params.chip_dependence * shortfall * rules.shortfall_impact
    s.gdp_gap = np.maximum(gap, rules.gap_floor, out=gap)
    if queue.flags.c_contiguous:  # each nation's shocks a quarter on as one flat run (no temporary; a row's first
        flat = queue.reshape(-1)  # shock moves into the last slot of the row before, emptied after)
        flat[:-1] = flat[1:]
    else:
        queue[:, :-1] = queue[:, 1:]
    queue[:, -1] = 0.0


def _growth_factor(static: Static) -> np.ndarray:
    """1 + each nation's trend growth per quarter (read-only, once a game: the ruleset's numbers)."""
    factor = static.cache.get("gdp_growth_factor")
    if factor is None:
        factor = static.cache["gdp_growth_factor"] = 1.0 + static.nation_params.gdp_growth
        factor.flags.writeable = False
    return factor


def gdp_index(s: WorldState) -> np.ndarray:
    return s.gdp_trend * (1.0 + s.gdp_gap)


def kept_gdp_index(static: Static, s: WorldState) -> np.ndarray:
    """`gdp_index(s)`, read-only, kept with the gap and trend arrays it came from: the budgets, the metrics and the
    next quarter's AI markets read the same GDP (one computation a quarter instead of three). Only `update_gdp`
    writes the two, and it gives the gap a new array whenever it moves the trend in place; a restore sets new arrays."""
    seen = static.cache.get("gdp_index_seen")
    if seen is None:  # one slot, replaced in place (a store per quarter in the bounded cache would cost more than the index)
        seen = static.cache["gdp_index_seen"] = [None]
    last = seen[0]
    if last is None or last[0] is not s.gdp_gap or last[1] is not s.gdp_trend:
        index = gdp_index(s)
        index.flags.writeable = False
        last = seen[0] = (s.gdp_gap, s.gdp_trend, index)
    return last[2]


def update_budgets(static: Static, s: WorldState) -> None:
    s.budget = static.nation_params.base_budget * kept_gdp_index(static, s) / 100.0 + s.licence_income
    s.licence_income[:] = 0.0


def schedule_gdp_hit(s: WorldState, nation: int, total: float, quarters: int) -> None:
    quarters = max(1, min(quarters, s.gdp_shock_queue.shape[1]))
    s.gdp_shock_queue[nation, :quarters] += total / quarters
