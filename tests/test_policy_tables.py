"""Tables the firms' policies keep once a game are the ones a fresh computation gives (also in a game whose
cache was emptied), research targets in numpy are the old loop's, and writing rows through `as_rows` gives the
array writing them through the indices gives."""

from __future__ import annotations

import copy

import numpy as np
from core_helpers import play
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core.policies import foundries, labs, toolmakers
from techrace.core.policies.segments import as_rows
from techrace.core.static import BoundedCache


def _tables_equal(kept: tuple, fresh: tuple) -> bool:
    """Two tuples of tables (arrays, slices, nested tuples) hold the same values, dtypes and shapes."""
    if len(kept) != len(fresh):
        return False
    for a, b in zip(kept, fresh, strict=True):
        if isinstance(a, tuple):
            if not _tables_equal(a, b):
                return False
        elif isinstance(a, np.ndarray):
            if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
                return False
        elif a != b:
            return False
    return True


def _fresh(static, compute):  # noqa: ANN001, ANN202 - `compute` with an empty cache
    held, static.cache = static.cache, BoundedCache()
    try:
        return compute()
    finally:
        static.cache = held


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 11), max_size=12), st.integers(0, 5))
def test_rows_written_through_as_rows_are_those_written_through_the_indices(picked: list[int], start: int) -> None:
    for idx in (np.array(picked, dtype=np.int64), np.arange(start, start + len(picked))):
        rows = as_rows(idx)
        assert isinstance(rows, slice) == (len(idx) > 0 and idx.tolist() == list(range(idx[0], idx[0] + len(idx))))
        by_index, by_rows = np.zeros((20, 3)), np.zeros((20, 3))
        values = np.arange(len(idx) * 3, dtype=np.float64).reshape(len(idx), 3) + 0.5
        if len(set(idx.tolist())) == len(idx):  # distinct rows (a policy's actors): the same writes
            by_index[idx] = values
            by_rows[rows] = values
            assert by_index.tobytes() == by_rows.tobytes()


def test_once_a_game_tables_are_the_fresh_ones_and_their_recomputation() -> None:
    game = play(turns=4)
    model = game.model
    static = model.static
    everyone = np.arange(len(static.foundries))
    for compute in (lambda: foundries._groups(static, everyone), lambda: foundries._own_sites(static, everyone[6:]),
                    lambda: foundries._fab_tables(static, everyone[:6]), lambda: foundries._staff_start(model, everyone),
                    lambda: foundries._start_slots(static, model.state.construction.shape[2]),
                    lambda: labs._lab_tables(model, np.arange(len(static.labs))),
                    lambda: toolmakers._rows(static, np.arange(len(static.toolmakers)))):
        kept = compute()
        assert _tables_equal(kept if isinstance(kept, tuple) else (kept,), (lambda f: f if isinstance(f, tuple) else (f,))(_fresh(static, compute)))
    memory, logic, _, _, packaging_sites, _ = foundries._groups(static, everyone)
    assert logic.tolist() == (~memory).tolist()
    assert packaging_sites.tolist() == (static.foundry_is_memory[static.site_foundry] == 0).tolist()
    own, own_share = foundries._own_sites(static, everyone)
    assert own_share.tolist() == own.astype(float).tolist()
    slots = foundries._start_slots(static, model.state.construction.shape[2])
    assert slots.tolist() == [min(int(q), model.state.construction.shape[2]) - 1 for q in static.build_quarters]
    started, start, engineers, rows = foundries._staff_start(model, everyone)
    assert started.tolist() == (model.start_capacity > 0).tolist() and rows == slice(0, len(everyone))
    assert engineers.tobytes() == model.start_engineers[everyone].tobytes()
    nation, employer, compute, lab_engineers = labs._lab_tables(model, np.arange(len(static.labs)))
    first = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms)
    assert employer == slice(first, first + len(static.labs))
    assert lab_engineers.tobytes() == model.start_engineers[first:].tobytes()
    assert compute.tobytes() == np.maximum(model.start_compute, 1.0).tobytes()


def test_a_game_plays_on_the_same_with_its_policy_tables_dropped() -> None:
    game = play(turns=5)
    other = copy.deepcopy(game)  # a copy starts with an empty cache (as a restore does)
    game.run(3)
    other.run(3)
    for name in ("cash", "construction", "eng_target", "tool_capacity", "sku_share", "target_units", "hbm_construction",
                 "packaging_construction"):
        assert getattr(game.model.state, name).tobytes() == getattr(other.model.state, name).tobytes(), name


def _targets_in_python(mastered: np.ndarray) -> list[int]:
    """`research_targets` as it was written before (a Python loop over each foundry's nodes)."""
    found = []
    for row in mastered.tolist():
        first = next((j for j, done in enumerate(row) if done <= 0), -1)
        found.append(first if first == 0 or (first > 0 and row[first - 1] > 0) else -1)
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 1.0, 0.5, -0.0, float("nan")]), min_size=4, max_size=4), min_size=1, max_size=6))
def test_research_targets_in_numpy_are_the_python_loops(rows: list[list[float]]) -> None:
    game = _one_game()
    held = game.model.state.mastered
    try:
        game.model.state.mastered = np.array(rows, dtype=np.float64)
        targets = foundries.research_targets(game.model)
        assert targets.dtype == np.int64 and targets.tolist() == _targets_in_python(game.model.state.mastered)
    finally:
        game.model.state.mastered = held


_GAME: list = []


def _one_game():  # noqa: ANN202 - a game built once for the property test
    if not _GAME:
        _GAME.append(play(turns=1))
    return _GAME[0]
