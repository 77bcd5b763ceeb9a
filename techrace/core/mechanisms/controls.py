"""Licensing: turn the active export-control rules into allowed-trade matrices for the markets.

Every matrix holds the *share* of a trade flow that is legal (1 = unrestricted). Several rules combine
multiplicatively. An export rule (`scope: exports`, the default) binds sellers in the regulator's own nation, its FDPR
reach and any sellers the rule names, for buyers in its destinations; entity listings bind every flow to the listed
firm or site. An import rule (`scope: imports`: China's Micron ban, its curbs on NVIDIA purchases and its
domestic-equipment rule, calibration.md §4d and §3d) binds buyers in the regulator's own nation against foreign
sellers (or the sellers it names); its entity listings bar the listed firms from selling into that nation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from techrace.core.mechanisms.licences_sites import (
    hbm_density,
    intra_company_transfer,
    site_inputs,
    site_nodes,
    site_views,
)
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
    # what the markets read of the above, worked out once when a part is built (parts outlive many quarters)
    chip_channel: np.ndarray     # (sku, lab) legal share plus the grey share discounted by the grey premium
    chip_paid: np.ndarray        # (sku, lab) a government takes a share of the licensed revenue
    chip_payees: np.ndarray      # (paid,) the nation taking it, in the order of chip_paid's flows
    tier_capped: np.ndarray      # nations with a tier cap (indices)
    tool_output_kept: np.ndarray  # (toolmaker, 1) share of output not lost to mineral controls
    tool_admitted: np.ndarray    # (toolmaker, site, kind) legal share of tool deliveries
    tool_wear: np.ndarray        # (site, toolmaker, kind) health lost per quarter by tools without legal service
    tool_recovery: np.ndarray    # (site, toolmaker, kind) health regained per quarter by legally serviced tools


def _imports(rule: dict[str, Any]) -> bool:
    return rule.get("scope", "exports") == "imports"


def _reach(static: Static, rule: dict[str, Any]) -> np.ndarray:
    """Boolean mask over nations of sellers bound by the rule (read-only: cached per game by what it names): an export
    rule's own nation, FDPR reach and named sellers; an import rule's named sellers, or else every nation but its own."""
    key = ("reach", rule["regulator"], tuple(rule.get("sellers", ())), _imports(rule))
    mask = static.cache.get(key)
    if mask is None:
        reg = static.ruleset.regulators[rule["regulator"]]
        if _imports(rule):
            named = set(rule.get("sellers", []))
            codes = named or {c for c in static.nations if c != reg.nation}
        else:
            codes = {reg.nation, *reg.fdpr_reach, *rule.get("sellers", [])}
        mask = static.cache[key] = _frozen(np.array([c in codes for c in static.nations]))
    return mask


def _dest(static: Static, rule: dict[str, Any]) -> np.ndarray:
    """Boolean mask over nations whose buyers the rule binds (read-only, cached like `_reach`): an export
    rule's destinations, an import rule's own nation."""
    dests = ((static.ruleset.regulators[rule["regulator"]].nation,) if _imports(rule)
             else tuple(rule.get("destinations", ())))
    key = ("dest", dests)
    mask = static.cache.get(key)
    if mask is None:
        mask = static.cache[key] = _frozen(np.array([c in dests for c in static.nations]))
    return mask


def _pair(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """(row, column) mask of two boolean masks: both hold (`np.outer` of booleans, without its Python wrapper)."""
    return rows[:, None] & columns


def _licensed(mask: np.ndarray, blocked: float) -> np.ndarray:
    """Legal share of the flows a rule binds (`mask`): 1 - `blocked` there and 1 elsewhere, in one call; the same
    numbers as `1.0 - mask * blocked` for any finite `blocked` (the schema refuses others)."""
    return np.where(mask, 1.0 - blocked, 1.0)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def compute_licences(static: Static, s: WorldState) -> Licences:
    """Licences for the current rules, in two cached parts: what depends on the designs (chips, wafers) changes when a
    design appears; what depends on sites and memory makers (tools, servicing, HBM) when a site passes a rule's node
    threshold or a maker's HBM a rule's bandwidth threshold. Rules change far less often than quarters pass."""
    shares = [(rid, r.get("licence_share"), r.get("licence_revenue_share")) for rid, r in s.controls.items()]
    last = static.cache.get("licences/last rules")  # the last statuses and shares seen, by value (dicts change in place)
    if last is not None and (last := last.parts)[0] == s.control_status and last[1] == shares:
        token = last[2]
    else:  # sorted and hashed only when they changed
        token = _rules_token(static, (tuple(sorted(s.control_status.items())), tuple(shares)))
        static.cache["licences/last rules"] = _Unwalked(dict(s.control_status), shares, token)
    active, thresholds = _active(static, s, token)
    sku_key = ("licences/designs", token, tuple(s.sku_names), s.sku_firm.tobytes(), s.sku_tflops.tobytes(), s.sku_node.tobytes())
    site_key = ("licences/sites", token, *site_inputs(static, s, *thresholds))
    designs = static.cache.get(sku_key)
    if designs is None:
        designs = static.cache[sku_key] = _design_part(static, s, _design_rules(static, active, token))
    sites = static.cache.get(site_key)
    if sites is None:
        site_min_nm = np.where(site_nodes(s), static.node_nm[None, :], np.inf).min(axis=1)  # inf: none made or building
        sites = static.cache[site_key] = _site_part(static, s, site_min_nm, active)
    licences = object.__new__(Licences)  # `Licences(**designs, **sites)`: the parts hold exactly its fields, copied at once
    fields = licences.__dict__
    fields.update(designs)
    fields.update(sites)
    return licences


def _rules_token(static: Static, rules: tuple) -> object:
    """What stands for `rules` (every rule's status and licence shares) in the other licence keys, so they are hashed
    and compared once a call, not once a key. A dropped token is never made again (a new one is): no stale hit."""
    if (token := static.cache.get(key := ("licences/rules", rules))) is None:
        token = static.cache[key] = object()
    return token


def _active(static: Static, s: WorldState, rules: object) -> tuple[list[tuple[dict[str, Any], np.ndarray, np.ndarray, float]], tuple]:
    """(rule, reach, destinations, block share) of every active rule, in the rules' order, and the thresholds
    `site_inputs` reads (read-only: the tool and servicing rules' node thresholds as (node, threshold) and (node and
    pipeline quarter, threshold) weights, 1 where the node is at or below the threshold; the HBM rules' bandwidth
    thresholds; None without such rules); kept by `rules`, the token of the statuses and licence shares that
    `compute_licences` keys on (nothing else in a rule changes in play), and by the pipeline's depth."""
    key = ("licences/active", rules, depth := s.construction.shape[2])
    found = static.cache.get(key)
    if found is None:
        active = [(rule, _reach(static, rule), _dest(static, rule), 1.0 - float(rule.get("licence_share", 0.0)))
                  for rule_id, rule in s.controls.items() if s.control_status.get(rule_id) == "active"]
        nodes = sorted({rule["node_nm_at_or_below"] for rule, *_ in active
                        if rule["kind"] in ("tool_list", "servicing_ban") and rule.get("node_nm_at_or_below") is not None})
        bandwidths = sorted({rule.get("bandwidth_density_gb_s_mm2") or 0.0 for rule, *_ in active if rule["kind"] == "hbm"})
        node_ok = (static.node_nm[:, None] <= np.array(nodes, dtype=np.float64)).astype(np.float64)
        weights = (_frozen(node_ok), _frozen(np.repeat(node_ok, depth, axis=0))) if nodes else None  # `construction`'s row order
        found = static.cache[key] = (_Unwalked(active), (weights, _frozen(np.array(bandwidths, dtype=np.float64)) if bandwidths else None))
    return found[0][0], found[1]


