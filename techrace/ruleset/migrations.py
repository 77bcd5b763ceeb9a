"""`format_version` migrations as data: each step says what changed and how to upgrade a layer.

A layer written for an older format is upgraded step by step on load, with a notice naming every
change; a step that cannot be automated (`refuse`) stops the load with a message saying what changed.
Format 1 is the first published format, so the shipped table is empty; tests exercise the mechanism
with a synthetic format-0 table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from techrace.ruleset.schema import FORMAT_VERSION
from techrace.ruleset.source import KeyPath, Mark


@dataclass(frozen=True)
class Rename:
    """Move a key: dotted paths, `*` matches any entry id (e.g. `controls.*.threshold` -> `controls.*.tpp`)."""

    old: str
    new: str


@dataclass(frozen=True)
class Drop:
    """Delete a key that no longer exists (its meaning moved into the engine)."""

    path: str


@dataclass(frozen=True)
class SetDefault:
    """Give a key a value where a layer that adds an entry did not set it."""

    path: str
    value: Any


@dataclass(frozen=True)
class ListToMapping:
    """Turn the list at `path` (`*` matches any id) into a mapping by id, so a later layer can change one item.

    Each item's id is its `key` field (removed from the item unless `keep_key`), or, for items without it,
    `id_template` filled with the item's fields and `index` (e.g. `"{kind}"`; a repeated id gets `_2`,
    `_3` ...). With `replace` (the default) the mapping replaces the one below whole, as the list did,
    so an upgraded mod means exactly what it meant before; locations move with the items."""

    path: str
    key: str | None = None
    id_template: str = "item{index}"
    keep_key: bool = False
    replace: bool = True

    def item_id(self, item: Any, index: int, taken: set[str]) -> str:
        fields = item if isinstance(item, dict) else {}
        own = fields.get(self.key) if self.key else None
        if isinstance(own, str | int) and not isinstance(own, bool) and str(own) not in taken:
            return str(own)
        try:
            base = self.id_template.format(index=index, **{k: v for k, v in fields.items() if isinstance(k, str)})
        except (KeyError, IndexError, ValueError):
            base = f"item{index}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        return candidate


@dataclass(frozen=True)
class MapValue:
    """Replace values at `path` (`*` matches any id) that appear in `values` (e.g. a renamed kind)."""

    path: str
    values: Mapping[str, Any]


Operation = Rename | Drop | SetDefault | ListToMapping | MapValue


@dataclass(frozen=True)
class Migration:
    """One step from `from_version` to `from_version + 1`."""

    from_version: int
    summary: str
    operations: tuple[Operation, ...] = ()
    refuse: bool = False  # True: cannot be upgraded automatically; `summary` tells the modder what to do
    notes: tuple[str, ...] = field(default_factory=tuple)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        from_version=1,
        summary="the causal world: algorithmic progress is earned by labs (research:), chip firms plan to forecast "
                "demand and design new generations, and victory conditions became per-nation entries by id",
        operations=(
            Drop("technology.algorithmic_efficiency_per_quarter"),
            Drop("chip_firms.*.demand_growth_per_quarter"),
            Drop("market.ai_share_growth_per_quarter"),
            Drop("market.jigsaw_share"),
            ListToMapping("victory", id_template="{kind}"),
            SetDefault("victory.economic_collapse.metric", "gdp_index"),
            Drop("victory.leader_at_end"),
            MapValue("victory.*.kind", {"capability_threshold": "threshold", "economic_collapse": "collapse"}),
        ),
        notes=(
            "technology.algorithmic_efficiency_per_quarter is gone: each lab now earns its algorithmic progress (see research:)",
            "chip_firms.*.demand_growth_per_quarter is gone: chip firms plan output from forecast demand",
            "market.ai_share_growth_per_quarter is gone: the AI share of a node grows as foundries build for AI demand "
            "(other customers' demand grows by market.non_ai_growth_per_quarter)",
            "market.jigsaw_share moved to the nation personalities (policies.personalities.*.params.jigsaw_share)",
            "victory conditions became a mapping by id for every nation: capability_threshold became threshold, "
            "economic_collapse became collapse (on gdp_index; a collapsed nation is now out of the game, the others play "
            "on), and leader_at_end became the end score (scoring.weights); new kinds: lead, parity, "
            "self_sufficiency, economic_share",
        ),
    ),
)


class MigrationRefused(Exception):
    """A layer's format cannot be upgraded; the message names what changed."""


