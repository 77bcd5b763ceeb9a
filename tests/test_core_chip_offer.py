"""The chip market worked out over the designs some lab may buy gives, bit for bit, the figures of the
market over every design slot: with the AI Diffusion tier caps in force, with a licence revenue share paid
to a government (the H20 deal) and in the baseline."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.markets import chips
from techrace.core.mechanisms import labs
from techrace.ruleset import load_ruleset


def _every_slot(static, s, lic, eligible) -> chips._Offer:  # noqa: ANN001 - the signature of chips._offer
    return chips._Offer(None, s.sku_tflops, s.sku_price, s.sku_firm, s.sku_power, s.sku_domestic, eligible,
                        lic.chip_allowed, lic.chip_grey, lic.chip_channel, chips.home_made(static, s))


def _arrays(state) -> dict[str, np.ndarray]:  # noqa: ANN001
    return {name: value for name, value in vars(state).items() if isinstance(value, np.ndarray)}


@pytest.mark.parametrize(("ruleset", "turns", "reads"), [("ai-diffusion", 6, "tier_capped"), ("h20-deal", 5, "chip_payees"),
                                                        ("baseline", 12, None)])
def test_the_market_over_offered_designs_is_the_market_over_every_slot(ruleset: str, turns: int, reads: str | None,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    game = Game.from_ruleset(load_ruleset(ruleset), seed=1)
    game.run(turns)
    model = game.model
    static, lic = model.static, model.licences
    if reads is not None:
        assert len(getattr(lic, reads))  # the rule the case is about is in force
    offered = chips._offer(static, model.state, lic, model.eligible)
    assert offered.rows is not None and len(offered.rows) < static.sku_capacity  # some designs are left out
    results = []
    for offer in (chips._offer, _every_slot):
        monkeypatch.setattr(chips, "_offer", offer)
        s = copy.deepcopy(model.state)
        s.accel_stock += 50_000.0  # enough stock that every lab buys (and the caps bind)
        chips.chip_market(static, s, lic, model.lab_budget.copy(), labs.power_room(static, s), model.eligible)
        results.append(_arrays(s))
    kept, every = results
    assert kept.keys() == every.keys()
    for name in kept:
        assert np.array_equal(kept[name], every[name], equal_nan=True), name
    assert not np.array_equal(results[0]["accel_stock"], model.state.accel_stock + 50_000.0)  # labs bought
