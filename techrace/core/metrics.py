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
    compute = np.zeros(n)
    np.add.at(compute, static.lab_nation, s.compute)
    usable_by_nation = np.zeros((n, len(static.nodes)))
    np.add.at(usable_by_nation, static.site_nation, s.usable)
    in_volume = usable_by_nation >= VOLUME_WPM
    best = np.where(in_volume, static.node_nm[None, :], np.inf).min(axis=1)
    advanced = usable_by_nation[:, static.node_nm <= ADVANCED_NM].sum(axis=1)
    accelerators = np.zeros(n)
    np.add.at(accelerators, static.chip_firm_nation[s.sku_firm.astype(np.int64)], s.accel_quarter)
    hbm = np.zeros(n)
    np.add.at(hbm, static.foundry_nation, s.hbm_produced)
    engineers = s.pool.sum(axis=1).copy()
    np.add.at(engineers, static.employer_nation, s.eng.sum(axis=1))
    return {
        "ai_compute_h100e": compute, "largest_training_run_flop": s.largest_run.copy(),
        "capability": s.capability.copy(), "best_node_nm": best, "advanced_wafer_starts": advanced,
        "accelerators_produced": accelerators, "hbm_stacks_produced": hbm, "engineers": engineers,
        "gdp_index": gdp_index(s),
    }


def metric_rows(static: Static, s: WorldState, seed: int, quarter: str) -> list[dict[str, Any]]:
    values = nation_metrics(static, s)
    rows = []
    for i, code in enumerate(static.nations):
        best = float(values["best_node_nm"][i])
        rows.append({
            "seed": seed, "turn": s.turn, "quarter": quarter, "nation": code,
            "ai_compute_h100e": round(float(values["ai_compute_h100e"][i]), 1),
            "largest_training_run_flop": float(f"{values['largest_training_run_flop'][i]:.6e}"),
            "capability": round(float(values["capability"][i]), 3),
            "best_node_nm": None if math.isinf(best) else best,
            "advanced_wafer_starts": round(float(values["advanced_wafer_starts"][i]), 1),
            "accelerators_produced": round(float(values["accelerators_produced"][i]), 1),
            "hbm_stacks_produced": round(float(values["hbm_stacks_produced"][i]), 1),
            "engineers": round(float(values["engineers"][i]), 1),
            "gdp_index": round(float(values["gdp_index"][i]), 3),
        })
    return rows
