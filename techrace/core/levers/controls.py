"""Levers of a nation's regulator: export controls, licences, lifting and enacting rules, retaliation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from techrace.core.events import Event
from techrace.core.levers.base import Lever, ParamSpec, as_list, regulator_of
from techrace.core.mechanisms.fabrication import ARF, EUV
from techrace.ruleset.schema import TOOL_KINDS, quarter_label

if TYPE_CHECKING:
    from techrace.core.actions import Action
    from techrace.core.model import WorldModel

NATIONS = ParamSpec("destinations", "nations", "Destinations", "Nations whose buyers are controlled (exports only)",
                    required=False, when="required for exports; empty for imports")
SCOPE = ParamSpec("scope", "choice", "Scope", "exports: your sellers to the destinations; imports: foreign sellers to your "
                  "own buyers (China's Micron ban and NVIDIA purchase curbs, its domestic-equipment rule)",
                  default="exports", choices=("exports", "imports"), required=False)


class NewRule(Lever):
    """A lever that writes a new rule for the nation's regulator and puts it in force at once."""

    group = "controls"
    needs_regulator = True
    rule_kind = ""

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        s = model.state
        regulator = regulator_of(model.static.ruleset, action.nation) or ""
        rule = blank_rule(regulator) | self.rule(model, action, regulator)
        s.action_counter += 1
        rule_id = f"{action.nation.lower()}_{action.kind}_{s.action_counter}"
        s.controls = dict(sorted({**s.controls, rule_id: rule}.items()))
        s.control_status[rule_id] = "inactive"
        return model.enact(rule_id, f"{action.nation} decided it")

    def rule(self, model: WorldModel, action: Action, regulator: str) -> dict[str, Any]:
        raise NotImplementedError

    def check(self, ruleset: Any, action: Action) -> list[str]:
        """An export rule needs destinations; an import rule binds the nation's own buyers and takes none."""
        names = {p.name for p in self.params}
        if "destinations" not in names:
            return []
        given = action.params.get("destinations") not in (None, "", [])
        if imports(action) and given:
            return ["Destinations: an import rule binds your own buyers; leave destinations empty"]
        if not imports(action) and not given:
            return ["Destinations: required"]
        return []


def imports(action: Action) -> bool:
    return action.params.get("scope") == "imports"


def scoped(action: Action, rule: dict[str, Any]) -> dict[str, Any]:
    """The rule with the order's scope; an import rule's description says whose buyers it binds."""
    if not imports(action):
        return rule
    return rule | {"scope": "imports", "destinations": [], "description": rule["description"] + f" (imports into {action.nation})"}


class EntityList(NewRule):
    kind, label, rule_kind = "entity_list", "Entity list", "entity_list"
    description = ("Exports: your regulator bars listed firms (whole company) or sites from your sellers' chips, tools, wafers, "
                   "HBM and servicing. Imports: listed foreign firms may no longer sell to your nation's buyers.")
    effect = ("Exports: listed fabs stop receiving your and allied tools and service (their tools wear), listed designers lose "
              "foundry and HBM access. Imports: the listed firms lose your market and your buyers lose their goods.")
    params = (ParamSpec("entities", "entities", "Firms or sites", "Firm ids (whole company) or site ids"), SCOPE)

    def rule(self, model: WorldModel, action: Action, regulator: str) -> dict[str, Any]:
        entities = as_list(action.params["entities"])
        return scoped(action, {"kind": "entity_list", "entities": entities,
                               "description": f"{regulator} adds {', '.join(entities)} to the entity list"})


