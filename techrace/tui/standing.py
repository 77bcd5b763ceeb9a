"""The player's standing orders and who decides each lever group, in words, for the Advisor tab and the
standing-orders dialog.

Plain Python over the core's `Game` (no Textual). Standing orders are what the core pays every quarter until
changed (`state.subsidy_programme`, `power_programme`, `centralisation_target`, pay above the ruleset's level);
each comes with the order that stops it, which the player confirms in the lever's own form. Lever groups
(`LEVER_GROUPS`) are with the advisor (the nation's computer policy decides them) or with the player; an order in
a group takes it back, the `advisor` lever hands it over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from techrace.tui.orders import firm_names, money_words


@dataclass(frozen=True)
class Programme:
    kind: str                     # the lever that set it (and whose form changes or stops it)
    label: str                    # e.g. "Subsidy to SMIC: $2.0 bn every quarter"
    per_quarter: float            # USD bn it takes from every quarter's budget
    stop: dict[str, Any] = field(default_factory=dict)  # the form's values that stop (or end the cost of) it
    stop_words: str = "stop it"


@dataclass(frozen=True)
class GroupState:
    group: str
    levers: str                   # the levers of the group, in words
    advisor_now: bool             # the advisor decides it this quarter
    advisor_next: bool            # after the queued orders
    why: str = ""                 # what the queued orders do to it


def _recurring(game: Any, kind: str, player: str, params: dict[str, Any]) -> float:
    from techrace.core import Action

    try:
        return float(game.order_cost(Action(kind, player, params))[1])
    except Exception:  # advice for the board: never block it
        return 0.0


def programmes(game: Any, player: str | None) -> list[Programme]:
    """The nation's standing orders with what each costs a quarter (empty when there are none)."""
    if not player:
        return []
    st, s = game.model.static, game.model.state
    n = st.nations.index(player)
    names = firm_names(game.ruleset)
    out = []
    for e, amount in enumerate(s.subsidy_programme[n]):
        if amount > 0:
            firm = st.employers[e]
            out.append(Programme("subsidy", f"Subsidy to {names.get(firm, firm)}: {money_words(amount)} every quarter",
                                 float(amount), {"firm": firm, "usd_b": 0.0, "recurring": True}))
    gw = float(s.power_programme[n])
    if gw > 0:
        cost = _recurring(game, "power_buildout", player, {"extra_gw": gw, "recurring": True})
        out.append(Programme("power_buildout", f"Power build-out: +{gw:,.1f} GW every quarter", cost,
                             {"extra_gw": 0.0, "recurring": True}))
    target, now = float(s.centralisation_target[n]), float(s.centralisation[n])
    pooling = _recurring(game, "centralisation", player, {"share": target})
    if pooling > 1e-9 or abs(target - now) > 1e-9:
        moving = f" (now {now:.0%}, national sites {float(s.national_site_gw[n]):,.1f} GW)" if abs(target - now) > 1e-9 else ""
        out.append(Programme("centralisation", f"Pooling {target:.0%} of compute{moving}", pooling,
                             {"share": round(now, 3)}, f"hold at {now:.0%} or lower it (free)"))
    pay, level = float(s.pay[n]), float(game.ruleset.nations[player].pay_index)
    cost = _recurring(game, "pay_policy", player, {"pay_index": pay})
    if cost > 1e-9:
        out.append(Programme("pay_policy", f"Pay {pay:.2f}x the US (your level {level:.2f}x)", cost,
                             {"pay_index": level}, f"back to {level:.2f}x (no cost)"))
    return out


def standing_cost(game: Any, player: str | None) -> float | None:
    """What the nation's standing orders took from the last quarter's budget (USD bn)."""
    if not player:
        return None
    n = game.model.static.nations.index(player)
    return float(game.model.state.standing_cost[n])


def lever_groups(game: Any, player: str | None, queued: Iterable[Any] = ()) -> list[GroupState]:
    """Each lever group: with the advisor now and after the queued orders, and why it changes."""
    from techrace.core import ACTION_SPECS
    from techrace.ruleset.schema import LEVER_GROUPS

    if not player:
        return []
    n = game.model.static.nations.index(player)
    delegated = game.model.state.delegated[n]
    out = []
    for g, group in enumerate(LEVER_GROUPS):
        now = bool(delegated[g] > 0)
        after, why = now, ""
        for action in queued:
            spec = ACTION_SPECS.get(action.kind)
            if action.kind == "advisor" and action.params.get("group") == group:
                after = bool(action.params.get("advisor"))
                why = "handed to the advisor by a queued order" if after else "taken back by a queued order"
            elif spec is not None and spec.group == group and action.kind != "advisor" and after:
                after, why = False, f"taken back by your queued {spec.label.lower()} order"
        levers = ", ".join(s.label for s in ACTION_SPECS.values() if s.group == group and s.kind != "advisor")
        out.append(GroupState(group, levers, now, after, why))
    return out


def advisor_toggle(player: str, state: GroupState, queued: list[Any]) -> tuple[str, Any]:
    """What pressing a group's row does: ("withdraw", index) of a queued advisor order for the group (its
    effect undone), or ("queue", Action) handing the group over or taking it back from next quarter."""
    from techrace.core import Action

    for i in range(len(queued) - 1, -1, -1):
        action = queued[i]
        if action.kind == "advisor" and action.params.get("group") == state.group:
            return "withdraw", i
    return "queue", Action("advisor", player, {"group": state.group, "advisor": not state.advisor_next})
