"""Round 10 shortcuts in the decision phase give the numbers of the paths they replace: the ledger's one pass
over a policy call's orders holds each plain subsidy as `hold` does, and regulators read their nation from
a once-a-game list that equals the ruleset's, and a pooling target kept without working out what the nation
can afford is the one the full rule keeps, and hawks and doves build the lists they act on only when
their margin asks for them, with the events of the full rule."""

from __future__ import annotations

import struct

import pytest
from core_helpers import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core import Action, Game
from techrace.core.agents import Regulator
from techrace.core.events import Event
from techrace.core.levers.base import firm_ids
from techrace.core.levers.nation import SubsidyLedger
from techrace.core.mechanisms.standing import pooled_share_for
from techrace.core.policies import regulators
from techrace.core.policies.nations import _pooling_target
from techrace.core.policies.regulators import _nation_of
from techrace.ruleset.schema import RegulatorPolicyParams

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


def pooling_target_in_full(model, n: int, p, gap: float, facts: tuple, now: tuple) -> float | None:  # noqa: ANN001 - before round 10
    whole = now[0][n] + now[1][n]
    start = facts[3][n]
    affordable = pooled_share_for(model.static, p.centralisation_budget_share * max(whole, 0.0), facts[2][n], start)
    target = now[2][n]
    behind = gap > p.centralise_gap and target < p.centralisation_max
    wanted = min(p.centralisation_max, target + p.centralisation_step) if behind else target
    wanted = min(wanted, max(affordable, start))
    return wanted if abs(wanted - target) > 1e-9 else None


MODEL = Game.from_ruleset(RULESET, seed=1).model
SHARES = st.sampled_from([0.0, -0.0, 0.05, 0.1, 0.3, 0.5, 1.0, float("nan"), float("inf")]) | st.floats(-1.0, 2.0)
MONEY = st.sampled_from([0.0, -5.0, 3.0, 1e4, float("nan")]) | st.floats(-100.0, 1e5)


@settings(max_examples=300, deadline=None)
@given(SHARES, SHARES, st.floats(-50.0, 50.0) | st.sampled_from([float("nan"), 20.0, 5.0]), MONEY, MONEY,
       st.sampled_from([0.0, 1.0, 1e5, 1e7]), st.sampled_from(sorted(RULESET.nations)))
def test_a_pooling_target_kept_without_its_price_is_the_one_the_full_rule_keeps(
        target: float, start: float, gap: float, budget: float, standing_cost: float, national: float, code: str) -> None:
    model = MODEL
    n = model.static.nations.index(code)
    p = [agent for agent in model.nation_agents if agent.index == n][0].params
    facts = ([gap] * 7, [0.0] * 7, [national] * 7, [start] * 7, [0.0] * 7, [1.0] * 7)
    now = ([budget] * 7, [standing_cost] * 7, [target] * 7, [1.0] * 7)
    found, full = _pooling_target(model, n, p, gap, facts, now), pooling_target_in_full(model, n, p, gap, facts, now)
    assert (found is None and full is None) or struct.pack("d", found) == struct.pack("d", full)


def regulate_in_full(model, regulator: str, p, nation: int) -> list[Event]:  # noqa: ANN001 - before round 10
    static, s = model.static, model.state
    prepared = regulators._prepared(model, regulator)
    waiting = [rid for rid in prepared if s.control_status[rid] == "inactive"]
    events: list[Event] = []
    if p.escalate:
        for rid in waiting:
            when = s.controls[rid].get("when")
            if when and regulators.condition_holds(static, when, model.quarter, model.metrics_before):
                held = regulators.condition_words(when)
                events += model.enact(rid, f"its condition held in {model.quarter}" + (f": {held}" if held else ""))
    if s.new_controls_against[nation] > 0:
        for rid in p.retaliate_with:
            if rid in s.controls and s.control_status.get(rid) != "active":
                events += model.enact(rid, f"{regulator} answers a rival's new controls against {static.nations[nation]}")
    lead = regulators._lead(model, nation)
    if lead is None:
        return events
    still_waiting = [rid for rid in waiting if s.control_status[rid] == "inactive"]
    if p.escalate_when_lead_below is not None and lead < p.escalate_when_lead_below and still_waiting and not events:
        events += model.enact(still_waiting[0], f"the lead over its rival fell to {lead:.1f} points")
    active = [rid for rid in prepared if s.control_status[rid] == "active"]
    if p.deescalate_when_lead_above is not None and lead > p.deescalate_when_lead_above and active:
        events += model.lift(active[-1], f"the lead over its rival is {lead:.1f} points")
    return events


@pytest.mark.parametrize("params", [RegulatorPolicyParams(escalate_when_lead_below=1000.0),
                                    RegulatorPolicyParams(escalate_when_lead_below=5.0, deescalate_when_lead_above=-5.0),
                                    RegulatorPolicyParams(deescalate_when_lead_above=-1000.0)],
                         ids=["hawk", "both", "dove"])
def test_hawks_and_doves_enact_and_lift_as_the_full_rule_does(params: RegulatorPolicyParams,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    played = []
    for rule in (regulators._regulate, regulate_in_full):
        monkeypatch.setattr(regulators, "_regulate", rule)
        game = Game.from_ruleset(RULESET, seed=4)
        for agent in game.model.agents_by_type[Regulator]:
            agent.params = params
        game.run(12)
        played.append((game.model.state.control_status, [(e.text, e.cause) for e in game.events]))
    assert played[0] == played[1]
    assert any("lead over its rival" in cause for _, cause in played[0][1])
