"""The bounded cache counts the bytes of a stored value as the plain walk did: its exact-type shortcuts
(arrays, strings and numbers, plain containers) give the same sizes, subclasses included."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from techrace.core.static import BoundedCache, _nbytes


def nbytes_in_full(value: object) -> int:
    """The walk without shortcuts (as before them)."""
    if type(value) is np.ndarray:
        return value.nbytes
    if isinstance(value, (tuple, list)):
        total = 0
        for item in value:
            if type(item) is np.ndarray:
                total += item.nbytes
            elif isinstance(item, (np.ndarray, tuple, list, dict)):
                total += nbytes_in_full(item)
        return total
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum([item.nbytes for item in value.values() if isinstance(item, np.ndarray)])
    return 0


class Pair(NamedTuple):
    left: object
    right: object


class Rows(dict):
    pass


class Cells(list):
    pass


class Matrix(np.ndarray):
    pass


def values() -> list[object]:
    a, b = np.zeros(3), np.ones((2, 4), dtype=np.int32)
    sub = np.zeros(5).view(Matrix)
    rule = {"kind": "tool_list", "nodes": [1, 2], "caps": {"x": a}, "share": 0.5, "when": None, "table": b, "sub": sub}
    return [
        a, sub, 1.5, "name", None, b"bytes", 7, True, slice(1, 2), object(),
        (a, b), [a, [b, (a, sub)], "x", 1.0, None], (rule, [rule, (rule,)]), Pair(a, [b, 2.0]), [Pair(sub, rule)],
        rule, Rows(t=a, u=[b]), Cells([a, b, Rows(v=a)]), (Cells([a]), Rows(w=b), 3), [[], (), {}], ([1.0, 2.0], ["a", "b"]),
    ]


def test_sizes_equal_the_walk_in_full() -> None:
    for value in values():
        assert _nbytes(value) == nbytes_in_full(value), value


def test_the_cache_holds_what_the_walk_counts() -> None:
    cache = BoundedCache(limit=10**6)
    for i, value in enumerate(values()):
        cache[("k", i)] = value
    assert cache.held == sum(nbytes_in_full(v) for v in values())
