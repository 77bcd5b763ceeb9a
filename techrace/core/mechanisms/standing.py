"""Standing orders: what a nation has ordered to hold until changed, paid for every quarter.

Recurring subsidies and power programmes, engineering pay above the ruleset's level, and the pooling of
compute (which moves towards its target a few points a quarter) all draw on the quarter's industrial budget
before any new order. When they cost more than the budget, every one of them is scaled down alike and an
event says so; nothing is ever paid from a budget that is not there.
"""

from __future__ import annotations

import numpy as np

from techrace.core.events import Event
from techrace.core.state import WorldState
from techrace.core.static import Static


def pay_cost(static: Static, nation: int, pay_index: float) -> float:
    """Budget per quarter of paying engineers `pay_index` x the US level, above the ruleset's own level
    (economy.pay_cost_usd_b_per_tenth for a $29T economy, scaled by GDP) - P."""
    params = static.nation_params
    above = max(0.0, pay_index - float(params.pay_index[nation]))
    return above * 10.0 * static.ruleset.economy.pay_cost_usd_b_per_tenth * float(params.gdp_usd_t[nation]) / 29.0


def _pay_costs(static: Static, pay: np.ndarray) -> np.ndarray:
    """`pay_cost` of every nation at once (the same operations in the same order, so the same numbers)."""
    params = static.nation_params
    above = np.maximum(0.0, pay - params.pay_index)
    return above * 10.0 * static.ruleset.economy.pay_cost_usd_b_per_tenth * params.gdp_usd_t / 29.0


def pay_subsidy(static: Static, s: WorldState, employer: int, amount: float) -> None:
    """Put a subsidy where the firm uses it: a foundry's cash (capacity, R&D), a toolmaker's lines and
    development, a chip firm's extra output this quarter, a lab's accelerator budget this quarter."""
    kind, i = _employer_slots(static)[employer]
    if kind == "foundry":
        s.cash[i] += amount
        s.subsidy[i] += amount
    elif kind == "toolmaker":
        s.toolmaker_subsidy[i] += amount
    elif kind == "chip_firm":
        s.chip_subsidy[i] += amount
    else:
        s.lab_subsidy[i] += amount


def _employer_slots(static: Static) -> list[tuple[str, int]]:
    """(kind, index among its kind) of every employer, built once a game."""
    slots = static.cache.get("employer_slots")
    if slots is None:
        offsets = {"foundry": 0, "toolmaker": len(static.foundries), "chip_firm": len(static.foundries) + len(static.toolmakers),
                   "lab": len(static.foundries) + len(static.toolmakers) + len(static.chip_firms)}
        slots = static.cache["employer_slots"] = [(kind, e - offsets[kind]) for e, kind in enumerate(static.employer_kind)]
    return slots


_PAID_INTO = {"foundry": ("cash", "subsidy"), "toolmaker": ("toolmaker_subsidy",), "chip_firm": ("chip_subsidy",),
              "lab": ("lab_subsidy",)}  # the state arrays a subsidy to each kind of firm adds to (as pay_subsidy)


