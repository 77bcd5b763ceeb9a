"""Every lever a player can give survives a save: the save loads, plays on as the game never saved, and its replay
verifies. One order per lever (each shipped probe's order, the lever alone), given in the first quarter, the
game saved two quarters later (a lifted rule made every such save unloadable until 1 December 2026)."""

from __future__ import annotations

from pathlib import Path

import pytest

from techrace.core import Action, Game
from techrace.ruleset.strategies import load_strategies
from techrace.saves import load_game, save_game, verify_replay

PROBES = sorted(((p.strategy.nation, p.strategy.orders[0].lever, p.strategy.orders[0].params)
                 for p in load_strategies().probes), key=lambda probe: (probe[0], probe[1]))


@pytest.mark.parametrize(("nation", "lever", "params"), PROBES, ids=[f"{n}-{lever}" for n, lever, _ in PROBES])
def test_a_game_with_this_order_saves_loads_plays_on_and_replays(tmp_path: Path, nation: str, lever: str,
                                                                  params: dict) -> None:
    game = Game.from_ruleset("baseline", seed=2, player=nation)
    game.step([Action(lever, nation, dict(params))])
    game.run(2)
    path = save_game(game, tmp_path / "probe.json.gz")
    loaded = load_game(path)
    game.run(2)
    loaded.run(2)
    assert loaded.metric_rows == game.metric_rows
    assert [e.text for e in loaded.events] == [e.text for e in game.events]
    assert verify_replay(path) is None
