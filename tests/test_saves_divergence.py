"""Naming the first divergence between a saved and a replayed snapshot: (turn, actor, field)."""

from __future__ import annotations

import copy
from typing import Any

from techrace.saves import Divergence, first_divergence


def snapshot() -> dict[str, Any]:
    return {
        "turn": 4, "seed": 1, "player": None, "ruleset": {"name": "baseline"}, "ruleset_hash": "0" * 64,
        "state": {"turn": 4, "arrays": {"capacity": [[10.0, 20.0], [30.0, 40.0]], "cash": [5.0, 6.0]}},
        "axes": {"capacity": ["foundry", "node"], "cash": ["foundry"]},
        "labels": {"foundry": ["TSMC", "SMIC"], "node": ["N5", "N7"]},
        "rng": {"world": {"state": 12345}},
        "history": {
            "metric_rows": [{"turn": t, "nation": n, "gdp_index": 100.0 + t} for t in range(1, 5) for n in ("CN", "US")],
            "events": [{"turn": 3, "quarter": "2025Q3", "kind": "shock", "text": "quake", "actors": ["TW"]}],
        },
        "action_log": [[], [], [], []],
    }


def test_identical_snapshots_do_not_diverge() -> None:
    assert first_divergence(snapshot(), snapshot()) is None


def test_a_state_difference_is_named_by_actor_and_field_through_the_labels() -> None:
    replayed = snapshot()
    replayed["state"]["arrays"]["capacity"][1][1] = 41.5
    assert first_divergence(snapshot(), replayed) == Divergence(4, "SMIC", "capacity[N7]", 40.0, 41.5)


def test_the_earliest_history_row_wins_over_a_later_state_difference() -> None:
    replayed = snapshot()
    replayed["state"]["arrays"]["cash"][0] = 0.0
    replayed["history"]["metric_rows"][3]["gdp_index"] = 99.0  # turn 2, US
    replayed["history"]["metric_rows"][6]["gdp_index"] = 99.0  # turn 4, CN
    assert first_divergence(snapshot(), replayed) == Divergence(2, "US", "metric_rows.gdp_index", 102.0, 99.0)


def test_a_differing_event_names_its_actors_and_turn() -> None:
    replayed = snapshot()
    replayed["history"]["events"][0]["text"] = "no quake"
    found = first_divergence(snapshot(), replayed)
    assert found is not None and (found.turn, found.actor, found.field) == (3, "TW", "events.text")


def test_a_replay_that_stops_early_diverges_at_the_first_missing_row() -> None:
    replayed = snapshot()
    del replayed["history"]["metric_rows"][5:]
    found = first_divergence(snapshot(), replayed)
    assert found is not None and (found.turn, found.actor) == (3, "US") and found.actual == "<missing>"


def test_random_generator_state_differences_are_reported_too() -> None:
    replayed = copy.deepcopy(snapshot())
    replayed["rng"]["world"]["state"] = 1
    found = first_divergence(snapshot(), replayed)
    assert found is not None and (found.turn, found.actor, found.field) == (4, "random generators", "world.state")


def test_a_type_change_alone_is_a_divergence() -> None:
    replayed = snapshot()
    replayed["state"]["arrays"]["cash"][1] = 6
    assert first_divergence(snapshot(), replayed) == Divergence(4, "SMIC", "cash", 6.0, 6)


def test_describe_is_one_line_with_turn_actor_and_field() -> None:
    text = Divergence(7, "SMIC", "d0[N7]", 0.1, 0.2).describe()
    assert text == "turn 7, actor SMIC, field d0[N7]: saved 0.1, replay gives 0.2"


def test_a_differing_record_outside_the_arrays_is_named_by_its_path() -> None:
    saved, replayed = snapshot(), snapshot()
    saved["records"] = {"control_status": {"oct2023_chips": "active"}}
    replayed["records"] = {"control_status": {"oct2023_chips": "expired"}}
    assert first_divergence(saved, replayed) == Divergence(4, "world", "control_status.oct2023_chips", "active", "expired")
