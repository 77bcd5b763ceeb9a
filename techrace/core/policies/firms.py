"""Default decision policies of firms: foundries and memory makers, toolmakers, chip firms, labs.

A policy is called once per turn with the indices of every agent of its kind that uses it, and
decides for all of them at once over numpy arrays (agents sharing a policy are grouped like a Mesa
AgentSet groupby). It writes its decisions (budgets, targets, orders) into the world state; the
markets then clear them for everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms.fabrication import ARF, EUV, effective_tools, start_construction
from techrace.core.state import add_sku
from techrace.ruleset.schema import TOOL_KINDS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

SHELL_SHARE = 0.25          # share of fab capex that is the building (tools are bought separately), §1e 70-80% tools
ORDER_HORIZON = 4           # order tools for capacity completing within this many quarters
RAMP_WPM = 20000.0          # first fab on a newly mastered node
PILOT_EUV = 2.0             # EUV scanners on an R&D pilot line
RD_SHARE_OF_REVENUE = 0.12  # P
HBM_CAPEX_PER_WPM = 120000.0  # P
PACKAGING_CAPEX_PER_UNIT = 2000.0  # USD per package per quarter of CoWoS-class capacity - P


def research_targets(model: WorldModel) -> np.ndarray:
    """Next node each foundry researches (-1: none): the first unmastered node after a mastered one."""
    s = model.state
    unmastered = s.mastered <= 0
    first = np.argmax(unmastered, axis=1)
    rows = np.arange(len(first))
    previous_ok = (first == 0) | (s.mastered[rows, np.maximum(first - 1, 0)] > 0)
    return np.where(unmastered.any(axis=1) & previous_ok, first, -1)


def foundry_default(model: WorldModel, idx: np.ndarray) -> None:
    static, s = model.static, model.state
    memory = static.foundry_is_memory[idx] > 0
    target = research_targets(model)[idx]
    tech = static.ruleset.technology
    logic_cost = np.where(target >= 0, static.rd_cost[target] / static.rd_quarters[target], 0.0)
    per_quarter = np.where(memory, tech.hbm_rd_cost_usd_b / tech.hbm_rd_quarters, logic_cost)
    # R&D at up to 1.2x the fully funded rate, paid from revenue (at most 12% of it, §1e TSMC ~8%) and
    # from industrial-policy subsidies; a trailing-edge firm cannot fund a leading-node programme alone
    affordable = np.minimum(np.maximum(s.cash[idx], 0.0) * 0.3, RD_SHARE_OF_REVENUE * s.revenue_last[idx] + 0.5 * s.subsidy[idx])
    s.rd_budget[idx] = np.minimum(affordable, per_quarter * 1.2)
    s.cash[idx] -= s.rd_budget[idx]
    budget = np.maximum(s.cash[idx], 0.0) * 0.5
    _build_fabs(model, idx[~memory], budget[~memory])
    _grow_hbm(model, idx[memory], budget[memory])
    chosen = np.zeros(len(static.foundries), dtype=bool)
    chosen[idx] = True
    _grow_packaging(model, chosen & (static.foundry_is_memory == 0))
    model.tool_orders += tool_needs(model) * chosen[static.site_foundry][:, None]
    _pilot_lines(model, idx[~memory], target[~memory])
    _staff(model, idx)


def _build_fabs(model: WorldModel, idx: np.ndarray, budget: np.ndarray) -> None:
    """Build where wafer demand went unmet, and a first fab on each newly mastered leading node."""
    static, s = model.static, model.state
    if len(idx) == 0:
        return
    own = static.site_foundry[None, :] == idx[:, None]                    # (f, site)
    site_cap = s.capacity + s.construction.sum(axis=2)                      # (site, node)
    per_site = np.where(own[:, :, None], site_cap[None, :, :], -1.0)        # (f, site, node)
    total = np.maximum(per_site, 0.0).sum(axis=1)                           # (f, node)
    leading = np.arange(len(static.nodes)) >= len(static.nodes) - 3
    mastered = s.mastered[idx] > 0
    ramp = mastered & leading[None, :] & (total < RAMP_WPM * 0.5)
    grow = np.minimum(s.wafer_unmet[idx] / 3.0 / np.maximum(model.ai_share, 0.05)[None, :], total * 0.15 + 5000.0)
    wpm = np.where(ramp, RAMP_WPM, np.where(mastered & (s.wafer_unmet[idx] > 0), grow, 0.0))
    cost = static.capex_per_wpm[None, :] * SHELL_SHARE * wpm / 1e9
    spent_before = np.cumsum(cost, axis=1) - cost
    affordable = np.clip(budget[:, None] - spent_before, 0.0, None)
    scale = np.where(cost > 0, np.minimum(1.0, affordable / np.maximum(cost, 1e-12)), 0.0)
    wpm = wpm * scale
    wpm = np.where(wpm >= 1000.0, wpm, 0.0)
    if not wpm.any():
        return
    best_site = np.argmax(per_site, axis=1)                                  # (f, node)
    home = np.array([_home_site(model, int(f)) for f in idx])
    for fi, m in zip(*np.nonzero(wpm), strict=True):
        site = best_site[fi, m] if total[fi, m] > 0 else home[fi]
        start_construction(static, s, int(site), int(m), float(wpm[fi, m]))
    s.cash[idx] -= (static.capex_per_wpm[None, :] * SHELL_SHARE * wpm / 1e9).sum(axis=1)


def _grow_hbm(model: WorldModel, idx: np.ndarray, budget: np.ndarray) -> None:
    """Memory makers with unmet HBM demand grow their largest TSV line (up to 6% a quarter)."""
    static, s = model.static, model.state
    grow = idx[s.hbm_unmet[idx] > 0]
    if len(grow) == 0:
        return
    money = budget[s.hbm_unmet[idx] > 0]
    own = static.site_foundry[None, :] == grow[:, None]
    site = np.argmax(np.where(own, s.hbm_tsv_wpm[None, :], -1.0), axis=1)
    add = np.maximum(np.minimum(s.hbm_tsv_wpm[site] * 0.06, money * 1e9 / (HBM_CAPEX_PER_WPM * SHELL_SHARE)), 0.0)
    np.add.at(s.hbm_tsv_wpm, site, add)
    s.cash[grow] -= add * HBM_CAPEX_PER_WPM * SHELL_SHARE / 1e9


def _grow_packaging(model: WorldModel, chosen: np.ndarray) -> None:
    """Packaging lines grow (up to 8% a quarter) while their bloc's designers wait for packages."""
    static, s = model.static, model.state
    china = static.is_china_bloc[static.site_nation] > 0
    unmet = np.where(china, s.packaging_unmet[1], s.packaging_unmet[0])
    pool = np.where(china, s.packaging[china].sum(), s.packaging[~china].sum())
    mine = chosen[static.site_foundry] & (s.packaging > 0) & (unmet > 0)
    if not mine.any():
        return
    add = np.where(mine, s.packaging * np.minimum(0.08, unmet / np.maximum(pool, 1.0)), 0.0)
    s.packaging += add
    np.subtract.at(s.cash, static.site_foundry, add * PACKAGING_CAPEX_PER_UNIT / 1e9)


