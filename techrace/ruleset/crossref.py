"""Cross-reference checks the per-field schema cannot make: every name must name something that exists.

They run on the merged raw data (not the validated model) so that they report alongside schema errors
in one pass; every access is defensive because the data may also be malformed. This module runs them
all and checks the world's entries (firms, policies, blocs, victory, tools, calendar, calibration);
`crossref_rules` checks controls, shocks and conditions, `crossref_actors` what the engine would crash on or
silently ignore, and `crossref_checker` holds the machinery they share.
"""

from __future__ import annotations

from typing import Any

from techrace.ruleset.crossref_actors import actor_findings
from techrace.ruleset.crossref_checker import Checker, Removed, entries, is_quarter, names, nearest
from techrace.ruleset.crossref_rules import check_condition, check_controls, check_shocks
from techrace.ruleset.locate import Finding, render
from techrace.ruleset.policies import (
    ACTOR_SECTIONS,
    PERSONALITY_KINDS,
    known_policy_names,
    registered_policy_names,
)
from techrace.ruleset.schema import LAST_QUARTER, TOOL_KINDS, quarter_index, quarter_label
from techrace.ruleset.source import KeyPath, Mark


def reference_findings(data: dict[str, Any], removed: Removed = lambda path: None) -> list[Finding]:
    """Names that point at nothing, rules that cannot act, nodes nobody can equip, unknown policies and
    games that run past the calendar. A removal that leaves names dangling is reported at the removal."""
    c = Checker(data, removed)
    _firms(c)
    check_controls(c)
    check_shocks(c)
    _market_and_tools(c)
    _policies(c)
    actor_findings(c)
    _blocs_and_victory(c)
    _calibration(c)
    _calendar(c)
    for entry, paths in c.dangling.items():
        shown = ", ".join(".".join(str(p) for p in path) for path in paths[:4]) + (", ..." if len(paths) > 4 else "")
        c.error(entry, f"removed here, but still named in {len(paths)} place(s): {shown} — remove or change those too")
    return c.findings


def check_references(data: dict[str, Any], where: dict[KeyPath, Mark], fallback: Mark,
                     removed: Removed = lambda path: None) -> list[str]:
    """`reference_findings` as located lines."""
    return render(reference_findings(data, removed), where, fallback)


def _policies(c: Checker) -> None:
    """Policy names must be registered (entry points) or defined by the ruleset; no core import needed."""
    policies = c.data.get("policies") if isinstance(c.data.get("policies"), dict) else {}
    used = [(kind, name) for kind, name in policies.items() if isinstance(name, str)]
    used += [(kind, actor.get("policy")) for section, kind in ACTOR_SECTIONS.items() for _, actor in entries(c.data, section)
             if isinstance(actor.get("policy"), str)]
    known = known_policy_names(c.data, everywhere=False)  # techrace's own names first: no scan of every package
    if any(name not in known.get(kind, ()) for kind, name in used):
        known = known_policy_names(c.data)
    for kind, name in policies.items():
        if isinstance(name, str) and kind in known and name not in known[kind]:
            # every name: a modder picks from a dozen personalities, not from thousands of ids
            c.error(("policies", kind), f"unknown {kind} policy {name!r}{nearest(name, known[kind], count=len(known[kind]))}")
    registered = registered_policy_names()
    for pid, person in entries(c.data, "policies", "personalities"):
        kind, base = person.get("kind"), person.get("policy", "default")
        if kind in PERSONALITY_KINDS and isinstance(base, str) and base not in registered.get(kind, ()):
            c.error(("policies", "personalities", pid, "policy"),
                    f"unknown {kind} policy {base!r} (a personality parameterises a Python policy){nearest(base, registered.get(kind, ()))}")
    _actor_policies(c, known)


def _actor_policies(c: Checker, known: dict[str, set[str]]) -> None:
    """Each actor's `policy` names a policy of its kind. A personality whose own `kind` is wrong is reported
    there (the schema's error is the cause); naming it here is not a second error."""
    kinds = {pid: person.get("kind") for pid, person in entries(c.data, "policies", "personalities")}
    for section, kind in ACTOR_SECTIONS.items():
        for aid, actor in entries(c.data, section):
            name = actor.get("policy")
            if not isinstance(name, str) or name in known.get(kind, ()) or kinds.get(name, "nation") not in PERSONALITY_KINDS:
                continue
            what = (f"{name!r} is a {kinds[name]} personality (policies.personalities.{name}.kind); a {kind} needs a "
                    f"{kind} policy" if name in kinds else f"unknown {kind} policy {name!r}")
            c.error((section, aid, "policy"), what + nearest(name, known.get(kind, ())))


