"""The tool market: production, licensed orders, deliveries after lead times, servicing and wear.

Orders of a site are split across the makers its bloc buys from (`blocs.*.tool_sources`): its
`domestic_tool_share` from makers of its own bloc, the rest from the others; what licences block
abroad is re-ordered from its own bloc's makers where any make the kind (substitution). A site first
installs tools it stockpiled before controls bit. Unserviced tools lose health each quarter and are
scrapped below a floor; a bloc with grey servicing gets a share of banned service anyway (third
parties, former staff). Tools are conserved: produced = in stock + in transit + installed + scrapped.
"""

from __future__ import annotations

import math

import numpy as np

from techrace.core.mechanisms.controls import Licences
from techrace.core.state import CUTOFF_KINDS, WorldState
from techrace.core.static import Static


def supplier_weights(static: Static, capacity: np.ndarray, domestic_share: np.ndarray) -> np.ndarray:
    """(toolmaker, site, kind) share of each site's order placed with each maker, before licences.

    Within each group (own bloc, other allowed blocs) orders follow makers' capacity. A site whose bloc
    buys only from itself, or whose own bloc makes none of a kind, orders everything from the group that can.
    Both groups are summed over makers in one reduction (each in the order of its own `.sum(axis=0)`)."""
    return _supplier_split(static, capacity, domestic_share)[0]


def _supplier_split(static: Static, capacity: np.ndarray, domestic_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`supplier_weights` and the own-bloc group's split by capacity (each own-bloc maker's share of its group)."""
    domestic_maker, foreign_maker, _ = _bloc_tables(static)
    groups = np.empty((2, *domestic_maker.shape[:2], capacity.shape[1]))      # (group, maker, site, kind)
    dom, far = groups
    np.multiply(domestic_maker, capacity[:, None, :], out=dom)
    np.multiply(foreign_maker, capacity[:, None, :], out=far)
    dom_total, far_total = np.add.reduce(groups, axis=1)                           # (site, kind)
    share = np.where(far_total > 0, np.where(dom_total > 0, domestic_share[:, None], 0.0), 1.0)
    own_split = dom / np.maximum(dom_total, 1e-12)
    return own_split * share[None] + far / np.maximum(far_total, 1e-12) * (1.0 - share)[None], own_split


def _sources_own_bloc(static: Static) -> bool:
    """Every site may buy from its own bloc's makers (its bloc lists itself among its tool sources): then the
    own-bloc makers that take a blocked order are the own-bloc group of the supplier split (once a game)."""
    found = static.cache.get("tool_sources_own_bloc")
    if found is None:
        domestic_maker, _, domestic = _bloc_tables(static)
        found = static.cache["tool_sources_own_bloc"] = bool(np.array_equal(domestic_maker, domestic))
    return found


def _bloc_tables(static: Static) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(maker, site, 1) masks, once a game (read-only): the site buys from the maker's bloc and it is its own
    bloc, it buys from it and it is another bloc, the maker is of the site's own bloc. As 1.0 and 0.0, the
    numbers numpy would cast the booleans to in every product (kept cast, the products skip the cast)."""
    tables = static.cache.get("tool_bloc_tables")
    if tables is None:
        bloc = static.blocs
        tables = static.cache["tool_bloc_tables"] = tuple(
            np.ascontiguousarray(mask.T[:, :, None], dtype=np.float64) for mask in
            (bloc.tool_source & bloc.tool_domestic, bloc.tool_source & ~bloc.tool_domestic, bloc.tool_domestic))
        for table in tables:
            table.flags.writeable = False
    return tables


def install_stockpile(s: WorldState, orders: np.ndarray) -> np.ndarray:
    """Install stockpiled tools against this quarter's orders; returns the orders left (site, kind)."""
    held = np.add.reduce(s.site_stockpile, axis=1)                            # (site, kind)
    used = np.minimum(held, orders)
    if not np.count_nonzero(used):  # `used.any()`, without its wrapper
        return orders
    take = s.site_stockpile * np.where(held > 0, used / np.maximum(held, 1e-12), 0.0)[:, None, :]
    s.site_stockpile -= take
    _install(s, take)
    return orders - used


