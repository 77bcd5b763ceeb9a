"""Import rules (`scope: imports`): a regulator binding its own nation's buyers against foreign sellers, as
China's Micron ban, its curbs on NVIDIA purchases and its domestic-equipment rule do (calibration.md §3d, §4d)."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import baseline, variant
from test_ruleset_support import assert_located, write_mod

from techrace.core import Action, Game
from techrace.errors import TechraceError
from techrace.ruleset import Ruleset, inspect_ruleset

CURB = Action("chip_threshold", "CN", {"tpp": 2000.0, "scope": "imports"})


def _played(orders: list[Action], seed: int = 1, turns: int = 6) -> Game:
    game = Game.from_ruleset(baseline(), seed=seed, player="CN")
    game.step(orders)
    for _ in range(turns - 1):
        game.step([])
    return game


def _labs(game: Game, nation: str) -> np.ndarray:
    st = game.model.static
    return st.lab_nation == st.nations.index(nation)


def _skus_of(game: Game, firm: str) -> list[int]:
    st, s = game.model.static, game.model.state
    return [k for k, name in enumerate(s.sku_names) if name and s.sku_firm[k] == st.chip_firms.index(firm)]


def test_an_import_curb_bars_foreign_accelerators_to_the_nations_own_labs_only() -> None:
    game = _played([CURB], turns=2)
    lic, s = game.model.licences, game.model.state
    enforcement = game.ruleset.regulators["MOFCOM"].enforcement
    fast_nvidia = [k for k in _skus_of(game, "NVIDIA") if s.sku_tflops[k] * 16 >= 2000]
    assert fast_nvidia
    cn, us = _labs(game, "CN"), _labs(game, "US")
    assert (lic.chip_allowed[np.ix_(fast_nvidia, np.flatnonzero(cn))] <= 1.0 - enforcement + 1e-12).all()
    assert (lic.chip_allowed[np.ix_(fast_nvidia, np.flatnonzero(us))] == 1.0).all()  # US labs are not bound
    huawei = _skus_of(game, "HUAWEI")
    assert huawei and (lic.chip_allowed[np.ix_(huawei, np.flatnonzero(cn))] == 1.0).all()  # home sellers are not


CURB_RULE = {"regulator": "MOFCOM", "kind": "chip_threshold", "tpp": 2000.0, "scope": "imports", "effective": "2025Q1",
             "description": "curbs on NVIDIA purchases"}


@pytest.mark.parametrize("seed", [1, 2])
def test_an_import_curb_held_over_quarters_stops_chinas_legal_foreign_purchases(seed: int) -> None:
    """Quarter after quarter its labs buy no foreign accelerator legally (what is left comes home or through the
    grey market); without the curb they keep buying H20s. Whether its compute rises or falls is the model's
    answer, not asserted: the H20 is poor value per H100e."""
    curbed = Game.from_ruleset(_with_rule(CURB_RULE), seed=seed)
    free = Game.from_ruleset(baseline(), seed=seed)
    cn = curbed.model.static.nations.index("CN")
    labs = curbed.model.static.lab_nation == cn
    leak = 1.0 - curbed.ruleset.regulators["MOFCOM"].enforcement  # what its customs do not stop
    totals = np.zeros(2)
    for _ in range(8):
        curbed.step([])
        free.step([])
        legal = [float(g.model.state.accel_bought[cn] - g.model.state.accel_domestic[cn] - g.model.state.grey_h100e[labs].sum())
                 for g in (curbed, free)]
        assert legal[0] <= leak * legal[1] + 1.0
        totals += legal
    assert totals[1] > 10_000 and totals[0] < 0.2 * totals[1]
    assert curbed.model.state.control_status["inbound"] == "active"  # it holds: nothing lifts it


def test_an_import_listing_bars_the_listed_firm_from_selling_into_the_nation() -> None:
    game = _played([Action("entity_list", "CN", {"entities": ["MICRON", "NVIDIA"], "scope": "imports"})], turns=2)
    st, lic = game.model.static, game.model.licences
    cn_labs, us_labs = np.flatnonzero(_labs(game, "CN")), np.flatnonzero(_labs(game, "US"))
    nvidia = _skus_of(game, "NVIDIA")
    assert (lic.chip_allowed[np.ix_(nvidia, cn_labs)] < 0.2).all() and (lic.chip_allowed[np.ix_(nvidia, us_labs)] == 1.0).all()
    micron, huawei = st.foundries.index("MICRON"), st.chip_firms.index("HUAWEI")
    nvidia_firm = st.chip_firms.index("NVIDIA")
    assert lic.hbm_allowed[micron, huawei] < 0.1 and lic.hbm_allowed[micron, nvidia_firm] == 1.0
    event = next(e for e in game.events if "may no longer sell to buyers in CN" in e.text)
    assert "CN decided it" in event.cause


def test_a_domestic_equipment_rule_stops_foreign_tools_reaching_the_nations_fabs() -> None:
    game = _played([Action("tool_ban", "CN", {"tool_kinds": ["etch", "deposition"], "scope": "imports"})], turns=2)
    st, lic = game.model.static, game.model.licences
    cn_sites = st.site_nation == st.nations.index("CN")
    foreign = st.toolmaker_nation != st.nations.index("CN")
    etch = 2  # TOOL_KINDS: euv, arf_immersion, etch, deposition, metrology
    # what customs miss, or what a foreign-owned fab (TSMC Nanjing) brings in from its sites abroad
    leak = max(1.0 - game.ruleset.regulators["MOFCOM"].enforcement, game.ruleset.market.intra_company_transfer_share)
    assert (lic.tool_allowed[np.ix_(foreign, cn_sites, [etch])] <= leak + 1e-12).all()
    assert (lic.tool_allowed[np.ix_(~foreign, cn_sites, [etch])] == 1.0).all()  # Naura and AMEC still sell at home


def test_export_and_import_orders_are_checked_for_their_destinations() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    with pytest.raises(TechraceError, match="Destinations: required"):
        game.step([Action("chip_threshold", "CN", {"tpp": 4800.0})])
    with pytest.raises(TechraceError, match="import rule binds your own buyers"):
        game.step([Action("tool_ban", "CN", {"tool_kinds": ["etch"], "destinations": ["US"], "scope": "imports"})])
    with pytest.raises(TechraceError, match="Scope: expected one of exports, imports"):
        game.step([Action("entity_list", "CN", {"entities": ["MICRON"], "scope": "inbound"})])


def test_a_licence_exception_on_a_mineral_rule_lets_part_of_the_trade_through() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    game.step([])
    us = game.model.static.nations.index("US")
    full = float(game.model.licences.mineral_loss[us])
    game.step([Action("licence_exception", "CN", {"control": "cn_minerals", "licence_share": 0.5, "licence_revenue_share": 0.0})])
    assert full > 0 and float(game.model.licences.mineral_loss[us]) == pytest.approx(full * 0.5)


def _with_rule(rule: dict) -> Ruleset:
    return variant(lambda d: d["controls"].update(inbound=rule))


def _errors(tmp_path, text: str) -> list[dict]:
    inspected = inspect_ruleset(str(write_mod(tmp_path / "mod", {"controls.yaml": text})))
    assert inspected.ruleset is None
    return assert_located(inspected.errors)


def test_a_ruleset_import_rule_with_destinations_gets_a_located_error(tmp_path) -> None:
    found = _errors(tmp_path, """
        controls:
          inbound:
            regulator: MOFCOM
            kind: entity_list
            entities: [MICRON]
            scope: imports
            destinations: [US]
            effective: 2025Q1
    """)
    assert [m["path"] for m in found] == ["controls.inbound.destinations"]
    assert "imports rule binds its own regulator's buyers" in found[0]["message"] and found[0]["line"] == "8"


def test_a_mineral_rule_cannot_be_an_import_rule(tmp_path) -> None:
    found = _errors(tmp_path, """
        controls:
          inbound:
            regulator: MOFCOM
            kind: mineral
            scope: imports
            destinations: [US]
            mineral_cost_share: 0.1
    """)
    assert any(m["path"] == "controls.inbound" and "controls exports only" in m["message"] for m in found)


def test_a_ruleset_import_rule_binds_from_its_effective_quarter() -> None:
    game = Game.from_ruleset(_with_rule(CURB_RULE), seed=1)
    game.step([])
    nvidia = [k for k in _skus_of(game, "NVIDIA") if game.model.state.sku_tflops[k] * 16 >= 2000]
    assert (game.model.licences.chip_allowed[np.ix_(nvidia, np.flatnonzero(_labs(game, "CN")))] < 0.2).all()
