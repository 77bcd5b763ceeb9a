"""Turning the core's numbers and table cells into short, aligned text for narrow terminals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

BARS = "▁▂▃▄▅▆▇█"
SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def number(value: float | int | None, digits: int = 3) -> str:
    """A compact number: 1.23M, 45.6k, 0.123, 2.5e+28 for huge exponents."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    x = float(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    ax = abs(x)
    if ax >= 1e15:
        return f"{x:.2e}"
    for scale, suffix in SUFFIXES:
        if ax >= scale:
            return f"{x / scale:.{digits}g}{suffix}"
    if ax == 0:
        return "0"
    if ax >= 1:
        return f"{x:.{digits}g}"
    return f"{x:.{digits - 1}g}" if ax >= 1e-3 else f"{x:.1e}"


def cell(value: Any) -> str:
    """One table cell from any value the core's view tables hold."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value)
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} {cell(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(cell(v) for v in items)
    return str(value)


def heading(key: str) -> str:
    """A column heading from a dict key: `best_node_nm` → `Best node nm`."""
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def sparkline(values: Sequence[float], width: int = 12) -> str:
    """A one-line block sparkline of the last `width` values (for table cells)."""
    data = [float(v) for v in values if v is not None and not math.isnan(float(v))][-width:]
    if not data:
        return ""
    low, high = min(data), max(data)
    if high - low <= 1e-12 * max(1.0, abs(high)):
        return BARS[0] * len(data)
    span = high - low
    return "".join(BARS[min(len(BARS) - 1, int((v - low) / span * (len(BARS) - 1) + 0.5))] for v in data)


def node(nm: Any) -> str:
    """A process node for display; no domestic node shows as a dash."""
    try:
        x = float(nm)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x) or x <= 0 or math.isinf(x):
        return "–"
    return f"{x:g} nm"
