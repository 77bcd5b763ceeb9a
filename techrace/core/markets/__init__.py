"""The markets that clear every quarter after the decisions (talent, tools, wafers, HBM, packaging, chips)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from techrace.core.static import Static


def derived(static: Static, name: str, sources: tuple[np.ndarray, ...], build: Callable[[], Any]) -> Any:
    """A table derived from licence arrays, built again only when one of them is a new array (licences are
    cached until the rules, designs or fabs change, so most quarters reuse it). Kept with its sources, so an
    array freed and another made at the same address cannot be mistaken for it."""
    key = ("derived", name)
    found = static.cache.get(key)
    if found is None or len(found[0]) != len(sources) or any(a is not b for a, b in zip(found[0], sources, strict=True)):
        found = static.cache[key] = (sources, build())
    return found[1]