def _blocs_and_victory(c: Checker) -> None:
    """Nations name blocs that exist; bloc lists name blocs; victory conditions name nations."""
    blocs = names(c.data, "blocs") if "blocs" in c.data else {"us_allied", "china", "neutral"}
    for code, nation in entries(c.data, "nations"):
        c.ref(("nations", code, "bloc"), nation.get("bloc"), blocs, "bloc")
        c.keys(("nations", code, "diaspora"), nation.get("diaspora"), c.nations, "nation")
        if isinstance(nation.get("diaspora"), dict) and code in nation["diaspora"]:
            c.error(("nations", code, "diaspora", code), f"a nation's diaspora is born elsewhere: {code} cannot be its own origin")
    for name, bloc in entries(c.data, "blocs"):
        for field in ("rivals", "tool_sources", "accelerator_buyers", "ai_market_open_to", "poaches_from"):
            c.refs(("blocs", name, field), bloc.get(field), blocs, "bloc")
    for cid, cond in entries(c.data, "victory"):
        for field in ("nations", "rivals"):
            c.refs(("victory", cid, field), cond.get(field), c.nations, "nation")
        check_condition(c, ("victory", cid, "when"), cond.get("when"))
        if cond.get("kind") == "condition" and not isinstance(cond.get("when"), dict):
            c.error(("victory", cid), "a condition victory needs `when` (the comparisons that must hold)")
        if cond.get("kind") == "condition" and not cond.get("nations"):
            c.error(("victory", cid), "a condition victory needs `nations`: who wins when it holds")


def _calendar(c: Checker) -> None:
    start, turns = c.data.get("start_quarter", "2025Q1"), c.data.get("turns", 44)
    if is_quarter(start) and isinstance(turns, int) and not isinstance(turns, bool) and turns >= 1:
        room = quarter_index(LAST_QUARTER, start) + 1
        if turns > room:
            c.error(("turns",), f"{turns} turns from {start} run past the last quarter of the calendar, {LAST_QUARTER} "
                                f"(at most {room} turns from {start})")


def _firms(c: Checker) -> None:
    for fid, firm in entries(c.data, "foundries"):
        base = ("foundries", fid)
        c.ref(base + ("nation",), firm.get("nation"), c.nations, "nation")
        c.refs(base + ("nodes_mastered",), firm.get("nodes_mastered"), c.nodes, "node")
        c.keys(base + ("rd_progress",), firm.get("rd_progress"), c.nodes, "node")
        c.keys(base + ("d0",), firm.get("d0"), c.nodes, "node")
        c.ref(base + ("hbm_generation",), firm.get("hbm_generation"), c.hbm, "HBM generation")
        for sid, site in entries(c.data, "foundries", fid, "sites"):
            c.ref(base + ("sites", sid, "nation"), site.get("nation"), c.nations, "nation")
            c.keys(base + ("sites", sid, "capacity_wpm"), site.get("capacity_wpm"), c.nodes, "node")
            building = site.get("under_construction") if isinstance(site.get("under_construction"), list) else []
            for i, fab in enumerate(building):  # the engine looks each node up when it builds the start state
                c.ref(base + ("sites", sid, "under_construction", i, "node"), fab.get("node") if isinstance(fab, dict) else None,
                      c.nodes, "node")
    for section in ("toolmakers", "chip_firms", "labs"):
        for fid, firm in entries(c.data, section):
            c.ref((section, fid, "nation"), firm.get("nation"), c.nations, "nation")
    logic = {fid for fid, f in entries(c.data, "foundries") if f.get("kind", "logic") == "logic"}
    for fid, firm in entries(c.data, "chip_firms"):
        base = ("chip_firms", fid)
        c.refs(base + ("foundries",), firm.get("foundries"), c.foundries, "foundry")
        for i, name in enumerate(firm.get("foundries") or []) if isinstance(firm.get("foundries"), list) else []:
            if isinstance(name, str) and name in c.foundries and name not in logic:
                c.error(base + ("foundries", i), f"{name!r} is a memory maker, not a logic foundry")
        c.refs(base + ("captive_labs",), firm.get("captive_labs"), c.labs, "lab")
        for sku_id, sku in entries(c.data, "chip_firms", fid, "skus"):
            c.ref(base + ("skus", sku_id, "node"), sku.get("node"), c.nodes, "node")
            c.ref(base + ("skus", sku_id, "hbm_generation"), sku.get("hbm_generation"), c.hbm, "HBM generation")
            stacks = sku.get("hbm_stacks")
            if isinstance(stacks, int) and stacks > 0 and sku.get("hbm_generation") is None:
                c.error(base + ("skus", sku_id, "hbm_stacks"), "a chip with HBM stacks needs `hbm_generation`")
    for rid, reg in entries(c.data, "regulators"):
        c.ref(("regulators", rid, "nation"), reg.get("nation"), c.nations, "nation")
        c.refs(("regulators", rid, "fdpr_reach"), reg.get("fdpr_reach"), c.nations, "nation")


