"""Per-nation sums and shares of actor arrays, for every nation in a few numpy calls instead of a few calls
per nation, with the very numbers the per-nation `np.add.reduce` gave.

numpy reduces up to 7 numbers one after another and more by pairwise blocks; `bincount` always adds one
after another. `exact_sums` therefore uses `bincount` and redoes with `np.add.reduce` the (rare) groups of
more than 7, so a policy that moves from one call per nation to one call for all keeps its results bit for bit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SEQUENTIAL_UP_TO = 7  # numpy's add.reduce adds this many numbers one after another (pairwise beyond)


def exact_sums(groups: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """(count,) sums of `values` by group (0.0 for an empty group), equal to `np.add.reduce(values[groups == g])`."""
    sums = np.bincount(groups, weights=values, minlength=count)
    for g in _large_groups(groups.tobytes(), groups.dtype.str, count):
        sums[g] = np.add.reduce(values[groups == g])
    return sums


def exact_sum_list(groups: np.ndarray | list[int], values: np.ndarray | list[float], count: int) -> list[float]:
    """`exact_sums` as a list, added in plain Python (one after another, as `bincount` does) where the groups
    and values are a few dozen numbers: a numpy call costs more than that many Python additions."""
    groups = groups.tolist() if isinstance(groups, np.ndarray) else groups
    values = values.tolist() if isinstance(values, np.ndarray) else values
    sums, sizes = [0.0] * count, [0] * count
    for g, value in zip(groups, values, strict=True):
        sums[g] += value
        sizes[g] += 1
    for g, size in enumerate(sizes):
        if size > SEQUENTIAL_UP_TO:  # numpy's pairwise order
            sums[g] = float(np.add.reduce(np.array([v for h, v in zip(groups, values, strict=True) if h == g])))
    return sums


def as_rows(idx: np.ndarray) -> np.ndarray | slice:
    """`idx` as the slice of the same rows when it is a run of consecutive indices (every actor of a kind, in
    order: the usual case), else `idx`: writing rows through a slice gives the same array for a quarter of
    what fancy indexing costs. Work it out once (callers keep it with their other once-a-game tables)."""
    if len(idx) and np.array_equal(idx, np.arange(idx[0], idx[0] + len(idx))):
        return slice(int(idx[0]), int(idx[0]) + len(idx))
    return idx.copy()


@lru_cache(maxsize=64)
def _large_groups(groups: bytes, dtype: str, count: int) -> tuple[int, ...]:
    """The groups of more than `SEQUENTIAL_UP_TO` members: kept by the grouping, which for the policies'
    tables (actors by nation) never or rarely changes."""
    sizes = np.bincount(np.frombuffer(groups, dtype=dtype), minlength=count)
    return tuple(np.flatnonzero(sizes > SEQUENTIAL_UP_TO).tolist())


def shares_by_group(groups: np.ndarray | list[int], names: list[str], weights: np.ndarray | list[float], count: int,
                    floor: float = 0.0) -> list[list[tuple[str, float]]]:
    """Each group's members (in the order given) with their weight over the group's total (at least `floor`):
    `weight / max(np.add.reduce(weight), floor)` of each group's own weights, for all groups at once (in
    plain Python: a few dozen members)."""
    groups = groups.tolist() if isinstance(groups, np.ndarray) else groups
    weights = weights.tolist() if isinstance(weights, np.ndarray) else weights
    totals = exact_sum_list(groups, weights, count)
    if floor > 0.0:
        totals = [max(total, floor) for total in totals]  # np.maximum(totals, floor), NaN kept
    out: list[list[tuple[str, float]]] = [[] for _ in range(count)]
    for g, name, weight in zip(groups, names, weights, strict=True):
        out[g].append((name, weight / totals[g]))
    return out
