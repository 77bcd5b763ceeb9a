"""Cross-references of the rules that act over time: controls (who issues them, whom they bind, what each
kind needs, dates in order), shocks (what can fire them, their effects and what those name) and data
conditions (the nations they compare, their window of quarters).
"""

from __future__ import annotations

from typing import Any

from techrace.ruleset.adjustable import ADJUSTABLE, selectors
from techrace.ruleset.crossref_checker import Checker, entries, is_quarter, names, nearest, text_of
from techrace.ruleset.schema import SKILLS, TOOL_KINDS, quarter_index
from techrace.ruleset.source import KeyPath

# Which fields a control of each kind (and an effect of each kind) must set to mean anything.
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


def check_condition(c: Checker, path: KeyPath, cond: Any) -> None:
    """A data condition compares nations that exist, over a window that is not back to front."""
    if not isinstance(cond, dict):
        return
    for group in ("all", "any"):
        for i, comp in enumerate(cond.get(group) or []) if isinstance(cond.get(group), list) else []:
            if isinstance(comp, dict):
                c.ref(path + (group, i, "nation"), comp.get("nation"), c.nations, "nation")
                c.ref(path + (group, i, "of_nation"), comp.get("of_nation"), c.nations, "nation")
    start, end = cond.get("from"), cond.get("until")
    if is_quarter(start) and is_quarter(end) and quarter_index(end) < quarter_index(start):
        c.error(path + ("until",), f"`until` {end} is before `from` {start}")


def check_controls(c: Checker) -> None:
    """A control names its regulator, nations and firms; has what its kind needs; its dates come in order."""
    regulators = names(c.data, "regulators")
    entities = c.foundries | c.toolmakers | c.chip_firms | c.labs | c.sites
    for cid, rule in entries(c.data, "controls"):
        base = ("controls", cid)
        c.ref(base + ("regulator",), rule.get("regulator"), regulators, "regulator")
        c.refs(base + ("destinations",), rule.get("destinations"), c.nations, "nation")
        c.refs(base + ("sellers",), rule.get("sellers"), c.nations, "nation")
        c.refs(base + ("entities",), rule.get("entities"), entities, "firm or site")
        c.keys(base + ("tier_caps_h100e",), rule.get("tier_caps_h100e"), c.nations, "nation")
        check_condition(c, base + ("when",), rule.get("when"))
        if rule.get("scope") == "imports" and rule.get("destinations"):
            c.error(base + ("destinations",), "an imports rule binds its own regulator's buyers; `destinations` does not apply (leave it out)")
        for needed in CONTROL_NEEDS.get(text_of(rule.get("kind")), ()):
            if rule.get(needed) in (None, [], {}):
                c.error(base, f"a {rule.get('kind')} control needs `{needed}`", knock_on=True)
        dates = [(k, rule.get(k)) for k in ("announced", "effective", "expires") if is_quarter(rule.get(k))]
        for (k1, q1), (k2, q2) in zip(dates, dates[1:], strict=False):
            if quarter_index(q2) < quarter_index(q1) or (k2 == "expires" and q1 == q2):
                c.error(base + (k2,), f"`{k2}` {q2} must come after `{k1}` {q1}")


def check_shocks(c: Checker) -> None:
    """A shock can fire, and its effects name what exists and have what their kind needs."""
    controls = names(c.data, "controls")
    firms = {"tool_breakthrough": c.toolmakers, "node_breakthrough": c.foundries}
    for sid, shock in entries(c.data, "shocks"):
        base = ("shocks", sid)
        check_condition(c, base + ("when",), shock.get("when"))
        if shock.get("at") is None and not shock.get("probability_per_quarter") and not shock.get("triggered_by_action"):
            c.error(base, "can never fire: give `at`, a `probability_per_quarter` above 0, or `triggered_by_action: true`"
                          " (to drop a shock, write `id: !remove`)")
        effects = shock.get("effects") if isinstance(shock.get("effects"), list) else []
        for i, effect in enumerate(effects):
            if not isinstance(effect, dict):
                continue
            path = base + ("effects", i)
            kind = text_of(effect.get("kind"))
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


def _adjust(c: Checker, path: KeyPath, effect: dict[str, Any]) -> None:
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
