"""Chips: conservation, HBM and foundry rules, grey market, stockpiling, compliant SKUs, controls."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import baseline, no_controls, play, value, variant

from techrace.core import Action, Game


@pytest.fixture(scope="module")
def played() -> Game:
    return play(turns=12)


def test_no_accelerators_hbm_or_dies_from_nothing(played: Game) -> None:
    s = played.model.state
    fresh = Game.from_ruleset(baseline(), seed=1).model.state
    assert np.allclose(s.accel_made, s.accel_stock + s.accel_sold, atol=1e-6)
    assert np.allclose(s.dies_made, s.die_stock + s.dies_used, rtol=1e-9, atol=1e-3)
    assert np.allclose(s.hbm_made.sum(), s.hbm_maker_stock.sum() + s.hbm_bought.sum(), rtol=1e-9)
    assert np.allclose(fresh.hbm_stock + s.hbm_bought, s.hbm_stock + s.hbm_used, rtol=1e-9, atol=1e-3)
    # lab compute = start + bought - retired
    assert s.compute.sum() == pytest.approx(fresh.compute.sum() + _bought_total(played) - s.retired_compute.sum(), rel=1e-9)


def _bought_total(game: Game) -> float:
    return float(game.model.state.compute_bought.sum())


def test_lifting_all_controls_raises_chinas_ai_compute() -> None:
    for seed in (1, 2):
        free = play(variant(no_controls), seed=seed, turns=8)
        base = play(seed=seed, turns=8)
        assert value(free, "CN", "ai_compute_h100e") > 1.2 * value(base, "CN", "ai_compute_h100e")


def test_hbm_rule_keeps_korean_hbm_out_of_chinese_accelerators(played: Game) -> None:
    st = played.model.static
    lic = played.model.licences
    huawei = st.chip_firms.index("HUAWEI")
    for maker in ("SK_HYNIX", "SAMSUNG_MEMORY", "MICRON"):
        assert lic.hbm_allowed[st.foundries.index(maker), huawei] < 0.1
    assert lic.hbm_allowed[st.foundries.index("CXMT"), huawei] == 1.0


def test_foundry_rule_and_entity_list_keep_tsmc_from_making_ascends(played: Game) -> None:
    st, s = played.model.static, played.model.state
    tsmc = st.foundries.index("TSMC")
    ascend = s.sku_names.index("ASCEND910C")
    assert played.model.licences.wafer_allowed[tsmc, ascend] < 0.1
    nvidia = [k for k, name in enumerate(s.sku_names) if name and s.sku_firm[k] == st.chip_firms.index("NVIDIA")]
    assert nvidia and all(played.model.licences.wafer_allowed[tsmc, k] == 1.0 for k in nvidia)


def test_grey_market_leaks_a_set_share_at_a_premium() -> None:
    leaky = play(turns=6)
    sealed = play(variant(lambda d: d["market"].update(grey_market_leak_share=0.0)), turns=6)
    cn_labs = leaky.model.static.lab_nation == leaky.model.static.nations.index("CN")
    assert leaky.model.state.grey_h100e[cn_labs].sum() > 0
    assert sealed.model.state.grey_h100e.sum() == 0
    assert value(leaky, "CN", "ai_compute_h100e") > value(sealed, "CN", "ai_compute_h100e")


def test_buyers_stockpile_ahead_of_an_announced_rule() -> None:
    def announce(data: dict) -> None:
        rule = dict(data["controls"]["oct2023_chips"])
        rule.update(announced="2025Q1", effective="2025Q4", tpp=1000.0, tpp_with_density=None, density=None,
                    description="a tighter threshold announced ahead")
        data["controls"]["tight"] = rule

    ahead = play(variant(announce), turns=2)
    base = play(turns=2)
    assert value(ahead, "CN", "ai_compute_h100e") > value(base, "CN", "ai_compute_h100e")
    assert any(e.text.endswith(": announced") and "buyers stock up" in e.cause for e in ahead.events)


def test_chip_firms_design_compliant_skus_when_a_threshold_bites() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    game.step([Action("chip_threshold", "US", {"tpp": 2000.0, "destinations": ["CN"]})])
    game.run(3)
    designs = [e for e in game.events if "designs" in e.text and "NVIDIA" in e.text and "to sell to CN" in e.text]
    assert designs and "TPP 1,900" in designs[0].text and designs[0].cause
    new = [r for r in game.view.chip_firms() if r["firm"] == "NVIDIA" and r["sku"].endswith("-CN")]
    assert new and new[0]["tpp"] < 2000.0


def test_packaging_capacity_limits_output() -> None:
    def us_output(packages: float) -> float:
        def edit(data: dict) -> None:
            data["foundries"]["TSMC"]["sites"]["TSMC-TW"]["packaging_units_per_quarter"] = packages
        return value(play(variant(edit), turns=1), "US", "accelerators_produced")

    assert us_output(200000) < 0.5 * us_output(1600000)


def test_no_wafers_beyond_usable_capacity() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    model = game.model
    for _ in range(6):
        game.step()
        s, st = model.state, model.static
        capacity = np.zeros_like(s.wafers_sold)
        np.add.at(capacity, st.site_foundry, s.usable * 3.0 * model.ai_share)
        assert (s.wafers_sold <= capacity + 1e-6).all()


def test_every_foundry_a_chip_firm_lists_is_tried_however_long_the_list() -> None:
    """The wafer market tries a design's foundries in its firm's order, as far down the list as it goes."""
    from techrace.core.markets.wafers import _preferences

    listed = ["GLOBALFOUNDRIES", "HUA_HONG", "SMIC", "INTEL_FOUNDRY", "TSMC"]

    def edit(data: dict) -> None:
        data["chip_firms"]["NVIDIA"]["foundries"] = listed
    game = play(variant(edit), seed=1, turns=1)
    st, s = game.model.static, game.model.state
    rows = _preferences(st, s)[(s.sku_used > 0) & (s.sku_firm == st.chip_firms.index("NVIDIA"))]
    assert len(rows) and all([st.foundries[f] for f in row if f >= 0] == listed for row in rows)


def _home_made(data: dict) -> None:
    data["market"]["home_made_wafers_by"] = "foundry"


def test_wafers_from_a_foundrys_fab_abroad_count_where_the_fab_stands() -> None:
    """TSMC's Arizona fab makes American wafers: with `home_made_wafers_by: site` (the default) the US's home-made
    share of new accelerators is above zero in 2025, and exactly the Arizona fab's part of TSMC's wafers; counted by
    the foundry's home nation it is zero. China's share, whose designs use its own foundries' fabs in China, is the
    same either way."""
    by_site, by_foundry = play(turns=3), play(variant(_home_made), turns=3)
    assert value(by_site, "US", "domestic_accelerator_share") > 0.01
    assert value(by_foundry, "US", "domestic_accelerator_share") == 0.0
    assert value(by_site, "CN", "domestic_accelerator_share") == value(by_foundry, "CN", "domestic_accelerator_share")


def test_a_designs_home_made_share_is_the_share_of_its_foundrys_capacity_at_home() -> None:
    """One (foundry, node) cell: the share of its AI wafers made in each nation sums to one and follows the sites."""
    from techrace.core.markets import wafers

    game = Game.from_ruleset(baseline(), seed=1)
    st, s = game.model.static, game.model.state
    halted, open_to_ai = np.zeros(len(st.sites), dtype=bool), game.model.ai_share
    site_wafers = wafers._site_ai_wafers(s, open_to_ai, halted)
    capacity = st.by_foundry(site_wafers)
    share = wafers.home_share(st, site_wafers, capacity).reshape(len(st.foundries), len(st.nodes), len(st.nations))
    served = capacity > 0
    assert np.allclose(share.sum(axis=2)[served], 1.0)
    tsmc, n5 = st.foundries.index("TSMC"), st.nodes.index("N5")
    arizona = [i for i, site in enumerate(st.sites) if site == "TSMC-AZ"][0]
    assert share[tsmc, n5, st.nations.index("US")] == pytest.approx(site_wafers[arizona, n5] / capacity[tsmc, n5])
    assert 0.0 < share[tsmc, n5, st.nations.index("US")] < 0.5
    # a halted Taiwan leaves TSMC's N5 wafers all American
    halted[[i for i, site in enumerate(st.sites) if site == "TSMC-TW"]] = True
    site_wafers = wafers._site_ai_wafers(s, open_to_ai, halted)
    share = wafers.home_share(st, site_wafers, st.by_foundry(site_wafers)).reshape(share.shape)
    assert share[tsmc, n5, st.nations.index("US")] == pytest.approx(1.0)
