"""Saved states from earlier builds of the core: fields added since a save was written are worked out from
the fields it has, so a game saved before them still loads and plays on (under today's model)."""

from __future__ import annotations

from typing import Any

import numpy as np

# fields a save made before they existed gets from `with_added_fields` (so they are not damage when a save restores)
ADDED_ON_LOAD = frozenset({"ai_wafer_demand", "ai_wafer_demand_level", "ai_wafer_demand_trend", "site_grant"})


def with_added_fields(arrays: dict[str, Any]) -> dict[str, Any]:
    """A saved state's arrays with the fields added since it was written worked out from the ones it has, so
    a game saved before a field existed still loads. Arrays that cannot be read are left as they are, for the
    snapshot's own checks to name."""
    return _with_site_grants(_with_ai_wafer_forecast(arrays))


def _with_site_grants(arrays: dict[str, Any]) -> dict[str, Any]:
    """Fab grants (2 December 2026): a game saved before the lever existed had none, so every site owes 0
    (one per site: the rows of `offline`)."""
    if "site_grant" in arrays or not isinstance(arrays.get("offline"), list):
        return arrays
    return {**arrays, "site_grant": [0.0] * len(arrays["offline"])}


def _with_ai_wafer_forecast(arrays: dict[str, Any]) -> dict[str, Any]:
    """The foundries' whole AI wafer forecast (1 December 2026): the per-node demand summed, the per-node smoothed
    levels added up and their trends weighted by them."""
    if "ai_wafer_demand_level" in arrays or "wafer_demand_level" not in arrays:
        return arrays
    try:
        level = np.asarray(arrays["wafer_demand_level"], dtype=np.float64)
        trend = np.asarray(arrays["wafer_demand_trend"], dtype=np.float64)
        demand = np.asarray(arrays["wafer_demand"], dtype=np.float64)
        if level.ndim != 2 or trend.shape != level.shape or demand.shape != level.shape:
            return arrays
    except (KeyError, TypeError, ValueError, OverflowError):
        return arrays
    seen = np.where(level > 0, np.exp(np.minimum(level, 700.0)), 0.0)
    whole = seen.sum(axis=1)
    trend = (seen * trend).sum(axis=1) / np.maximum(whole, 1e-12)
    return {**arrays, "ai_wafer_demand": demand.sum(axis=1).tolist(),
            "ai_wafer_demand_level": np.where(whole > 0, np.log(np.maximum(whole, 1.0)), 0.0).tolist(),
            "ai_wafer_demand_trend": np.where(whole > 0, trend, 0.0).tolist()}
