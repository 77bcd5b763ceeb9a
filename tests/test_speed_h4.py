"""Round 11's shortcuts against the full equations: the licences' site key read through node-threshold weights
(`licences_sites.site_inputs`: capacity and pipeline summed over the nodes at or below each tool or servicing threshold)
is the key of the (site, node) occupancy mask (`site_nodes`) over those thresholds, quarter after quarter, after a
restore, after a reload and when a fab starts on a new node; a design part no rule takes revenue from holds the
read-only untaken tables; the GDP update (a flat shift, no shortfall term without a shortfall) gives the full numbers.
Licences kept with these are the ones a fresh computation gives."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import baseline, licences_as_fresh, variant

from techrace.core import Game
from techrace.core.mechanisms import controls, licences_sites
from techrace.ruleset import load_ruleset


def _thresholds(s) -> list[float]:  # noqa: ANN001 - WorldState
    """The node thresholds of the active tool and servicing rules, read from the rules themselves."""
    return sorted({rule["node_nm_at_or_below"] for rid, rule in s.controls.items()
                   if s.control_status.get(rid) == "active" and rule["kind"] in ("tool_list", "servicing_ban")
                   and rule.get("node_nm_at_or_below") is not None})


def _keys(game: Game) -> tuple[bytes, bytes]:
    """(the site key `site_inputs` gives, the occupancy mask's key over the same thresholds in booleans)."""
    static, s = game.model.static, game.model.state
    controls.compute_licences(static, s)
    token = static.cache["licences/last rules"][2]
    _, (weights, _) = controls._active(static, s, token)
    node_ok = static.node_nm[:, None] <= np.array(_thresholds(s), dtype=np.float64)
    assert (weights is None) == (not node_ok.shape[1])
    kept = licences_sites.site_inputs(static, s, weights, None)[0]
    return kept, (licences_sites.site_nodes(s) @ node_ok).tobytes() if weights is not None else b""


def test_site_key_is_the_occupancy_mask_over_the_thresholds_every_quarter() -> None:
    game = Game.from_ruleset(baseline(), seed=2)
    for _ in range(14):
        game.run(1)
        kept, mask = _keys(game)
        assert kept == mask and kept
    restored = Game.from_snapshot(game.snapshot())  # a restore: a new cache over the same state
    assert _keys(restored) == _keys(game) and licences_as_fresh(restored)
    restored.run(2)
    assert _keys(restored)[0] == _keys(restored)[1]


def test_site_key_follows_a_fab_started_on_a_new_node() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)
    static, s = game.model.static, game.model.state
    before = _keys(game)[0]
    site = int(np.flatnonzero(np.frombuffer(before, dtype=bool).reshape(len(static.sites), -1).any(axis=1))[0])
    n7 = static.nodes.index("N7")  # a site at or below a threshold, emptied, then building a 7 nm fab
    saved = s.capacity.copy(), s.construction.copy()
    try:
        s.capacity[site] = 0.0
        s.construction[site] = 0.0
        emptied = _keys(game)
        assert emptied[0] == emptied[1] and emptied[0] != before and licences_as_fresh(game)
        s.construction[site, n7, s.construction.shape[2] - 1] = 1_000.0  # the far end of the pipeline
        building = _keys(game)
        assert building[0] == building[1] and building[0] != emptied[0] and licences_as_fresh(game)
    finally:
        s.capacity[...], s.construction[...] = saved
    assert _keys(game)[0] == before


def test_site_key_after_a_reload_that_moves_a_threshold() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)

    def finer(data: dict) -> None:  # noqa: ANN001 - the ruleset's dict form
        data["controls"]["dec2024_tools"]["node_nm_at_or_below"] = 7

    game.reload(variant(finer))
    kept, mask = _keys(game)
    assert kept == mask and licences_as_fresh(game)
    game.run(2)
    kept, mask = _keys(game)
    assert kept == mask and licences_as_fresh(game)


