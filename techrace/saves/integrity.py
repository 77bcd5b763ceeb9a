"""Checks that a save restores to exactly itself and that its records refer to real things.

The checksum stops accidental damage and casual edits. These checks stop a hand-edited save whose
checksum was recomputed from reaching the simulation with arrays of the wrong shape, numbers of the
wrong type or rules naming unknown nations; the core would otherwise fail later, mid-turn.
"""

from __future__ import annotations

import json
import math
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


class Adjustment(BaseModel):
    """A lasting `adjust` effect (techrace.core.mechanisms.adjust)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    field: str
    op: Literal["set", "add", "scale"]
    value: float = Field(allow_inf_nan=False)
    indices: list[int]
    before: list[float]
    after: list[float]
    until: int
    source: str


class Records(BaseModel):
    """The small ordered records next to the state arrays (see techrace.core.state.WorldState)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    turn: int = Field(ge=0)
    sku_names: list[str]
    controls: dict[str, dict[str, Any]]
    control_status: dict[str, Literal["inactive", "announced", "active", "expired", "lifted"]]
    shock_status: dict[str, ShockStatus]
    export_halt_until: dict[str, int]
    action_counter: int = Field(ge=0)
    military_orders: list[list[str]] = []
    adjustments: list[Adjustment] = []


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
    problems += _adjustment_problems(records.adjustments, snapshot)
    problems += [f"military order of unknown nation {nation!r} or move {move!r}" for nation, move, *_ in records.military_orders
                 if nation not in nations or move not in ruleset.shocks]
    for rid, rule in rules.items():
        if rule.regulator not in ruleset.regulators:
            problems.append(f"rule {rid!r} has unknown regulator {rule.regulator!r}")
        unknown = sorted(({*rule.destinations, *rule.sellers, *rule.tier_caps_h100e} - nations)
                         | (set(rule.entities) - entities))
        if unknown:
            problems.append(f"rule {rid!r} names unknown {', '.join(unknown)}")
    if problems:
        raise SaveError(f"{label}: save is malformed: {problems[0]}")


def _adjustment_problems(adjustments: list[Adjustment], snapshot: dict[str, Any]) -> list[str]:
    """Each lasting adjustment names an adjustable field and indices inside its array, one `before` each."""
    from techrace.ruleset.adjustable import ADJUSTABLE

    arrays = snapshot.get("state") if isinstance(snapshot.get("state"), dict) else {}
    problems = []
    for record in adjustments:
        if record.field not in ADJUSTABLE:
            problems.append(f"adjustment of {record.field!r}, which no effect may adjust")
            continue
        size = int(np.asarray(arrays.get(record.field, [])).size) if record.field in arrays else None
        if not len(record.before) == len(record.after) == len(record.indices) or any(i < 0 or (size is not None and i >= size) for i in record.indices):
            problems.append(f"adjustment of {record.field!r} with indices outside its array")
    return problems


IDENTITY_COLUMNS = {"seed": int, "turn": int, "quarter": str, "nation": str}


def check_history(snapshot: dict[str, Any], ruleset: Ruleset, label: str) -> None:
    """SaveError unless the metric history is what the core writes: at most one row per (turn, nation),
    in turn order, with exactly the core's columns, and numbers (or None) that are finite.

    Metric rows are copied into the restored game as they are, so the round-trip check cannot see a
    rewritten row; without this a forged row fails later (a KeyError in a summary, a string in a CSV).
    """
    from techrace.core import COLUMNS

    history = snapshot.get("history")
    rows = history.get("metric_rows") if isinstance(history, dict) else None
    if not isinstance(rows, list):
        raise SaveError(f"{label}: save is malformed: history.metric_rows is not a list")
    turn, nations = snapshot["turn"], set(ruleset.nations)
    if len(rows) > turn * len(nations):
        raise SaveError(f"{label}: save is malformed: {len(rows):,} metric rows for {turn} turns of {len(nations)} nations")
    seen: set[tuple[int, str]] = set()
    last = 1
    for index, row in enumerate(rows):
        problem = _row_problem(row, COLUMNS, snapshot["seed"], turn, nations)
        if problem is None and (row["turn"], row["nation"]) in seen:
            problem = f"a second row for turn {row['turn']}, nation {row['nation']}"
        if problem is None and row["turn"] < last:
            problem = f"turn {row['turn']} after turn {last}"
        if problem:
            raise SaveError(f"{label}: save is malformed: history.metric_rows[{index}]: {problem}")
        seen.add((row["turn"], row["nation"]))
        last = row["turn"]


def _row_problem(row: Any, columns: tuple[str, ...], seed: int, turn: int, nations: set[str]) -> str | None:
    if not isinstance(row, dict):
        return "not a mapping"
    if set(row) != set(columns):
        missing, extra = sorted(set(columns) - set(row)), sorted(set(row) - set(columns), key=str)
        return "; ".join(x for x in (f"lacks {', '.join(missing)}" if missing else "",
                                     f"has unknown {', '.join(map(str, extra))[:80]}" if extra else "") if x)
    for key in columns:
        value, kind = row[key], IDENTITY_COLUMNS.get(key)
        if kind is not None and type(value) is not kind:
            return f"{key} is {value!r:.40}, not {'a whole number' if kind is int else 'text'}"
        if kind is None and value is not None and (type(value) not in (int, float) or not math.isfinite(value)):
            return f"{key} is {value!r:.40}, not a finite number"
    if row["seed"] != seed:
        return f"seed {row['seed']} is not the game's seed {seed}"
    if not 1 <= row["turn"] <= turn:
        return f"turn {row['turn']} is outside 1..{turn}"
    if row["nation"] not in nations:
        return f"unknown nation {row['nation']!r:.20}"
    return None


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
    drop_unrecorded(saved, restored)
    if restored == saved:  # fast path; a difference is then located and named precisely
        return
    divergence = first_divergence(saved, restored)
    if divergence is not None:
        raise SaveError(
            f"{label}: save is malformed: {divergence.actor} {divergence.field} does not restore "
            f"(saved {divergence.expected!r:.40}, restored {divergence.actual!r:.40})"
        )


def drop_unrecorded(saved: dict[str, Any], restored: dict[str, Any]) -> None:
    """A save made before the core recorded a field the advisor reads (`state.RECORDED`) restores it as
    zeros, and one made before a field the core works out on load (`saved_fields.ADDED_ON_LOAD`) restores it from
    the fields it has: that is not damage, so the field is left out of the comparison."""
    from techrace.core.saved_fields import ADDED_ON_LOAD
    from techrace.core.state import RECORDED

    state = saved.get("state") if isinstance(saved.get("state"), dict) else {}
    for name in sorted((RECORDED | ADDED_ON_LOAD) - set(state)):
        for key in ("state", "axes"):
            if isinstance(restored.get(key), dict):
                restored[key] = {k: v for k, v in restored[key].items() if k != name}
