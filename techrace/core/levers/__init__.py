"""The lever registry: every lever a nation or its regulator can pull, one object each.

`ACTION_SPECS` (the forms UIs build), validation, costs, application, previews and the docs' lever table
(`python -m techrace.core.levers docs/levers.md`) all come from `LEVERS`. Action kind names are stable:
saves and replays hold them.
"""

from __future__ import annotations

from techrace.core.levers.base import (
    ActionSpec,
    Lever,
    ParamSpec,
    firm_ids,
    firm_name,
    military_moves,
    regulator_of,
    regulators_of,
    site_ids,
    site_nations,
)
from techrace.core.levers.controls import (
    ChipThreshold,
    EnactControl,
    EntityList,
    LicenceException,
    LiftControl,
    Retaliation,
    ServicingBan,
    ToolBan,
)
from techrace.core.levers.nation import (
    Advisor,
    Centralisation,
    FabGrant,
    Military,
    PayPolicy,
    PowerBuildout,
    Subsidy,
    VisaPolicy,
)
from techrace.ruleset.schema import LEVER_GROUPS

LEVERS: dict[str, Lever] = {lever.kind: lever for lever in (
    EntityList(), ChipThreshold(), ToolBan(), ServicingBan(), LicenceException(), LiftControl(), EnactControl(),
    Subsidy(), FabGrant(), VisaPolicy(), PayPolicy(), PowerBuildout(), Centralisation(), Retaliation(), Military(), Advisor(),
)}
ACTION_SPECS: dict[str, ActionSpec] = {kind: type(lever).spec() for kind, lever in LEVERS.items()}


def lever_table() -> str:
    """The docs' table of levers (markdown), generated from the registry."""
    lines = ["| lever (`kind`) | group | who | holds | parameters | what it does |", "|---|---|---|---|---|---|"]
    for kind, lever in LEVERS.items():
        params = ", ".join(f"`{p.name}`" + (f" ({p.when})" if p.when else "" if p.required else " (optional)")
                           for p in lever.params)
        who = "regulator" if lever.needs_regulator else "government"
        holds = "until changed" if lever.standing else ("one-off or every quarter" if any(p.name == "recurring" for p in lever.params) else "one-off")
        lines.append(f"| {lever.label} (`{kind}`) | {lever.group} | {who} | {holds} | {params} | {lever.effect} |")
    return "\n".join(lines) + "\n"


__all__ = ["ACTION_SPECS", "LEVERS", "LEVER_GROUPS", "ActionSpec", "Lever", "ParamSpec", "firm_ids", "firm_name",
           "lever_table", "military_moves", "regulator_of", "regulators_of", "site_ids", "site_nations"]
