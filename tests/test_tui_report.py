"""The player's view without Textual: orders in words, where forms start, the budget left, the turn
summary (what each order did, each order once in the log, the events that concern the player), the
settings file and autosaves that keep to their own timeline."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techrace.core import ACTION_SPECS, Action, Game
from techrace.core.actions import military_moves
from techrace.tui import saving
from techrace.tui.orders import budget_left, form_defaults, nation_row, order_label, param_choices, shorten
from techrace.tui.report import log_entries, top_events
from techrace.tui.session import QueueError, Session
from techrace.tui.settings import Settings, load_settings, save_settings
from techrace.tui.widgets.charts import LogAxis, nation_marks
from techrace.tui.widgets.format import bar, change
from techrace.tui.widgets.rivals import CELL_PADDING, fitting_columns

EXAMPLES = {
    "entity_list": {"entities": ["SMIC", "HUAWEI"]},
    "chip_threshold": {"tpp": 4800.0, "tpp_with_density": 1600.0, "density": 5.92, "destinations": ["CN"]},
    "tool_ban": {"tool_kinds": ["euv"], "destinations": ["CN"], "node_nm_at_or_below": 16.0},
    "servicing_ban": {"tool_kinds": ["arf"], "destinations": ["CN"]},
    "licence_exception": {"control": "oct2023_chips", "licence_share": 0.5, "licence_revenue_share": 0.15},
    "lift_control": {"control": "oct2023_chips"},
    "enact_control": {"control": "oct2023_chips"},
    "subsidy": {"firm": "HUAWEI", "usd_b": 3.0},
    "visa_policy": {"visa_openness": 0.8},
    "pay_policy": {"pay_index": 1.2},
    "power_buildout": {"extra_gw": 2.0},
    "centralisation": {"share": 0.6},
    "fab_grant": {"site": "SMIC-SN1", "usd_b": 1.5},
    "retaliation": {"destinations": ["US"], "mineral_cost_share": 0.05},
    "military": {"shock": "taiwan_blockade"},
    "advisor": {"group": "industry", "advisor": True},
}


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset("baseline", seed=3, player="CN")


def test_every_lever_has_a_label_in_words_without_raw_parameter_names(game: Game) -> None:
    assert set(EXAMPLES) == set(ACTION_SPECS), "a new lever needs an example here"
    for kind, params in EXAMPLES.items():
        label = order_label(game, Action(kind, "CN", params))
        if kind == "advisor":  # a sentence of its own, not "Advisor: …"
            assert label == "Your advisor decides the industry levers"
            continue
        assert label.startswith(ACTION_SPECS[kind].label + ": ") and "=" not in label
        for raw in params:
            assert "_" not in raw or raw not in label, f"{kind}: raw parameter name {raw!r} in {label!r}"
    assert order_label(game, Action("subsidy", "CN", {"firm": "HUAWEI", "usd_b": 3.0})) == \
        "Subsidy: $3.0 bn to Huawei / HiSilicon"


def test_a_fab_grant_offers_the_logic_sites_on_the_players_soil_whoever_owns_them() -> None:
    us = Game.from_ruleset("baseline", seed=3, player="US")
    choices = param_choices(us, "US", ACTION_SPECS["fab_grant"].params[0], "fab_grant")
    assert [value for _, value in choices] == ["GF-US", "IF-US", "SF-US", "TSMC-AZ"]
    assert ("TSMC-AZ (site of TSMC)", "TSMC-AZ") in choices
    taiwan = Game.from_ruleset("baseline", seed=3, player="TW")  # Micron's HBM site in Taiwan builds no logic fabs
    assert [value for _, value in param_choices(taiwan, "TW", ACTION_SPECS["fab_grant"].params[0])] == ["TSMC-TW"]


def test_military_moves_are_offered_from_the_ruleset(game: Game) -> None:
    spec = ACTION_SPECS["military"]
    choices = param_choices(game, "CN", spec.params[0])
    assert [value for _, value in choices] == military_moves(game.ruleset) != []
    assert all(len(label) <= 72 for label, _ in choices)


@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=12), min_size=1, max_size=30))
def test_shortened_descriptions_end_at_a_word(words: list[str]) -> None:
    text = " ".join(words)
    short = shorten(text, 40)
    assert len(short) <= 40
    kept = short.removesuffix(" …").split()
    assert kept == words[: len(kept)], "a word was cut in the middle"


def test_forms_start_at_the_nations_current_settings_or_the_queued_order(game: Game) -> None:
    row = nation_row(game, "CN")
    for kind, param, column in (("visa_policy", "visa_openness", "visa"), ("pay_policy", "pay_index", "pay"),
                                ("centralisation", "share", "centralisation")):
        start = form_defaults(game, "CN", ACTION_SPECS[kind])[param]
        assert start == pytest.approx(row[column])
        assert start != ACTION_SPECS[kind].params[0].default, "the lever's generic default is not the nation's"
    queued = [Action("visa_policy", "CN", {"visa_openness": 0.9})]
    assert form_defaults(game, "CN", ACTION_SPECS["visa_policy"], queued)["visa_openness"] == 0.9


def test_budget_left_counts_the_queued_orders_and_goes_negative_when_they_do_not_fit(game: Game) -> None:
    budget = game.budget_left("CN")  # this quarter's budget after the standing orders
    assert 0 < budget <= nation_row(game, "CN")["budget_usd_b"]
    assert budget_left(game, "CN") == pytest.approx(budget)
    one = [Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 1.0})]
    assert budget_left(game, "CN", one) == pytest.approx(budget - 1.0)
    too_much = one + [Action("subsidy", "CN", {"firm": "SMIC", "usd_b": budget})]
    assert budget_left(game, "CN", too_much) < 0


def test_a_turn_summary_says_what_each_order_did_and_tells_each_order_once() -> None:
    session = Session(Game.from_ruleset("baseline", seed=7, player="CN"), "CN")
    budget = session.game.budget_left("CN")
    session.queue(Action("visa_policy", "CN", {"visa_openness": 0.8}))
    session.queue(Action("subsidy", "CN", {"firm": "SMIC", "usd_b": budget - 1.0}))
    with pytest.raises(QueueError, match=r"costs \$[0-9.]+ bn but \$1.00 bn is left"):  # refused, never cut
        session.queue(Action("power_buildout", "CN", {"extra_gw": 5.0}))
    session.queue(Action("power_buildout", "CN", {"extra_gw": 0.5}))
    report = session.end_turn()
    summary = session.last_summary
    assert summary is not None and summary.turn == report.turn == 1
    statuses = [(o.label.split(":")[0], o.status) for o in summary.orders]
    assert statuses == [("Visa policy", "done"), ("Subsidy", "paid"), ("Power build-out", "paid")]
    assert "sets visa openness to 0.80" in summary.orders[0].detail
    compute = next(f for f in summary.figures if f.label == "Compute")
    assert compute.before is not None and compute.now is not None and compute.delta == compute.now - compute.before
    assert [g.text for g in summary.goals] == [g.text for g in session.game.goals("CN")]

    entries = log_entries(session.game, session.game.events)
    assert all(e.kind != "action" for e in entries)
    orders = [e for e in entries if e.kind == "order"]
    assert len(orders) == 3 and orders[0].text == "Visa policy: openness 0.80"
    assert "sets visa openness" in orders[0].effect
    assert not any(e.kind == "policy" and "CN sets visa openness" in e.text for e in entries), "told twice"


def test_top_events_concern_the_player_and_keep_their_order() -> None:
    game = Game.from_ruleset("baseline", seed=7, player="CN")
    game.run(3)
    entries = log_entries(game, [e for e in game.events if e.turn == 3])
    top = top_events(game, entries, "CN", limit=4)
    assert len(top) <= 4 and all(e.kind != "order" for e in top)
    assert [entries.index(e) for e in top] == sorted(entries.index(e) for e in top)
    others = [e for e in entries if e not in top and e.kind in ("shock", "control", "victory")]
    assert not others or len(top) == 4, "a shock or control left out while there was room"


def test_settings_round_trip_and_a_broken_file_means_defaults_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "techrace" / "tui.json"
    assert load_settings(path) == (Settings(), None)
    assert save_settings(Settings(turn_report=False), path) is None
    assert load_settings(path) == (Settings(turn_report=False), None)
    for text, reason in (("{not json", "cannot read"), ('{"turn_report": "no"}', "true or false"), ("[1]", "object")):
        path.write_text(text)
        settings, problem = load_settings(path)
        assert settings == Settings() and problem and reason in problem
    path.write_text(json.dumps({"turn_report": False, "from_a_newer_version": 1}))
    assert load_settings(path) == (Settings(turn_report=False), None), "unknown keys are ignored"


def test_settings_that_cannot_be_written_are_a_one_line_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    problem = save_settings(Settings(), blocker / "tui.json")
    assert problem and problem.startswith("cannot save settings") and "\n" not in problem


def test_autosaves_rotate_within_their_own_timeline_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = Game.from_ruleset("baseline", seed=2, player="KR")
    for _ in range(7):
        first.step([])
        saving.autosave(first, "aaaa")
    branch = Game.from_ruleset("baseline", seed=2, player="KR")  # the same game played again: another timeline
    for _ in range(3):
        branch.step([])
        saving.autosave(branch, "bbbb")
    names = sorted(p.name for p in (tmp_path / "saves" / "autosave").iterdir())
    assert [n for n in names if "-aaaa-" in n] == [f"baseline-s2-KR-aaaa-t{t:04d}.json.gz" for t in range(3, 8)]
    assert [n for n in names if "-bbbb-" in n] == [f"baseline-s2-KR-bbbb-t{t:04d}.json.gz" for t in range(1, 4)]
    assert os.path.getsize(tmp_path / "saves" / "autosave" / names[0]) > 0


def test_changes_and_bars_read_without_colour() -> None:
    assert change(100.0, 114.0) == "+14%" and change(100.0, 93.0) == "-7%"
    assert change(85.5, 86.3, relative=False) == "+0.8" and change(5.0, 5.0) == "±0"
    assert bar(0.43) == "████░░░░░░" and bar(2.0) == "█" * 10 and bar(-1) == "░" * 10


@given(st.integers(min_value=20, max_value=200))
def test_rival_columns_fit_their_width_and_keep_the_most_important(width: int) -> None:
    columns = fitting_columns(width)
    keys = [c.key for c in columns]
    assert keys[:2] == ["nation", "capability"] or width < 30
    used = sum(max(c.width, len(c.label)) + CELL_PADDING for c in columns)
    assert used <= width or len(columns) == 1
    dropped = [c for c in fitting_columns(500) if c.key not in keys]
    assert all(d.priority > max(c.priority for c in columns) or d.width + CELL_PADDING > width - used for d in dropped)


def test_nations_get_distinct_letters_and_log_ticks_read_as_values() -> None:
    marks = nation_marks(["US", "CN", "CA", "CH", "C1", "UK", "U2"])
    assert len(set(marks.values())) == len(marks) and marks["US"] == "U" and marks["CN"] == "C"
    axis = LogAxis()
    ticks = axis.get_ticks(4.5, 6.9)
    assert axis.get_labels_for_ticks(ticks) == ["100k", "1M"]


def test_the_first_turn_tick_says_what_the_axis_counts() -> None:
    from techrace.tui.widgets.charts import TurnAxis

    ticks = TurnAxis().get_ticks(0.0, 44.0)
    assert TurnAxis().get_labels_for_ticks(ticks) == ["turn 0", "20", "40"]
