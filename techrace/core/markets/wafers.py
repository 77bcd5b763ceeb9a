"""The wafer market: AI accelerator wafer orders against the AI share of each node's capacity.

Chip firms order from their foundries in preference order; a foundry only serves a design whose node
it has mastered and that licences allow (the foundry rule, entity lists). Good dies follow from the
foundry's defect density (with the multi-patterning penalty) and the die area. Non-AI capacity is
sold to other customers; the trailing-node supply that exports can reach is compared with world
demand to measure shortages.
"""

from __future__ import annotations

import numpy as np

from techrace.core.mechanisms.controls import Licences
from techrace.core.mechanisms.fabrication import die_yield, dies_per_wafer, effective_d0
from techrace.core.state import WorldState
from techrace.core.static import Static

MONTHS = 3.0
NON_AI_UTILISATION = 0.85
PREFERENCE_DEPTH = 3


def foundry_ai_capacity(static: Static, s: WorldState, ai_share: np.ndarray, halted_sites: np.ndarray) -> np.ndarray:
    """AI-open wafers per quarter per (foundry, node), excluding sites whose exports are halted."""
    return static.site_to_foundry @ (s.usable * MONTHS * ai_share[None, :] * (~halted_sites)[:, None])


def good_dies_per_wafer(static: Static, s: WorldState, d0: np.ndarray, foundry: np.ndarray, skus: np.ndarray) -> np.ndarray:
    node = s.sku_node[skus].astype(np.int64)
    area = s.sku_area[skus]
    gross = dies_per_wafer(area, static.ruleset.technology.wafer_diameter_mm)
    return gross * die_yield(area, d0[foundry, node], static.ruleset.technology.yield_model)


def wafer_market(static: Static, s: WorldState, lic: Licences, planned_dies: np.ndarray, ai_share: np.ndarray,
                 halted_sites: np.ndarray) -> np.ndarray:
    """Allocate AI wafers; adds good dies to die stock and returns wafers bought per SKU."""
    cap_left = foundry_ai_capacity(static, s, ai_share, halted_sites)
    d0 = effective_d0(static, s)
    nk = static.sku_capacity
    remaining = planned_dies.copy()
    wafers_bought = np.zeros(nk)
    blocked_dies = np.zeros(nk)
    s.wafer_unmet[:] = 0.0
    prefs = _preferences(static, s)
    for rank in range(PREFERENCE_DEPTH):
        f = prefs[:, rank]
        live = np.flatnonzero((f >= 0) & (remaining > 0))
        if len(live) == 0:
            break
        fl = f[live]
        node = s.sku_node[live].astype(np.int64)
        mastered = s.mastered[fl, node] > 0
        allowed = lic.wafer_allowed[fl, live] * mastered
        if rank == 0:
            blocked_dies[live] = remaining[live] * (1.0 - lic.wafer_allowed[fl, live])
        gdw = good_dies_per_wafer(static, s, d0, fl, live)
        want = np.where(gdw > 0, remaining[live] * allowed / np.maximum(gdw, 1e-9), 0.0)
        demand = np.zeros_like(cap_left)
        np.add.at(demand, (fl, node), want)
        fill = np.where(demand > 0, np.minimum(1.0, cap_left / np.maximum(demand, 1e-12)), 0.0)
        got = want * fill[fl, node]
        np.add.at(cap_left, (fl, node), -got)
        np.add.at(s.wafer_unmet, (fl, node), want - got)
        wafers_bought[live] += got
        dies = got * gdw
        s.die_stock[live] += dies
        s.dies_made[live] += dies
        remaining[live] = np.maximum(remaining[live] - dies, 0.0)
        np.add.at(s.wafers_sold, (fl, node), got)
        price = static.wafer_price[node] * np.where(static.is_china_bloc[static.foundry_nation[fl]] > 0, 1.45, 1.0)
        np.add.at(s.revenue, fl, got * price / 1e9)
    s.wafers_bought += wafers_bought
    _record_wafer_cutoff(static, s, blocked_dies, planned_dies)
    return wafers_bought


def _preferences(static: Static, s: WorldState) -> np.ndarray:
    prefs = np.full((static.sku_capacity, PREFERENCE_DEPTH), -1, dtype=np.int64)
    for k in range(len(s.sku_names)):
        firm = static.chip_firms[int(s.sku_firm[k])]
        order = [static.foundries.index(f) for f in static.ruleset.chip_firms[firm].foundries if f in static.foundries]
        for rank, fi in enumerate(order[:PREFERENCE_DEPTH]):
            prefs[k, rank] = fi
    return prefs


def _record_wafer_cutoff(static: Static, s: WorldState, blocked: np.ndarray, planned: np.ndarray) -> None:
    from techrace.core.state import CUTOFF_KINDS

    n = len(static.nations)
    nation = static.chip_firm_nation[s.sku_firm.astype(np.int64)]
    b = np.bincount(nation, weights=blocked, minlength=n)
    p = np.bincount(nation, weights=planned, minlength=n)
    column = CUTOFF_KINDS.index("wafers")
    s.cutoff[:, column] = np.where(p > 0, b / np.maximum(p, 1e-12), s.cutoff[:, column] * 0.8)


def other_customers(static: Static, s: WorldState, ai_share: np.ndarray, halted_sites: np.ndarray) -> float:
    """Sell non-AI capacity to other customers; returns the world trailing-node shortfall share."""
    non_ai = s.usable * MONTHS * (1.0 - ai_share[None, :]) * NON_AI_UTILISATION
    price = static.wafer_price[None, :] * np.where(static.is_china_bloc[static.site_nation] > 0, 1.1, 1.0)[:, None]
    revenue = (non_ai * price).sum(axis=1) / 1e9
    s.revenue += static.site_to_foundry @ revenue
    demand = static.ruleset.market.trailing_demand_wpm
    wanted = supplied = 0.0
    for node, wpm in demand.items():
        if node in static.nodes:
            m = static.nodes.index(node)
            wanted += wpm
            supplied += float((s.usable[:, m] * (~halted_sites)).sum())
    shortfall = max(0.0, 1.0 - supplied / wanted) if wanted > 0 else 0.0
    s.trailing_shortfall[0] = shortfall
    return shortfall