def _gdp_in_full(static, s, shortfall: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # noqa: ANN001
    """`economy.update_gdp`'s numbers as the full equations give them (a new gap, the queue shifted row by row)."""
    rules, params = static.ruleset.economy, static.nation_params
    gap = (s.gdp_gap * rules.gap_recovery_per_quarter + s.gdp_shock_queue[:, 0]
           - params.chip_dependence * shortfall * rules.shortfall_impact)
    queue = s.gdp_shock_queue.copy()
    queue[:, :-1] = queue[:, 1:]
    queue[:, -1] = 0.0
    return s.gdp_trend * (1.0 + params.gdp_growth), np.maximum(gap, rules.gap_floor), queue


def test_gdp_update_is_the_full_equations() -> None:
    from techrace.core.mechanisms import economy

    game = Game.from_ruleset(baseline(), seed=1)
    game.run(2)
    static, s = game.model.static, game.model.state
    rng = np.random.default_rng(4)
    for shortfall, contiguous in ((0.0, True), (0.3, True), (0.0, False), (0.07, False)):
        s.gdp_gap = rng.normal(0.0, 0.2, s.gdp_gap.shape)
        queue = rng.normal(0.0, 0.01, s.gdp_shock_queue.shape)
        s.gdp_shock_queue = queue if contiguous else np.asfortranarray(queue)
        want = _gdp_in_full(static, s, shortfall)
        economy.update_gdp(static, s, shortfall)
        for got, expected in zip((s.gdp_trend, s.gdp_gap, s.gdp_shock_queue), want, strict=True):
            assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize(("ruleset", "turns"), [("baseline", 6), ("h20-deal", 5)])
def test_design_part_without_a_revenue_share_reads_the_untaken_tables(ruleset: str, turns: int) -> None:
    """Where no rule takes a share of the licensed revenue, a design part holds the read-only untaken tables (no grey
    market, no revenue, nobody paid), and its views are those of the full equations either way."""
    game = Game.from_ruleset(load_ruleset(ruleset), seed=1)
    for _ in range(turns):
        game.run(1)
        lic = game.model.licences
        nation = lic.chip_revenue_nation
        assert np.array_equal(lic.chip_paid, nation >= 0) and np.array_equal(lic.chip_payees, nation[nation >= 0])
        assert licences_as_fresh(game)
    untaken = controls._untaken(game.model.static, *nation.shape)
    assert not any(table.flags.writeable for table in untaken.values())
    assert not untaken["chip_grey"].any() and not untaken["chip_revenue_share"].any() and (untaken["chip_revenue_nation"] == -1).all()
    assert not untaken["chip_paid"].any() and len(untaken["chip_payees"]) == 0
    taken = lic.chip_revenue_nation is not untaken["chip_revenue_nation"]
    assert taken == (ruleset == "h20-deal") and (lic.chip_payees.size > 0) == taken


def _design_part_in_full(static, s, design_rules: list[tuple]) -> dict[str, np.ndarray]:  # noqa: ANN001
    """The design part as it was worked out before round 11: tables of zeros and -1 built each time, a chip threshold's
    designs from a mask of zeros, its grey share the maximum of the last and `mask * block * leak`."""
    nk, nl, nf = static.sku_capacity, len(static.labs), len(static.foundries)
    sku_firm = s.sku_firm.astype(np.int64)
    start = design_rules[0][1:] if design_rules and design_rules[0][0] == "listings" else None
    out = {"chip_allowed": np.ones((nk, nl)) if start is None else start[1].take(sku_firm, axis=0), "chip_grey": np.zeros((nk, nl)),
           "chip_revenue_share": np.zeros((nk, nl)), "chip_revenue_nation": np.full((nk, nl), -1, dtype=np.int64),
           "wafer_allowed": np.ones((nf, nk)) if start is None else start[0].take(sku_firm, axis=1)}
    tpp = s.sku_tflops * 16.0
    density = tpp / np.maximum(s.sku_area * s.sku_dies, 1.0)
    seller_nation = static.chip_firm_nation[sku_firm]
    leak = static.ruleset.market.grey_market_leak_share
    for kind, *read in design_rules:
        if kind == "chip_threshold":
            rule, reach, labs, block = read
            controlled = np.zeros(nk, dtype=bool)
            if rule.get("tpp") is not None:
                controlled |= tpp >= rule["tpp"]
            if rule.get("tpp_with_density") is not None and rule.get("density") is not None:
                controlled |= (tpp >= rule["tpp_with_density"]) & (density >= rule["density"])
            mask = np.outer(controlled & reach[seller_nation], labs)
            out["chip_allowed"] *= 1.0 - mask * block
            out["chip_grey"] = np.maximum(out["chip_grey"], mask * block * leak)
            share = float(rule.get("licence_revenue_share", 0.0))
            if share > 0 and block < 1.0:
                nation = static.nations.index(static.ruleset.regulators[rule["regulator"]].nation)
                out["chip_revenue_share"] = np.where(mask, share, out["chip_revenue_share"])
                out["chip_revenue_nation"] = np.where(mask, nation, out["chip_revenue_nation"])
        elif kind == "foundry_rule":
            rule, foundries, dest, blocked = read
            big = rule.get("transistors_b") or np.inf
            small_no_hbm = rule.get("no_hbm_transistors_b") or big
            presumed = ((static.node_nm[s.sku_node.astype(np.int64)] <= (rule.get("node_nm_at_or_below") or 0.0))
                        & (s.sku_transistors >= big) & ~((s.sku_stacks == 0) & (s.sku_transistors < small_no_hbm)))
            out["wafer_allowed"] *= 1.0 - np.outer(foundries, presumed & dest[seller_nation]) * blocked
        elif kind == "entity_list":
            out["wafer_allowed"] *= read[0].take(sku_firm, axis=1)
            out["chip_allowed"] *= read[1].take(sku_firm, axis=0)
    paid = out["chip_revenue_nation"] >= 0
    return {**out, "chip_channel": out["chip_allowed"] + out["chip_grey"] / static.ruleset.market.grey_market_premium,
            "chip_paid": paid, "chip_payees": out["chip_revenue_nation"][paid]}


@pytest.mark.parametrize(("ruleset", "turns"), [("baseline", 8), ("full-decoupling", 6), ("h20-deal", 5), ("oct-2023", 4)])
def test_design_part_is_the_full_one(ruleset: str, turns: int) -> None:
    game = Game.from_ruleset(load_ruleset(ruleset), seed=1)
    for _ in range(turns):
        game.run(1)
        static, s = game.model.static, game.model.state
        controls.compute_licences(static, s)
        token = static.cache["licences/last rules"][2]
        rules = controls._design_rules(static, controls._active(static, s, token)[0], token)
        part, full = controls._design_part(static, s, rules), _design_part_in_full(static, s, rules)
        assert part.keys() == full.keys()
        for name, table in full.items():
            assert part[name].dtype == table.dtype and part[name].tobytes() == table.tobytes(), name
