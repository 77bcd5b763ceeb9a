"""Scenario discovery: PRIM (EMA Workbench) finds a box planted in synthetic data, and `techrace discover`
writes the peeling trajectory, the chosen boxes and feature scores for a real batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from techrace.batch import load_results, run_batch
from techrace.batch.discover import find_boxes, outcome_hits, run_discover
from techrace.batch.plan import PlanError
from techrace.launcher import main

pytest.importorskip("ema_workbench")


def test_prim_finds_a_planted_box_with_its_bounds_coverage_and_density():
    rng = np.random.default_rng(7)
    n = 1000
    x = pd.DataFrame({"tpp": rng.uniform(1000, 20000, n), "enforcement": rng.uniform(0, 1, n),
                      "noise": rng.uniform(0, 1, n), "policy": pd.Categorical(rng.choice(["default", "passive"], n))})
    planted = (x["tpp"] > 12000) & (x["enforcement"] < 0.4) & (x["policy"] == "passive")
    y = (planted & (rng.uniform(size=n) < 0.95)).to_numpy()  # the outcome happens in the box, with a little noise
    trajectory, boxes, scores = find_boxes(x, y, min_coverage=0.8)
    box = boxes[0]
    limits = box.restrictions.set_index("parameter")
    assert set(limits.index) == {"tpp", "enforcement", "policy"}  # noise is not restricted
    assert limits.loc["tpp", "low"] == pytest.approx(12000, rel=0.05)
    assert np.isnan(limits.loc["tpp", "high"]) or limits.loc["tpp", "high"] > 19000  # at most a sliver off the top
    assert limits.loc["enforcement", "high"] == pytest.approx(0.4, abs=0.03)
    assert limits.loc["policy", "values"] == "passive"
    assert box.coverage >= 0.8 and box.density >= 0.85
    assert trajectory["coverage"].iloc[0] == 1 and trajectory["density"].iloc[-1] > trajectory["density"].iloc[0]
    assert scores.idxmin() == "noise" and set(scores.index) == set(x.columns)


def test_no_outcome_or_every_outcome_gives_a_one_line_refusal(tmp_path):
    batch = run_batch("baseline", 6, 1, 1, workers=1, out=tmp_path / "flat", progress=False,
                      vary={"regulators.BIS.enforcement": "uniform:0.5:1"})
    with pytest.raises(PlanError, match=r"holds in 0 of 6 runs"):
        run_discover(batch.out, "capability:CN>1e9")
    with pytest.raises(PlanError, match=r"expected winner=CODE"):
        run_discover(batch.out, "capability>3")


def test_discover_through_the_cli_on_an_lhs_batch(tmp_path, capsys):
    out = tmp_path / "lhs"
    batch = run_batch("baseline", 1, 6, 4, workers=2, out=out, progress=False, design="lhs", samples=40,
                      vary={"regulators.BIS.enforcement": "uniform:0:1", "nations.CN.industrial_budget_usd_b": "uniform:1:80"})
    rows = load_results(batch.out)
    median = float(rows[(rows["turn"] == 6) & (rows["nation"] == "CN")]["ai_compute_h100e"].median())
    condition = f"ai_compute_h100e:CN>{median}"
    _, hits = outcome_hits(out, condition)
    assert 0 < hits.sum() < 40
    assert main(["discover", str(out), "--outcome", condition, "--min-coverage", "0.6"]) == 0
    printed = capsys.readouterr().out
    assert "box 1 for" in printed and "coverage" in printed and "feature scores" in printed
    target = next((out / "_discover").iterdir())
    for name in ("trajectory.csv", "boxes.csv", "feature_scores.csv", "trajectory.png"):
        assert (target / name).is_file()
    boxes = pd.read_csv(target / "boxes.csv")
    assert (boxes["coverage"] >= 0.6).all() and boxes["density"].between(0, 1).all()
    assert set(pd.read_csv(target / "feature_scores.csv")["parameter"]) == {
        "regulators.BIS.enforcement", "nations.CN.industrial_budget_usd_b"}


@pytest.mark.parametrize(("condition", "said"), [
    ("capability:CN>nan", "'nan' is not a finite number"),
    ("capability:CN>-inf", "'-inf' is not a finite number"),
    ("capability:CN>1e999", "'1e999' is not a finite number"),
    ("winner=cn", "'cn' is not a nation of the batch (US, CN, TW, KR, JP, NL, EU)"),
    ("winner!=XX", "'XX' is not a nation of the batch"),
    ("victory_kind=leed", "'leed' is not a kind of victory (lead, parity, threshold, self_sufficiency, economic_share, "
                          "collapse, condition, score)"),
])
def test_a_condition_that_cannot_be_a_question_is_named_not_counted(two_run_batch, condition, said):
    """A non-finite threshold or an unknown winner was counted ('holds in 0 of 6 runs', or in all of them), as
    if the batch had answered; it is a typo, refused with what is wrong."""
    with pytest.raises(PlanError) as refused:
        run_discover(two_run_batch, condition)
    assert said in str(refused.value)
    assert not (two_run_batch / "_discover").exists()


@pytest.fixture(scope="module")
def two_run_batch(tmp_path_factory):
    return run_batch("baseline", 2, 1, 1, workers=1, out=tmp_path_factory.mktemp("b") / "b", progress=False,
                     vary={"regulators.BIS.enforcement": "uniform:0.5:1"}).out


def test_every_kind_of_victory_is_a_question_discover_accepts(two_run_batch):
    """A known kind is counted, not refused, even where no run of the batch ended by it."""
    _, hits = outcome_hits(two_run_batch, "victory_kind=score")
    assert len(hits) == 2
    _, hits = outcome_hits(two_run_batch, "victory_kind!=economic_share")
    assert hits.all()


@pytest.mark.parametrize("boxes", [0, -1])
def test_a_box_count_below_one_is_refused(two_run_batch, boxes):
    """`--boxes 0` looked for no box and then reported 'no box with coverage >= the minimum'."""
    with pytest.raises(PlanError, match=f"--boxes must be at least 1, got {boxes}"):
        run_discover(two_run_batch, "capability:CN>0", max_boxes=boxes)
