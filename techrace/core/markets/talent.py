"""The talent market: graduation, retirement, migration by pay and visas, hiring, experience and the
poaching of star engineers.

Engineers enter only by graduation and leave only by retirement (or, for one nation, emigration):
the world total changes by graduates minus retirements, which the conservation tests check.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import SKILLS

EMPLOYER_SKILL = {"foundry": SKILLS.index("process"), "toolmaker": SKILLS.index("tools"),
                  "chip_firm": SKILLS.index("design"), "lab": SKILLS.index("ai_research")}
MIGRATION_RATE = 0.004
POACH_PROBABILITY = 0.03
EXPERIENCE_PER_QUARTER = 0.25


def graduates_and_retirement(static: Static, s: WorldState) -> None:
    rs = static.ruleset
    grads = np.array([[getattr(rs.nations[c].graduates_per_quarter, sk) for sk in SKILLS] for c in static.nations])
    rate = np.array([rs.nations[c].retirement_per_quarter for c in static.nations])
    pool_exp_mass = s.pool * s.pool_exp
    s.pool += grads
    s.pool_exp = np.where(s.pool > 0, pool_exp_mass / np.maximum(s.pool, 1e-12), 0.0)
    s.graduated_engineers += grads.sum(axis=1)
    retired_pool = s.pool * rate[:, None]
    retired_emp = s.eng * rate[static.employer_nation][:, None]
    s.pool -= retired_pool
    s.eng -= retired_emp
    retired = retired_pool.sum(axis=1) + static.employer_to_nation @ retired_emp.sum(axis=1)
    s.retired_engineers += retired


def migrate(static: Static, s: WorldState) -> None:
    """Engineers in national pools move towards better pay where visas let them in."""
    pay_ratio = s.pay[None, :] / np.maximum(s.pay[:, None], 1e-9)  # [from, to]
    rate = MIGRATION_RATE * np.maximum(pay_ratio - 1.0, 0.0) * s.visa[None, :]
    np.fill_diagonal(rate, 0.0)
    out_share = rate.sum(axis=1)
    rate = np.where(out_share[:, None] > 0.05, rate * 0.05 / np.maximum(out_share[:, None], 1e-12), rate)
    flows = rate[:, :, None] * s.pool[:, None, :]  # [from, to, skill]
    outgoing = flows.sum(axis=1)
    incoming = flows.sum(axis=0)
    exp_in = (flows * s.pool_exp[:, None, :]).sum(axis=0)
    stay = s.pool - outgoing
    new_pool = stay + incoming
    s.pool_exp = np.where(new_pool > 0, (stay * s.pool_exp + exp_in) / np.maximum(new_pool, 1e-12), 0.0)
    s.pool = new_pool
    s.emigrated += outgoing.sum(axis=1)
    s.immigrated += incoming.sum(axis=1)


def hire(static: Static, s: WorldState) -> None:
    """Employers fill the gap to their target from their nation's pool, pro rata; surplus returns."""
    gap = np.maximum(s.eng_target - s.eng, 0.0)
    wanted = static.employer_to_nation @ gap
    fill = np.where(wanted > 0, np.minimum(1.0, s.pool / np.maximum(wanted, 1e-12)), 0.0)
    hires = gap * fill[static.employer_nation]
    pool_exp = s.pool_exp[static.employer_nation]
    total = s.eng + hires
    s.exp = np.where(total > 0, (s.eng * s.exp + hires * pool_exp) / np.maximum(total, 1e-12), 0.0)
    s.eng = total
    s.pool -= static.employer_to_nation @ hires
    surplus = np.maximum(s.eng - s.eng_target * 1.25, 0.0)
    if surplus.any():
        released = static.employer_to_nation @ surplus
        released_exp = static.employer_to_nation @ (surplus * s.exp)
        s.eng -= surplus
        new_pool = s.pool + released
        s.pool_exp = np.where(new_pool > 0, (s.pool * s.pool_exp + released_exp) / np.maximum(new_pool, 1e-12), 0.0)
        s.pool = new_pool
    s.exp = np.minimum(s.exp + EXPERIENCE_PER_QUARTER, 25.0)
    s.pool_exp = np.minimum(s.pool_exp + EXPERIENCE_PER_QUARTER * 0.5, 15.0)


def poach_stars(static: Static, s: WorldState, rng: np.random.Generator) -> list[tuple[int, int]]:
    """China-bloc employers try to poach one star each from rivals of the same kind abroad.

    Success is likelier when the target's nation enforces little and the poacher's nation spends on
    espionage; stars carry large multipliers (the Liang Mong-song effect). Returns (from, to) moves.
    One draw per (poacher, target) pair every turn keeps the random stream independent of outcomes.
    """
    china = static.is_china_bloc[static.employer_nation] > 0
    poachers = np.flatnonzero(china)
    targets = np.flatnonzero(~china)
    if len(poachers) == 0 or len(targets) == 0:
        return []
    draws = rng.random((len(poachers), len(targets)))
    kind = _employer_class(static)
    same = kind[poachers][:, None] == kind[targets][None, :]
    chance = (POACH_PROBABILITY * s.espionage[static.employer_nation[poachers]][:, None]
              * (1.0 - s.anti_poaching[static.employer_nation[targets]])[None, :])
    success = same & (draws < chance)
    moves: list[tuple[int, int]] = []
    for pi, ti in zip(*np.nonzero(success), strict=True):
        p, t = int(poachers[pi]), int(targets[ti])
        if s.stars[t] >= 1.0:
            s.stars[t] -= 1.0
            s.stars[p] += 1.0
            moves.append((t, p))
    return moves


def _employer_class(static: Static) -> np.ndarray:
    """Employer kind with memory makers apart from logic foundries (poaching stays within a class)."""
    kind = np.array([("foundry", "toolmaker", "chip_firm", "lab").index(k) for k in static.employer_kind])
    kind[: len(static.foundries)] += 10 * (static.foundry_is_memory > 0)
    return kind


def talent_index(static: Static, s: WorldState, reference: np.ndarray) -> np.ndarray:
    """Effective skilled headcount of each employer relative to its start (1.0 at start)."""
    return talent_units(static, s) / np.maximum(reference, 1.0)


def talent_units(static: Static, s: WorldState) -> np.ndarray:
    skill = np.array([EMPLOYER_SKILL[k] for k in static.employer_kind])
    rows = np.arange(len(static.employers))
    engineers = s.eng[rows, skill]
    experience = np.minimum(1.5, 0.5 + s.exp[rows, skill] / 10.0)
    return engineers * experience + s.stars * static.ruleset.technology.star_multiplier * 100.0
