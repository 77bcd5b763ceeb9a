"""The cheap check the computer players' orders go through gives `validate`'s verdict on every order,
good or bad: an order the player would be refused is refused to the computer too."""

from __future__ import annotations

from collections.abc import Callable

from core_helpers import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core import Action, Game
from techrace.core.levers import LEVERS
from techrace.core.levers.base import firm_ids, military_moves, site_ids
from techrace.core.levers.nation import SubsidyLedger
from techrace.ruleset.schema import LEVER_GROUPS, TOOL_KINDS

RULESET = baseline()
CONTROLS = {rid: rule.regulator for rid, rule in RULESET.controls.items()}
WORDS = sorted({*RULESET.nations, *firm_ids(RULESET), *site_ids(RULESET), *TOOL_KINDS, *CONTROLS,
                *military_moves(RULESET), *LEVER_GROUPS, "nowhere", ""})
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 600),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-1.0, 2.0), st.floats(0.0, 600.0),
    st.sampled_from(WORDS), st.lists(st.sampled_from(WORDS), max_size=3),
)


@st.composite
def orders(draw: st.DrawFn) -> Action:
    kind = draw(st.sampled_from(sorted(LEVERS)))
    nation = draw(st.sampled_from([*sorted(RULESET.nations), "XX"]))
    names = [p.name for p in LEVERS[kind].params] + ["extra"]
    params = {name: draw(VALUES) for name in names if draw(st.integers(0, 4))}
    params.pop("extra", None) if draw(st.booleans()) else None
    return Action(kind, nation, params)


@settings(max_examples=400, deadline=None)
@given(orders())
def test_the_computers_check_agrees_with_validate_on_any_order(action: Action) -> None:
    lever = LEVERS[action.kind]
    if action.nation not in RULESET.nations:  # the game never lets such a nation decide
        return
    expected = _verdict(lambda: not lever.validate(RULESET, action, CONTROLS))
    verdict = _verdict(lambda: lever.accepts(RULESET, action, CONTROLS))
    if expected == "TypeError":  # a value of the wrong type: refused either way, never accepted
        assert verdict in (False, "TypeError"), action
    else:
        assert verdict == expected, action


def _verdict(check: Callable[[], bool]) -> bool | str:
    """True/False, or the kind of error both checks raise on a value of the wrong type."""
    try:
        return check()
    except TypeError as error:
        return type(error).__name__


def test_the_computers_check_refuses_an_oversized_subsidy_and_a_foreign_firm() -> None:
    home = next(fid for fid, nation in firm_ids(RULESET).items() if nation == "US")
    foreign = next(fid for fid, nation in firm_ids(RULESET).items() if nation != "US")
    subsidy = LEVERS["subsidy"]
    assert subsidy.accepts(RULESET, Action("subsidy", "US", {"firm": home, "usd_b": 2.0}), CONTROLS)
    assert not subsidy.accepts(RULESET, Action("subsidy", "US", {"firm": home, "usd_b": 900.0}), CONTROLS)
    assert not subsidy.accepts(RULESET, Action("subsidy", "US", {"firm": foreign, "usd_b": 2.0}), CONTROLS)


@st.composite
def subsidies(draw: st.DrawFn) -> Action:
    nation = draw(st.sampled_from(sorted(RULESET.nations)))
    firm = draw(st.sampled_from(sorted(firm_ids(RULESET)) + [""]))
    return Action("subsidy", nation, {"firm": firm, "usd_b": draw(st.floats(allow_nan=True, allow_infinity=True))})


@settings(max_examples=200, deadline=None)
@given(st.lists(subsidies(), max_size=12))
def test_subsidies_paid_in_bulk_leave_the_state_paying_them_one_by_one_leaves(orders: list[Action]) -> None:
    """The ledger refuses what `accepts` or the budget refuses and pays the rest to the same bit."""
    one_by_one, bulk = Game.from_ruleset(RULESET, seed=1).model, Game.from_ruleset(RULESET, seed=1).model
    ledger, subsidy = SubsidyLedger(bulk), LEVERS["subsidy"]
    for action in orders:
        n = one_by_one.static.nations.index(action.nation)
        fits = bool(subsidy.accepts(RULESET, action, CONTROLS)
                    and subsidy.cost(one_by_one, action) <= one_by_one.state.budget[n] + 1e-9)
        if fits:
            subsidy.apply(one_by_one, action)
        assert ledger.holds(n, action) is fits
    ledger.book()
    for name in ("budget", "cash", "subsidy", "toolmaker_subsidy", "chip_subsidy", "lab_subsidy"):
        assert getattr(bulk.state, name).tobytes() == getattr(one_by_one.state, name).tobytes(), name


def test_the_ledger_leaves_other_orders_to_the_levers() -> None:
    ledger = SubsidyLedger(Game.from_ruleset(RULESET, seed=1).model)
    home = next(fid for fid, nation in firm_ids(RULESET).items() if nation == "US")
    assert ledger.holds(0, Action("power_buildout", "US", {"extra_gw": 1.0})) is None
    assert ledger.holds(0, Action("subsidy", "US", {"firm": home, "usd_b": 1.0, "recurring": True})) is None
    assert ledger.holds(0, Action("subsidy", "US", {"firm": home, "usd_b": 1})) is None  # an int: validated in full