def _home_site(model: WorldModel, fi: int) -> int:
    static = model.static
    sites = np.flatnonzero(static.site_foundry == fi)
    home = sites[static.site_nation[sites] == static.foundry_nation[fi]]
    return int(home[0] if len(home) else sites[0])


def tool_needs(model: WorldModel) -> np.ndarray:
    """Tools every site should order this quarter (computed once per turn for all sites): enough for
    its capacity and the fabs completing within ORDER_HORIZON, less what is installed or in transit."""
    cached = model.turn_cache.get("tool_needs")
    if cached is not None:
        return cached
    static, s = model.static, model.state
    req = static.tools_per_kwpm / 1000.0
    planned = s.capacity + s.construction[:, :, :ORDER_HORIZON].sum(axis=2)
    need = planned @ req
    need[:, ARF] += (planned * s.duv_share * req[:, ARF] * (static.mp_arf - 1.0)).sum(axis=1)
    need += np.outer(s.hbm_tsv_wpm, static.hbm_tools_per_kwpm / 1000.0)
    have = effective_tools(s) + s.tool_pipeline.sum(axis=(0, 3))
    orders = np.maximum(need * static.ruleset.market.tool_demand_headroom - have, 0.0)
    model.turn_cache["tool_needs"] = orders
    return orders


