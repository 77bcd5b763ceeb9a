"""Evaluate ruleset conditions (data, never code) against the current per-nation metrics."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from techrace.core.static import Static
from techrace.ruleset.schema import quarter_index

OPS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def condition_holds(static: Static, condition: dict[str, Any] | None, quarter: str,
                    metrics: dict[str, np.ndarray]) -> bool:
    if not condition:
        return True
    start = static.start_quarter
    now = quarter_index(quarter, start)
    first, last = condition.get("from"), condition.get("until")
    if first and now < quarter_index(first, start):
        return False
    if last and now > quarter_index(last, start):
        return False
    every = [compare(static, c, metrics) for c in condition.get("all", [])]
    some = [compare(static, c, metrics) for c in condition.get("any", [])]
    return all(every) and (not some or any(some))


def compare(static: Static, comparison: dict[str, Any], metrics: dict[str, np.ndarray]) -> bool:
    values = metrics[comparison["metric"]]
    if comparison["nation"] not in static.nations:
        return False
    left = float(values[static.nations.index(comparison["nation"])])
    if comparison.get("of_nation") is not None:
        if comparison["of_nation"] not in static.nations:
            return False
        right = float(values[static.nations.index(comparison["of_nation"])]) * float(comparison.get("ratio", 1.0))
    else:
        right = float(comparison["value"])
    if math.isnan(left) or math.isnan(right):
        return False
    return OPS[comparison.get("op", "gt")](left, right)


SYMBOLS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


def condition_words(condition: dict[str, Any] | None) -> str:
    """A condition's comparisons in words for an event's cause, e.g. "CN capability > 0.9x US's"."""
    if not condition:
        return ""
    every = [_comparison_words(c) for c in condition.get("all", [])]
    some = [_comparison_words(c) for c in condition.get("any", [])]
    parts = [" and ".join(every)] if every else []
    if some:
        parts.append(("one of " if len(some) > 1 else "") + " or ".join(some))
    return " and ".join(parts)


def _comparison_words(comparison: dict[str, Any]) -> str:
    metric = str(comparison["metric"]).replace("_", " ")
    symbol = SYMBOLS.get(comparison.get("op", "gt"), str(comparison.get("op")))
    if comparison.get("of_nation") is not None:
        ratio = float(comparison.get("ratio", 1.0))
        scale = "" if ratio == 1.0 else f"{ratio:g}x "
        return f"{comparison['nation']} {metric} {symbol} {scale}{comparison['of_nation']}'s"
    return f"{comparison['nation']} {metric} {symbol} {float(comparison['value']):g}"

