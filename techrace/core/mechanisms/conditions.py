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