def _market_and_tools(c: Checker) -> None:
    market = c.data.get("market") if isinstance(c.data.get("market"), dict) else {}
    c.keys(("market", "ai_share_of_node"), market.get("ai_share_of_node"), c.nodes, "node")
    c.keys(("market", "trailing_demand_wpm"), market.get("trailing_demand_wpm"), c.nodes, "node")
    available: set[str] = set()
    for _, maker in entries(c.data, "toolmakers"):
        for section in ("makes", "developing"):
            if isinstance(maker.get(section), dict):
                available |= set(maker[section])
    for nid, node in entries(c.data, "technology", "nodes"):
        tools = node.get("tools_per_kwpm") if isinstance(node.get("tools_per_kwpm"), dict) else {}
        needed = {k for k in TOOL_KINDS if isinstance(tools.get(k), int | float) and tools[k] > 0}
        multipatterning = node.get("multipatterning") if isinstance(node.get("multipatterning"), dict) else {}
        if node.get("needs_euv") and multipatterning.get("allowed"):
            needed.discard("euv")  # the DUV path can make it without EUV
        elif node.get("needs_euv"):
            needed.add("euv")
        missing = sorted(needed - available)
        if missing:
            c.error(("technology", "nodes", nid, "tools_per_kwpm"),
                    f"no toolmaker makes or develops {', '.join(missing)}: no fab can ever equip node {nid}"
                    + (" (allow multipatterning to make it without EUV)" if "euv" in missing else ""), knock_on=True)
    tech = c.data.get("technology") if isinstance(c.data.get("technology"), dict) else {}
    hbm_tools = tech.get("hbm_tools_per_kwpm")
    memory = [fid for fid, f in entries(c.data, "foundries") if f.get("kind") == "memory"]
    if memory and isinstance(hbm_tools, dict):
        missing = sorted(k for k in TOOL_KINDS if isinstance(hbm_tools.get(k), int | float) and hbm_tools[k] > 0 and k not in available)
        if missing:
            c.error(("technology", "hbm_tools_per_kwpm"),
                    f"no toolmaker makes or develops {', '.join(missing)}: no memory maker can ever equip HBM lines", knock_on=True)


def _calibration(c: Checker) -> None:
    """Calibration checks read nations that exist."""
    for cid, check in entries(c.data, "calibration"):
        measure = check.get("measure") if isinstance(check.get("measure"), dict) else {}
        if measure.get("nations") != "all":
            c.refs(("calibration", cid, "measure", "nations"), measure.get("nations"), c.nations, "nation")


def calibration_quarter_errors(data: dict[str, Any], where: dict[KeyPath, Mark], fallback: Mark) -> list[str]:
    """Located messages for calibration checks that read quarters the game does not play.

    Not part of the reference checks: a mod that shortens or moves the game stays a valid ruleset (its
    inherited checks are simply unusable); `techrace calibrate` refuses it with these lines.
    """
    c = Checker(data, lambda path: None)
    start, turns = data.get("start_quarter", "2025Q1"), data.get("turns", 44)
    if not is_quarter(start) or not isinstance(turns, int) or isinstance(turns, bool):
        return []
    last = quarter_label(turns - 1, start)
    for cid, check in entries(data, "calibration"):
        measure = check.get("measure") if isinstance(check.get("measure"), dict) else {}
        for key in ("at", "growth_per_year", "total"):
            quarters = measure.get(key) if isinstance(measure.get(key), list) else [measure.get(key)]
            for i, q in enumerate(quarters):
                if is_quarter(q) and not 0 <= quarter_index(q, start) < turns:
                    c.error(("calibration", cid, "measure", key) + ((i,) if key != "at" else ()),
                            f"{q} is outside the game ({start} to {last}, `turns: {turns}`): "
                            f"change the check, or drop it with `{cid}: !remove`")
    return render(c.findings, where, fallback)
