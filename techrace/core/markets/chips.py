"""The accelerator market: chip firms' stock sold to labs under export controls.

Each lab spends its quarterly capital across the accelerators it may buy, weighted towards
H100-equivalents per dollar, within the power it can connect. Controlled sales are licensed in part
(licence exceptions, with a revenue share to the regulator's government); a set share of blocked
demand leaks through the grey market at a premium. A second pass spends what the controls left unspent on what the lab may legally buy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from techrace.core.markets.cutoff import record_cutoff
from techrace.core.mechanisms.controls import Licences
from techrace.core.state import CUTOFF_KINDS, WorldState
from techrace.core.static import Static


def h100_equivalents(static: Static, s: WorldState) -> np.ndarray:
    return s.sku_tflops * 16.0 / static.ruleset.technology.h100_tpp


def eligibility(static: Static, s: WorldState) -> np.ndarray:
    """(sku, lab): the lab would buy this design at all (captive designs, bloc preferences)."""
    # a retired design is still sold until its stock is gone
    live = (s.sku_used > 0) & (s.sku_ready_turn <= s.turn) & ((s.sku_active > 0) | (s.accel_stock >= 1.0))
    key = ("buyers", s.sku_firm.tobytes())  # kept by the slots' firms as stored (the same firms, the same bytes)
    buyers = static.cache.get(key)
    if buyers is None:
        buyers = static.cache[key] = _static_buyers(static, s.sku_firm.astype(np.int64))
    return buyers & live[:, None]


def _static_buyers(static: Static, firm: np.ndarray) -> np.ndarray:
    """(sku, lab): each design slot takes its firm's row of `_buyers_by_firm` (a slot of no known firm: nobody)."""
    by_firm = _buyers_by_firm(static)
    ok = np.zeros((static.sku_capacity, len(static.labs)), dtype=bool)
    known = (firm >= 0) & (firm < len(by_firm))
    ok[known] = by_firm[firm[known]]
    return ok


def _buyers_by_firm(static: Static) -> np.ndarray:
    """(chip firm, lab): the lab would buy the firm's designs (its captive labs, bloc preferences); once a game, read-only."""
    table = static.cache.get("buyers_by_firm")
    if table is None:
        rs, nl = static.ruleset, len(static.labs)
        table = np.zeros((len(static.chip_firms), nl), dtype=bool)
        for ci, cid in enumerate(static.chip_firms):
            captive = rs.chip_firms[cid].captive_labs
            mask = np.array([lab in captive for lab in static.labs]) if captive else np.ones(nl, dtype=bool)
            table[ci] = mask & static.blocs.accelerator_buyer[ci]  # e.g. §4c: Ascend use "anywhere" risks the EAR
        table.flags.writeable = False
        static.cache["buyers_by_firm"] = table
    return table


def chip_market(static: Static, s: WorldState, lic: Licences, budget: np.ndarray, power_room_gw: np.ndarray,
                eligible: np.ndarray | None = None) -> None:
    """Two passes. First each lab spends as if there were no controls; licences then let through the
    legal share of each purchase and the grey market a set share of the blocked rest, at a premium.
    Second, what the controls left unspent goes to designs the lab may legally buy.

    Only the designs some lab may buy take part (`_Offer`): every other design's row of every table is 0,
    and the sums over designs add them one after another, so leaving out zeros changes no figure."""
    market = static.ruleset.market
    eligible = eligibility(static, s) if eligible is None else eligible
    offer = _offer(static, s, lic, eligible)
    price = np.maximum(offer.sku_price, 1.0)
    h100e = offer.sku_tflops * 16.0 / static.ruleset.technology.h100_tpp
    value = np.where(offer.sku_price > 0, h100e / price, 0.0)
    unrestricted = offer.eligible.astype(np.float64)  # once as 1.0 / 0.0: the products below skip numpy's cast from bool
    _record_chip_cutoff(static, s, offer, unrestricted, value)
    shape = offer.eligible.shape
    preference = _spread(static.buyer_preference[offer.sku_firm.astype(np.int64)], shape)
    price_each = _spread(price, shape)
    s.sku_wanted = _whole(offer.rows, _notional_demand(static, offer, unrestricted, value, budget, preference, price_each),
                          len(eligible))
    kw = _spread(offer.sku_power * market.accelerator_overhead_kw_per_board_kw / 1e9, shape)
    made_at_home = (h100e * offer.sku_domestic)[:, None] * offer.home
    goods = _Goods(value, preference, _spread(h100e, shape), price_each, kw, made_at_home)
    room, remaining = power_room_gw, budget  # each pass returns new arrays and changes neither in place
    passes = ((unrestricted, offer.chip_allowed, offer.chip_grey), (unrestricted * offer.chip_allowed, None, None))
    bought_h100e = np.zeros(len(static.labs))
    domestic_h100e = np.zeros(len(static.labs))
    for channel, legal_share, grey_share in passes:
        room, remaining, gained, made_at_home = _spend(static, s, lic, offer, channel, legal_share, grey_share, goods, room,
                                                       remaining, market.grey_market_premium)
        bought_h100e += gained
        domestic_h100e += made_at_home
    s.chip_spend = (budget - remaining) / 1e9
    s.accel_bought = static.lab_to_nation @ bought_h100e
    s.accel_domestic = static.lab_to_nation @ domestic_h100e


