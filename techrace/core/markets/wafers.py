"""The wafer market: AI accelerator wafer orders against the AI share of each node's capacity.

Chip firms order from their foundries in preference order; a foundry only serves a design whose node
it has mastered and that licences allow (the foundry rule, entity lists). Good dies follow from the
foundry's defect density (with the multi-patterning penalty) and the die area. Non-AI capacity is
sold to other customers; the trailing-node supply that exports can reach is compared with world
demand to measure shortages.
"""

from __future__ import annotations

import numpy as np

from techrace.core.markets.cutoff import record_cutoff
from techrace.core.mechanisms.controls import Licences
from techrace.core.mechanisms.fabrication import die_yield, dies_per_wafer, effective_d0
from techrace.core.state import CUTOFF_KINDS, WorldState
from techrace.core.static import Static

MONTHS = 3.0


def ai_share(static: Static, s: WorldState) -> np.ndarray:
    """(foundry, node) share of capacity open to AI accelerators: what other customers do not book
    (`non_ai_wpm`, which grows slowly), at least the ruleset's `ai_share_of_node` and at most `ai_share_max`.
    Capacity built for AI demand therefore raises the AI share (calibration.md §0 seed 000: AI at 60-80% of
    the leading edge by 2028)."""
    capacity = static.by_foundry(s.capacity)
    floor, ceiling = _share_bounds(static)
    free = np.where(capacity > 0, 1.0 - s.non_ai_wpm / np.maximum(capacity, 1e-9), floor)
    return np.minimum(np.maximum(free, floor), ceiling)  # np.clip, without its slower wrapper


def ai_share_floor(static: Static) -> np.ndarray:
    market = static.ruleset.market
    return np.array([market.ai_share_of_node.get(node, 0.0) for node in static.nodes])


def _share_bounds(static: Static) -> tuple[np.ndarray, np.ndarray]:
    """(1, node) least and most AI share of each node, from the ruleset: once a game, read-only."""
    bounds = static.cache.get("ai_share_bounds")
    if bounds is None:
        floor = ai_share_floor(static)
        bounds = static.cache["ai_share_bounds"] = (floor[None, :], np.maximum(floor, static.ruleset.market.ai_share_max)[None, :])
        for table in bounds:
            table.flags.writeable = False
    return bounds


def grow_non_ai(static: Static, s: WorldState) -> None:
    """Other customers' wafer demand per (foundry, node) grows at `market.non_ai_growth_per_quarter`."""
    s.non_ai_wpm *= 1.0 + static.ruleset.market.non_ai_growth_per_quarter


def foundry_ai_capacity(static: Static, s: WorldState, ai_share: np.ndarray, halted_sites: np.ndarray) -> np.ndarray:
    """AI-open wafers per quarter per (foundry, node), excluding sites whose exports are halted (most quarters none:
    the product by 1.0 would give the same numbers)."""
    return static.by_foundry(_site_ai_wafers(s, ai_share, halted_sites))


def _site_ai_wafers(s: WorldState, ai_share: np.ndarray, halted_sites: np.ndarray) -> np.ndarray:
    """AI-open wafers per quarter per (site, node), none from sites whose exports are halted."""
    wafers = s.usable * MONTHS * ai_share
    if np.count_nonzero(halted_sites):  # `halted_sites.any()`, without its wrapper
        wafers *= (~halted_sites)[:, None]
    return wafers