class _Unwalked:
    """Cached parts that hold no array of their own (rule dicts, statuses, shares, the masks `_reach` and `_dest` keep
    under their own keys), read as a tuple: the bounded cache's size walk takes such an object as one value instead of
    type-checking every value of every rule on a store (~60 us for a dozen active rules)."""

    __slots__ = ("parts",)

    def __init__(self, *parts: Any) -> None:
        self.parts = parts

    def __getitem__(self, index: int) -> Any:
        return self.parts[index]


def _design_rules(static: Static, active: list, rules: object) -> list[tuple]:
    """The active rules the design part reads, in the rules' order, with what no design changes worked out once per
    set of rules (as `_active`): a chip threshold's reach and labs, a foundry rule's foundries and blocked share,
    a listing's per-firm shares; listings before any other rule as one entry of their products per firm in the rules'
    order (the design part's tables start as ones: 1 x a = a, so each design takes its firm's products)."""
    key = ("licences/design rules", rules)
    found = static.cache.get(key)
    if found is None:
        found = []
        for rule, reach, dest, block in active:
            enforcement = static.ruleset.regulators[rule["regulator"]].enforcement
            if rule["kind"] == "chip_threshold":
                found.append(("chip_threshold", rule, reach, dest[static.lab_nation], block))
            elif rule["kind"] == "foundry_rule":
                found.append(("foundry_rule", rule, reach[static.foundry_nation], dest, block * enforcement))
            elif rule["kind"] == "entity_list":
                tables = _listing_by_firm(static, rule, reach, dest, block * enforcement)
                if len(found) == 1 and found[0][0] == "listings":  # still only listings: their products per firm
                    tables = [_frozen(product * table) for product, table in zip(found.pop()[1:], tables, strict=True)]
                found.append(("entity_list" if found else "listings", *tables))
        static.cache[key] = found
    return found