def tools_market(static: Static, s: WorldState, lic: Licences, orders: np.ndarray, domestic_share: np.ndarray) -> np.ndarray:
    """Clear one quarter; returns (site, kind) units blocked by licences (for the jigsaw)."""
    produced = s.tool_capacity * lic.tool_output_kept
    s.tools_produced += produced
    s.tool_inventory += produced
    orders = install_stockpile(s, orders)
    stocked = s.tool_capacity + s.tool_inventory
    weights, own_split = _supplier_split(static, stocked, domestic_share)
    if _sources_own_bloc(static):  # own-bloc makers' stock is the split's own-bloc group: its shares, the same numbers
        legal = weights * lic.tool_allowed
        legal_total = np.add.reduce(legal, axis=0)
        reroute = own_split
    else:
        parts = np.empty((2, *weights.shape))  # the legal orders and own-bloc makers' stock, summed over makers at once
        legal, own = parts
        np.multiply(weights, lic.tool_allowed, out=legal)
        np.multiply(_bloc_tables(static)[2], stocked[:, None, :], out=own)
        legal_total, own_total = np.add.reduce(parts, axis=1)
        reroute = own / np.maximum(own_total, 1e-12)       # own-bloc makers take the blocked share
    blocked = orders * (1.0 - legal_total)  # (site, kind)
    demand = orders[None, :, :] * legal + reroute * blocked[None, :, :] * lic.tool_allowed
    total = np.add.reduce(demand, axis=1)
    s.tool_demand = total
    fill = np.where(total > 0, np.minimum(1.0, s.tool_inventory / np.maximum(total, 1e-12)), 0.0)
    shipped = demand * fill[:, None, :]
    s.tool_backlog = np.maximum(total - s.tool_inventory, 0.0)
    s.tool_inventory = np.maximum(s.tool_inventory - np.add.reduce(shipped, axis=1), 0.0)
    value = shipped * s.tool_price[:, None, :] / 1000.0  # USD billions
    s.toolmaker_cash += np.add.reduce(value, axis=(1, 2))
    s.cash -= static.by_foundry(np.add.reduce(value, axis=(0, 2)))
    _ship(static, s, shipped)
    _service(static, s, lic, _deliver(static, s, lic))
    return blocked


def _install(s: WorldState, new: np.ndarray) -> None:
    """Add tools (site, maker, kind) at full health."""
    total = s.tools + new
    s.health = np.where(total > 0, (s.tools * s.health + new) / np.maximum(total, 1e-12), 0.0)
    s.tools = total


def _ship(static: Static, s: WorldState, shipped: np.ndarray) -> None:
    """Put (maker, site, kind) shipments into the ring slot of each (maker, kind)'s lead time: one add through
    the flat ring cell of every shipment (each cell gets one shipment, so the sums are those of a slot-by-slot add)."""
    depth, cells_at = _lead_times(static, s)
    _deepen(s, depth)
    if not s.tool_ring.flags.c_contiguous:  # the flat view below must be the ring itself
        s.tool_ring = np.ascontiguousarray(s.tool_ring)
    flat = s.tool_ring.reshape(-1)
    flat[cells_at(s.tool_ring.shape, s.tool_head)] += shipped.reshape(-1)


def _lead_times(static: Static, s: WorldState) -> tuple[int, _RingCells]:
    """The ring depth the lead times need and the ring cells of shipments (`_RingCells`); kept per set of lead
    times, which change only when a maker's lead time does."""
    key = ("tool_leads", s.tool_lead.shape, s.tool_lead.tobytes(), s.tool_quarters)
    found = static.cache.get(key)
    if found is None:
        lead = np.clip(s.tool_lead.astype(np.int64), 0, s.tool_quarters - 1)     # (maker, kind)
        found = static.cache[key] = (int(lead.max(initial=0)) + 1, _RingCells(lead))
    return found


class _RingCells(dict):
    """(ring shape, head) -> the flat index into the ring of each (maker, site, kind) shipment, with its
    (maker, kind)'s lead time: built once per shape and head (a ring has a few heads), from the cells at head 0
    kept by shape (`np.ravel_multi_index`'s numbers, in two additions)."""

    def __init__(self, lead: np.ndarray) -> None:
        super().__init__()
        self.lead = lead

    def __call__(self, shape: tuple[int, ...], head: int) -> np.ndarray:
        cells = self.get((shape, head))
        if cells is None:
            cells = self[(shape, head)] = (self._at_head_zero(shape) + head * math.prod(shape[1:])) % math.prod(shape)
            cells.flags.writeable = False
        return cells

    def _at_head_zero(self, shape: tuple[int, ...]) -> np.ndarray:
        """The cells at head 0, before wrapping round the ring (once per shape): slot `lead` of each shipment's
        (maker, site, kind) cell. A head h adds h slots and wraps round the ring's end (the cell within a slot
        stays below one slot's size, so the wrap keeps it)."""
        offsets = self.get(shape)
        if offsets is None:
            depth, makers, sites, kinds = shape
            within = np.arange(makers * sites * kinds).reshape(makers, sites, kinds)
            offsets = self[shape] = (self.lead[:, None, :] * (makers * sites * kinds) + within).ravel()
        return offsets


