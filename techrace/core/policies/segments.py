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
    """`exact_sums` as a list. (Added in plain Python it cost more: ~1,400 instructions a member against ~10,000
    for the two numpy calls, so from 7 members numpy is cheaper; the policies pass 10-17.)"""
    return exact_sums(np.asarray(groups, dtype=np.int64), np.asarray(values, dtype=np.float64), count).tolist()


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
    `weight / max(np.add.reduce(weight), floor)` of each group's own weights, for all groups at once (a zero
    total raises ZeroDivisionError, as dividing Python floats did). While no group has more than
    `SEQUENTIAL_UP_TO` members (a nation's 1-10 labs or foundries), in plain floats: each total added from 0.0
    one member after another as `bincount` adds, where numpy's ~8 calls cost several times the additions; a
    table with a larger group goes to numpy whole."""
    groups = groups.tolist() if isinstance(groups, np.ndarray) else list(groups)
    values = weights.tolist() if isinstance(weights, np.ndarray) else list(weights)
    if groups and min(groups) < 0:
        raise ValueError("'list' argument must have no negative elements")  # bincount's refusal
    totals, sizes = [0.0] * count, [0] * count
    for g, weight in zip(groups, values, strict=True):
        totals[g] += weight
        sizes[g] += 1
    if count and max(sizes) > SEQUENTIAL_UP_TO:
        return _shares_in_arrays(groups, names, values, count, floor)
    if floor > 0.0:
        totals = [floor if total < floor else total for total in totals]  # NaN kept
    out: list[list[tuple[str, float]]] = [[] for _ in range(count)]
    for g, name, weight in zip(groups, names, values, strict=True):
        out[g].append((name, weight / totals[g]))
    return out


def shares_of_group(group: list[tuple[str, float]], floor: float = 0.0) -> list[tuple[str, float]]:
    """One group's `shares_by_group`: (member, weight) pairs to (member, weight over the group's total)."""
    if len(group) > SEQUENTIAL_UP_TO:
        return _shares_in_arrays([0] * len(group), [name for name, _ in group], [w for _, w in group], 1, floor)[0]
    total = 0.0  # added from 0.0 one member after another, as `bincount` adds
    for _, weight in group:
        total += weight
    if floor > 0.0 and total < floor:  # at least `floor`, NaN kept
        total = floor
    return [(name, weight / total) for name, weight in group]


def _shares_in_arrays(groups: np.ndarray | list[int], names: list[str], weights: np.ndarray | list[float], count: int,
                      floor: float) -> list[list[tuple[str, float]]]:
    """`shares_by_group` in numpy (from ~7 members in a group cheaper than Python's additions)."""
    groups = np.asarray(groups, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    totals = exact_sums(groups, weights, count)
    if floor > 0.0:
        totals = np.maximum(totals, floor)  # NaN kept
    divisors = totals[groups]
    if np.count_nonzero(divisors) < len(divisors):
        raise ZeroDivisionError("float division by zero")
    out: list[list[tuple[str, float]]] = [[] for _ in range(count)]
    for g, name, share in zip(groups.tolist(), names, (weights / divisors).tolist(), strict=True):
        out[g].append((name, share))
    return out
