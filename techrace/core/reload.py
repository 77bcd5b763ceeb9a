"""Live rulesets: play on under a changed ruleset from the next turn, the world's state kept.

A reload replaces the rules and parameters (everything `Static` is built from, the agents' policies, the
rules and shocks the ruleset defines); the world's state (capacities, stocks, engineers, money, rules in
force) carries on. It cannot change what the state's arrays are indexed by, so a ruleset that adds, removes
or renames nations, firms, sites, nodes, regulators, victory conditions or packaging pools, or moves the
start quarter, is refused with a message saying so.

Each reload is recorded (`Reload`) as the changes between the two rulesets' JSON data, old and new value
side by side, with the new ruleset's hash: a save holds its current ruleset, undoing the reloads in reverse
gives the ruleset it started with, and replay applies them again at their turns, so it stays exact.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from techrace.core.state import WorldState, axis_labels
from techrace.core.static import Static
from techrace.ruleset import Ruleset

_ABSENT = object()
FIXED_AXES = ("nation", "site", "node", "foundry", "toolmaker", "chip_firm", "lab", "employer", "victory",
              "packaging_pool", "quarter_ahead")


@dataclass(frozen=True)
class Reload:
    """A ruleset reloaded after `turn` turns: its changes (path, old, new; a missing side is absent)."""

    turn: int
    hash: str
    changes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "hash": self.hash, "changes": copy.deepcopy(self.changes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reload:
        changes = data["changes"]
        if not isinstance(changes, list) or not all(isinstance(c, dict) and isinstance(c.get("path"), list) for c in changes):
            raise ValueError("a reload's changes must be a list of {path, old, new}")
        return cls(int(data["turn"]), str(data["hash"]), copy.deepcopy(changes))


def data_of(ruleset: Ruleset) -> dict[str, Any]:
    return ruleset.model_dump(mode="json", by_alias=True)


def hash_of(data: dict[str, Any]) -> str:
    """The content hash `ruleset_hash` gives the ruleset these data dump from."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def changes_between(old: Any, new: Any, path: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Leaf changes from `old` to `new` JSON data, through mappings (lists and values change whole)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict[str, Any]] = []
        for key in list(old) + [k for k in new if k not in old]:
            out += changes_between(old.get(key, _ABSENT), new.get(key, _ABSENT), (*path, key))
        return out
    if old is _ABSENT and new is _ABSENT or old == new and type(old) is type(new):
        return []
    change: dict[str, Any] = {"path": list(path)}
    if old is not _ABSENT:
        change["old"] = copy.deepcopy(old)
    if new is not _ABSENT:
        change["new"] = copy.deepcopy(new)
    return [change]


def apply_changes(data: dict[str, Any], changes: list[dict[str, Any]], *, undo: bool = False) -> dict[str, Any]:
    """`data` with the changes made (or undone), as new data."""
    out = copy.deepcopy(data)
    side = "old" if undo else "new"
    for change in reversed(changes) if undo else changes:
        *parents, last = change["path"]
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        if side in change:
            node[last] = copy.deepcopy(change[side])
        else:
            node.pop(last, None)
    return out


def ruleset_before(current: Ruleset, reloads: list[Reload]) -> Ruleset:
    """The ruleset a game started with, from its current ruleset and its reloads."""
    data = data_of(current)
    for reload in reversed(reloads):
        data = apply_changes(data, reload.changes, undo=True)
    return Ruleset.model_validate(data)


def ruleset_after(current: Ruleset, reload: Reload) -> Ruleset:
    """The ruleset a recorded reload put in force; ValueError if it is not the one recorded."""
    data = apply_changes(data_of(current), reload.changes)
    if hash_of(data) != reload.hash:
        raise ValueError(f"the reload after turn {reload.turn} does not give the ruleset it recorded")
    return Ruleset.model_validate(data)


def refusal(old: Static, new: Static, state: WorldState) -> str | None:
    """Why the state of a game under `old` cannot play on under `new` (None: it can)."""
    if old.start_quarter != new.start_quarter:
        return f"the start quarter moved from {old.start_quarter} to {new.start_quarter}"
    before, after = axis_labels(old, state), axis_labels(new, state)
    for axis in FIXED_AXES:
        if before[axis] != after[axis]:
            gone = [x for x in before[axis] if x not in after[axis]]
            added = [x for x in after[axis] if x not in before[axis]]
            what = "; ".join(filter(None, (f"removed {', '.join(gone[:5])}" if gone else "",
                                           f"added {', '.join(added[:5])}" if added else ""))) or "reordered"
            noun = {"quarter_ahead": "the longest build or delivery queue", "victory": "victory conditions",
                    "packaging_pool": "packaging pools"}.get(axis, axis.replace("_", " ") + "s")
            return f"{noun} changed ({what})"
    if old.sku_capacity != new.sku_capacity:
        return f"the number of design slots changed from {old.sku_capacity} to {new.sku_capacity}"
    return None


def carry_records(state: WorldState, old: Ruleset, new: Ruleset) -> None:
    """Rules and shocks as the new ruleset defines them, with what play did to them kept: a rule's status
    and any field changed in play (e.g. a licence exception); rules enacted in play stay; a rule the ruleset
    no longer has is dropped unless it ever took effect; new rules start inactive."""
    controls = dict(state.controls)
    for rid in sorted(set(old.controls) - set(new.controls)):
        if state.control_status.get(rid) in ("inactive", "announced"):
            controls.pop(rid, None)
            state.control_status.pop(rid, None)
    for rid, spec in new.controls.items():
        fresh = spec.model_dump(mode="json", by_alias=True)
        if rid in controls and rid in old.controls:
            was = old.controls[rid].model_dump(mode="json", by_alias=True)
            fresh.update({k: v for k, v in controls[rid].items() if was.get(k, _ABSENT) != v})
        controls[rid] = fresh if rid not in controls or rid in old.controls else controls[rid]
        state.control_status.setdefault(rid, "inactive")
    state.controls = dict(sorted(controls.items()))
    state.control_status = {rid: state.control_status[rid] for rid in state.controls}
    state.shock_status = {sid: copy.deepcopy(state.shock_status.get(sid, {"fired": 0, "until": 0}))
                          for sid in sorted(new.shocks)}
