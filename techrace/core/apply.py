"""Apply actions (a player's or a computer player's) to the world, and explain their consequences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from techrace.core.actions import Action, regulator_of
from techrace.core.events import Event
from techrace.core.mechanisms.fabrication import ARF, EUV
from techrace.core.mechanisms.timeline import on_activate
from techrace.ruleset.schema import TOOL_KINDS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

PAY_COST_USD_B = 2.0  # per quarter per +0.1 pay index above the ruleset level, scaled by GDP share - P


@dataclass(frozen=True)
class Preview:
    budget_usd_b: float
    notes: str


def preview(model: WorldModel, action: Action) -> Preview:
    """What an action costs this quarter from the nation's budget, and what it will do."""
    static, s = model.static, model.state
    n = static.nations.index(action.nation)
    spec = static.ruleset.nations[action.nation]
    p = action.params
    budget = float(s.budget[n])
    if action.kind == "subsidy":
        cost = float(p.get("usd_b", 0))
        return Preview(cost, f"{p.get('firm')} receives ${cost:g}bn (budget this quarter ${budget:.2f}bn)")
    if action.kind == "power_buildout":
        cost = float(p.get("extra_gw", 0)) * spec.power_cost_usd_b_per_gw
        return Preview(cost, f"+{float(p.get('extra_gw', 0)):g} GW of AI power now (budget ${budget:.2f}bn)")
    if action.kind == "pay_policy":
        cost = _pay_cost(model, n, float(p.get("pay_index", s.pay[n])))
        return Preview(cost, f"costs ${cost:.2f}bn per quarter while above the ruleset's pay level")
    if action.kind == "entity_list":
        tools = _tools_losing_service(model, list(p.get("entities", [])), action.nation)
        return Preview(0.0, f"listed sites lose servicing of {tools:,.0f} tools from your and allied makers")
    return Preview(0.0, "no direct budget cost")


def _pay_cost(model: WorldModel, n: int, pay: float) -> float:
    base = model.static.ruleset.nations[model.static.nations[n]].pay_index
    return max(0.0, pay - base) * 10.0 * PAY_COST_USD_B * model.static.ruleset.nations[model.static.nations[n]].gdp_usd_t / 29.0


def apply_action(model: WorldModel, action: Action) -> list[Event]:
    static, s = model.static, model.state
    n = static.nations.index(action.nation)
    p = action.params
    quarter = model.quarter
    kind = action.kind
    if kind == "subsidy":
        amount = min(float(p["usd_b"]), max(float(s.budget[n]), 0.0))
        s.budget[n] -= amount
        firm = p["firm"]
        if firm in static.foundries:
            fi = static.foundries.index(firm)
            s.cash[fi] += amount
            s.subsidy[fi] += amount
        elif firm in static.toolmakers:
            s.toolmaker_subsidy[static.toolmakers.index(firm)] += amount
        elif firm in static.chip_firms:
            ci = static.chip_firms.index(firm)
            prices = s.sku_price[(s.sku_firm == ci) & (s.sku_active > 0)]
            s.target_units[ci] += amount * 1e9 / max(float(prices.mean()) if len(prices) else 10000.0, 1.0) * 0.25
        elif firm in static.labs:
            s.capital[static.labs.index(firm)] += amount
        return []
    if kind == "power_buildout":
        cost_per_gw = static.ruleset.nations[action.nation].power_cost_usd_b_per_gw
        gw = float(p["extra_gw"])
        if cost_per_gw > 0:
            gw = min(gw, max(float(s.budget[n]), 0.0) / cost_per_gw)
        s.budget[n] -= gw * cost_per_gw
        s.power_gw[n] += gw
        return []
    if kind == "visa_policy":
        s.visa[n] = float(p["visa_openness"])
        return [Event(s.turn, quarter, "policy", f"{action.nation} sets visa openness to {s.visa[n]:.2f}", "a policy decision", (action.nation,))]
    if kind == "pay_policy":
        s.pay[n] = float(p["pay_index"])
        return [Event(s.turn, quarter, "policy", f"{action.nation} sets engineering pay to {s.pay[n]:.2f}x the US level", "a policy decision", (action.nation,))]
    if kind == "centralisation":
        before = s.centralisation[n]
        s.centralisation[n] = float(p["share"])
        if abs(before - s.centralisation[n]) < 1e-9:
            return []
        return [Event(s.turn, quarter, "policy", f"{action.nation} pools {s.centralisation[n]:.0%} of its AI compute for national runs",
                      "it trails its rival" if model.is_ai(n) else "a policy decision", (action.nation,))]
    if kind == "military":
        return []  # fired in the shock phase of the same turn
    regulator = regulator_of(static.ruleset, action.nation)
    if kind in ("licence_exception", "lift_control", "enact_control"):
        rule_id = p["control"]
        if kind == "enact_control":
            return model.enact(rule_id, f"{action.nation} decided it")
        if kind == "lift_control":
            s.control_status[rule_id] = "expired"
            return [Event(s.turn, quarter, "control", f"{regulator} lifts {rule_id}", f"{action.nation} decided it", (regulator or "", rule_id))]
        rule = dict(s.controls[rule_id])
        rule["licence_share"] = float(p["licence_share"])
        rule["licence_revenue_share"] = float(p.get("licence_revenue_share", 0.0))
        s.controls[rule_id] = rule
        return [Event(s.turn, quarter, "control",
                      f"{regulator} licenses {rule['licence_share']:.0%} of trade under {rule_id} for {rule['licence_revenue_share']:.0%} of revenue",
                      f"{action.nation} decided it", (regulator or "", rule_id))]
    rule = _rule_from_action(action, regulator or "")
    s.action_counter += 1
    rule_id = f"{action.nation.lower()}_{kind}_{s.action_counter}"
    s.controls = dict(sorted({**s.controls, rule_id: rule}.items()))
    s.control_status[rule_id] = "inactive"
    return model.enact(rule_id, f"{action.nation} decided it")


