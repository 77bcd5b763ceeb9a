"""The default nation policy: a government's computer player (and a player's advisor), tuned by its
personality (`NationPolicyParams`, from `policies.personalities` in the ruleset).

Each quarter, within the budget left after its standing orders, a nation pays its labs when it trails its
best rival by `lab_support_gap` points, answers what controls cut off with subsidies to domestic substitutes
(the "jigsaw"), adds power when its labs run short, and puts the rest into its foundries. It pools more
compute when it trails by `centralise_gap`, answers a rival's new controls with a mineral rule if it
`retaliate`s, orders its `military_move` when far enough behind, and pays a foreign foundry to build advanced
fabs on its soil (`fab_grant_share`) while little of its new compute is home-made. Every decision is an `Action`, the
same object a human player queues (`nation_default`); in the decision phase the plain subsidies, most of
the orders, go to the subsidy ledger as tuples instead (`nation_orders`), checked and paid the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.actions import Action
from techrace.core.levers.base import regulator_of
from techrace.core.mechanisms.standing import pooled_share_for, start_share
from techrace.core.policies.fab_grants import grant_site
from techrace.core.policies.regulators import best_rival, regulator_default
from techrace.core.policies.segments import exact_sum_list, shares_by_group, shares_of_group
from techrace.core.state import CUTOFF_KINDS
from techrace.ruleset.schema import TOOL_KINDS, NationPolicyParams

if TYPE_CHECKING:
    from techrace.core.model import WorldModel
    from techrace.core.static import Static

MIN_ORDER_USD_B = 0.01  # smaller payments are not worth an order (a rounding floor, not behaviour)


PlainSubsidy = tuple[str, str, float]  # (nation, firm, usd_b): a one-off subsidy, an `Action` only when one is needed


def nation_default(model: WorldModel, idx: np.ndarray, params: NationPolicyParams | None = None) -> list[Action]:
    return [order if type(order) is not tuple else Action("subsidy", order[0], {"firm": order[1], "usd_b": order[2]})
            for order in nation_orders(model, idx, params)]


def nation_orders(model: WorldModel, idx: np.ndarray, params: NationPolicyParams | None = None) -> list[Action | PlainSubsidy]:
    """`nation_default`'s orders, with its plain subsidies (~1,000 a game) left as tuples: the decision phase
    checks and pays them in bulk (`SubsidyLedger.hold`) without an `Action` for each."""
    params = params or NationPolicyParams()
    orders: list[Action | PlainSubsidy] = []
    facts, now = _quarter_facts(model), _now(model)
    for n in idx.tolist():
        orders += _react(model, n, params, facts, now)
        orders += _spend_budget(model, n, params, facts, now)
    return orders


def _quarter_facts(model: WorldModel) -> tuple[list, ...]:
    """What nations decide on that nothing they decide moves, as plain lists over nations, once a quarter:
    the rival gap, the worst share cut off, the usable compute, the start pooled share, the labs' power
    draw, and the power price (capability, cut-offs and labs move in the markets, not while nations decide)."""
    facts = model.turn_cache.get("nation_facts")
    if facts is None:
        static = model.static
        gaps = _rival_gaps(model)
        national, start = _pooling_inputs(model)
        used = exact_sum_list(static.lab_nation, model.state.lab_power, len(static.nations))
        facts = model.turn_cache["nation_facts"] = (gaps, _worst_cutoff(model), national, start, used,
                                                    static.nation_params.power_cost.tolist())
    return facts


def _now(model: WorldModel) -> tuple[list[float], ...]:
    """Budgets, standing costs, pooling targets and power of every nation as plain lists, for one call of the
    policy: its nations' orders are applied only after it returns, and a nation's orders move only its own."""
    s = model.state
    return s.budget.tolist(), s.standing_cost.tolist(), s.centralisation_target.tolist(), s.power_gw.tolist()


def rival_gap(model: WorldModel, n: int) -> float:
    """Capability points the nation trails its best rival by (negative when it leads; 0 with no rival).

    Computed for every nation at once, once a quarter: nothing a nation decides moves capability."""
    return _rival_gaps(model)[n]


def _rival_gaps(model: WorldModel) -> list[float]:
    """`rival_gap` of every nation, once a quarter."""
    gaps = model.turn_cache.get("rival_gap")
    if gaps is None:
        best, has = best_rival(model)
        gaps = model.turn_cache["rival_gap"] = [rival - own if found else 0.0 for own, rival, found in
                                                zip(model.state.capability.tolist(), best, has, strict=True)]
    return gaps


def _spend_budget(model: WorldModel, n: int, p: NationPolicyParams, facts: tuple[list, ...],
                  now: tuple[list[float], ...]) -> list[Action | PlainSubsidy]:
    code = model.static.nations[n]
    budget = max(now[0][n], 0.0)
    actions: list[Action | PlainSubsidy] = []
    if budget < MIN_ORDER_USD_B:
        return actions
    left = budget
    if facts[0][n] > p.lab_support_gap and p.lab_support_share > 0:
        actions += _pay(code, _domestic_labs(model, n), budget * p.lab_support_share)
        left -= budget * p.lab_support_share
    worst = facts[1][n]
    if worst > p.jigsaw_trigger:
        left = _jigsaw(model, n, p, budget, left, worst, actions)
    if facts[4][n] > p.power_short_threshold * now[3][n]:  # the labs draw more than that share of the AI power
        power = left * p.power_share_when_short
        cost = facts[5][n]
        if power >= MIN_ORDER_USD_B and cost > 0:
            drawn = f"{facts[4][n] / now[3][n]:.0%} of its AI power" if now[3][n] > 0 else "power it does not have"
            actions.append(Action("power_buildout", code, {"extra_gw": float(power / cost)}, reason=f"its labs draw {drawn}"))
            left -= power
    left = _fab_grant(model, n, p, budget, left, actions)
    actions += _pay(code, _domestic_foundries(model, n), left)
    return actions


def _fab_grant(model: WorldModel, n: int, p: NationPolicyParams, budget: float, left: float,
               actions: list[Action | PlainSubsidy]) -> float:
    """A fab grant for a foreign foundry's advanced site on its soil while little of its new compute is home-made
    (`fab_grant_share`, `fab_grant_below`; added to `actions`); returns what is left for its own foundries."""
    if p.fab_grant_share <= 0.0 or model.state.domestic_share[n] >= p.fab_grant_below:
        return left
    amount = min(left, budget * p.fab_grant_share)
    site = grant_site(model, n) if amount >= MIN_ORDER_USD_B else None
    if site is None:
        return left
    why = (f"{model.state.domestic_share[n]:.0%} of its new AI compute last quarter was made at home "
           f"(it pays grants below {p.fab_grant_below:.0%})")
    actions.append(Action("fab_grant", model.static.nations[n], {"site": site, "usd_b": float(amount)}, reason=why))
    return left - amount


def _jigsaw(model: WorldModel, n: int, p: NationPolicyParams, budget: float, left: float, worst: float,
            actions: list[Action | PlainSubsidy]) -> float:
    """Subsidies to domestic substitutes for what controls cut off (added to `actions`); returns what is left."""
    code = model.static.nations[n]
    jigsaw = min(left, p.jigsaw_share * budget * min(1.0, worst * 2.0))
    cut_total, cut = _cutoffs(model, n)  # > 0: at least the worst cut-off
    spent = None  # the nation's row of `jigsaw_spend` as floats, written back once
    for j, kind in enumerate(CUTOFF_KINDS):
        amount = jigsaw * cut[j] / cut_total
        if not amount >= MIN_ORDER_USD_B:  # nothing worth an order: no need to look for substitutes
            continue
        targets = _substitutes(model, n, kind)
        if targets:
            actions += _pay(code, targets, amount)
            spent = model.state.jigsaw_spend[n].tolist() if spent is None else spent
            spent[j] += amount
            left -= amount
    if spent is not None:
        model.state.jigsaw_spend[n] = spent
    return left


def _cutoffs(model: WorldModel, n: int) -> tuple[float, list[float]]:
    """A nation's total share cut off and its shares by kind, for every nation once a quarter."""
    table = model.turn_cache.get("cutoffs")
    if table is None:
        cutoff = model.state.cutoff
        table = model.turn_cache["cutoffs"] = (np.add.reduce(cutoff, axis=1).tolist(), cutoff.tolist())  # `.sum`, unwrapped
    return table[0][n], table[1][n]


