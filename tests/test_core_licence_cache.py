"""Licence tables kept in a game's cache are the tables a fresh computation gives, whatever fabs and HBM
generations appear; a fab that crosses a rule's node threshold falls under the rule at once."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pytest
from core_helpers import baseline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.core import Game
from techrace.core.mechanisms.controls import Licences, compute_licences
from techrace.core.static import BoundedCache


@lru_cache(maxsize=1)
def _played() -> Game:
    """A baseline game three quarters in: the export controls of December 2024 are in force."""
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)
    return game


def _fresh(game: Game) -> Licences:
    """The licences computed with an empty cache (nothing kept from earlier quarters)."""
    static = game.model.static
    kept, static.cache = static.cache, BoundedCache()
    try:
        return compute_licences(static, game.model.state)
    finally:
        static.cache = kept


def _same(a: Licences, b: Licences) -> bool:
    return all(np.array_equal(getattr(a, name), getattr(b, name)) for name in a.__dataclass_fields__)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.integers(0, 18), st.integers(0, 7), st.sampled_from([0.0, 0.5, 5000.0]),
                                  st.booleans()), min_size=1, max_size=4),
       hbm=st.lists(st.sampled_from([0.0, 2.0, 3.0, 3.5, 4.0]), min_size=10, max_size=10))
def test_kept_licences_are_the_freshly_computed_ones(changes: list[tuple[int, int, float, bool]], hbm: list[float]) -> None:
    game = _played()
    s = game.model.state
    saved = s.capacity.copy(), s.construction.copy(), s.hbm_level.copy()
    try:
        compute_licences(game.model.static, s)  # the tables of the quarter as played are in the cache
        for site, node, wpm, building in changes:
            if building:
                s.construction[site % s.construction.shape[0], node % s.construction.shape[1], 0] = wpm
            else:
                s.capacity[site % s.capacity.shape[0], node % s.capacity.shape[1]] = wpm
        s.hbm_level[:] = np.asarray(hbm)[: len(s.hbm_level)]
        assert _same(compute_licences(game.model.static, s), _fresh(game))
    finally:
        s.capacity[...], s.construction[...], s.hbm_level[...] = saved


def test_a_chinese_site_building_a_7nm_fab_falls_under_the_tool_rules_at_once() -> None:
    game = _played()
    static, s = game.model.static, game.model.state
    site, n7 = static.sites.index("SMIC-BJ"), static.nodes.index("N7")
    before = compute_licences(static, s).tool_allowed[:, site].copy()
    saved = s.construction.copy()
    try:
        s.construction[site, n7, 3] = 10_000.0
        after = compute_licences(static, s).tool_allowed[:, site]
    finally:
        s.construction[...] = saved
    assert (after <= before).all() and (after < before).any()  # the December 2024 rules bind at 16 nm and below
    assert np.array_equal(compute_licences(static, s).tool_allowed[:, site], before)  # and the fab's end lifts them


class _Pair(NamedTuple):
    table: np.ndarray
    rows: list


def test_the_cache_counts_the_arrays_inside_named_tuples_and_lists() -> None:
    cache = BoundedCache(limit=10_000)
    cache["pair"] = _Pair(np.zeros(10), [np.zeros(5), (np.zeros(5), "name")])
    cache["plain"] = (np.zeros(10), {"table": np.zeros(10)})
    assert cache.held == (10 + 5 + 5) * 8 + (10 + 10) * 8


@pytest.mark.parametrize("in_place", [False, True])
def test_a_changed_licence_share_or_status_gives_fresh_licences(in_place: bool) -> None:
    game = _played()
    static, s = game.model.static, game.model.state
    rule_id = next(rid for rid, rule in s.controls.items() if rule["kind"] == "chip_threshold" and s.control_status[rid] == "active")
    saved_rule, saved_status = s.controls[rule_id], dict(s.control_status)
    try:
        before = compute_licences(static, s)
        if in_place:  # a rule edited where it is, not replaced as the licensing lever does
            s.controls[rule_id] = rule = dict(saved_rule)
            compute_licences(static, s)
            rule["licence_share"] = 0.9
        else:
            s.controls[rule_id] = {**saved_rule, "licence_share": 0.9, "licence_revenue_share": 0.2}
        licensed = compute_licences(static, s)
        assert _same(licensed, _fresh(game)) and not _same(licensed, before)
        s.control_status[rule_id] = "lifted"
        assert _same(compute_licences(static, s), _fresh(game))
    finally:
        s.controls[rule_id] = saved_rule
        s.control_status.clear()
        s.control_status.update(saved_status)
    assert _same(compute_licences(static, s), before)
