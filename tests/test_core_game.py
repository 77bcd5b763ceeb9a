"""The Game API: actions, events with causes, policies by name, victory, snapshots, views."""

from __future__ import annotations

import json

import numpy as np
import pytest
from core_helpers import baseline, play, variant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.core import ACTION_SPECS, COLUMNS, Action, Game
from techrace.errors import TechraceError


def test_metrics_frame_has_the_documented_columns() -> None:
    frame = play(turns=2).metrics()
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 2 * 7
    assert set(frame.nation) == {"US", "CN", "TW", "KR", "JP", "NL", "EU"}
    assert list(frame.quarter.unique()) == ["2025Q1", "2025Q2"]


def test_events_say_what_and_why() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    game.step([Action("entity_list", "US", {"entities": ["SMIC"]})])
    listed = [e for e in game.events if "adds SMIC" in e.text]
    assert listed[0].text.startswith("US Commerce (BIS) adds SMIC to the entity list: SMIC loses servicing of")
    assert "US decided it" in listed[0].cause
    assert all(e.quarter == "2025Q1" for e in game.events)


def test_invalid_actions_are_refused_with_reasons() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    assert game.validate(Action("subsidy", "US", {"firm": "SMIC", "usd_b": 1.0}))  # not a US firm
    assert game.validate(Action("entity_list", "US", {"entities": ["TMSC"]}))
    assert game.validate(Action("power_buildout", "US", {"extra_gw": -1}))
    assert game.validate(Action("teleport", "US", {}))
    with pytest.raises(TechraceError, match="orders refused: US: Compute centralisation.*must be at most 1"):
        game.step([Action("centralisation", "US", {"share": 2.0})])
    assert game.turn == 0


def test_every_action_kind_applies() -> None:
    examples = {
        "entity_list": {"entities": ["SMIC-SN1"]}, "chip_threshold": {"tpp": 3000.0, "destinations": ["CN"]},
        "tool_ban": {"tool_kinds": ["etch"], "destinations": ["CN"]},
        "servicing_ban": {"tool_kinds": ["arf_immersion"], "destinations": ["CN"]},
        "licence_exception": {"control": "oct2023_chips", "licence_share": 0.5, "licence_revenue_share": 0.15},
        "lift_control": {"control": "jan2025_foundry"}, "enact_control": {"control": "escalate_smic_whole"},
        "subsidy": {"firm": "INTEL_FOUNDRY", "usd_b": 1.0}, "visa_policy": {"visa_openness": 0.9},
        "pay_policy": {"pay_index": 1.2}, "power_buildout": {"extra_gw": 0.5}, "centralisation": {"share": 0.3},
        "fab_grant": {"site": "TSMC-AZ", "usd_b": 0.5},
    }
    assert set(examples) | {"retaliation", "military", "advisor"} == set(ACTION_SPECS)
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    actions = [Action(kind, "US", params) for kind, params in examples.items()]
    for action in actions:
        assert game.validate(action) == [], action
    before = game.model.state.budget[0]
    assert game.preview(Action("power_buildout", "US", {"extra_gw": 0.5})).budget_usd_b == pytest.approx(1.0)
    game.step(actions)
    assert game.action_log == [actions]
    status = game.model.state.control_status
    assert status["jan2025_foundry"] == "lifted" and status["escalate_smic_whole"] == "active"
    assert game.model.state.visa[0] == 0.9 and before > 0


def test_licence_exception_pays_a_revenue_share() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    game.step([Action("licence_exception", "US", {"control": "oct2023_chips", "licence_share": 1.0, "licence_revenue_share": 0.25})])
    assert game.model.state.budget[0] > baseline().nations["US"].industrial_budget_usd_b * 1.1


def test_policies_are_selected_by_name() -> None:
    def stand_still(d: dict) -> None:
        d["policies"].update(nation="passive", regulator="passive")  # the default for actors without their own
        for actor in [*d["nations"].values(), *d["regulators"].values()]:
            actor.pop("policy", None)

    passive = variant(stand_still)
    still = play(passive, turns=6)
    active = play(turns=6)
    assert not any(e.kind == "policy" for e in still.events)
    assert any(e.kind == "policy" for e in active.events)
    with pytest.raises(TechraceError, match="unknown nation policy"):
        Game.from_ruleset(variant(lambda d: d["policies"].update(nation="genius")))


def test_victory_conditions() -> None:
    low_bar = variant(lambda d: d.update(victory={"bar": {"kind": "threshold", "value": 100.0}}))
    game = play(low_bar, turns=2)
    assert game.outcome and game.outcome.winner == "US" and game.outcome.turn == 1 and game.finished
    assert game.outcome.condition == "bar"
    end = variant(lambda d: d.update(turns=3, victory={}))
    game = play(end, turns=3)
    assert game.outcome.kind == "score" and game.outcome.turn == 3


def test_snapshot_restores_the_same_future() -> None:
    game = play(turns=5)
    data = json.loads(json.dumps(game.snapshot()))
    restored = Game.from_snapshot(data)
    game.run(6)
    restored.run(6)
    assert restored.metric_rows == game.metric_rows
    assert [e.to_dict() for e in restored.events] == [e.to_dict() for e in game.events]


def test_bad_construction_arguments() -> None:
    with pytest.raises(TechraceError, match="seed"):
        Game.from_ruleset(baseline(), seed=-1)
    with pytest.raises(TechraceError, match="unknown nation"):
        Game.from_ruleset(baseline(), seed=1, player="XX")


