"""What analysts read: `techrace report` (fan charts, markdown), `compare` and `sensitivity`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from techrace.batch import run_batch
from techrace.batch.compare import run_compare
from techrace.batch.sensitivity import run_sensitivity
from techrace.errors import TechraceError
from techrace.launcher import main
from techrace.ruleset import load_ruleset

TPP = "controls.oct2023_chips.tpp"
INERT = "shocks.taiwan_invasion.probability_per_quarter"  # only a military move fires an invasion


def test_report_writes_fan_charts_and_a_markdown_summary(tmp_path, capsys):
    batch = run_batch("baseline", 4, 5, 3, workers=2, out=tmp_path / "b", progress=False, sweep={TPP: [2400, 9600]})
    assert main(["report", str(batch.out)]) == 0
    assert "report.md" in capsys.readouterr().out
    report = batch.out / "_report"
    text = (report / "report.md").read_text()
    for outcome in ("capability", "ai_compute_h100e", "gdp_index"):
        with Image.open(report / f"fan_{outcome}.png") as image:
            assert image.size[0] > 600 and image.size[1] > 200
        assert f"![fan_{outcome}](fan_{outcome}.png)" in text
    assert "8 of 8 runs finished, 0 failed" in text
    for nation in load_ruleset("baseline").nations:
        assert f"| {nation} |" in text
    assert f"## Median final capability by `{TPP}`" in text and "| 2400.0 |" in text
    assert pd.read_parquet(batch.out)["run"].nunique() == 8  # the report does not disturb the table


def test_report_of_a_directory_that_is_not_a_batch_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a batch directory" in capsys.readouterr().err


def test_comparing_a_ruleset_with_itself_finds_no_difference(tmp_path):
    result = run_compare("baseline", "baseline", runs=5, turns=4, seed=2, out=tmp_path / "same", progress=False)
    table = result.table
    assert set(table["outcome"]) >= {"capability", "ai_compute_h100e", "gdp_index"}
    assert (table["diff"] == 0).all() and (table["p"] == 1).all() and not table["significant"].any()
    seeds_a = json.loads((tmp_path / "same/a/_manifest.json").read_text())["plan"]["seed"]
    assert seeds_a == json.loads((tmp_path / "same/b/_manifest.json").read_text())["plan"]["seed"] == 2


def test_compare_reports_medians_difference_interval_and_test(tmp_path, capsys):
    code = main(["compare", "baseline", "no-controls", "--runs", "8", "--turns", "4", "--workers", "2",
                 "--out", str(tmp_path / "cmp"), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0 and "no-controls vs baseline" in printed and "diff [95% CI]" in printed
    table = pd.read_csv(tmp_path / "cmp/compare.csv")
    assert {"median_a", "median_b", "diff", "ci_low", "ci_high", "p", "q", "significant"} <= set(table.columns)
    assert ((table["ci_low"] <= table["diff"] + 1e-9) & (table["diff"] <= table["ci_high"] + 1e-9)).all()
    assert table["p"].between(0, 1).all() and (table["q"] >= table["p"] - 1e-12).all()
    cn = table[(table["outcome"] == "ai_compute_h100e") & (table["nation"] == "CN")].iloc[0]
    assert cn["diff"] == pytest.approx(cn["median_b"] - cn["median_a"])


def test_sobol_gives_first_order_and_total_indices_and_zero_for_an_inert_parameter(tmp_path):
    result = run_sensitivity({TPP: (1000.0, 20000.0), INERT: (0.0, 0.5)}, "capability", method="sobol",
                             samples=4, turns=4, seed=1, nations=["CN", "US"], out=tmp_path / "sobol",
                             workers=2, progress=False)
    indices = result.indices.set_index(["nation", "parameter"])
    assert list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert len(indices) == 4
    assert (indices.loc[(slice(None), INERT), ["S1", "ST"]] == 0).all().all()
    assert pd.read_parquet(result.out)["run"].nunique() == 4 * (2 + 2)  # N * (D + 2) sample rows
    assert (result.out / "_sensitivity.csv").is_file()


def test_morris_through_the_cli(tmp_path, capsys):
    code = main(["sensitivity", "--param", f"{TPP}=1000:20000", "--param", f"{INERT}=0:0.5", "--outcome",
                 "ai_compute_h100e", "--method", "morris", "--samples", "3", "--turns", "3", "--nation", "CN",
                 "--out", str(tmp_path / "morris"), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0 and "morris indices of final ai_compute_h100e" in printed and "mu_star" in printed
    frame = pd.read_csv(tmp_path / "morris/_sensitivity.csv")
    assert set(frame["parameter"]) == {TPP, INERT}
    assert frame.set_index("parameter").loc[INERT, "mu_star"] == 0


def test_sensitivity_refuses_bad_requests_before_playing(tmp_path):
    with pytest.raises(TechraceError, match="power of two"):
        run_sensitivity({TPP: (1, 2), INERT: (0, 1)}, "capability", samples=6, out=tmp_path / "x", progress=False)
    with pytest.raises(TechraceError, match="results column"):
        run_sensitivity({TPP: (1, 2), INERT: (0, 1)}, "capabilty", out=tmp_path / "w", progress=False)
    with pytest.raises(TechraceError, match="at least two"):
        run_sensitivity({TPP: (1, 2)}, "capability", out=tmp_path / "y", progress=False)
    with pytest.raises(TechraceError, match="did you mean"):
        run_sensitivity({"controls.tpp": (1, 2), INERT: (0, 1)}, "capability", samples=2, out=tmp_path / "z",
                        progress=False)
