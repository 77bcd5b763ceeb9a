"""Player and AI decisions as data: validated, logged per turn, replayable headless.

The UI builds its forms from ACTION_SPECS; the engine applies the same objects it logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from techrace.ruleset.schema import TOOL_KINDS, Ruleset

ParamType = Literal["float", "share", "nations", "entities", "tool_kinds", "control", "firm", "choice", "shock"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ParamType
    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    label: str
    description: str
    params: tuple[ParamSpec, ...]
    needs_regulator: bool = False


ACTION_SPECS: dict[str, ActionSpec] = {
    spec.kind: spec
    for spec in (
        ActionSpec("entity_list", "Entity list", "Your regulator bars listed firms (whole company) or sites from your sellers' chips, tools, wafers, HBM and servicing.",
                   (ParamSpec("entities", "entities", "Firms or sites", "Firm ids (whole company) or site ids"),), needs_regulator=True),
        ActionSpec("chip_threshold", "Chip thresholds", "Control accelerators at or above a TPP (or TPP with performance density) to the given destinations.",
                   (ParamSpec("tpp", "float", "TPP", "Controlled at or above this TPP", 0, 1e6, 4800.0),
                    ParamSpec("tpp_with_density", "float", "TPP with density", "Or at or above this TPP when density is high", 0, 1e6, 1600.0, required=False),
                    ParamSpec("density", "float", "Density (TPP/mm2)", "Performance density for the second test", 0, 1000, 5.92, required=False),
                    ParamSpec("destinations", "nations", "Destinations", "Nations whose buyers are controlled")), needs_regulator=True),
        ActionSpec("tool_ban", "Tool export ban", "Bar tool kinds to fabs in the destinations (optionally only fabs making nodes at or below a size).",
                   (ParamSpec("tool_kinds", "tool_kinds", "Tool kinds", "Kinds covered"),
                    ParamSpec("destinations", "nations", "Destinations", "Nations whose fabs are controlled"),
                    ParamSpec("node_nm_at_or_below", "float", "Node limit (nm)", "Only fabs making nodes at or below this; empty for all", 0, 1000, None, required=False)), needs_regulator=True),
        ActionSpec("servicing_ban", "Servicing ban", "Stop your toolmakers servicing installed tools in the destinations; unserviced tools degrade.",
                   (ParamSpec("tool_kinds", "tool_kinds", "Tool kinds", "Kinds covered"),
                    ParamSpec("destinations", "nations", "Destinations", "Nations whose fabs lose servicing")), needs_regulator=True),
        ActionSpec("licence_exception", "Licence exception", "License a share of the trade a rule blocks, optionally for a revenue share to your government.",
                   (ParamSpec("control", "control", "Control rule", "Rule id"),
                    ParamSpec("licence_share", "share", "Share licensed", "Share of controlled sales licensed", 0, 1, 0.5),
                    ParamSpec("licence_revenue_share", "share", "Revenue share", "Share of licensed revenue paid to your government", 0, 1, 0.15)), needs_regulator=True),
        ActionSpec("lift_control", "Lift a control", "End an active rule of your regulator.",
                   (ParamSpec("control", "control", "Control rule", "Rule id"),), needs_regulator=True),
        ActionSpec("enact_control", "Enact a prepared rule", "Put a rule prepared in the ruleset into force now.",
                   (ParamSpec("control", "control", "Control rule", "Rule id"),), needs_regulator=True),
        ActionSpec("subsidy", "Subsidy", "Pay part of this quarter's industrial budget to a domestic firm (capacity, R&D, tools).",
                   (ParamSpec("firm", "firm", "Firm", "A firm headquartered in your nation"),
                    ParamSpec("usd_b", "float", "Amount (USD bn)", "Paid this quarter", 0, 500, 1.0))),
        ActionSpec("visa_policy", "Visa policy", "Set how readily foreign engineers get visas.",
                   (ParamSpec("visa_openness", "share", "Openness", "0 closed, 1 open", 0, 1, 0.5),)),
        ActionSpec("pay_policy", "Pay policy", "Set domestic engineering pay relative to the US (costs budget each quarter above the current level).",
                   (ParamSpec("pay_index", "float", "Pay index", "1.0 = US level", 0.1, 5, 1.0),)),
        ActionSpec("power_buildout", "Power build-out", "Add AI datacenter power above the default build-out this quarter.",
                   (ParamSpec("extra_gw", "float", "Extra GW", "Gigawatts added this quarter", 0, 50, 1.0),)),
        ActionSpec("centralisation", "Compute centralisation", "Set the share of national AI compute that can be pooled into one training run.",
                   (ParamSpec("share", "share", "Share", "0 to 1", 0, 1, 0.3),)),
        ActionSpec("retaliation", "Mineral retaliation", "License critical minerals to the destinations: their toolmakers lose output and their GDP takes a hit.",
                   (ParamSpec("destinations", "nations", "Destinations", "Nations targeted"),
                    ParamSpec("mineral_cost_share", "share", "Tool output lost", "Share of target toolmakers' output lost", 0, 0.5, 0.05)), needs_regulator=True),
        ActionSpec("military", "Military move", "Order a military move the ruleset prepares, e.g. a blockade or an invasion (only where the ruleset allows your nation military moves).",
                   (ParamSpec("shock", "shock", "Move", "A shock the ruleset marks as triggered by a military move"),)),
    )
}


@dataclass(frozen=True)
class Action:
    """One decision by a nation (or its regulator) for the coming turn."""

    kind: str
    nation: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "nation": self.nation, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Action:
        return cls(kind=str(data["kind"]), nation=str(data["nation"]), params=dict(data.get("params", {})))

    def describe(self) -> str:
        spec = ACTION_SPECS.get(self.kind)
        label = spec.label if spec else self.kind
        parts = ", ".join(f"{k}={_fmt(v)}" for k, v in sorted(self.params.items()))
        return f"{self.nation}: {label} ({parts})"


def _fmt(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "/".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def regulator_of(ruleset: Ruleset, nation: str) -> str | None:
    """The id of a nation's regulator, if it has one."""
    for reg_id, reg in sorted(ruleset.regulators.items()):
        if reg.nation == nation:
            return reg_id
    return None


