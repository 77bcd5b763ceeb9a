"""Shares within groups (`shares_by_group`, `shares_of_group`): the plain-float path for groups of up to seven
members gives numpy's shares bit for bit (NaN, infinities, signed zeros, floors, overflow), tables with a larger
group go to numpy whole, and both raise where numpy's path raises."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core.policies.segments import (
    SEQUENTIAL_UP_TO,
    _shares_in_arrays,
    shares_by_group,
    shares_of_group,
)

WEIGHTS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, 1e-13, 1e-12]))


def _outcome(compute):  # noqa: ANN001, ANN202 - the shares as bits, or the exception's type and message
    try:
        with np.errstate(all="ignore"):  # overflow and NaN are part of the cases (numpy would warn of them)
            shares = compute()
    except (ZeroDivisionError, ValueError, IndexError) as error:
        return type(error), str(error) if isinstance(error, ZeroDivisionError) else ""
    return [[(name, struct.pack("<d", share)) for name, share in group] for group in shares]


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 5).flatmap(lambda count: st.tuples(
    st.just(count), st.lists(st.tuples(st.integers(0, count - 1), WEIGHTS), max_size=30))),
       st.sampled_from([0.0, 1e-12, 1.0]), st.booleans())
def test_shares_by_group_are_numpys_shares(case: tuple, floor: float, as_array: bool) -> None:
    count, members = case
    groups = [g for g, _ in members]
    names = [f"m{k}" for k in range(len(members))]
    weights = [w for _, w in members]
    given_weights = np.array(weights, dtype=np.float64) if as_array else weights
    given_groups = np.array(groups, dtype=np.int64) if as_array else groups
    arrays = _outcome(lambda: _shares_in_arrays(groups, names, weights, count, floor))
    assert _outcome(lambda: shares_by_group(given_groups, names, given_weights, count, floor)) == arrays


@settings(max_examples=300, deadline=None)
@given(weights=st.lists(WEIGHTS, max_size=12), floor=st.sampled_from([0.0, 1e-12]))
def test_one_groups_shares_are_numpys_shares(weights: list[float], floor: float) -> None:
    names = [f"f{i}" for i in range(len(weights))]
    ours = _outcome(lambda: [shares_of_group(list(zip(names, weights, strict=True)), floor)])
    assert ours == _outcome(lambda: _shares_in_arrays([0] * len(weights), names, weights, 1, floor))


def test_a_zero_total_raises_and_an_empty_group_does_not() -> None:
    with pytest.raises(ZeroDivisionError, match="float division by zero"):
        shares_by_group([0, 0], ["a", "b"], [0.0, -0.0], 1)
    with pytest.raises(ValueError, match="negative"):
        shares_by_group([-1], ["a"], [1.0], 1)
    assert shares_by_group([], [], [], 2) == [[], []]
    assert shares_by_group([1], ["a"], [2.0], 2) == [[], [("a", 1.0)]]
    nan = shares_by_group([0, 0], ["a", "b"], [math.nan, 1.0], 1, floor=1e-12)[0]
    assert all(math.isnan(share) for _, share in nan)


@pytest.mark.parametrize("size", [SEQUENTIAL_UP_TO, SEQUENTIAL_UP_TO + 1, 12])
def test_large_groups_added_as_numpy_adds_them(size: int) -> None:
    """numpy adds more than seven numbers pairwise: such a group's total is numpy's, not a running sum."""
    weights = [0.1 * (i + 1) + 1e-17 * i for i in range(size)]
    names = [f"f{i}" for i in range(size)]
    shares = shares_by_group([0] * size + [1], names + ["alone"], weights + [1.0], 2)
    assert _outcome(lambda: shares) == _outcome(lambda: _shares_in_arrays([0] * size + [1], names + ["alone"], weights + [1.0], 2, 0.0))
    assert shares[0] == [(name, weight / np.add.reduce(np.array(weights))) for name, weight in zip(names, weights, strict=True)]
    assert _outcome(lambda: [shares_of_group(list(zip(names, weights, strict=True)))]) == _outcome(lambda: shares[:1])
