"""Star poaching's chances kept by espionage, enforcement and the rule's probability equal the equation worked
out every quarter, bit for bit, and follow a lever that changes them."""

from __future__ import annotations

import copy

import numpy as np

from techrace.core import Game
from techrace.core.markets import talent
from techrace.ruleset import load_ruleset


def chances_in_full(static, s) -> np.ndarray:  # noqa: ANN001 - test helper
    _, _, _, poacher_nation, target_nation = talent._poach_pairs(static)
    return (static.ruleset.talent.poach_probability * s.espionage[poacher_nation]) * (1.0 - s.anti_poaching[target_nation])


def test_chances_follow_espionage_and_enforcement() -> None:
    game = Game.from_ruleset(load_ruleset("baseline"), seed=1).run(2)
    static, s = game.model.static, copy.deepcopy(game.model.state)
    for change in (None, ("espionage", 0, 0.7), ("anti_poaching", 3, 0.9), ("espionage", 2, np.nan), ("anti_poaching", 1, -0.0)):
        if change is not None:
            name, nation, value = change
            getattr(s, name)[nation] = value  # levers write in place
        got, expected = talent._poach_chances(static, s), chances_in_full(static, s)
        assert got.tobytes() == expected.tobytes()
        assert not got.flags.writeable


def test_poaching_draws_and_moves_as_before() -> None:
    game = Game.from_ruleset(load_ruleset("baseline"), seed=5).run(3)
    static = game.model.static
    s, full = copy.deepcopy(game.model.state), copy.deepcopy(game.model.state)
    s.espionage[:] = full.espionage[:] = 1.0  # every pair likely to succeed
    moves = talent.poach_stars(static, s, np.random.default_rng(7))
    rng = np.random.default_rng(7)
    draws = rng.random(static.blocs.poaches.shape)
    poacher, target, cells, _, _ = talent._poach_pairs(static)
    expected = []
    for p, t in zip(poacher[draws.take(cells) < chances_in_full(static, full)].tolist(), target[draws.take(cells) < chances_in_full(static, full)].tolist(), strict=True):
        if full.stars[t] >= 1.0:
            full.stars[t] -= 1.0
            full.stars[p] += 1.0
            expected.append((t, p))
    assert moves == expected and moves
    assert s.stars.tobytes() == full.stars.tobytes()
