"""AI labs: power-limited clusters, accelerator retirement, training runs and capability.

A lab's usable compute is what its nation's AI power can run; its largest training run is bounded
by its largest single site, unless the nation pools compute (centralisation), and by how long a run
is worth training (runs lengthen until a later run on better chips and algorithms would overtake them). Capability is a log
scale of effective training compute: the run's FLOP times the lab's own algorithmic efficiency
(mechanisms/research.py). 100 = 1e26 effective FLOP, +25 per factor of 10. Capability is what a
nation's labs can train *now*: a nation that loses compute or stops investing falls; the record is
kept separately (`best_capability`) for victory conditions that want it.
"""

from __future__ import annotations

import math

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static

# The capability scale (a unit, not behaviour): 100 at 1e26 effective FLOP, 25 points per factor of 10.
SECONDS_PER_QUARTER = 7.884e6
CAPABILITY_BASE_LOG10 = 22.0
CAPABILITY_PER_DECADE = 25.0


def retire_accelerators(static: Static, s: WorldState) -> None:
    life = float(static.ruleset.technology.accelerator_life_quarters)
    retired = s.compute / life
    s.compute -= retired
    s.lab_power -= s.lab_power / life
    s.retired_compute += retired


def power_allocation(static: Static, s: WorldState) -> np.ndarray:
    """GW each lab can draw: its nation's AI power shared by the labs' needs."""
    need = static.lab_to_nation @ s.lab_power
    # where(need > 0, minimum(1, power / maximum(need, 1e-12)), 1) for a few nations in plain Python floats
    # (np.minimum's and np.maximum's choices, NaN kept; the same operations)
    ratio = []
    for power, wanted in zip(s.power_gw.tolist(), need.tolist(), strict=True):
        share = power / (1e-12 if 1e-12 > wanted else wanted) if wanted > 0 else 1.0
        ratio.append(1.0 if 1.0 <= share else share)
    return s.lab_power * np.array(ratio, dtype=np.float64)[static.lab_nation]


def power_room(static: Static, s: WorldState) -> np.ndarray:
    """GW each lab may add this quarter: its capital share of its nation's spare and coming power."""
    used = static.lab_to_nation @ s.lab_power
    ahead = static.ruleset.market.power_planning_quarters
    spare = np.maximum(s.power_gw + ahead * s.power_buildout - used, 0.0)
    capital = (static.lab_to_nation @ s.capital)[static.lab_nation]  # each lab's nation's capital
    share = np.where(capital > 0, s.capital / np.maximum(capital, 1e-12), 0.0)
    return spare[static.lab_nation] * share


def run_length_factor(static: Static, turn: int) -> float:
    """How many times longer than at the start a frontier run trains in the quarter of `turn` (1 before
    the first turn and in the start quarter). Runs lengthen by `run_length_growth_per_year` until
    `run_length_max_months`, past which a run is overtaken by a later one on better chips and
    algorithms (Epoch AI 2025; docs/architecture.md "Training runs")."""
    tech = static.ruleset.technology
    years = max(turn - 1, 0) / 4.0
    months = min(tech.run_length_start_months * tech.run_length_growth_per_year ** years, tech.run_length_max_months)
    return months / tech.run_length_start_months


def run_flop(static: Static, h100e: np.ndarray, length: float = 1.0) -> np.ndarray:
    """FLOP of a run on `h100e` of one site, `length` times as long as a run at the start."""
    tech = static.ruleset.technology
    return h100e * tech.training_share * length * tech.h100_dense_flops * tech.model_flops_utilisation * SECONDS_PER_QUARTER


def capability_score(effective_flop: np.ndarray) -> np.ndarray:
    """The capability scale of effective FLOP (0 for none)."""
    return np.where(effective_flop > 1.0,
                    np.maximum(CAPABILITY_PER_DECADE * (np.log10(np.maximum(effective_flop, 1.0)) - CAPABILITY_BASE_LOG10), 0.0),
                    0.0)


def usable_compute(static: Static, s: WorldState) -> None:
    """Compute the labs' power lets them run this quarter."""
    allocated = power_allocation(static, s)
    powered = np.where(s.lab_power > 0, np.minimum(1.0, allocated / np.maximum(s.lab_power, 1e-12)), 1.0)
    s.usable_compute = s.compute * powered


def own_compute(static: Static, s: WorldState) -> np.ndarray:
    """Usable H100e each lab keeps for its own training runs: what its nation pools for national runs
    (`centralisation`) is taken from every lab's training alike, so pooled compute trains one run, not two.
    (Pooling takes training compute only: the labs' experiments and customers keep theirs.)"""
    return s.usable_compute * (1.0 - s.centralisation[static.lab_nation])


def training_runs(static: Static, s: WorldState) -> None:
    """Largest run and capability per lab and per nation this quarter (what can be trained now).

    Elementwise steps shared by labs and nations run once over both: the labs' own runs and the nations'
    pooled runs in one `run_flop`, the labs' own models, the nations' best and their national models in one
    `capability_score`, each lab's best run and effective run in one `np.maximum.at` (the same numbers)."""
    n, nl = len(static.nations), len(static.labs)
    algo = 10.0 ** s.algo_log10
    national = static.lab_to_nation @ s.usable_compute
    runs = run_flop(static, np.concatenate((own_compute(static, s) * s.site_share, national * s.centralisation)),
                    run_length_factor(static, s.turn))
    lab_runs, pooled = runs[:nl], runs[nl:]
    weighted_algo = static.lab_to_nation @ (s.usable_compute * algo)
    pooled_algo = np.where(national > 0, weighted_algo / np.maximum(national, 1e-12), 1.0)
    lab_eff = lab_runs * algo
    best = np.zeros((n, 2))  # (nation, [best lab run, best lab effective run])
    np.maximum.at(best, static.lab_nation, np.array((lab_runs, lab_eff)).T)  # `np.stack(..., axis=1)`'s rows, in one C call
    s.largest_run = np.maximum(best[:, 0], pooled)
    pooled_eff = pooled * pooled_algo
    scores = capability_score(np.concatenate((lab_eff, np.maximum(best[:, 1], pooled_eff), pooled_eff)))
    s.capability = scores[nl:nl + n]
    national_model = scores[nl + n:]
    s.lab_capability = np.maximum(scores[:nl], national_model[static.lab_nation])  # labs serve the national model
    s.best_capability = np.maximum(s.best_capability, s.capability)


def capability_of(flop: float) -> float:
    """Capability score of an effective-FLOP figure (for docs and tests)."""
    return CAPABILITY_PER_DECADE * (math.log10(flop) - CAPABILITY_BASE_LOG10) if flop > 0 else 0.0