def test_views_are_plain_tables() -> None:
    game = play(turns=1)
    for table in (game.view.nations(), game.view.foundries(), game.view.sites(), game.view.chip_firms(),
                  game.view.labs(), game.view.toolmakers(), game.view.controls()):
        assert table and all(isinstance(row, dict) for row in table)
        json.dumps(table)


def test_the_sites_table_adds_up_to_the_foundries_and_shows_a_blockade() -> None:
    game = Game.from_ruleset("taiwan-blockade-2027", seed=1)
    game.run(11)  # through 2027Q3, the blockade's first quarter
    by_owner: dict[str, float] = {}
    for row in game.view.sites():
        by_owner[row["owner"]] = by_owner.get(row["owner"], 0.0) + row["capacity_wpm"]
        assert row["advanced_wpm"] <= row["capacity_wpm"] and row["usable_wpm"] <= row["capacity_wpm"]
    for foundry in game.view.foundries():
        assert by_owner[foundry["name"]] == pytest.approx(foundry["capacity_wpm"])
    halted = {row["site"] for row in game.view.sites() if row["halted"] == "halted"}
    taiwan = [sid for sid, nation in zip(game.model.static.sites, game.model.static.site_nation, strict=True)
              if game.model.static.nations[nation] == "TW"]
    assert halted == set(taiwan) and "TSMC-TW" in halted


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), kinds=st.lists(st.sampled_from(["entity_list", "tool_ban", "subsidy", "power_buildout",
                                                                     "centralisation", "retaliation"]), max_size=4))
def test_invariants_hold_under_random_play(seed: int, kinds: list[str]) -> None:
    params = {"entity_list": {"entities": ["SMIC"]}, "tool_ban": {"tool_kinds": ["etch"], "destinations": ["CN"]},
              "subsidy": {"firm": "SMIC", "usd_b": 2.0}, "power_buildout": {"extra_gw": 1.0},
              "centralisation": {"share": 0.4}, "retaliation": {"destinations": ["US"], "mineral_cost_share": 0.1}}
    nation = {"entity_list": "US", "tool_ban": "US"}
    game = Game.from_ruleset(baseline(), seed=seed, player="CN")
    for kind in kinds:
        action = Action(kind, nation.get(kind, "CN"), params[kind])
        if game.validate(action):
            continue
        game.step([action])
    game.run(2)
    s = game.model.state
    for name in ("tools", "tool_inventory", "accel_stock", "die_stock", "hbm_stock", "compute", "pool", "eng", "capacity"):
        assert (getattr(s, name) >= -1e-6).all(), name
    assert np.isfinite(np.concatenate([np.ravel(v) for v in game.snapshot()["state"].values()], axis=None).astype(float)).all()


def test_snapshot_from_another_build_is_refused_clearly() -> None:
    data = play(turns=1).snapshot()
    del data["state"]["revenue_last"]
    with pytest.raises(TechraceError, match="different techrace build: missing state fields revenue_last"):
        Game.from_snapshot(data)
    data = play(turns=1).snapshot()
    data["state"]["capacity"] = data["state"]["capacity"][:-1]
    with pytest.raises(TechraceError, match="state field capacity has shape"):
        Game.from_snapshot(data)


@pytest.mark.parametrize(("field", "value"), [("gdp_index", np.nan), ("engineers", np.inf),
                                              ("capability", 1e306)])  # finite, but infinite once rounded
def test_a_metric_row_that_is_not_finite_names_its_turn_nation_and_field(field: str, value: float) -> None:
    from techrace.core.metrics import metric_rows, nation_metrics
    from techrace.errors import NonFiniteError

    game = play(turns=1)
    values = nation_metrics(game.model.static, game.model.state)
    values[field][2] = value
    with pytest.raises(NonFiniteError, match=rf"^turn 1 \(2025Q1\): {field} of TW is (nan|inf), not a finite number"):
        metric_rows(game.model.static, game.model.state, 1, "2025Q1", values)


def test_metric_rows_read_every_turn_or_once_at_the_end_are_the_same() -> None:
    read_as_played, read_at_end = Game.from_ruleset(baseline(), seed=3), Game.from_ruleset(baseline(), seed=3)
    reports = []
    for _ in range(3):
        reports.append(read_as_played.step())
        assert reports[-1].rows == read_as_played.metric_rows[-7:]
        read_at_end.step()
    assert read_at_end.metric_rows == read_as_played.metric_rows
    assert [row for report in reports for row in report.rows] == read_at_end.metric_rows
    assert [row["turn"] for row in read_at_end.metric_rows] == [1] * 7 + [2] * 7 + [3] * 7


def test_a_rule_enacted_by_its_condition_says_what_the_condition_was() -> None:
    """The cause names the comparison that held, not only the quarter (found playing: "because its condition held
    in 2026Q1" left the player to guess why SMIC was listed)."""
    from techrace.core.mechanisms.conditions import condition_words

    game = Game.from_ruleset(baseline(), seed=1)
    game.run(8)
    causes = [e.cause for e in game.events if "SMIC to the entity list" in e.text]
    assert causes and causes[0].endswith(": CN capability > 0.9x US's")
    words = condition_words({"any": [{"metric": "gdp_index", "nation": "TW", "op": "lt", "value": 70},
                                     {"metric": "ai_compute_h100e", "nation": "CN", "op": "ge", "of_nation": "US"}]})
    assert words == "one of TW gdp index < 70 or CN ai compute h100e ≥ US's"
