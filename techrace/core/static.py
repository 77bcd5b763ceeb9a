"""Immutable index and parameter arrays derived once from a ruleset.

Everything here is a pure function of the ruleset, so it is rebuilt on load and never saved.
Axis orders follow the ruleset's own order, which is deterministic.
"""

from __future__ import annotations

import copy
import math
import threading
from dataclasses import dataclass, field

import numpy as np

from techrace.ruleset.schema import SKILLS, TOOL_KINDS, Ruleset, quarter_index

CACHE_BYTES = 256 * 2**20  # what a game's derived tables may hold at once (memory, not behaviour)
SHARED_RULESETS = 8  # rulesets whose Static is kept for their next game (memory, not behaviour)


class BoundedCache(dict):
    """Derived tables keyed by what they depend on, at most `limit` bytes of arrays: the oldest go first
    (reads stay plain dict reads, as fast as before). A table is a pure function of its key, so dropping one only costs recomputing it; in a
    world K times the baseline a table (e.g. a licence table, maker x site x kind) is K^2 times larger and
    a new key per design or fab would otherwise keep every old one."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        super().__init__()
        self.limit, self.held, self.sizes = limit, 0, {}

    def __setitem__(self, key, value) -> None:  # noqa: ANN001 - dict's own signature
        if key in self:
            self.held -= self.sizes.pop(key)
            super().pop(key)
        size = _nbytes(value)
        while self and self.held + size > self.limit:
            oldest = next(iter(self))
            self.held -= self.sizes.pop(oldest)
            super().pop(oldest)
        super().__setitem__(key, value)
        self.sizes[key], self.held = size, self.held + size

    def __reduce__(self) -> tuple:
        return (BoundedCache, (self.limit,))  # a copy or a pickle starts empty (the tables are recomputed)

    def clear(self) -> None:
        super().clear()
        self.sizes.clear()
        self.held = 0


def _nbytes(value: object) -> int:
    """Bytes of the arrays in a cached value: arrays, tuples and lists of them (nested), and the arrays held
    directly in a dict (a licence part). A dict's other values are not walked: a cached rule (nested lists
    of names, no arrays) would cost a Python call per name on every store. Exact types are tested first
    (a store is made a few hundred times a game): arrays, then the plain values that hold none (a failed
    `isinstance` also looks up the value's `__class__`, the most of a store's cost), then subclasses."""
    kind = type(value)
    if kind is np.ndarray:
        return value.nbytes
    if kind is tuple or kind is list or (kind not in _NO_ARRAY and isinstance(value, (tuple, list))):
        total = 0
        for item in value:
            kind = type(item)
            if kind is np.ndarray:
                total += item.nbytes
            elif kind in _CONTAINERS or (kind not in _LEAVES and isinstance(item, _HOLDERS)):
                total += _nbytes(item)
        return total
    if kind is dict or (kind not in _LEAVES and isinstance(value, dict) and not isinstance(value, np.ndarray)):
        return sum([item.nbytes for item in value.values()
                    if type(item) is np.ndarray or (type(item) not in _NO_ARRAY and isinstance(item, np.ndarray))])
    if kind not in _NO_ARRAY and isinstance(value, np.ndarray):
        return value.nbytes
    return 0


_HOLDERS = (np.ndarray, tuple, list, dict)  # what may hold arrays (strings, numbers and names are skipped)
_LEAVES = frozenset({str, float, int, bool, bytes, type(None)})  # exact types that are none of `_HOLDERS`
_CONTAINERS = frozenset({tuple, list, dict})  # exact types that are `_HOLDERS` but not arrays
_NO_ARRAY = _LEAVES | _CONTAINERS


SKU_SLOTS_PER_FIRM = 8  # design slots per chip firm: generations and compliant variants reuse retired slots


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
    pipeline_quarters: int          # length of every queue of things arriving later (see pipeline_quarters)
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
    start_quarter: str
    blocs: BlocTables = None  # type: ignore[assignment]
    nation_params: NationParams = None  # type: ignore[assignment]
    victory_ids: list[str] = field(default_factory=list)
    buyer_preference: np.ndarray = None  # type: ignore[assignment]
    # one-hot aggregation matrices: `site_to_foundry @ x` sums a per-site array by foundry, and so on
    site_to_foundry: np.ndarray = None  # type: ignore[assignment]
    site_to_nation: np.ndarray = None  # type: ignore[assignment]
    lab_to_nation: np.ndarray = None  # type: ignore[assignment]
    employer_to_nation: np.ndarray = None  # type: ignore[assignment]
    chip_firm_to_nation: np.ndarray = None  # type: ignore[assignment]
    foundry_to_nation: np.ndarray = None  # type: ignore[assignment]
    foundry_bins: dict = field(default_factory=dict)  # by_foundry's bins of each (site, column), per shape
    cache: BoundedCache = field(default_factory=BoundedCache)  # derived tables keyed by what they depend on (per game)
    shared: dict = field(default_factory=dict)  # derived once from the ruleset for all of its games (model.py's start)

    def nation_index(self, code: str) -> int:
        return self.nations.index(code)

    def by_foundry(self, per_site: np.ndarray) -> np.ndarray:
        """Sum a (site, ...) array by foundry: a segment sum (`bincount`), linear in the world's size where the
        one-hot product `site_to_foundry @ x` grows with foundries x sites."""
        if per_site.ndim == 1:
            return np.bincount(self.site_foundry, weights=per_site, minlength=len(self.foundries))
        rest = per_site.shape[1:]
        bins = self.foundry_bins.get(rest)
        if bins is None:  # (site, column) -> foundry * width + column, the bin count and the result's shape, once per shape
            width, count = math.prod(rest), len(self.foundries)
            index = (self.site_foundry[:, None] * width + np.arange(width)).ravel()
            bins = self.foundry_bins[rest] = (index, count * width, (count, *rest))
        index, size, shape = bins
        return np.bincount(index, weights=per_site.ravel(), minlength=size).reshape(shape)

    def turn_of(self, quarter: str) -> int:
        """1-based turn that plays `quarter`."""
        return quarter_index(quarter, self.start_quarter) + 1


def pipeline_quarters(ruleset: Ruleset) -> int:
    """Quarters the arrival queues hold: the longest wait any rule can ask for (fab construction, tool lead
    times, HBM and packaging lines, a GDP hit spread over time, algorithms diffusing with a lag) and at
    least 16, so that no wait is ever cut short."""
    waits = [16, *(node.build_quarters for node in ruleset.technology.nodes.values()),
             ruleset.industry.hbm_build_quarters + 1, ruleset.industry.packaging_build_quarters + 1,
             *(channel.lag_quarters + 1 for channel in ruleset.research.diffusion.values()),
             *(effect.quarters for shock in ruleset.shocks.values() for effect in shock.effects if effect.kind == "gdp_shock")]
    for maker in ruleset.toolmakers.values():
        waits += [line.lead_quarters + 1 for line in maker.makes.values()]
        waits += [line.lead_quarters + 1 for line in maker.developing.values()]
    return int(max(waits))


_BUILT: dict[int, Static] = {}  # id(ruleset) -> its Static (holding the ruleset, so the id stays its own)
_BUILT_LOCK = threading.Lock()  # games may be built on several threads (a threaded Dask worker)


def static_for(ruleset: Ruleset) -> Static:
    """A new game's Static: the ruleset's arrays, built once per Ruleset object (rulesets are immutable) and shared
    by its games, each with a cache of its own (cached tables are keyed by e.g. rule ids, which differ by game)."""
    with _BUILT_LOCK:
        built = _BUILT.get(id(ruleset))
        if built is None or built.ruleset is not ruleset:
            if len(_BUILT) >= SHARED_RULESETS:
                del _BUILT[next(iter(_BUILT))]  # the oldest (a sweep makes a ruleset per run)
            built = _BUILT[id(ruleset)] = build_static(ruleset)
    own = copy.copy(built)
    own.cache = BoundedCache(built.cache.limit)
    return own


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
    sku_capacity = sum(max(SKU_SLOTS_PER_FIRM, 2 * len(c.skus) + 2) for c in ruleset.chip_firms.values())

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
        pipeline_quarters=pipeline_quarters(ruleset),
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
        start_quarter=ruleset.start_quarter,
        victory_ids=list(ruleset.victory),
    )
    n = len(nations)
    static.site_to_foundry = one_hot(static.site_foundry, len(foundries))
    static.site_to_nation = one_hot(static.site_nation, n)
    static.lab_to_nation = one_hot(static.lab_nation, n)
    static.employer_to_nation = one_hot(static.employer_nation, n)
    static.chip_firm_to_nation = one_hot(static.chip_firm_nation, n)
    static.foundry_to_nation = one_hot(static.foundry_nation, n)
    static.blocs = build_blocs(static)
    static.buyer_preference = arr([ruleset.chip_firms[c].buyer_preference for c in chip_firms])
    static.nation_params = build_nation_params(ruleset, nations)
    return static


@dataclass
class BlocTables:
    """Bloc data (`blocs:` in the ruleset) spread over the actors it concerns, so markets never branch on a bloc."""

    names: list[str]
    nation_bloc: np.ndarray        # (nation,) index into names
    rival: np.ndarray              # (nation, nation) True where j's bloc is a rival of i's
    ai_wafer_price: np.ndarray     # (foundry,) price factor on AI wafers
    wafer_price: np.ndarray        # (site,) price factor on other wafers
    tool_source: np.ndarray        # (site, toolmaker) the site may buy from the maker's bloc
    tool_domestic: np.ndarray      # (site, toolmaker) the maker is of the site's own bloc
    pools: list[str]               # packaging pools
    site_pool: np.ndarray          # (site,) pool its packaging lines serve
    firm_pool: np.ndarray          # (chip_firm,) pool its packages come from
    accelerator_buyer: np.ndarray  # (chip_firm, lab) the lab's bloc buys the firm's bloc's accelerators
    poaches: np.ndarray            # (employer, employer) i's bloc poaches from j's bloc
    grey_servicing: np.ndarray     # (site,) share of banned servicing obtained anyway
    lab_kw_per_h100e: np.ndarray   # (lab,) all-in kW per H100e at start
    lab_investor_weight: np.ndarray  # (lab,) share of capital that follows sentiment
    serves: np.ndarray             # (bloc, lab) the lab may sell AI services in the bloc's market
    nation_to_bloc: np.ndarray     # (bloc, nation) one-hot: sums a per-nation array by bloc


def build_blocs(static: Static) -> BlocTables:
    rs = static.ruleset
    names = list(rs.blocs)
    nb = np.array([names.index(b) for b in static.nation_bloc], dtype=np.int64)
    spec = [rs.blocs[b] for b in names]

    def member(lists: list[list[str]], default_own: bool) -> np.ndarray:
        """(bloc, bloc) True where bloc j is in bloc i's list (or i itself when the list is empty and default_own)."""
        out = np.zeros((len(names), len(names)), dtype=bool)
        for i, items in enumerate(lists):
            for j, other in enumerate(names):
                out[i, j] = other in items or (not items and default_own and i == j)
        return out

    rivals = member([b.rivals for b in spec], False)
    sources = member([b.tool_sources for b in spec], True)
    buyers = member([b.accelerator_buyers for b in spec], False) | np.array([[not b.accelerator_buyers] * len(names) for b in spec])
    open_to = member([b.ai_market_open_to for b in spec], False) | np.array([[not b.ai_market_open_to] * len(names) for b in spec])
    poach = member([b.poaches_from for b in spec], False)
    site_bloc, maker_bloc = nb[static.site_nation], nb[static.toolmaker_nation]
    firm_bloc, lab_bloc, emp_bloc = nb[static.chip_firm_nation], nb[static.lab_nation], nb[static.employer_nation]
    pools = sorted({b.packaging_pool for b in spec})
    pool_of_bloc = np.array([pools.index(b.packaging_pool) for b in spec], dtype=np.int64)
    grey = rs.industry.grey_servicing_share
    return BlocTables(
        names=names, nation_bloc=nb, rival=rivals[nb][:, nb],
        ai_wafer_price=np.array([spec[b].ai_wafer_price_factor for b in nb[static.foundry_nation]]),
        wafer_price=np.array([spec[b].wafer_price_factor for b in site_bloc]),
        tool_source=sources[site_bloc][:, maker_bloc], tool_domestic=site_bloc[:, None] == maker_bloc[None, :],
        pools=pools, site_pool=pool_of_bloc[site_bloc], firm_pool=pool_of_bloc[firm_bloc],
        accelerator_buyer=buyers[firm_bloc][:, lab_bloc], poaches=poach[emp_bloc][:, emp_bloc],
        grey_servicing=np.array([grey if spec[b].grey_servicing else 0.0 for b in site_bloc]),
        lab_kw_per_h100e=np.array([spec[b].kw_per_h100e for b in lab_bloc]),
        lab_investor_weight=np.array([spec[b].investor_weight for b in lab_bloc]),
        serves=open_to[:, lab_bloc], nation_to_bloc=one_hot(nb, len(names)),
    )


