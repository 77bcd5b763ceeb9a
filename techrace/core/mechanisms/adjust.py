"""The generic `adjust` effect: set, add to or scale any adjustable state field (techrace.ruleset.adjustable)
for the actors a `where:` selects, for good or for a number of quarters, so that a modder's shock needs no
Python.

A stock (a fab's capacity, a nation's visa openness) is changed once and the change is undone when it
ends: an added amount is taken off again, a scaled one divided back, a set one restored to what it was.
A flow the model sets anew each quarter (a budget, a lab's spending) is changed again every quarter the
adjustment lasts. Each lasting adjustment is a record in the state, so saves and replays carry it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from techrace.core.state import NEVER, WorldState
from techrace.core.static import Static
from techrace.ruleset.adjustable import ADJUSTABLE, NATION_AXES, OWNER_AXES
from techrace.ruleset.schema import SKILLS, TOOL_KINDS


def _axis_ids(static: Static, axis: str) -> list[str]:
    lists = {"nation": static.nations, "site": static.sites, "node": static.nodes, "foundry": static.foundries,
             "toolmaker": static.toolmakers, "chip_firm": static.chip_firms, "lab": static.labs,
             "employer": static.employers, "skill": list(SKILLS), "tool_kind": list(TOOL_KINDS)}
    return list(lists[axis])


def _axis_nation(static: Static, axis: str) -> np.ndarray:
    return {"site": static.site_nation, "foundry": static.foundry_nation, "toolmaker": static.toolmaker_nation,
            "chip_firm": static.chip_firm_nation, "lab": static.lab_nation, "employer": static.employer_nation}[axis]


def _axis_mask(static: Static, axis: str, where: dict[str, str]) -> np.ndarray:
    """Which entries along one axis the selector picks: named directly, by their nation or by their owner."""
    ids = _axis_ids(static, axis)
    mask = np.ones(len(ids), dtype=bool)
    if axis in where:
        mask &= np.array([i == where[axis] for i in ids], dtype=bool)
    if axis in NATION_AXES and "nation" in where:
        mask &= _axis_nation(static, axis) == static.nations.index(where["nation"])
    owner = OWNER_AXES.get(axis)
    if owner is not None and owner in where:
        mask &= static.site_foundry == static.foundries.index(where[owner])
    return mask


def selected_indices(static: Static, field: str, where: dict[str, str]) -> list[int]:
    """Flat indices of the field's array that the selector picks (ordered, so records replay exactly)."""
    masks = [_axis_mask(static, axis, where) for axis in ADJUSTABLE[field].axes]
    grid = np.ix_(*masks)
    chosen = np.zeros([len(m) for m in masks], dtype=bool)
    chosen[grid] = True
    return [int(i) for i in np.flatnonzero(chosen)]


def _change(s: WorldState, field: str, indices: list[int], op: str, value: float) -> tuple[list[float], list[float]]:
    """Apply op to the picked entries, within the field's bounds; return what they were before and after."""
    spec = ADJUSTABLE[field]
    array = getattr(s, field)
    at = np.unravel_index(np.asarray(indices, dtype=np.int64), array.shape)
    before = array[at].copy()
    after = np.clip({"set": np.full(len(indices), value), "add": before + value, "scale": before * value}[op],
                    spec.low, spec.high)
    array[at] = after
    return [float(v) for v in before], [float(v) for v in after]


def _undo(s: WorldState, record: dict[str, Any]) -> None:
    """Take back what a stock's adjustment changed, as it was actually applied (after the bounds): an added
    amount is taken off, a scaling divided back, a set value (or a scaling to zero or near it, whose inverse
    overflows) restored."""
    array = getattr(s, record["field"])
    at = np.unravel_index(np.asarray(record["indices"], dtype=np.int64), array.shape)
    before, after = np.asarray(record["before"]), np.asarray(record["after"])
    spec = ADJUSTABLE[record["field"]]
    if record["op"] == "add":
        restored = array[at] - (after - before)
    elif record["op"] == "scale":
        with np.errstate(over="ignore"):  # a scaling to a subnormal has no finite inverse
            ratio = np.divide(before, after, out=np.zeros_like(before), where=after != 0.0)
        divisible = (after != 0.0) & np.isfinite(ratio)
        restored = np.where(divisible, array[at] * np.where(divisible, ratio, 0.0), before)
    else:
        restored = before
    array[at] = np.clip(restored, spec.low, spec.high)


def apply(static: Static, s: WorldState, effect: dict[str, Any], source: str) -> str:
    """Fire one adjust effect now; keep a record if it lasts for a while or, for a flow, for good."""
    field, op, value = effect["field"], effect["op"], float(effect["value"])
    where = dict(effect.get("where") or {})
    indices = selected_indices(static, field, where)
    before, after = _change(s, field, indices, op, value)
    quarters = int(effect.get("for_quarters") or 0)
    if quarters or ADJUSTABLE[field].flow:
        until = s.turn + quarters - 1 if quarters else int(NEVER)
        s.adjustments.append({"field": field, "op": op, "value": value, "indices": indices,
                              "before": before, "after": after, "until": until, "source": source})
    return _describe(field, op, value, where, quarters)


def expire_and_repeat(s: WorldState) -> None:
    """At the start of a quarter: flows are changed again while their adjustment lasts; stocks whose
    adjustment ended are put back (added amounts taken off, scaled ones divided back, set ones restored)."""
    kept = []
    for record in s.adjustments:
        field, op, value, indices = record["field"], record["op"], record["value"], record["indices"]
        if record["until"] >= s.turn:
            if ADJUSTABLE[field].flow:
                _change(s, field, indices, op, value)
            kept.append(record)
            continue
        if not ADJUSTABLE[field].flow:
            _undo(s, record)
    s.adjustments = kept


def _describe(field: str, op: str, value: float, where: dict[str, str], quarters: int) -> str:
    whom = " ".join(f"{key} {name}" for key, name in where.items()) or "everyone"
    verb = {"set": f"set to {value:g}", "add": f"{value:+g}", "scale": f"x{value:g}"}[op]
    span = f" for {quarters} quarters" if quarters else ""
    return f"{field} of {whom} {verb}{span}"
