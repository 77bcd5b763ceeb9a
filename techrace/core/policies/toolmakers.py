"""Toolmakers: lines that grow towards forecast orders (faster with subsidies) and development of new lines."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms import forecast
from techrace.core.policies.segments import as_rows
from techrace.ruleset.schema import TOOL_KINDS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel
    from techrace.core.static import Static


def toolmaker_default(model: WorldModel, idx: np.ndarray, params: None = None) -> list[Event]:
    static, s = model.static, model.state
    industry = static.ruleset.industry
    subsidy = s.toolmaker_subsidy[idx]
    rows = _rows(static, idx)
    # (toolmaker, kind) rows read through a slice: views, the numbers of `[idx]` without copying them
    orders = forecast.ahead(s.tool_demand_level[rows], s.tool_demand_trend[rows], industry.toolmaker_planning_quarters,
                            industry.forecast)
    capacity = s.tool_capacity[rows]  # (written below only once the new lines are worked out from it)
    pressure = np.minimum(np.maximum(orders / np.maximum(capacity, 1e-9) - 1.0, 0.0), 1.0)  # np.clip's numbers
    growth = (industry.toolmaker_growth_base + industry.toolmaker_growth_busy * pressure
              + industry.toolmaker_growth_per_subsidy * np.minimum(subsidy, industry.toolmaker_subsidy_cap_usd_b)[:, None])
    s.tool_capacity[rows] = capacity * (1.0 + np.where(capacity > 0, growth, 0.0))  # as `*=` on the rows
    events = _develop(model, idx, subsidy)
    s.toolmaker_subsidy[idx] = 0.0
    return events


def _rows(static: Static, idx: np.ndarray) -> np.ndarray | slice:
    """`as_rows(idx)`, once a game (a policy's toolmakers never change)."""
    key = ("toolmaker_rows", idx.tobytes())
    rows = static.cache.get(key)
    if rows is None:
        rows = static.cache[key] = as_rows(idx)
    return rows


def _develop(model: WorldModel, idx: np.ndarray, subsidy: np.ndarray) -> list[Event]:
    """Fund development programmes; a finished one opens a production line."""
    static, s = model.static, model.state
    industry = static.ruleset.industry
    events: list[Event] = []
    rows, kinds = (s.tool_dev[_rows(static, idx)] >= 0).nonzero()  # np.nonzero, without its Python wrapper
    if not len(rows):
        return events
    # a few programmes a quarter: plain floats (the same IEEE operations as on numpy scalars; sqrt is exact
    # in both), each maker's research speed `min(sqrt(max(talent, 0.05)), cap)` worked out for its programmes only
    funds, luck, makers = subsidy.tolist(), model.luck["tool_dev"], idx.tolist()
    talent, first, cap = model.talent, len(static.foundries), industry.rd_speed_cap
    for row, k in zip(rows.tolist(), kinds.tolist(), strict=True):
        ti = makers[row]
        spec = static.ruleset.toolmakers[static.toolmakers[ti]]
        kind = TOOL_KINDS[k]
        if kind not in spec.developing:
            continue
        dev = spec.developing[kind]
        funding = industry.tool_dev_base_funding_usd_b + industry.tool_dev_subsidy_share * funds[row]
        speed = _speed(float(talent[first + ti]), cap)
        progress = min(1.0, funding / (dev.rd_cost_usd_b / dev.rd_quarters)) * speed * float(luck[ti, k]) / dev.rd_quarters
        s.tool_dev[ti, k] = float(s.tool_dev[ti, k]) + progress
        if s.tool_dev[ti, k] >= 1.0:
            s.tool_dev[ti, k] = -1.0
            s.tool_capacity[ti, k] = max(s.tool_capacity[ti, k], dev.units_per_quarter)
            s.tool_price[ti, k] = dev.price_usd_m
            s.tool_lead[ti, k] = dev.lead_quarters
            events.append(Event(s.turn, model.quarter, "technology",
                                f"{spec.name} starts producing {kind.replace('_', ' ')} tools ({dev.units_per_quarter:g} per quarter)",
                                "its development programme finished", (static.toolmakers[ti],)))
    return events


def _speed(talent: float, cap: float) -> float:
    """`np.minimum(np.sqrt(np.maximum(talent, 0.05)), cap)` of one maker in plain floats: the same number
    (NaN kept, as numpy keeps it: `max` and `min` return their first argument unless the other is larger/smaller)."""
    root = math.sqrt(max(talent, 0.05))
    return min(root, cap)
