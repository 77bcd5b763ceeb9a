"""Fab grants: where a foundry's new fabs go once a nation has paid it to build at one of its sites.

A grant (levers/nation.py `FabGrant`) leaves the foundry owing the site fabs worth the grant divided by
`levers.grant_share_of_capex`: the share of a fab's cost a grant pays is what the firm asks for building away
from home, where a fab costs more (calibration.md §1c: US-made TSMC chips +5-20%, overseas fabs cut TSMC's
gross margin by 2-3 points; §1e TSMC Arizona's $65B for three fabs). The grant moves fabs the foundry's
forecast asks for anyway; it adds none (P), and a node's first fab stays at the home site, where the foundry
ramps new processes (P). A foreign foundry builds nothing at a site an export rule in force bars tools or their
servicing to (it could not equip the fabs): while one does, the debt waits and its fabs go where they would have (P).

A computer nation whose personality sets `fab_grant_share` pays grants itself (`grant_site` picks where): to the
foreign foundry on its soil with the most advanced capacity, as the CHIPS Act's awards went to TSMC Arizona and
Samsung Taylor and Japan's to TSMC Kumamoto (rulesets/baseline/policies.yaml `onshoring`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static

if TYPE_CHECKING:
    from techrace.core.model import WorldModel


def granted_sites(static: Static, s: WorldState, idx: np.ndarray, builders: np.ndarray, nodes: np.ndarray,
                  total: np.ndarray, wpm: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """The site of each new fab of `_build_fabs` (foundry row `builders` of `idx`, node `nodes`, `wpm[builders, nodes]`
    wafers a month; `total`: each row's capacity and construction by node). A fab that expands a node its foundry
    already makes or builds, of at most `levers.grant_max_node_nm`, goes to the foundry's site owed the most, while
    one is owed anything, and its whole cost (`capex_per_wpm` x wpm) is taken off what that site is owed; leading
    nodes are placed first, as they are paid for first. Other fabs keep `sites`. Only in quarters a grant is owed
    (a few fabs, one at a time); otherwise nothing else is read."""
    if not np.count_nonzero(s.site_grant):
        return sites
    foundries, expanding = idx[builders], total[builders, nodes] > 0
    cost_usd_b = static.capex_per_wpm[nodes] * wpm[builders, nodes] / 1e9
    placed = sites.copy()
    moved = expanding & (static.node_nm[nodes] <= static.ruleset.levers.grant_max_node_nm)
    open_debt = np.where(_equippable(static, s), s.site_grant, 0.0)
    for i in np.argsort(-nodes, kind="stable").tolist():
        if not moved[i]:
            continue
        owed = np.where(static.site_foundry == foundries[i], open_debt, 0.0)
        site = int(owed.argmax())
        if owed[site] <= 0.0:
            continue
        placed[i] = site
        s.site_grant[site] = open_debt[site] = max(float(owed[site] - cost_usd_b[i]), 0.0)
    return placed


def barring_rules(controls: Mapping[str, Mapping[str, Any]], status: Callable[[str], str], nation: str) -> list[str]:
    """The export rules (ids, in the rules' order) whose status is active and that bar tools or their servicing to
    fabs in `nation`: a foreign foundry will not equip fabs there (the lever's refusal and the placement's)."""
    return [rid for rid, rule in controls.items() if rule.get("kind") in ("tool_list", "servicing_ban")
            and rule.get("scope", "exports") == "exports" and nation in rule.get("destinations", ())
            and status(rid) == "active"]


def _equippable(static: Static, s: WorldState) -> np.ndarray:
    """(site,) whether the site's foundry may equip new fabs there: its home nation's, or a nation no rule in force
    bars tools to (read only for the sites owed a grant, in the quarters one is owed)."""
    foreign = static.site_nation != static.foundry_nation[static.site_foundry]
    barred = {int(n) for n in np.unique(static.site_nation[(s.site_grant > 0) & foreign]).tolist()
              if barring_rules(s.controls, lambda rid: s.control_status.get(rid, ""), static.nations[n])}
    return ~(foreign & np.isin(static.site_nation, sorted(barred)))


def grant_site(model: WorldModel, n: int) -> str | None:
    """Where nation `n`'s computer player pays a fab grant: among the sites on its soil of foreign logic foundries,
    the one of the foundry with the most advanced capacity (at most `levers.grant_max_node_nm`, the fabs a grant
    moves) in the world, and of its sites there the one with the most. None when no such foundry makes advanced
    nodes, when an export rule in force bars tools to fabs in the nation (the foundry would refuse), or when the
    site is still owed fabs from an earlier grant (the next grant waits until they are placed)."""
    static, s = model.static, model.state
    candidates = _foreign_logic_sites(static, n)
    if not candidates:
        return None
    per_site = s.capacity @ (static.node_nm <= static.ruleset.levers.grant_max_node_nm)
    per_foundry = static.by_foundry(per_site)
    site = max(candidates, key=lambda i: (per_foundry[static.site_foundry[i]], per_site[i]))  # the first of equals
    if per_foundry[static.site_foundry[site]] <= 0.0 or s.site_grant[site] > 0.0:
        return None
    from techrace.core.levers.controls import status_this_quarter

    # the rules in force as the lever's refusal reads them
    if barring_rules(s.controls, lambda rid: status_this_quarter(model, rid), static.nations[n]):
        return None
    return static.sites[site]


def _foreign_logic_sites(static: Static, n: int) -> list[int]:
    """Sites in nation `n` owned by logic foundries of other nations (once a game)."""
    key = ("foreign_logic_sites", n)
    found = static.cache.get(key)
    if found is None:
        owner = static.site_foundry
        foreign = (static.site_nation == n) & (static.foundry_nation[owner] != n) & (static.foundry_is_memory[owner] == 0)
        found = static.cache[key] = np.flatnonzero(foreign).tolist()
    return found
