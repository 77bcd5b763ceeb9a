"""`shares_by_group` of up to seven members in plain floats gives the numpy path's shares bit for bit (NaN,
infinities, signed zeros, floors), and raises where it raises."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core.policies.segments import (
    SEQUENTIAL_UP_TO,
    _shares_in_arrays,
    _shares_in_floats,
    shares_by_group,
)

WEIGHTS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1.0, 1e-300, 1e300]))


def _outcome(compute):  # noqa: ANN001, ANN202 - the shares as bits, or the exception's type and message
    try:
        with np.errstate(all="ignore"):  # overflow and NaN are part of the cases (numpy would warn of them)
            shares = compute()
    except (ZeroDivisionError, ValueError, IndexError) as error:
        return type(error), str(error) if isinstance(error, ZeroDivisionError) else ""
    return [[(name, np.float64(share).tobytes()) for name, share in group] for group in shares]


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 5).flatmap(lambda count: st.tuples(
    st.just(count), st.lists(st.tuples(st.integers(0, count - 1), WEIGHTS), max_size=SEQUENTIAL_UP_TO))),
       st.sampled_from([0.0, 1e-12, 1.0]), st.booleans())
def test_shares_in_floats_are_the_arrays_shares(case: tuple, floor: float, as_array: bool) -> None:
    count, members = case
    groups = [g for g, _ in members]
    names = [f"m{k}" for k in range(len(members))]
    weights = [w for _, w in members]
    given_weights = np.array(weights, dtype=np.float64) if as_array else weights
    floats = _outcome(lambda: _shares_in_floats(groups, names, given_weights, count, floor))
    arrays = _outcome(lambda: _shares_in_arrays(groups, names, given_weights, count, floor))
    assert floats == arrays
    assert _outcome(lambda: shares_by_group(groups, names, given_weights, count, floor)) == arrays


def test_a_zero_total_raises_and_an_empty_group_does_not() -> None:
    with pytest.raises(ZeroDivisionError, match="float division by zero"):
        shares_by_group([0, 0], ["a", "b"], [0.0, -0.0], 1)
    assert shares_by_group([], [], [], 2) == [[], []]
    assert shares_by_group([1], ["a"], [2.0], 2) == [[], [("a", 1.0)]]
    nan = shares_by_group([0, 0], ["a", "b"], [math.nan, 1.0], 1, floor=1e-12)[0]
    assert all(math.isnan(share) for _, share in nan)


def test_more_members_than_seven_take_the_arrays() -> None:
    groups, names = [0] * 9, [f"m{k}" for k in range(9)]
    weights = [0.1 * (k + 1) for k in range(9)]
    assert shares_by_group(groups, names, weights, 1) == _shares_in_arrays(groups, names, weights, 1, 0.0)