def _pilot_lines(model: WorldModel, idx: np.ndarray, target: np.ndarray) -> None:
    """R&D on an EUV node needs EUV scanners on a pilot line before any volume fab exists."""
    static, s = model.static, model.state
    euv_node = (target >= 0) & (static.needs_euv[np.maximum(target, 0)] > 0)
    if not euv_node.any():
        return
    per_site = effective_tools(s)[:, EUV] + s.tool_pipeline[:, :, EUV].sum(axis=(0, 2))
    have = np.bincount(static.site_foundry, weights=per_site, minlength=len(static.foundries))
    for fi in idx[euv_node]:
        if have[fi] < PILOT_EUV:
            model.tool_orders[_home_site(model, int(fi)), EUV] += PILOT_EUV - have[fi]


def _staff(model: WorldModel, idx: np.ndarray) -> None:
    """Engineers scale with capacity relative to the start."""
    static, s = model.static, model.state
    now = np.bincount(static.site_foundry, weights=s.capacity.sum(axis=1) + s.hbm_tsv_wpm, minlength=len(static.foundries))
    start = model.start_capacity
    factor = np.where(start > 0, now / np.maximum(start, 1e-12), 1.0)[idx]
    s.eng_target[idx] = model.start_engineers[idx] * np.maximum(factor, 0.5)[:, None]


def toolmaker_default(model: WorldModel, idx: np.ndarray) -> list[Event]:
    """Expand lines with a backlog (faster with subsidies); fund development of new lines."""
    static, s = model.static, model.state
    events: list[Event] = []
    subsidy = s.toolmaker_subsidy[idx]
    busy = s.tool_backlog[idx] > 0.1 * np.maximum(s.tool_capacity[idx], 1.0)
    growth = 0.01 + 0.04 * busy + 0.02 * np.minimum(subsidy, 5.0)[:, None]
    s.tool_capacity[idx] *= 1.0 + np.where(s.tool_capacity[idx] > 0, growth, 0.0)
    talent = np.minimum(np.sqrt(np.maximum(model.talent[len(static.foundries) + idx], 0.05)), 1.5)
    for row, k in zip(*np.nonzero(s.tool_dev[idx] >= 0), strict=True):
        ti = int(idx[row])
        spec = static.ruleset.toolmakers[static.toolmakers[ti]]
        kind = TOOL_KINDS[k]
        if kind not in spec.developing:
            continue
        dev = spec.developing[kind]
        funding = 0.1 + 0.5 * subsidy[row]
        luck = model.luck["tool_dev"][ti, k]
        s.tool_dev[ti, k] += min(1.0, funding / (dev.rd_cost_usd_b / dev.rd_quarters)) * talent[row] * luck / dev.rd_quarters
        if s.tool_dev[ti, k] >= 1.0:
            s.tool_dev[ti, k] = -1.0
            s.tool_capacity[ti, k] = max(s.tool_capacity[ti, k], dev.units_per_quarter)
            s.tool_price[ti, k] = dev.price_usd_m
            s.tool_lead[ti, k] = dev.lead_quarters
            events.append(Event(s.turn, model.quarter, "technology",
                                f"{spec.name} starts producing {kind.replace('_', ' ')} tools ({dev.units_per_quarter:g} per quarter)",
                                "its development programme finished", (static.toolmakers[ti],)))
    s.toolmaker_subsidy[idx] = 0.0
    return events