class ChipThreshold(NewRule):
    kind, label, rule_kind = "chip_threshold", "Chip thresholds", "chip_threshold"
    description = ("Control accelerators at or above a TPP (or TPP with performance density): exports to the given destinations, "
                   "or imports of foreign ones into your nation (China's curbs on NVIDIA purchases).")
    effect = ("Labs in the destinations (imports: your own labs) lose legal access to faster designs; chip firms answer with "
              "compliant variants and a share leaks through the grey market.")
    params = (ParamSpec("tpp", "float", "TPP", "Controlled at or above this TPP", 0, 1e6, 4800.0),
              ParamSpec("tpp_with_density", "float", "TPP with density", "Or at or above this TPP when density is high", 0, 1e6, 1600.0, required=False),
              ParamSpec("density", "float", "Density (TPP/mm2)", "Performance density for the second test", 0, 1000, 5.92, required=False),
              NATIONS, SCOPE)

    def rule(self, model: WorldModel, action: Action, regulator: str) -> dict[str, Any]:
        p = action.params
        return scoped(action, {"kind": "chip_threshold", "tpp": float(p["tpp"]), "tpp_with_density": _opt(p.get("tpp_with_density")),
                               "density": _opt(p.get("density")), "destinations": as_list(p.get("destinations") or []),
                               "description": f"{regulator} controls accelerators with TPP >= {float(p['tpp']):,.0f}"})


class ToolBan(NewRule):
    kind, label, rule_kind = "tool_ban", "Tool export ban", "tool_list"
    description = ("Bar tool kinds to fabs in the destinations (optionally only fabs making nodes at or below a size); imports: "
                   "bar foreign tools of these kinds to your own fabs (China's domestic-equipment rule).")
    effect = ("Fabs in the destinations get no new tools of these kinds from your sellers (imports: your fabs none from "
              "foreign sellers); they build with stockpiles and domestic makers.")
    params = (ParamSpec("tool_kinds", "tool_kinds", "Tool kinds", "Kinds covered"), NATIONS,
              ParamSpec("node_nm_at_or_below", "float", "Node limit (nm)", "Only fabs making nodes at or below this; empty for all", 0, 1000, None, required=False),
              SCOPE)

    def rule(self, model: WorldModel, action: Action, regulator: str) -> dict[str, Any]:
        p = action.params
        kinds = as_list(p["tool_kinds"])
        dests = as_list(p.get("destinations") or [])
        return scoped(action, {"kind": "tool_list", "tool_kinds": kinds, "destinations": dests,
                               "node_nm_at_or_below": _opt(p.get("node_nm_at_or_below")),
                               "description": f"{regulator} bans {', '.join(kinds)} tools to {', '.join(dests) or 'its own fabs'}"})


class ServicingBan(NewRule):
    kind, label, rule_kind = "servicing_ban", "Servicing ban", "servicing_ban"
    description = ("Stop your toolmakers servicing installed tools in the destinations (imports: stop foreign toolmakers "
                   "servicing your own fabs); unserviced tools degrade.")
    effect = "Installed tools of these kinds in the destinations (imports: your fabs) wear out over years (more slowly where grey service exists)."
    params = (ParamSpec("tool_kinds", "tool_kinds", "Tool kinds", "Kinds covered"),
              replace(NATIONS, help="Nations whose fabs lose servicing (exports only)"),
              SCOPE)

    def rule(self, model: WorldModel, action: Action, regulator: str) -> dict[str, Any]:
        p = action.params
        kinds = as_list(p["tool_kinds"])
        dests = as_list(p.get("destinations") or [])
        return scoped(action, {"kind": "servicing_ban", "tool_kinds": kinds, "destinations": dests,
                               "description": f"{regulator} bans servicing of {', '.join(kinds)} tools in {', '.join(dests) or 'its own fabs'}"})


class Retaliation(NewRule):
    kind, label, rule_kind = "retaliation", "Mineral retaliation", "mineral"
    description = "License critical minerals to the destinations: their toolmakers lose output and their GDP takes a hit."
    effect = "Toolmakers in the destinations lose this share of output while the rule stands; their GDP loses a little once."
    params = (replace(NATIONS, help="Nations whose toolmakers lose output", when="required"), ParamSpec("mineral_cost_share", "share", "Tool output lost", "Share of target toolmakers' output lost", 0, 0.5, 0.05))

    def rule(self, model: WorldModel, action: Action, regulator: str) -> dict[str, Any]:
        p = action.params
        return {"kind": "mineral", "destinations": as_list(p["destinations"]), "mineral_cost_share": float(p["mineral_cost_share"]),
                "mineral_gdp_hit": float(p["mineral_cost_share"]) * model.static.ruleset.levers.retaliation_gdp_hit_per_share,
                "description": f"{regulator} licenses critical minerals to {', '.join(as_list(p['destinations']))}"}


