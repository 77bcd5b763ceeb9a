"""Compare two game snapshots and name their first difference as (turn, actor, field).

History rows (metrics, events) carry their own turn; state arrays are named through the snapshot's
"axes" and "labels" (e.g. actor SMIC, field d0[N7]); anything else is reported at the saved turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from techrace.saves import container

_MISSING = "<missing>"


@dataclass(frozen=True)
class Divergence:
    """The first point where the replayed game differs from the saved one."""

    turn: int
    actor: str
    field: str
    expected: Any
    actual: Any

    def describe(self) -> str:
        return (f"turn {self.turn}, actor {self.actor}, field {self.field}: saved {_short(self.expected)}, "
                f"replay gives {_short(self.actual)}")


def first_divergence(saved: dict[str, Any], replayed: dict[str, Any]) -> Divergence | None:
    """The earliest difference between two snapshots, named by turn, actor and field."""
    if container.canonical_json(saved) == container.canonical_json(replayed):
        return None
    turn = int(saved.get("turn", 0))
    found = [d for d in (_history_divergence(saved, replayed), _state_divergence(saved, replayed)) if d]
    if found:
        return min(found, key=lambda d: d.turn)
    actors = {"records": "world", "rng": "random generators", "action_log": "action log"}
    for key, actor in actors.items():
        diff = _first_difference(saved.get(key), replayed.get(key), (key,))
        if diff:
            path, expected, actual = diff
            at = int(path[1]) if key == "action_log" and len(path) > 1 and isinstance(path[1], int) else turn
            return Divergence(at, actor, _dotted(path[1:]) or key, expected, actual)
    path, expected, actual = _first_difference(saved, replayed, ()) or ((), saved, replayed)
    return Divergence(turn, "game", _dotted(path), expected, actual)


def _history_divergence(saved: dict[str, Any], replayed: dict[str, Any]) -> Divergence | None:
    """Earliest differing history row (metric rows and events carry their turn)."""
    best: Divergence | None = None
    old, new = saved.get("history"), replayed.get("history")
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None
    for key in sorted(set(old) | set(new)):
        diff = _first_difference(old.get(key), new.get(key), (key,))
        if diff is None:
            continue
        path, expected, actual = diff
        rows = old.get(key) if isinstance(old.get(key), list) else new.get(key)
        row: Any = None
        if len(path) > 1 and isinstance(path[1], int) and isinstance(rows, list):
            candidates = [r for r in (_at(old.get(key), path[1]), _at(new.get(key), path[1])) if isinstance(r, dict)]
            row = candidates[0] if candidates else None
        at = int(row["turn"]) if isinstance(row, dict) and isinstance(row.get("turn"), int) else int(saved.get("turn", 0))
        actor = _row_actor(row)
        field = f"{key}.{_dotted(path[2:])}" if len(path) > 2 else key
        if best is None or at < best.turn:
            best = Divergence(at, actor, field, expected, actual)
    return best


def _state_divergence(saved: dict[str, Any], replayed: dict[str, Any]) -> Divergence | None:
    """First differing state value, named through "axes" and "labels" (e.g. actor SMIC, field d0[N7])."""
    diff = _first_difference(saved.get("state"), replayed.get("state"), ())
    if diff is None:
        return None
    path, expected, actual = diff
    turn = int(saved.get("turn", 0))
    axes_of = saved.get("axes") if isinstance(saved.get("axes"), dict) else {}
    at = next((i for i, p in enumerate(path) if isinstance(p, str) and p in axes_of), None)
    if at is None:  # a record outside the named arrays (controls, statuses ...)
        return Divergence(turn, "world", _dotted(("state", *path)), expected, actual)
    name, index = str(path[at]), list(path[at + 1:])
    axes = axes_of.get(name) or []
    labels = saved.get("labels") if isinstance(saved.get("labels"), dict) else {}
    names: list[str] = []
    for depth, idx in enumerate(index):
        ids = labels.get(axes[depth]) if depth < len(axes) else None
        names.append(str(ids[idx]) if isinstance(idx, int) and isinstance(ids, list) and idx < len(ids) else str(idx))
    actor = names[0] if names else "world"
    field = f"{name}[{', '.join(names[1:])}]" if len(names) > 1 else name
    return Divergence(turn, actor, field, expected, actual)


def _first_difference(a: Any, b: Any, path: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any, Any] | None:
    """Path to the first differing leaf (dict keys in sorted order, lists by index), with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return path + (key,), a.get(key, _MISSING), b.get(key, _MISSING)
            diff = _first_difference(a[key], b[key], path + (key,))
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            diff = _first_difference(x, y, path + (i,))
            if diff:
                return diff
        if len(a) != len(b):
            n = min(len(a), len(b))
            return path + (n,), _at(a, n, _MISSING), _at(b, n, _MISSING)
        return None
    if a == b and type(a) is type(b):
        return None
    return path, a, b


def _at(rows: Any, index: int, default: Any = None) -> Any:
    return rows[index] if isinstance(rows, list) and 0 <= index < len(rows) else default


def _row_actor(row: Any) -> str:
    if not isinstance(row, dict):
        return "world"
    for key in ("nation", "actor", "firm", "entity"):
        if isinstance(row.get(key), str):
            return row[key]
    actors = row.get("actors")
    if isinstance(actors, list) and actors:
        return ",".join(str(a) for a in actors)
    return "world"


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
