"""Designs: Latin hypercube and Sobol points from SALib, reproducible from the seed; categorical factors;
common random numbers across points."""

from __future__ import annotations

import json

import numpy as np
import pytest

from techrace.batch import run_batch
from techrace.batch.plan import PlanError, design_points, parse_vary, run_seed
from techrace.launcher import main

FACTORS = parse_vary(["a=uniform:0:10", "b=loguniform:1:1000", "c=choice:default,passive"])
ENFORCEMENT = "regulators.BIS.enforcement"
POLICY = "regulators.BIS.policy"


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_design_points_are_reproducible_from_the_seed_and_differ_between_seeds(design):
    one, again, other = (design_points(FACTORS, design, 16, s) for s in (4, 4, 5))
    assert one == again and one != other
    assert all(0 <= p["a"] <= 10 and 1 <= p["b"] <= 1000 and p["c"] in ("default", "passive") for p in one)


def test_lhs_puts_one_point_in_every_stratum_of_every_factor():
    points = design_points(FACTORS, "lhs", 20, 1)
    assert sorted(int(p["a"] // 0.5) for p in points) == list(range(20))
    assert sorted(int(np.log10(p["b"]) / 3 * 20) for p in points) == list(range(20))  # strata in log space
    assert {p["c"] for p in points} == {"default", "passive"}


def test_sobol_gives_saltelli_rows_ready_for_sobol_indices():
    assert len(design_points(FACTORS, "sobol", 8, 0)) == 8 * (2 * 3 + 2)
    with pytest.raises(PlanError, match="power of two"):
        design_points(FACTORS, "sobol", 6, 0)


def test_an_lhs_batch_plays_each_point_on_the_same_seeds(tmp_path):
    result = run_batch("baseline", 2, 2, 9, workers=2, out=tmp_path / "lhs", progress=False, design="lhs", samples=5,
                       vary={ENFORCEMENT: "uniform:0.3:1", POLICY: "choice:default,passive"})
    manifest = json.loads((result.out / "_manifest.json").read_text())
    assert manifest["plan"]["design"] == {"kind": "lhs", "samples": 5,
                                         "factors": {ENFORCEMENT: "uniform:0.3:1", POLICY: "choice:default,passive"}}
    runs = result.runs()
    assert len(runs) == 10 and runs[ENFORCEMENT].nunique() == 5
    assert list(runs["seed"]) == [run_seed(9, r % 2) for r in range(10)]  # common random numbers
    for point, values in enumerate(manifest["plan"]["points"]):
        mine = runs[runs["run"] // 2 == point]
        assert (mine[ENFORCEMENT] == values[ENFORCEMENT]).all() and (mine[POLICY] == values[POLICY]).all()
    assert set(result.load()[POLICY]) <= {"default", "passive"}


def test_random_design_draws_choices_per_run_and_bad_design_options_are_refused(tmp_path, capsys):
    result = run_batch("baseline", 12, 1, 2, workers=1, out=tmp_path / "rnd", progress=False,
                       vary={POLICY: "choice:default,passive"})
    assert set(result.runs()[POLICY]) == {"default", "passive"}
    for args, message in [
        (["--design", "lhs", "--vary", f"{ENFORCEMENT}=uniform:0:1"], "needs --samples"),
        (["--design", "grid", "--vary", f"{ENFORCEMENT}=uniform:0:1"], "--design grid takes --sweep"),
        (["--samples", "8", "--vary", f"{ENFORCEMENT}=uniform:0:1"], "--samples goes with --design lhs or sobol"),
        (["--design", "lhs", "--samples", "4", "--vary", f"{POLICY}=choice:default,cautious"], "cautious"),
        (["--vary", f"{POLICY}=choice:default"], "two or more different values"),
    ]:
        code = main(["batch", "--runs", "1", "--turns", "1", "--out", str(tmp_path / "bad"), *args])
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / "bad").exists()


def test_a_ruleset_factor_plays_each_ruleset_as_if_played_alone(tmp_path):
    both = run_batch("baseline", 2, 3, 6, workers=2, out=tmp_path / "both", progress=False,
                     sweep={"ruleset": ["baseline", "no-controls"]})
    alone = run_batch("no-controls", 2, 3, 6, workers=1, out=tmp_path / "alone", progress=False)
    rows = both.load()
    mine = rows[rows["ruleset"] == "no-controls"].drop(columns="ruleset").reset_index(drop=True)
    mine["run"] -= 2
    expected = alone.load()
    assert mine[list(expected.columns)].equals(expected)
    assert list(both.runs()["ruleset"]) == ["baseline"] * 2 + ["no-controls"] * 2
    manifest = json.loads((both.out / "_manifest.json").read_text())
    assert set(manifest["alternatives"]) == {"baseline", "no-controls"}


def test_a_ruleset_choice_is_drawn_per_run_and_verified_on_resume(tmp_path, capsys):
    out = tmp_path / "choice"
    result = run_batch("baseline", 8, 2, 1, workers=1, out=out, progress=False, chunk_size=1,
                       vary={"ruleset": "choice:baseline,h200-deal"})
    assert set(result.runs()["ruleset"]) == {"baseline", "h200-deal"}
    (out / "part-00000007-00000007.parquet").unlink()
    alternative = out / json.loads((out / "_manifest.json").read_text())["alternatives"]["h200-deal"]["file"]
    data = json.loads(alternative.read_text())
    data["turns"] = data["turns"] + 1  # valid, but not what was played
    alternative.write_text(json.dumps(data))
    assert main(["batch", "--resume", "--out", str(out), "--no-progress"]) == 2
    assert "does not match the ruleset hash in the manifest" in capsys.readouterr().err
    assert main(["batch", "--runs", "1", "--turns", "1", "--out", str(tmp_path / "nope"),
                 "--sweep", "ruleset=baseline,no-such-ruleset"]) == 2
    assert "ruleset=no-such-ruleset" in capsys.readouterr().err and not (tmp_path / "nope").exists()
