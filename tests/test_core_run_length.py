"""Frontier runs lengthen until a later run on better chips would overtake them (labs.run_length_factor)."""

from __future__ import annotations

import itertools

from core_helpers import baseline, play, value, variant
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ruleset_support import write_mod

from techrace.core.mechanisms.labs import run_length_factor
from techrace.core.static import build_static
from techrace.launcher import main


def _lengths(growth: float | None = None, longest: float | None = None):
    def edit(data):
        if growth is not None:
            data["technology"]["run_length_growth_per_year"] = growth
        if longest is not None:
            data["technology"]["run_length_max_months"] = longest
    return variant(edit)


def test_runs_lengthen_from_the_start_quarter_until_the_longest_worthwhile_run() -> None:
    static = build_static(baseline())
    tech = baseline().technology
    factors = [run_length_factor(static, turn) for turn in range(0, 41)]
    assert factors[0] == factors[1] == 1.0                       # before play and in the start quarter
    assert all(b >= a for a, b in itertools.pairwise(factors))     # runs never shorten
    assert factors[5] > 1.0                                      # a year on, longer
    assert factors[-1] == tech.run_length_max_months / tech.run_length_start_months  # capped


def test_longer_runs_give_a_larger_largest_run_but_leave_the_start_quarter_alone() -> None:
    fixed, lengthening = play(_lengths(growth=1.0), turns=5), play(_lengths(growth=1.5), turns=5)
    assert value(fixed, "US", "largest_training_run_flop", 1) == value(lengthening, "US", "largest_training_run_flop", 1)
    assert value(lengthening, "US", "largest_training_run_flop") > 1.3 * value(fixed, "US", "largest_training_run_flop")
    assert value(lengthening, "US", "capability") > value(fixed, "US", "capability")


def test_a_lower_limit_on_run_length_holds_the_largest_run_back() -> None:
    start = baseline().technology.run_length_start_months
    capped, free = play(_lengths(longest=start), turns=6), play(_lengths(longest=24.0), turns=6)
    assert value(capped, "US", "largest_training_run_flop") < value(free, "US", "largest_training_run_flop")


@settings(max_examples=40, deadline=None)
@given(start=st.floats(0.5, 20.0), growth=st.floats(1.0, 3.0), extra=st.floats(0.0, 30.0), turn=st.integers(0, 200))
def test_the_run_length_factor_stays_between_one_and_its_cap(start: float, growth: float, extra: float, turn: int) -> None:
    def edit(data):
        data["technology"].update(run_length_start_months=start, run_length_growth_per_year=growth,
                                  run_length_max_months=min(start + extra, 60.0))
    static = build_static(variant(edit))
    tech = static.ruleset.technology
    factor = run_length_factor(static, turn)
    assert 1.0 <= factor <= tech.run_length_max_months / tech.run_length_start_months + 1e-12
    assert run_length_factor(static, turn + 1) >= factor


def test_a_limit_below_the_start_length_is_refused_in_words(tmp_path, capsys) -> None:
    mod = write_mod(tmp_path / "short-runs", {"technology.yaml": "technology:\n  run_length_max_months: 2.0\n"})
    code = main(["ruleset", "check", str(mod)])
    err = "".join(capsys.readouterr())
    assert code == 1                                             # `ruleset check`: 1 for a ruleset with errors
    assert "technology.yaml:1" in err and "run_length_max_months" in err and "run_length_start_months" in err
