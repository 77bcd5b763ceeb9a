"""Every mutable number of the world, held in numpy arrays.

Keeping all changing state here (agents are thin views over it) makes markets vectorised, snapshots
complete by construction and restores exact: a snapshot is this object's arrays plus a few small
ordered records.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from techrace.core.static import Static
from techrace.ruleset.schema import LEVER_GROUPS, SKILLS, TOOL_KINDS

# field -> axis names; every array field of WorldState is listed here (snapshot and restore use it)
ARRAY_AXES: dict[str, tuple[str, ...]] = {
    # nations
    "gdp_trend": ("nation",), "gdp_gap": ("nation",), "gdp_shock_queue": ("nation", "quarter_ahead"),
    "budget": ("nation",), "licence_income": ("nation",), "power_gw": ("nation",),
    "power_buildout": ("nation",), "centralisation": ("nation",), "visa": ("nation",), "pay": ("nation",),
    "espionage": ("nation",), "anti_poaching": ("nation",), "pool": ("nation", "skill"),
    "pool_exp": ("nation", "skill"), "mineral_loss": ("nation",), "cutoff": ("nation", "cutoff_kind"),
    "capability": ("nation",), "best_capability": ("nation",), "largest_run": ("nation",), "retired_engineers": ("nation",),
    "collapsed": ("nation",), "accel_domestic": ("nation",), "accel_bought": ("nation",), "domestic_share": ("nation",),
    "victory_streak": ("victory", "nation"),
    "graduated_engineers": ("nation",), "emigrated": ("nation",), "immigrated": ("nation",),
    "jigsaw_spend": ("nation", "cutoff_kind"), "researcher_inflow": ("nation", "nation"),
    "diaspora": ("nation", "nation", "skill"),  # [host, origin, skill]: engineers of the host's pool born in origin
    # standing orders (levers that hold until changed) and delegation to the advisor
    "subsidy_programme": ("nation", "employer"), "power_programme": ("nation",), "centralisation_target": ("nation",),
    "national_site_gw": ("nation",),
    "delegated": ("nation", "lever_group"), "standing_cost": ("nation",), "budget_spent": ("nation",), "lab_subsidy": ("lab",),
    "chip_subsidy": ("chip_firm",), "new_controls_against": ("nation",),
    # sites
    "capacity": ("site", "node"), "construction": ("site", "node", "quarter_ahead"),
    "offline": ("site",), "offline_recovery": ("site",), "hbm_tsv_wpm": ("site",), "packaging": ("site",),
    "usable": ("site", "node"), "duv_share": ("site", "node"), "tools": ("site", "toolmaker", "tool_kind"),
    "health": ("site", "toolmaker", "tool_kind"), "hbm_usable": ("site",),
    "tool_pipeline": ("toolmaker", "site", "tool_kind", "quarter_ahead"),  # saved unrolled; held as a ring (below)
    "site_stockpile": ("site", "toolmaker", "tool_kind"),
    "site_grant": ("site",),  # USD bn of fabs the site's foundry owes it for fab grants (levers/nation.py FabGrant)
    # foundries
    "mastered": ("foundry", "node"), "rd_progress": ("foundry", "node"), "d0": ("foundry", "node"),
    "cum_wafers": ("foundry", "node"), "cash": ("foundry",), "revenue": ("foundry",), "revenue_last": ("foundry",),
    "hbm_level": ("foundry",), "hbm_rd": ("foundry",), "hbm_yield": ("foundry",), "rd_budget": ("foundry",),
    "wafers_sold": ("foundry", "node"), "subsidy": ("foundry",), "wafer_unmet": ("foundry", "node"),
    "hbm_unmet": ("foundry",), "hbm_maker_stock": ("foundry",), "packaging_unmet": ("packaging_pool",),
    "non_ai_wpm": ("foundry", "node"), "wafer_demand": ("foundry", "node"), "wafer_demand_level": ("foundry", "node"), "wafer_demand_trend": ("foundry", "node"),
    "ai_wafer_demand": ("foundry",), "ai_wafer_demand_level": ("foundry",), "ai_wafer_demand_trend": ("foundry",),
    "hbm_demand": ("foundry",), "hbm_demand_level": ("foundry",), "hbm_demand_trend": ("foundry",),
    "hbm_construction": ("site", "quarter_ahead"), "packaging_construction": ("site", "quarter_ahead"),
    "packaging_demand": ("packaging_pool",), "packaging_demand_level": ("packaging_pool",),
    "packaging_demand_trend": ("packaging_pool",),
    # toolmakers
    "tool_capacity": ("toolmaker", "tool_kind"), "tool_price": ("toolmaker", "tool_kind"),
    "tool_lead": ("toolmaker", "tool_kind"), "tool_dev": ("toolmaker", "tool_kind"),
    "tool_inventory": ("toolmaker", "tool_kind"), "tools_produced": ("toolmaker", "tool_kind"),
    "tool_demand": ("toolmaker", "tool_kind"), "tool_demand_level": ("toolmaker", "tool_kind"), "tool_demand_trend": ("toolmaker", "tool_kind"),
    "tools_scrapped": ("toolmaker", "tool_kind"), "tool_backlog": ("toolmaker", "tool_kind"),
    "toolmaker_cash": ("toolmaker",), "toolmaker_subsidy": ("toolmaker",),
    # chip firms and SKUs
    "target_units": ("chip_firm",), "hbm_stock": ("chip_firm",), "unit_demand": ("chip_firm",),
    "unit_demand_level": ("chip_firm",), "unit_demand_trend": ("chip_firm",), "next_generation_turn": ("chip_firm",),
    "sku_used": ("sku",), "sku_retire_turn": ("sku",), "sku_wanted": ("sku",), "sku_compliant": ("sku",),
    "sku_domestic": ("sku",), "sku_wafers": ("sku",),
    "sku_firm": ("sku",), "sku_node": ("sku",), "sku_area": ("sku",), "sku_dies": ("sku",),
    "sku_transistors": ("sku",), "sku_tflops": ("sku",), "sku_stacks": ("sku",), "sku_hbm_level": ("sku",),
    "sku_power": ("sku",), "sku_price": ("sku",), "sku_active": ("sku",), "sku_ready_turn": ("sku",),
    "sku_share": ("sku",), "die_stock": ("sku",), "accel_stock": ("sku",), "accel_made": ("sku",),
    "accel_quarter": ("sku",), "accel_sold": ("sku",), "wafers_bought": ("sku",), "hbm_bought": ("chip_firm",),
    # labs
    "compute": ("lab",), "lab_power": ("lab",), "capital": ("lab",), "capital_growth": ("lab",),
    "algo_log10": ("lab",), "algo_history": ("lab", "quarter_ahead"), "research_input": ("lab",),
    "ai_revenue": ("lab",), "investor_capital": ("lab",), "recent_gain": ("lab",), "lab_capability": ("lab",),
    "chip_spend": ("lab",), "site_share": ("lab",), "usable_compute": ("lab",), "retired_compute": ("lab",),
    "bought_h100e": ("lab",), "grey_h100e": ("lab",), "capex_cut": ("lab",), "capex_cut_left": ("lab",),
    # talent: employers = foundries + toolmakers + chip firms + labs
    "eng": ("employer", "skill"), "exp": ("employer", "skill"), "stars": ("employer",),
    "eng_target": ("employer", "skill"),
    # world
    "hbm_produced": ("foundry",), "trailing_shortfall": ("world",),
    # cumulative accounting for conservation checks
    "hbm_made": ("foundry",), "dies_made": ("sku",), "dies_used": ("sku",), "hbm_used": ("chip_firm",),
    "compute_bought": ("lab",),
    # what held each link of the chain back this quarter, recorded for the advisor (core/constraints.py) and
    # never read by the simulation; saves made before they were recorded restore them as zeros (RECORDED)
    "lab_chip_budget": ("lab",), "lab_power_room": ("lab",), "lab_power_left": ("lab",),
    "units_planned": ("chip_firm",), "short_dies": ("chip_firm",), "short_hbm": ("chip_firm",),
    "short_packaging": ("chip_firm",),
}
RECORDED = frozenset({"lab_chip_budget", "lab_power_room", "lab_power_left", "units_planned", "short_dies",
                      "short_hbm", "short_packaging"})

CUTOFF_KINDS = (*TOOL_KINDS, "hbm", "chips", "wafers")
NEVER = 1e9  # a turn that never comes (e.g. the retirement turn of a design with no successor yet)


class WorldState:
    """Mutable world: arrays listed in ARRAY_AXES plus small ordered records."""

    def __init__(self) -> None:
        self.turn = 0
        self.sku_names: list[str] = []
        self.controls: dict[str, dict[str, Any]] = {}   # id -> rule dict (ruleset or enacted), sorted ids
        self.control_status: dict[str, str] = {}       # id -> inactive | announced | active | expired | lifted
        self.shock_status: dict[str, dict[str, int]] = {}  # id -> {"fired": n, "until": turn}
        self.export_halt_until: dict[str, int] = {}    # nation -> last turn of halt
        self.military_orders: list[list[str]] = []     # [nation, shock] ordered by computer players, fired next quarter
        self.adjustments: list[dict[str, Any]] = []    # lasting `adjust` effects (mechanisms/adjust.py), in firing order
        self.action_counter = 0
        # tools in transit: a ring of quarters (quarter, toolmaker, site, kind) as deep as the longest lead time
        # shipped so far; slot `tool_head` arrives next (markets/tools.py), so no quarter shifts the whole queue
        self.tool_ring = np.zeros((1, 0, 0, 0))
        self.tool_head = 0
        self.tool_quarters = 1

    @property
    def tool_pipeline(self) -> np.ndarray:
        """Tools in transit (toolmaker, site, kind, quarter ahead): the ring unrolled, as snapshots hold it."""
        ring, depth = self.tool_ring, self.tool_ring.shape[0]
        out = np.zeros((*ring.shape[1:], self.tool_quarters))
        for ahead in range(min(depth, self.tool_quarters)):
            out[..., ahead] = ring[(self.tool_head + ahead) % depth]
        return out

    @tool_pipeline.setter
    def tool_pipeline(self, unrolled: np.ndarray) -> None:
        unrolled = np.asarray(unrolled, dtype=np.float64)
        filled = np.flatnonzero(unrolled.any(axis=(0, 1, 2)))
        depth = int(filled[-1]) + 1 if len(filled) else 1
        self.tool_ring = np.ascontiguousarray(np.moveaxis(unrolled[..., :depth], 3, 0))
        self.tool_head = 0
        self.tool_quarters = unrolled.shape[3]

    # ------------------------------------------------------------------ snapshot
    def to_dict(self) -> dict[str, Any]:
        arrays = {name: _plain(getattr(self, name)) for name in ARRAY_AXES}
        return {
            "turn": self.turn,
            "arrays": arrays,
            "sku_names": list(self.sku_names),
            "controls": copy.deepcopy(self.controls),
            "control_status": dict(self.control_status),
            "shock_status": copy.deepcopy(self.shock_status),
            "export_halt_until": dict(self.export_halt_until),
            "military_orders": [list(m) for m in self.military_orders],
            "adjustments": copy.deepcopy(self.adjustments),
            "action_counter": self.action_counter,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldState:
        state = cls()
        state.turn = int(data["turn"])
        for name in ARRAY_AXES:
            setattr(state, name, np.asarray(data["arrays"][name], dtype=np.float64))
        state.sku_names = list(data["sku_names"])
        state.controls = copy.deepcopy(data["controls"])
        state.control_status = dict(data["control_status"])
        state.shock_status = copy.deepcopy(data["shock_status"])
        state.export_halt_until = {k: int(v) for k, v in data["export_halt_until"].items()}
        state.military_orders = [[str(n), str(m)] for n, m in data.get("military_orders", [])]
        state.adjustments = copy.deepcopy(data.get("adjustments", []))
        state.action_counter = int(data["action_counter"])
        return state


def _plain(array: np.ndarray) -> Any:
    return np.asarray(array, dtype=np.float64).tolist()


def axis_labels(static: Static, state: WorldState) -> dict[str, list[str]]:
    """Ids along every axis name used in ARRAY_AXES (for saves and divergence reports)."""
    return {
        "nation": list(static.nations), "site": list(static.sites), "node": list(static.nodes),
        "foundry": list(static.foundries), "toolmaker": list(static.toolmakers),
        "chip_firm": list(static.chip_firms), "lab": list(static.labs), "employer": list(static.employers),
        "skill": list(SKILLS), "tool_kind": list(TOOL_KINDS), "cutoff_kind": list(CUTOFF_KINDS),
        "sku": [name or f"(free slot {i})" for i, name in enumerate(state.sku_names)],
        "quarter_ahead": [str(i) for i in range(static.pipeline_quarters)], "world": ["world"],
        "packaging_pool": list(static.blocs.pools), "victory": list(static.victory_ids), "lever_group": list(LEVER_GROUPS),
    }


def _lines_already_building(static: Static, s: WorldState) -> None:
    """HBM and packaging lines under construction at the start: what the memory makers' and packagers' own
    policy (policies/foundries.py) would have started in the quarters before the game, for demand growing
    by `industry.forecast.start_growth_per_year` (capped by the largest growth a quarter may start). Without
    them nothing new could arrive before the first lines the game starts, and the boom would stall for a
    year; fabs list theirs explicitly (`under_construction`), as they are few and known by name."""
    industry = static.ruleset.industry
    quarterly = industry.forecast.start_growth_per_year ** 0.25 - 1.0
    for pipeline, capacity, quarters, cap in (
            (s.hbm_construction, s.hbm_tsv_wpm, industry.hbm_build_quarters, industry.max_hbm_growth_per_quarter),
            (s.packaging_construction, s.packaging, industry.packaging_build_quarters, industry.max_packaging_growth_per_quarter)):
        growth = float(np.clip(quarterly, 0.0, cap))
        for ahead in range(quarters):  # arriving `ahead + 1` quarters from now
            pipeline[:, ahead] += capacity * (1.0 + growth) ** ahead * growth


def build_state(static: Static) -> WorldState:
    """The 2025Q1 (start-quarter) state of a ruleset."""
    rs = static.ruleset
    s = WorldState()
    n, m, k = len(static.nations), len(static.nodes), len(TOOL_KINDS)
    nf, ns, nt, nc, nl = len(static.foundries), len(static.sites), len(static.toolmakers), len(static.chip_firms), len(static.labs)
    ne, nk, ng = len(static.employers), static.sku_capacity, len(SKILLS)
    z = np.zeros
    sizes = {"nation": n, "site": ns, "node": m, "foundry": nf, "toolmaker": nt, "chip_firm": nc, "lab": nl,
             "employer": ne, "skill": ng, "tool_kind": k, "cutoff_kind": len(CUTOFF_KINDS), "sku": nk,
             "quarter_ahead": static.pipeline_quarters, "world": 1, "packaging_pool": len(static.blocs.pools),
             "victory": len(static.victory_ids), "lever_group": len(LEVER_GROUPS)}
    for name, axes in ARRAY_AXES.items():  # everything starts at zero; what does not is set below
        if name != "tool_pipeline":
            setattr(s, name, z(tuple(sizes[axis] for axis in axes)))
    s.tool_quarters = static.pipeline_quarters
    nations = [rs.nations[c] for c in static.nations]
    s.gdp_trend = np.full(n, 100.0)
    s.budget = np.array([x.industrial_budget_usd_b for x in nations])
    s.power_gw = np.array([x.datacenter_power_gw for x in nations])
    s.power_buildout = np.array([x.power_buildout_gw_per_quarter for x in nations])
    s.centralisation = np.array([x.centralisation for x in nations])
    s.centralisation_target = s.centralisation.copy()
    s.delegated = np.ones((n, len(LEVER_GROUPS)))  # a player's nation starts with every group with the advisor
    s.visa = np.array([x.visa_openness for x in nations])
    s.pay = np.array([x.pay_index for x in nations])
    s.espionage = np.array([x.espionage_effort for x in nations])
    s.anti_poaching = np.array([x.anti_poaching for x in nations])
    s.pool = np.array([[getattr(x.engineer_pool, sk) for sk in SKILLS] for x in nations])
    s.pool_exp = np.full((n, ng), rs.talent.pool_start_experience_years)
    for host, x in enumerate(nations):
        for origin, shares in x.diaspora.items():
            s.diaspora[host, static.nations.index(origin)] = [getattr(shares, sk) for sk in SKILLS] * s.pool[host]
    s.sku_names = [""] * nk

    # sites and foundries
    domestic = z(ns)
    for si, sid in enumerate(static.sites):
        site = rs.foundries[static.foundries[static.site_foundry[si]]].sites[sid]
        for node, wpm in site.capacity_wpm.items():
            s.capacity[si, static.nodes.index(node)] = wpm
        for fab in site.under_construction:
            s.construction[si, static.nodes.index(fab.node), fab.quarters_left - 1] += fab.wpm
        s.hbm_tsv_wpm[si] = site.hbm_tsv_wpm
        s.packaging[si] = site.packaging_units_per_quarter
        domestic[si] = site.domestic_tool_share
    _lines_already_building(static, s)
    s.usable = s.capacity.copy()
    floor = np.array([rs.market.ai_share_of_node.get(node, 0.0) for node in static.nodes])
    s.non_ai_wpm = static.by_foundry(s.capacity) * (1.0 - floor)[None, :]   # other customers' bookings at start
    s.hbm_usable = s.hbm_tsv_wpm.copy()
    for fi, fid in enumerate(static.foundries):
        f = rs.foundries[fid]
        for node in f.nodes_mastered:
            s.mastered[fi, static.nodes.index(node)] = 1.0
        for node, progress in f.rd_progress.items():
            s.rd_progress[fi, static.nodes.index(node)] = progress
        s.mastered[fi] = np.maximum(s.mastered[fi], s.rd_progress[fi] >= 1.0)
        s.d0[fi] = np.where(s.mastered[fi] > 0, static.d0_mature * 1.15, static.d0_initial)
        for node, d0 in f.d0.items():
            s.d0[fi, static.nodes.index(node)] = d0
        s.cash[fi] = f.cash_usd_b
        if f.hbm_generation:
            s.hbm_level[fi] = static.hbm_level[static.hbm_generations.index(f.hbm_generation)]
        s.hbm_yield[fi] = f.hbm_yield

    # toolmakers
    s.tool_dev = np.full((nt, k), -1.0)  # -1: not developing
    for ti, tid in enumerate(static.toolmakers):
        tm = rs.toolmakers[tid]
        for kind, line in tm.makes.items():
            ki = TOOL_KINDS.index(kind)
            s.tool_capacity[ti, ki] = line.units_per_quarter
            s.tool_price[ti, ki] = line.price_usd_m
            s.tool_lead[ti, ki] = line.lead_quarters
        for kind, dev in tm.developing.items():
            s.tool_dev[ti, TOOL_KINDS.index(kind)] = dev.progress
    s.toolmaker_cash = np.full(nt, rs.industry.toolmaker_start_cash_usd_b)
    s.tool_ring = z((int(min(s.tool_lead.max(initial=0) + 1, s.tool_quarters)), nt, ns, k))  # nothing in transit yet
    s.tools, s.health = _initial_tools(static, s, domestic)
    stockpile = np.array([[getattr(rs.foundries[static.foundries[static.site_foundry[si]]].sites[sid].tool_stockpile, kind)
                           for kind in TOOL_KINDS] for si, sid in enumerate(static.sites)]).reshape(ns, k)
    from techrace.core.markets.tools import supplier_weights

    foreign = supplier_weights(static, s.tool_capacity, np.zeros(ns)).transpose(1, 0, 2)  # bought abroad, before controls
    s.site_stockpile = stockpile[:, None, :] * foreign

    # chip firms and SKUs
    s.target_units = np.array([rs.chip_firms[c].target_units_per_quarter for c in static.chip_firms], dtype=np.float64)
    s.unit_demand = s.target_units.copy()
    s.unit_demand_level = np.log(np.maximum(s.target_units, 1.0))
    s.unit_demand_trend[:] = np.log(rs.industry.forecast.start_growth_per_year) / 4.0
    s.next_generation_turn = np.array([rs.chip_firms[c].generation_quarters for c in static.chip_firms], dtype=np.float64) \
        - rs.design.design_quarters
    s.hbm_stock = np.array([rs.chip_firms[c].hbm_stockpile_stacks for c in static.chip_firms], dtype=np.float64)
    for ci, cid in enumerate(static.chip_firms):
        for sku_id, sku in rs.chip_firms[cid].skus.items():
            hbm = static.hbm_level[static.hbm_generations.index(sku.hbm_generation)] if sku.hbm_generation else 0.0
            add_sku(static, s, SkuDesign(sku_id, ci, static.nodes.index(sku.node), sku.die_area_mm2, sku.dies_per_package,
                                         sku.transistors_b, sku.dense_tflops_16bit, sku.hbm_stacks, hbm, sku.power_w,
                                         sku.price_usd, 0))

    # labs
    labs = [rs.labs[lab] for lab in static.labs]
    s.compute = np.array([x.compute_h100e for x in labs], dtype=np.float64)
    s.lab_power = s.compute * static.blocs.lab_kw_per_h100e / 1e6  # GW
    s.capital = np.array([x.capital_usd_b_per_quarter for x in labs], dtype=np.float64)
    s.capital_growth = np.array([x.capital_growth_per_quarter for x in labs], dtype=np.float64)
    s.algo_log10 = np.log10([x.algorithmic_multiplier for x in labs])
    s.algo_history = np.repeat(s.algo_log10[:, None], static.pipeline_quarters, axis=1)
    s.site_share = np.array([x.largest_site_share for x in labs], dtype=np.float64)
    s.usable_compute = s.compute.copy()
    s.national_site_gw = s.centralisation * (static.lab_to_nation @ s.lab_power)  # what is pooled at start has its sites

    # talent
    groups = [rs.foundries, rs.toolmakers, rs.chip_firms, rs.labs]
    specs = [g[e] for g in groups for e in g]
    s.eng = np.array([[getattr(x.engineers, sk) for sk in SKILLS] for x in specs], dtype=np.float64).reshape(ne, ng)
    s.exp = np.where(s.eng > 0, rs.talent.start_experience_years, 0.0)
    s.stars = np.array([x.stars for x in specs], dtype=np.float64)
    s.eng_target = s.eng.copy()

    # controls and shocks: sorted ids for a stable order
    for cid in sorted(rs.controls):
        s.controls[cid] = rs.controls[cid].model_dump(mode="json", by_alias=True)
        s.control_status[cid] = "inactive"
    for sid in sorted(rs.shocks):
        s.shock_status[sid] = {"fired": 0, "until": 0}
    return s


@dataclass(frozen=True)
class SkuDesign:
    """An accelerator design: what a SKU slot holds."""

    name: str
    firm: int
    node: int
    die_area_mm2: float
    dies: int
    transistors_b: float
    tflops: float
    stacks: int
    hbm_level: float
    power_w: float
    price_usd: float
    ready_turn: int
    compliant: bool = False


def add_sku(static: Static, s: WorldState, design: SkuDesign) -> int:
    """Put a design into a free SKU slot; returns its index (or -1 when every slot holds a live design)."""
    free = (s.sku_used <= 0).nonzero()[0]  # `np.flatnonzero` without its wrappers (1-d: the same indices)
    if len(free) == 0:
        return -1
    index = int(free[0])
    s.sku_names[index] = design.name
    # one item write per array, no name lookups (a design is added ~90 times a game)
    s.sku_firm[index], s.sku_node[index], s.sku_area[index] = design.firm, design.node, design.die_area_mm2
    s.sku_dies[index], s.sku_transistors[index], s.sku_tflops[index] = design.dies, design.transistors_b, design.tflops
    s.sku_stacks[index], s.sku_hbm_level[index], s.sku_power[index] = design.stacks, design.hbm_level, design.power_w
    s.sku_price[index], s.sku_active[index], s.sku_used[index] = design.price_usd, 1.0, 1.0
    s.sku_ready_turn[index], s.sku_retire_turn[index], s.sku_share[index] = design.ready_turn, NEVER, 0.0
    s.sku_wanted[index], s.sku_compliant[index], s.sku_domestic[index] = 0.0, float(design.compliant), 0.0
    return index


def free_sku(s: WorldState, index: int) -> None:
    """Release a retired design's slot once nothing of it is left in stock."""
    s.sku_names[index] = ""
    for name in ("sku_active", "sku_used", "sku_share", "sku_tflops", "sku_price", "sku_wanted"):
        getattr(s, name)[index] = 0.0


def _initial_tools(static: Static, s: WorldState, domestic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Installed base at start: each site fully tooled for its capacity, bought as its bloc buys
    (`domestic_tool_share` from makers of its own bloc, the rest from the other blocs it may buy from; e.g.
    China's legacy base of ~1,400 ASML DUV systems, calibration §3a)."""
    from techrace.core.markets.tools import supplier_weights

    need = (s.capacity @ static.tools_per_kwpm) / 1000.0 + np.outer(s.hbm_tsv_wpm, static.hbm_tools_per_kwpm) / 1000.0
    weights = supplier_weights(static, s.tool_capacity, domestic)          # (toolmaker, site, kind)
    tools = need[:, None, :] * weights.transpose(1, 0, 2)
    return tools, np.where(tools > 0, 1.0, 0.0)
