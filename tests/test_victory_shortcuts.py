"""Victory's plain-Python count of the conditions that hold against the arrays' `holds`, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.mechanisms import victory
from techrace.ruleset import load_ruleset
from techrace.ruleset.schema import VictoryCondition

KINDS = [
    {"kind": "lead", "nations": ["US"], "rivals": ["CN"], "value": 25.0},
    {"kind": "lead", "value": 0.0},
    {"kind": "parity", "nations": ["CN", "EU"], "rivals": ["US", "CN"], "value": 5.0},
    {"kind": "self_sufficiency", "nations": ["CN"], "rivals": ["US"], "value": 0.5, "within": 25.0},
    {"kind": "self_sufficiency", "value": 0.5},
    {"kind": "threshold", "value": 100.0},
    {"kind": "collapse", "metric": "gdp_index", "value": 70.0, "nations": ["TW", "KR"]},
]


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset(load_ruleset("baseline"), seed=2).run(3)


@pytest.mark.parametrize("spec", KINDS)
def test_plain_python_holds_as_the_arrays(game: Game, spec: dict) -> None:
    static = game.model.static
    cond = VictoryCondition.model_validate({"metric": "capability", **spec})
    rng = np.random.default_rng(5)
    applies, listed, _, _ = victory._tables(static, cond)
    rivals = [row.nonzero()[0].tolist() for row in listed]
    members = applies.nonzero()[0].tolist()
    n = len(static.nations)
    for trial in range(40):
        metrics = {name: rng.choice([0.0, 70.0, 100.0, 25.0, -0.0], n) + rng.normal(0.0, 30.0, n) * (trial % 3 > 0)
                   for name in ("capability", "gdp_index")}
        metrics["domestic_accelerator_share"] = rng.uniform(0.0, 1.0, n)
        if trial % 4 == 1:
            metrics["capability"][rng.integers(n)] = rng.choice([np.nan, np.inf, -np.inf])
            metrics["domestic_accelerator_share"][rng.integers(n)] = np.nan
        alive = rng.uniform(size=n) > (0.0 if trial % 2 else 0.3)
        arrays = (victory.holds(static, cond, metrics, alive) & victory._living(static, cond, alive)[1]).tolist()
        plain = victory._holds_few(cond, rivals, members, metrics, alive.tolist(), {})
        assert plain == arrays, (spec, trial)


def test_the_plan_follows_the_conditions(game: Game) -> None:
    static = game.model.static
    rows, needed = victory._plan(static)
    assert [row[0] for row in rows] == list(static.ruleset.victory.values())
    assert needed == [float(c.quarters) for c in static.ruleset.victory.values()]
    static.ruleset.victory.pop(next(iter(static.ruleset.victory)))  # other conditions: planned again
    try:
        rows, needed = victory._plan(static)
        assert [row[0] for row in rows] == list(static.ruleset.victory.values()) and len(needed) == len(rows)
    finally:
        static.cache.pop("victory_plan", None)
