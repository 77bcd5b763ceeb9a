"""A game saved before a state field existed still loads: the field is worked out from the ones the save has."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from core_helpers import play

from techrace.core.saved_fields import ADDED_ON_LOAD, with_added_fields
from techrace.saves import container, load_game
from techrace.saves.atomic import atomic_write_bytes


def test_the_whole_wafer_forecast_is_the_nodes_added_up() -> None:
    arrays = {"wafer_demand": [[100.0, 50.0], [0.0, 0.0]], "wafer_demand_level": [[math.log(100.0), math.log(50.0)], [0.0, 0.0]],
              "wafer_demand_trend": [[0.1, 0.4], [0.3, 0.3]]}
    added = with_added_fields(arrays)
    assert added["ai_wafer_demand"] == [150.0, 0.0]
    assert np.allclose(added["ai_wafer_demand_level"], [math.log(150.0), 0.0])
    assert np.allclose(added["ai_wafer_demand_trend"], [(100 * 0.1 + 50 * 0.4) / 150, 0.0])  # weighted by demand
    assert with_added_fields(added) is added  # a save that has the fields keeps them


def test_unreadable_arrays_are_left_for_the_snapshot_checks_to_name() -> None:
    arrays = {"wafer_demand": "x", "wafer_demand_level": [[1.0]], "wafer_demand_trend": [[0.0]]}
    assert with_added_fields(arrays) is arrays


def test_a_save_from_before_the_whole_wafer_forecast_loads_and_plays_on(tmp_path: Path) -> None:
    game = play(seed=3, turns=6)
    snapshot = game.snapshot()
    for name in ADDED_ON_LOAD:  # as a save written before 1 December 2026 holds it
        del snapshot["state"][name], snapshot["axes"][name]
    path = tmp_path / "old.json.gz"
    atomic_write_bytes(path, container.encode(container.build_document(snapshot, str(game.quarter))))
    loaded = load_game(path)
    s = loaded.model.state
    assert np.array_equal(s.ai_wafer_demand, np.add.reduce(game.model.state.wafer_demand, axis=1))
    assert np.all(np.isfinite(s.ai_wafer_demand_level)) and np.all(s.ai_wafer_demand_level >= 0)
    loaded.run(4)
    assert loaded.turn == 10 and loaded.metric_rows[-1]["quarter"] == "2027Q2"
