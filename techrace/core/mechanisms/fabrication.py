"""Fabs: tool-limited capacity per node, the DUV multi-patterning path, die yield, learning, node R&D
and fab construction.

Capacity only runs where the site's owner has mastered the node and enough healthy tools of every
kind are installed. Nodes that need EUV run on the EUV path as far as EUV scanners reach; beyond
that they fall back to DUV multi-patterning where the node allows it (more ArF scanners per wafer,
higher defect density, slower learning), otherwise they stay idle.
"""

from __future__ import annotations

import math

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import TOOL_KINDS

EUV = TOOL_KINDS.index("euv")
ARF = TOOL_KINDS.index("arf_immersion")
OTHER_KINDS = np.array([k != EUV for k in range(len(TOOL_KINDS))])


def dies_per_wafer(area_mm2: np.ndarray, diameter_mm: float = 300.0) -> np.ndarray:
    """Gross dies per wafer (the standard edge-loss formula)."""
    area = np.maximum(area_mm2, 1.0)
    radius = diameter_mm / 2.0
    return np.maximum(math.pi * radius * radius / area - math.pi * diameter_mm / np.sqrt(2.0 * area), 0.0)


def die_yield(area_mm2: np.ndarray, d0_per_cm2: np.ndarray, model: str = "murphy") -> np.ndarray:
    """Share of good dies from defect density and die area (Murphy or Poisson)."""
    defects = np.maximum(area_mm2 / 100.0 * d0_per_cm2, 1e-9)
    if model == "poisson":
        return np.exp(-defects)
    return ((1.0 - np.exp(-defects)) / defects) ** 2


def effective_tools(s: WorldState) -> np.ndarray:
    """Healthy tool units per (site, kind)."""
    return np.add.reduce(s.tools * s.health, axis=1)  # `.sum(axis=1)`, without its wrapper


def update_usable(static: Static, s: WorldState, eff: np.ndarray | None = None) -> None:
    """Recompute usable wafer starts per (site, node), the DUV-path share and usable HBM TSV starts
    (`eff`: effective_tools(s), when the caller has it)."""
    req, req_euv, req_arf, euv_nodes, extra_arf, hbm_req, other_kinds = _usable_tables(static)
    mastered = s.mastered.take(static.site_foundry, axis=0)  # the rows the fancy index read, without its overhead
    if np.count_nonzero(s.offline):  # `s.offline.any()`, without its wrapper
        running = 1.0 - s.offline
        active = s.capacity * mastered * running[:, None]
        hbm_active = s.hbm_tsv_wpm * running
    else:  # every site running: the products by 1.0 would give the same numbers
        active = s.capacity * mastered
        hbm_active = s.hbm_tsv_wpm
    eff = effective_tools(s) if eff is None else eff
    euv_need = np.add.reduce(active * req_euv * static.needs_euv, axis=1)
    euv_ratio = np.where(euv_need > 0, np.minimum(1.0, eff[:, EUV] / np.maximum(euv_need, 1e-12)), 1.0)
    euv_frac = np.where(euv_nodes, euv_ratio[:, None], 1.0)
    duv_frac = np.where(euv_nodes, (1.0 - euv_ratio[:, None]) * static.mp_allowed, 0.0)
    run_frac = euv_frac + duv_frac
    runs = active * run_frac
    need = runs @ req
    need[:, ARF] += np.add.reduce((active * duv_frac) * req_arf * extra_arf, axis=1)
    need += hbm_active[:, None] * hbm_req[None, :]  # np.outer, without its wrapper
    ratio = np.where(need > 0, np.minimum(1.0, eff / np.maximum(need, 1e-12)), 1.0)
    utilisation = np.minimum.reduce(ratio.take(other_kinds, axis=1), axis=1)
    s.usable = runs * utilisation[:, None]  # (active x run_frac) x utilisation, the product `need` was made of
    s.duv_share = np.where(run_frac > 0, duv_frac / np.maximum(run_frac, 1e-12), 0.0)
    s.hbm_usable = hbm_active * utilisation