def _worst_cutoff(model: WorldModel) -> list[float]:
    """Each nation's largest share cut off, once a quarter (markets set it; nations do not move it)."""
    worst = model.turn_cache.get("worst_cutoff")
    if worst is None:
        worst = model.turn_cache["worst_cutoff"] = np.maximum.reduce(model.state.cutoff, axis=1).tolist()  # `.max`, unwrapped
    return worst


def _pay(code: str, targets: list[tuple[str, float]], amount: float) -> list[PlainSubsidy]:
    if amount < MIN_ORDER_USD_B or not targets:
        return []
    # each payment multiplied once (amount and shares are Python floats: the product is the float paid)
    return [(code, firm, usd_b) for firm, share in targets if (usd_b := amount * share) >= MIN_ORDER_USD_B]


def _pooling_target(model: WorldModel, n: int, p: NationPolicyParams, gap: float, facts: tuple[list, ...],
                    now: tuple[list[float], ...]) -> float | None:
    """A new pooling target, or None to keep it: a step up while `centralise_gap` behind, never above
    `centralisation_max` nor what `centralisation_budget_share` of this quarter's budget rents (and cut
    back to that when the pooled compute outgrows it)."""
    start, target = facts[3][n], now[2][n]
    behind = gap > p.centralise_gap and target < p.centralisation_max
    if not behind and target <= start:  # kept: what it can afford is never below the start share
        return None
    whole = now[0][n] + now[1][n]  # this quarter's budget before standing orders
    affordable = pooled_share_for(model.static, p.centralisation_budget_share * max(whole, 0.0), facts[2][n], start)
    wanted = min(p.centralisation_max, target + p.centralisation_step) if behind else target
    wanted = min(wanted, max(affordable, start))
    return wanted if abs(wanted - target) > 1e-9 else None


