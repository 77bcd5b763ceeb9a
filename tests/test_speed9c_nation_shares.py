"""The nations' shares in plain Python floats (`shares_of_few`) against `shares_by_group`'s numpy, bit for bit."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core.policies.nations import _shares_of, shares_of_few
from techrace.core.policies.segments import shares_by_group

WEIGHTS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1.0, 1e-13, 1e-12, -1.0]))


def _bits(table: list[list[tuple[str, float]]]) -> list[list[tuple[str, bytes]]]:
    return [[(name, struct.pack("<d", share)) for name, share in group] for group in table]


def _outcome(function, *args, **kwargs):
    try:
        with np.errstate(all="ignore"):  # numpy warns where Python floats overflow quietly to inf
            return _bits(function(*args, **kwargs))
    except ZeroDivisionError:
        return "ZeroDivisionError"


@settings(max_examples=400, deadline=None)
@given(count=st.integers(1, 5), members=st.lists(st.tuples(st.integers(0, 4), WEIGHTS), max_size=30),
       floor=st.sampled_from([0.0, 1e-12]))
def test_shares_of_few_equal_shares_by_group(count: int, members: list[tuple[int, float]], floor: float) -> None:
    groups = [g % count for g, _ in members]
    weights = [w for _, w in members]
    names = [f"f{i}" for i in range(len(members))]
    assert _outcome(shares_of_few, groups, names, weights, count, floor) == _outcome(shares_by_group, groups, names, weights,
                                                                                    count, floor=floor)


@pytest.mark.parametrize("size", [7, 8, 12])
def test_large_groups_added_as_numpy_adds_them(size: int) -> None:
    weights = [0.1 * (i + 1) + 1e-17 * i for i in range(size)]
    names = [f"f{i}" for i in range(size)]
    ours, theirs = shares_of_few([0] * size, names, weights, 1), shares_by_group([0] * size, names, weights, 1)
    assert _bits(ours) == _bits(theirs)
    assert not any(math.isnan(share) for _, share in ours[0])


@settings(max_examples=300, deadline=None)
@given(weights=st.lists(WEIGHTS, max_size=12), floor=st.sampled_from([0.0, 1e-12]))
def test_one_groups_shares_equal_shares_by_group(weights: list[float], floor: float) -> None:
    names = [f"f{i}" for i in range(len(weights))]
    ours = _outcome(lambda: [_shares_of(list(zip(names, weights, strict=True)), floor)])
    assert ours == _outcome(shares_by_group, [0] * len(weights), names, weights, 1, floor=floor)
