"""Advanced packaging: good dies plus HBM stacks become accelerators, within CoWoS-class capacity.

Packaging capacity is pooled (`blocs.*.packaging_pool`: e.g. Chinese designers use domestic packaging,
the others TSMC, Samsung and Intel lines), and a site whose exports are halted or that is offline
packages nothing for the world. Dies and stacks are only consumed for accelerators actually built.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static


def packaging_pools(static: Static, s: WorldState, halted_sites: np.ndarray) -> np.ndarray:
    """Packages per quarter available in each packaging pool (offline and halted sites package nothing; most
    quarters there are none, and the products by 1.0 would give the same numbers)."""
    capacity = s.packaging * (1.0 - s.offline) if np.count_nonzero(s.offline) else s.packaging
    if np.count_nonzero(halted_sites):
        capacity = capacity * ~halted_sites
    return np.bincount(static.blocs.site_pool, weights=capacity, minlength=len(static.blocs.pools))


def assemble(static: Static, s: WorldState, planned_units: np.ndarray, halted_sites: np.ndarray,
             firm_stacks: np.ndarray | None = None) -> np.ndarray:
    """Build accelerators; returns units built per SKU this quarter (`firm_stacks`: each chip firm's stacks
    needed for `planned_units`, when the caller has them)."""
    firm = s.sku_firm.astype(np.int64)
    nc = len(static.chip_firms)
    stacks_needed = planned_units * s.sku_stacks
    firm_stacks = np.bincount(firm, weights=stacks_needed, minlength=nc) if firm_stacks is None else firm_stacks
    firm_need = firm_stacks[firm]
    hbm_for_sku = np.where(firm_need > 0, s.hbm_stock[firm] * stacks_needed / np.maximum(firm_need, 1e-12), 0.0)
    by_hbm = np.where(s.sku_stacks > 0, hbm_for_sku / np.maximum(s.sku_stacks, 1.0), np.inf)
    by_dies = s.die_stock / np.maximum(s.sku_dies, 1.0)
    possible = np.minimum(np.minimum(planned_units, by_dies), by_hbm)
    used = s.sku_used > 0
    possible = np.where(used, np.maximum(possible, 0.0), 0.0)
    pool = static.blocs.firm_pool[firm]
    count = len(static.blocs.pools)
    need = np.bincount(pool, weights=possible, minlength=count)
    s.packaging_demand = np.bincount(pool, weights=planned_units, minlength=count)
    pools = packaging_pools(static, s, halted_sites)
    fill = np.where(need > 0, np.minimum(1.0, pools / np.maximum(need, 1e-12)), 0.0)
    s.packaging_unmet = np.maximum(need - pools, 0.0)
    built = possible * fill[pool]
    _record_shortfalls(static, s, planned_units, by_dies, by_hbm, possible, built, firm, used)
    s.die_stock = np.maximum(s.die_stock - built * s.sku_dies, 0.0)
    s.dies_used += built * s.sku_dies
    used = np.bincount(firm, weights=built * s.sku_stacks, minlength=nc)
    s.hbm_stock = np.maximum(s.hbm_stock - used, 0.0)
    s.hbm_used += used
    s.accel_stock += built
    s.accel_made += built
    s.accel_quarter = built
    return built


def _record_shortfalls(static: Static, s: WorldState, planned: np.ndarray, by_dies: np.ndarray, by_hbm: np.ndarray,
                       possible: np.ndarray, built: np.ndarray, firm: np.ndarray, used: np.ndarray) -> None:
    """Per chip firm: units planned this quarter and those lost for want of good dies, then of HBM, then of
    packaging capacity (each counted once, in that order), for the advisor (core/constraints.py). `firm` and
    `used`: each slot's chip firm and whether it holds a design, as `assemble` read them."""
    nc = len(static.chip_firms)
    units = np.where(used, np.maximum(planned, 0.0), 0.0)
    with_dies = np.minimum(units, by_dies)
    with_hbm = np.minimum(with_dies, by_hbm)
    s.units_planned = np.bincount(firm, weights=units, minlength=nc)
    s.short_dies = np.bincount(firm, weights=units - with_dies, minlength=nc)
    s.short_hbm = np.bincount(firm, weights=with_dies - with_hbm, minlength=nc)
    s.short_packaging = np.bincount(firm, weights=possible - built, minlength=nc)
