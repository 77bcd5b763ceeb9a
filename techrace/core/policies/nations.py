"""Default decision policies of nations and regulators.

A nation's computer player spends its industrial budget as data actions (the same objects a human
player queues): the "jigsaw" share goes to whatever controls just cut off, the rest to domestic
fabs; it adds power when its labs run short and, if it trails its rival, centralises compute.
A regulator enacts its prepared escalation steps when their data conditions hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.actions import Action
from techrace.core.events import Event
from techrace.core.mechanisms.conditions import condition_holds
from techrace.core.state import CUTOFF_KINDS
from techrace.ruleset.schema import TOOL_KINDS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

JIGSAW_TRIGGER = 0.05


def nation_default(model: WorldModel, idx: np.ndarray) -> list[Action]:
    actions: list[Action] = []
    for n in idx:
        actions += _nation(model, int(n))
    return actions


def _nation(model: WorldModel, n: int) -> list[Action]:
    static, s = model.static, model.state
    code = static.nations[n]
    budget = float(s.budget[n])
    actions: list[Action] = []
    spent = 0.0
    cut = s.cutoff[n]
    if cut.max() > JIGSAW_TRIGGER and budget > 0:
        jigsaw = static.ruleset.market.jigsaw_share * budget * min(1.0, cut.max() * 2.0)
        weights = cut / cut.sum()
        for j, kind in enumerate(CUTOFF_KINDS):
            amount = jigsaw * weights[j]
            targets = _substitutes(model, n, kind)
            if amount < 0.01 or not targets:
                continue
            for firm, share in targets:
                actions.append(Action("subsidy", code, {"firm": firm, "usd_b": float(amount * share)}))
            s.jigsaw_spend[n, j] += amount
            spent += amount
    rest = budget - spent
    fabs = [(fid, w) for fid, w in _domestic_foundries(model, n)]
    if rest > 0.01 and fabs:
        power_share = 0.15 if _power_short(model, n) else 0.0
        for fid, w in fabs:
            actions.append(Action("subsidy", code, {"firm": fid, "usd_b": float(rest * (1 - power_share) * w)}))
        if power_share:
            cost = static.ruleset.nations[code].power_cost_usd_b_per_gw
            actions.append(Action("power_buildout", code, {"extra_gw": float(rest * power_share / max(cost, 1e-6))}))
    elif _power_short(model, n) and budget > 0.01:
        cost = static.ruleset.nations[code].power_cost_usd_b_per_gw
        actions.append(Action("power_buildout", code, {"extra_gw": float(budget * 0.3 / max(cost, 1e-6))}))
    rival = _rival_capability(model, n)
    bloc = static.blocs.nation_bloc
    leads_bloc = s.capability[n] >= s.capability[bloc == bloc[n]].max()
    if leads_bloc and rival > 0 and s.capability[n] < 0.9 * rival and s.centralisation[n] < 0.5:
        actions.append(Action("centralisation", code, {"share": float(min(0.5, s.centralisation[n] + 0.05))}))
    return actions


def _substitutes(model: WorldModel, n: int, kind: str) -> list[tuple[str, float]]:
    """Domestic firms that can replace what `kind` cut off, with budget shares."""
    static, s = model.static, model.state
    if kind in TOOL_KINDS:
        k = TOOL_KINDS.index(kind)
        ids = [i for i in range(len(static.toolmakers)) if static.toolmaker_nation[i] == n
               and (s.tool_capacity[i, k] > 0 or s.tool_dev[i, k] >= 0)]
        weight = np.array([s.tool_capacity[i, k] + 1.0 for i in ids])
        names = [static.toolmakers[i] for i in ids]
    elif kind == "hbm":
        ids = [i for i in range(len(static.foundries)) if static.foundry_nation[i] == n and static.foundry_is_memory[i] > 0]
        weight = np.array([1.0 for _ in ids])
        names = [static.foundries[i] for i in ids]
    else:  # chips, wafers: domestic logic foundries push their next node
        pairs = [(fid, w) for fid, w in _domestic_foundries(model, n, logic_only=True)]
        return pairs
    if not ids:
        return []
    weight = weight / weight.sum()
    return list(zip(names, weight.tolist(), strict=True))


def _domestic_foundries(model: WorldModel, n: int, logic_only: bool = False) -> list[tuple[str, float]]:
    key = ("domestic_foundries", n, logic_only)
    if key not in model.turn_cache:
        model.turn_cache[key] = _rank_foundries(model, n, logic_only)
    return model.turn_cache[key]


def _rank_foundries(model: WorldModel, n: int, logic_only: bool) -> list[tuple[str, float]]:
    static = model.static
    ids = [i for i in range(len(static.foundries)) if static.foundry_nation[i] == n
           and (not logic_only or static.foundry_is_memory[i] == 0)]
    if not ids:
        return []
    size = _foundry_weights(model)[ids] + 1.0
    size = size / size.sum()
    return [(static.foundries[i], float(w)) for i, w in zip(ids, size, strict=True)]


def _foundry_weights(model: WorldModel) -> np.ndarray:
    """What industrial policy backs: capacity at <= 7 nm in full, trailing nodes at a tenth, and HBM."""
    cached = model.turn_cache.get("foundry_weights")
    if cached is None:
        static, s = model.static, model.state
        advanced = np.where(static.node_nm <= 7.0, 1.0, 0.1)
        per_site = s.capacity @ advanced + s.hbm_tsv_wpm
        cached = np.bincount(static.site_foundry, weights=per_site, minlength=len(static.foundries))
        model.turn_cache["foundry_weights"] = cached
    return cached


def _power_short(model: WorldModel, n: int) -> bool:
    """The nation's labs draw more than 85% of its AI power (computed for all nations once a turn)."""
    short = model.turn_cache.get("power_short")
    if short is None:
        static, s = model.static, model.state
        used = np.bincount(static.lab_nation, weights=s.lab_power, minlength=len(static.nations))
        short = used > 0.85 * s.power_gw
        model.turn_cache["power_short"] = short
    return bool(short[n])


def _rival_capability(model: WorldModel, n: int) -> float:
    static, s = model.static, model.state
    rivals = static.blocs.rival[n] & (s.collapsed <= 0)
    return float(s.capability[rivals].max()) if rivals.any() else 0.0


def regulator_default(model: WorldModel, idx: np.ndarray) -> list[Event]:
    """Enact prepared rules (no `effective` date) whose `when` condition now holds."""
    static, s = model.static, model.state
    regulators = {static.regulators[int(r)] for r in idx}
    events: list[Event] = []
    for rule_id in sorted(s.controls):
        rule = s.controls[rule_id]
        if rule["regulator"] not in regulators or s.control_status[rule_id] != "inactive":
            continue
        if rule.get("effective") or not rule.get("when"):
            continue
        if condition_holds(static, rule["when"], model.quarter, model.metrics_before):
            events += model.enact(rule_id, f"its condition held in {model.quarter}")
    return events