def _usable_tables(static: Static) -> tuple[np.ndarray, ...]:
    """The ruleset's side of update_usable, once a game (read-only): tools per wpm per (node, kind), its EUV
    and ArF columns, the nodes that need EUV, the extra ArF share of multi-patterning, HBM tools per wpm, and
    the indices of the tool kinds other than EUV."""
    tables = static.cache.get("usable_tables")
    if tables is None:
        req = static.tools_per_kwpm / 1000.0
        tables = static.cache["usable_tables"] = (req, req[:, EUV].copy(), req[:, ARF].copy(), static.needs_euv > 0,
                                                 static.mp_arf - 1.0, static.hbm_tools_per_kwpm / 1000.0,
                                                 np.flatnonzero(OTHER_KINDS))
        for table in tables:
            table.flags.writeable = False
    return tables


def foundry_duv_share(static: Static, s: WorldState) -> np.ndarray:
    """Capacity-weighted DUV-path share per (foundry, node)."""
    weighted = static.by_foundry(s.usable * s.duv_share)
    total = static.by_foundry(s.usable)
    return np.where(total > 0, weighted / np.maximum(total, 1e-12), 0.0)


def effective_d0(static: Static, s: WorldState, duv: np.ndarray | None = None) -> np.ndarray:
    """Defect density per (foundry, node) including the multi-patterning penalty (`duv`: the foundries'
    DUV-path share when the caller already has it)."""
    duv = foundry_duv_share(static, s) if duv is None else duv
    return s.d0 * (1.0 + duv * (static.mp_defect - 1.0))


def learn(static: Static, s: WorldState, wafers: np.ndarray, talent: np.ndarray, duv: np.ndarray | None = None) -> None:
    """Yield learning: defect density falls with wafers run and with experienced engineers."""
    duv = foundry_duv_share(static, s) if duv is None else duv
    industry = static.ruleset.industry
    volume = np.sqrt(np.minimum(wafers / industry.learning_reference_wafers, industry.learning_volume_cap))
    speed = 1.0 - duv * (1.0 - static.mp_learning)
    rate = static.learning_rate * volume * np.sqrt(np.minimum(np.maximum(talent, 0.05), industry.learning_talent_cap))[:, None] * speed
    floor = static.d0_mature
    s.d0 = np.where(s.mastered > 0, floor + (s.d0 - floor) * np.exp(-rate), s.d0)
    s.cum_wafers += wafers


def research_target(static: Static, s: WorldState, foundry: int) -> int:
    """The next node a foundry researches: the largest unmastered node after a mastered one (-1: none)."""
    mastered = s.mastered[foundry]
    for m in range(len(static.nodes)):
        if mastered[m] <= 0 and (m == 0 or mastered[m - 1] > 0):
            return m
    return -1


def research(static: Static, s: WorldState, funding: np.ndarray, talent: np.ndarray,
             espionage_bonus: np.ndarray, luck: np.ndarray | None = None, eff: np.ndarray | None = None) -> list[tuple[int, int, bool]]:
    """Advance node R&D; returns (foundry, node, on_duv) for every node mastered this turn.

    A node that needs EUV cannot be developed without EUV scanners unless multi-patterning is
    allowed, in which case it is developed more slowly on DUV and carries the defect penalty.
    The per-foundry arithmetic runs on Python floats (the same doubles as numpy's scalars, faster).
    """
    industry = static.ruleset.industry
    mastered_now: list[tuple[int, int, bool]] = []
    euv_units = static.by_foundry((effective_tools(s) if eff is None else eff)[:, EUV]).tolist()
    unmastered = s.mastered <= 0
    targets = np.where(np.logical_or.reduce(unmastered, axis=1), unmastered.argmax(axis=1), -1).tolist()  # as research_target
    fortunes = [1.0] * len(targets) if luck is None else luck.tolist()
    memory, all_quarters, costs, needs_euv, mp_allowed = _research_tables(static)
    funds, talents, bonuses = funding.tolist(), talent.tolist(), espionage_bonus.tolist()
    for fi, m in enumerate(targets):
        if memory[fi] > 0 or m < 0:
            continue
        rd_quarters = all_quarters[m]
        per_quarter = costs[m] / rd_quarters
        funded = min(1.0, float(funds[fi]) / per_quarter) if per_quarter > 0 else 1.0
        on_duv = needs_euv[m] > 0 and euv_units[fi] < 1.0
        gate = 1.0
        if on_duv:
            gate = industry.duv_rd_gate if mp_allowed[m] > 0 else 0.0
        speed = min(industry.rd_speed_cap, math.sqrt(max(float(talents[fi]), 0.0)))
        progress = float(s.rd_progress[fi, m]) + gate * (funded * speed * fortunes[fi] / rd_quarters + float(bonuses[fi]))
        s.rd_progress[fi, m] = progress
        if progress >= 1.0:
            s.rd_progress[fi, m] = 1.0
            s.mastered[fi, m] = 1.0
            s.d0[fi, m] = static.d0_initial[m]
            mastered_now.append((fi, m, bool(on_duv)))
    return mastered_now


