"""Levers keep their word: held over several quarters, paid as they say, refused rather than cut, and
remembered by saves; the idle player's nation is run by its advisor; personalities are data; Mesa as meant."""

from __future__ import annotations

import json
import re

import mesa
import numpy as np
import pytest
from core_helpers import baseline, play, value, variant

from techrace.core import ACTION_SPECS, Action, Game
from techrace.core.levers import LEVERS
from techrace.core.mechanisms import fabrication
from techrace.errors import TechraceError
from techrace.saves import load_game, save_game


def _budget(game: Game, nation: str) -> float:
    return float(game.model.state.budget[game.nations.index(nation)])


def test_every_lever_is_one_registry_entry_with_its_words() -> None:
    assert set(LEVERS) == set(ACTION_SPECS)
    for kind, lever in LEVERS.items():
        assert lever.description and lever.effect and lever.label == ACTION_SPECS[kind].label, kind


def test_a_lifted_rule_stays_lifted_for_the_rest_of_the_game() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    game.step([])
    assert game.model.state.control_status["oct2023_chips"] == "active"
    game.step([Action("lift_control", "US", {"control": "oct2023_chips"})])
    for _ in range(5):
        game.step([])
        assert game.model.state.control_status["oct2023_chips"] == "lifted"
    game.step([Action("enact_control", "US", {"control": "oct2023_chips"})])
    assert game.model.state.control_status["oct2023_chips"] == "active"


def test_an_announced_rule_lifted_before_its_date_never_starts() -> None:
    def announced(data: dict) -> None:  # the AI diffusion rule as announced, with a date to come into force
        data["controls"]["ai_diffusion"].update(announced="2025Q1", effective="2025Q4", expires=None)

    game = Game.from_ruleset(variant(announced), seed=1, player="US")
    game.step([])
    assert game.model.state.control_status["ai_diffusion"] == "announced"
    game.step([Action("lift_control", "US", {"control": "ai_diffusion"})])
    game.run(4)  # past 2025Q4
    assert game.model.state.control_status["ai_diffusion"] == "lifted"
    kept = play(variant(announced), seed=1, turns=5)
    assert kept.model.state.control_status["ai_diffusion"] == "active"


def test_pay_above_the_nations_level_is_charged_every_quarter_and_the_preview_says_so() -> None:
    game = Game.from_ruleset(baseline(), seed=2, player="CN")
    order = Action("pay_policy", "CN", {"pay_index": 1.0})
    now, every = game.order_cost(order)
    assert now == 0 and every > 0
    preview = game.preview(order)
    assert preview.recurring_usd_b == pytest.approx(every) and "every quarter" in preview.notes
    game.step([order])
    idle = Game.from_ruleset(baseline(), seed=2, player="CN")
    idle.step([])
    for _ in range(3):  # held: charged each quarter with no new order
        game.step([])
        idle.step([])
        n = game.nations.index("CN")
        assert game.model.state.standing_cost[n] > idle.model.state.standing_cost[n] + 0.5 * every


def test_previewing_an_order_changes_nothing_in_the_game_even_when_another_order_is_given() -> None:
    """A preview plays copies of the world. It enacts its rule under the id the game's next rule takes: previewing
    an export listing of Micron and then ordering an import one played the export listing's licences (found
    playing the TUI: the save then failed `replay --verify`)."""
    def accelerators(preview: bool) -> list[float]:
        game = Game.from_ruleset(baseline(), seed=5, player="CN")
        if preview:
            game.preview(Action("entity_list", "CN", {"entities": ["MICRON"]}))
        game.step([Action("entity_list", "CN", {"entities": ["MICRON"], "scope": "imports"})])
        game.step([])
        return [r["accelerators_produced"] for r in game.metric_rows]

    assert accelerators(preview=True) == accelerators(preview=False)


def test_a_preview_cost_equals_the_change_of_the_budget() -> None:
    game = Game.from_ruleset(baseline(), seed=3, player="US")
    hold = [Action("advisor", "US", {"group": group, "advisor": False})  # the advisor spends nothing in either game
            for group in ACTION_SPECS["advisor"].params[0].choices]
    game.step(hold)
    order = Action("power_buildout", "US", {"extra_gw": 0.4})
    left_before = game.budget_left("US")
    cost = game.preview(order).budget_usd_b
    assert game.budget_left("US", [order]) == pytest.approx(left_before - cost)
    twin = Game.from_ruleset(baseline(), seed=3, player="US")
    twin.step(hold)
    game.step([order])
    twin.step([])
    us = game.nations.index("US")
    assert game.model.state.budget_spent[us] - twin.model.state.budget_spent[us] == pytest.approx(cost, rel=1e-9)


