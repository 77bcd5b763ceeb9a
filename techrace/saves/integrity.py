"""Checks that a save restores to exactly itself and that its records refer to real things.

The checksum stops accidental damage and casual edits. These checks stop a hand-edited save whose
checksum was recomputed from reaching the simulation with arrays of the wrong shape, numbers of the
wrong type or rules naming unknown nations; the core would otherwise fail later, mid-turn.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from techrace.errors import TechraceError
from techrace.saves.divergence import first_divergence
from techrace.saves.errors import SaveError

if TYPE_CHECKING:
    from techrace.core import Game
    from techrace.ruleset import Ruleset


RULESET_KEYS = ("ruleset", "ruleset_hash")


class ShockStatus(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    fired: int = Field(ge=0)
    until: int


class Records(BaseModel):
    """The small ordered records next to the state arrays (see techrace.core.state.WorldState)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    turn: int = Field(ge=0)
    sku_names: list[str]
    controls: dict[str, dict[str, Any]]
    control_status: dict[str, Literal["inactive", "announced", "active", "expired"]]
    shock_status: dict[str, ShockStatus]
    export_halt_until: dict[str, int]
    action_counter: int = Field(ge=0)


def check_records(snapshot: dict[str, Any], ruleset: Ruleset, label: str) -> None:
    """SaveError unless the snapshot's records are well-typed and name only known rules, nations, firms."""
    from techrace.core.actions import firm_ids, site_ids
    from techrace.ruleset.schema import ControlRule

    try:
        records = Records.model_validate(snapshot.get("records"))
        rules = {rid: ControlRule.model_validate(rule) for rid, rule in records.controls.items()}
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "records"
        raise SaveError(f"{label}: save is malformed: records.{where}: {first['msg']}") from None
    nations, entities = set(ruleset.nations), set(firm_ids(ruleset)) | set(site_ids(ruleset))
    problems = []
    if records.turn != snapshot["turn"]:
        problems.append(f"records.turn is {records.turn}, not {snapshot['turn']}")
    if set(records.control_status) != set(rules):
        problems.append("control_status does not list exactly the known rules")
    if set(records.shock_status) != set(ruleset.shocks):
        problems.append("shock_status does not list exactly the ruleset's shocks")
    problems += [f"rule {rid!r} of the ruleset is missing" for rid in ruleset.controls if rid not in rules]
    problems += [f"export halt for unknown nation {key!r}" for key in records.export_halt_until
                 if key.removeprefix("offline:") not in nations]
    for rid, rule in rules.items():
        if rule.regulator not in ruleset.regulators:
            problems.append(f"rule {rid!r} has unknown regulator {rule.regulator!r}")
        unknown = sorted(({*rule.destinations, *rule.sellers, *rule.tier_caps_h100e} - nations)
                         | (set(rule.entities) - entities))
        if unknown:
            problems.append(f"rule {rid!r} names unknown {', '.join(unknown)}")
    if problems:
        raise SaveError(f"{label}: save is malformed: {problems[0]}")


def check_round_trip(snapshot: dict[str, Any], game: Game, label: str) -> None:
    """SaveError unless the restored game snapshots back to exactly the saved snapshot."""
    try:
        restored = json.loads(json.dumps(game.snapshot(), allow_nan=False))
    except (TechraceError, ValueError) as exc:
        raise SaveError(f"{label}: save is malformed: {exc}") from None
    labels = restored["labels"]
    for name, axes in sorted(restored["axes"].items()):
        shape = tuple(len(labels[axis]) for axis in axes)
        actual = np.shape(restored["state"][name])
        if actual != shape:
            raise SaveError(f"{label}: save is malformed: state field {name} has shape {actual}, the ruleset needs "
                            f"{shape} ({' x '.join(axes)})")
    # The ruleset was checked against its hash already; re-dumped under today's schema it may gain
    # fields with defaults, which is not damage.
    saved = {k: v for k, v in snapshot.items() if k not in RULESET_KEYS}
    restored = {k: v for k, v in restored.items() if k not in RULESET_KEYS}
    if restored == saved:  # fast path; a difference is then located and named precisely
        return
    divergence = first_divergence(saved, restored)
    if divergence is not None:
        raise SaveError(
            f"{label}: save is malformed: {divergence.actor} {divergence.field} does not restore "
            f"(saved {divergence.expected!r:.40}, restored {divergence.actual!r:.40})"
        )
