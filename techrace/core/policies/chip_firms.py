"""Chip firms: plan output to forecast demand, split it over their designs, and keep designing.

Called once per turn with every chip firm that uses the policy. A firm plans next quarter's packages
from the demand it forecasts (what labs wanted of its designs, `industry.forecast`), less what it holds
in stock; each lab's spending goes to the firm's best legal design for it; designs past their time are
retired and successors designed (policies/design.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms import forecast
from techrace.core.policies.design import design_compliant, new_generations, retire

if TYPE_CHECKING:
    from techrace.core.model import WorldModel
    from techrace.core.state import WorldState
    from techrace.core.static import Static


def chip_firm_default(model: WorldModel, idx: np.ndarray, params: None = None) -> list[Event]:
    retire(model)
    events = new_generations(model, idx)
    _plan_output(model, idx)
    events += _split_output(model, idx)
    return events


def _plan_output(model: WorldModel, idx: np.ndarray) -> None:
    """Packages to build next quarter by the stock management rule (Sterman 2000, ch. 17): forecast demand
    plus a share of the gap between the stock wanted (`stock_cover_quarters` of demand) and the stock held,
    so that stock-outs and gluts are worked off over `stock_adjust_quarters` instead of all at once."""
    static, s = model.static, model.state
    rules, industry = static.ruleset.industry.forecast, static.ruleset.industry
    level, trend = forecast.observe(s.unit_demand_level[idx], s.unit_demand_trend[idx], s.unit_demand[idx], rules)
    s.unit_demand_level[idx], s.unit_demand_trend[idx] = level, trend
    held = s.accel_stock + s.die_stock / np.maximum(s.sku_dies, 1.0)
    firm_of = s.sku_firm.astype(np.int64)
    stock = np.bincount(firm_of, weights=held * (s.sku_used > 0), minlength=len(static.chip_firms))
    cut = float(np.add.reduce(s.capex_cut) / len(s.capex_cut)) if len(s.capex_cut) else 0.0  # the mean, as np.mean sums and divides
    expected = (forecast.ahead(level, trend, 1, rules) * (1.0 - cut)).tolist()
    # a subsidy pays for extra output this quarter at the firm's current prices (none: 0.0 added alike)
    subsidy = s.chip_subsidy[idx]
    extra = _subsidised_output(static, s, idx, firm_of, subsidy).tolist() if np.count_nonzero(subsidy) else [0.0] * len(expected)
    s.chip_subsidy[idx] = 0.0
    # target = max(expected + (expected x cover - stock) / adjust, 0) + extra: a few firms, in plain Python
    # floats (the same operations in the same order as the arrays)
    cover, adjust, targets = industry.stock_cover_quarters, industry.stock_adjust_quarters, []
    for demand, held_now, more in zip(expected, stock[idx].tolist(), extra, strict=True):
        target = demand + (demand * cover - held_now) / adjust
        targets.append((0.0 if 0.0 > target else target) + more)
    s.target_units[idx] = targets


def _subsidised_output(static: Static, s: WorldState, idx: np.ndarray, firm_of: np.ndarray, subsidy: np.ndarray) -> np.ndarray:
    """Packages the firms' subsidies pay for at their designs' average live price."""
    live = (s.sku_used > 0) & (s.sku_active > 0)
    price = np.bincount(firm_of, weights=s.sku_price * live, minlength=len(static.chip_firms))
    count = np.bincount(firm_of, weights=live.astype(float), minlength=len(static.chip_firms))
    return subsidy * 1e9 / np.maximum(price[idx] / np.maximum(count[idx], 1.0), 1.0)


def _split_output(model: WorldModel, idx: np.ndarray) -> list[Event]:
    """Each lab's spending goes to the firm's best legal design for it; a market closed to all of a firm's
    designs by a threshold rule gets a compliant variant."""
    static, s = model.static, model.state
    lic, eligible = model.licences, model.eligible
    h100e = s.sku_tflops * 16.0 / static.ruleset.technology.h100_tpp
    live = s.sku_active > 0
    firm_of = s.sku_firm.astype(np.int64)
    active = live & (s.sku_used > 0)
    nc = len(static.chip_firms)
    groups, own, chosen_slot, row_of_slot, slot_index, pick = _slot_tables(static, firm_of, idx)
    offered = active & chosen_slot
    # firms plan for legal sales only (grey-market buyers are not a market a firm can plan for), of their
    # designs on offer that are ready
    planned = (s.sku_ready_turn <= s.turn) & live & offered
    firm_score = np.where(eligible & planned[:, None], h100e[:, None] * lic.chip_allowed, 0.0)    # (sku, lab)
    # each firm's best design per lab: reduced over the designs grouped by firm, never a firm x design x lab array
    tiered = lic.tier_cap[static.lab_nation] <= 0  # labs in nations a country-tier rule closes to foreign designs
    if np.count_nonzero(tiered):  # as `tiered.any()`, without its Python wrapper
        firm_score = np.where(_foreign(static, firm_of) & tiered[None, :], 0.0, firm_score)
    top = by_firm(np.maximum, firm_score, groups, nc, 0.0)                      # (firm, lab)
    top_of_sku = top.take(firm_of, axis=0)  # `top[firm_of]` (take gathers rows for less than fancy indexing)
    first = np.where((firm_score == top_of_sku) & (top_of_sku > 0), slot_index, len(firm_of))
    best = by_firm(np.minimum, first, groups, nc, 0)[pick]                       # (firm, lab): the first best design
    buys = top[pick] > 0
    # a bincount adds the labs' capital in the same order as np.add.at would, from 0.0
    share = np.bincount(best[buys], weights=s.capital[buys.nonzero()[1]], minlength=static.sku_capacity)
    # each firm's planned sales: `share` is +0.0 but on the planned slots (all active), so the firm's own slots
    # give the sum its active ones would, the same elements in the same places
    total = np.add.reduce(np.where(own, share[None, :], 0.0), axis=1)
    # ... seen from each SKU (a slot not on offer reads some row and keeps its share: only offered slots change;
    # their share is 0.0 elsewhere, so no division goes wrong)
    firm_total = total[row_of_slot]
    s.sku_share = np.where(offered, np.where(firm_total > 0, share / np.maximum(firm_total, 1e-300), 0.0), s.sku_share)
    sells = offered[:, None] & eligible                                          # (sku, lab)
    # a firm sells to a lab at all where its best legal share is above -inf (the legal shares are finite,
    # NaN included: NaN > -inf is False, and NaN < 0.5 would not block either), so one reduction answers both
    best_legal = by_firm(np.maximum, np.where(sells, lic.chip_allowed, -np.inf), groups, nc, -np.inf)[pick]
    blocked = (best_legal < 0.5) & (best_legal > -np.inf)
    events: list[Event] = []
    if not np.count_nonzero(blocked):  # no market closed to a whole firm (most quarters)
        return events
    for row, lab_nation in sorted({(int(r), int(static.lab_nation[c])) for r, c in zip(*np.nonzero(blocked), strict=True)}):
        events += design_compliant(model, int(idx[row]), np.flatnonzero(own[row] & active), lab_nation)
    return events


def by_firm(ufunc: np.ufunc, values: np.ndarray, groups: tuple[np.ndarray, np.ndarray, np.ndarray], firms: int,
            fill: float | bool) -> np.ndarray:
    """(firm, ...) reduction with `ufunc` of (sku, ...) values over each firm's SKU slots; `fill` where a
    firm has none (a segment reduction, linear in the number of designs). `groups` from `sku_groups`."""
    order, present, starts = groups
    if len(present) == firms:  # every firm has a slot (`present` is then 0..firms-1)
        return ufunc.reduceat(values.take(order, axis=0), starts, axis=0)  # `values[order]`, for less
    out = np.full((firms, *values.shape[1:]), fill, dtype=values.dtype)
    if len(order):
        out[present] = ufunc.reduceat(values.take(order, axis=0), starts, axis=0)
    return out


def _firm_rows(static: Static, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | slice]:
    """(chosen, row_of, pick): a mask over chip firms of those in `idx`, each one's row in `idx`, and what
    selects their rows from a (firm, ...) array (a plain slice when `idx` is every firm in order); read-only,
    once a game: a policy's firms never change."""
    key = ("firm_rows", idx.tobytes())
    rows = static.cache.get(key)
    if rows is None:
        chosen = np.zeros(len(static.chip_firms), dtype=bool)
        chosen[idx] = True
        row_of = np.zeros(len(static.chip_firms), dtype=np.int64)
        row_of[idx] = np.arange(len(idx))
        chosen.flags.writeable = row_of.flags.writeable = False
        everyone = np.array_equal(idx, np.arange(len(static.chip_firms)))
        rows = static.cache[key] = (chosen, row_of, slice(None) if everyone else idx.copy())
    return rows