ENDED = ("lifted", "expired")  # off, and its dates will not bring it back: only enacting it again does
RULE_ORDERS = ("enact_control", "lift_control")  # the orders that move a rule's status


def status_this_quarter(model: WorldModel, rule_id: str) -> str:
    """A rule's status in the quarter the next turn plays, once that quarter's dates have moved it (the timeline
    runs at the start of the turn, before the orders given for it: before the first turn every rule still reads
    `inactive`). As `timeline.advance_controls` moves it; for orders given before the turn (`Game.validate`)."""
    from techrace.core.mechanisms.timeline import quarter_indices  # with the game, not with the lever forms

    s = model.state
    status = s.control_status[rule_id]
    if status in ENDED:
        return status
    rule, index = s.controls[rule_id], quarter_indices(model.static)
    now = index[quarter_label(s.turn, model.static.start_quarter)]
    if rule.get("expires") and now >= index[rule["expires"]]:
        return "expired"
    if rule.get("effective") and now >= index[rule["effective"]]:
        return "active"
    if rule.get("announced") and now >= index[rule["announced"]] and status == "inactive":
        return "announced"
    return status


class RuleOrder(Lever):
    """An order on one rule of the nation's regulator, refused when the rule's status this quarter (after the
    turn's earlier orders) leaves it nothing to do: such an order would be logged as given and change nothing."""

    group, needs_regulator = "controls", True

    def refusals(self, model: WorldModel, action: Action, queued: Sequence[Action] = ()) -> list[str]:
        rule_id = action.params.get("control")
        if rule_id not in model.state.controls:
            return []  # `validate` names an unknown rule
        earlier = [q.kind for q in queued if q.nation == action.nation and q.kind in RULE_ORDERS
                   and q.params.get("control") == rule_id]
        message = self.refusal(model, rule_id, status_this_quarter(model, rule_id), earlier[-1] if earlier else None)
        return [message] if message else []

    def refusal(self, model: WorldModel, rule_id: str, status: str, earlier: str | None) -> str:
        """Why an order on `rule_id` does nothing ('' when it does something); `earlier` is the kind of this turn's
        last earlier enact or lift of the same rule."""
        return ""


def rule_name(model: WorldModel, rule_id: str) -> str:
    """A rule as a player finds it: its id (what orders give) and its description."""
    description = model.state.controls[rule_id].get("description")
    return f"{rule_id} ({description})" if description else rule_id


def same_turn_refusal(name: str, kind: str, earlier: str) -> str:
    """One enact or lift of a rule a turn: a second of the same kind does nothing, the other kind undoes the first."""
    verb, first = kind.split("_")[0], earlier.split("_")[0]  # "enact" or "lift"
    if earlier == kind:
        return f"{name} is already {verb}ed by an earlier order this turn: nothing to {verb}"
    return (f"{name} is {first}ed by an earlier order this turn: {verb}ing it in the same turn would undo that "
            f"(remove the {first} order instead)")


def ended_words(model: WorldModel, rule_id: str, status: str) -> str:
    """How a lifted or expired rule ended, e.g. 'expired in 2025Q2 and is not in force'."""
    if status == "lifted":
        return "was lifted and is not in force"
    s = model.state
    if s.control_status[rule_id] != "expired":  # its date ends it at the start of this very turn
        return f"expires this quarter ({quarter_label(s.turn, model.static.start_quarter)}) by its dates"
    expires = s.controls[rule_id].get("expires")
    return f"expired{f' in {expires}' if expires else ''} and is not in force"


