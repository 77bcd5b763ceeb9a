"""AI labs: power-limited clusters, accelerator retirement, training runs and capability.

A lab's usable compute is what its nation's AI power can run; its largest training run is bounded
by its largest single site, unless the nation pools compute (centralisation). Capability is a log
scale of effective training compute: raw FLOP times the lab's research multiplier and the world's
algorithmic progress. 100 = 1e26 effective FLOP, +25 per factor of 10.
"""

from __future__ import annotations

import math

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static

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
    ratio = np.where(need > 0, np.minimum(1.0, s.power_gw / np.maximum(need, 1e-12)), 1.0)
    return s.lab_power * ratio[static.lab_nation]


def power_room(static: Static, s: WorldState) -> np.ndarray:
    """GW each lab may add this quarter: its capital share of its nation's spare and coming power."""
    used = static.lab_to_nation @ s.lab_power
    spare = np.maximum(s.power_gw + 2.0 * s.power_buildout - used, 0.0)
    capital = static.lab_to_nation @ s.capital
    share = np.where(capital[static.lab_nation] > 0, s.capital / np.maximum(capital[static.lab_nation], 1e-12), 0.0)
    return spare[static.lab_nation] * share


def run_flop(static: Static, h100e: np.ndarray) -> np.ndarray:
    tech = static.ruleset.technology
    return h100e * tech.training_share * tech.h100_dense_flops * tech.model_flops_utilisation * SECONDS_PER_QUARTER


def training_runs(static: Static, s: WorldState) -> None:
    """Largest run and capability per nation this quarter."""
    allocated = power_allocation(static, s)
    powered = np.where(s.lab_power > 0, np.minimum(1.0, allocated / np.maximum(s.lab_power, 1e-12)), 1.0)
    s.usable_compute = s.compute * powered
    n = len(static.nations)
    lab_runs = run_flop(static, s.usable_compute * s.site_share)
    national = static.lab_to_nation @ s.usable_compute
    pooled = run_flop(static, national * s.centralisation)
    weighted_algo = static.lab_to_nation @ (s.usable_compute * s.algo)
    pooled_algo = np.where(national > 0, weighted_algo / np.maximum(national, 1e-12), 1.0)
    best_lab_run = np.zeros(n)
    best_lab_eff = np.zeros(n)
    np.maximum.at(best_lab_run, static.lab_nation, lab_runs)
    np.maximum.at(best_lab_eff, static.lab_nation, lab_runs * s.algo)
    s.largest_run = np.maximum(best_lab_run, pooled)
    progress = static.ruleset.technology.algorithmic_efficiency_per_quarter ** max(s.turn - 1, 0)
    effective = np.maximum(best_lab_eff, pooled * pooled_algo) * progress
    score = np.where(effective > 0, CAPABILITY_PER_DECADE * (np.log10(np.maximum(effective, 1.0)) - CAPABILITY_BASE_LOG10), 0.0)
    s.capability = np.maximum(s.capability, np.maximum(score, 0.0))


def grow_capital(static: Static, s: WorldState, luck: np.ndarray | None = None) -> None:
    """Capital grows at a slowing rate, with a random factor per lab (funding rounds, sentiment)."""
    fortune = 1.0 if luck is None else luck
    s.capital *= (1.0 + s.capital_growth * static.ruleset.market.growth_decay_per_quarter ** s.turn) * fortune
    active = s.capex_cut_left > 0
    s.capex_cut_left = np.maximum(s.capex_cut_left - 1.0, 0.0)
    s.capex_cut = np.where(active, s.capex_cut, 0.0)


def espionage_catch_up(static: Static, s: WorldState) -> None:
    """Stolen research narrows the gap to the best lab, only where researchers can use it."""
    from techrace.core.markets.talent import EMPLOYER_SKILL

    best = s.algo.max() if len(s.algo) else 1.0
    offset = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms)
    researchers = s.eng[offset:offset + len(static.labs), EMPLOYER_SKILL["lab"]]
    threshold = static.ruleset.technology.espionage_execution_threshold
    execution = np.minimum(1.0, researchers / max(threshold / 4.0, 1.0))
    effort = s.espionage[static.lab_nation]
    s.algo += 0.02 * effort * execution * np.maximum(best - s.algo, 0.0)


def capability_of(flop: float) -> float:
    """Capability score of an effective-FLOP figure (for docs and tests)."""
    return CAPABILITY_PER_DECADE * (math.log10(flop) - CAPABILITY_BASE_LOG10) if flop > 0 else 0.0
