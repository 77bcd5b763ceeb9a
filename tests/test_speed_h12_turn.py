"""Round 12's shortcuts against the full equations: the GDP index kept with the gap and trend arrays it came from
(`economy.kept_gdp_index`) is the one `gdp_index` works out, quarter after quarter, after the GDP update, after a
restore and when the arrays are replaced by hand; the licences' active rules and last rules seen, cached as objects the
bounded cache's size walk takes whole, give the licences a fresh computation gives."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline, licences_as_fresh

from techrace.core import Game
from techrace.core.mechanisms import controls, economy
from techrace.core.static import _nbytes
from techrace.ruleset.adjustable import ADJUSTABLE


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def test_kept_gdp_index_is_the_full_index_every_quarter() -> None:
    game = Game.from_ruleset(baseline(), seed=3)
    static, s = game.model.static, game.model.state
    for _ in range(10):
        game.run(1)
        s = game.model.state
        kept = economy.kept_gdp_index(static, s)
        assert _same(kept, economy.gdp_index(s)) and not kept.flags.writeable
        economy.schedule_gdp_hit(s, 0, -0.05, 2)  # a shock moves the queue only: the index stays
        assert _same(economy.kept_gdp_index(static, s), economy.gdp_index(s))
        economy.update_gdp(static, s, 0.2)  # moves the trend in place and gives the gap a new array
        assert _same(economy.kept_gdp_index(static, s), economy.gdp_index(s))


def test_kept_gdp_index_after_a_restore_and_new_arrays() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)
    restored = Game.from_snapshot(game.snapshot())
    for g in (game, restored):
        assert _same(economy.kept_gdp_index(g.model.static, g.model.state), economy.gdp_index(g.model.state))
    static, s = game.model.static, game.model.state
    economy.kept_gdp_index(static, s)
    s.gdp_gap = s.gdp_gap + 0.01
    assert _same(economy.kept_gdp_index(static, s), economy.gdp_index(s))
    s.gdp_trend = s.gdp_trend * 1.5
    assert _same(economy.kept_gdp_index(static, s), economy.gdp_index(s))
    for g in (restored, game):
        g.run(2)
        assert _same(economy.kept_gdp_index(g.model.static, g.model.state), economy.gdp_index(g.model.state))


def test_gdp_arrays_are_written_only_by_the_gdp_update() -> None:
    """The kept index assumes no `adjust` effect writes the GDP arrays in place (only `update_gdp` does, with a new gap)."""
    assert "gdp_gap" not in ADJUSTABLE and "gdp_trend" not in ADJUSTABLE


def test_licence_rules_are_cached_whole_and_give_fresh_licences() -> None:
    game = Game.from_ruleset(baseline(), seed=2)
    for turns in (1, 6, 10):
        game.run(turns)
        static, s = game.model.static, game.model.state
        assert licences_as_fresh(game)
        last = static.cache["licences/last rules"]
        assert last[0] == s.control_status and _nbytes(last) == 0  # statuses by value; nothing walked
        active, thresholds = controls._active(static, s, last[2])
        assert [rule for rule, *_ in active] == [rule for rid, rule in s.controls.items() if s.control_status[rid] == "active"]
        weights = thresholds[0]
        kept = static.cache[("licences/active", last[2], s.construction.shape[2])]
        assert _nbytes(kept) == (0 if weights is None else weights[0].nbytes + weights[1].nbytes) + (
            0 if thresholds[1] is None else thresholds[1].nbytes)  # the threshold arrays still counted