def test_orders_over_the_budget_are_refused_with_the_amount_left_and_never_cut() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    left = game.budget_left("CN")
    first = Action("subsidy", "CN", {"firm": "SMIC", "usd_b": round(left * 0.6, 2)})
    second = Action("subsidy", "CN", {"firm": "HUAWEI", "usd_b": round(left * 0.6, 2)})
    assert game.validate(first) == [] and game.validate(second) == []  # each fits alone
    problems = game.validate(second, [first])
    assert problems and f"${left - first.params['usd_b']:,.2f} bn is left" in problems[0]
    with pytest.raises(TechraceError, match="orders refused: CN: Subsidy"):
        game.step([first, second])
    assert game.turn == 0 and game.budget_left("CN") == pytest.approx(left)  # nothing was paid
    game.step([first])
    assert game.action_log == [[first]]


def test_an_order_that_costs_nothing_is_not_refused_when_standing_orders_overdraw_the_budget() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    game.step([Action("pay_policy", "CN", {"pay_index": 1.0})])  # engineers paid at the US level: more than the budget
    assert game.budget_left("CN") < 0
    over = Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 0.5})
    assert "is left this quarter" in game.validate(over)[0]  # a paid order is refused
    free = Action("visa_policy", "CN", {"visa_openness": 0.4})
    assert game.validate(free) == []  # a free one is not
    game.step([free])
    assert game.model.state.visa[game.nations.index("CN")] == pytest.approx(0.4)


def test_only_the_players_own_nation_takes_orders() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    with pytest.raises(TechraceError, match="you play US: orders for CN are refused"):
        game.step([Action("visa_policy", "CN", {"visa_openness": 0.9})])
    observer = Game.from_ruleset(baseline(), seed=1)
    assert "no player nation" in observer.validate(Action("visa_policy", "US", {"visa_openness": 0.9}))[0]


def test_a_rule_a_shock_enacts_takes_effect_with_its_event_and_consequences() -> None:
    def scheduled(data: dict) -> None:
        data["shocks"]["crackdown"] = {"description": "A crisis brings SMIC's listing", "at": "2025Q3",
                                       "effects": [{"kind": "enact_control", "control": "escalate_smic_whole"}]}

    game = play(variant(scheduled), seed=1, turns=4)
    assert game.model.state.control_status["escalate_smic_whole"] == "active"
    enacted = [e for e in game.events if e.kind == "control" and "escalate_smic_whole" in e.actors]
    assert enacted and "crackdown" in enacted[0].cause, enacted
    plain = play(seed=1, turns=4)
    assert value(game, "CN", "advanced_wafer_starts") <= value(plain, "CN", "advanced_wafer_starts")


def test_fabs_that_take_longer_than_sixteen_quarters_to_build_arrive_when_the_rule_says() -> None:
    def slow(data: dict) -> None:
        data["technology"]["nodes"]["N2"]["build_quarters"] = 30

    game = Game.from_ruleset(variant(slow), seed=1)
    static, s = game.model.static, game.model.state
    assert static.pipeline_quarters >= 30
    site, node = 0, static.nodes.index("N2")
    s.construction[:] = 0.0
    fabrication.start_construction(static, s, site, node, 1000.0)
    assert s.construction[site, node, 29] == 1000.0 and s.construction[site, node, :29].sum() == 0.0


def test_an_idle_players_nation_is_run_by_its_advisor_as_a_computer_player_would() -> None:
    idle = play(seed=4, turns=8, player="CN")
    computer = play(seed=4, turns=8)
    assert [r for r in idle.metric_rows] == [r for r in computer.metric_rows]


def test_what_the_advisor_orders_for_the_player_says_it_was_the_advisor() -> None:
    idle, computer = play(seed=7, turns=4, player="CN"), play(seed=7, turns=4)
    pooling = [e for e in idle.events if e.text.startswith("CN aims to pool")]
    assert pooling and all(e.cause.startswith("your advisor decided it (it holds your compute levers): it trails its best rival by ")
                           for e in pooling)
    assert [e.text for e in idle.events] == [e.text for e in computer.events], "the same decisions, only the cause"
    assert not any("advisor" in e.cause for e in computer.events)
    computer_pooling = [e for e in computer.events if e.text.startswith("CN aims to pool")]
    assert [e.cause for e in pooling] == [f"your advisor decided it (it holds your compute levers): {e.cause}" for e in computer_pooling]


