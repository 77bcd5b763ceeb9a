"""Round 10 shortcuts in the decision phase give the numbers of the paths they replace: the ledger's one pass
over a policy call's orders holds each plain subsidy as `hold` does, and regulators read their nation from
a once-a-game list that equals the ruleset's."""

from __future__ import annotations

from core_helpers import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core import Action, Game
from techrace.core.levers.base import firm_ids
from techrace.core.levers.nation import SubsidyLedger
from techrace.core.policies.regulators import _nation_of

RULESET = baseline()
ARRAYS = ("budget", "cash", "subsidy", "toolmaker_subsidy", "chip_subsidy", "lab_subsidy")


@st.composite
def orders(draw: st.DrawFn) -> tuple[str, str, float] | Action:
    nation = draw(st.sampled_from(sorted(RULESET.nations)))
    if draw(st.integers(0, 5)) == 0:  # another order between the subsidies: the caller books before it
        return Action("power_buildout", nation, {"extra_gw": 1.0})
    firm = draw(st.sampled_from(sorted(firm_ids(RULESET)) + [""]))
    return nation, firm, draw(st.floats(min_value=-1.0, max_value=60.0) | st.floats())


@settings(max_examples=100, deadline=None)
@given(st.lists(orders(), max_size=16), st.sets(st.integers(0, len(RULESET.nations) - 1)))
def test_one_pass_over_the_orders_holds_each_subsidy_as_hold_does(given_orders: list, refused: set[int]) -> None:
    one_pass, one_by_one = Game.from_ruleset(RULESET, seed=1).model, Game.from_ruleset(RULESET, seed=1).model
    ledger, reference = SubsidyLedger(one_pass), SubsidyLedger(one_by_one)
    allowed = (lambda n: n not in refused) if refused else None
    yielded = []
    for order in ledger.hold_plain(given_orders, allowed):
        yielded.append(order)
        ledger.book()
    for order in given_orders:
        if type(order) is not tuple:
            reference.book()
            continue
        n = one_by_one.static.nations.index(order[0])
        if n not in refused:
            reference.hold(n, *order)
    ledger.book()
    reference.book()
    assert yielded == [order for order in given_orders if type(order) is not tuple]
    for name in ARRAYS:
        assert getattr(one_pass.state, name).tobytes() == getattr(one_by_one.state, name).tobytes(), name


def test_each_regulators_nation_is_the_ruleset_s() -> None:
    static = Game.from_ruleset(RULESET, seed=1).model.static
    assert _nation_of(static) == [static.nations.index(RULESET.regulators[code].nation) for code in static.regulators]
