"""The default regulator policy, tuned by its personality (`RegulatorPolicyParams`).

A regulator enacts prepared rules (rules in the ruleset with no `effective` date) when their `when`
condition holds; a hawk also enacts its next prepared rule when its nation's lead over the best rival
falls below a margin, a dove lifts its latest escalation when the lead is comfortable, and a regulator
with rules to `retaliate_with` enacts them when a rival's new rule starts to bind its nation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms.conditions import condition_holds, condition_words
from techrace.ruleset.schema import RegulatorPolicyParams

if TYPE_CHECKING:
    from techrace.core.model import WorldModel
    from techrace.core.static import Static


def regulator_default(model: WorldModel, idx: np.ndarray, params: RegulatorPolicyParams | None = None) -> list[Event]:
    params = params or RegulatorPolicyParams()
    events: list[Event] = []
    static = model.static
    nation_of = _nation_of(static)
    for r in idx.tolist():
        events += _regulate(model, static.regulators[r], params, nation_of[r])
    return events


def _nation_of(static: Static) -> list[int]:
    """Each regulator's nation (its index), once a game: a regulator never changes nation."""
    nations = static.cache.get("regulator_nations")
    if nations is None:
        nations = static.cache["regulator_nations"] = [static.nations.index(static.ruleset.regulators[code].nation)
                                                       for code in static.regulators]
    return nations


def _prepared(model: WorldModel, regulator: str) -> list[str]:
    """This regulator's prepared rules, in id order (do not change the list). Every regulator's at once,
    once a quarter: regulators enact and lift rules, which moves their status, never the rules themselves;
    a rule added (a retaliation, in the nations' phase) changes the count and rebuilds them."""
    controls = model.state.controls
    table = model.turn_cache.get("prepared_rules")
    if table is None or table[0] != len(controls):
        by_regulator: dict[str, list[str]] = {}
        for rid in sorted(controls):
            rule = controls[rid]
            if not rule.get("effective"):
                by_regulator.setdefault(rule["regulator"], []).append(rid)
        table = model.turn_cache["prepared_rules"] = (len(controls), by_regulator)
    return table[1].get(regulator, [])


def _regulate(model: WorldModel, regulator: str, p: RegulatorPolicyParams, nation: int) -> list[Event]:
    static, s = model.static, model.state
    prepared = _prepared(model, regulator)
    waiting = [rid for rid in prepared if s.control_status[rid] == "inactive"]
    events: list[Event] = []
    if p.escalate:
        for rid in waiting:
            when = s.controls[rid].get("when")
            if when and condition_holds(static, when, model.quarter, model.metrics_before):
                held = condition_words(when)
                events += model.enact(rid, f"its condition held in {model.quarter}" + (f": {held}" if held else ""))
    if s.new_controls_against[nation] > 0:
        for rid in p.retaliate_with:
            if rid in s.controls and s.control_status.get(rid) != "active":
                events += model.enact(rid, f"{regulator} answers a rival's new controls against {static.nations[nation]}")
    lead = _lead(model, nation)
    if lead is None:
        return events
    if p.escalate_when_lead_below is not None and lead < p.escalate_when_lead_below and not events:
        still_waiting = [rid for rid in waiting if s.control_status[rid] == "inactive"]
        if still_waiting:
            events += model.enact(still_waiting[0], f"the lead over its rival fell to {lead:.1f} points")
    if p.deescalate_when_lead_above is not None and lead > p.deescalate_when_lead_above:
        active = [rid for rid in prepared if s.control_status[rid] == "active"]
        if active:
            events += model.lift(active[-1], f"the lead over its rival is {lead:.1f} points")
    return events


def _lead(model: WorldModel, nation: int) -> float | None:
    """The nation's capability lead over its best rival (None without a rival), for every nation once a
    quarter: nothing decided in the quarter moves capability."""
    leads = model.turn_cache.get("rival_lead")
    if leads is None:
        best, has = best_rival(model)
        leads = model.turn_cache["rival_lead"] = [own - rival if found else None for own, rival, found in
                                                  zip(model.state.capability.tolist(), best, has, strict=True)]
    return leads[nation]


def best_rival(model: WorldModel) -> tuple[list[float], list[bool]]:
    """Each nation's best rival capability in the game (-inf without one) and whether it has one, once a
    quarter (regulators' leads and nations' gaps both start from it); plain Python over a few nations."""
    found = model.turn_cache.get("best_rival")
    if found is None:
        static, s = model.static, model.state
        rivals = static.cache.get("rival_lists")
        if rivals is None:  # once a game
            rivals = static.cache["rival_lists"] = [np.flatnonzero(row).tolist() for row in static.blocs.rival]
        alive, capability = (s.collapsed <= 0).tolist(), s.capability.tolist()
        best, has = [], []
        for mine in rivals:
            values = [capability[j] for j in mine if alive[j]]
            best.append(max(values) if values else -np.inf)
            has.append(bool(values))
        found = model.turn_cache["best_rival"] = (best, has)
    return found
