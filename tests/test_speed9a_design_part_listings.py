"""The licences' design part that starts from the leading entity listings' per-firm products (`_design_rules`
merges the listings before any other rule) is, bit for bit, the design part worked out rule by rule from tables
of ones; and the licences built from the two cached parts without keyword arguments are the dataclass of them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.mechanisms import controls
from techrace.ruleset import load_ruleset


def _played(ruleset: str, turns: int) -> tuple[Game, list[tuple]]:
    """A game `turns` quarters in and its active rules (`controls._active`)."""
    game = Game.from_ruleset(load_ruleset(ruleset), seed=1)
    game.run(turns)
    static, s = game.model.static, game.model.state
    rules = (tuple(sorted(s.control_status.items())),
             tuple([(rid, r.get("licence_share"), r.get("licence_revenue_share")) for rid, r in s.controls.items()]))
    return game, controls._active(static, s, controls._rules_token(static, rules))[0]


def _one_by_one(static, active: list) -> list[tuple]:  # noqa: ANN001 - Static
    """The design rules with every listing an entry of its own, in the rules' order (nothing merged)."""
    found = []
    for rule, reach, dest, block in active:
        enforcement = static.ruleset.regulators[rule["regulator"]].enforcement
        if rule["kind"] == "chip_threshold":
            found.append(("chip_threshold", rule, reach, dest[static.lab_nation], block))
        elif rule["kind"] == "foundry_rule":
            found.append(("foundry_rule", rule, reach[static.foundry_nation], dest, block * enforcement))
        elif rule["kind"] == "entity_list":
            found.append(("entity_list", *controls._listing_by_firm(static, rule, reach, dest, block * enforcement)))
    return found


def _handing(monkeypatch: pytest.MonkeyPatch, tables: list[tuple], make: Callable[[], list[tuple]]) -> list[tuple]:
    """`make()` with `tables` handed out as the listings' per-firm shares, in the rules' order."""
    handed = iter(tables)
    monkeypatch.setattr(controls, "_listing_by_firm", lambda *_: next(handed))
    try:
        return make()
    finally:
        monkeypatch.undo()


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].tobytes() == b[name].tobytes(), name


@pytest.mark.parametrize(("ruleset", "turns"), [("baseline", 8), ("full-decoupling", 6), ("h20-deal", 5), ("no-controls", 2)])
def test_the_design_part_from_the_leading_listings_is_the_part_rule_by_rule(ruleset: str, turns: int) -> None:
    game, active = _played(ruleset, turns)
    static, s = game.model.static, game.model.state
    merged = controls._design_rules(static, active, object())
    _same(controls._design_part(static, s, merged), controls._design_part(static, s, _one_by_one(static, active)))


def test_listings_with_partial_shares_multiply_in_the_rules_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listings that let through odd shares, before and after a chip threshold: products that round."""
    game, active = _played("baseline", 8)
    static, s = game.model.static, game.model.state
    rng = np.random.default_rng(3)
    nf, nc, nl = len(static.foundries), len(static.chip_firms), len(static.labs)
    shares = np.array([0.0, 0.1, 1 / 3, 0.7, 0.9999, 1.0])
    listing = next(entry for entry in active if entry[0]["kind"] == "entity_list")
    others = [entry for entry in active if entry[0]["kind"] != "entity_list"]
    for rules in ([listing] * 3 + others, [listing, *others, listing], [*others, listing, listing], [listing]):
        tables = [(rng.choice(shares, (nf, nc)), rng.choice(shares, (nc, nl))) for _ in rules]
        merged = _handing(monkeypatch, tables, lambda: controls._design_rules(static, rules, object()))  # noqa: B023
        one_by_one = _handing(monkeypatch, tables, lambda: _one_by_one(static, rules))  # noqa: B023
        assert (merged[0][0] == "listings") == (rules[0][0]["kind"] == "entity_list")
        _same(controls._design_part(static, s, merged), controls._design_part(static, s, one_by_one))


def test_licences_from_the_parts_are_the_dataclass_of_the_parts() -> None:
    game = Game.from_ruleset(load_ruleset("h20-deal"), seed=1)
    game.run(5)
    lic = controls.compute_licences(game.model.static, game.model.state)
    fields = [field.name for field in dataclasses.fields(controls.Licences)]
    assert sorted(vars(lic)) == sorted(fields)
    built = controls.Licences(**{name: getattr(lic, name) for name in fields})
    assert all(getattr(built, name) is getattr(lic, name) for name in fields)
    assert repr(built) == repr(lic)
