"""Licensing: turn the active export-control rules into allowed-trade matrices for the markets.

Every matrix holds the *share* of a trade flow that is legal (1 = unrestricted). Several rules
combine multiplicatively; a regulator's rules bind sellers in its own nation, its FDPR reach and any
sellers the rule names. Entity listings bind every flow to the listed firm or site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import TOOL_KINDS

STOCKPILED_KINDS = ("chip_threshold", "country_tiers", "hbm", "foundry_rule")


@dataclass
class Licences:
    chip_allowed: np.ndarray     # (sku, lab) legal share
    chip_grey: np.ndarray        # (sku, lab) share leaking through the grey market
    chip_revenue_share: np.ndarray  # (sku, lab) share of licensed revenue paid to a government
    chip_revenue_nation: np.ndarray  # (sku, lab) nation index receiving it (-1 none)
    tier_cap: np.ndarray         # (nation,) H100e per quarter from bound sellers (inf = none)
    hbm_allowed: np.ndarray      # (foundry, chip_firm)
    wafer_allowed: np.ndarray    # (foundry, sku)
    tool_allowed: np.ndarray     # (toolmaker, site, kind)
    service_allowed: np.ndarray  # (toolmaker, site, kind)
    stockpile: np.ndarray        # (nation,) 1 where a rule against it is announced, not yet effective
    mineral_loss: np.ndarray     # (nation,) share of toolmaker output lost


def _reach(static: Static, rule: dict[str, Any]) -> np.ndarray:
    """Boolean mask over nations of sellers bound by the rule."""
    reg = static.ruleset.regulators[rule["regulator"]]
    codes = {reg.nation, *reg.fdpr_reach, *rule.get("sellers", [])}
    return np.array([c in codes for c in static.nations])


def _dest(static: Static, rule: dict[str, Any]) -> np.ndarray:
    dests = set(rule.get("destinations", []))
    return np.array([c in dests for c in static.nations])


def compute_licences(static: Static, s: WorldState) -> Licences:
    """Licences for the current rules; cached, since rules change far less often than quarters pass."""
    site_min_nm = _site_min_nm(static, s)
    key = (
        "licences", tuple(sorted(s.control_status.items())),
        tuple((rid, r.get("licence_share"), r.get("licence_revenue_share")) for rid, r in s.controls.items()),
        tuple(s.sku_names), s.sku_firm.tobytes(), s.sku_tflops.tobytes(), s.hbm_level.tobytes(), site_min_nm.tobytes(),
    )
    cached = static.cache.get(key)
    if cached is None:
        if len(static.cache) > 256:
            static.cache.clear()
        cached = _compute(static, s, site_min_nm)
        static.cache[key] = cached
    return cached


def _compute(static: Static, s: WorldState, site_min_nm: np.ndarray) -> Licences:
    nk, nl, nf = static.sku_capacity, len(static.labs), len(static.foundries)
    nt, ns, nc, n = len(static.toolmakers), len(static.sites), len(static.chip_firms), len(static.nations)
    k = len(TOOL_KINDS)
    lic = Licences(
        chip_allowed=np.ones((nk, nl)), chip_grey=np.zeros((nk, nl)), chip_revenue_share=np.zeros((nk, nl)),
        chip_revenue_nation=np.full((nk, nl), -1, dtype=np.int64), tier_cap=np.full(n, np.inf),
        hbm_allowed=np.ones((nf, nc)), wafer_allowed=np.ones((nf, nk)), tool_allowed=np.ones((nt, ns, k)),
        service_allowed=np.ones((nt, ns, k)), stockpile=np.zeros(n), mineral_loss=np.zeros(n),
    )
    market = static.ruleset.market
    sku_firm = s.sku_firm.astype(np.int64)
    tpp = s.sku_tflops * 16.0
    density = tpp / np.maximum(s.sku_area * s.sku_dies, 1.0)
    firm_nation = static.chip_firm_nation
    sku_seller_nation = firm_nation[sku_firm]
    for rule_id, rule in s.controls.items():
        status = s.control_status.get(rule_id)
        if status == "announced":
            if rule["kind"] in STOCKPILED_KINDS:  # buyers stock up on what a rule will cut off
                lic.stockpile = np.maximum(lic.stockpile, _dest(static, rule).astype(np.float64))
            continue
        if status != "active":
            continue
        reg = static.ruleset.regulators[rule["regulator"]]
        enforcement = reg.enforcement
        licensed = float(rule.get("licence_share", 0.0))
        reach = _reach(static, rule)
        dest = _dest(static, rule)
        kind = rule["kind"]
        block = (1.0 - licensed)
        if kind == "chip_threshold":
            controlled = np.zeros(nk, dtype=bool)
            if rule.get("tpp") is not None:
                controlled |= tpp >= rule["tpp"]
            if rule.get("tpp_with_density") is not None and rule.get("density") is not None:
                controlled |= (tpp >= rule["tpp_with_density"]) & (density >= rule["density"])
            controlled &= reach[sku_seller_nation]
            mask = np.outer(controlled, dest[static.lab_nation])
            _block_chips(lic, mask, block, market.grey_market_leak_share, rule, static)
        elif kind == "country_tiers":
            for code, cap in rule.get("tier_caps_h100e", {}).items():
                if code in static.nations:
                    i = static.nations.index(code)
                    lic.tier_cap[i] = min(lic.tier_cap[i], cap)
        elif kind == "hbm":
            gens = static.ruleset.technology.hbm_generations
            level_density = {g.level: g.bandwidth_tb_s * 1000.0 / g.die_area_mm2 for g in gens.values()}
            threshold = rule.get("bandwidth_density_gb_s_mm2") or 0.0
            maker_density = np.array([max((d for lv, d in level_density.items() if lv <= lvl), default=0.0) for lvl in s.hbm_level])
            controlled = (maker_density > threshold) & reach[static.foundry_nation]
            lic.hbm_allowed *= 1.0 - np.outer(controlled, dest[firm_nation]) * block * enforcement
        elif kind == "foundry_rule":
            limit = rule.get("node_nm_at_or_below") or 0.0
            big = rule.get("transistors_b") or np.inf
            small_no_hbm = rule.get("no_hbm_transistors_b") or big
            node_ok = static.node_nm[s.sku_node.astype(np.int64)] <= limit
            presumed = node_ok & (s.sku_transistors >= big) & ~((s.sku_stacks == 0) & (s.sku_transistors < small_no_hbm))
            presumed &= dest[sku_seller_nation]
            lic.wafer_allowed *= 1.0 - np.outer(reach[static.foundry_nation], presumed) * block * enforcement
        elif kind in ("tool_list", "servicing_ban"):
            kinds = np.array([kd in rule.get("tool_kinds", []) for kd in TOOL_KINDS])
            sites = dest[static.site_nation]
            if rule.get("node_nm_at_or_below") is not None:
                sites &= site_min_nm <= rule["node_nm_at_or_below"]
            mask = reach[static.toolmaker_nation][:, None, None] & sites[None, :, None] & kinds[None, None, :]
            target = lic.tool_allowed if kind == "tool_list" else lic.service_allowed
            target *= 1.0 - mask * block * enforcement
        elif kind == "entity_list":
            _entity_list(static, lic, rule, reach, block * enforcement, sku_firm)
        elif kind == "mineral":
            lic.mineral_loss = 1.0 - (1.0 - lic.mineral_loss) * (1.0 - dest * float(rule.get("mineral_cost_share", 0.0)))
    _intra_company_transfer(static, lic, market.intra_company_transfer_share)
    return lic


def _block_chips(lic: Licences, mask: np.ndarray, block: float, leak: float, rule: dict[str, Any], static: Static) -> None:
    lic.chip_allowed *= 1.0 - mask * block
    lic.chip_grey = np.maximum(lic.chip_grey, mask * block * leak)
    share = float(rule.get("licence_revenue_share", 0.0))
    if share > 0 and block < 1.0:
        nation = static.nations.index(static.ruleset.regulators[rule["regulator"]].nation)
        lic.chip_revenue_share = np.where(mask, share, lic.chip_revenue_share)
        lic.chip_revenue_nation = np.where(mask, nation, lic.chip_revenue_nation)


def _entity_list(static: Static, lic: Licences, rule: dict[str, Any], reach: np.ndarray, blocked: float,
                 sku_firm: np.ndarray) -> None:
    entities = set(rule.get("entities", []))
    site_listed = np.array([sid in entities or static.foundries[static.site_foundry[i]] in entities
                            for i, sid in enumerate(static.sites)])
    firm_listed = np.array([c in entities for c in static.chip_firms])
    lab_listed = np.array([lab in entities for lab in static.labs])
    maker_reach = reach[static.toolmaker_nation]
    mask = maker_reach[:, None, None] & site_listed[None, :, None]
    lic.tool_allowed *= 1.0 - mask * blocked
    lic.service_allowed *= 1.0 - mask * blocked
    foundry_reach = reach[static.foundry_nation]
    lic.wafer_allowed *= 1.0 - np.outer(foundry_reach, firm_listed[sku_firm]) * blocked
    lic.hbm_allowed *= 1.0 - np.outer(foundry_reach, firm_listed) * blocked
    seller = reach[static.chip_firm_nation][sku_firm]
    lic.chip_allowed *= 1.0 - np.outer(seller, lab_listed) * blocked


def _intra_company_transfer(static: Static, lic: Licences, share: float) -> None:
    """Sanctions bind sites, not companies: a listed site gets part of what its unlisted siblings may buy."""
    if share <= 0:
        return
    for fi in range(len(static.foundries)):
        idx = np.flatnonzero(static.site_foundry == fi)
        if len(idx) < 2:
            continue
        best = lic.tool_allowed[:, idx, :].max(axis=1)
        lic.tool_allowed[:, idx, :] = np.maximum(lic.tool_allowed[:, idx, :], share * best[:, None, :])


def _site_min_nm(static: Static, s: WorldState) -> np.ndarray:
    """Smallest node each site makes or is building (inf when none)."""
    has = (s.capacity > 0) | (s.construction.sum(axis=2) > 0)
    nm = np.where(has, static.node_nm[None, :], np.inf)
    return nm.min(axis=1)


def rule_active(s: WorldState, rule_id: str) -> bool:
    return s.control_status.get(rule_id) == "active"