def subsidy_columns(static: Static) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each employer's (state array, index) pairs a subsidy to it adds to, as `pay_subsidy` does; by firm
    id, once a game (the subsidy ledger pays ~1,000 subsidies a game with it)."""
    columns = static.cache.get("subsidy_columns")
    if columns is None:
        slots = _employer_slots(static)
        columns = static.cache["subsidy_columns"] = {}
        for e, firm in enumerate(static.employers):
            kind, i = slots[e]
            columns.setdefault(firm, tuple((name, i) for name in _PAID_INTO[kind]))
    return columns


def start_share(static: Static) -> np.ndarray:
    """Each nation's pooled share at the start (the ruleset's `centralisation`); read-only, built once a game
    (the nations' pooling decisions read it ~650 times a game)."""
    start = static.cache.get("start_share")
    if start is None:
        start = static.cache["start_share"] = np.array([static.ruleset.nations[code].centralisation for code in static.nations])
        start.flags.writeable = False
    return start


def rented_share(static: Static, share: np.ndarray, paid: np.ndarray) -> np.ndarray:
    """The pooled share a nation holds when it pays `paid` of this quarter's bill for `share`: pooling
    beyond the start is rented quarter by quarter, so an unpaid part goes back to the labs."""
    start = start_share(static)
    return np.where(share > start, start + (share - start) * paid, share)


def pooling_rent(static: Static, s: WorldState, share: np.ndarray) -> np.ndarray:
    """Rent per lab per quarter (USD bn) for the compute its nation pools above the ruleset's start share:
    `centralisation_rent_share` of the market price of an H100e-quarter (`revenue_per_h100e_quarter_usd`),
    the use the labs give up. The start share is already pooled (public machines, existing programmes)."""
    extra = np.maximum(share - start_share(static), 0.0)[static.lab_nation]
    price = static.ruleset.finance.revenue_per_h100e_quarter_usd * static.ruleset.levers.centralisation_rent_share
    return s.usable_compute * extra * price / 1e9


def centralisation_cost(static: Static, s: WorldState, share: np.ndarray) -> np.ndarray:
    """Budget per quarter of pooling `share` of each nation's usable compute (USD bn): interconnect and
    co-location for all of it, and rent to the labs for what is pooled beyond the start (`pooling_rent`)."""
    return _pooling_bill(static, s, share)[0]


def _pooling_bill(static: Static, s: WorldState, share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`centralisation_cost` and the `pooling_rent` per lab in it (what the labs are paid when it is paid in full)."""
    pooled = (static.lab_to_nation @ s.usable_compute) * share
    networking = pooled * static.ruleset.levers.centralisation_cost_usd_per_h100e_quarter / 1e9
    rent = pooling_rent(static, s, share)
    return networking + static.lab_to_nation @ rent, rent


def affordable_share(static: Static, s: WorldState, n: int, usd_b: float, national: float | None = None) -> float:
    """The largest pooled share nation `n` can keep for `usd_b` a quarter (the inverse of
    `centralisation_cost`, which is linear in the share above the start share). `national`: the nation's
    usable compute when the caller has it already (`lab_to_nation @ usable_compute`, element n)."""
    if national is None:
        national = float((static.lab_to_nation @ s.usable_compute)[n])
    return pooled_share_for(static, usd_b, national, float(start_share(static)[n]))


def pooled_share_for(static: Static, usd_b: float, national: float, start: float) -> float:
    """`affordable_share` from a nation's usable compute `national` and start share `start` (the nations'
    policy has both as plain numbers, ~900 times a game)."""
    levers = static.ruleset.levers
    networking = levers.centralisation_cost_usd_per_h100e_quarter
    rent = static.ruleset.finance.revenue_per_h100e_quarter_usd * levers.centralisation_rent_share
    if national <= 0.0 or networking + rent <= 0.0:
        return 1.0  # nothing to pool, or pooling is free
    share = (usd_b * 1e9 + start * national * rent) / (national * (networking + rent))
    return float(min(max(share, 0.0), 1.0))


def national_sites(static: Static, s: WorldState) -> tuple[np.ndarray, np.ndarray]:
    """GW of national training sites each nation has once this quarter's building is done, and its labs'
    power draw. A pooled run trains at sites built for it: they grow towards what the pooling target
    needs by at most the nation's `national_site_gw_per_quarter` (a national project builds power, halls
    and interconnect at a pace, calibration.md §6b), and are not taken down when the target falls."""
    draw = static.lab_to_nation @ s.lab_power
    wanted = s.centralisation_target * draw
    built = np.minimum(wanted, s.national_site_gw + static.nation_params.site_gw_per_quarter)
    return np.maximum(s.national_site_gw, built), draw


def due(static: Static, s: WorldState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What every nation's standing orders cost this quarter (USD bn), the pooled share they buy (a step
    towards the target, never more than the national sites can host) and the sites' GW after building."""
    return _due(static, s)[:3]