class LicenceException(RuleOrder):
    kind, label = "licence_exception", "Licence exception"
    description = "License a share of the trade a rule blocks, optionally for a revenue share to your government."
    effect = "That share of the controlled trade goes through legally; your government collects the revenue share as budget."
    params = (ParamSpec("control", "control", "Control rule", "Rule id"),
              ParamSpec("licence_share", "share", "Share licensed", "Share of controlled sales licensed", 0, 1, 0.5),
              ParamSpec("licence_revenue_share", "share", "Revenue share", "Share of licensed revenue paid to your government", 0, 1, 0.15))

    def refusal(self, model: WorldModel, rule_id: str, status: str, earlier: str | None) -> str:
        """A rule in force, announced or waiting takes the licence (it applies while the rule is in force); an
        ended one has no trade to license until enacted again."""
        name = rule_name(model, rule_id)
        if earlier == "lift_control":
            return f"{name} is lifted by an earlier order this turn: there is no trade under it to license"
        if earlier is None and status in ENDED:
            return f"{name} {ended_words(model, rule_id, status)}: there is no trade under it to license (enact it again first)"
        return ""

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        s, p = model.state, action.params
        rule = dict(s.controls[p["control"]])
        rule["licence_share"] = float(p["licence_share"])
        rule["licence_revenue_share"] = float(p.get("licence_revenue_share", 0.0))
        s.controls[p["control"]] = rule
        regulator = rule["regulator"]
        text = f"{model.ruleset.regulator_name(regulator)} licenses {rule['licence_share']:.0%} of trade under {p['control']} for {rule['licence_revenue_share']:.0%} of revenue"
        return [Event(s.turn, model.quarter, "control", text, f"{action.nation} decided it", (regulator, p["control"]))]


class LiftControl(RuleOrder):
    kind, label = "lift_control", "Lift a control"
    description = "End a rule of your regulator, in force or only announced (it stays lifted until you enact it again)."
    effect = "The rule stops applying from this quarter (an announced rule never starts); its dates in the ruleset no longer bring it back."
    params = (ParamSpec("control", "control", "Control rule", "Rule id"),)

    def refusal(self, model: WorldModel, rule_id: str, status: str, earlier: str | None) -> str:
        """A rule in force, announced or waiting can be lifted (the last two then never start); an ended one
        cannot, and one enact or lift of a rule a turn is enough."""
        name = rule_name(model, rule_id)
        if earlier:
            return same_turn_refusal(name, self.kind, earlier)
        if status in ENDED:
            return f"{name} {ended_words(model, rule_id, status)}: nothing to lift"
        return ""

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        s = model.state
        rule_id = action.params["control"]
        s.control_status[rule_id] = "lifted"
        regulator = s.controls[rule_id]["regulator"]
        text = f"{model.ruleset.regulator_name(regulator)} lifts {rule_id}"
        return [Event(s.turn, model.quarter, "control", text, f"{action.nation} decided it", (regulator, rule_id))]


class EnactControl(RuleOrder):
    kind, label = "enact_control", "Enact a prepared rule"
    description = "Put a rule prepared in the ruleset (or one you lifted) into force now."
    effect = "The rule applies from this quarter."
    params = (ParamSpec("control", "control", "Control rule", "Rule id"),)

    def refusal(self, model: WorldModel, rule_id: str, status: str, earlier: str | None) -> str:
        """A rule not in force this quarter can be enacted (an ended one again); one in force, or taking effect
        this quarter by its dates, cannot, and one enact or lift of a rule a turn is enough."""
        name = rule_name(model, rule_id)
        if earlier:
            return same_turn_refusal(name, self.kind, earlier)
        if status != "active":
            return ""
        s = model.state
        quarter, effective = quarter_label(s.turn, model.static.start_quarter), s.controls[rule_id].get("effective")
        if s.control_status[rule_id] == "active":  # since when is not kept: lifted and enacted again, its date is not it
            return f"{name} is already in force: nothing to enact"
        if effective and effective != quarter:  # in force before the game began: the timeline says so in the first turn
            return f"{name} is already in force (since {effective}): nothing to enact"
        return f"{name} takes effect this quarter ({quarter}) by its dates: nothing to enact"

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        return model.enact(action.params["control"], f"{action.nation} decided it")


