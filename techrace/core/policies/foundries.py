"""Foundries and memory makers: process R&D, and capacity built ahead of forecast demand.

Called once per turn with every foundry that uses the policy. A foundry funds the R&D of its next node from
revenue, cash and subsidies; builds fabs where its forecast AI wafer demand, `build_quarters` ahead, exceeds its
capacity and construction (plus a first fab on its newest mastered node), at sites fab grants name (fab_grants.py);
memory makers grow HBM lines and foundries packaging lines alike with their own lead times; every site orders the
tools its capacity and the construction finishing soon need. All numbers from `industry:`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.markets.hbm import stacks_per_wafer
from techrace.core.markets.tools import in_transit
from techrace.core.mechanisms import forecast
from techrace.core.mechanisms.fabrication import ARF, EUV, effective_tools
from techrace.core.policies.fab_grants import granted_sites
from techrace.core.policies.segments import as_rows

if TYPE_CHECKING:
    from techrace.core.model import WorldModel
    from techrace.core.state import WorldState
    from techrace.core.static import Static

def research_targets(model: WorldModel) -> np.ndarray:
    """Next node each foundry researches (-1: none): the first unmastered node after a mastered one; read-only.
    Worked out only when `research_plan`, kept by the same mastered nodes, is (a cache of its own never hit)."""
    mastered = model.state.mastered  # (in numpy: a dozen calls cost less than a Python loop over every foundry's nodes)
    unmastered = mastered <= 0
    first = unmastered.argmax(axis=1)                                   # 0 where all are mastered
    previous = mastered[np.arange(len(first)), np.maximum(first - 1, 0)] > 0
    found = np.where(np.logical_or.reduce(unmastered, axis=1) & ((first == 0) | previous), first, -1)
    targets = found.astype(np.int64, copy=False)
    targets.flags.writeable = False
    return targets


def foundry_default(model: WorldModel, idx: np.ndarray, params: None = None) -> None:
    static, s = model.static, model.state
    industry = static.ruleset.industry
    memory, logic, logic_idx, memory_idx, packaging_sites, site_chosen = _groups(static, idx)
    per_quarter, euv_research = research_plan(model, idx)
    # R&D paid from revenue (capped, §1e TSMC ~8%) and subsidies; a trailing-edge firm cannot fund a
    # leading-node programme alone
    cash = s.cash[idx]
    affordable = np.minimum(np.maximum(cash, 0.0) * industry.rd_cash_share,
                            industry.rd_share_of_revenue * s.revenue_last[idx] + industry.subsidy_rd_share * s.subsidy[idx])
    rd_budget = s.rd_budget[idx] = np.minimum(affordable, per_quarter * industry.rd_overfunding)
    cash = s.cash[idx] = cash - rd_budget
    budget = np.maximum(cash, 0.0) * industry.build_cash_share
    wafers, hbm, packaging = forecast.industry_ahead(static, s)  # the three forecasts below in one pass
    _build_fabs(model, logic_idx, budget[logic], wafers)
    _grow_hbm(model, memory_idx, budget[memory], hbm)
    _grow_packaging(model, packaging_sites, packaging)
    model.tool_orders += tool_needs(model) * site_chosen
    _pilot_lines(model, euv_research)
    _staff(model, idx)


def research_plan(model: WorldModel, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the foundries in `idx` spend on R&D a quarter at full funding (their next node's cost spread over
    its quarters, or HBM's for memory makers) and which logic foundries research an EUV node: kept by the
    mastered nodes, like the targets (read-only)."""
    static = model.static
    key = ("research_plan", model.state.mastered.tobytes(), idx.tobytes())
    plan = static.cache.get(key)
    if plan is None:
        tech = static.ruleset.technology
        memory = _groups(static, idx)[0]
        target = research_targets(model)[idx]
        logic_cost = np.where(target >= 0, static.rd_cost[target] / static.rd_quarters[target], 0.0)
        per_quarter = np.where(memory, tech.hbm_rd_cost_usd_b / tech.hbm_rd_quarters, logic_cost)
        logic = target[~memory]
        euv_node = (logic >= 0) & (static.needs_euv[np.maximum(logic, 0)] > 0)
        plan = static.cache[key] = (per_quarter, idx[~memory][euv_node])
        for array in plan:
            array.flags.writeable = False
    return plan


