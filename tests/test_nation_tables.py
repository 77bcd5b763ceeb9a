"""Nations' per-nation substitute tables against the tables over every nation they replaced, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.policies import nations
from techrace.core.policies.segments import shares_by_group
from techrace.ruleset import load_ruleset
from techrace.ruleset.schema import TOOL_KINDS


def _every_toolmaker_kind(model) -> list[list[list[tuple[str, float]]]]:
    """[nation][kind] over every (toolmaker, kind) row at once, as the table was built before."""
    static, s = model.static, model.state
    kinds = len(TOOL_KINDS)
    groups = (static.toolmaker_nation[:, None] * kinds + np.arange(kinds)).ravel().tolist()
    names = [maker for maker in static.toolmakers for _ in range(kinds)]
    lines = s.tool_capacity.ravel()
    rows = ((lines > 0) | (s.tool_dev.ravel() >= 0)).nonzero()[0]
    weight = (lines[rows] + 1.0).tolist()
    rows = rows.tolist()
    shares = shares_by_group([groups[r] for r in rows], [names[r] for r in rows], weight, len(static.nations) * kinds)
    return [shares[i:i + kinds] for i in range(0, len(shares), kinds)]


def _every_logic_foundry(model) -> list[list[tuple[str, float]]]:
    static = model.static
    ids = np.flatnonzero(static.foundry_is_memory == 0)
    weights = nations._foundry_weights(model)
    return shares_by_group(static.foundry_nation[ids], [static.foundries[i] for i in ids], weights[ids], len(static.nations),
                           floor=1e-12)


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset(load_ruleset("baseline"), seed=3).run(6)


def test_per_nation_tables_equal_the_tables_of_every_nation(game: Game) -> None:
    model, rng = game.model, np.random.default_rng(11)
    s = model.state
    for trial in range(4):
        model.turn_cache.clear()
        if trial:  # lines and development of other sizes, some none, some NaN
            s.tool_capacity[...] = rng.choice([0.0, 1.0, 37.5, 1e6], s.tool_capacity.shape) * rng.uniform(0.5, 2.0, s.tool_capacity.shape)
            s.tool_dev[...] = rng.choice([-1.0, 0.0, 0.4], s.tool_dev.shape)
            s.capacity[...] = s.capacity * rng.uniform(0.0, 3.0, s.capacity.shape)
            if trial == 3:
                s.tool_capacity[0, 1] = np.nan
        every, logic = _every_toolmaker_kind(model), _every_logic_foundry(model)
        for n in range(len(model.static.nations)):
            assert nations._toolmaker_substitutes(model, n) == every[n]
            assert nations._logic_foundries(model, n) == logic[n]


def test_per_nation_lab_shares_equal_the_table_of_every_nation(game: Game) -> None:
    model, rng = game.model, np.random.default_rng(12)
    static, s = model.static, model.state
    for trial in range(3):
        model.turn_cache.clear()
        if trial:
            s.usable_compute[...] = rng.choice([0.0, -1.0, 3.5e5, 1e9], len(static.labs)) * rng.uniform(0.5, 2.0, len(static.labs))
        every = shares_by_group(static.lab_nation, static.labs, s.usable_compute + 1.0, len(static.nations))
        for n in range(len(static.nations)):
            assert nations._domestic_labs(model, n) == every[n]
