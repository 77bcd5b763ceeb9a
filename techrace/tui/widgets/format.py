"""Turning the core's numbers and table cells into short, aligned text for narrow terminals."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

# the core's figure names (metrics' columns) as a line of text says them
FIELD_WORDS = {
    "gdp_index": "GDP index", "ai_compute_h100e": "compute (H100e)", "advanced_wafer_starts": "advanced wafer starts",
    "domestic_accelerator_share": "domestic share", "best_node_nm": "best node (nm)", "lab_capex_usd_b": "lab capex ($ bn)",
    "ai_revenue_usd_b": "AI revenue ($ bn)", "datacenter_power_gw": "AI power (GW)",
    "largest_training_run_flop": "largest training run (FLOP)",
}
RAW_FIELD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
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


def amount(value: float | int) -> str:
    """A number with one decimal, or as many as it needs (up to three): 3.0, 0.05, 1.125 (an order's amount)."""
    x = float(value)
    if abs(x * 10 - round(x * 10)) < 1e-9:
        return f"{x:,.1f}"
    return f"{x:,.3f}".rstrip("0")


def money(value: float | int, amount: str | None = None) -> str:
    """USD bn as the board writes it everywhere: `$3.00 bn`, `-$9.55 bn` (the sign before the dollar; never
    `-$0.00 bn`). `amount`: the digits of the absolute value when the caller chose them (default two decimals)."""
    x = float(value)
    digits = amount if amount is not None else f"{abs(x):,.2f}"
    negative = x < 0 and any(ch not in "0.," for ch in digits)
    return f"{'-' if negative else ''}${digits} bn"


def signed(value: float) -> str:
    """A change with its sign and enough digits to show it (never a negative zero): +0.081, -0.0002, -7.74k."""
    x = float(value)
    if abs(x) >= 1:
        return ("+" if x > 0 else "") + number(x)
    if x == 0:
        return "0"
    shown = f"{x:+.3f}"
    return shown if abs(x) >= 0.0005 else f"{x:+.2g}"


def field_words(text: str) -> str:
    """`gdp_index 100.0; out of the game below 70` → `GDP index 100.0; …`: raw field names in a line of text in words."""
    return RAW_FIELD.sub(lambda m: FIELD_WORDS.get(m.group(0), m.group(0).replace("_", " ")), text)


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


def change(before: float | None, now: float | None, relative: bool = True) -> str:
    """The change between two figures as a signed number: `+14%` for stocks and flows, `+0.8` for indices."""
    if before is None or now is None:
        return ""
    delta = now - before
    if abs(delta) <= 1e-9 * max(1.0, abs(now)):
        return "±0"
    if relative and before > 0:
        share = delta / before
        return f"{share:+.0%}" if abs(share) >= 0.01 else f"{share:+.1%}"
    return f"{'+' if delta > 0 else '-'}{number(abs(delta))}"


def bar(progress: float, width: int = 10) -> str:
    """A progress bar of block characters (full and light shade), so it reads without colour."""
    if math.isnan(progress):
        progress = 0.0
    full = round(max(0.0, min(1.0, progress)) * width)
    return "█" * full + "░" * (width - full)
