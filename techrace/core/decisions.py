"""The decision phase of a quarter: standing orders, the player's orders, then every computer player.

Agents of each kind are grouped by policy name with Mesa (`model.agents_by_type[...].groupby(...)`), and one
call of a group's policy decides for all its agents over numpy arrays. A player's nation is decided by the
player for the lever groups it holds and by its advisor (the nation's computer policy) for the groups it has
handed over (`advisor` lever); ordering a lever of a handed-over group takes that group back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from techrace.core.actions import Action
from techrace.core.agents import ChipFirm, Foundry, Lab, Nation, Regulator, ToolMaker
from techrace.core.events import Event
from techrace.core.levers import LEVER_GROUPS, LEVERS
from techrace.core.levers.base import positions
from techrace.core.levers.nation import SubsidyLedger
from techrace.core.markets import chips, talent
from techrace.core.mechanisms import controls, standing
from techrace.core.policies.nations import nation_default, nation_orders

if TYPE_CHECKING:
    from techrace.core.model import WorldModel


def decide(model: WorldModel, orders: list[Action]) -> list[Event]:
    st, s = model.static, model.state
    budget = s.budget.copy()
    events = standing.charge(st, s, model.quarter)
    events += player_orders(model, orders)
    events += _nations(model)
    events += _regulators(model)
    s.budget_spent = budget - s.budget  # standing orders and this quarter's orders; the rest is not carried over
    model.licences = controls.compute_licences(st, s)
    model.eligible = chips.eligibility(st, s)
    model.talent = talent.talent_index(st, s, model.talent_reference)
    model.tool_orders = np.zeros((len(st.sites), s.tools.shape[2]))
    model.lab_budget = np.zeros(len(st.labs))
    designs = list(s.sku_names)
    for kind in (Foundry, ToolMaker, ChipFirm, Lab):
        for function, params, idx in policy_groups(model, kind):
            events += function(model, idx, params) or []
    if s.sku_names != designs:  # new or retired designs: their licences and buyers
        model.licences = controls.compute_licences(st, s)
        model.eligible = chips.eligibility(st, s)
    return events


def policy_groups(model: WorldModel, kind: type, include: np.ndarray | None = None) -> list[tuple[Any, Any, np.ndarray]]:
    """(policy function, parameters, agent indices) per policy name among the agents of a kind, in agent order.

    An agent's policy never changes during a game, so Mesa's grouping is done once per kind; only the
    `include` mask (over the agents' indices: in the game, decided by the computer) is applied each quarter,
    and the groups of a mask seen before are reused."""
    agents = model.agents_by_type[kind]
    cached = model._group_cache.get(kind)
    if cached is None or cached[0] != len(agents):
        groups = agents.groupby("policy_name", result_type="list").groups
        everyone = [(group[0].policy, group[0].params, _indices(group)) for group in groups.values()]
        cached = model._group_cache[kind] = (len(agents), list(agents), everyone)
    if include is None:
        return cached[2]
    key = (kind, len(agents), include.tobytes())  # the same agents decide quarter after quarter (until a nation collapses)
    found = model._group_cache.get(key)
    if found is None:
        chosen: dict[str, list[Any]] = {}
        for agent in (agent for agent in cached[1] if include[agent.index]):
            chosen.setdefault(agent.policy_name, []).append(agent)
        found = model._group_cache[key] = [(group[0].policy, group[0].params, _indices(group)) for group in chosen.values()]
    return found


def _indices(agents: list[Any]) -> np.ndarray:
    idx = np.array([a.index for a in agents], dtype=np.int64)
    idx.setflags(write=False)
    return idx


def player_orders(model: WorldModel, orders: list[Action]) -> list[Event]:
    """Apply the player's orders; an order in a group the advisor holds takes that group back."""
    st, s = model.static, model.state
    events: list[Event] = []
    for action in orders:
        lever = LEVERS[action.kind]
        n = st.nations.index(action.nation)
        g = LEVER_GROUPS.index(lever.group)
        if s.delegated[n, g] > 0 and lever.kind != "advisor":
            s.delegated[n, g] = 0.0
            events.append(Event(s.turn, model.quarter, "policy", f"{action.nation} takes {lever.group} back from the advisor",
                                "the player gave an order in it", (action.nation,)))
        events += lever.apply(model, action)  # what the order caused, then the order itself
        events.append(Event(s.turn, model.quarter, "action", action.describe(st.ruleset), "the player's order", (action.nation,)))
    return events


def _nations(model: WorldModel) -> list[Event]:
    """Computer nations decide everything; the player's advisor only the groups handed to it."""
    st, s = model.static, model.state
    events: list[Event] = []
    owners: dict[str, str] | None = None  # built for the first order that needs it (most quarters: none)
    nation_at, everyone_ai = positions(st, "nations"), model.player is None
    ledger = SubsidyLedger(model)  # plain subsidies, most of the orders, are checked and paid in bulk
    industry = LEVER_GROUPS.index(LEVERS["subsidy"].group)
    subsidises = None if everyone_ai else (lambda n: model.is_ai(n) or s.delegated[n, industry] > 0)
    for function, params, idx in policy_groups(model, Nation, s.collapsed <= 0):  # in the game
        orders = (nation_orders if function is nation_default else function)(model, idx, params) or []
        for action in ledger.hold_plain(orders, subsidises):  # the plain subsidies (tuples) held on the way
            n = nation_at[action.nation]
            lever = LEVERS[action.kind]
            if not everyone_ai and not model.is_ai(n) and s.delegated[n, LEVER_GROUPS.index(lever.group)] <= 0:
                continue
            if ledger.holds(n, action) is not None:
                continue
            ledger.book()  # any other order sees the state as if every subsidy before it had been paid
            if owners is None or len(owners) != len(s.controls):  # rules are only ever added (a retaliation), never re-owned
                owners = model.control_owners()
            if not lever.accepts(st.ruleset, action, owners):  # the verdict of `validate`, checked cheaply
                continue
            if lever.cost(model, action) > s.budget[n] + 1e-9:
                continue
            if action.kind == "military":
                model.military_orders.append((action.nation, action.params["shock"]))
            applied = lever.apply(model, action)
            if not everyone_ai and not model.is_ai(n):
                events += advised(applied, lever.group, action.reason)
            else:  # the computer player's own reason, where it gave one, instead of the lever's generic cause
                events += [replace(event, cause=action.reason) for event in applied] if action.reason else applied
        ledger.book()
    return events


def advised(events: list[Event], group: str, reason: str = "") -> list[Event]:
    """Events of an order the player's advisor gave: their cause says so, with the advisor's reason when it gave one."""
    cause = f"your advisor decided it (it holds your {group} levers)" + (f": {reason}" if reason else "")
    return [replace(event, cause=cause) for event in events]


def _regulators(model: WorldModel) -> list[Event]:
    """Regulators of nations in the game decide when the computer holds their nation's controls."""
    st, s = model.static, model.state
    owner = st.cache.get("regulator_nation")
    if owner is None:  # once a game
        owner = st.cache["regulator_nation"] = np.array([st.nations.index(st.ruleset.regulators[code].nation) for code in st.regulators],
                                                        dtype=np.int64)
    decides = (s.collapsed <= 0)[owner]
    if model.player is not None:  # the player's regulators only where the controls are handed to the advisor
        computer = np.array([code != model.player for code in st.nations])  # model.is_ai for every nation
        decides &= computer[owner] | (s.delegated[owner, LEVER_GROUPS.index("controls")] > 0)
    events: list[Event] = []
    for function, params, idx in policy_groups(model, Regulator, decides):
        events += function(model, idx, params) or []
    if model.player is not None:  # what the player's own regulators did was the advisor's doing
        own = {code for code, reg in st.ruleset.regulators.items() if reg.nation == model.player}
        events = [advised([e], "controls")[0] if e.actors and e.actors[0] in own else e for e in events]
    return events
