"""Per-nation metrics: the columns of `techrace run --out` and what conditions and victory read."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from techrace.core.mechanisms.economy import gdp_index
from techrace.core.state import WorldState
from techrace.core.static import Static

COLUMNS = (
    "seed", "turn", "quarter", "nation", "ai_compute_h100e", "largest_training_run_flop", "capability",
    "best_node_nm", "advanced_wafer_starts", "accelerators_produced", "hbm_stacks_produced", "engineers",
    "gdp_index",
)
VOLUME_WPM = 1000.0  # "in volume": at least this many usable wafer starts per month
ADVANCED_NM = 7.0


def nation_metrics(static: Static, s: WorldState) -> dict[str, np.ndarray]:
    n = len(static.nations)
    compute = static.lab_to_nation @ s.compute
    usable_by_nation = static.site_to_nation @ s.usable
    in_volume = usable_by_nation >= VOLUME_WPM
    best = np.where(in_volume, static.node_nm[None, :], np.inf).min(axis=1)
    advanced = usable_by_nation[:, static.node_nm <= ADVANCED_NM].sum(axis=1)
    accelerators = np.bincount(static.chip_firm_nation[s.sku_firm.astype(np.int64)], weights=s.accel_quarter, minlength=n)
    hbm = static.foundry_to_nation @ s.hbm_produced
    engineers = s.pool.sum(axis=1) + static.employer_to_nation @ s.eng.sum(axis=1)
    return {
        "ai_compute_h100e": compute, "largest_training_run_flop": s.largest_run.copy(),
        "capability": s.capability.copy(), "best_node_nm": best, "advanced_wafer_starts": advanced,
        "accelerators_produced": accelerators, "hbm_stacks_produced": hbm, "engineers": engineers,
        "gdp_index": gdp_index(s),
    }


def metric_rows(static: Static, s: WorldState, seed: int, quarter: str,
                values: dict[str, np.ndarray] | None = None) -> list[dict[str, Any]]:
    values = values if values is not None else nation_metrics(static, s)
    rounded = {
        "ai_compute_h100e": np.round(values["ai_compute_h100e"], 1).tolist(),
        "capability": np.round(values["capability"], 3).tolist(),
        "advanced_wafer_starts": np.round(values["advanced_wafer_starts"], 1).tolist(),
        "accelerators_produced": np.round(values["accelerators_produced"], 1).tolist(),
        "hbm_stacks_produced": np.round(values["hbm_stacks_produced"], 1).tolist(),
        "engineers": np.round(values["engineers"], 1).tolist(),
        "gdp_index": np.round(values["gdp_index"], 3).tolist(),
    }
    runs = [float(f"{x:.6e}") for x in values["largest_training_run_flop"].tolist()]
    best = [None if math.isinf(x) else x for x in values["best_node_nm"].tolist()]
    rows = []
    for i, code in enumerate(static.nations):
        rows.append({
            "seed": seed, "turn": s.turn, "quarter": quarter, "nation": code,
            "ai_compute_h100e": rounded["ai_compute_h100e"][i], "largest_training_run_flop": runs[i],
            "capability": rounded["capability"][i], "best_node_nm": best[i],
            "advanced_wafer_starts": rounded["advanced_wafer_starts"][i],
            "accelerators_produced": rounded["accelerators_produced"][i],
            "hbm_stacks_produced": rounded["hbm_stacks_produced"][i], "engineers": rounded["engineers"][i],
            "gdp_index": rounded["gdp_index"][i],
        })
    return rows
