"""Diasporas: engineers of a nation's pool born in another nation, and their going home.

Migration by pay (markets/talent.py:`migrate`) only ever moves engineers towards higher pay, so a nation
that pays less than everyone (China's 0.5 of US pay in baseline) draws no one, whatever its visas. Yet
the people China's visa and talent programmes court are mostly its own diaspora: researchers born in
China working abroad, many of whom have taken their host's citizenship (China allows no dual
citizenship) and need a visa to work at home. A diaspora is kept per host, origin and skill: engineers
who migrate join their origin's diaspora in the host; a share `talent.diaspora_return_per_quarter`,
scaled by the home nation's visa openness, goes home each quarter (P: Xie et al. 2023, PNAS Nexus, count
~1,400 US-based scientists of Chinese descent moving to China in 2021, of the order of 1-3% a year; at
China's openness of 0.15 the baseline gives ~1.2% a year). Researchers who go home carry what their
labs knew through the research `migration` channel (`researcher_inflow`), as any migrant does.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import SKILLS

AI_RESEARCH = SKILLS.index("ai_research")


def arrive(s: WorldState, flows: np.ndarray) -> None:
    """Engineers who moved this quarter ([from, to, skill]) join their origin's diaspora in the host."""
    s.diaspora += flows.transpose(1, 0, 2)


def go_home(static: Static, s: WorldState) -> None:
    """Each host's diaspora ages like its pool (retirement), stays within the pool (hiring draws on both
    alike: a diaspora never exceeds the pool it is part of), and a share goes home through the home
    nation's visas; the world's engineers are conserved."""
    aged = s.diaspora * _staying(static)
    total = np.add.reduce(aged, axis=1)  # [host, skill], all origins (the ufunc's reduce: `.sum` without its Python wrapper)
    over = total > s.pool
    # scaled down where the diasporas outgrew the pool; elsewhere x 1.0, which changes nothing (most quarters everywhere)
    kept = aged * np.where(over, s.pool / np.maximum(total, 1e-12), 1.0)[:, None, :] if np.count_nonzero(over) else aged  # `.any()`, no wrapper
    back = kept * (static.ruleset.talent.diaspora_return_per_quarter * s.visa)[None, :, None]  # [host, home, skill]
    leaving, coming = np.add.reduce(back, axis=1), np.add.reduce(back, axis=0)
    stay = s.pool - leaving
    new_pool = stay + coming
    exp_in = np.add.reduce(back * s.pool_exp[:, None, :], axis=0)
    blend = stay * s.pool_exp + exp_in
    if np.minimum.reduce(new_pool, axis=None) >= 1e-12:  # every pool holds someone (most quarters): the guards change nothing
        s.pool_exp = blend / new_pool
    else:
        s.pool_exp = np.where(new_pool > 0, blend / np.maximum(new_pool, 1e-12), 0.0)
    s.pool = new_pool
    s.diaspora = kept - back
    s.emigrated += np.add.reduce(leaving, axis=1)
    s.immigrated += np.add.reduce(coming, axis=1)
    s.researcher_inflow = s.researcher_inflow + back[:, :, AI_RESEARCH]


def _staying(static: Static) -> np.ndarray:
    """(host, 1, 1) share of each host's diaspora that does not retire this quarter: ruleset values, once a game
    (read-only)."""
    staying = static.cache.get("diaspora_staying")
    if staying is None:
        staying = static.cache["diaspora_staying"] = (1.0 - static.nation_params.retirement)[:, None, None]
        staying.flags.writeable = False
    return staying
