"""Tables the computer players' policies derive in plain Python are those numpy's sorting and searching gave,
and tables kept across calls are rebuilt when what they depend on changes."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core import Game
from techrace.core.policies.chip_firms import _plan_output, sku_groups
from techrace.core.policies.foundries import research_plan, research_targets
from techrace.core.policies.regulators import best_rival
from techrace.core.static import BoundedCache


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 7), max_size=60))
def test_sku_groups_are_a_stable_sort_by_firm_with_each_firms_first_place(firms: list[int]) -> None:
    firm_of = np.array(firms, dtype=np.int64)
    order, present, starts = sku_groups(firm_of)
    expected_order = np.argsort(firm_of, kind="stable")
    expected_present, expected_starts = np.unique(firm_of[expected_order], return_index=True)
    assert order.tolist() == expected_order.tolist() and order.dtype == expected_order.dtype
    assert present.tolist() == expected_present.tolist() and starts.tolist() == expected_starts.tolist()


def test_sku_groups_kept_in_a_cache_follow_the_slots_firms() -> None:
    cache = BoundedCache()
    first = sku_groups(np.array([2, 0, 2, 1], dtype=np.int64), cache)
    again = sku_groups(np.array([2, 0, 2, 1], dtype=np.int64), cache)
    moved = sku_groups(np.array([2, 0, 0, 1], dtype=np.int64), cache)  # a slot taken by another firm's design
    assert again is first
    assert moved[0].tolist() == [1, 2, 3, 0] and moved[1].tolist() == [0, 1, 2] and moved[2].tolist() == [0, 2, 3]


def _targets_by_numpy(mastered: np.ndarray) -> list[int]:
    unmastered = mastered <= 0
    first = np.argmax(unmastered, axis=1)
    previous_ok = (first == 0) | (mastered[np.arange(len(first)), np.maximum(first - 1, 0)] > 0)
    return np.where(unmastered.any(axis=1) & previous_ok, first, -1).tolist()


def test_research_targets_follow_a_newly_mastered_node() -> None:
    model = Game.from_ruleset(baseline(), seed=1).model
    before = research_targets(model).tolist()
    assert before == _targets_by_numpy(model.state.mastered)
    fi = next(i for i, target in enumerate(before) if target >= 0)
    model.state.mastered[fi, before[fi]] = 1.0  # the foundry masters the node it researched
    after = research_targets(model).tolist()
    assert after == _targets_by_numpy(model.state.mastered) and after[fi] != before[fi]
    model.state.mastered[:, :] = 1.0  # nothing left to research
    assert research_targets(model).tolist() == [-1] * len(before)


def test_best_rival_in_python_is_numpys_and_forgets_a_collapsed_rival() -> None:
    model = Game.from_ruleset(baseline(), seed=1).model
    static, s = model.static, model.state
    s.capability[:] = np.linspace(10.0, 70.0, len(static.nations))

    def by_numpy() -> tuple[list[float], list[bool]]:
        rivals = static.blocs.rival & (s.collapsed <= 0)[None, :]
        return np.where(rivals, s.capability[None, :], -np.inf).max(axis=1).tolist(), rivals.any(axis=1).tolist()

    assert best_rival(model) == by_numpy()
    strongest = int(np.argmax(np.where(static.blocs.rival.any(axis=0), s.capability, -np.inf)))
    s.collapsed[strongest] = 1.0  # out of the game: no longer anyone's best rival
    model.turn_cache.clear()
    assert best_rival(model) == by_numpy()


def test_research_plan_follows_a_newly_mastered_node() -> None:
    model = Game.from_ruleset(baseline(), seed=1).model
    static = model.static
    idx = np.arange(len(static.foundries))
    tech = static.ruleset.technology

    def by_hand() -> tuple[list[float], list[int]]:
        target = research_targets(model)
        cost = [static.rd_cost[t] / static.rd_quarters[t] if t >= 0 else 0.0 for t in target.tolist()]
        per_quarter = [tech.hbm_rd_cost_usd_b / tech.hbm_rd_quarters if static.foundry_is_memory[f] > 0 else cost[f] for f in idx]
        euv = [f for f in idx.tolist() if static.foundry_is_memory[f] == 0 and target[f] >= 0 and static.needs_euv[target[f]] > 0]
        return per_quarter, euv

    plan = research_plan(model, idx)
    assert (plan[0].tolist(), plan[1].tolist()) == by_hand()
    fi = next(f for f, t in enumerate(research_targets(model).tolist()) if t >= 0 and static.foundry_is_memory[f] == 0)
    model.state.mastered[fi, research_targets(model)[fi]] = 1.0
    changed = research_plan(model, idx)
    assert (changed[0].tolist(), changed[1].tolist()) == by_hand()  # rebuilt for the new target, not the kept plan


def test_a_chip_firms_subsidy_adds_output_and_is_spent() -> None:
    plain, paid = Game.from_ruleset(baseline(), seed=1), Game.from_ruleset(baseline(), seed=1)
    plain.run(4)
    paid.run(4)
    idx = np.arange(len(plain.model.static.chip_firms))
    paid.model.state.chip_subsidy[0] = 2.0  # USD bn
    _plan_output(plain.model, idx)
    _plan_output(paid.model, idx)
    more = paid.model.state.target_units - plain.model.state.target_units
    assert more[0] > 0 and not more[1:].any()
    assert not paid.model.state.chip_subsidy.any()  # spent in the quarter it is paid
