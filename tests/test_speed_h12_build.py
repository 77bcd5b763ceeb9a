"""Round 12 (building a game): a ruleset's Static and start quarter are worked out once per Ruleset object and
copied into each game; every game must start and play exactly as one built from scratch."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.markets import talent
from techrace.core.mechanisms import fabrication, finance, labs, research
from techrace.core.model import WorldModel, _copy_state, start_of
from techrace.core.state import WorldState, build_state
from techrace.core.static import build_static, static_for
from techrace.ruleset import load_ruleset


def _same_state(a: WorldState, b: WorldState) -> None:
    assert list(vars(a)) == list(vars(b))
    for name, value in vars(a).items():
        other = getattr(b, name)
        if isinstance(value, np.ndarray):
            assert value.dtype == other.dtype and value.shape == other.shape and value.strides == other.strides, name
            assert np.array_equal(value, other, equal_nan=True), name
            assert not np.shares_memory(value, other), name
        else:
            assert value == other and type(value) is type(other), name


def _from_scratch(ruleset) -> dict:  # noqa: ANN001 - the construction as it was before round 12
    static = build_static(ruleset)
    fresh = build_state(static)
    fabrication.update_usable(static, fresh)
    labs.usable_compute(static, fresh)
    ref = research.reference(static, fresh)
    labs.training_runs(static, fresh)
    market = finance.market_start(static, fresh)
    finance.start(static, fresh, market)
    fresh.recent_gain[:] = ruleset.finance.investor_hurdle
    pristine = build_state(static)
    capacity = np.array([pristine.capacity[static.site_foundry == f].sum() + pristine.hbm_tsv_wpm[static.site_foundry == f].sum()
                         for f in range(len(static.foundries))])
    return {"state": fresh, "research_ref": ref, "market_start": market, "start_capacity": capacity,
            "start_engineers": pristine.eng_target, "start_compute": pristine.compute,
            "talent_reference": talent.talent_units(static, pristine)}


@pytest.mark.parametrize("name", ["baseline", "taiwan-blockade-2027"])
def test_a_game_starts_as_one_built_from_scratch(name: str) -> None:
    ruleset = load_ruleset(name)
    Game.from_ruleset(ruleset, seed=1).run(3)  # a game played before must leave the shared start as it was
    model = WorldModel(ruleset, rng=2)
    want = _from_scratch(ruleset)
    _same_state(model.state, want["state"])
    assert model.research_ref == want["research_ref"]
    for field in ("market_usd_b", "best_capability", "bloc_gdp"):
        assert np.array_equal(getattr(model.market_start, field), getattr(want["market_start"], field))
    for name in ("start_capacity", "start_engineers", "start_compute", "talent_reference"):
        assert np.array_equal(getattr(model, name), want[name]), name
    _same_state(start_of(model.static).state, want["state"])


def test_games_of_one_ruleset_object_play_as_games_of_their_own() -> None:
    shared = load_ruleset("baseline")
    first, second = Game.from_ruleset(shared, seed=5), Game.from_ruleset(shared, seed=6)
    assert first.model.static.cache is not second.model.static.cache  # tables cached by rule ids are per game
    assert first.model.static.node_nm is second.model.static.node_nm
    for _ in range(4):  # interleaved
        first.step()
        second.step()
    for game, seed in ((first, 5), (second, 6)):
        alone = Game.from_ruleset(load_ruleset("baseline"), seed=seed).run(4)
        assert game.metric_rows == alone.metric_rows
        _same_state_values(game.model.state, alone.model.state)


def _same_state_values(a: WorldState, b: WorldState) -> None:
    for name, value in vars(a).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, getattr(b, name), equal_nan=True), name
        else:
            assert value == getattr(b, name), name


def test_a_static_per_ruleset_object() -> None:
    ruleset = load_ruleset("baseline")
    one, two = static_for(ruleset), static_for(ruleset)
    assert one is not two and one.sites is two.sites and one.shared is two.shared and one.cache is not two.cache
    other = static_for(load_ruleset("baseline"))
    assert other.sites is not one.sites and other.ruleset is not ruleset


def test_the_state_copy_is_a_deep_copy() -> None:
    state = WorldModel(load_ruleset("baseline"), rng=1).state
    state.adjustments = [{"path": ["a", "b"], "value": 1.5, "until": None}]
    copied = _copy_state(state)
    _same_state(copied, copy.deepcopy(state))
    _same_state(copied, state)
    copied.controls[next(iter(copied.controls))]["regulator"] = "changed"
    copied.adjustments[0]["path"].append("c")
    assert state.controls != copied.controls and state.adjustments[0]["path"] == ["a", "b"]


def test_the_oldest_ruleset_leaves_the_registry() -> None:
    from techrace.core import static as static_module

    first = load_ruleset("baseline")
    kept = static_for(first)
    for _ in range(static_module.SHARED_RULESETS):
        static_for(load_ruleset("baseline"))
    assert id(first) not in static_module._BUILT and len(static_module._BUILT) <= static_module.SHARED_RULESETS
    again = static_for(first)
    assert again.sites is not kept.sites and again.ruleset is first and again.sites == kept.sites