class _Offer(NamedTuple):
    """The rows of the designs some lab may buy (`rows`; None: all of them) of what the market reads per design."""

    rows: np.ndarray | None
    sku_tflops: np.ndarray
    sku_price: np.ndarray
    sku_firm: np.ndarray
    sku_power: np.ndarray
    sku_domestic: np.ndarray
    eligible: np.ndarray
    chip_allowed: np.ndarray
    chip_grey: np.ndarray
    chip_channel: np.ndarray
    home: np.ndarray


def _offer(static: Static, s: WorldState, lic: Licences, eligible: np.ndarray) -> _Offer:
    rows = np.logical_or.reduce(eligible, axis=1).nonzero()[0]  # `.any(axis=1)`, without its wrapper
    home = home_made(static, s)
    tables = (s.sku_tflops, s.sku_price, s.sku_firm, s.sku_power, s.sku_domestic, eligible, lic.chip_allowed, lic.chip_grey,
              lic.chip_channel, home)
    if len(rows) in (0, len(eligible)):  # nothing to leave out (or nothing to buy: the market runs on zeros)
        return _Offer(None, *tables)
    # the rows of each table: `take` for (design, lab) tables, a fancy index for per-design ones (the same rows; each the cheaper call)
    return _Offer(rows, *[table.take(rows, axis=0) if table.ndim > 1 else table[rows] for table in tables])


