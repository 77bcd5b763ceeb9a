"""Helpers for core tests: ruleset variants and short games."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from techrace.core import Game
from techrace.core.mechanisms import controls
from techrace.core.static import BoundedCache
from techrace.ruleset import Ruleset, load_ruleset


@lru_cache(maxsize=1)
def baseline() -> Ruleset:
    return load_ruleset("baseline")


def variant(edit: Callable[[dict[str, Any]], None], base: Ruleset | None = None) -> Ruleset:
    """A copy of a ruleset with `edit` applied to its dict form (validated again)."""
    data = copy.deepcopy((base or baseline()).model_dump(mode="json", by_alias=True))
    edit(data)
    return Ruleset.model_validate(data)


def play(ruleset: Ruleset | None = None, seed: int = 1, turns: int = 8, **kwargs: Any) -> Game:
    game = Game.from_ruleset(ruleset or baseline(), seed=seed, **kwargs)
    game.run(turns)
    return game


def value(game: Game, nation: str, column: str, turn: int | None = None) -> float:
    turn = game.turn if turn is None else turn
    for row in game.metric_rows:
        if row["nation"] == nation and row["turn"] == turn:
            return row[column]
    raise KeyError((nation, column, turn))


def world(game: Game, column: str, turn: int | None = None) -> float:
    turn = game.turn if turn is None else turn
    return sum(r[column] or 0.0 for r in game.metric_rows if r["turn"] == turn)


def no_controls(data: dict[str, Any]) -> None:
    data["controls"] = {k: v for k, v in data["controls"].items() if v["regulator"] == "MOFCOM"}


def licences_as_fresh(game: Game) -> bool:
    """The game's licences, as its caches give them, equal those worked out with every cache empty."""
    static, s = game.model.static, game.model.state
    kept = controls.compute_licences(static, s)
    cache, static.cache = static.cache, BoundedCache()
    try:
        fresh = controls.compute_licences(static, s)
    finally:
        static.cache = cache
    return all(np.array_equal(getattr(kept, name), getattr(fresh, name)) for name in kept.__dataclass_fields__)
