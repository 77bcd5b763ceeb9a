"""Immutable index and parameter arrays derived once from a ruleset.

Everything here is a pure function of the ruleset, so it is rebuilt on load and never saved.
Axis orders follow the ruleset's own order, which is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from techrace.ruleset.schema import SKILLS, TOOL_KINDS, Ruleset, quarter_index

SKU_SLACK = 3  # extra SKU slots per chip firm for compliant variants designed in play


@dataclass
class Static:
    ruleset: Ruleset
    nations: list[str]
    nodes: list[str]
    node_nm: np.ndarray
    foundries: list[str]
    sites: list[str]
    site_foundry: np.ndarray
    site_nation: np.ndarray
    toolmakers: list[str]
    chip_firms: list[str]
    labs: list[str]
    employers: list[str]
    employer_kind: list[str]
    employer_nation: np.ndarray
    regulators: list[str]
    hbm_generations: list[str]
    hbm_level: np.ndarray
    sku_capacity: int
    # parameter arrays
    tools_per_kwpm: np.ndarray      # (node, kind) normal path
    hbm_tools_per_kwpm: np.ndarray  # (kind,)
    needs_euv: np.ndarray           # (node,)
    mp_allowed: np.ndarray
    mp_defect: np.ndarray
    mp_arf: np.ndarray
    mp_learning: np.ndarray
    wafer_price: np.ndarray
    capex_per_wpm: np.ndarray
    build_quarters: np.ndarray
    rd_cost: np.ndarray
    rd_quarters: np.ndarray
    d0_initial: np.ndarray
    d0_mature: np.ndarray
    learning_rate: np.ndarray
    foundry_nation: np.ndarray
    foundry_is_memory: np.ndarray
    toolmaker_nation: np.ndarray
    chip_firm_nation: np.ndarray
    lab_nation: np.ndarray
    nation_bloc: list[str]
    is_china_bloc: np.ndarray
    start_quarter: str
    # one-hot aggregation matrices: `site_to_foundry @ x` sums a per-site array by foundry, and so on
    site_to_foundry: np.ndarray = None  # type: ignore[assignment]
    site_to_nation: np.ndarray = None  # type: ignore[assignment]
    lab_to_nation: np.ndarray = None  # type: ignore[assignment]
    employer_to_nation: np.ndarray = None  # type: ignore[assignment]
    chip_firm_to_nation: np.ndarray = None  # type: ignore[assignment]
    foundry_to_nation: np.ndarray = None  # type: ignore[assignment]
    cache: dict = field(default_factory=dict)  # derived tables keyed by what they depend on (per game)

    def nation_index(self, code: str) -> int:
        return self.nations.index(code)

    def turn_of(self, quarter: str) -> int:
        """1-based turn that plays `quarter`."""
        return quarter_index(quarter, self.start_quarter) + 1


def build_static(ruleset: Ruleset) -> Static:
    nations = list(ruleset.nations)
    node_items = sorted(ruleset.technology.nodes.items(), key=lambda kv: -kv[1].nm)
    nodes = [k for k, _ in node_items]
    specs = [v for _, v in node_items]
    foundries = list(ruleset.foundries)
    sites, site_foundry, site_nation = [], [], []
    for fi, (_, f) in enumerate(ruleset.foundries.items()):
        for sid, site in f.sites.items():
            sites.append(sid)
            site_foundry.append(fi)
            site_nation.append(nations.index(site.nation))
    toolmakers = list(ruleset.toolmakers)
    chip_firms = list(ruleset.chip_firms)
    labs = list(ruleset.labs)
    employers = foundries + toolmakers + chip_firms + labs
    kinds = ["foundry"] * len(foundries) + ["toolmaker"] * len(toolmakers) + ["chip_firm"] * len(chip_firms) + ["lab"] * len(labs)
    emp_nation = [ruleset.foundries[i].nation for i in foundries] + [ruleset.toolmakers[i].nation for i in toolmakers]
    emp_nation += [ruleset.chip_firms[i].nation for i in chip_firms] + [ruleset.labs[i].nation for i in labs]
    gens = sorted(ruleset.technology.hbm_generations.items(), key=lambda kv: kv[1].level)
    sku_capacity = sum(len(c.skus) for c in ruleset.chip_firms.values()) + SKU_SLACK * len(chip_firms)

    def arr(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=np.float64)

    blocs = [ruleset.nations[n].bloc for n in nations]
    static = Static(
        ruleset=ruleset,
        nations=nations,
        nodes=nodes,
        node_nm=arr([s.nm for s in specs]),
        foundries=foundries,
        sites=sites,
        site_foundry=np.asarray(site_foundry, dtype=np.int64),
        site_nation=np.asarray(site_nation, dtype=np.int64),
        toolmakers=toolmakers,
        chip_firms=chip_firms,
        labs=labs,
        employers=employers,
        employer_kind=kinds,
        employer_nation=np.asarray([nations.index(n) for n in emp_nation], dtype=np.int64),
        regulators=list(ruleset.regulators),
        hbm_generations=[g for g, _ in gens],
        hbm_level=arr([g.level for _, g in gens]),
        sku_capacity=sku_capacity,
        tools_per_kwpm=np.array([[getattr(s.tools_per_kwpm, k) for k in TOOL_KINDS] for s in specs], dtype=np.float64),
        hbm_tools_per_kwpm=arr([getattr(ruleset.technology.hbm_tools_per_kwpm, k) for k in TOOL_KINDS]),
        needs_euv=arr([float(s.needs_euv) for s in specs]),
        mp_allowed=arr([float(s.multipatterning.allowed) for s in specs]),
        mp_defect=arr([s.multipatterning.defect_multiplier for s in specs]),
        mp_arf=arr([s.multipatterning.arf_multiplier for s in specs]),
        mp_learning=arr([s.multipatterning.learning_multiplier for s in specs]),
        wafer_price=arr([s.wafer_price_usd for s in specs]),
        capex_per_wpm=arr([s.capex_per_wpm_usd for s in specs]),
        build_quarters=np.asarray([s.build_quarters for s in specs], dtype=np.int64),
        rd_cost=arr([s.rd_cost_usd_b for s in specs]),
        rd_quarters=arr([s.rd_quarters for s in specs]),
        d0_initial=arr([s.d0_initial for s in specs]),
        d0_mature=arr([s.d0_mature for s in specs]),
        learning_rate=arr([s.learning_rate for s in specs]),
        foundry_nation=np.asarray([nations.index(ruleset.foundries[f].nation) for f in foundries], dtype=np.int64),
        foundry_is_memory=arr([float(ruleset.foundries[f].kind == "memory") for f in foundries]),
        toolmaker_nation=np.asarray([nations.index(ruleset.toolmakers[t].nation) for t in toolmakers], dtype=np.int64),
        chip_firm_nation=np.asarray([nations.index(ruleset.chip_firms[c].nation) for c in chip_firms], dtype=np.int64),
        lab_nation=np.asarray([nations.index(ruleset.labs[lab].nation) for lab in labs], dtype=np.int64),
        nation_bloc=blocs,
        is_china_bloc=arr([float(b == "china") for b in blocs]),
        start_quarter=ruleset.start_quarter,
    )
    n = len(nations)
    static.site_to_foundry = one_hot(static.site_foundry, len(foundries))
    static.site_to_nation = one_hot(static.site_nation, n)
    static.lab_to_nation = one_hot(static.lab_nation, n)
    static.employer_to_nation = one_hot(static.employer_nation, n)
    static.chip_firm_to_nation = one_hot(static.chip_firm_nation, n)
    static.foundry_to_nation = one_hot(static.foundry_nation, n)
    return static


def one_hot(groups: np.ndarray, count: int) -> np.ndarray:
    """(count, len(groups)) matrix M with M[g, i] = 1 where item i belongs to group g."""
    matrix = np.zeros((count, len(groups)))
    matrix[groups, np.arange(len(groups))] = 1.0
    return matrix


__all__ = ["SKILLS", "TOOL_KINDS", "Static", "build_static"]
