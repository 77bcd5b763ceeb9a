"""The computer nations' plain subsidies skip the `Action` objects on their way to the ledger: the orders,
the verdicts and the payments are those of the `Action`s a player (or an advisor) gets from the policy."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core import Action, Game
from techrace.core.levers.base import firm_ids
from techrace.core.levers.nation import SubsidyLedger
from techrace.core.policies.nations import nation_default, nation_orders

RULESET = baseline()


def test_the_policys_actions_are_its_orders_with_each_plain_subsidy_made_an_action() -> None:
    game = Game.from_ruleset(RULESET, seed=2)
    game.run(6)
    model = game.model
    idx = np.array([agent.index for agent in model.nation_agents])
    orders, actions = nation_orders(model, idx), nation_default(model, idx)
    assert len(orders) == len(actions) and any(type(order) is tuple for order in orders)
    for order, action in zip(orders, actions, strict=True):
        assert isinstance(action, Action)
        if type(order) is tuple:
            nation, firm, usd_b = order
            assert action == Action("subsidy", nation, {"firm": firm, "usd_b": usd_b})
            assert firm_ids(RULESET)[firm] == nation and usd_b > 0
        else:
            assert action == order


@st.composite
def subsidies(draw: st.DrawFn) -> tuple[str, str, float]:
    nation = draw(st.sampled_from(sorted(RULESET.nations)))
    firm = draw(st.sampled_from(sorted(firm_ids(RULESET)) + [""]))
    return nation, firm, draw(st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=100, deadline=None)
@given(st.lists(subsidies(), max_size=12))
def test_a_subsidy_held_apart_gets_the_verdict_and_payment_of_its_action(orders: list[tuple[str, str, float]]) -> None:
    as_tuples, as_actions = Game.from_ruleset(RULESET, seed=1).model, Game.from_ruleset(RULESET, seed=1).model
    apart, whole = SubsidyLedger(as_tuples), SubsidyLedger(as_actions)
    for nation, firm, usd_b in orders:
        n = as_tuples.static.nations.index(nation)
        assert apart.hold(n, nation, firm, usd_b) is whole.holds(n, Action("subsidy", nation, {"firm": firm, "usd_b": usd_b}))
    apart.book()
    whole.book()
    for name in ("budget", "cash", "subsidy", "toolmaker_subsidy", "chip_subsidy", "lab_subsidy"):
        assert getattr(as_tuples.state, name).tobytes() == getattr(as_actions.state, name).tobytes(), name
