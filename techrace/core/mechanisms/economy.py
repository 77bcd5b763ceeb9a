"""National economies: real GDP around a trend, hit by shocks and chip shortages; budgets from GDP.

GDP index = trend x (1 + gap). Shocks add to the gap over the quarters they are spread over; a
trailing-node shortfall costs each nation its `chip_dependence` share of a quarter's output; the gap
closes by a tenth each quarter as the economy adapts.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static

GAP_RECOVERY = 0.9


def update_gdp(static: Static, s: WorldState, shortfall: float) -> None:
    rs = static.ruleset
    growth = np.array([rs.nations[c].gdp_growth_per_quarter for c in static.nations])
    dependence = np.array([rs.nations[c].chip_dependence for c in static.nations])
    s.gdp_trend *= 1.0 + growth
    s.gdp_gap = s.gdp_gap * GAP_RECOVERY + s.gdp_shock_queue[:, 0] - dependence * shortfall * 0.25
    s.gdp_shock_queue[:, :-1] = s.gdp_shock_queue[:, 1:]
    s.gdp_shock_queue[:, -1] = 0.0
    s.gdp_gap = np.maximum(s.gdp_gap, -0.95)


def gdp_index(s: WorldState) -> np.ndarray:
    return s.gdp_trend * (1.0 + s.gdp_gap)


def update_budgets(static: Static, s: WorldState) -> None:
    rs = static.ruleset
    base = np.array([rs.nations[c].industrial_budget_usd_b for c in static.nations])
    s.budget = base * gdp_index(s) / 100.0 + s.licence_income
    s.licence_income[:] = 0.0


def schedule_gdp_hit(s: WorldState, nation: int, total: float, quarters: int) -> None:
    quarters = max(1, min(quarters, s.gdp_shock_queue.shape[1]))
    s.gdp_shock_queue[nation, :quarters] += total / quarters