def home_share(static: Static, site_wafers: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """(foundry * node * nation,): the share of each (foundry, node)'s AI wafers made in each nation, for
    counting a design's wafers as home-made. With `market.home_made_wafers_by: site` a foundry spreads its
    orders over its sites in proportion to their AI-open capacity (P), so TSMC's Arizona wafers are American;
    with `foundry` every wafer belongs to the foundry's home nation, wherever the fab stands."""
    n, (nf, nn) = len(static.nations), capacity.shape
    if static.ruleset.market.home_made_wafers_by == "foundry":  # the same table all game
        table = static.cache.get("home_share_by_foundry")
        if table is None:
            table = np.zeros((nf, nn, n))
            table[np.arange(nf), :, static.foundry_nation] = 1.0
            table = static.cache["home_share_by_foundry"] = table.reshape(-1)
            table.flags.writeable = False
        return table
    into = static.cache.get("home_share_cells")
    if into is None:  # once a game: each (site, node) cell's (foundry, node, nation) cell
        into = static.cache["home_share_cells"] = (((static.site_foundry[:, None] * nn + np.arange(nn)) * n
                                                    + static.site_nation[:, None]).ravel())
        into.flags.writeable = False
    made = np.bincount(into, weights=site_wafers.ravel(), minlength=nf * nn * n).reshape(nf * nn, n)
    return (made / np.maximum(capacity.reshape(-1, 1), 1e-12)).ravel()  # a foundry with none made none anywhere: 0


def good_dies_per_wafer(static: Static, s: WorldState, d0: np.ndarray, foundry: np.ndarray, skus: np.ndarray,
                        node: np.ndarray, cell: np.ndarray | None = None) -> np.ndarray:
    """Good dies per wafer of designs `skus` (on their `node`) made by `foundry` (one each; `cell`: the flat
    (foundry, node) index into `d0`, when the caller has it)."""
    d0_each = d0[foundry, node] if cell is None else d0.take(cell)
    return _gross_dies(static, s)[skus] * die_yield(s.sku_area[skus], d0_each, static.ruleset.technology.yield_model)


def _gross_dies(static: Static, s: WorldState) -> np.ndarray:
    """Gross dies per wafer of every design slot (read-only), kept per set of die areas: they change only when a
    design does, while the yield on them moves every quarter."""
    key = ("gross_dies", s.sku_area.tobytes())
    gross = static.cache.get(key)
    if gross is None:
        gross = static.cache[key] = dies_per_wafer(s.sku_area, static.ruleset.technology.wafer_diameter_mm)
        gross.flags.writeable = False
    return gross


def wafer_market(static: Static, s: WorldState, lic: Licences, planned_dies: np.ndarray, ai_share: np.ndarray,
                 halted_sites: np.ndarray, duv: np.ndarray | None = None) -> np.ndarray:
    """Allocate AI wafers; adds good dies to die stock and returns wafers bought per SKU (`duv`: the
    foundries' DUV-path share, fabrication.foundry_duv_share, when the caller has it)."""
    site_wafers = _site_ai_wafers(s, ai_share, halted_sites)
    cap_left = static.by_foundry(site_wafers)
    made_in = home_share(static, site_wafers, cap_left)  # before `cap_left` is drawn down
    d0 = effective_d0(static, s, duv)
    nk, nn = static.sku_capacity, cap_left.shape[1]
    remaining = planned_dies.copy()
    wafers_bought = np.zeros(nk)
    blocked_dies = np.zeros(nk)
    s.wafer_unmet[:] = 0.0
    s.wafer_demand[:] = 0.0
    domestic = np.zeros(nk)
    prefs = _preferences(static, s)
    sku_node, firm_nation = s.sku_node.astype(np.int64), _firm_nation(static, s)
    taken = None  # the last rank's wafers: only a later rank reads what they leave of `cap_left`
    for rank in range(prefs.shape[1]):
        f = prefs[:, rank]
        live = ((f >= 0) & (remaining > 0)).nonzero()[0]  # np.flatnonzero of a flat mask, without its wrapper
        if len(live) == 0:
            break
        if taken is not None:
            _add_at(cap_left, taken[0], -taken[1])
        fl, left = f[live], remaining[live]  # `left`: the dies still wanted, as they were before this rank
        node = sku_node[live]
        cell = fl * nn + node  # (foundry, node) as one index into the flat tables
        mastered = s.mastered.take(cell) > 0  # flat cells: `take` reads the (foundry, node) pairs a fancy index would
        licensed = lic.wafer_allowed[fl, live]
        allowed = licensed * mastered
        if rank == 0:
            blocked_dies[live] = left * (1.0 - licensed)
        gdw = good_dies_per_wafer(static, s, d0, fl, live, node, cell)
        want = np.where(gdw > 0, left * allowed / np.maximum(gdw, 1e-9), 0.0)
        demand = np.bincount(cell, weights=want, minlength=cap_left.size).reshape(cap_left.shape)  # in SKU order, as np.add.at
        fill = np.where(demand > 0, np.minimum(1.0, cap_left / np.maximum(demand, 1e-12)), 0.0)
        got = want * fill.take(cell)
        taken = cell, got
        _add_at(s.wafer_unmet, cell, want - got)
        if rank == 0:  # the table is all zeros: `demand` holds the same sums (bincount adds from 0.0 in SKU order, as np.add.at)
            s.wafer_demand += demand
        else:
            _add_at(s.wafer_demand, cell, want)
        wafers_bought[live] += got
        domestic[live] += got * made_in.take(cell * len(static.nations) + firm_nation[live])
        dies = got * gdw
        s.die_stock[live] += dies
        s.dies_made[live] += dies
        remaining[live] = np.maximum(left - dies, 0.0)
        _add_at(s.wafers_sold, cell, got)
        np.add.at(s.revenue, fl, got * _ai_wafer_price(static)[cell] / 1e9)
    s.wafers_bought += wafers_bought
    s.sku_wafers = wafers_bought
    # share of each design's wafers made in its firm's own nation (kept when none were bought)
    s.sku_domestic = np.where(wafers_bought > 0, domestic / np.maximum(wafers_bought, 1e-12), s.sku_domestic)
    _record_wafer_cutoff(static, s, blocked_dies, planned_dies, firm_nation)
    return wafers_bought


def _firm_nation(static: Static, s: WorldState) -> np.ndarray:
    """Each design slot's firm's nation."""
    return static.chip_firm_nation[s.sku_firm.astype(np.int64)]


def _ai_wafer_price(static: Static) -> np.ndarray:
    """An AI wafer's price per (foundry, node) as a flat cell index (once a game, read-only): the node's price
    times the foundry's bloc factor."""
    price = static.cache.get("ai_wafer_price")
    if price is None:
        price = static.cache["ai_wafer_price"] = (static.wafer_price[None, :] * static.blocs.ai_wafer_price[:, None]).ravel()
        price.flags.writeable = False
    return price


def _add_at(table: np.ndarray, cell: np.ndarray, values: np.ndarray) -> None:
    """np.add.at on a (foundry, node) table by flat cell index (faster than a pair of index arrays)."""
    if table.flags.c_contiguous:
        np.add.at(table.reshape(-1), cell, values)
    else:
        np.add.at(table, np.unravel_index(cell, table.shape), values)


def _preferences(static: Static, s: WorldState) -> np.ndarray:
    """Each design's foundries in its firm's order of preference (-1 past the end of its list): as many
    ranks as the longest list in the ruleset, so every foundry a modder lists is tried."""
    key = ("preferences",)
    if key not in static.cache:
        orders = [[static.foundries.index(f) for f in static.ruleset.chip_firms[firm].foundries if f in static.foundries]
                  for firm in static.chip_firms]
        table = np.full((len(static.chip_firms), max((len(o) for o in orders), default=1) or 1), -1, dtype=np.int64)
        for ci, order in enumerate(orders):
            table[ci, :len(order)] = order
        static.cache[key] = table
    return np.where((s.sku_used > 0)[:, None], static.cache[key].take(s.sku_firm.astype(np.int64), axis=0), -1)


def _record_wafer_cutoff(static: Static, s: WorldState, blocked: np.ndarray, planned: np.ndarray,
                         nation: np.ndarray | None = None) -> None:
    n = len(static.nations)
    nation = _firm_nation(static, s) if nation is None else nation
    b = np.bincount(nation, weights=blocked, minlength=n)
    p = np.bincount(nation, weights=planned, minlength=n)
    column = CUTOFF_KINDS.index("wafers")
    record_cutoff(s, column, b, p, 1e-12, static.ruleset.industry.cutoff_memory)


def other_customers(static: Static, s: WorldState, ai_share: np.ndarray, halted_sites: np.ndarray) -> float:
    """Sell non-AI capacity to other customers; returns the world trailing-node shortfall share."""
    non_ai = s.usable * MONTHS * (1.0 - ai_share) * static.ruleset.industry.non_ai_utilisation
    price, nodes, wanted = _trailing_tables(static)
    revenue = np.add.reduce(non_ai * price, axis=1) / 1e9
    s.revenue += static.by_foundry(revenue)
    supplied = 0.0
    # each node's supply summed over sites as one row (numpy's pairwise order, as a column copied out), then node by node
    supply = s.usable.T.take(nodes, axis=0)  # (node, site): the columns as contiguous rows, in one copy
    if np.count_nonzero(halted_sites):  # halted sites supply nothing (most quarters none: the product by 1.0 is the same)
        supply *= ~halted_sites
    for per_node in np.add.reduce(supply, axis=1).tolist():
        supplied += per_node
    shortfall = max(0.0, 1.0 - supplied / wanted) if wanted > 0 else 0.0
    s.trailing_shortfall[0] = shortfall
    return shortfall


def _trailing_tables(static: Static) -> tuple[np.ndarray, np.ndarray, float]:
    """Once a game: (site, node) wafer price to other customers, the trailing nodes with a world demand in
    this world, and that demand's total (wpm, added in the ruleset's order)."""
    tables = static.cache.get("trailing_tables")
    if tables is None:
        demand = {node: wpm for node, wpm in static.ruleset.market.trailing_demand_wpm.items() if node in static.nodes}
        wanted = 0.0
        for wpm in demand.values():
            wanted += wpm
        price = static.wafer_price[None, :] * static.blocs.wafer_price[:, None]
        price.flags.writeable = False
        tables = static.cache["trailing_tables"] = (price, np.array([static.nodes.index(n) for n in demand], dtype=np.int64), wanted)
    return tables
