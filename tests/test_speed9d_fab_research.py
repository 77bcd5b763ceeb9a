"""HBM R&D read on Python lists (levels, progress, funds, talent, luck; the memory makers once a game) equals the
per-item reads it replaces, bit for bit, and node R&D beside it is unchanged; so is usable capacity's shared product."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.mechanisms import fabrication as fab
from techrace.ruleset import load_ruleset


def research_in_full(static, s, funding, talent, bonus, luck, eff):  # noqa: ANN001, ANN201 - as before the lists
    industry = static.ruleset.industry
    done = []
    euv_units = static.by_foundry(eff[:, fab.EUV]).tolist()
    unmastered = s.mastered <= 0
    targets = np.where(np.logical_or.reduce(unmastered, axis=1), unmastered.argmax(axis=1), -1).tolist()
    for fi, m in enumerate(targets):
        if static.foundry_is_memory[fi] > 0 or m < 0:
            continue
        rd_quarters = float(static.rd_quarters[m])
        per_quarter = float(static.rd_cost[m]) / rd_quarters
        funded = min(1.0, float(funding[fi]) / per_quarter) if per_quarter > 0 else 1.0
        on_duv = static.needs_euv[m] > 0 and euv_units[fi] < 1.0
        gate = (industry.duv_rd_gate if static.mp_allowed[m] > 0 else 0.0) if on_duv else 1.0
        speed = min(industry.rd_speed_cap, math.sqrt(max(float(talent[fi]), 0.0)))
        progress = float(s.rd_progress[fi, m]) + gate * (funded * speed * float(luck[fi]) / rd_quarters + float(bonus[fi]))
        s.rd_progress[fi, m] = progress
        if progress >= 1.0:
            s.rd_progress[fi, m] = 1.0
            s.mastered[fi, m] = 1.0
            s.d0[fi, m] = static.d0_initial[m]
            done.append((fi, m, bool(on_duv)))
    return done


def hbm_research_in_full(static, s, funding, talent, luck):  # noqa: ANN001, ANN201
    rs = static.ruleset.technology
    advanced = []
    per_quarter = rs.hbm_rd_cost_usd_b / rs.hbm_rd_quarters
    for fi in (static.foundry_is_memory > 0).nonzero()[0].tolist():
        level = float(s.hbm_level[fi])
        higher = [g for g in static.hbm_level.tolist() if g > level]
        if not higher or level <= 0:
            continue
        funded = min(1.0, float(funding[fi]) / per_quarter) if per_quarter > 0 else 1.0
        speed = min(static.ruleset.industry.rd_speed_cap, math.sqrt(max(float(talent[fi]), 0.0)))
        s.hbm_rd[fi] += funded * float(luck[fi]) * speed / rs.hbm_rd_quarters
        if s.hbm_rd[fi] >= 1.0:
            s.hbm_rd[fi] = 0.0
            s.hbm_level[fi] = min(higher)
            advanced.append((fi, float(s.hbm_level[fi])))
    return advanced


@pytest.mark.parametrize("boost", [1.0, 40.0, np.nan])
def test_rd_equals_per_item_reads(boost: float) -> None:
    game = Game.from_ruleset(load_ruleset("baseline"), seed=1).run(3)
    static = game.model.static
    for quarter in range(6):  # several quarters, so targets move on and memory makers advance
        s = game.model.state
        nf = len(static.foundries)
        funding, talent = s.rd_budget * boost, np.linspace(0.5, 3.0, nf)
        bonus, luck, eff = np.full(nf, 0.01 * quarter), np.linspace(0.8, 1.3, nf), fab.effective_tools(s)
        full = copy.deepcopy(s)
        got = fab.research(static, s, funding, talent, bonus, luck, eff)
        assert got == research_in_full(static, full, funding, talent, bonus, luck, eff)
        assert fab.hbm_research(static, s, funding, talent, luck) == hbm_research_in_full(static, full, funding, talent, luck)
        for name in ("rd_progress", "mastered", "d0", "hbm_rd", "hbm_level"):
            assert getattr(s, name).tobytes() == getattr(full, name).tobytes(), name


def test_usable_capacity_equals_the_equations_in_full() -> None:
    game = Game.from_ruleset(load_ruleset("baseline"), seed=2).run(5)
    static, s = game.model.static, copy.deepcopy(game.model.state)
    s.offline[2] = 1.0
    fab.update_usable(static, s)
    req = static.tools_per_kwpm / 1000.0
    active = s.capacity * s.mastered[static.site_foundry] * (1.0 - s.offline)[:, None]
    eff = fab.effective_tools(s)
    euv_need = (active * req[:, fab.EUV] * static.needs_euv).sum(axis=1)
    euv_ratio = np.where(euv_need > 0, np.minimum(1.0, eff[:, fab.EUV] / np.maximum(euv_need, 1e-12)), 1.0)
    euv_nodes = static.needs_euv > 0
    euv_frac = np.where(euv_nodes, euv_ratio[:, None], 1.0)
    duv_frac = np.where(euv_nodes, (1.0 - euv_ratio[:, None]) * static.mp_allowed, 0.0)
    run_frac = euv_frac + duv_frac
    need = (active * run_frac) @ req
    need[:, fab.ARF] += ((active * duv_frac) * req[:, fab.ARF] * (static.mp_arf - 1.0)).sum(axis=1)
    need += np.outer(s.hbm_tsv_wpm * (1.0 - s.offline), static.hbm_tools_per_kwpm / 1000.0)
    ratio = np.where(need > 0, np.minimum(1.0, eff / np.maximum(need, 1e-12)), 1.0)
    utilisation = ratio[:, fab.OTHER_KINDS].min(axis=1)
    assert s.usable.tobytes() == (active * run_frac * utilisation[:, None]).tobytes()