def _expand(pattern: str, data: Mapping[str, Any]) -> list[KeyPath]:
    """Concrete key paths in `data` matching a dotted pattern with `*` wildcards (sorted, deterministic)."""
    paths: list[KeyPath] = [()]
    for part in pattern.split("."):
        nxt: list[KeyPath] = []
        for path in paths:
            node = _get(data, path)
            if not isinstance(node, dict):
                continue
            keys = sorted(node) if part == "*" else ([part] if part in node else [])
            nxt.extend(path + (k,) for k in keys)
        paths = nxt
    return paths


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _substitute(pattern: str, matched: KeyPath, target: str) -> KeyPath:
    """The target path with the wildcard parts of `matched` filled in."""
    stars = [m for p, m in zip(pattern.split("."), matched, strict=True) if p == "*"]
    out: list[str | int] = []
    for part in target.split("."):
        out.append(stars.pop(0) if part == "*" and stars else part)
    return tuple(out)


def _move_marks(marks: dict[KeyPath, Mark], old: KeyPath, new: KeyPath) -> None:
    for path in [p for p in marks if p[: len(old)] == old]:
        marks[new + path[len(old):]] = marks.pop(path)


def _to_mapping(op: ListToMapping, data: dict[str, Any], marks: dict[KeyPath, Mark]) -> int:
    from techrace.ruleset.source import Replace

    count = 0
    for path in _expand(op.path, data):
        parent, items = _get(data, path[:-1]), _get(data, path)
        if not isinstance(items, list):
            continue  # already a mapping, or `!remove`: nothing to convert
        mapping: dict[str, Any] = Replace() if op.replace else {}
        for index, item in enumerate(items):
            item_id = op.item_id(item, index, set(mapping))
            if isinstance(item, dict) and op.key in item and not op.keep_key:
                item = {k: v for k, v in item.items() if k != op.key}
                marks.pop(path + (index, op.key), None)
            mapping[item_id] = item
            _move_marks(marks, path + (index,), path + (item_id,))
        parent[path[-1]] = mapping
        count += 1
    return count


def _apply(op: Operation, data: dict[str, Any], marks: dict[KeyPath, Mark]) -> int:
    """Apply one operation; returns how many places it changed."""
    if isinstance(op, ListToMapping):
        return _to_mapping(op, data, marks)
    if isinstance(op, MapValue):
        count = 0
        for path in _expand(op.path, data):
            parent = _get(data, path[:-1])
            value = parent[path[-1]]
            if isinstance(value, str) and value in op.values:
                parent[path[-1]] = op.values[value]
                count += 1
        return count
    if isinstance(op, Rename):
        matches = _expand(op.old, data)
        for path in matches:
            value = _get(data, path[:-1]).pop(path[-1])
            target = _substitute(op.old, path, op.new)
            parent = data
            for part in target[:-1]:
                parent = parent.setdefault(part, {})
            parent[target[-1]] = value
            _move_marks(marks, path, target)
        return len(matches)
    if isinstance(op, Drop):
        matches = _expand(op.path, data)
        for path in matches:
            del _get(data, path[:-1])[path[-1]]
            for p in [p for p in marks if p[: len(path)] == path]:
                del marks[p]
        return len(matches)
    parent_pattern, _, key = op.path.rpartition(".")
    count = 0
    for path in _expand(parent_pattern, data) if parent_pattern else [()]:
        parent = _get(data, path)
        if isinstance(parent, dict) and key not in parent:
            parent[key] = op.value
            count += 1
    return count


def migrate_layer(
    data: dict[str, Any], marks: dict[KeyPath, Mark], version: int, layer: str,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[str]:
    """Upgrade a layer's data in place from `version` to the current format; returns the notices."""
    if version > FORMAT_VERSION:
        raise MigrationRefused(
            f"format_version {version} is newer than this techrace understands ({FORMAT_VERSION}); upgrade techrace"
        )
    steps = {m.from_version: m for m in migrations}
    notices: list[str] = []
    while version < FORMAT_VERSION:
        step = steps.get(version)
        if step is None:
            raise MigrationRefused(f"format_version {version} cannot be upgraded: no migration from format {version}")
        if step.refuse:
            raise MigrationRefused(f"format_version {version} -> {version + 1} needs manual changes: {step.summary}")
        changed = sum(_apply(op, data, marks) for op in step.operations)
        notices.append(f"layer {layer}: upgraded from format {version} to {version + 1}: {step.summary} ({changed} change(s))")
        notices.extend(f"layer {layer}: {note}" for note in step.notes)
        version += 1
    return notices
