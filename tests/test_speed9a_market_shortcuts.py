"""The markets' shortcuts give, bit for bit, the figures of their equations in full: products by the sites that
are not halted or offline left out when none is, the trailing-node supply read as rows of the transposed table,
a per-design figure spread over labs by `repeat`, and the dominated designs' mask cast to floats before the product."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.markets import chips, hbm, packaging, wafers
from techrace.core.markets.wafers import MONTHS
from techrace.ruleset import load_ruleset


@pytest.fixture(scope="module")
def played() -> Game:
    game = Game.from_ruleset(load_ruleset("baseline"), seed=2)
    game.run(10)
    return game


def _bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _halts(n: int) -> list[np.ndarray]:
    some = np.zeros(n, dtype=bool)
    some[::3] = True
    return [np.zeros(n, dtype=bool), some, np.ones(n, dtype=bool)]


def test_sites_halted_or_offline_only_when_some_are(played: Game) -> None:
    static = played.model.static
    s = copy.deepcopy(played.model.state)
    s.usable[0, :] = np.nan  # a NaN and a negative zero keep their bits through a product by 1.0
    s.packaging[1] = -0.0
    ai = played.model.ai_share
    for offline in (np.zeros_like(s.offline), np.where(np.arange(len(s.offline)) % 4 == 0, 0.5, 0.0)):
        s.offline = offline
        for halted in _halts(len(static.sites)):
            full = static.by_foundry(s.usable * MONTHS * ai * (~halted)[:, None])
            assert _bits(wafers.foundry_ai_capacity(static, s, ai, halted), full)
            pools = np.bincount(static.blocs.site_pool, weights=s.packaging * (1.0 - s.offline) * (~halted),
                                minlength=len(static.blocs.pools))
            assert _bits(packaging.packaging_pools(static, s, halted), pools)
            made = copy.deepcopy(s)
            produced = hbm.hbm_production(static, made, halted)
            expected = (static.by_foundry(s.hbm_usable * MONTHS * (~halted)) * hbm._stacks_per_wafer(static, s.hbm_level)
                        * s.hbm_yield)
            assert _bits(produced, expected)


def test_trailing_supply_as_rows_of_the_transposed_table(played: Game) -> None:
    static = played.model.static
    nodes = wafers._trailing_tables(static)[1]
    for halted in _halts(len(static.sites)):
        s = copy.deepcopy(played.model.state)
        s.usable[2, :] = -0.0
        wafers.other_customers(static, s, played.model.ai_share, halted)
        supplied = 0.0
        for per_node in np.add.reduce(np.ascontiguousarray((s.usable[:, nodes] * (~halted)[:, None]).T), axis=1).tolist():
            supplied += per_node
        wanted = wafers._trailing_tables(static)[2]
        assert s.trailing_shortfall[0] == (max(0.0, 1.0 - supplied / wanted) if wanted > 0 else 0.0)


def test_spread_and_dominated_mask() -> None:
    rng = np.random.default_rng(5)
    for rows in (0, 1, 7, 30):
        per_design = rng.random(rows) * 10.0 ** rng.integers(-8, 8, rows)
        table = np.empty((rows, 14))
        table[...] = per_design[:, None]
        assert _bits(chips._spread(per_design, (rows, 14)), table)
    value = np.where(rng.random((30, 14)) < 0.4, 0.0, rng.random((30, 14)))
    preference = rng.random((30, 14)) + 0.5
    best = np.maximum.reduce(value, axis=0)
    score = value * preference
    score *= value >= 0.3 * best  # the product with the boolean mask, cast inside numpy
    total = np.add.reduce(score, axis=0)
    score /= np.maximum(total, 1e-30)

    class _Static:  # what `_weights` reads of Static
        class ruleset:  # noqa: N801
            class market:  # noqa: N801
                dominated_value_share = 0.3

    weight, got_total = chips._weights(_Static, value, preference)
    assert _bits(weight, score) and _bits(got_total, total)
