"""The share of each nation's demand that controls blocked (`WorldState.cutoff`, one column per market)."""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState


def record_cutoff(s: WorldState, column: int, blocked: np.ndarray, demand: np.ndarray, floor: float, memory: float) -> None:
    """`cutoff[:, column] = where(demand > 0, blocked / maximum(demand, floor), cutoff[:, column] * memory)`: where a
    nation wanted nothing its last share fades by `memory`. A few nations, so in plain Python floats (the same
    operations in the same order; `floor` > 0, so a nation with demand never divides by zero)."""
    old = s.cutoff[:, column].tolist()
    s.cutoff[:, column] = [b / (floor if floor > d else d) if d > 0 else o * memory
                           for b, d, o in zip(blocked.tolist(), demand.tolist(), old, strict=True)]
