"""The game-axis measurement (benchmarks/game_axis.py) compares like with like: its ensemble migration gives every
game exactly what the game's own `talent.migrate` gives (so its figures stay about the mechanism the game plays)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from game_axis import games_at, identical  # noqa: E402


def test_the_ensemble_migration_is_each_games_own_bit_for_bit() -> None:
    games = games_at(3, 8)
    assert identical(games)
    before = [g.model.state.pool.copy() for g in games]
    assert identical(games)  # the check leaves the games as they were
    assert all((g.model.state.pool == b).all() for g, b in zip(games, before, strict=True))


def test_the_check_sees_a_difference() -> None:
    import game_axis

    games = games_at(2, 4)

    original = game_axis.migrate_ensemble

    def off_by_a_bit(e, rate, cap):  # an ensemble that adds in another order must be caught
        flows = original(e, rate, cap)
        e.pool = e.pool * (1.0 + 1e-15)
        return flows

    game_axis.migrate_ensemble = off_by_a_bit
    try:
        assert not identical(games)
    finally:
        game_axis.migrate_ensemble = original
