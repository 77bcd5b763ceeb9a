"""Answers about merged rulesets for modders: where a value came from, and how two rulesets differ."""

from __future__ import annotations

import json
from typing import Any

from techrace.ruleset.layers import dotted, suggest
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


def explain(inspected: InspectedRuleset, text: str) -> list[str]:
    """Lines telling the final value at a key path and each layer's write that led to it."""
    assert inspected.ruleset is not None
    data = as_data(inspected.ruleset)
    origins = inspected.origins(tuple(text.split(".")))
    try:
        path = parse_path(data, text)
    except RulesetError:
        if not origins:
            raise
        path = tuple(text.split("."))
        lines = [f"{text}: not in the merged ruleset"]
    else:
        origins = inspected.origins(path)
        lines = [f"{dotted(path)} = {short(get_path(data, path))}"]
    previous: dict[str, Any] | None = None
    for origin in origins:
        where = f"{origin.mark}" if origin.mark else "(ruleset.yaml)"
        if origin.action == "removed":
            lines.append(f"  removed by layer {origin.layer} at {where}")
        else:
            written = "" if origin.value is None else f" {short(origin.value)}"
            lines.append(f"  {origin.action} by layer {origin.layer} at {where}:{written}")
        if previous is not None and origin.action in ("set", "replaced"):
            lines.append(f"    (overrode {short(previous['value'])} from layer {previous['layer']})")
        previous = {"layer": origin.layer, "value": origin.value}
    if not origins:
        lines.append("  not set by any layer: the schema default")
    return lines


def diff(a: Ruleset, b: Ruleset) -> list[str]:
    """`- path: value` only in A, `+ path: value` only in B, `~ path: a -> b` changed (name/description skipped)."""
    left, right = as_data(a), as_data(b)
    for meta in ("name", "description", "extends"):
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
    elif left != right:
        lines.append(f"~ {dotted(path)}: {short(left, 40)} -> {short(right, 40)}")
