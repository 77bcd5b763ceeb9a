"""Demand forecasts: a whole number of quarters ahead gives the numbers of the same horizon as an array,
damped or not, and a damped trend forecasts less growth than an undamped one."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline
from hypothesis import example, given, settings
from hypothesis import strategies as st

from techrace.core.mechanisms.forecast import ahead


@settings(max_examples=40, deadline=None)
@example(quarters=2, damping=0.8, levels=[1.0], trend=0.1)  # 0.8 ** 2 differs between a 0-d array and any array on AVX-512
@given(quarters=st.integers(0, 24), damping=st.sampled_from([0.8, 0.95, 1.0]),
       levels=st.lists(st.floats(-1.0, 12.0), min_size=1, max_size=6), trend=st.floats(-0.3, 0.3))
def test_a_whole_number_of_quarters_ahead_is_the_same_horizon_as_an_array(quarters: int, damping: float, levels: list[float],
                                                                         trend: float) -> None:
    rules = baseline().industry.forecast.model_copy(update={"trend_damping": damping})
    level, trends = np.array(levels), np.full(len(levels), trend)
    by_int = ahead(level, trends, quarters, rules)
    assert np.array_equal(by_int, ahead(level, trends, np.full(len(levels), quarters), rules))
    assert np.array_equal(by_int, ahead(level, trends, np.int64(quarters), rules))
    assert (by_int[level <= 0] == 0).all()


def test_a_damped_trend_forecasts_less_growth() -> None:
    rules = baseline().industry.forecast
    damped, straight = rules.model_copy(update={"trend_damping": 0.8}), rules.model_copy(update={"trend_damping": 1.0})
    level, trend = np.array([5.0]), np.array([0.1])
    assert ahead(level, trend, 8, damped)[0] < ahead(level, trend, 8, straight)[0]
