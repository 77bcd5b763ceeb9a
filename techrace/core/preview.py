"""What an order will cost and do, before it is given.

The cost comes from the lever (this quarter, and every quarter after for standing orders). The expected
effect is measured, not guessed: the next `levers.preview_quarters` are played on two copies of the world,
one with the order (and the orders already queued) and one without, and the player's key figures compared.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from techrace.core.actions import Action
from techrace.core.levers import LEVERS
from techrace.core.mechanisms import standing
from techrace.core.metrics import nation_metrics
from techrace.core.static import BoundedCache
from techrace.ruleset.schema import LEVER_GROUPS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

KEY_FIGURES = ("capability", "ai_compute_h100e", "advanced_wafer_starts", "accelerators_produced", "engineers",
               "gdp_index", "lab_capex_usd_b", "domestic_accelerator_share")


@dataclass(frozen=True)
class Preview:
    budget_usd_b: float                      # taken from this quarter's budget
    notes: str                               # what it costs and will do, in words
    recurring_usd_b: float = 0.0             # taken again every quarter while it stands
    budget_left_usd_b: float | None = None   # budget left this quarter after standing orders and queued orders
    effects: dict[str, float] = field(default_factory=dict)  # key figure -> change after the preview quarters
    expected: str = ""                       # the expected effect in words (the end of `notes`)


def available(model: WorldModel, nation: str) -> float:
    """This quarter's budget of a nation left after its standing orders."""
    n = model.static.nations.index(nation)
    return float(model.state.budget[n] - standing.due(model.static, model.state)[0][n])


def budget_problems(model: WorldModel, actions: list[Action]) -> list[str]:
    """Orders that do not fit the budget left, in order: each is refused with the amount left, never cut."""
    left: dict[str, float] = {}
    problems = []
    for action in actions:
        lever = LEVERS[action.kind]
        left.setdefault(action.nation, available(model, action.nation))
        cost = lever.cost(model, action)
        if cost > 1e-9 and cost > left[action.nation] + 1e-9:  # an order that costs nothing fits an overdrawn budget
            problems.append(f"{action.describe(model.static.ruleset)}: costs ${cost:,.2f} bn but ${max(left[action.nation], 0.0):,.2f} bn "
                            f"is left this quarter after standing orders and earlier orders")
        else:
            left[action.nation] -= cost
    return problems


def preview(model: WorldModel, action: Action, queued: list[Action], seed: int) -> Preview:
    lever = LEVERS[action.kind]
    cost, recurring = lever.cost(model, action), lever.recurring(model, action)
    left = available(model, action.nation) - sum(LEVERS[a.kind].cost(model, a) for a in queued if a.nation == action.nation)
    effects = expected_effect(model, action, queued, seed)
    shown = ", ".join(f"{k} {v:+,.3g}" for k, v in effects.items() if abs(v) > 1e-9) or "no change in the key figures"
    quarters = model.static.ruleset.levers.preview_quarters
    money = f"${cost:,.2f} bn now" + (f", ${recurring:,.2f} bn every quarter after" if recurring else "")
    expected = f"Expected after {quarters} quarter(s): {shown}."
    n, group = model.static.nations.index(action.nation), LEVER_GROUPS.index(lever.group)
    if lever.kind != "advisor" and model.state.delegated[n, group] > 0:
        expected += f" It also takes {lever.group} back from your advisor, which stops deciding those levers (counted above)."
    notes = f"Costs {money}; ${left - cost:,.2f} bn would be left. {_standing_words(model, action, queued)}{expected}"
    return Preview(cost, notes, recurring, left, effects, expected)


def _standing_words(model: WorldModel, action: Action, queued: list[Action]) -> str:
    """What a standing order does to the budget beyond this quarter, when that is not what a player would assume:
    a standing order lowered or stopped is still paid this quarter (standing orders are paid before new orders), and
    standing orders that cost more than the budget are all paid at the same reduced share (mechanisms/standing.py)."""
    lever = LEVERS[action.kind]
    recurring, replaced = lever.recurring(model, action), lever.replaced(model, action)
    words = ""
    if replaced > recurring + 1e-9:
        words = (f"Standing orders are paid before new orders, so this quarter still pays ${replaced:,.2f} bn of it; "
                 f"from the next it costs ${recurring:,.2f} bn a quarter. ")
    n = model.static.nations.index(action.nation)
    others = sum(LEVERS[a.kind].recurring(model, a) - LEVERS[a.kind].replaced(model, a) for a in queued if a.nation == action.nation)
    standing_total = float(standing.due(model.static, model.state)[0][n]) - replaced + recurring + others
    budget = float(model.state.budget[n])
    if recurring > 1e-9 and standing_total > budget + 1e-9:
        words += (f"Warning: your standing orders would then cost ${standing_total:,.2f} bn a quarter against a budget of "
                  f"${budget:,.2f} bn (at this quarter's): each would be paid at {budget / standing_total:.0%}. ")
    return words


def expected_effect(model: WorldModel, action: Action, queued: list[Action], seed: int) -> dict[str, float]:
    """Differences in the nation's key figures after the preview quarters, with the order against without."""
    quarters = model.static.ruleset.levers.preview_quarters
    n = model.static.nations.index(action.nation)
    with_order = _play(model, queued + [action], quarters, seed)
    without = _play(model, queued, quarters, seed)
    return {k: float(with_order[k][n] - without[k][n]) for k in KEY_FIGURES}


def _play(model: WorldModel, orders: list[Action], quarters: int, seed: int) -> dict[str, np.ndarray]:
    from techrace.core.model import WorldModel

    # the fork's tables are its own: cached tables are keyed by rule ids, and an order the fork enacts takes the id the
    # game's next rule will take, with other contents (a previewed export listing, then an ordered import one)
    static = copy.copy(model.static)
    static.cache = BoundedCache(model.static.cache.limit)
    fork = WorldModel(model.ruleset, rng=seed, player=model.player, state=copy.deepcopy(model.state), static=static)
    fork.rng.bit_generator.state = copy.deepcopy(model.rng.bit_generator.state)
    fork.metrics_now = model.metrics_now
    for turn in range(quarters):
        if fork.state.turn >= model.ruleset.turns:
            break
        fork.play_turn(orders if turn == 0 else [])
    return nation_metrics(fork.static, fork.state)