def _pooling_inputs(model: WorldModel) -> tuple[list[float], list[float]]:
    """Every nation's usable compute and start pooled share, once a quarter: labs' compute moves in the
    labs' phase, not while nations decide."""
    inputs = model.turn_cache.get("pooling_inputs")
    if inputs is None:
        static = model.static
        inputs = model.turn_cache["pooling_inputs"] = ((static.lab_to_nation @ model.state.usable_compute).tolist(),
                                                        start_share(static).tolist())
    return inputs


def _react(model: WorldModel, n: int, p: NationPolicyParams, facts: tuple[list, ...],
           now: tuple[list[float], ...]) -> list[Action]:
    """Pooling compute when behind, retaliation when rivals' controls tighten, military moves."""
    static, s = model.static, model.state
    code = static.nations[n]
    actions: list[Action] = []
    gap = facts[0][n]
    pooling = _pooling_target(model, n, p, gap, facts, now)
    if pooling is not None:
        why = (f"it trails its best rival by {gap:.0f} capability points" if pooling > now[2][n]
               else "its budget rents no more pooled compute than this")
        actions.append(Action("centralisation", code, {"share": pooling}, reason=why))
    if p.retaliate and s.new_controls_against[n] > 0 and regulator_of(static.ruleset, code) is not None:
        rivals = [static.nations[j] for j in np.flatnonzero(static.blocs.rival[n] & (s.collapsed <= 0))]
        if rivals:
            actions.append(Action("retaliation", code, {"destinations": rivals, "mineral_cost_share": p.retaliation_share},
                                  reason="a rival's new export controls bind it"))
    move = p.military_move
    if move and static.ruleset.nations[code].military_moves and gap > p.military_when_behind and move in static.ruleset.shocks:
        started = p.military_from is None or model.quarter >= p.military_from
        if started and s.shock_status.get(move, {}).get("fired", 0) == 0:
            actions.append(Action("military", code, {"shock": move}))
    return actions


def _domestic_labs(model: WorldModel, n: int) -> list[tuple[str, float]]:
    """The nation's labs, weighted by their usable compute (who can put money to work); once a quarter for
    each nation that asks (a nation far enough behind: one or two), as a table over every nation would give it."""
    key = ("lab_shares", n)
    shares = model.turn_cache.get(key)
    if shares is None:  # labs' compute does not move while nations decide
        static, compute = model.static, model.state.usable_compute.tolist()
        ids = _members(static, "lab_nation", n).tolist()
        shares = model.turn_cache[key] = shares_of_group([(static.labs[i], compute[i] + 1.0) for i in ids])
    return shares


def _substitutes(model: WorldModel, n: int, kind: str) -> list[tuple[str, float]]:
    """Domestic firms that can replace what `kind` cut off, with budget shares."""
    static = model.static
    if kind in TOOL_KINDS:
        return _toolmaker_substitutes(model, n)[TOOL_KINDS.index(kind)]
    if kind == "hbm":  # memory makers share alike: fixed for the game
        found = static.cache.get(("hbm_substitutes", n))
        if found is None:
            ids = _members(static, "foundry_nation", n)
            ids = ids[static.foundry_is_memory[ids] > 0]
            shares = (np.ones(len(ids)) / len(ids)).tolist() if len(ids) else []
            found = static.cache[("hbm_substitutes", n)] = [(static.foundries[i], w) for i, w in zip(ids, shares, strict=True)]
        return list(found)
    # chips, wafers: domestic logic foundries push their next node
    return _logic_foundries(model, n)


