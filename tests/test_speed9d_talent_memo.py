"""The talent units and index kept with the engineers they were worked out from equal the equations in full,
bit for bit, after every change that can reach them (hiring, in-place shocks, stars, rule values, a restore)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.markets import talent
from techrace.core.markets.talent import EMPLOYER_SKILL
from techrace.ruleset import load_ruleset


def units_in_full(static, s) -> np.ndarray:  # noqa: ANN001 - test helper
    skill = [EMPLOYER_SKILL[k] for k in static.employer_kind]
    rows = np.arange(len(static.employers))
    rules = static.ruleset.talent
    experience = np.minimum(rules.experience_weight_cap, rules.experience_weight_base + s.exp[rows, skill] * rules.experience_weight_per_year)
    return s.eng[rows, skill] * experience + s.stars * static.ruleset.technology.star_multiplier * rules.star_weight_engineers


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset(load_ruleset("baseline"), seed=3).run(5)


def test_units_follow_in_place_changes(game: Game) -> None:
    static, s = game.model.static, copy.deepcopy(game.model.state)
    assert same(talent.talent_units(static, s), units_in_full(static, s))
    s.eng[3, EMPLOYER_SKILL["foundry"]] *= 0.5  # a shock's adjustment writes in place
    assert same(talent.talent_units(static, s), units_in_full(static, s))
    s.exp[3] += 1.0
    assert same(talent.talent_units(static, s), units_in_full(static, s))
    s.stars[-1] += 1.0
    assert same(talent.talent_units(static, s), units_in_full(static, s))
    talent.hire(static, s)
    assert same(talent.talent_units(static, s), units_in_full(static, s))


def test_index_follows_units_and_reference(game: Game) -> None:
    model = game.model
    static, s = model.static, copy.deepcopy(model.state)
    for reference in (model.talent_reference, model.talent_reference * 2.0, np.zeros_like(model.talent_reference)):
        assert same(talent.talent_index(static, s, reference), units_in_full(static, s) / np.maximum(reference, 1.0))
    s.eng *= 1.25
    reference = model.talent_reference
    assert same(talent.talent_index(static, s, reference), units_in_full(static, s) / np.maximum(reference, 1.0))
    with pytest.raises(ValueError):
        talent.talent_index(static, s, reference)[0] = 1.0  # shared with later callers: read-only


def test_units_follow_rule_values_and_other_states(game: Game) -> None:
    static = game.model.static
    first, second = copy.deepcopy(game.model.state), Game.from_ruleset(static.ruleset, seed=3).model.state
    for s in (first, second, first):
        assert same(talent.talent_units(static, s), units_in_full(static, s))
    rules = static.ruleset.talent
    cap = rules.experience_weight_cap
    try:
        object.__setattr__(rules, "experience_weight_cap", cap * 0.5)
        assert same(talent.talent_units(static, first), units_in_full(static, first))
    finally:
        object.__setattr__(rules, "experience_weight_cap", cap)
    assert same(talent.talent_units(static, first), units_in_full(static, first))


def test_a_game_indexes_its_engineers_as_in_full() -> None:
    game = Game.from_ruleset(load_ruleset("baseline"), seed=4)
    for _ in range(4):
        game.run(1)
        model = game.model
        assert same(model.talent, units_in_full(model.static, model.state) / np.maximum(model.talent_reference, 1.0))
        restored = Game.from_snapshot(game.snapshot())
        assert same(restored.model.talent, model.talent)
