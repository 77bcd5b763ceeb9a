"""Standing orders charged with the full-payment shortcut and the rent worked out once, against the
charge written out in full (every term, `paid` everywhere), bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.mechanisms import standing
from techrace.ruleset import load_ruleset


def _charge_in_full(static, s, quarter):
    """`standing.charge` as it was written before the shortcut."""
    total, share_after, sites = standing.due(static, s)
    budget = np.maximum(s.budget, 0.0)
    paid = np.where(total > budget, budget / np.maximum(total, 1e-12), 1.0)
    count = int(((paid < 1.0) & (total > 1e-9)).sum())
    if s.subsidy_programme.any():
        for employer in (s.subsidy_programme.sum(axis=0) > 0).nonzero()[0]:
            standing.pay_subsidy(static, s, int(employer), float((s.subsidy_programme[:, employer] * paid).sum()))
    if s.power_programme.any():
        s.power_gw += s.power_programme * paid
    s.centralisation = standing.rented_share(static, share_after, paid)
    s.national_site_gw = np.where(paid < 1.0, s.national_site_gw + (sites - s.national_site_gw) * paid, sites)
    s.lab_subsidy += standing.pooling_rent(static, s, s.centralisation)
    s.standing_cost = total * paid
    s.budget = s.budget - s.standing_cost
    return count


@pytest.fixture(scope="module")
def game() -> Game:
    return Game.from_ruleset(load_ruleset("baseline"), seed=1).run(5)


@pytest.mark.parametrize("case", ["as played", "targets up", "short", "programmes", "pay"])
def test_charge_equals_the_charge_in_full(game: Game, case: str) -> None:
    static = game.model.static
    s = copy.deepcopy(game.model.state)
    rng = np.random.default_rng(len(case))
    if case == "targets up":
        s.centralisation_target = np.minimum(s.centralisation + rng.uniform(0.0, 0.2, len(static.nations)), 1.0)
    if case in ("short", "programmes"):
        s.centralisation_target = np.minimum(s.centralisation + 0.3, 1.0)
        s.budget = s.budget * rng.choice([0.0, 0.01, 1.0, -1.0], len(static.nations))
    if case == "programmes":
        s.subsidy_programme[1, 3] = 2.0
        s.power_programme[0] = 0.5
    if case == "pay":
        s.pay = s.pay + 0.2
        s.power_programme[2] = 0.25
    full = copy.deepcopy(s)
    events = standing.charge(static, s, "2026Q2")
    assert len(events) == _charge_in_full(static, full, "2026Q2")
    for name in ("budget", "standing_cost", "centralisation", "national_site_gw", "lab_subsidy", "power_gw", "cash", "subsidy",
                 "toolmaker_subsidy", "chip_subsidy"):
        assert getattr(s, name).tobytes() == getattr(full, name).tobytes(), (case, name)