def _spread(per_design: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A per-design figure as a (design, lab) table: each pass reads it several times, and a table as large as
    the other operand multiplies faster than a column numpy must broadcast (the same products)."""
    return per_design.repeat(shape[1]).reshape(shape)  # each design's figure once per lab, in one copy


def _whole(rows: np.ndarray | None, part: np.ndarray, size: int) -> np.ndarray:
    """A per-design table of the offered designs spread over all `size` design slots (0 where not offered)."""
    if rows is None:
        return part
    whole = np.zeros((size, *part.shape[1:]))
    whole[rows] = part
    return whole


def home_made(static: Static, s: WorldState) -> np.ndarray:
    """(sku, lab): the design's firm is headquartered in the lab's nation (read-only, kept by the slots' firms)."""
    key = ("home_made", s.sku_firm.tobytes())  # as stored (the same firms, the same bytes)
    home = static.cache.get(key)
    if home is None:
        home = static.cache[key] = static.chip_firm_nation[s.sku_firm.astype(np.int64)][:, None] == static.lab_nation[None, :]
        home.flags.writeable = False
    return home


def _weights(static: Static, value: np.ndarray, preference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sku, lab) share of each lab's spending per design, and each lab's total score: by value (H100e per
    dollar through the channel it is offered by, 0 where it is not offered) times buyers' (sku, 1) preference
    for the firm, ignoring designs worth under `market.dominated_value_share` of the best value offered (nobody
    in the US buys an H20 while B200s are on offer). Every value is finite and at least 0 and every preference
    above 0, so a lab with no score has only zeros to divide (its shares come out 0 without a `where`)."""
    best = np.maximum.reduce(value, axis=0)
    score = value * preference
    score *= (value >= static.ruleset.market.dominated_value_share * best).astype(np.float64)  # cast once: faster than in the product
    total = np.add.reduce(score, axis=0)
    score /= np.maximum(total, 1e-30)
    return score, total


def _notional_demand(static: Static, offer: _Offer, eligible: np.ndarray, value: np.ndarray, budget: np.ndarray,
                     preference: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Units of each offered design labs would buy this quarter if every design were in stock: each lab's whole
    budget split over what it may buy (legally or through the grey market), valued per dollar through the
    legal share at list price plus the grey share at a premium (`Licences.chip_channel`). This is the demand
    chip firms forecast (stock and power limits are theirs and the labs' constraints, not demand). `eligible` is the
    offer's eligibility as 1.0 / 0.0."""
    weight = _weights(static, eligible * value[:, None] * offer.chip_channel, preference)[0]
    return np.add.reduce(budget[None, :] * weight / price, axis=1)


class _Goods(NamedTuple):
    """What every pass of the market reads per design: H100e per dollar (per design), and as (design, lab)
    tables buyers' preference, H100e per unit, price (at least a dollar), GW per unit, and H100e per unit made
    in the designer's nation where the designer is of the lab's nation (0 elsewhere)."""

    value: np.ndarray
    preference: np.ndarray
    h100e: np.ndarray
    price: np.ndarray
    kw: np.ndarray
    made_at_home: np.ndarray


def _spend(static: Static, s: WorldState, lic: Licences, offer: _Offer, channel: np.ndarray, legal_share: np.ndarray | None,
           grey_share: np.ndarray | None, goods: _Goods, room: np.ndarray, remaining: np.ndarray,
           premium: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass of the labs' spending: (power room left, budget left, H100e gained per lab, of which made at home).
    The second pass (`legal_share` and `grey_share` None: all legal, nothing grey) skips the grey arithmetic,
    which would only add zeros."""
    value, preference, h100e, price, kw, made_at_home = goods
    stock = s.accel_stock if offer.rows is None else s.accel_stock[offer.rows]
    # a design is offered where the channel is open and one unit is in stock (value * channel is 0 elsewhere)
    weight, total = _weights(static, np.where(stock >= 1.0, value, 0.0)[:, None] * channel, preference)
    if not np.count_nonzero(total):  # `total.any()`, without its wrapper
        nothing = np.zeros_like(weight)
        return room, remaining, np.add.reduce(nothing * h100e, axis=0), np.add.reduce(nothing * made_at_home, axis=0)
    grey = grey_share is not None
    wanted = remaining * weight / price
    units_legal = wanted if legal_share is None else wanted * legal_share
    units_grey = wanted * grey_share if grey else None
    gw = np.add.reduce((units_legal + units_grey if grey else units_legal) * kw, axis=0)
    scale = np.where(gw > 0, np.minimum(1.0, np.maximum(room, 0.0) / np.maximum(gw, 1e-12)), 1.0)
    units_legal = _tier_caps(static, s, lic, offer, units_legal * scale)
    units_grey = units_grey * scale if grey else None
    fill = _fill(stock, np.add.reduce(units_legal + units_grey if grey else units_legal, axis=1))[:, None]
    bought_legal = units_legal * fill
    bought_grey = units_grey * fill if grey else None
    bought = bought_legal + bought_grey if grey else bought_legal
    sold = _whole(offer.rows, np.add.reduce(bought, axis=1), len(s.accel_stock))
    s.accel_stock = np.maximum(s.accel_stock - sold, 0.0)
    s.accel_sold += sold
    terms, per_lab = _per_lab(goods, bought, bought_legal, bought_grey, premium)
    gained, power, spent = per_lab[0], per_lab[1], per_lab[2]
    s.compute += gained
    s.bought_h100e += gained
    s.compute_bought += gained
    s.lab_power += power
    paid_legal = terms[2]
    if grey:
        s.grey_h100e += per_lab[3]
        spent = spent + per_lab[4]
    # in the first pass the blocked, non-leaking part of each purchase is left for the second pass
    paid, payees = lic.chip_paid, lic.chip_payees
    if len(payees):
        income = _whole(offer.rows, paid_legal, len(s.accel_stock)) * lic.chip_revenue_share / 1e9
        np.add.at(s.licence_income, payees, income[paid])
    return room - power, np.maximum(remaining - spent, 0.0), gained, per_lab[-1]


def _per_lab(goods: _Goods, bought: np.ndarray, bought_legal: np.ndarray, bought_grey: np.ndarray | None,
             premium: float) -> tuple[np.ndarray, np.ndarray]:
    """What a pass's purchases come to, (term, sku, lab) and summed over designs (term, lab): H100e gained, GW
    drawn, dollars paid at list price, with a grey share H100e and dollars through the grey market, and last
    H100e made at home (by foundries of the designer's nation, for a designer of the lab's nation). One
    reduction for all the terms instead of one each (the reductions are most of a pass's cost); numpy adds
    each term's designs in the same order as that term's own `.sum(axis=0)`, so the figures are the same bit for bit."""
    terms = np.empty((4 if bought_grey is None else 6, *bought.shape))
    np.multiply(bought, goods.h100e, out=terms[0])
    np.multiply(bought, goods.kw, out=terms[1])
    np.multiply(bought_legal, goods.price, out=terms[2])
    if bought_grey is not None:
        np.multiply(bought_grey, goods.h100e, out=terms[3])
        np.multiply(bought_grey, goods.price, out=terms[4])
        terms[4] *= premium
    np.multiply(bought, goods.made_at_home, out=terms[-1])  # bought x domestic x home, in one product (home is 1 or 0)
    return terms, np.add.reduce(terms, axis=1)


def _fill(stock: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Share of each design's wanted units its stock can fill (a design nobody wants gets a share it multiplies only zeros by)."""
    return np.minimum(1.0, stock / np.maximum(want, 1e-12))


def _tier_caps(static: Static, s: WorldState, lic: Licences, offer: _Offer, legal: np.ndarray) -> np.ndarray:
    """Scale legal imports of capped nations (country tiers) from foreign designers down to the cap (in place).
    Over every design slot: a nation's imports are one sum over (design, lab), whose order counts."""
    capped = lic.tier_capped
    if not len(capped):
        return legal
    whole = _whole(offer.rows, legal, len(s.sku_firm))
    h100e = h100_equivalents(static, s)
    firm_nation = static.chip_firm_nation[s.sku_firm.astype(np.int64)]
    for n in capped:
        labs = static.lab_nation == n
        foreign = firm_nation != n
        imported = (whole[np.ix_(foreign, labs)] * h100e[foreign, None]).sum()
        if imported > lic.tier_cap[n]:
            factor = lic.tier_cap[n] / imported
            whole[np.ix_(foreign, labs)] *= factor
    if offer.rows is None:
        return whole
    legal[...] = whole[offer.rows]
    return legal


def _record_chip_cutoff(static: Static, s: WorldState, offer: _Offer, eligible: np.ndarray, value: np.ndarray) -> None:
    """Each nation's share of its labs' demand score (stock x value squared, where eligible: `eligible` is the offer's
    eligibility as 1.0 / 0.0) that licences block."""
    # the score and its blocked part summed over designs in one reduction (the same order as two `.sum(axis=0)`)
    stock = s.accel_stock if offer.rows is None else s.accel_stock[offer.rows]
    score = np.empty((2, *offer.eligible.shape))
    np.multiply(eligible, (np.maximum(stock, 1.0) * value**2)[:, None], out=score[0])
    np.multiply(score[0], 1.0 - offer.chip_allowed, out=score[1])
    total, blocked = np.add.reduce(score, axis=1)
    b = static.lab_to_nation @ blocked
    t = static.lab_to_nation @ total
    column = CUTOFF_KINDS.index("chips")
    record_cutoff(s, column, b, t, 1e-30, static.ruleset.industry.cutoff_memory)