def _rows(static: Static, idx: np.ndarray) -> np.ndarray | slice:
    """`as_rows(idx)`, once a game (a policy's foundries never change): reading a run of rows of a 2-d array
    through a slice gives a view, where `take` copies the same numbers for more (on 1-d arrays of a few
    foundries `[idx]` costs less than looking the slice up)."""
    key = ("foundry_rows", idx.tobytes())
    rows = static.cache.get(key)
    if rows is None:
        rows = static.cache[key] = as_rows(idx)
    return rows


def _groups(static: Static, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """What `foundry_default` splits its foundries by, once a game (a policy's foundries never change):
    which are memory makers and which not, the logic and memory foundries, the logic ones' sites as a mask
    over all sites (they grow packaging) and the sites of all of them as a (site, 1) column (they order
    tools); read-only."""
    key = ("foundry_groups", idx.tobytes())
    groups = static.cache.get(key)
    if groups is None:
        memory = static.foundry_is_memory[idx] > 0
        chosen = np.zeros(len(static.foundries), dtype=bool)
        chosen[idx] = True
        groups = static.cache[key] = (memory, ~memory, idx[~memory], idx[memory], (chosen & (static.foundry_is_memory == 0))[static.site_foundry],
                                      chosen[static.site_foundry][:, None])
        for array in groups:
            array.flags.writeable = False
    return groups


def _build_fabs(model: WorldModel, idx: np.ndarray, budget: np.ndarray, ahead: np.ndarray | None = None) -> None:
    """Build for the AI wafer demand forecast `build_quarters` ahead (`forecast.top_down`): the capacity it needs beyond what
    exists or is being built, on the foundry's leading mastered node (where designs move next), plus a first fab on a newly
    mastered leading node, within the construction budget (`ahead`: `forecast.industry_ahead`'s first forecast, if known)."""
    static, s = model.static, model.state
    if len(idx) == 0:
        return
    industry = static.ruleset.industry
    own, growth, shell_cost, node_index, homes, row_start, _ = _fab_tables(static, idx)
    rows = _rows(static, idx)  # (rows of (foundry, node) arrays read through a slice: views, the numbers of `[idx]`)
    site_cap = s.capacity + np.add.reduce(s.construction, axis=2)          # (site, node)
    # each foundry's sites added one after another (a segment sum: the sum over its sites of a
    # (foundry, site, node) array, without that array)
    total = static.by_foundry(np.maximum(site_cap, 0.0))[rows]   # (f, node)
    # the whole AI demand's forecast split over nodes: designs moving between nodes do not read as growth
    ahead = forecast.industry_ahead(static, s)[0] if ahead is None else ahead
    demand = forecast.split(ahead[rows], s.wafer_demand_level[rows])  # `top_down`'s numbers
    needed = (demand / 3.0 + s.non_ai_wpm[rows] * growth) * industry.forecast.headroom
    mastered, newest = _mastered(model, idx, node_index)
    wpm = np.where(mastered, np.maximum(needed - total, 0.0), 0.0)            # where demand is
    # the newest node (mastered, or far enough in R&D to be mastered by the time a fab is built) gets capacity
    # for `new_node_share` of all the AI demand ahead, since designs move there as soon as it can serve them
    ready = mastered | (s.rd_progress[rows] >= industry.build_ahead_progress)
    lead = np.maximum.reduce(np.where(ready, node_index, -1), axis=1)     # the last ready node (-1: none)
    leading = (lead >= 0).nonzero()[0]
    ai_need = np.add.reduce(demand, axis=1) / 3.0 * industry.forecast.headroom
    # the (row, lead node) cells as flat indices (take and put read them so): `wpm[leading, lead[leading]]`, for less
    at = (lead + row_start)[leading]
    wpm.put(at, np.maximum(wpm.take(at), industry.new_node_share * ai_need[leading] - total.take(at)))
    ramp = newest & (total < industry.first_fab_wpm * 0.5)
    if np.count_nonzero(ramp):  # a newest node without its first fab yet (else `np.where` would copy `wpm`)
        wpm = np.where(ramp, np.maximum(wpm, industry.first_fab_wpm), wpm)
    limit = np.add.reduce(total, axis=1, keepdims=True) * industry.max_fab_growth_per_quarter + industry.fab_growth_floor_wpm
    wpm = np.minimum(wpm, limit)
    # the budget commits to the whole fab: its shell now and its tools as they are delivered (tools_market charges them)
    cost = shell_cost * wpm / 1e9 / industry.shell_share_of_capex
    spent_before = cost[:, ::-1].cumsum(axis=1)[:, ::-1] - cost              # leading nodes are paid for first
    affordable = np.maximum(budget[:, None] - spent_before, 0.0)
    wpm = wpm * np.where(cost > 0, np.minimum(1.0, affordable / np.maximum(cost, 1e-12)), 0.0)
    wpm = np.where(wpm >= industry.min_fab_wpm, wpm, 0.0)
    if not np.count_nonzero(wpm):  # no fab to start (as `wpm.any()`, without its Python wrapper)
        return
    builders, nodes = wpm.nonzero()
    # each new fab's foundry's largest site on its node (the first of equals), for the few fabs started only
    best_site = np.where(own.take(builders, axis=0), site_cap.take(nodes, axis=1).T, -1.0).argmax(axis=1)
    sites = np.where(total[builders, nodes] > 0, best_site, homes[builders])
    sites = granted_sites(static, s, idx, builders, nodes, total, wpm, sites)
    start_constructions(static, s, sites, nodes, wpm[builders, nodes])
    s.cash[rows] -= np.add.reduce(shell_cost * wpm / 1e9, axis=1)


def _mastered(model: WorldModel, idx: np.ndarray, node_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f, node) the nodes the foundries in `idx` have mastered, and their last mastered node: kept by the
    mastered nodes, like the research targets (read-only)."""
    key = ("mastered_nodes", model.state.mastered.tobytes(), idx.tobytes())
    found = model.static.cache.get(key)
    if found is None:
        mastered = model.state.mastered[idx] > 0
        newest = np.where(mastered, node_index, -1).max(axis=1)                # the last mastered node (-1: none)
        found = model.static.cache[key] = (mastered, mastered & (node_index == newest[:, None]))
        for array in found:
            array.flags.writeable = False
    return found


def _fab_tables(static: Static, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """What fab building reads from the ruleset, once a game for these foundries: which sites each owns
    (f, site), non-AI demand growth over each node's build time (1, node), the shell cost per wpm
    (1, node), the node indices (1, node), each foundry's home site (f,), where its row starts in a
    flattened (f, node) array (f,) and the build times as floats (1, node), as `forecast.top_down` takes them
    (`forecast.industry_ahead` forecasts the foundries' AI demand at those horizons for every foundry at once)."""
    key = ("fab_tables", idx.tobytes())
    tables = static.cache.get(key)
    if tables is None:
        industry = static.ruleset.industry
        own = static.site_foundry[None, :] == idx[:, None]
        growth = ((1.0 + static.ruleset.market.non_ai_growth_per_quarter) ** static.build_quarters)[None, :]
        shell_cost = static.capex_per_wpm[None, :] * industry.shell_share_of_capex
        tables = static.cache[key] = (own, growth, shell_cost, np.arange(len(static.nodes))[None, :],
                                      _home_sites(static)[idx], np.arange(len(idx)) * len(static.nodes),
                                      static.build_quarters[None, :].astype(np.float64))
    return tables


def start_constructions(static: Static, s: WorldState, sites: np.ndarray, nodes: np.ndarray, wpm: np.ndarray) -> None:
    """`fabrication.start_construction` for many fabs at once, added in the order given (as one call each would)."""
    np.add.at(s.construction, (sites, nodes, _start_slots(static, s.construction.shape[2])[nodes]), wpm)


def _start_slots(static: Static, depth: int) -> np.ndarray:
    """The construction slot (quarters ahead - 1) a fab started on each node goes into, in a pipeline
    `depth` quarters deep (once a game, read-only)."""
    key = ("start_slots", depth)
    slots = static.cache.get(key)
    if slots is None:
        slots = static.cache[key] = np.minimum(static.build_quarters, depth).astype(np.int64) - 1
        slots.flags.writeable = False
    return slots


def _grow_hbm(model: WorldModel, idx: np.ndarray, budget: np.ndarray, ahead: np.ndarray | None = None) -> None:
    """Memory makers start TSV lines for the HBM demand they forecast `hbm_build_quarters` ahead (`ahead`: every
    foundry's, the second of `forecast.industry_ahead`, when the caller has it)."""
    static, s = model.static, model.state
    if len(idx) == 0:
        return
    industry = static.ruleset.industry
    h = industry.hbm_build_quarters
    demand = (forecast.industry_ahead(static, s)[1] if ahead is None else ahead)[idx]
    needed = demand / 3.0 / _stacks_per_start(model, idx) * industry.forecast.headroom          # TSV wpm
    own, own_share = _own_sites(static, idx)
    have = own_share @ (s.hbm_tsv_wpm + np.add.reduce(s.hbm_construction, axis=1))
    add = np.minimum(np.maximum(needed - have, 0.0), have * industry.max_hbm_growth_per_quarter)  # np.clip's numbers
    capex = industry.hbm_capex_per_wpm_usd * industry.shell_share_of_capex / 1e9
    # as for fabs, the budget commits to whole lines: the shell now, the TSV tools as the tool market delivers them
    add = np.minimum(add, np.maximum(budget, 0.0) / (industry.hbm_capex_per_wpm_usd / 1e9))
    if not np.count_nonzero(add):  # no line to start (a quarter in four): adding 0.0 changes nothing
        return
    site = np.where(own, s.hbm_tsv_wpm[None, :], -1.0).argmax(axis=1)
    np.add.at(s.hbm_construction[:, h - 1], site, add)
    s.cash[idx] -= add * capex


def _stacks_per_start(model: WorldModel, idx: np.ndarray) -> np.ndarray:
    """Stacks a TSV wafer start yields for the memory makers in `idx` at their yield (at least 1e-9): kept by
    their generations and yields (generations change a few times a game, yields not at all in the
    baseline); read-only."""
    s = model.state
    key = ("stacks_per_start", s.hbm_level.tobytes(), s.hbm_yield.tobytes(), idx.tobytes())
    stacks = model.static.cache.get(key)
    if stacks is None:
        per_wafer = stacks_per_tsv_wafer(model)[idx] * np.maximum(s.hbm_yield[idx], 0.05)
        stacks = model.static.cache[key] = np.maximum(per_wafer, 1e-9)
        stacks.flags.writeable = False
    return stacks


def _own_sites(static: Static, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(foundry, site) True where a site belongs to the foundry, for the foundries in `idx`, and the same as
    1.0/0.0 (the product with a bool matrix casts it first: the same numbers, one copy more); read-only, once a game."""
    key = ("own_sites", idx.tobytes())
    own = static.cache.get(key)
    if own is None:
        mask = static.site_foundry[None, :] == idx[:, None]
        own = static.cache[key] = (mask, mask.astype(np.float64))
        for array in own:
            array.flags.writeable = False
    return own


def stacks_per_tsv_wafer(model: WorldModel) -> np.ndarray:
    """Stacks one TSV wafer start yields per memory maker at its current generation (at mature yield);
    read-only: the HBM market's table, kept by the makers' generations (which change a few times a game; the
    market, later in the quarter they change, has worked it out by the time the makers' lines read it)."""
    return stacks_per_wafer(model.static, model.state.hbm_level)


def _grow_packaging(model: WorldModel, growing: np.ndarray, demand: np.ndarray | None = None) -> None:
    """Packaging lines of each pool grow towards the pool's forecast demand `packaging_build_quarters` ahead
    (`growing`: the sites whose foundries grow them; `demand`: that forecast, when the caller has it)."""
    static, s = model.static, model.state
    industry = static.ruleset.industry
    h = industry.packaging_build_quarters
    pool = static.blocs.site_pool
    demand = forecast.industry_ahead(static, s)[2] if demand is None else demand
    have = np.bincount(pool, weights=s.packaging + np.add.reduce(s.packaging_construction, axis=1),  # `.sum`'s numbers
                       minlength=len(static.blocs.pools))
    gap = np.maximum(demand * industry.forecast.headroom - have, 0.0)
    if not np.count_nonzero(gap):  # no pool short of lines (most quarters): every site adds 0.0
        return
    mine = growing & (s.packaging > 0)
    weight = np.where(mine, s.packaging, 0.0)
    share = weight / np.maximum(np.bincount(pool, weights=weight, minlength=len(have))[pool], 1e-12)
    add = np.minimum(gap[pool] * share, s.packaging * industry.max_packaging_growth_per_quarter)
    if not np.count_nonzero(add):
        return
    s.packaging_construction[:, h - 1] += add
    s.cash -= static.by_foundry(add * industry.packaging_capex_per_unit_usd / 1e9)


def home_sites(model: WorldModel) -> np.ndarray:
    """Each foundry's first site in its own nation (else its first site): where a first fab goes."""
    return _home_sites(model.static)


def _home_sites(static: Static) -> np.ndarray:
    """`home_sites` from the static tables alone (once a game). A foundry with no site cannot pass the ruleset's
    checks; one built around them (`Ruleset.model_construct`) is named here rather than failing with an IndexError."""
    if "home_sites" not in static.cache:
        homes = []
        for fi in range(len(static.foundries)):
            sites = np.flatnonzero(static.site_foundry == fi)
            if not len(sites):
                from techrace.errors import TechraceError

                raise TechraceError(f"foundries.{static.foundries[fi]}.sites: a foundry needs at least one site "
                                    "(`sites: {ID: {nation: ..., capacity_wpm: {...}}}`), or leave the foundry out")
            home = sites[static.site_nation[sites] == static.foundry_nation[fi]]
            homes.append(int(home[0] if len(home) else sites[0]))
        static.cache["home_sites"] = np.array(homes, dtype=np.int64)
    return static.cache["home_sites"]


def tool_needs(model: WorldModel) -> np.ndarray:
    """Tools every site should order this quarter (computed once per turn for all sites): enough for its
    capacity and what completes within the order horizon, less what is installed, in transit or stockpiled."""
    cached = model.turn_cache.get("tool_needs")
    if cached is not None:
        return cached
    static, s = model.static, model.state
    horizon = static.ruleset.industry.tool_order_horizon_quarters
    req, arf_req, hbm_req, extra_passes = _tool_requirements(static)
    planned = s.capacity + np.add.reduce(s.construction[:, :, :horizon], axis=2)  # `.sum`'s numbers, without its wrapper
    need = planned @ req
    need[:, ARF] += np.add.reduce(planned * s.duv_share * arf_req * extra_passes, axis=1)
    tsv = s.hbm_tsv_wpm + np.add.reduce(s.hbm_construction[:, :horizon], axis=1)
    need += tsv[:, None] * hbm_req[None, :]  # np.outer's numbers, without its wrapper
    orders = np.maximum(need * static.ruleset.market.tool_demand_headroom - tools_at_hand(model), 0.0)
    model.turn_cache["tool_needs"] = orders
    return orders


def tools_at_hand(model: WorldModel) -> np.ndarray:
    """Healthy tools installed plus tools in transit per (site, kind), once a quarter: nothing foundries
    decide moves a tool (summing the transit ring is the dearest part of ordering tools)."""
    have = model.turn_cache.get("tools_at_hand")
    if have is None:
        s = model.state
        have = model.turn_cache["tools_at_hand"] = effective_tools(s) + in_transit(s)
    return have


def _tool_requirements(static: Static) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tools per wpm by (node, kind), the ArF column of it, tools per TSV wpm by kind, and the ArF passes
    multi-patterning adds per node (once a game)."""
    tables = static.cache.get("tool_requirements")
    if tables is None:
        req = static.tools_per_kwpm / 1000.0
        tables = static.cache["tool_requirements"] = (req, req[:, ARF].copy(), static.hbm_tools_per_kwpm / 1000.0,
                                                      static.mp_arf - 1.0)
        for table in tables:
            table.flags.writeable = False
    return tables


def _pilot_lines(model: WorldModel, euv_research: np.ndarray) -> None:
    """R&D on an EUV node needs EUV scanners on a pilot line before any volume fab exists (`euv_research`:
    the foundries researching one, from `research_plan`)."""
    static = model.static
    if not len(euv_research):
        return
    pilot = static.ruleset.industry.pilot_euv_scanners
    per_site = tools_at_hand(model)[:, EUV]
    # each foundry's scanners as plain floats (the loop reads a few, each a numpy scalar otherwise: the same numbers)
    have = np.bincount(static.site_foundry, weights=per_site, minlength=len(static.foundries)).tolist()
    homes = home_sites(model)
    for fi in euv_research.tolist():
        if have[fi] < pilot:
            model.tool_orders[homes[fi], EUV] += pilot - have[fi]


def _staff(model: WorldModel, idx: np.ndarray) -> None:
    """Engineers scale with capacity relative to the start."""
    static, s = model.static, model.state
    now = np.bincount(static.site_foundry, weights=np.add.reduce(s.capacity, axis=1) + s.hbm_tsv_wpm, minlength=len(static.foundries))
    started, start, engineers, rows = _staff_start(model, idx)
    factor = np.where(started, now / start, 1.0)[idx]
    s.eng_target[rows] = engineers * np.maximum(factor, static.ruleset.industry.staff_floor)[:, None]


def _staff_start(model: WorldModel, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | slice]:
    """Which foundries had capacity at the start, that capacity (at least 1e-12), the engineers of those in
    `idx` at the start and their rows as employers (`as_rows`): once a game (the start is the fresh state the
    static tables build); read-only."""
    key = ("staff_start", idx.tobytes())
    tables = model.static.cache.get(key)
    if tables is None:
        start = model.start_capacity
        tables = model.static.cache[key] = (start > 0, np.maximum(start, 1e-12), model.start_engineers[idx], as_rows(idx))
        for table in tables[:3]:
            table.flags.writeable = False
    return tables