def _research_tables(static: Static) -> tuple[list, list[float], list[float], list, list]:
    """The ruleset's side of `research` as Python lists, once a game: memory makers, R&D quarters and cost per
    node (as floats), the nodes that need EUV and those that allow multi-patterning."""
    tables = static.cache.get("research_tables")
    if tables is None:
        tables = static.cache["research_tables"] = (
            static.foundry_is_memory.tolist(), [float(q) for q in static.rd_quarters.tolist()],
            [float(c) for c in static.rd_cost.tolist()], static.needs_euv.tolist(), static.mp_allowed.tolist())
    return tables


def hbm_research(static: Static, s: WorldState, funding: np.ndarray, talent: np.ndarray,
                 luck: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Memory makers advance HBM generations; returns (foundry, new level) for each advance."""
    rs = static.ruleset.technology
    advanced: list[tuple[int, float]] = []
    per_quarter = rs.hbm_rd_cost_usd_b / rs.hbm_rd_quarters
    generations = static.hbm_level.tolist()
    levels, funds, talents, done = s.hbm_level.tolist(), funding.tolist(), talent.tolist(), s.hbm_rd.tolist()
    fortunes = None if luck is None else luck.tolist()
    for fi in _memory_makers(static):  # on Python floats (the same doubles), a few makers
        level = levels[fi]
        higher = [g for g in generations if g > level]
        if not higher or level <= 0:
            continue
        funded = min(1.0, funds[fi] / per_quarter) if per_quarter > 0 else 1.0
        fortune = 1.0 if fortunes is None else fortunes[fi]
        speed = min(static.ruleset.industry.rd_speed_cap, math.sqrt(max(talents[fi], 0.0)))
        s.hbm_rd[fi] = progress = done[fi] + funded * fortune * speed / rs.hbm_rd_quarters
        if progress >= 1.0:
            s.hbm_rd[fi] = 0.0
            s.hbm_level[fi] = min(higher)
            advanced.append((fi, float(s.hbm_level[fi])))
    return advanced


def _memory_makers(static: Static) -> list[int]:
    """The memory makers' foundry indices, once a game."""
    makers = static.cache.get("memory_makers")
    if makers is None:
        makers = static.cache["memory_makers"] = (static.foundry_is_memory > 0).nonzero()[0].tolist()
    return makers


def advance_construction(s: WorldState) -> np.ndarray:
    """Fabs, HBM lines and packaging lines whose construction completes this quarter join capacity;
    returns the fab wpm completed."""
    completed = s.construction[:, :, 0].copy()
    s.capacity += completed
    _move_on(s.construction)
    for pipeline, target in (("hbm_construction", "hbm_tsv_wpm"), ("packaging_construction", "packaging")):
        queue = getattr(s, pipeline)
        setattr(s, target, getattr(s, target) + queue[:, 0])
        _move_on(queue)
    return completed


def _move_on(queue: np.ndarray) -> None:
    """A pipeline one quarter on: each slot along the last axis takes the next one's value, the last is emptied.
    A C-contiguous pipeline moves as one flat run (each row's slots move as they would row by row; what the
    first slot of a row moves into the last of the row before is emptied after): 3-4x faster than the
    overlapping row-wise assignment, which numpy makes through a temporary copy."""
    if queue.flags.c_contiguous:
        flat = queue.reshape(-1)  # a view of a C-contiguous array
        flat[:-1] = flat[1:]
    else:
        queue[..., :-1] = queue[..., 1:]
    queue[..., -1] = 0.0


def start_construction(static: Static, s: WorldState, site: int, node: int, wpm: float) -> None:
    quarters = int(min(static.build_quarters[node], s.construction.shape[2]))
    s.construction[site, node, quarters - 1] += wpm