@dataclass
class NationParams:
    """Per-nation ruleset values as arrays (read every quarter, so built once)."""

    gdp_growth: np.ndarray
    chip_dependence: np.ndarray
    base_budget: np.ndarray
    graduates: np.ndarray      # (nation, skill)
    retirement: np.ndarray
    power_cost: np.ndarray
    gdp_usd_t: np.ndarray
    pay_index: np.ndarray
    site_gw_per_quarter: np.ndarray  # national training sites added per quarter at most (GW)


def build_nation_params(ruleset: Ruleset, nations: list[str]) -> NationParams:
    specs = [ruleset.nations[c] for c in nations]
    return NationParams(
        gdp_growth=np.array([x.gdp_growth_per_quarter for x in specs]),
        chip_dependence=np.array([x.chip_dependence for x in specs]),
        base_budget=np.array([x.industrial_budget_usd_b for x in specs]),
        graduates=np.array([[getattr(x.graduates_per_quarter, sk) for sk in SKILLS] for x in specs]).reshape(len(specs), len(SKILLS)),
        retirement=np.array([x.retirement_per_quarter for x in specs]),
        power_cost=np.array([x.power_cost_usd_b_per_gw for x in specs]),
        gdp_usd_t=np.array([x.gdp_usd_t for x in specs]),
        pay_index=np.array([x.pay_index for x in specs]),
        site_gw_per_quarter=np.array([x.national_site_gw_per_quarter for x in specs]),
    )


def one_hot(groups: np.ndarray, count: int) -> np.ndarray:
    """(count, len(groups)) matrix M with M[g, i] = 1 where item i belongs to group g."""
    matrix = np.zeros((count, len(groups)))
    matrix[groups, np.arange(len(groups))] = 1.0
    return matrix


__all__ = ["SKILLS", "TOOL_KINDS", "Static", "build_static", "static_for"]