def firm_ids(ruleset: Ruleset) -> dict[str, str]:
    """Every firm id with its headquarters nation."""
    out: dict[str, str] = {}
    for group in (ruleset.foundries, ruleset.toolmakers, ruleset.chip_firms, ruleset.labs):
        for fid, spec in group.items():
            out[fid] = spec.nation
    return out


def site_ids(ruleset: Ruleset) -> dict[str, str]:
    """Every fab site id with its owning foundry."""
    return {sid: fid for fid, f in ruleset.foundries.items() for sid in f.sites}


def military_moves(ruleset: Ruleset) -> list[str]:
    """Shock ids a military move can fire."""
    return sorted(sid for sid, shock in ruleset.shocks.items() if shock.triggered_by_action)


def validate_action(ruleset: Ruleset, action: Action, controls: dict[str, str] | None = None) -> list[str]:
    """Every problem with an action, as messages a player can act on (empty when valid).

    `controls` maps the ids of rules known to the game (ruleset plus enacted) to their regulator.
    """
    errors: list[str] = []
    spec = ACTION_SPECS.get(action.kind)
    if spec is None:
        return [f"unknown action {action.kind!r} (known: {', '.join(sorted(ACTION_SPECS))})"]
    if action.nation not in ruleset.nations:
        return [f"unknown nation {action.nation!r}"]
    regulator = regulator_of(ruleset, action.nation)
    if spec.needs_regulator and regulator is None:
        errors.append(f"{action.nation} has no regulator in this ruleset")
    known_controls = controls if controls is not None else {k: v.regulator for k, v in ruleset.controls.items()}
    firms = firm_ids(ruleset)
    sites = site_ids(ruleset)
    for param in spec.params:
        if param.name not in action.params or action.params[param.name] in (None, "", []):
            if param.required:
                errors.append(f"{param.label}: required")
            continue
        value = action.params[param.name]
        if param.type in ("float", "share"):
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors.append(f"{param.label}: expected a number, got {value!r}")
                continue
            if param.minimum is not None and number < param.minimum:
                errors.append(f"{param.label}: must be at least {param.minimum:g}")
            if param.maximum is not None and number > param.maximum:
                errors.append(f"{param.label}: must be at most {param.maximum:g}")
        elif param.type == "nations":
            bad = [n for n in _as_list(value) if n not in ruleset.nations]
            if bad:
                errors.append(f"{param.label}: unknown nation(s) {', '.join(bad)}")
        elif param.type == "entities":
            bad = [e for e in _as_list(value) if e not in firms and e not in sites]
            if bad:
                errors.append(f"{param.label}: unknown firm or site {', '.join(bad)}")
        elif param.type == "tool_kinds":
            bad = [k for k in _as_list(value) if k not in TOOL_KINDS]
            if bad:
                errors.append(f"{param.label}: unknown tool kind(s) {', '.join(bad)} (known: {', '.join(TOOL_KINDS)})")
        elif param.type == "control":
            if value not in known_controls:
                errors.append(f"{param.label}: unknown rule {value!r}")
            elif regulator is not None and known_controls[value] != regulator:
                errors.append(f"{param.label}: rule {value!r} belongs to another regulator")
        elif param.type == "firm":
            if value not in firms:
                errors.append(f"{param.label}: unknown firm {value!r}")
            elif firms[value] != action.nation:
                errors.append(f"{param.label}: {value} is not headquartered in {action.nation}")
        elif param.type == "shock":
            moves = military_moves(ruleset)
            if value not in moves:
                errors.append(f"{param.label}: unknown move {value!r} (known: {', '.join(moves) or 'none'})")
        elif param.type == "choice" and value not in param.choices:
            errors.append(f"{param.label}: expected one of {', '.join(param.choices)}")
    unknown = sorted(set(action.params) - {p.name for p in spec.params})
    if unknown:
        errors.append(f"unknown parameter(s) {', '.join(unknown)}")
    if action.kind == "military" and not ruleset.nations[action.nation].military_moves:
        errors.append(f"the ruleset does not allow {action.nation} military moves")
    return errors


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", " ").split() if v.strip()]
    return [str(v) for v in value]