def _rule_from_action(action: Action, regulator: str) -> dict[str, Any]:
    p = action.params
    base: dict[str, Any] = {"regulator": regulator, "description": "", "announced": None, "effective": None,
                            "expires": None, "when": None, "destinations": [], "sellers": [], "tool_kinds": [],
                            "entities": [], "tier_caps_h100e": {}, "licence_share": 0.0, "licence_revenue_share": 0.0,
                            "mineral_cost_share": 0.0, "mineral_gdp_hit": 0.0}
    kind = action.kind
    if kind == "entity_list":
        entities = _as_list(p["entities"])
        base.update(kind="entity_list", entities=entities, description=f"{regulator} adds {', '.join(entities)} to the entity list")
    elif kind == "chip_threshold":
        base.update(kind="chip_threshold", tpp=float(p["tpp"]), tpp_with_density=_opt(p.get("tpp_with_density")),
                    density=_opt(p.get("density")), destinations=_as_list(p["destinations"]),
                    description=f"{regulator} controls accelerators with TPP >= {float(p['tpp']):,.0f}")
    elif kind == "tool_ban":
        kinds = _as_list(p["tool_kinds"])
        base.update(kind="tool_list", tool_kinds=kinds, destinations=_as_list(p["destinations"]),
                    node_nm_at_or_below=_opt(p.get("node_nm_at_or_below")),
                    description=f"{regulator} bans {', '.join(kinds)} tools to {', '.join(_as_list(p['destinations']))}")
    elif kind == "servicing_ban":
        kinds = _as_list(p["tool_kinds"])
        base.update(kind="servicing_ban", tool_kinds=kinds, destinations=_as_list(p["destinations"]),
                    description=f"{regulator} bans servicing of {', '.join(kinds)} tools in {', '.join(_as_list(p['destinations']))}")
    elif kind == "retaliation":
        base.update(kind="mineral", destinations=_as_list(p["destinations"]), mineral_cost_share=float(p["mineral_cost_share"]),
                    mineral_gdp_hit=float(p["mineral_cost_share"]) * 0.02,
                    description=f"{regulator} licenses critical minerals to {', '.join(_as_list(p['destinations']))}")
    else:
        raise ValueError(f"action {kind!r} does not make a rule")
    return base


def consequence(model: WorldModel, rule: dict[str, Any]) -> str:
    """A short clause saying what a rule does to whom, for the event log."""
    static, s = model.static, model.state
    if rule["kind"] == "entity_list":
        reg = static.ruleset.regulators[rule["regulator"]]
        count = _tools_losing_service(model, rule.get("entities", []), reg.nation)
        names = ", ".join(rule.get("entities", []))
        return f"{names} loses servicing of {count:,.0f} DUV tools" if count >= 1 else f"{names} is cut off from bound sellers"
    if rule["kind"] in ("tool_list", "servicing_ban"):
        dests = [static.nations.index(c) for c in rule.get("destinations", []) if c in static.nations]
        sites = np.isin(static.site_nation, dests)
        kinds = [TOOL_KINDS.index(k) for k in rule.get("tool_kinds", [])]
        installed = s.tools[sites][:, :, kinds].sum() if kinds else 0.0
        verb = "can no longer buy" if rule["kind"] == "tool_list" else "lose servicing of"
        return f"fabs in {', '.join(rule.get('destinations', []))} {verb} {', '.join(rule.get('tool_kinds', []))} tools ({installed:,.0f} installed)"
    if rule["kind"] == "chip_threshold":
        return f"accelerators above TPP {rule.get('tpp') or 0:,.0f} need a licence for {', '.join(rule.get('destinations', []))}"
    if rule["kind"] == "mineral":
        return f"toolmakers in {', '.join(rule.get('destinations', []))} lose {rule.get('mineral_cost_share', 0):.0%} of output"
    return ""


def _tools_losing_service(model: WorldModel, entities: list[str], nation: str) -> float:
    static, s = model.static, model.state
    reg_id = regulator_of(static.ruleset, nation)
    reach = {nation}
    if reg_id:
        reach |= set(static.ruleset.regulators[reg_id].fdpr_reach)
    makers = np.array([static.ruleset.toolmakers[t].nation in reach for t in static.toolmakers])
    sites = np.array([sid in entities or static.foundries[static.site_foundry[i]] in entities for i, sid in enumerate(static.sites)])
    if not sites.any() or not makers.any():
        return 0.0
    return float(s.tools[np.ix_(sites, makers, [ARF, EUV])].sum())


def apply_enactment(model: WorldModel, rule_id: str) -> None:
    s = model.state
    s.control_status[rule_id] = "active"
    on_activate(model.static, s, s.controls[rule_id])


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", " ").split() if v.strip()]
    return [str(v) for v in value]


def _opt(value: Any) -> float | None:
    return None if value in (None, "") else float(value)
