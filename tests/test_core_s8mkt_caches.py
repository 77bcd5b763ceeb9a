"""Tables the markets keep between quarters are the ones a fresh computation gives: after pay and visas
change (a lever or a shock), and in a game whose cache was emptied (a reload or a restore)."""

from __future__ import annotations

import copy

import numpy as np
from core_helpers import play

from techrace.core.markets import talent
from techrace.core.static import BoundedCache


def _migrated(static, s):  # noqa: ANN001, ANN202 - a copy of the state after one migration
    after = copy.deepcopy(s)
    talent.migrate(static, after)
    return after


def test_kept_migration_rates_are_the_fresh_ones_after_pay_and_visas_change() -> None:
    game = play(turns=3)
    static, s = game.model.static, game.model.state
    for pay, visa in ((None, None), (1.7, None), (None, 0.1), (0.4, 0.9)):
        if pay is not None:
            s.pay[2] = pay
        if visa is not None:
            s.visa[0] = visa
        kept = _migrated(static, s)
        held, static.cache = static.cache, BoundedCache()
        try:
            fresh = _migrated(static, s)
        finally:
            static.cache = held
        for name in ("pool", "pool_exp", "emigrated", "immigrated", "researcher_inflow"):
            assert np.array_equal(getattr(kept, name), getattr(fresh, name)), name
