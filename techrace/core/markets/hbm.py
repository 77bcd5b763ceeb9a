"""The HBM market: memory makers' stacks allocated to chip firms under the HBM and entity rules.

A maker serves a firm only if its generation is at least what the firm's designs need. Firms hold
stocks (stockpiles before an announced rule bites, as in December 2024).
"""

from __future__ import annotations

import numpy as np

from techrace.core.markets.cutoff import record_cutoff
from techrace.core.mechanisms.controls import Licences
from techrace.core.state import CUTOFF_KINDS, WorldState
from techrace.core.static import Static

MONTHS = 3.0


def hbm_production(static: Static, s: WorldState, halted_sites: np.ndarray) -> np.ndarray:
    """Stacks produced per memory maker this quarter (halted sites ship nothing)."""
    stacks = stacks_per_wafer(static, s.hbm_level)
    wafers = s.hbm_usable * MONTHS
    if np.count_nonzero(halted_sites):  # halted sites ship nothing (most quarters none: the product by 1.0 is the same)
        wafers *= ~halted_sites
    wafers = static.by_foundry(wafers)
    produced = wafers * stacks * s.hbm_yield
    s.hbm_produced = produced
    s.hbm_made += produced
    return produced


def stacks_per_wafer(static: Static, levels: np.ndarray) -> np.ndarray:
    """Stacks per wafer of each maker's HBM generation, kept per set of generations (they change rarely; the memory
    makers' lines read the same table, `foundries.stacks_per_tsv_wafer`); read-only."""
    key = ("stacks_per_wafer", levels.tobytes())
    stacks = static.cache.get(key)
    if stacks is None:
        per_wafer = {g.level: g.stacks_per_wafer for g in static.ruleset.technology.hbm_generations.values()}
        stacks = static.cache[key] = np.array([per_wafer.get(level, 0.0) for level in levels.tolist()])
        stacks.flags.writeable = False
    return stacks


_stacks_per_wafer = stacks_per_wafer  # its name before the memory makers' lines shared it


def hbm_market(static: Static, s: WorldState, lic: Licences, produced: np.ndarray, needed: np.ndarray,
               need_level: np.ndarray, stockpile_boost: np.ndarray) -> None:
    """Allocate this quarter's stacks and makers' stock; firms' demand is their shortfall plus any stockpiling."""
    demand = np.maximum(needed * (1.0 + stockpile_boost) - s.hbm_stock, 0.0)
    allowed, blocked_share = _allowed(static, s, lic, need_level)
    available = produced + s.hbm_maker_stock
    # each firm spreads its demand over the makers it may buy from, by their stock
    weight = allowed * available[:, None]
    weight = weight / np.maximum(np.add.reduce(weight, axis=0, keepdims=True), 1e-12)
    want = demand[None, :] * weight
    total = np.add.reduce(want, axis=1)
    fill = np.where(total > 0, np.minimum(1.0, available / np.maximum(total, 1e-12)), 0.0)
    got = want * fill[:, None]
    sold, bought = np.add.reduce(got, axis=1), np.add.reduce(got, axis=0)
    s.hbm_demand = total
    s.hbm_maker_stock = np.maximum(available - sold, 0.0)
    s.hbm_stock += bought
    s.hbm_bought += bought
    s.hbm_unmet = np.maximum(total - available, 0.0)
    s.revenue += sold * static.ruleset.technology.hbm_price_usd / 1e9
    blocked = demand * blocked_share
    b = static.chip_firm_to_nation @ blocked
    d = static.chip_firm_to_nation @ demand
    column = CUTOFF_KINDS.index("hbm")
    record_cutoff(s, column, b, d, 1e-12, static.ruleset.industry.cutoff_memory)


def _allowed(static: Static, s: WorldState, lic: Licences, need_level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(maker, firm) share of a firm's demand a maker may serve (licensed, its generation good enough) and each firm's
    share blocked (none may serve it at all), read-only. Kept with the last licences' table, makers' generations and
    firms' needs they were worked out from (in most quarters none of them changed: held, so never a reused id), in one
    slot replaced in place (a store in the bounded cache per change would take back about a quarter of what the slot saves)."""
    slot = static.cache.get("hbm_allowed_last")
    if slot is None:
        slot = static.cache["hbm_allowed_last"] = [None]
    last, levels, needs = slot[0], s.hbm_level.tobytes(), need_level.tobytes()
    if last is None or last[0] is not lic.hbm_allowed or last[1] != levels or last[2] != needs:
        allowed = lic.hbm_allowed * (s.hbm_level[:, None] >= need_level[None, :] - 1e-9)
        blocked = 1.0 - np.minimum(np.maximum(np.maximum.reduce(allowed, axis=0), 0.0), 1.0)
        allowed.flags.writeable = blocked.flags.writeable = False
        last = slot[0] = (lic.hbm_allowed, levels, needs, allowed, blocked)
    return last[3], last[4]