def _design_part(static: Static, s: WorldState, design_rules: list[tuple]) -> dict[str, np.ndarray]:
    """Chip sales and wafer orders per design: chip thresholds, the foundry rule, entity listings (`_design_rules`)."""
    nk, nl, nf = static.sku_capacity, len(static.labs), len(static.foundries)
    sku_firm = s.sku_firm.astype(np.int64)
    start = design_rules[0][1:] if design_rules and design_rules[0][0] == "listings" else None  # the leading listings
    out = {"chip_allowed": np.ones((nk, nl)) if start is None else start[1].take(sku_firm, axis=0),
           **_untaken(static, nk, nl), "wafer_allowed": np.ones((nf, nk)) if start is None else start[0].take(sku_firm, axis=1)}
    tpp = s.sku_tflops * 16.0
    density = tpp / np.maximum(s.sku_area * s.sku_dies, 1.0)
    seller_nation = static.chip_firm_nation[sku_firm]
    leak = static.ruleset.market.grey_market_leak_share
    for kind, *read in design_rules:
        if kind == "chip_threshold":
            rule, reach, labs, block = read
            controlled = tpp >= rule["tpp"] if rule.get("tpp") is not None else np.zeros(nk, dtype=bool)
            if rule.get("tpp_with_density") is not None and rule.get("density") is not None:
                controlled |= (tpp >= rule["tpp_with_density"]) & (density >= rule["density"])
            controlled &= reach[seller_nation]
            _block_chips(out, _pair(controlled, labs), block, leak, rule, static)
        elif kind == "foundry_rule":
            rule, foundries, dest, blocked = read
            limit = rule.get("node_nm_at_or_below") or 0.0
            big = rule.get("transistors_b") or np.inf
            small_no_hbm = rule.get("no_hbm_transistors_b") or big
            node_ok = static.node_nm[s.sku_node.astype(np.int64)] <= limit
            presumed = node_ok & (s.sku_transistors >= big) & ~((s.sku_stacks == 0) & (s.sku_transistors < small_no_hbm))
            presumed &= dest[seller_nation]
            out["wafer_allowed"] *= _licensed(_pair(foundries, presumed), blocked)
        elif kind == "entity_list":  # a listing after other rules: its shares per firm (`_listing_by_firm`)
            wafers_by_firm, chips_by_firm = read
            out["wafer_allowed"] *= wafers_by_firm.take(sku_firm, axis=1)
            out["chip_allowed"] *= chips_by_firm.take(sku_firm, axis=0)
    return _design_views(static, out)


