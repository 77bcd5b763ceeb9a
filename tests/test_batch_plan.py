"""Batch plans: seeds from (S, i), sweep grids, per-run sampling, and option errors."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from techrace.batch.plan import (
    BatchPlan,
    PlanError,
    grid_points,
    parse_ranges,
    parse_sweep,
    parse_vary,
    run_seed,
)
from techrace.batch.progress import Progress
from techrace.batch.store import compress_runs


def test_run_seed_comes_from_seedsequence_spawn():
    children = np.random.SeedSequence(7).spawn(5)
    for i, child in enumerate(children):
        assert run_seed(7, i) == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
    assert len({run_seed(7, i) for i in range(1000)}) == 1000


def test_sweep_grid_shares_seeds_across_points_and_numbers_runs_point_major():
    plan = BatchPlan(runs=3, turns=4, seed=1, points=grid_points(parse_sweep(["a.b=1,2", "c=x,y"])))
    assert plan.total == 12
    specs = [plan.spec(r) for r in range(plan.total)]
    assert [s.params for s in specs[:3]] == [{"a.b": 1, "c": "x"}] * 3
    assert specs[3].params == {"a.b": 1, "c": "y"}
    assert [s.seed for s in specs[:3]] == [s.seed for s in specs[9:]]  # common random numbers
    assert plan.param_types == {"a.b": "float", "c": "string"}


def test_varied_values_are_drawn_from_each_runs_seed_reproducibly():
    vary = parse_vary(["k=uniform:0:0.1", "m=loguniform:1:100"])
    one = BatchPlan(runs=50, turns=4, seed=3, vary=vary)
    again = BatchPlan.from_json(one.to_json())
    values = [one.spec(r).params for r in range(50)]
    assert values == [again.spec(r).params for r in range(50)]
    assert all(0 <= v["k"] <= 0.1 and 1 <= v["m"] <= 100 for v in values)
    assert len({v["k"] for v in values}) == 50


@pytest.mark.parametrize(("parse", "text", "message"), [
    (parse_sweep, "controls.oct2023_chips.tpp", "KEY=VALUES"),
    (parse_sweep, "controls.oct2023_chips.tpp=4800,2400,4800", "gives 4800 more than once"),
    (parse_vary, "k=normal:0:1", "uniform:LO:HI"),
    (parse_vary, "k=uniform:1:0", "LO <= HI"),
    (parse_vary, "k=loguniform:0:1", "LO > 0"),
    (parse_ranges, "k=0:x", "numbers"),
    (parse_ranges, "k=1:1", "must differ"),
])
def test_bad_options_give_one_line_errors(parse, text, message):
    with pytest.raises(PlanError, match=message):
        parse([text])


def test_plan_refuses_bad_numbers_and_a_key_both_swept_and_varied():
    with pytest.raises(PlanError, match="non-negative"):
        BatchPlan(runs=1, turns=1, seed=-1)
    with pytest.raises(PlanError, match="--runs"):
        BatchPlan(runs=0, turns=1, seed=0)
    with pytest.raises(PlanError, match="--turns must be from 1 to 400"):
        BatchPlan(runs=1, turns=401, seed=0)
    with pytest.raises(PlanError, match="both swept and varied"):
        BatchPlan(runs=1, turns=1, seed=0, points=({"k": 1},), vary=parse_vary(["k=uniform:0:1"]))


def test_sweep_values_are_read_as_yaml_scalars():
    assert parse_sweep(["a=2400, 4800.5,true,2027Q3"]) == {"a": [2400, 4800.5, True, "2027Q3"]}


def test_done_runs_are_kept_as_ranges():
    assert compress_runs([5, 0, 1, 2, 7, 6, 9]) == [[0, 2], [5, 7], [9, 9]]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    plain = io.StringIO()
    bar = Progress(10, stream=plain, interval_s=0)
    bar.advance(4, 1)
    bar.advance(6)
    assert plain.getvalue().splitlines()[-1].startswith("batch: 10/10 runs done, 1 failed")
    tty = _Tty()
    rich_bar = Progress(10, stream=tty)
    rich_bar.advance(10)
    rich_bar.close()
    assert "10/10" in tty.getvalue() and "runs/s" in tty.getvalue() and "\x1b[" in tty.getvalue()


@settings(max_examples=300, deadline=None)
@example(text="loguniform:1e-310:1.7976931348623157e308")  # exp of log(high) rounded past the largest float
@given(text=st.one_of(st.text(max_size=30), st.builds(lambda k, a, b: f"{k}:{a}:{b}",
                                                      st.sampled_from(["uniform", "loguniform", "choice", "normal"]),
                                                      st.floats(allow_nan=True), st.floats(allow_nan=True))))
def test_any_factor_text_is_a_finite_factor_or_a_one_line_refusal(text):
    import math

    try:
        factor = parse_vary([f"k={text}"])["k"]
    except PlanError as exc:
        assert "\n" not in str(exc)
        return
    if factor.kind == "choice":
        assert len(factor.choices) >= 2
    else:
        assert math.isfinite(factor.low) and math.isfinite(factor.high) and math.isfinite(factor.high - factor.low)
        draws = [factor.draw(np.random.default_rng(i)) for i in range(5)] + [factor.value_at(u) for u in (0, 0.5, 1)]
        assert all(math.isfinite(v) and factor.low <= v <= factor.high for v in draws)


def test_a_key_both_swept_and_varied_is_refused_before_any_game(tmp_path, capsys):
    """`--sweep K=0.5 --vary K=uniform:0:1` played the drawn values and never 0.5, without a word."""
    from techrace.launcher import main

    for design in (["--design", "lhs", "--samples", "3"], []):
        out = tmp_path / f"b{len(design)}"
        code = main(["batch", "--runs", "1", "--turns", "1", *design, "--out", str(out), "--no-progress",
                     "--vary", "regulators.BIS.enforcement=uniform:0:1", "--sweep", "regulators.BIS.enforcement=0.5"])
        assert code == 2
        assert ("regulators.BIS.enforcement is both swept (--sweep) and varied (--vary)"
                in capsys.readouterr().err)
        assert not out.exists()


@pytest.mark.parametrize("option", [["--workers", "0"], ["--workers", "-2"], ["--chunk-size", "0"]])
def test_refused_engine_options_leave_no_batch_to_resume(tmp_path, capsys, option):
    """`--workers 0` was refused only after DIR held a new, empty batch; the corrected command was then told
    'already holds a batch; use --resume'."""
    from techrace.launcher import main

    out = tmp_path / "b"
    assert main(["batch", "--runs", "1", "--turns", "1", *option, "--out", str(out), "--no-progress"]) == 2
    assert "must be at least 1" in capsys.readouterr().err
    assert not out.exists()
    assert main(["batch", "--runs", "1", "--turns", "1", "--workers", "1", "--out", str(out), "--no-progress"]) == 0
