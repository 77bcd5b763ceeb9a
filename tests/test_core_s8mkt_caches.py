"""Tables the markets keep between quarters are the ones a fresh computation gives: after pay and visas
change (a lever or a shock), and in a game whose cache was emptied (a reload or a restore)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from core_helpers import play

from techrace.core.markets import talent
from techrace.core.static import BoundedCache


def _fresh(static, compute: Callable[[], Any]) -> Any:  # noqa: ANN001 - `compute` with an empty cache
    held, static.cache = static.cache, BoundedCache()
    try:
        return compute()
    finally:
        static.cache = held


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
        fresh = _fresh(static, lambda: _migrated(static, s))
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


def test_kept_design_rules_follow_rule_changes() -> None:
    from techrace.core.mechanisms.controls import compute_licences

    game = play(turns=3)
    static, s = game.model.static, game.model.state
    saved = dict(s.control_status)
    try:
        for rule_id in ("oct2023_chips", "entity_list", "jan2025_foundry"):
            compute_licences(static, s)
            s.control_status[rule_id] = "lifted"
            kept = compute_licences(static, s)
            fresh = _fresh(static, lambda: compute_licences(static, s))
            for field in kept.__dataclass_fields__:
                assert np.array_equal(getattr(kept, field), getattr(fresh, field)), (rule_id, field)
    finally:
        s.control_status.clear()
        s.control_status.update(saved)