def chip_firm_default(model: WorldModel, idx: np.ndarray) -> list[Event]:
    """Grow output, pick each market's best legal design, and design compliant variants when a
    threshold rule closes a market (the H20 response)."""
    static, s = model.static, model.state
    events: list[Event] = []
    cut = float(s.capex_cut.mean()) if len(s.capex_cut) else 0.0
    decay = static.ruleset.market.growth_decay_per_quarter ** s.turn
    s.target_units[idx] *= 1.0 + s.demand_growth[idx] * decay * (1.0 - cut)
    lic, eligible = model.licences, model.eligible
    n = len(s.sku_names)
    h100e = s.sku_tflops[:n] * 16.0 / static.ruleset.technology.h100_tpp
    ready = (s.sku_ready_turn[:n] <= s.turn) & (s.sku_active[:n] > 0)
    # firms plan for legal sales only: grey-market buyers are not a market a firm can plan for
    score = np.where(eligible[:n] & ready[:, None], h100e[:, None] * lic.chip_allowed[:n], 0.0)   # (sku, lab)
    foreign = static.chip_firm_nation[s.sku_firm[:n].astype(np.int64)][:, None] != static.lab_nation[None, :]
    score = np.where(foreign & (lic.tier_cap[static.lab_nation] <= 0)[None, :], 0.0, score)  # country tiers
    legal = np.where(eligible[:n], lic.chip_allowed[:n], -1.0)
    firm_of = s.sku_firm[:n].astype(np.int64)
    active = s.sku_active[:n] > 0
    mine = (firm_of[None, :] == idx[:, None]) & active[None, :]                  # (firm, sku)
    firm_score = np.where(mine[:, :, None], score[None, :, :], 0.0)            # (firm, sku, lab)
    best = np.argmax(firm_score, axis=1)                                         # (firm, lab)
    buys = firm_score.max(axis=1) > 0
    share = np.zeros(static.sku_capacity)
    np.add.at(share, best[buys], np.broadcast_to(s.capital, buys.shape)[buys])
    total = np.where(mine, share[None, :n], 0.0).sum(axis=1)                     # each firm's planned sales
    firm_total = (mine * total[:, None]).sum(axis=0)                             # ... seen from each SKU
    planned = mine.any(axis=0)
    s.sku_share[:n] = np.where(planned, np.where(firm_total > 0, share[:n] / np.maximum(firm_total, 1e-300), 0.0), s.sku_share[:n])
    customer = (mine[:, :, None] & eligible[None, :n, :]).any(axis=1)            # (firm, lab)
    best_legal = np.where(mine[:, :, None] & eligible[None, :n, :], legal[None, :, :], -1.0).max(axis=1)
    blocked = customer & (best_legal < 0.5)
    for row, lab_nation in sorted({(int(r), int(static.lab_nation[c])) for r, c in zip(*np.nonzero(blocked), strict=True)}):
        events += _design_compliant(model, int(idx[row]), np.flatnonzero(mine[row]), lab_nation)
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
    if not np.isfinite(limit) or limit <= 0:
        return []
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


def lab_default(model: WorldModel, idx: np.ndarray) -> None:
    """Spend this quarter's capital (more when a rule against the lab's nation is announced)."""
    static, s = model.static, model.state
    boost = static.ruleset.market.stockpile_boost * model.licences.stockpile[static.lab_nation[idx]]
    model.lab_budget[idx] = s.capital[idx] * (1.0 - s.capex_cut[idx]) * (1.0 + boost) * 1e9
    employer = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms) + idx
    growth = (s.compute[idx] / np.maximum(model.start_compute[idx], 1.0)) ** 0.3
    s.eng_target[employer] = model.start_engineers[employer] * np.maximum(growth, 0.5)[:, None]


def passive(model: WorldModel, idx: np.ndarray) -> list:
    """A policy that decides nothing (for experiments: what if these actors stood still?)."""
    return []