def _slot_tables(static: Static, firm_of: np.ndarray, idx: np.ndarray) -> tuple:
    """What `_split_output` reads of the slots' firms, kept by them and the policy's firms (the slots' firms change
    only when a design is added): `sku_groups`, (firm, sku) True where a slot is the firm's, which slots are of the
    firms in `idx`, each slot's firm's row in `idx`, the slot indices as a column and `_firm_rows`' `pick`."""
    key = ("split_slots", firm_of.tobytes(), idx.tobytes())
    tables = static.cache.get(key)
    if tables is None:
        chosen, row_of, pick = _firm_rows(static, idx)
        tables = (sku_groups(firm_of), firm_of[None, :] == idx[:, None], chosen[firm_of], row_of[firm_of],
                  np.arange(len(firm_of))[:, None], pick)
        for array in tables[1:5]:
            array.flags.writeable = False
        static.cache[key] = tables
    return tables


def _foreign(static: Static, firm_of: np.ndarray) -> np.ndarray:
    """(sku, lab) True where a design's firm is of another nation than the lab (read-only, by the slots' firms)."""
    key = ("foreign_sales", firm_of.tobytes())
    foreign = static.cache.get(key)
    if foreign is None:
        foreign = static.chip_firm_nation[firm_of][:, None] != static.lab_nation[None, :]
        foreign.flags.writeable = False
        static.cache[key] = foreign
    return foreign


def sku_groups(firm_of: np.ndarray, cache: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SKU slots sorted by firm (stable: in slot order within a firm), the firms present and where each starts;
    kept in `cache` (the game's static cache) by the slots' firms, which change only when a design is added."""
    key = ("sku_groups", firm_of.tobytes())
    groups = cache.get(key) if cache is not None else None
    if groups is None:
        firms = firm_of.tolist()  # a few dozen slots: sorted in Python (stable), as argsort and unique would
        slots = sorted(range(len(firms)), key=firms.__getitem__)
        firsts = [k for k, slot in enumerate(slots) if k == 0 or firms[slot] != firms[slots[k - 1]]]
        groups = (np.array(slots, dtype=np.int64), np.array([firms[slots[k]] for k in firsts], dtype=firm_of.dtype),
                  np.array(firsts, dtype=np.int64))
        for array in groups:
            array.flags.writeable = False
        if cache is not None:
            cache[key] = groups
    return groups
