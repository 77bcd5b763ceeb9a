"""The best node in volume read from the once-a-game (nation, node) rows equals the inf-filled table it replaced."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import baseline

from techrace.core import Game
from techrace.core.metrics import VOLUME_WPM, nation_metrics


def _best_as_before(static, s) -> np.ndarray:
    in_volume = (static.site_to_nation @ s.usable) >= VOLUME_WPM
    return np.minimum.reduce(np.where(in_volume, static.node_nm[None, :], np.inf), axis=1)


@pytest.mark.parametrize("turns", [0, 5])
def test_best_node_equals_the_inf_filled_table(turns: int) -> None:
    model = Game.from_ruleset(baseline(), seed=4).run(turns).model
    static, s = model.static, model.state
    s.usable[:, 0] = np.nan  # a broken cell is never in volume
    s.usable[static.site_nation == 2] = 0.0  # a nation with no node in volume: inf
    best = nation_metrics(static, s)["best_node_nm"]
    assert best.tobytes() == _best_as_before(static, s).tobytes()
    assert np.isinf(best[2])
