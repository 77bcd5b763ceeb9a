"""Default decision policies of firms: foundries and memory makers, toolmakers, chip firms, labs.

Each policy reads the world state and writes its decisions (budgets, targets, orders) back into it;
the markets then clear those decisions for everyone at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms.fabrication import ARF, effective_tools, research_target
from techrace.core.state import add_sku

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

SHELL_SHARE = 0.25          # share of fab capex that is the building (tools are bought separately), §1e 70-80% tools
ORDER_HORIZON = 4           # order tools for capacity completing within this many quarters
RAMP_WPM = 20000.0          # first fab on a newly mastered node
PILOT_EUV = 2.0             # EUV scanners on an R&D pilot line


def foundry_default(model: WorldModel, fi: int) -> None:
    static, s = model.static, model.state
    spec = static.ruleset.foundries[static.foundries[fi]]
    sites = np.flatnonzero(static.site_foundry == fi)
    # research: fund the next node (or HBM generation) at up to 1.2x the fully funded rate
    if static.foundry_is_memory[fi] > 0:
        per_quarter = static.ruleset.technology.hbm_rd_cost_usd_b / static.ruleset.technology.hbm_rd_quarters
    else:
        m = research_target(static, s, fi)
        per_quarter = static.rd_cost[m] / static.rd_quarters[m] if m >= 0 else 0.0
    s.rd_budget[fi] = min(max(s.cash[fi], 0.0) * 0.3, per_quarter * 1.2)
    s.cash[fi] -= s.rd_budget[fi]
    budget = max(s.cash[fi], 0.0) * 0.5
    if static.foundry_is_memory[fi] > 0:
        _grow_hbm(model, fi, sites, budget)
    else:
        _build_fabs(model, fi, sites, budget)
    _order_tools(model, sites)
    _pilot_line(model, fi, sites)
    _staff(model, fi, spec.engineers.process)


def _build_fabs(model: WorldModel, fi: int, sites: np.ndarray, budget: float) -> None:
    static, s = model.static, model.state
    home = _home_site(model, fi, sites)
    for m in range(len(static.nodes)):
        if s.mastered[fi, m] <= 0:
            continue
        site_cap = s.capacity[sites, m] + s.construction[sites, m].sum(axis=1)
        wpm = 0.0
        if site_cap.sum() < RAMP_WPM * 0.5 and m >= len(static.nodes) - 3:
            wpm = RAMP_WPM
        elif s.wafer_unmet[fi, m] > 0:
            wpm = min(s.wafer_unmet[fi, m] / 3.0 / max(model.ai_share[m], 0.05), site_cap.sum() * 0.15 + 5000.0)
        if wpm <= 0:
            continue
        cost = static.capex_per_wpm[m] * SHELL_SHARE * wpm / 1e9
        if cost > budget:
            wpm *= budget / cost
            cost = budget
        if wpm < 1000.0:
            continue
        site = sites[int(np.argmax(site_cap))] if site_cap.max() > 0 else home
        from techrace.core.mechanisms.fabrication import start_construction

        start_construction(static, s, int(site), m, wpm)
        s.cash[fi] -= cost
        budget -= cost


def _grow_hbm(model: WorldModel, fi: int, sites: np.ndarray, budget: float) -> None:
    s = model.state
    if s.hbm_unmet[fi] <= 0 or len(sites) == 0:
        return
    site = int(sites[np.argmax(s.hbm_tsv_wpm[sites])])
    add = min(s.hbm_tsv_wpm[site] * 0.06, budget * 1e9 / (120000.0 * SHELL_SHARE))
    s.hbm_tsv_wpm[site] += max(add, 0.0)
    s.cash[fi] -= add * 120000.0 * SHELL_SHARE / 1e9


def _home_site(model: WorldModel, fi: int, sites: np.ndarray) -> int:
    static = model.static
    home = [si for si in sites if static.site_nation[si] == static.foundry_nation[fi]]
    return int(home[0] if home else sites[0])


def _order_tools(model: WorldModel, sites: np.ndarray) -> None:
    static, s = model.static, model.state
    req = static.tools_per_kwpm / 1000.0
    planned = s.capacity[sites] + s.construction[sites, :, :ORDER_HORIZON].sum(axis=2)
    need = planned @ req
    need[:, ARF] += (planned * s.duv_share[sites] * req[:, ARF] * (static.mp_arf - 1.0)).sum(axis=1)
    need += np.outer(s.hbm_tsv_wpm[sites], static.hbm_tools_per_kwpm / 1000.0)
    have = effective_tools(s)[sites] + s.tool_pipeline[:, sites].sum(axis=(0, 3))
    order = np.maximum(need * static.ruleset.market.tool_demand_headroom - have, 0.0)
    model.tool_orders[sites] = order


def _pilot_line(model: WorldModel, fi: int, sites: np.ndarray) -> None:
    """R&D on an EUV node needs EUV scanners on a pilot line before any volume fab exists."""
    static, s = model.static, model.state
    if static.foundry_is_memory[fi] > 0:
        return
    m = research_target(static, s, fi)
    if m < 0 or static.needs_euv[m] <= 0:
        return
    from techrace.core.mechanisms.fabrication import EUV

    have = effective_tools(s)[sites, EUV].sum() + s.tool_pipeline[:, sites, EUV].sum()
    if have < PILOT_EUV:
        model.tool_orders[_home_site(model, fi, sites), EUV] += PILOT_EUV - have


def _staff(model: WorldModel, employer: int, base: float) -> None:
    """Process engineers scale with capacity relative to the start."""
    static, s = model.static, model.state
    sites = static.site_foundry == employer
    now = s.capacity[sites].sum() + s.hbm_tsv_wpm[sites].sum()
    start = model.start_capacity[employer]
    factor = now / start if start > 0 else 1.0
    s.eng_target[employer] = model.start_engineers[employer] * max(factor, 0.5)


def toolmaker_default(model: WorldModel, ti: int) -> list[Event]:
    static, s = model.static, model.state
    events: list[Event] = []
    spec = static.ruleset.toolmakers[static.toolmakers[ti]]
    subsidy = s.toolmaker_subsidy[ti]
    busy = s.tool_backlog[ti] > 0.1 * np.maximum(s.tool_capacity[ti], 1.0)
    growth = 0.01 + 0.04 * busy + 0.02 * min(subsidy, 5.0)
    s.tool_capacity[ti] *= 1.0 + np.where(s.tool_capacity[ti] > 0, growth, 0.0)
    employer = len(static.foundries) + ti
    talent = max(model.talent[employer], 0.05) ** 0.5
    from techrace.ruleset.schema import TOOL_KINDS

    for k, kind in enumerate(TOOL_KINDS):
        if s.tool_dev[ti, k] < 0 or kind not in spec.developing:
            continue
        dev = spec.developing[kind]
        per_quarter = dev.rd_cost_usd_b / dev.rd_quarters
        funding = 0.1 + 0.5 * subsidy
        s.tool_dev[ti, k] += min(1.0, funding / per_quarter) * min(talent, 1.5) / dev.rd_quarters
        if s.tool_dev[ti, k] >= 1.0:
            s.tool_dev[ti, k] = -1.0
            s.tool_capacity[ti, k] = max(s.tool_capacity[ti, k], dev.units_per_quarter)
            s.tool_price[ti, k] = dev.price_usd_m
            s.tool_lead[ti, k] = dev.lead_quarters
            events.append(Event(s.turn, model.quarter, "technology",
                                f"{spec.name} starts producing {kind.replace('_', ' ')} tools ({dev.units_per_quarter:g} per quarter)",
                                "its development programme finished", (static.toolmakers[ti],)))
    s.toolmaker_subsidy[ti] = 0.0
    return events


def chip_firm_default(model: WorldModel, ci: int) -> list[Event]:
    """Grow output, pick each market's best legal design, and design compliant variants when a
    threshold rule closes a market (the H20 response)."""
    static, s = model.static, model.state
    events: list[Event] = []
    s.target_units[ci] *= 1.0 + s.demand_growth[ci] * (1.0 - s.capex_cut.mean() if len(s.capex_cut) else 1.0)
    skus = np.flatnonzero((s.sku_firm == ci) & (s.sku_active > 0))
    skus = skus[skus < len(s.sku_names)]
    if len(skus) == 0:
        return events
    lic, eligible = model.licences, model.eligible
    h100e = s.sku_tflops * 16.0 / static.ruleset.technology.h100_tpp
    ready = s.sku_ready_turn[skus] <= s.turn
    share = np.zeros(static.sku_capacity)
    blocked_nations: set[int] = set()
    for lab in range(len(static.labs)):
        ok = eligible[skus, lab]
        if not ok.any():
            continue
        access = lic.chip_allowed[skus, lab] + 0.5 * lic.chip_grey[skus, lab]
        score = np.where(ok & ready, h100e[skus] * access, 0.0)
        if score.max() <= 0:
            continue
        share[skus[int(np.argmax(score))]] += s.capital[lab]
        if lic.chip_allowed[skus, lab][ok].max() < 0.5:
            blocked_nations.add(int(static.lab_nation[lab]))
    total = share.sum()
    s.sku_share[skus] = share[skus] / total if total > 0 else 0.0
    for nation in sorted(blocked_nations):
        events += _design_compliant(model, ci, skus, nation)
    return events


def _design_compliant(model: WorldModel, ci: int, skus: np.ndarray, nation: int) -> list[Event]:
    static, s = model.static, model.state
    code = static.nations[nation]
    firm_id = static.chip_firms[ci]
    best = int(skus[np.argmax(s.sku_tflops[skus])])
    name = f"{s.sku_names[best].split('-')[0]}-{code}"
    if name in s.sku_names:
        return []
    area = s.sku_area[best] * s.sku_dies[best]
    limit, rule_id = np.inf, ""
    for rid, rule in s.controls.items():
        if s.control_status.get(rid) != "active" or rule["kind"] != "chip_threshold" or code not in rule.get("destinations", []):
            continue
        allowed = compliant_tpp(rule, area)
        if allowed < limit:
            limit, rule_id = allowed, rid
    tflops = limit / 16.0
    design_quarters = max(sku.design_quarters for sku in static.ruleset.chip_firms[firm_id].skus.values())
    price = s.sku_price[best] * (tflops / max(s.sku_tflops[best], 1.0)) ** 0.5
    index = add_sku(static, s, name, ci, int(s.sku_node[best]), s.sku_area[best], int(s.sku_dies[best]),
                    s.sku_transistors[best], tflops, int(s.sku_stacks[best]), s.sku_hbm_level[best],
                    s.sku_power[best] * 0.6, price, s.turn + design_quarters)
    if index < 0:
        return []
    text = f"{static.ruleset.chip_firms[firm_id].name} designs {name} (TPP {tflops * 16:,.0f}) to sell to {code}"
    return [Event(s.turn, model.quarter, "market", text, f"{rule_id} closed {code} to its designs", (firm_id,))]


def compliant_tpp(rule: dict, die_area_mm2: float) -> float:
    """Highest TPP (with a 5% margin) a design of this die area may have and stay outside the rule:
    below `tpp`, and either below `tpp_with_density` or below `density` x area."""
    cap = rule.get("tpp") if rule.get("tpp") is not None else np.inf
    low, density = rule.get("tpp_with_density"), rule.get("density")
    if low is None or density is None:
        return 0.95 * cap
    by_density = min(cap, density * die_area_mm2)
    return 0.95 * max(min(cap, low), by_density)


def lab_default(model: WorldModel, li: int) -> None:
    static, s = model.static, model.state
    boost = static.ruleset.market.stockpile_boost * model.licences.stockpile[static.lab_nation[li]]
    model.lab_budget[li] = s.capital[li] * (1.0 - s.capex_cut[li]) * (1.0 + boost) * 1e9
    employer = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms) + li
    growth = (s.compute[li] / max(model.start_compute[li], 1.0)) ** 0.3
    s.eng_target[employer] = model.start_engineers[employer] * max(growth, 0.5)


def passive(model: WorldModel, index: int) -> None:
    """A policy that decides nothing (for experiments: what if this actor stood still?)."""
    return None