def _listing_by_firm(static: Static, rule: dict[str, Any], reach: np.ndarray, dest: np.ndarray,
                     blocked: float) -> tuple[np.ndarray, np.ndarray]:
    """An entity listing's legal shares of wafer orders (foundry, chip firm) and chip sales (chip firm, lab): they depend
    on a design only through its firm, so they are worked out per firm (read-only) and each design takes its firm's
    column or row. An import listing bars the listed foundries and chip firms from selling into the regulator's
    nation; an export listing bars sellers in its reach from serving the listed firms and labs."""
    key = ("listing by firm", _imports(rule), tuple(sorted(rule.get("entities", []))), reach.tobytes(), dest.tobytes(), blocked)
    tables = static.cache.get(key)
    if tables is None:
        seller_nation = static.chip_firm_nation
        if _imports(rule):
            foundry_listed, firm_listed, _ = _listed_sellers(static, rule)
            tables = (_licensed(_pair(foundry_listed, dest[seller_nation]), blocked),
                      _licensed(_pair(firm_listed, dest[static.lab_nation]), blocked))
        else:
            firm_listed, lab_listed = _listed(static, rule)[1:]
            tables = (_licensed(_pair(reach[static.foundry_nation], firm_listed), blocked),
                      _licensed(_pair(reach[seller_nation], lab_listed), blocked))
        tables = static.cache[key] = tuple(_frozen(table) for table in tables)
    return tables


def _site_part(static: Static, s: WorldState, site_min_nm: np.ndarray, active: list) -> dict[str, np.ndarray]:
    """Tools, servicing and HBM per site and maker; tier caps, stockpiling, mineral losses per nation."""
    nt, ns, nf, nc, n = len(static.toolmakers), len(static.sites), len(static.foundries), len(static.chip_firms), len(static.nations)
    k = len(TOOL_KINDS)
    out = {"tier_cap": np.full(n, np.inf), "hbm_allowed": np.ones((nf, nc)), "tool_allowed": np.ones((nt, ns, k)),
           "service_allowed": np.ones((nt, ns, k)), "stockpile": np.zeros(n), "mineral_loss": np.zeros(n)}
    for rule_id, rule in s.controls.items():  # buyers stock up on what an announced rule will cut off
        if s.control_status.get(rule_id) == "announced" and rule["kind"] in STOCKPILED_KINDS:
            out["stockpile"] = np.maximum(out["stockpile"], _dest(static, rule).astype(np.float64))
    for rule, reach, dest, block in active:
        enforcement = static.ruleset.regulators[rule["regulator"]].enforcement
        kind = rule["kind"]
        if kind == "country_tiers":
            for code, cap in rule.get("tier_caps_h100e", {}).items():
                if code in static.nations:
                    i = static.nations.index(code)
                    out["tier_cap"][i] = min(out["tier_cap"][i], cap)
        elif kind == "hbm":
            controlled = (hbm_density(static, s) > (rule.get("bandwidth_density_gb_s_mm2") or 0.0)) & reach[static.foundry_nation]
            out["hbm_allowed"] *= _licensed(_pair(controlled, dest[static.chip_firm_nation]), block * enforcement)
        elif kind in ("tool_list", "servicing_ban"):
            kinds = _kinds(static, rule)
            sites = dest[static.site_nation]
            if rule.get("node_nm_at_or_below") is not None:
                sites &= site_min_nm <= rule["node_nm_at_or_below"]
            mask = reach[static.toolmaker_nation][:, None, None] & sites[None, :, None] & kinds[None, None, :]
            out["tool_allowed" if kind == "tool_list" else "service_allowed"] *= _licensed(mask, block * enforcement)
        elif kind == "entity_list" and _imports(rule):
            _listed_into(static, out, rule, dest, block * enforcement)
        elif kind == "entity_list":
            site_listed, firm_listed, _ = _listed(static, rule)
            blocked = block * enforcement
            mask = reach[static.toolmaker_nation][:, None, None] & site_listed[None, :, None]
            licensed = _licensed(mask, blocked)
            out["tool_allowed"] *= licensed
            out["service_allowed"] *= licensed
            out["hbm_allowed"] *= _licensed(_pair(reach[static.foundry_nation], firm_listed), blocked)
        elif kind == "mineral":
            lost = dest * float(rule.get("mineral_cost_share", 0.0)) * block  # a licence exception lets part through
            out["mineral_loss"] = 1.0 - (1.0 - out["mineral_loss"]) * (1.0 - lost)
    intra_company_transfer(static, out["tool_allowed"], static.ruleset.market.intra_company_transfer_share)
    return site_views(static, out)


