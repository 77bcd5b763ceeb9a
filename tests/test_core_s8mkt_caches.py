"""Tables the markets keep between quarters are the ones a fresh computation gives: after pay and visas
change (a lever or a shock), and in a game whose cache was emptied (a reload or a restore)."""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
from core_helpers import baseline, play
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.core import Action, Game
from techrace.core.markets import talent
from techrace.core.mechanisms.controls import DESIGN_INPUTS, compute_licences
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


def _listing_tables_per_design(game, rule):  # noqa: ANN001, ANN202 - the listing's shares worked out design by design
    from techrace.core.mechanisms import controls

    static, s = game.model.static, game.model.state
    reach, dest = controls._reach(static, rule), controls._dest(static, rule)
    blocked = (1.0 - float(rule.get("licence_share", 0.0))) * static.ruleset.regulators[rule["regulator"]].enforcement
    firm = s.sku_firm.astype(np.int64)
    seller = static.chip_firm_nation[firm]
    if controls._imports(rule):
        foundry_listed, firm_listed, _ = controls._listed_sellers(static, rule)
        return (controls._licensed(foundry_listed[:, None] & dest[seller], blocked),
                controls._licensed(firm_listed[firm][:, None] & dest[static.lab_nation], blocked))
    firm_listed, lab_listed = controls._listed(static, rule)[1:]
    return (controls._licensed(reach[static.foundry_nation][:, None] & firm_listed[firm], blocked),
            controls._licensed(reach[seller][:, None] & lab_listed, blocked))


def test_listings_worked_out_per_firm_give_each_designs_own_shares() -> None:
    from techrace.core.mechanisms import controls

    for scope in ("imports", "exports"):
        game = play(turns=2)
        static, s = game.model.static, game.model.state
        rule = {"kind": "entity_list", "regulator": "MOFCOM" if scope == "imports" else "BIS", "scope": scope,
                "entities": ["MICRON", "NVIDIA", "HUAWEI", "SMIC", "TSMC", "OPENAI"], "destinations": ["CN", "US"], "licence_share": 0.25}
        wafers, chips = controls._listing_by_firm(static, rule, controls._reach(static, rule), controls._dest(static, rule),
                                                  0.75 * static.ruleset.regulators[rule["regulator"]].enforcement)
        firm = s.sku_firm.astype(np.int64)
        expected_wafers, expected_chips = _listing_tables_per_design(game, rule)
        assert np.array_equal(wafers.take(firm, axis=1), expected_wafers)
        assert np.array_equal(chips.take(firm, axis=0), expected_chips)
        assert (expected_chips < 1.0).any() and (expected_wafers < 1.0).any()  # the listing binds something


def test_buyers_taken_per_firm_are_each_slots_own() -> None:
    from techrace.core.markets import chips

    game = play(turns=1)
    static = game.model.static
    rs, nl, nc = static.ruleset, len(static.labs), len(static.chip_firms)
    firm = np.array([k % (nc + 2) - 1 for k in range(static.sku_capacity)], dtype=np.int64)  # -1 and nc: no known firm
    expected = np.zeros((static.sku_capacity, nl), dtype=bool)
    for ci, cid in enumerate(static.chip_firms):
        captive = rs.chip_firms[cid].captive_labs
        mask = np.array([lab in captive for lab in static.labs]) if captive else np.ones(nl, dtype=bool)
        expected[firm == ci] = mask & static.blocs.accelerator_buyer[ci]
    assert np.array_equal(chips._static_buyers(static, firm), expected)
    assert expected.any() and not expected.all()


@lru_cache(maxsize=1)
def _design_games():  # noqa: ANN202 - games whose active rules cover every kind a design row reads
    us = Game.from_ruleset(baseline(), seed=1, player="US")
    us.step([Action("licence_exception", "US", {"control": "oct2023_chips", "licence_share": 0.5, "licence_revenue_share": 0.25})])
    us.step([])
    cn = Game.from_ruleset(baseline(), seed=1, player="CN")
    cn.step([Action("entity_list", "CN", {"entities": ["MICRON", "NVIDIA"], "scope": "imports"})])
    cn.step([Action("chip_threshold", "CN", {"tpp": 4800.0, "scope": "imports"})])
    cn.step([])
    return us, cn


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, 47), st.sampled_from(["sku_firm", "sku_tflops", "sku_node", "sku_area", "sku_dies",
                                                                     "sku_transistors", "sku_stacks"]),
                                st.sampled_from([0.0, 1.0, 2.0, 5.0, 7.0, 80.0, 300.0, 1000.0, 4000.0])), min_size=1, max_size=14),
       which=st.integers(0, 1))
def test_design_rows_worked_out_again_are_the_fresh_design_part(edits: list[tuple[int, str, float]], which: int) -> None:
    game = _design_games()[which]
    static, s = game.model.static, game.model.state
    saved, names = {name: getattr(s, name).copy() for name in DESIGN_INPUTS}, list(s.sku_names)
    try:
        compute_licences(static, s)  # the quarter as played is the last design part kept
        for i, (slot, name, value) in enumerate(edits):
            array = getattr(s, name)
            if name == "sku_firm":
                value = float(int(value) % len(static.chip_firms))
            elif name == "sku_node":
                value = float(int(value) % len(static.nodes))
            array[slot % len(array)] = value
            s.sku_names[slot % len(array)] = f"new design {i}"  # a design's figures change with the design
        kept = compute_licences(static, s)
        held, static.cache = static.cache, BoundedCache()
        try:
            fresh = compute_licences(static, s)
        finally:
            static.cache = held
        for field in kept.__dataclass_fields__:
            assert np.array_equal(getattr(kept, field), getattr(fresh, field)), field
    finally:
        for name, array in saved.items():
            getattr(s, name)[...] = array
        s.sku_names[:] = names

