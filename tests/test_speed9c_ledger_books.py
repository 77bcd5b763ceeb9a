"""The subsidy ledger over several books with firms paid again and again leaves the state paying one by one leaves."""

from __future__ import annotations

from core_helpers import baseline

from techrace.core import Action, Game
from techrace.core.levers import LEVERS
from techrace.core.levers.base import firm_ids
from techrace.core.levers.nation import SubsidyLedger

RULESET = baseline()
PAID_INTO = ("budget", "cash", "subsidy", "toolmaker_subsidy", "chip_subsidy", "lab_subsidy")


def test_repeated_firms_over_several_books_leave_the_state_of_paying_one_by_one() -> None:
    one_by_one, bulk = Game.from_ruleset(RULESET, seed=2).model, Game.from_ruleset(RULESET, seed=2).model
    firms = firm_ids(RULESET)
    us = [fid for fid, nation in firms.items() if nation == "US"]
    cn = [fid for fid, nation in firms.items() if nation == "CN"]
    ledger, subsidy = SubsidyLedger(bulk), LEVERS["subsidy"]
    for book in range(3):
        for k in range(12):
            nation, firm = ("US", us[k % len(us)]) if k % 3 else ("CN", cn[(k + book) % len(cn)])
            action = Action("subsidy", nation, {"firm": firm, "usd_b": 0.01 * (k + 1) + 1e-3 * book})
            n = one_by_one.static.nations.index(nation)
            subsidy.apply(one_by_one, action)
            assert ledger.holds(n, action) is True
        ledger.book()
        bulk.state.cash[0] += 0.25  # something else moves the state between books, as another order would
        one_by_one.state.cash[0] += 0.25
        for name in PAID_INTO:
            assert getattr(bulk.state, name).tobytes() == getattr(one_by_one.state, name).tobytes(), (book, name)
