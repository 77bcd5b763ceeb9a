"""The derived-table cache holds at most its limit in bytes, and a game plays the same whatever it keeps."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline

from techrace.core import Game
from techrace.core.static import BoundedCache


def test_the_cache_drops_the_oldest_tables_beyond_its_bytes() -> None:
    cache = BoundedCache(limit=1000)
    cache["first"], cache["second"] = np.zeros(50), (np.zeros(25), [np.zeros(25)])
    cache["first"] = np.zeros(50)  # stored again: now the most recent
    cache["third"] = {"table": np.zeros(50)}
    assert list(cache) == ["first", "third"] and cache.held == 800
    cache["huge"] = np.zeros(500)  # larger than the limit: kept alone (the caller reads it back at once)
    assert list(cache) == ["huge"] and cache.get("first") is None and cache.held == 4000


def test_a_game_plays_the_same_with_a_cache_that_keeps_nothing() -> None:
    kept = Game.from_ruleset(baseline(), seed=3)
    starved = Game.from_ruleset(baseline(), seed=3)
    starved.model.static.cache = BoundedCache(limit=0)
    kept.run(6)
    starved.run(6)
    assert starved.metric_rows == kept.metric_rows
    assert np.array_equal(starved.model.state.tools, kept.model.state.tools)
    assert len(kept.model.static.cache) > len(starved.model.static.cache)
