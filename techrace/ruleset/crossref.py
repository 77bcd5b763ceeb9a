"""Cross-reference checks the per-field schema cannot make: every name must name something that exists.

They run on the merged raw data (not the validated model) so that they report alongside schema errors
in one pass; every access is defensive because the data may also be malformed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

from techrace.ruleset.adjustable import ADJUSTABLE, selectors
from techrace.ruleset.crossref_actors import actor_findings
from techrace.ruleset.layers import suggest
from techrace.ruleset.locate import Finding, render
from techrace.ruleset.policies import (
    ACTOR_SECTIONS,
    PERSONALITY_KINDS,
    known_policy_names,
    registered_policy_names,
)
from techrace.ruleset.schema import LAST_QUARTER, QUARTER_RE, SKILLS, TOOL_KINDS, quarter_index, quarter_label
from techrace.ruleset.source import KeyPath, Mark

# Where the entries a reference names live, by what the message calls them.
SECTIONS: dict[str, tuple[KeyPath, ...]] = {
    "nation": (("nations",),), "foundry": (("foundries",),), "toolmaker": (("toolmakers",),), "lab": (("labs",),),
    "regulator": (("regulators",),), "control": (("controls",),), "node": (("technology", "nodes"),),
    "HBM generation": (("technology", "hbm_generations"),), "chip firm": (("chip_firms",),),
    "firm or site": (("foundries",), ("toolmakers",), ("chip_firms",), ("labs",)),
}
Removed = Callable[[KeyPath], str | None]  # "removed by layer L at file:line:col" for a removed entry, or None


def nearest(name: object, known: Any, count: int = 8) -> str:
    """' — did you mean X?' for a close name, else ' (known: a, b, ...)' listing the nearest ids."""
    names = sorted(str(k) for k in known)
    hint = suggest(name, names)
    if hint or not names:
        return hint
    text = str(name).lower()
    ranked = sorted(names, key=lambda n: -difflib.SequenceMatcher(None, text, n.lower()).ratio())
    shown = ranked[:count] if len(names) > count else names
    return f" (known: {', '.join(shown)}{', ...' if len(names) > count else ''})"

# Which fields a control of each kind must set to mean anything.
CONTROL_NEEDS: dict[str, tuple[str, ...]] = {
    "chip_threshold": ("tpp",),
    "hbm": ("bandwidth_density_gb_s_mm2",),
    "foundry_rule": ("node_nm_at_or_below",),
    "tool_list": ("tool_kinds",),
    "servicing_ban": ("tool_kinds",),
    "entity_list": ("entities",),
    "country_tiers": ("tier_caps_h100e",),
    "mineral": ("destinations",),
}
EFFECT_NEEDS: dict[str, tuple[str, ...]] = {
    "capacity_offline": ("nation",),
    "export_halt": ("nation",),
    "tool_breakthrough": ("firm", "tool_kind"),
    "node_breakthrough": ("firm", "node"),
    "enact_control": ("control",),
    "adjust": ("field",),
}


def _entries(data: dict[str, Any], *path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    node: Any = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict):
                yield key, value


def _names(data: dict[str, Any], section: str) -> set[str]:
    value = data.get(section)
    return set(value) if isinstance(value, dict) else set()


class _Checker:
    def __init__(self, data: dict[str, Any], removed: Removed):
        self.data, self.removed = data, removed
        self.findings: list[Finding] = []
        self.dangling: dict[KeyPath, list[KeyPath]] = {}  # removed entry -> references still naming it
        self.nations = _names(data, "nations")
        self.nodes = _names(data.get("technology") or {}, "nodes") if isinstance(data.get("technology"), dict) else set()
        tech = data.get("technology") if isinstance(data.get("technology"), dict) else {}
        self.hbm = _names(tech, "hbm_generations")
        self.foundries = _names(data, "foundries")
        self.toolmakers = _names(data, "toolmakers")
        self.chip_firms = _names(data, "chip_firms")
        self.labs = _names(data, "labs")
        self.sites = {site for _, f in _entries(data, "foundries") if isinstance(f.get("sites"), dict) for site in f["sites"]}

    def error(self, path: KeyPath, message: str, knock_on: bool = False) -> None:
        self.findings.append(Finding(path, message, knock_on))

    def ref(self, path: KeyPath, value: Any, known: set[str], what: str) -> None:
        """A name that must name an entry: unknown names are knock-on findings (the entry may be in a file
        that could not be read, or removed by a layer, which is then said)."""
        if not isinstance(value, str) or value in known:
            return
        entry = next((section + (value,) for section in SECTIONS.get(what, ()) if self.removed(section + (value,))), None)
        removal = self.removed(entry) if entry else None
        if entry and removal:
            self.dangling.setdefault(entry, []).append(path)
            self.error(path, f"unknown {what} {value!r}: {removal}", knock_on=True)
        else:
            self.error(path, f"unknown {what} {value!r}{nearest(value, known)}", knock_on=True)

    def refs(self, path: KeyPath, values: Any, known: set[str], what: str) -> None:
        if isinstance(values, list):
            for i, value in enumerate(values):
                self.ref(path + (i,), value, known, what)

    def keys(self, path: KeyPath, mapping: Any, known: set[str], what: str) -> None:
        if isinstance(mapping, dict):
            for key in mapping:
                self.ref(path + (key,), key, known, what)


def reference_findings(data: dict[str, Any], removed: Removed = lambda path: None) -> list[Finding]:
    """Names that point at nothing, rules that cannot act, nodes nobody can equip, unknown policies and
    games that run past the calendar. A removal that leaves names dangling is reported at the removal."""
    c = _Checker(data, removed)
    _firms(c)
    _controls(c)
    _shocks(c)
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


def _policies(c: _Checker) -> None:
    """Policy names must be registered (entry points) or defined by the ruleset; no core import needed."""
    policies = c.data.get("policies") if isinstance(c.data.get("policies"), dict) else {}
    used = [(kind, name) for kind, name in policies.items() if isinstance(name, str)]
    used += [(kind, actor.get("policy")) for section, kind in ACTOR_SECTIONS.items() for _, actor in _entries(c.data, section)
             if isinstance(actor.get("policy"), str)]
    known = known_policy_names(c.data, everywhere=False)  # techrace's own names first: no scan of every package
    if any(name not in known.get(kind, ()) for kind, name in used):
        known = known_policy_names(c.data)
    for kind, name in policies.items():
        if isinstance(name, str) and kind in known and name not in known[kind]:
            c.error(("policies", kind), f"unknown {kind} policy {name!r}{nearest(name, known[kind])}")
    registered = registered_policy_names()
    for pid, person in _entries(c.data, "policies", "personalities"):
        kind, base = person.get("kind"), person.get("policy", "default")
        if kind in PERSONALITY_KINDS and isinstance(base, str) and base not in registered.get(kind, ()):
            c.error(("policies", "personalities", pid, "policy"),
                    f"unknown {kind} policy {base!r} (a personality parameterises a Python policy){nearest(base, registered.get(kind, ()))}")
    _actor_policies(c, known)


def _actor_policies(c: _Checker, known: dict[str, set[str]]) -> None:
    """Each actor's `policy` names a policy of its kind. A personality whose own `kind` is wrong is reported
    there (the schema's error is the cause); naming it here is not a second error."""
    kinds = {pid: person.get("kind") for pid, person in _entries(c.data, "policies", "personalities")}
    for section, kind in ACTOR_SECTIONS.items():
        for aid, actor in _entries(c.data, section):
            name = actor.get("policy")
            if not isinstance(name, str) or name in known.get(kind, ()) or kinds.get(name, "nation") not in PERSONALITY_KINDS:
                continue
            what = (f"{name!r} is a {kinds[name]} personality (policies.personalities.{name}.kind); a {kind} needs a "
                    f"{kind} policy" if name in kinds else f"unknown {kind} policy {name!r}")
            c.error((section, aid, "policy"), what + nearest(name, known.get(kind, ())))


def _blocs_and_victory(c: _Checker) -> None:
    """Nations name blocs that exist; bloc lists name blocs; victory conditions name nations."""
    blocs = _names(c.data, "blocs") if "blocs" in c.data else {"us_allied", "china", "neutral"}
    for code, nation in _entries(c.data, "nations"):
        c.ref(("nations", code, "bloc"), nation.get("bloc"), blocs, "bloc")
        c.keys(("nations", code, "diaspora"), nation.get("diaspora"), c.nations, "nation")
        if isinstance(nation.get("diaspora"), dict) and code in nation["diaspora"]:
            c.error(("nations", code, "diaspora", code), f"a nation's diaspora is born elsewhere: {code} cannot be its own origin")
    for name, bloc in _entries(c.data, "blocs"):
        for field in ("rivals", "tool_sources", "accelerator_buyers", "ai_market_open_to", "poaches_from"):
            c.refs(("blocs", name, field), bloc.get(field), blocs, "bloc")
    for cid, cond in _entries(c.data, "victory"):
        for field in ("nations", "rivals"):
            c.refs(("victory", cid, field), cond.get(field), c.nations, "nation")
        _condition(c, ("victory", cid, "when"), cond.get("when"))
        if cond.get("kind") == "condition" and not isinstance(cond.get("when"), dict):
            c.error(("victory", cid), "a condition victory needs `when` (the comparisons that must hold)")
        if cond.get("kind") == "condition" and not cond.get("nations"):
            c.error(("victory", cid), "a condition victory needs `nations`: who wins when it holds")


def _calendar(c: _Checker) -> None:
    start, turns = c.data.get("start_quarter", "2025Q1"), c.data.get("turns", 44)
    if _quarter(start) and isinstance(turns, int) and not isinstance(turns, bool) and turns >= 1:
        room = quarter_index(LAST_QUARTER, start) + 1
        if turns > room:
            c.error(("turns",), f"{turns} turns from {start} run past the last quarter of the calendar, {LAST_QUARTER} "
                                f"(at most {room} turns from {start})")


def _firms(c: _Checker) -> None:
    for fid, firm in _entries(c.data, "foundries"):
        base = ("foundries", fid)
        c.ref(base + ("nation",), firm.get("nation"), c.nations, "nation")
        c.refs(base + ("nodes_mastered",), firm.get("nodes_mastered"), c.nodes, "node")
        c.keys(base + ("rd_progress",), firm.get("rd_progress"), c.nodes, "node")
        c.keys(base + ("d0",), firm.get("d0"), c.nodes, "node")
        c.ref(base + ("hbm_generation",), firm.get("hbm_generation"), c.hbm, "HBM generation")
        for sid, site in _entries(c.data, "foundries", fid, "sites"):
            c.ref(base + ("sites", sid, "nation"), site.get("nation"), c.nations, "nation")
            c.keys(base + ("sites", sid, "capacity_wpm"), site.get("capacity_wpm"), c.nodes, "node")
    for section in ("toolmakers", "chip_firms", "labs"):
        for fid, firm in _entries(c.data, section):
            c.ref((section, fid, "nation"), firm.get("nation"), c.nations, "nation")
    logic = {fid for fid, f in _entries(c.data, "foundries") if f.get("kind", "logic") == "logic"}
    for fid, firm in _entries(c.data, "chip_firms"):
        base = ("chip_firms", fid)
        c.refs(base + ("foundries",), firm.get("foundries"), c.foundries, "foundry")
        for i, name in enumerate(firm.get("foundries") or []) if isinstance(firm.get("foundries"), list) else []:
            if isinstance(name, str) and name in c.foundries and name not in logic:
                c.error(base + ("foundries", i), f"{name!r} is a memory maker, not a logic foundry")
        c.refs(base + ("captive_labs",), firm.get("captive_labs"), c.labs, "lab")
        for sku_id, sku in _entries(c.data, "chip_firms", fid, "skus"):
            c.ref(base + ("skus", sku_id, "node"), sku.get("node"), c.nodes, "node")
            c.ref(base + ("skus", sku_id, "hbm_generation"), sku.get("hbm_generation"), c.hbm, "HBM generation")
            stacks = sku.get("hbm_stacks")
            if isinstance(stacks, int) and stacks > 0 and sku.get("hbm_generation") is None:
                c.error(base + ("skus", sku_id, "hbm_stacks"), "a chip with HBM stacks needs `hbm_generation`")
    for rid, reg in _entries(c.data, "regulators"):
        c.ref(("regulators", rid, "nation"), reg.get("nation"), c.nations, "nation")
        c.refs(("regulators", rid, "fdpr_reach"), reg.get("fdpr_reach"), c.nations, "nation")


def _condition(c: _Checker, path: KeyPath, cond: Any) -> None:
    if not isinstance(cond, dict):
        return
    for group in ("all", "any"):
        for i, comp in enumerate(cond.get(group) or []) if isinstance(cond.get(group), list) else []:
            if isinstance(comp, dict):
                c.ref(path + (group, i, "nation"), comp.get("nation"), c.nations, "nation")
                c.ref(path + (group, i, "of_nation"), comp.get("of_nation"), c.nations, "nation")
    start, end = cond.get("from"), cond.get("until")
    if _quarter(start) and _quarter(end) and quarter_index(end) < quarter_index(start):
        c.error(path + ("until",), f"`until` {end} is before `from` {start}")


def _text(value: Any) -> str:
    """A kind as text ('' for anything else), so malformed data never reaches a dict lookup."""
    return value if isinstance(value, str) else ""


def _quarter(value: Any) -> bool:
    return isinstance(value, str) and QUARTER_RE.match(value) is not None


def _controls(c: _Checker) -> None:
    regulators = _names(c.data, "regulators")
    entities = c.foundries | c.toolmakers | c.chip_firms | c.labs | c.sites
    for cid, rule in _entries(c.data, "controls"):
        base = ("controls", cid)
        c.ref(base + ("regulator",), rule.get("regulator"), regulators, "regulator")
        c.refs(base + ("destinations",), rule.get("destinations"), c.nations, "nation")
        c.refs(base + ("sellers",), rule.get("sellers"), c.nations, "nation")
        c.refs(base + ("entities",), rule.get("entities"), entities, "firm or site")
        c.keys(base + ("tier_caps_h100e",), rule.get("tier_caps_h100e"), c.nations, "nation")
        _condition(c, base + ("when",), rule.get("when"))
        if rule.get("scope") == "imports" and rule.get("destinations"):
            c.error(base + ("destinations",), "an imports rule binds its own regulator's buyers; `destinations` does not apply (leave it out)")
        for needed in CONTROL_NEEDS.get(_text(rule.get("kind")), ()):
            if rule.get(needed) in (None, [], {}):
                c.error(base, f"a {rule.get('kind')} control needs `{needed}`", knock_on=True)
        dates = [(k, rule.get(k)) for k in ("announced", "effective", "expires") if _quarter(rule.get(k))]
        for (k1, q1), (k2, q2) in zip(dates, dates[1:], strict=False):
            if quarter_index(q2) < quarter_index(q1) or (k2 == "expires" and q1 == q2):
                c.error(base + (k2,), f"`{k2}` {q2} must come after `{k1}` {q1}")


def _shocks(c: _Checker) -> None:
    controls = _names(c.data, "controls")
    firms = {"tool_breakthrough": c.toolmakers, "node_breakthrough": c.foundries}
    for sid, shock in _entries(c.data, "shocks"):
        base = ("shocks", sid)
        _condition(c, base + ("when",), shock.get("when"))
        if shock.get("at") is None and not shock.get("probability_per_quarter") and not shock.get("triggered_by_action"):
            c.error(base, "can never fire: give `at`, a `probability_per_quarter` above 0, or `triggered_by_action: true`"
                          " (to drop a shock, write `id: !remove`)")
        effects = shock.get("effects") if isinstance(shock.get("effects"), list) else []
        for i, effect in enumerate(effects):
            if not isinstance(effect, dict):
                continue
            path = base + ("effects", i)
            kind = _text(effect.get("kind"))
            c.ref(path + ("nation",), effect.get("nation"), c.nations, "nation")
            c.keys(path + ("nations_gdp",), effect.get("nations_gdp"), c.nations, "nation")
            c.ref(path + ("node",), effect.get("node"), c.nodes, "node")
            c.ref(path + ("control",), effect.get("control"), controls, "control")
            if kind in firms:
                c.ref(path + ("firm",), effect.get("firm"), firms[kind], "toolmaker" if kind == "tool_breakthrough" else "foundry")
            for needed in EFFECT_NEEDS.get(kind, ()):
                if effect.get(needed) is None:
                    c.error(path, f"a {kind} effect needs `{needed}`", knock_on=True)
            if kind == "adjust":
                _adjust(c, path, effect)


def _adjust(c: _Checker, path: KeyPath, effect: dict[str, Any]) -> None:
    """An adjust effect names an adjustable field, selects on keys that field has, and names real entries."""
    field = effect.get("field")
    if not isinstance(field, str):
        return
    if field not in ADJUSTABLE:
        c.error(path + ("field",), f"no effect may adjust {field!r}{nearest(field, ADJUSTABLE)}"
                                   " (the adjustable fields are listed in docs/modding.md, 'Effects in data')")
        return
    where = effect.get("where") if isinstance(effect.get("where"), dict) else {}
    allowed = selectors(field)
    known = {"nation": c.nations, "site": c.sites, "foundry": c.foundries, "toolmaker": c.toolmakers,
             "chip_firm": c.chip_firms, "lab": c.labs, "node": c.nodes,
             "employer": c.foundries | c.toolmakers | c.chip_firms | c.labs,
             "skill": set(SKILLS), "tool_kind": set(TOOL_KINDS)}
    for key, name in where.items():
        if key not in allowed:
            c.error(path + ("where", key), f"{field} cannot be selected by {key!r}; it can by: {', '.join(allowed)}")
        elif key in ("skill", "tool_kind"):
            if name not in known[key]:
                c.error(path + ("where", key), f"unknown {key} {name!r}{nearest(name, known[key])}")
        else:
            c.ref(path + ("where", key), name, known[key], {"chip_firm": "chip firm"}.get(key, key))


def _market_and_tools(c: _Checker) -> None:
    market = c.data.get("market") if isinstance(c.data.get("market"), dict) else {}
    c.keys(("market", "ai_share_of_node"), market.get("ai_share_of_node"), c.nodes, "node")
    c.keys(("market", "trailing_demand_wpm"), market.get("trailing_demand_wpm"), c.nodes, "node")
    available: set[str] = set()
    for _, maker in _entries(c.data, "toolmakers"):
        for section in ("makes", "developing"):
            if isinstance(maker.get(section), dict):
                available |= set(maker[section])
    for nid, node in _entries(c.data, "technology", "nodes"):
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
    memory = [fid for fid, f in _entries(c.data, "foundries") if f.get("kind") == "memory"]
    if memory and isinstance(hbm_tools, dict):
        missing = sorted(k for k in TOOL_KINDS if isinstance(hbm_tools.get(k), int | float) and hbm_tools[k] > 0 and k not in available)
        if missing:
            c.error(("technology", "hbm_tools_per_kwpm"),
                    f"no toolmaker makes or develops {', '.join(missing)}: no memory maker can ever equip HBM lines", knock_on=True)


def _calibration(c: _Checker) -> None:
    """Calibration checks read nations that exist."""
    for cid, check in _entries(c.data, "calibration"):
        measure = check.get("measure") if isinstance(check.get("measure"), dict) else {}
        if measure.get("nations") != "all":
            c.refs(("calibration", cid, "measure", "nations"), measure.get("nations"), c.nations, "nation")


def calibration_quarter_errors(data: dict[str, Any], where: dict[KeyPath, Mark], fallback: Mark) -> list[str]:
    """Located messages for calibration checks that read quarters the game does not play.

    Not part of the reference checks: a mod that shortens or moves the game stays a valid ruleset (its
    inherited checks are simply unusable); `techrace calibrate` refuses it with these lines.
    """
    c = _Checker(data, lambda path: None)
    start, turns = data.get("start_quarter", "2025Q1"), data.get("turns", 44)
    if not _quarter(start) or not isinstance(turns, int) or isinstance(turns, bool):
        return []
    last = quarter_label(turns - 1, start)
    for cid, check in _entries(data, "calibration"):
        measure = check.get("measure") if isinstance(check.get("measure"), dict) else {}
        for key in ("at", "growth_per_year", "total"):
            quarters = measure.get(key) if isinstance(measure.get(key), list) else [measure.get(key)]
            for i, q in enumerate(quarters):
                if _quarter(q) and not 0 <= quarter_index(q, start) < turns:
                    c.error(("calibration", cid, "measure", key) + ((i,) if key != "at" else ()),
                            f"{q} is outside the game ({start} to {last}, `turns: {turns}`): "
                            f"change the check, or drop it with `{cid}: !remove`")
    return render(c.findings, where, fallback)
