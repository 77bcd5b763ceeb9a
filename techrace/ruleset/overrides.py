"""Set ruleset values by key path (`controls.oct2023_chips.tpp`) for sweeps, sampling and sensitivity.

Key paths are dotted paths into the ruleset's dict form (its YAML form, aliases such as `from`
included); list items are addressed by index (`victory.0.value`). The changed dict is validated again
as a whole, so an override can never produce a ruleset the loader would have refused.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from typing import Any

from techrace.errors import TechraceError
from techrace.ruleset.messages import shown
from techrace.ruleset.schema import MAX_MAGNITUDE, Ruleset


class OverrideError(TechraceError):
    """A key path that does not exist in the ruleset, or a value the schema refuses there."""


def apply_overrides(ruleset: Ruleset, overrides: Mapping[str, object]) -> Ruleset:
    """A new ruleset with each key path set to its value (the input is left untouched)."""
    if not overrides:
        return ruleset
    data = ruleset.model_dump(mode="json", by_alias=True)
    for path, value in overrides.items():
        check_value(path, value)
        _set_path(data, path, value)
    paths = ", ".join(overrides)
    from techrace.ruleset.crossref_model import CHECKED_BY_CALLER
    from techrace.ruleset.layers import dotted
    from techrace.ruleset.locate import schema_findings

    result, findings = schema_findings(Ruleset, data, context={CHECKED_BY_CALLER: True})  # cross-references below
    if findings or not isinstance(result, Ruleset):
        first = findings[0]
        raise OverrideError(f"override of {paths} gives an invalid ruleset: {dotted(first.path)}: {first.message}")
    from techrace.ruleset.loader import reference_errors

    problems = reference_errors(result)
    if problems:
        raise OverrideError(f"override of {paths} breaks a cross-reference: {problems[0]}")
    return result


def check_value(path: str, value: object) -> None:
    """Refuse a value no ruleset may hold before it is tried: not finite (.inf, .nan) or absurdly large.
    Batch runs call it on swept values and on the bounds of sampled distributions."""
    numbers = [value] if not isinstance(value, dict | list) else list(_numbers(value))
    for number in numbers:
        if isinstance(number, float) and not math.isfinite(number):
            raise OverrideError(f"override of {path}: {shown(number)} is not a finite number")
        if isinstance(number, int | float) and not isinstance(number, bool) and abs(number) > MAX_MAGNITUDE:
            raise OverrideError(f"override of {path}: {shown(number)} is too large (numbers in a ruleset stay within ±{MAX_MAGNITUDE:g})")


def _numbers(value: Any) -> Iterator[Any]:
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, dict | list):
            yield from _numbers(item)
        else:
            yield item


def key_paths(ruleset: Ruleset) -> list[str]:
    """Every key path of the ruleset, parents before children, in document order."""
    return [path for path, _ in _walk(ruleset.model_dump(mode="json", by_alias=True), "")]


def get_path(ruleset: Ruleset, path: str) -> Any:
    """The value at a key path (raises OverrideError with a suggestion if the path does not exist)."""
    data = ruleset.model_dump(mode="json", by_alias=True)
    parent, last = _parent_of(data, path)
    return parent[last]


def _walk(node: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        items = [(str(k), v) for k, v in node.items()]
    elif isinstance(node, list):
        items = [(str(i), v) for i, v in enumerate(node)]
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else key
        yield path, value
        yield from _walk(value, path)


def _set_path(data: dict[str, Any], path: str, value: object) -> None:
    parent, last = _parent_of(data, path)
    parent[last] = value


def _parent_of(data: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container holding the last segment of `path`, and that segment (a key or a list index)."""
    segments = path.split(".") if path else []
    if not segments or any(not s for s in segments):
        raise OverrideError(f"bad key path {path!r}: expected dotted names like controls.oct2023_chips.tpp")
    node: Any = data
    for depth, segment in enumerate(segments):
        key = _child_key(node, segment)
        if key is None:
            raise OverrideError(_unknown_message(data, segments, depth))
        if depth == len(segments) - 1:
            return node, key
        node = node[key]
    raise AssertionError("unreachable")


def _child_key(node: Any, segment: str) -> Any:
    if isinstance(node, dict):
        return segment if segment in node else None
    if isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
        return int(segment)
    return None


def _unknown_message(data: dict[str, Any], segments: list[str], depth: int) -> str:
    path = ".".join(segments)
    known = ".".join(segments[:depth])
    node: Any = data
    for segment in segments[:depth]:
        node = node[_child_key(node, segment)]
    if not isinstance(node, dict | list):
        return f"unknown key path {path!r}: {known!r} is a value ({node!r}), not a section"
    suggestion = _nearest(data, path, known)
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    where = f"no {segments[depth]!r} under {known!r}" if known else f"no top-level section {segments[0]!r}"
    return f"unknown key path {path!r} ({where}){hint}"


def _nearest(data: dict[str, Any], path: str, known: str) -> str | None:
    """The valid key path most like `path`, judged by its last name, below the deepest part that exists."""
    unset = {p for p, value in _walk(data, "") if value is None}  # prefer values a rule actually sets
    everything = [p for p, _ in _walk(data, "")]
    pool = [p for p in everything if not known or p.startswith(known + ".")] or everything
    last, depth = path.rsplit(".", 1)[-1], path.count(".")

    def score(candidate: str) -> float:
        leaf = candidate.rsplit(".", 1)[-1]
        value = difflib.SequenceMatcher(None, last, leaf).ratio()
        if leaf.startswith(last) or last.startswith(leaf):
            value = max(value, 0.8)
        whole = difflib.SequenceMatcher(None, path, candidate).ratio()
        bonus = (0.05 if candidate.count(".") == depth else 0.0) - (0.1 if candidate in unset else 0.0)
        return value + 0.2 * whole + bonus

    best = max(pool, key=score)  # max keeps the first of equals: document order
    return best if score(best) >= 0.75 else None
