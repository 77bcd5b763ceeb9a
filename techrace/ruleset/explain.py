"""Answers about merged rulesets for modders: where a value came from, and how two rulesets differ."""

from __future__ import annotations

import difflib
import json
from typing import Any

from techrace.ruleset.layers import ABSENT, Origin, dotted, suggest, within
from techrace.ruleset.loader import InspectedRuleset, RulesetError
from techrace.ruleset.schema import Ruleset
from techrace.ruleset.source import KeyPath


def as_data(ruleset: Ruleset) -> dict[str, Any]:
    """The merged ruleset in its YAML form (aliases such as `from`, defaults filled in)."""
    return ruleset.model_dump(mode="json", by_alias=True)


def parse_path(data: Any, text: str) -> KeyPath:
    """A dotted key path checked against `data`; unknown parts raise a RulesetError with a suggestion."""
    path: list[str | int] = []
    node = data
    for part in [p for p in text.split(".") if p] if text else []:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            path.append(int(part))
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        else:
            options = list(node) if isinstance(node, dict) else [str(i) for i in range(len(node))] if isinstance(node, list) else []
            where = dotted(tuple(path)) if path else "the top level"
            raise RulesetError([f"no key {part!r} under {where}{suggest(part, options)}"])
    return tuple(path)


def get_path(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def short(value: Any, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def provenance_header(inspected: InspectedRuleset) -> list[str]:
    """YAML comment lines naming the ruleset, its metadata and its layers (for `ruleset show`)."""
    from techrace.ruleset.meta import summary

    lines = []
    for layer in inspected.chain:  # top first
        meta = layer.meta
        line = f"# {summary(meta, str(meta.get('name') or layer.name))}"
        extends = meta.get("extends")
        if extends:
            line += f" — extends {', '.join(extends) if isinstance(extends, list) else extends}"
        requires = meta.get("requires")
        if requires:
            line += f"; requires {', '.join(requires) if isinstance(requires, list) else requires}"
        lines.append(line)
    return lines


def _write_line(inspected: InspectedRuleset, path: KeyPath, p: KeyPath, origin: Origin) -> tuple[str, Any]:
    """One write that decided `path` (made at `p`, itself or an enclosing key) and the value it gave `path`."""
    where = f"{origin.mark}" if origin.mark else "(ruleset.yaml)"
    if origin.action == "removed":
        return f"  removed by layer {origin.layer} at {where}" + (f" (with {dotted(p)})" if p != path else ""), None
    value = within(origin.value, path[len(p):]) if p != path else origin.value
    if p != path:
        layer = inspected.layer(origin.layer)
        mark = layer.marks.get(path) if layer else None
        where = f"{mark or where} (within {dotted(p)})"
    shown = "" if value is None else " (not in it)" if value is ABSENT else f" {short(value)}"
    return f"  {origin.action} by layer {origin.layer} at {where}:{shown}", value


def explain(inspected: InspectedRuleset, text: str) -> list[str]:
    """The final value at a key path (list indices included) and every layer's write that led to it:
    its own, whole lists or entries that contain it, removals, and writes inside it."""
    assert inspected.ruleset is not None
    data = as_data(inspected.ruleset)
    raw = tuple(int(p) if p.isdigit() else p for p in text.split(".") if p)
    try:
        path, present = parse_path(data, text), True
        lines = [f"{dotted(path)} = {short(get_path(data, path))}"]
    except RulesetError:
        if not inspected.writes(raw):
            raise
        path, present, lines = raw, False, [f"{text}: not in the merged ruleset"]
    previous: tuple[str, Any] | None = None
    for p, origin in inspected.writes(path):
        line, value = _write_line(inspected, path, p, origin)
        lines.append(line)
        if previous is not None and origin.action in ("set", "replaced") and previous[1] != value:
            before = "nothing" if previous[1] is ABSENT else short(previous[1])
            lines.append(f"    (overrode {before} from layer {previous[0]})")
        previous = (origin.layer, value)
    inside = [(p, o) for p, o in inspected.merged.log if present and len(p) > len(path) and p[: len(path)] == path]
    if inside and len(lines) == 1:
        lines.append("  the entry itself was written by no layer directly")
    for p, origin in inside[:40]:
        where = f"{origin.mark}" if origin.mark else "(ruleset.yaml)"
        written = "" if origin.value is None or origin.action == "removed" else f": {short(origin.value)}"
        lines.append(f"  {dotted(p[len(path):])}: {origin.action} by layer {origin.layer} at {where}{written}")
    if len(inside) > 40:
        lines.append(f"  ... and {len(inside) - 40} more writes inside it")
    if len(lines) == 1:
        lines.append("  not set by any layer: the schema default")
    return lines


def diff(a: Ruleset, b: Ruleset) -> list[str]:
    """`- path: value` only in A, `+ path: value` only in B, `~ path: a -> b` changed, item by item through
    mappings and lists, with long text cut around the change (name, description and metadata skipped)."""
    left, right = as_data(a), as_data(b)
    for meta in ("name", "description", "extends", "version", "authors", "requires"):
        left.pop(meta, None)
        right.pop(meta, None)
    lines: list[str] = []
    _diff(left, right, (), lines)
    return lines


def _diff(left: Any, right: Any, path: KeyPath, lines: list[str]) -> None:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in list(left) + [k for k in right if k not in left]:
            p = path + (key,)
            if key not in right:
                lines.append(f"- {dotted(p)}: {short(left[key])}")
            elif key not in left:
                lines.append(f"+ {dotted(p)}: {short(right[key])}")
            else:
                _diff(left[key], right[key], p, lines)
    elif isinstance(left, list) and isinstance(right, list):
        _diff_lists(left, right, path, lines)
    elif left != right:
        old, new = _around_change(left, right)
        lines.append(f"~ {dotted(path)}: {old} -> {new}")


def _diff_lists(left: list[Any], right: list[Any], path: KeyPath, lines: list[str]) -> None:
    keys = [[json.dumps(item, sort_keys=True) for item in side] for side in (left, right)]
    matcher = difflib.SequenceMatcher(None, keys[0], keys[1], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            _diff(left[i1 + k], right[j1 + k], path + (i1 + k,), lines)
        for i in range(i1 + pairs, i2):
            lines.append(f"- {dotted(path + (i,))}: {short(left[i])}")
        for j in range(j1 + pairs, j2):
            lines.append(f"+ {dotted(path + (j,))}: {short(right[j])}")


def _around_change(left: Any, right: Any, limit: int = 40) -> tuple[str, str]:
    """Both values shown short, but cut so the part that differs is visible."""
    a, b = json.dumps(left, ensure_ascii=False), json.dumps(right, ensure_ascii=False)
    if len(a) <= limit and len(b) <= limit:
        return a, b
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    start = max(0, start - 12)

    def cut(text: str) -> str:
        piece = text[start: start + limit]
        return ("..." if start else "") + piece + ("..." if start + limit < len(text) else "")
    return cut(a), cut(b)


def nations_only_in(a: Ruleset, b: Ruleset) -> list[str]:
    """Notes for nations that exist in one ruleset only (a comparison cannot pair them)."""
    only_a = [n for n in a.nations if n not in b.nations]
    only_b = [n for n in b.nations if n not in a.nations]
    notes = [f"{n} is only in {a.name}: not compared" for n in only_a]
    return notes + [f"{n} is only in {b.name}: not compared" for n in only_b]