def _due(static: Static, s: WorldState) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool, bool]:
    """`due`, the pooling rent per lab in its cost, and whether any recurring subsidy and any power programme
    stands (`charge` reads both again)."""
    step = static.ruleset.levers.centralisation_step_per_quarter
    sites, draw = national_sites(static, s)
    rising = s.centralisation_target > s.centralisation
    stepped = (np.where(rising, np.minimum(s.centralisation_target, s.centralisation + step), s.centralisation)
               if np.count_nonzero(rising) else s.centralisation)  # most quarters no target is above the pooled share
    beyond = stepped * draw > sites  # more than the national sites can host: cut to what they can
    share_after = np.where(beyond, sites / np.maximum(draw, 1e-12), stepped) if np.count_nonzero(beyond) else stepped
    # the terms in order, those that are zero for every nation left out (most quarters have no recurring
    # subsidy, power programme or pay above the ruleset's): adding 0.0 to a non-negative cost changes nothing
    total = 0.0  # (`np.count_nonzero` of an array: what `.any()` says, for a third of its time)
    subsidies, power = bool(np.count_nonzero(s.subsidy_programme)), bool(np.count_nonzero(s.power_programme))
    if subsidies:
        total = s.subsidy_programme.sum(axis=1)
    if power:
        total = total + s.power_programme * static.nation_params.power_cost
    if np.count_nonzero(s.pay > static.nation_params.pay_index):
        total = total + _pay_costs(static, s.pay)
    cost, rent = _pooling_bill(static, s, share_after)
    return total + cost, share_after, sites, rent, subsidies, power


def charge(static: Static, s: WorldState, quarter: str) -> list[Event]:
    """Pay every nation's standing orders from this quarter's budget; returns events for any cut."""
    total, share_after, sites, rent, subsidies, power = _due(static, s)
    budget = np.maximum(s.budget, 0.0)
    short = total > budget
    events: list[Event] = []
    if not np.count_nonzero(short) and not subsidies:  # every order paid in full (most quarters): `paid` is 1.0
        if power:
            s.power_gw += s.power_programme  # x 1.0
        start = start_share(static)
        s.centralisation = np.where(share_after > start, start + (share_after - start), share_after)  # `rented_share` x 1.0
        s.national_site_gw = sites
        s.standing_cost = total
    else:
        paid = np.where(short, budget / np.maximum(total, 1e-12), 1.0)
        events += _cut(static, s, quarter, total, budget, paid)
        if power:
            s.power_gw += s.power_programme * paid
        s.centralisation = rented_share(static, share_after, paid)
        s.national_site_gw = np.where(paid < 1.0, s.national_site_gw + (sites - s.national_site_gw) * paid, sites)  # unpaid building waits
        s.standing_cost = total * paid
    # what the state paid; the labs spend it like any income (the rent of the share bought, unless cut)
    s.lab_subsidy += rent if s.centralisation.tobytes() == share_after.tobytes() else pooling_rent(static, s, s.centralisation)
    s.budget = s.budget - s.standing_cost
    return events


def _cut(static: Static, s: WorldState, quarter: str, total: np.ndarray, budget: np.ndarray, paid: np.ndarray) -> list[Event]:
    """Events for the nations that pay only part of their standing orders, and the recurring subsidies paid."""
    events = []
    for i in ((paid < 1.0) & (total > 1e-9)).nonzero()[0]:
        events.append(Event(s.turn, quarter, "policy", f"{static.nations[i]} can pay only {paid[i]:.0%} of its standing orders "
                            f"(${total[i]:.1f} bn due, ${budget[i]:.1f} bn of budget)", "its budget fell short", (static.nations[i],)))
    if np.count_nonzero(s.subsidy_programme):
        for employer in (s.subsidy_programme.sum(axis=0) > 0).nonzero()[0]:
            amount = float((s.subsidy_programme[:, employer] * paid).sum())
            pay_subsidy(static, s, int(employer), amount)
    return events