def test_a_computer_players_orders_say_why_it_gave_them() -> None:
    """The events of a computer nation's orders carry its reason, with the figure behind it, not "a policy decision"."""
    game = play(seed=7, turns=4)
    pooling = [e for e in game.events if e.text.startswith("CN aims to pool")]
    assert pooling and all(re.fullmatch(r"it trails its best rival by \d+ capability points", e.cause) for e in pooling)
    assert not [e for e in game.events if e.kind == "policy" and e.cause == "a policy decision"]
    power = [e for e in play(seed=1, turns=12).events if " GW of AI datacenter power" in e.text]
    assert power and all(e.text.startswith("US adds ") and re.fullmatch(r"its labs draw \d+% of its AI power", e.cause)
                         for e in power)


def test_a_power_order_says_what_it_added() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    report = game.step([Action("power_buildout", "US", {"extra_gw": 0.5, "recurring": True})])
    [event] = [e for e in report.events if "GW of AI datacenter power" in e.text]
    assert event.text == "US adds 0.5 GW of AI datacenter power now and every quarter until changed"
    assert event.cause == "a policy decision" and event.actors == ("US",)


def test_an_order_takes_its_group_back_from_the_advisor_and_the_advisor_lever_hands_it_over() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    n = game.nations.index("CN")
    assert game.model.state.delegated[n].all()
    game.step([Action("visa_policy", "CN", {"visa_openness": 0.5})])
    talent = list(ACTION_SPECS["advisor"].params[0].choices).index("talent")
    assert game.model.state.delegated[n, talent] == 0 and game.model.state.visa[n] == pytest.approx(0.5)
    for _ in range(3):  # held: nobody changes the player's visa policy while the player holds the group
        game.step([])
        assert game.model.state.visa[n] == pytest.approx(0.5)
    game.step([Action("advisor", "CN", {"group": "talent", "advisor": True})])
    assert game.model.state.delegated[n, talent] == 1


def test_centralisation_is_built_up_a_step_a_quarter_and_paid_every_quarter() -> None:
    roomy = variant(lambda d: d["nations"]["US"].update(national_site_gw_per_quarter=100.0))  # sites never bind here
    game = Game.from_ruleset(roomy, seed=1, player="US")
    n = game.nations.index("US")
    step = baseline().levers.centralisation_step_per_quarter
    start = float(game.model.state.centralisation[n])
    game.step([Action("centralisation", "US", {"share": 1.0})])  # set now, built from the next quarter
    shares = [float(game.model.state.centralisation[n])]
    for _ in range(3):
        game.step([])
        shares.append(float(game.model.state.centralisation[n]))
        assert game.model.state.standing_cost[n] > 0
    assert shares == pytest.approx([min(1.0, start + step * k) for k in range(4)])


def test_a_one_off_subsidy_to_a_lab_buys_accelerators_once_and_does_not_compound() -> None:
    lab, grant = "DEEPSEEK", 3.0
    hold = [Action("advisor", "CN", {"group": "industry", "advisor": False})]
    with_grant = Game.from_ruleset(baseline(), seed=5, player="CN")
    without = Game.from_ruleset(baseline(), seed=5, player="CN")
    with_grant.step([*hold, Action("subsidy", "CN", {"firm": lab, "usd_b": grant})])
    without.step(hold)
    i = with_grant.model.static.labs.index(lab)
    assert with_grant.model.state.lab_subsidy[i] == 0.0  # spent this quarter, not carried as a flow
    extra_compute, extra_capital = [], []
    for _ in range(8):
        a, b = with_grant.model.state, without.model.state
        extra_compute.append(a.usable_compute[i] - b.usable_compute[i])
        extra_capital.append(a.capital[i] - b.capital[i])
        with_grant.step([])
        without.step([])
    assert extra_compute[0] > 0, "the grant bought accelerators"
    assert max(extra_compute) < 1.5 * extra_compute[0], "what it bought does not grow by itself"
    assert sum(extra_capital) < grant and max(extra_capital) < extra_capital[0] * 1.5 + 1e-9, \
        "the lab's own funding follows its results, the grant is not paid again"


def test_standing_orders_survive_save_load_and_replay(tmp_path) -> None:
    orders = [Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 1.0, "recurring": True}),
              Action("pay_policy", "CN", {"pay_index": 0.9}), Action("centralisation", "CN", {"share": 0.6})]
    game = Game.from_ruleset(baseline(), seed=6, player="CN")
    game.step(orders)
    game.step([])
    path = save_game(game, "standing", saves_dir=tmp_path)
    loaded = load_game(path)
    n = game.nations.index("CN")
    for a, b in ((game, loaded),):
        assert np.array_equal(a.model.state.subsidy_programme, b.model.state.subsidy_programme)
        assert b.model.state.centralisation_target[n] == pytest.approx(0.6)
    for _ in range(3):
        game.step([])
        loaded.step([])
    assert json.dumps(game.metric_rows) == json.dumps(loaded.metric_rows)
    assert game.model.state.subsidy_programme[n].sum() == pytest.approx(1.0)


