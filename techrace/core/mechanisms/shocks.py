"""Shocks from the ruleset: scheduled, random per quarter under conditions, or fired by a military
move; effects are data (capacity offline and recovering, export halts, GDP hits, capex cuts,
breakthroughs, control enactment, and `adjust`: any adjustable state field set, added to or scaled)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms import adjust
from techrace.core.mechanisms.conditions import condition_holds
from techrace.core.mechanisms.economy import schedule_gdp_hit
from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import TOOL_KINDS, ShockSpec


def fire_shocks(static: Static, s: WorldState, rng: np.random.Generator, quarter: str,
                metrics: dict[str, np.ndarray], military: list[tuple[str, str]],
                enact: Callable[[str, str], list[Event]] | None = None) -> list[Event]:
    """Decide which shocks fire this turn and apply them. One draw per random shock per turn, always,
    so the random stream never depends on which shocks are eligible."""
    events: list[Event] = []
    shocks = static.ruleset.shocks
    ids = sorted(shocks)
    draws = rng.random(len(ids)) if ids else np.zeros(0)
    ordered_by = {shock_id: nation for nation, shock_id in military}
    for i, sid in enumerate(ids):
        spec = shocks[sid]
        status = s.shock_status[sid]
        if (spec.once and status["fired"] > 0) or status["until"] >= s.turn:
            continue
        when = _when(static, sid, spec)
        if spec.triggered_by_action:
            fired = sid in ordered_by and condition_holds(static, when, quarter, metrics)
        elif spec.at is not None:
            fired = spec.at == quarter and condition_holds(static, when, quarter, metrics)
        else:
            fired = draws[i] < spec.probability_per_quarter and condition_holds(static, when, quarter, metrics)
        if not fired:
            continue
        cause = _cause(spec, ordered_by.get(sid, ""))  # worded only for a shock that fires
        status["fired"] += 1
        status["until"] = s.turn + spec.lasts_quarters - 1
        effects = [effect.model_dump(mode="json") for effect in spec.effects]
        details = [apply_effect(static, s, effect, spec, sid) for effect in effects if effect["kind"] != "enact_control"]
        text = spec.description + ": " + "; ".join(d for d in details if d)
        events.append(Event(s.turn, quarter, "shock", text, cause, (sid,)))
        for effect in effects:  # rules a shock enacts take effect like any other, with their consequences and event
            if effect["kind"] == "enact_control" and enact is not None:
                events += enact(effect["control"], f"{spec.description} ({sid})")
    return events


def _cause(spec: ShockSpec, ordered_by: str) -> str:
    """Why a shock fired: the nation that ordered it, its schedule or its chance."""
    if spec.triggered_by_action:
        return f"{ordered_by} ordered it"
    if spec.at is not None:
        return f"scheduled for {spec.at}"
    return f"a {spec.probability_per_quarter:.0%} chance per quarter came up"


def apply_effect(static: Static, s: WorldState, effect: dict[str, Any], spec: ShockSpec, source: str = "") -> str:
    kind = effect["kind"]
    if kind == "adjust":
        return adjust.apply(static, s, effect, source)
    if kind == "capacity_offline":
        sites = static.site_nation == static.nations.index(effect["nation"])
        share = float(effect["share"])
        s.offline = np.where(sites, np.maximum(s.offline, share), s.offline)
        rate = share / effect["recovery_quarters"] if effect["recovery_quarters"] else 0.0
        s.offline_recovery = np.where(sites, rate, s.offline_recovery)
        until = s.turn + spec.lasts_quarters - 1
        s.export_halt_until.setdefault(f"offline:{effect['nation']}", until)
        s.export_halt_until[f"offline:{effect['nation']}"] = max(until, s.export_halt_until[f"offline:{effect['nation']}"])
        return f"{share:.0%} of {effect['nation']} fab capacity offline"
    if kind == "export_halt":
        until = s.turn + int(effect["quarters"]) - 1
        s.export_halt_until[effect["nation"]] = max(until, s.export_halt_until.get(effect["nation"], 0))
        return f"no exports from {effect['nation']} for {effect['quarters']} quarters"
    if kind == "gdp_shock":
        overrides = effect.get("nations_gdp", {})
        for i, code in enumerate(static.nations):
            schedule_gdp_hit(s, i, float(overrides.get(code, effect["world_gdp"])), int(effect["quarters"]))
        return f"world GDP {effect['world_gdp']:+.1%}"
    if kind == "capex_cut":
        s.capex_cut[:] = float(effect["share"])
        s.capex_cut_left[:] = float(effect["quarters"])
        return f"labs cut accelerator spending by {effect['share']:.0%} for {effect['quarters']} quarters"
    if kind == "tool_breakthrough":
        t = static.toolmakers.index(effect["firm"])
        k = TOOL_KINDS.index(effect["tool_kind"])
        s.tool_capacity[t, k] = max(s.tool_capacity[t, k], float(effect["units_per_quarter"]))
        if s.tool_price[t, k] <= 0:
            dev = static.ruleset.toolmakers[effect["firm"]].developing.get(effect["tool_kind"])
            s.tool_price[t, k] = dev.price_usd_m if dev else 100.0
            s.tool_lead[t, k] = dev.lead_quarters if dev else 2
        s.tool_dev[t, k] = -1.0
        return f"{effect['firm']} produces {effect['units_per_quarter']:g} {effect['tool_kind']} tools per quarter"
    if kind == "node_breakthrough":
        f = static.foundries.index(effect["firm"])
        m = static.nodes.index(effect["node"])
        s.mastered[f, : m + 1] = 1.0
        s.rd_progress[f, : m + 1] = 1.0
        s.d0[f, m] = static.d0_initial[m]
        return f"{effect['firm']} masters {effect['node']}"
    if kind == "enact_control":
        rule = effect["control"]
        if rule in s.control_status and s.control_status[rule] != "active":
            s.control_status[rule] = "active"
            return f"control {rule} enacted"
        return ""
    raise ValueError(f"unknown effect kind {kind!r}")


def recover(static: Static, s: WorldState) -> None:
    """Offline capacity recovers linearly; shocks that ended release what they held; adjustments that
    ended are undone and lasting ones of flows applied again."""
    adjust.expire_and_repeat(s)
    s.offline = np.maximum(s.offline - s.offline_recovery, 0.0)
    for key in sorted(s.export_halt_until):
        if key.startswith("offline:") and s.export_halt_until[key] < s.turn:
            sites = static.site_nation == static.nations.index(key.split(":", 1)[1])
            s.offline = np.where(sites, 0.0, s.offline)
            del s.export_halt_until[key]


def _when(static: Static, sid: str, spec: ShockSpec) -> dict | None:
    """A shock's `when:` condition as a plain dict (what condition_holds reads), dumped once a game."""
    key = ("shock_when", sid)
    found = static.cache.get(key)
    if found is None or found[0] is not spec:
        found = static.cache[key] = (spec, spec.when.model_dump(mode="json", by_alias=True) if spec.when else None)
    return found[1]


def halted_sites(static: Static, s: WorldState) -> np.ndarray:
    halted = np.zeros(len(static.sites), dtype=bool)
    for key, until in s.export_halt_until.items():
        if not key.startswith("offline:") and until >= s.turn and key in static.nations:
            halted |= static.site_nation == static.nations.index(key)
    return halted


def exports_halted(static: Static, s: WorldState) -> bool:
    """Whether a shock halts some nation's exports this turn (a blockade, an invasion; `halted_sites` for where)."""
    return any(until >= s.turn and key in static.nations for key, until in s.export_halt_until.items())
