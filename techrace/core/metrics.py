"""Per-nation metrics: the columns of `techrace run --out` and what conditions and victory read."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from techrace.core.mechanisms.economy import kept_gdp_index
from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.errors import NonFiniteError

COLUMNS = (
    "seed", "turn", "quarter", "nation", "ai_compute_h100e", "largest_training_run_flop", "capability",
    "best_node_nm", "advanced_wafer_starts", "accelerators_produced", "hbm_stacks_produced", "engineers",
    "gdp_index", "best_capability", "algorithmic_efficiency", "lab_capex_usd_b", "ai_revenue_usd_b",
    "datacenter_power_gw", "domestic_accelerator_share",
)
ROUNDING = {  # decimals written per column
    "ai_compute_h100e": 1, "capability": 3, "advanced_wafer_starts": 1, "accelerators_produced": 1,
    "hbm_stacks_produced": 1, "engineers": 1, "gdp_index": 3, "best_capability": 3, "algorithmic_efficiency": 4,
    "lab_capex_usd_b": 3, "ai_revenue_usd_b": 3, "datacenter_power_gw": 3, "domestic_accelerator_share": 4,
}
_BY_PLACES: dict[int, list[str]] = {}
for _name, _places in ROUNDING.items():
    _BY_PLACES.setdefault(_places, []).append(_name)
_ROUNDED = [name for names in _BY_PLACES.values() for name in names]  # the rounded columns, grouped by decimals
VOLUME_WPM = 1000.0  # "in volume": at least this many usable wafer starts per month
ADVANCED_NM = 7.0
FINITE_WHEN_ROUNDED = 1e300  # below this size a number rounded to at most 4 decimals stays finite (a float bound, not behaviour)


def nation_metrics(static: Static, s: WorldState) -> dict[str, np.ndarray]:
    n = len(static.nations)
    compute = static.lab_to_nation @ s.compute
    usable_by_nation = static.site_to_nation @ s.usable
    in_volume = usable_by_nation >= VOLUME_WPM
    # the smallest node in volume (inf: none), the ufuncs' reduce over the nodes picked (`.min`, `.sum` unwrapped)
    best = np.minimum.reduce(_node_rows(static), axis=1, where=in_volume, initial=np.inf)
    advanced = np.add.reduce(usable_by_nation.take(_advanced_nodes(static), axis=1), axis=1)
    accelerators = np.bincount(static.chip_firm_nation[s.sku_firm.astype(np.int64)], weights=s.accel_quarter, minlength=n)
    hbm = static.foundry_to_nation @ s.hbm_produced
    engineers = np.add.reduce(s.pool, axis=1) + static.employer_to_nation @ np.add.reduce(s.eng, axis=1)
    algo = np.zeros(n)
    np.maximum.at(algo, static.lab_nation, 10.0 ** s.algo_log10)
    return {
        "ai_compute_h100e": compute, "largest_training_run_flop": s.largest_run.copy(),
        "capability": s.capability.copy(), "best_node_nm": best, "advanced_wafer_starts": advanced,
        "accelerators_produced": accelerators, "hbm_stacks_produced": hbm, "engineers": engineers,
        "gdp_index": kept_gdp_index(static, s).copy(), "best_capability": s.best_capability.copy(), "algorithmic_efficiency": algo,
        "lab_capex_usd_b": static.lab_to_nation @ s.capital, "ai_revenue_usd_b": static.lab_to_nation @ s.ai_revenue,
        "datacenter_power_gw": s.power_gw.copy(), "domestic_accelerator_share": s.domestic_share.copy(),
    }


def _node_rows(static: Static) -> np.ndarray:
    """(nation, node) each node's nm in every nation's row (read-only, once a game): what the nodes in volume
    are picked from, with no (nation, node) table of inf filled in each turn."""
    rows = static.cache.get("node_nm_rows")
    if rows is None:
        rows = static.cache["node_nm_rows"] = np.tile(static.node_nm, (len(static.nations), 1))
        rows.flags.writeable = False
    return rows


def _advanced_nodes(static: Static) -> np.ndarray:
    """Indices of the nodes at or below ADVANCED_NM (read-only, once a game): the columns a mask would pick."""
    nodes = static.cache.get("advanced_nodes")
    if nodes is None:
        nodes = static.cache["advanced_nodes"] = (static.node_nm <= ADVANCED_NM).nonzero()[0]
        nodes.flags.writeable = False
    return nodes


def metric_rows(static: Static, s: WorldState, seed: int, quarter: str,
                values: dict[str, np.ndarray] | None = None) -> list[dict[str, Any]]:
    return TurnRows(static, s, seed, quarter, values if values is not None else nation_metrics(static, s)).rows()


class TurnRows:
    """One turn's metric rows: checked for non-finite numbers when the turn is played (a game stops on the
    turn that broke), rounded and written out as dicts only when first read (`Game.run` alone never does)."""

    def __init__(self, static: Static, s: WorldState, seed: int, quarter: str, values: dict[str, np.ndarray]):
        self.nations, self.seed, self.turn, self.quarter = static.nations, seed, s.turn, quarter
        # the rounded columns, grouped by decimals, then the training runs: one copy of this turn's numbers
        self.table = np.array([values[name] for name in _ROUNDED] + [values["largest_training_run_flop"]])
        self.best = np.array(values["best_node_nm"])
        self._rows: list[dict[str, Any]] | None = None
        # every number far enough below the largest float rounds to a finite one (x 10^decimals, then back);
        # anything else is looked at row by row, as written
        largest = np.maximum.reduce(np.abs(self.table), axis=None, initial=0.0)  # `.max`, unwrapped
        if not (largest < FINITE_WHEN_ROUNDED and not np.count_nonzero(np.isnan(self.best))):
            check_finite_rows(self.rows())  # names the first non-finite number by turn, nation and field

    def rows(self) -> list[dict[str, Any]]:
        if self._rows is None:
            rounded: dict[str, list[Any]] = {}
            start = 0
            for places, names in _BY_PLACES.items():  # one rounding call per number of decimals (elementwise)
                block = self.table[start:start + len(names)]
                rounded.update(zip(names, block.round(places, out=block).tolist(), strict=True))
                start += len(names)
            rounded["largest_training_run_flop"] = [float(f"{x:.6e}") for x in self.table[start].tolist()]
            rounded["best_node_nm"] = [None if math.isinf(x) else x for x in self.best.tolist()]
            columns = [rounded[name] for name in COLUMNS[4:]]
            self._rows = []
            for i, code in enumerate(self.nations):
                row: dict[str, Any] = {"seed": self.seed, "turn": self.turn, "quarter": self.quarter, "nation": code}
                row.update(zip(COLUMNS[4:], [column[i] for column in columns], strict=True))
                self._rows.append(row)
        return self._rows


def check_finite_rows(rows: list[dict[str, Any]]) -> None:
    """A game whose numbers went non-finite stops with the turn, nation and field, never writes NaN."""
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise NonFiniteError(f"turn {row['turn']} ({row['quarter']}): {key} of {row['nation']} is {value}, "
                                     "not a finite number (check the ruleset's extreme values)")