def test_a_personality_written_only_in_yaml_changes_what_a_nation_does() -> None:
    def spender(data: dict) -> None:
        data["policies"]["personalities"]["lab_backer"] = {
            "kind": "nation", "description": "Pays nine tenths of its budget to its labs when behind",
            "params": {"lab_support_gap": 0, "lab_support_share": 0.9}}
        data["nations"]["CN"]["policy"] = "lab_backer"

    backed = play(variant(spender), seed=7, turns=6)
    plain = play(seed=7, turns=6)
    assert next(a for a in backed.model.nation_agents if a.code == "CN").policy_name == "lab_backer"
    spent = lambda g: sum(value(g, "CN", "lab_capex_usd_b", t) for t in range(1, 7))  # noqa: E731
    assert spent(backed) != spent(plain)
    assert any("CN" in e.actors and e.kind == "policy" for e in backed.events)


def test_mesa_runs_the_game_and_a_datacollector_can_watch_it() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    collector = mesa.DataCollector(model_reporters={"us_capability": lambda m: float(m.state.capability[0])})
    for _ in range(3):
        game.step([])
        collector.collect(game.model)
    assert game.model.steps == 3
    frame = collector.get_model_vars_dataframe()
    assert list(frame["us_capability"]) == pytest.approx([value(game, "US", "capability", t) for t in (1, 2, 3)], abs=1e-3)
    kinds = {type(a).__name__ for a in game.model.agents}
    assert {"Nation", "Regulator", "Foundry", "Lab"} <= kinds


def test_the_lever_table_in_the_docs_is_generated_from_the_registry() -> None:
    from pathlib import Path

    from techrace.core.levers import lever_table

    text = (Path(__file__).parent.parent / "docs" / "levers.md").read_text(encoding="utf-8")
    assert lever_table() in text, "run: python -m techrace.core.levers docs/levers.md"


@pytest.mark.parametrize("kind, params, words", [
    ("retaliation", {"destinations": False, "mineral_cost_share": 0.1}, "Destinations: expected a list of names, got False"),
    ("retaliation", {"destinations": [1, 2], "mineral_cost_share": 0.1}, "Destinations: expected a list of names"),
    ("subsidy", {"firm": ["SMIC"], "usd_b": 1.0}, "Firm: expected a name, got ['SMIC']"),
    ("lift_control", {"control": {"id": 1}}, "Control rule: expected a name"),
])
def test_a_badly_typed_order_is_refused_in_words(kind, params, words) -> None:
    game = Game.from_ruleset("baseline", seed=1, player="CN")
    problems = game.validate(Action(kind, "CN", params))
    assert any(words in p for p in problems), problems


def test_a_standing_order_the_budget_cannot_carry_is_previewed_with_the_share_each_would_be_paid() -> None:
    """Pay at 1.5x the US level costs China ~$13 bn a quarter against a ~$6 bn budget: accepted (standing orders that
    overdraw are all paid at one reduced share, as mechanisms/standing.py says), but the preview says so (found
    playing the TUI: the order queued without a word, and the next quarter paid every standing order at 40%)."""
    game = Game.from_ruleset(baseline(), seed=5, player="CN")
    notes = game.preview(Action("pay_policy", "CN", {"pay_index": 1.5})).notes
    assert "Warning: your standing orders would then cost $12.91 bn a quarter against a budget of $6.00 bn" in notes
    assert "each would be paid at 46%" in notes
    assert "Warning" not in game.preview(Action("pay_policy", "CN", {"pay_index": 0.6})).notes


def test_stopping_a_standing_order_says_this_quarter_still_pays_it() -> None:
    game = Game.from_ruleset(baseline(), seed=5, player="CN")
    game.step([Action("subsidy", "CN", {"firm": "CAMBRICON", "usd_b": 0.9, "recurring": True})])
    stop = Action("subsidy", "CN", {"firm": "CAMBRICON", "usd_b": 0.0, "recurring": True})
    assert "this quarter still pays $0.90 bn of it; from the next it costs $0.00 bn a quarter" in game.preview(stop).notes
    game.step([stop])
    assert game.model.state.subsidy_programme[game.nations.index("CN")].sum() == 0.0  # nothing stands from the next quarter


def test_an_unknown_firm_in_an_order_offers_the_nearest_name() -> None:
    from techrace.core.actions import validate_action

    assert validate_action(baseline(), Action("subsidy", "CN", {"firm": "HUAWIE", "usd_b": 1.0})) == [
        "Firm: unknown firm 'HUAWIE' — did you mean 'HUAWEI'?"]