def _deepen(s: WorldState, depth: int) -> None:
    """Grow the ring to `depth` quarters (a longer lead time than any shipped so far), next arrival first."""
    ring, head = s.tool_ring, s.tool_head
    if depth <= ring.shape[0]:
        return
    grown = np.zeros((depth, *ring.shape[1:]))
    grown[: ring.shape[0]] = np.roll(ring, -head, axis=0)
    s.tool_ring, s.tool_head = grown, 0


def _deliver(static: Static, s: WorldState, lic: Licences) -> np.ndarray:
    """Install this quarter's admitted arrivals (the rest returns to the makers' stock); returns the installed cells
    (`tools > 0`) for `_service`, which runs next. The blended health is left unguarded where nothing is installed:
    `_service` sets those cells to 0.0, as `_install`'s guard would have (the same numbers everywhere else)."""
    arriving = s.tool_ring[s.tool_head]
    admitted = arriving * lic.tool_admitted
    s.tool_inventory += np.add.reduce(arriving - admitted, axis=1)
    new = admitted.transpose(1, 0, 2)
    total = s.tools + new
    s.health = (s.tools * s.health + new) / np.maximum(total, 1e-12)
    s.tools = total
    arriving[...] = 0.0
    s.tool_head = (s.tool_head + 1) % s.tool_ring.shape[0]
    return total > 0


def in_transit(s: WorldState) -> np.ndarray:
    """Tools shipped and not yet arrived per (site, kind): the sum over makers and quarters ahead, added
    in the order numpy sums the unrolled `tool_pipeline` (so results stay bit for bit what they were)."""
    depth = s.tool_ring.shape[0]
    slots = [s.tool_ring[(s.tool_head + ahead) % depth] for ahead in range(min(depth, s.tool_quarters))]
    if 8 <= s.tool_quarters <= 128 and len(slots) <= 8:  # the usual ring: the eight lanes are the slots themselves
        lanes = slots + [None] * (8 - len(slots))
        per_maker = _add(_add(_add(lanes[0], lanes[1]), _add(lanes[2], lanes[3])), _add(_add(lanes[4], lanes[5]), _add(lanes[6], lanes[7])))
    else:
        per_maker = _pairwise(slots, 0, s.tool_quarters)
    return np.zeros(s.tool_ring.shape[2:]) if per_maker is None else np.add.reduce(per_maker, axis=0)


def _pairwise(slots: list[np.ndarray], start: int, n: int) -> np.ndarray | None:
    """numpy's pairwise summation of slots[start:start + n] (slots past the list are zero; None: all zero)."""
    def get(i: int) -> np.ndarray | None:
        return slots[i] if i < len(slots) else None

    if n < 8:
        total = None
        for i in range(start, start + n):
            total = _add(total, get(i))
        return total
    if n > 128:
        half = n // 2 - (n // 2) % 8
        return _add(_pairwise(slots, start, half), _pairwise(slots, start + half, n - half))
    lanes = [get(start + j) for j in range(8)]
    i = 8
    while i < n - n % 8:
        lanes = [_add(lanes[j], get(start + i + j)) for j in range(8)]
        i += 8
    total = _add(_add(_add(lanes[0], lanes[1]), _add(lanes[2], lanes[3])), _add(_add(lanes[4], lanes[5]), _add(lanes[6], lanes[7])))
    for tail in range(i, n):
        total = _add(total, get(start + tail))
    return total


def _add(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    return b if a is None else a if b is None else a + b


def _service(static: Static, s: WorldState, lic: Licences, installed: np.ndarray | None = None) -> None:
    """Serviced tools recover health; unserviced ones wear, more slowly where the bloc gets grey service
    (it keeps tools running longer but cannot restore them). `installed`: `s.tools > 0`, when the caller has it."""
    installed = s.tools > 0 if installed is None else installed
    s.health = np.where(installed, np.minimum(1.0, s.health + lic.tool_recovery) - lic.tool_wear, 0.0)
    scrap = installed & (s.health < static.ruleset.technology.tool_scrap_health)
    if np.count_nonzero(scrap):
        s.tools_scrapped += np.add.reduce(np.where(scrap, s.tools, 0.0), axis=0)
        s.tools = np.where(scrap, 0.0, s.tools)
        s.health = np.where(scrap, 0.0, s.health)


def record_tool_cutoff(static: Static, s: WorldState, blocked: np.ndarray, orders: np.ndarray) -> None:
    """Share of each nation's tool orders blocked, per kind (what the jigsaw responds to)."""
    b = static.site_to_nation @ blocked
    o = static.site_to_nation @ orders
    share = np.where(o > 0, b / np.maximum(o, 1e-12), 0.0)
    s.cutoff[:, : blocked.shape[1]] = np.maximum(share, s.cutoff[:, : blocked.shape[1]] * 0.8)


__all__ = ["CUTOFF_KINDS", "in_transit", "install_stockpile", "record_tool_cutoff", "supplier_weights", "tools_market"]
