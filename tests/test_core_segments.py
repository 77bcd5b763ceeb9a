"""Per-nation sums for all nations at once give the very numbers of one `np.add.reduce` per nation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core.policies.segments import exact_sum_list, exact_sums, shares_by_group

finite = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), finite), max_size=40))
def test_exact_sums_match_numpy_reduce_bit_for_bit(items: list[tuple[int, float]]) -> None:
    groups = np.array([g for g, _ in items], dtype=np.int64)
    values = np.array([v for _, v in items], dtype=np.float64)
    sums = exact_sums(groups, values, 4)
    for g in range(4):
        assert sums[g] == np.add.reduce(values[groups == g])  # 0.0 for an empty group, pairwise past 7 items


def test_exact_sums_of_a_large_group_follow_numpy_not_plain_addition() -> None:
    values = np.array([1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1e16, 3.0])  # order matters here
    groups = np.zeros(len(values), dtype=np.int64)
    assert exact_sums(groups, values, 1)[0] == np.add.reduce(values)


def test_shares_by_group_keep_member_order_and_sum_to_one() -> None:
    groups = np.array([1, 0, 1, 1], dtype=np.int64)
    shares = shares_by_group(groups, ["a", "b", "c", "d"], np.array([1.0, 2.0, 1.0, 2.0]), 3, floor=1e-12)
    assert [name for name, _ in shares[1]] == ["a", "c", "d"]
    assert shares[0] == [("b", 1.0)] and shares[2] == []
    assert abs(sum(w for _, w in shares[1]) - 1.0) < 1e-12


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), finite), max_size=40))
def test_sums_and_shares_added_in_python_are_numpys_bit_for_bit(items: list[tuple[int, float]]) -> None:
    groups = np.array([g for g, _ in items], dtype=np.int64)
    values = np.array([v for _, v in items], dtype=np.float64)
    assert exact_sum_list(groups, values, 4) == exact_sums(groups, values, 4).tolist()
    totals = np.maximum(exact_sums(groups, values, 4), 1e-12)
    shares = shares_by_group(groups, [str(i) for i in range(len(items))], values, 4, floor=1e-12)
    expected = [[] for _ in range(4)]
    for i, (g, share) in enumerate(zip(groups.tolist(), (values / totals[groups]).tolist(), strict=True)):
        expected[g].append((str(i), share))
    assert shares == expected