def _toolmaker_substitutes(model: WorldModel, n: int) -> list[list[tuple[str, float]]]:
    """[tool kind] the nation's toolmakers that make or develop the kind, weighted by their lines, once a
    quarter per nation that asks (tool lines do not move while nations decide): each kind's shares over the
    same members in the same order as a table over every nation and kind."""
    key = ("toolmaker_substitutes", n)
    table = model.turn_cache.get(key)
    if table is None:
        static, s = model.static, model.state
        capacity, development = s.tool_capacity.tolist(), s.tool_dev.tolist()  # a few dozen numbers: cheaper than a gather
        by_kind: list[list[tuple[str, float]]] = [[] for _ in TOOL_KINDS]  # (toolmaker, weight), members in order
        for m in _members(static, "toolmaker_nation", n).tolist():
            name = static.toolmakers[m]
            for k, (line, step) in enumerate(zip(capacity[m], development[m], strict=True)):
                if line > 0 or step >= 0:  # makes or develops the kind
                    by_kind[k].append((name, line + 1.0))
        table = model.turn_cache[key] = [shares_of_group(group) for group in by_kind]
    return table


def _domestic_foundries(model: WorldModel, n: int) -> list[tuple[str, float]]:
    """Domestic foundries weighted by what industrial policy backs: <= 7 nm capacity in full, trailing nodes
    at a tenth, and HBM."""
    table = model.turn_cache.get("domestic_foundries")
    if table is None:  # every nation at once: capacity does not move while nations decide
        static = model.static
        members = static.cache.get("foundry_members")
        if members is None:  # every foundry's nation and name, once a game
            members = static.cache["foundry_members"] = (static.foundry_nation.tolist(), list(static.foundries))
        table = model.turn_cache["domestic_foundries"] = shares_by_group(*members, _foundry_weights(model).tolist(),
                                                                       len(static.nations), floor=1e-12)
    return table[n]


def _logic_foundries(model: WorldModel, n: int) -> list[tuple[str, float]]:
    """The nation's logic foundries (not memory makers) weighted as `_domestic_foundries` weighs them, for the
    nations the jigsaw asks about (one or two a quarter)."""
    key = ("logic_foundries", n)
    found = model.turn_cache.get(key)
    if found is None:
        static = model.static
        ids = static.cache.get(key)
        if ids is None:  # the nation's logic foundries, once a game
            ids = static.cache[key] = np.flatnonzero((static.foundry_nation == n) & (static.foundry_is_memory == 0))
        weights = _foundry_weights(model).tolist()
        found = model.turn_cache[key] = shares_of_group([(static.foundries[i], weights[i]) for i in ids.tolist()], floor=1e-12)
    return found


def _foundry_weights(model: WorldModel) -> np.ndarray:
    """Each foundry's weight for industrial policy, once a quarter (capacity does not move while nations decide)."""
    weights = model.turn_cache.get("foundry_weights")
    if weights is None:
        s = model.state
        weights = model.turn_cache["foundry_weights"] = model.static.by_foundry(s.capacity @ _advanced_weights(model.static)
                                                                                + s.hbm_tsv_wpm) + 1.0
    return weights


def _advanced_weights(static: Static) -> np.ndarray:
    """What industrial policy backs per wpm of each node: <= 7 nm in full, trailing nodes at a tenth (once a game)."""
    advanced = static.cache.get("advanced_weights")
    if advanced is None:
        advanced = static.cache["advanced_weights"] = np.where(static.node_nm <= 7.0, 1.0, 0.1)
        advanced.flags.writeable = False
    return advanced


def _members(static: Static, table: str, n: int) -> np.ndarray:
    """Indices of the actors of nation `n` in a static nation table (e.g. "lab_nation"), built once a game."""
    key = ("members", table, n)
    ids = static.cache.get(key)
    if ids is None:
        ids = static.cache[key] = np.flatnonzero(getattr(static, table) == n)
    return ids


__all__ = ["PlainSubsidy", "nation_default", "nation_orders", "regulator_default", "rival_gap"]