def blank_rule(regulator: str) -> dict[str, Any]:
    return {"regulator": regulator, "description": "", "announced": None, "effective": None, "expires": None, "when": None,
            "destinations": [], "sellers": [], "tool_kinds": [], "entities": [], "tier_caps_h100e": {}, "licence_share": 0.0,
            "licence_revenue_share": 0.0, "mineral_cost_share": 0.0, "mineral_gdp_hit": 0.0}


def consequence(model: WorldModel, rule: dict[str, Any]) -> str:
    """A short clause saying what a rule does to whom, for the event log."""
    static, s = model.static, model.state
    if rule.get("scope") == "imports":
        return _import_consequence(model, rule)
    if rule["kind"] == "entity_list":
        reg = static.ruleset.regulators[rule["regulator"]]
        count = tools_losing_service(model, rule.get("entities", []), reg.nation)
        names = rule.get("entities", [])
        listed = ", ".join(names)
        verb = "lose" if len(names) > 1 else "loses"
        return f"{listed} {verb} servicing of {count:,.0f} DUV tools" if count >= 1 else f"{listed} {'are' if len(names) > 1 else 'is'} cut off from bound sellers"
    if rule["kind"] in ("tool_list", "servicing_ban"):
        dests = [static.nations.index(c) for c in rule.get("destinations", []) if c in static.nations]
        sites = np.isin(static.site_nation, dests)
        kinds = [TOOL_KINDS.index(k) for k in rule.get("tool_kinds", [])]
        installed = s.tools[sites][:, :, kinds].sum() if kinds else 0.0
        verb = "can no longer buy" if rule["kind"] == "tool_list" else "lose servicing of"
        foreign = static.site_nation != static.foundry_nation[static.site_foundry]
        waiting = [static.sites[i] for i in np.flatnonzero(sites & foreign & (s.site_grant > 0)).tolist()]
        held = f"; the fab grants owed at {', '.join(waiting)} wait while it binds" if waiting else ""
        return f"fabs in {', '.join(rule.get('destinations', []))} {verb} {', '.join(rule.get('tool_kinds', []))} tools ({installed:,.0f} installed){held}"
    if rule["kind"] == "chip_threshold":
        return f"accelerators above TPP {rule.get('tpp') or 0:,.0f} need a licence for {', '.join(rule.get('destinations', []))}"
    if rule["kind"] == "mineral":
        return f"toolmakers in {', '.join(rule.get('destinations', []))} lose {rule.get('mineral_cost_share', 0):.0%} of output"
    return ""


def _import_consequence(model: WorldModel, rule: dict[str, Any]) -> str:
    nation = model.static.ruleset.regulators[rule["regulator"]].nation
    if rule["kind"] == "entity_list":
        return f"{', '.join(rule.get('entities', []))} may no longer sell to buyers in {nation}"
    if rule["kind"] in ("tool_list", "servicing_ban"):
        verb = "buy" if rule["kind"] == "tool_list" else "be serviced by"
        return f"fabs in {nation} may no longer {verb} foreign {', '.join(rule.get('tool_kinds', []))} tools"
    if rule["kind"] == "chip_threshold":
        return f"labs in {nation} may no longer buy foreign accelerators above TPP {rule.get('tpp') or 0:,.0f}"
    return f"imports into {nation} are controlled"


def tools_losing_service(model: WorldModel, entities: list[str], nation: str) -> float:
    static, s = model.static, model.state
    reg_id = regulator_of(static.ruleset, nation)
    reach = {nation}
    if reg_id:
        reach |= set(static.ruleset.regulators[reg_id].fdpr_reach)
    makers = np.array([static.ruleset.toolmakers[t].nation in reach for t in static.toolmakers])
    sites = np.array([sid in entities or static.foundries[static.site_foundry[i]] in entities for i, sid in enumerate(static.sites)])
    if not sites.any() or not makers.any():
        return 0.0
    return float(s.tools[np.ix_(sites, makers, [ARF, EUV])].sum())


def _opt(value: Any) -> float | None:
    return None if value in (None, "") else float(value)