def _design_views(static: Static, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add the chip market's views of a design part (see `Licences`)."""
    nation = out["chip_revenue_nation"]
    out["chip_channel"] = out["chip_allowed"] + out["chip_grey"] / static.ruleset.market.grey_market_premium
    untaken = _untaken(static, *nation.shape)
    if nation is untaken["chip_revenue_nation"]:  # no government takes a share (most rules)
        out["chip_paid"], out["chip_payees"] = untaken["chip_paid"], untaken["chip_payees"]
    else:
        out["chip_paid"] = paid = nation >= 0
        out["chip_payees"] = nation[paid]
    return out


def _untaken(static: Static, designs: int, labs: int) -> dict[str, np.ndarray]:
    """A design part's grey share and licensed revenue where no rule has touched them, and the views of the latter
    (read-only, once a game: a rule replaces them, `_block_chips`): no grey market, no revenue share, nobody paid."""
    key = ("licences/untaken", designs, labs)
    found = static.cache.get(key)
    if found is None:
        found = static.cache[key] = {name: _frozen(array) for name, array in (
            ("chip_grey", np.zeros((designs, labs))), ("chip_revenue_share", np.zeros((designs, labs))),
            ("chip_revenue_nation", np.full((designs, labs), -1, dtype=np.int64)),
            ("chip_paid", np.zeros((designs, labs), dtype=bool)), ("chip_payees", np.zeros(0, dtype=np.int64)))}
    return found


def _kinds(static: Static, rule: dict[str, Any]) -> np.ndarray:
    """Boolean mask over TOOL_KINDS of the kinds a tool rule names (read-only, cached)."""
    key = ("tool_kinds", tuple(rule.get("tool_kinds", ())))
    mask = static.cache.get(key)
    if mask is None:
        mask = static.cache[key] = _frozen(np.array([kd in rule.get("tool_kinds", []) for kd in TOOL_KINDS]))
    return mask


def _listed(static: Static, rule: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(site, chip firm, lab) masks of the entities a listing names (a firm id lists all its sites)."""
    key = ("listed", tuple(sorted(rule.get("entities", []))))
    if key not in static.cache:
        entities = set(rule.get("entities", []))
        static.cache[key] = (
            np.array([sid in entities or static.foundries[static.site_foundry[i]] in entities for i, sid in enumerate(static.sites)]),
            np.array([c in entities for c in static.chip_firms]),
            np.array([lab in entities for lab in static.labs]))
    return static.cache[key]


def _listed_sellers(static: Static, rule: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(foundry or memory maker, chip firm, toolmaker) masks of the sellers an import listing names."""
    key = ("listed sellers", tuple(sorted(rule.get("entities", []))))
    if key not in static.cache:
        entities = set(rule.get("entities", []))
        static.cache[key] = tuple(_frozen(np.array([x in entities for x in names]))
                                  for names in (static.foundries, static.chip_firms, static.toolmakers))
    return static.cache[key]


def _listed_into(static: Static, out: dict[str, np.ndarray], rule: dict[str, Any], dest: np.ndarray, blocked: float) -> None:
    """An import listing: the listed toolmakers' tools and service and the listed memory makers' HBM stop
    reaching buyers in the regulator's nation (China's Micron ban, §4d)."""
    foundry_listed, _, toolmaker_listed = _listed_sellers(static, rule)
    mask = toolmaker_listed[:, None, None] & dest[static.site_nation][None, :, None]
    licensed = _licensed(mask, blocked)
    out["tool_allowed"] *= licensed
    out["service_allowed"] *= licensed
    out["hbm_allowed"] *= _licensed(_pair(foundry_listed, dest[static.chip_firm_nation]), blocked)


def _block_chips(out: dict[str, np.ndarray], mask: np.ndarray, block: float, leak: float, rule: dict[str, Any],
                 static: Static) -> None:
    out["chip_allowed"] *= _licensed(mask, block)
    grey = np.where(mask, block * leak, 0.0)  # `mask * block * leak`'s numbers (both are shares: 0 x a share is +0.0)
    out["chip_grey"] = grey if out["chip_grey"] is _untaken(static, *mask.shape)["chip_grey"] else np.maximum(out["chip_grey"], grey)
    share = float(rule.get("licence_revenue_share", 0.0))
    if share > 0 and block < 1.0:
        nation = static.nations.index(static.ruleset.regulators[rule["regulator"]].nation)
        out["chip_revenue_share"] = np.where(mask, share, out["chip_revenue_share"])
        out["chip_revenue_nation"] = np.where(mask, nation, out["chip_revenue_nation"])
