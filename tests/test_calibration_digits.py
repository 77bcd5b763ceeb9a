"""The calibration report's figures never look inside a range they are out of (or out of one they are in):
when rounding would show a median equal to a bound it differs from, more digits are printed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from techrace.cli.calibrate_cmd import cells, number
from techrace.core.calibration import CalibrationRow
from techrace.ruleset.schema import CalibrationMeasure

GROWTH = CalibrationMeasure.model_validate({"metric": "lab_capex_usd_b", "nations": ["US"], "growth_per_year": ["2025Q1", "2026Q1"]})
COUNT = CalibrationMeasure.model_validate({"metric": "ai_compute_h100e", "at": "2025Q1"})


def _row(values: tuple[float, ...], low: float, high: float, measure: CalibrationMeasure = GROWTH) -> CalibrationRow:
    kind = "trend" if measure.growth_per_year else "state"
    return CalibrationRow("us_lab_spending_growth", "US lab spending growth", "§9", kind, measure, low, high, values)


def test_a_median_just_below_the_range_is_shown_with_the_digits_that_say_why_it_is_out():
    shown = cells(_row((1.3390, 1.3560, 1.3895), 1.36, 1.55))
    assert (shown["model"], shown["range"], shown["result"]) == ("1.356x (1.34x–1.39x)", "1.360x–1.550x", "out")


def test_a_median_clearly_inside_or_on_a_bound_keeps_the_usual_digits():
    assert cells(_row((1.40,), 1.36, 1.55))["model"] == "1.40x (1.40x–1.40x)"
    assert cells(_row((1.36,), 1.36, 1.55))["range"] == "1.36x–1.55x"
    assert cells(_row((123_456.0,), 100_000.0, 200_000.0, COUNT))["model"] == "123.5K (123.5K–123.5K)"


def _as_number(text: str) -> float:
    scale = {"K": 1e3, "M": 1e6, "x": 1.0}.get(text[-1], 1.0)
    return float(text[:-1] if text[-1] in "KMx" else text) * scale


@given(st.floats(0.5, 3.0), st.floats(0.5, 3.0), st.floats(0.0, 1.0))
def test_the_shown_median_and_bounds_compare_as_the_check_does(a, b, t):
    low, high = min(a, b), max(a, b)
    median = low + (high - low) * t if t < 0.5 else low - t * 1e-3  # inside, or just below the range
    shown = cells(_row((median,), low, high))
    shown_median = _as_number(shown["model"].split(" ")[0])
    shown_low, shown_high = (_as_number(x) for x in shown["range"].split("–"))
    assert (shown["result"] == "ok") == (shown_low <= shown_median <= shown_high)


def test_number_keeps_its_usual_form_without_extra_digits():
    assert number(1.3560, GROWTH) == "1.36x" and number(1.3560, GROWTH, 1) == "1.356x"
