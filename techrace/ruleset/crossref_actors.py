"""Cross-references the engine would otherwise ignore or crash on: no regulator, lab or chip firm at all, a
foundry with no site, the names a computer player's personality holds (a military move's shock, rules to
retaliate with), and a bloc that names itself among its rivals (its nations would be their own rivals: never
behind, the rival gap always 0).

The engine looks these names up with a silent `if name in ...` (a misspelt `retaliate_with` rule or
`military_move` shock turns the behaviour off without a word) or indexes a foundry's first site (a foundry
with `sites: {}` stops the game with an IndexError), so `check` says so where the modder wrote it.
"""

from __future__ import annotations

from typing import Any, Protocol

from techrace.ruleset.source import KeyPath


class Checker(Protocol):
    """What these checks need of `crossref_checker.Checker` (kept structural: no import needed)."""

    data: dict[str, Any]

    def error(self, path: KeyPath, message: str, knock_on: bool = False) -> None: ...

    def ref(self, path: KeyPath, value: Any, known: set[str], what: str) -> None: ...

    def removed(self, path: KeyPath) -> str | None: ...


def _mapping(data: Any, *path: str) -> dict[str, Any]:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


# Sections the engine cannot yet play without (it stops in the first turn: a KeyError without regulators, a
# TypeError in licensing without labs or chip firms), with what one entry needs.
NEEDED = {
    "regulators": ("regulator", "a regulator without rules does nothing: `BIS: {nation: US}`"),
    "labs": ("AI lab", "`ID: {name: ..., nation: ..., compute_h100e: ..., capital_usd_b_per_quarter: ...}`"),
    "chip_firms": ("chip firm", "`ID: {name: ..., nation: ..., skus: {...}, foundries: [...], target_units_per_quarter: ...}`"),
}


def actor_findings(c: Checker) -> None:
    """Every foundry has a site; every personality's move and retaliation name what exists; no bloc rivals itself;
    the sections the engine needs are not empty."""
    _needed_sections(c)
    _foundry_sites(c)
    _personality_names(c)
    _bloc_rivals(c)


def _needed_sections(c: Checker) -> None:
    """Emptied on purpose, the cause; left out (an `extends` misspelt, a file unread), what follows from another
    cause (`labs` and `chip_firms` are then missing keys already)."""
    for section, (what, example) in NEEDED.items():
        value = c.data.get(section)
        if value == {} or (value is None and section == "regulators"):
            c.error((section,), f"the game needs at least one {what} (it cannot yet play without one): {example}",
                    knock_on=value is None)


def _bloc_rivals(c: Checker) -> None:
    """A bloc's `rivals` are other blocs: its own members already share its lists, and as their own rivals every
    gap a policy or a victory condition reads would be 0."""
    for name, bloc in _mapping(c.data, "blocs").items():
        rivals = bloc.get("rivals") if isinstance(bloc, dict) else None
        for i, rival in enumerate(rivals) if isinstance(rivals, list) else []:
            if rival == name:
                c.error(("blocs", name, "rivals", i), f"a bloc cannot be its own rival: {name} names itself in `rivals` "
                                                      "(its nations would never trail anyone); list the other blocs it races")


def _foundry_sites(c: Checker) -> None:
    """A foundry or memory maker makes wafers at its sites: with none it has nowhere to build or produce."""
    for fid, firm in _mapping(c.data, "foundries").items():
        if isinstance(firm, dict) and isinstance(firm.get("sites"), dict) and not firm["sites"]:
            c.error(("foundries", fid, "sites"), "a foundry needs at least one site (`sites: {ID: {nation: ..., "
                                                 "capacity_wpm: {...}}}`); to drop the foundry, write `" + str(fid)
                    + ": !remove`")


def _personality_names(c: Checker) -> None:
    """`military_move` names a shock and `retaliate_with` names controls. A name a layer removed on purpose
    is fine (`no-controls` drops the rule the `retaliator` personality answers with: it then does nothing),
    and so is a shock that exists but no longer waits for a move (`taiwan-blockade-2027` schedules it). A
    malformed section (`controls:` left empty) is its own error: its names are not looked up."""
    shocks, controls = set(_mapping(c.data, "shocks")), set(_mapping(c.data, "controls"))
    sections = {"shocks": isinstance(c.data.get("shocks", {}), dict), "controls": isinstance(c.data.get("controls", {}), dict)}
    for pid, person in _mapping(c.data, "policies", "personalities").items():
        params = person.get("params") if isinstance(person, dict) else None
        if not isinstance(params, dict):
            continue
        base: KeyPath = ("policies", "personalities", pid, "params")
        move = params.get("military_move")
        if isinstance(move, str) and sections["shocks"] and not c.removed(("shocks", move)):
            c.ref(base + ("military_move",), move, shocks, "shock")
        for i, rule in enumerate(params.get("retaliate_with") or []) if isinstance(params.get("retaliate_with"), list) else []:
            if isinstance(rule, str) and sections["controls"] and not c.removed(("controls", rule)):
                c.ref(base + ("retaliate_with", i), rule, controls, "control")
