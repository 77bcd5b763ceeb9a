"""What analysts read: `techrace report` (charts, markdown) and `sensitivity` (`compare`: test_batch_compare)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from techrace.batch import run_batch
from techrace.batch.sensitivity import run_sensitivity
from techrace.errors import TechraceError
from techrace.launcher import main

TPP = "controls.oct2023_chips.tpp"
INERT = "shocks.taiwan_invasion.probability_per_quarter"  # only a military move fires an invasion


def _ink(path) -> float:
    """Share of pixels that are not background white: a chart that drew nothing has almost none."""
    with Image.open(path) as image:
        grey = np.asarray(image.convert("L"))
    return float((grey < 200).mean())


def test_report_writes_charts_per_point_and_a_markdown_summary(tmp_path, capsys):
    batch = run_batch("baseline", 4, 5, 3, workers=2, out=tmp_path / "b", progress=False, sweep={TPP: [2400, 9600]})
    assert main(["report", str(batch.out)]) == 0
    assert "report.md" in capsys.readouterr().out
    report = batch.out / "_report"
    text = (report / "report.md").read_text()
    for outcome in ("capability", "ai_compute_h100e", "gdp_index"):
        for kind in ("fan", "race"):
            with Image.open(report / f"{kind}_{outcome}.png") as image:
                assert image.size[0] > 500 and image.size[1] > 250
            assert _ink(report / f"{kind}_{outcome}.png") > 0.01
            assert f"![{kind}_{outcome}]({kind}_{outcome}.png)" in text
    assert "8 of 8 runs finished, 0 failed" in text
    assert f"## Point 0: `{TPP}` = 2400" in text and f"## Point 1: `{TPP}` = 9600" in text
    assert "| final capability |" in text and "| final gdp_index |" in text and "Winner:" in text
    assert "## Differences between points (paired by seed, against point 0)" in text
    assert "x axis in calendar years" in text
    assert pd.read_parquet(batch.out)["run"].nunique() == 8  # the report does not disturb the table


def test_charts_drop_all_zero_nations_and_use_a_log_scale_only_across_decades():
    from techrace.batch.report import _shown_nations, wants_log

    index = pd.MultiIndex.from_product([[0], ["CN", "NL", "US"], [1, 2]], names=["point", "nation", "turn"])
    table = pd.DataFrame({q: [1e3, 2e3, 0, 0, 1e6, 2e6] for q in (0.05, 0.25, 0.5, 0.75, 0.95)}, index=index)
    assert _shown_nations(table) == ["CN", "US"]
    assert wants_log(table, ["CN", "US"])  # three decades apart, the zeros of NL ignored
    assert not wants_log(table, ["CN"])


def test_report_of_a_directory_that_is_not_a_batch_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a batch directory" in capsys.readouterr().err


def test_sobol_gives_first_second_order_and_total_indices_and_zero_for_an_inert_parameter(tmp_path):
    result = run_sensitivity({TPP: (1000.0, 20000.0), INERT: (0.0, 0.5)}, ["capability", "gdp_index"],
                             method="sobol", samples=4, turns=4, seed=1, nations=["CN", "US"], out=tmp_path / "sobol",
                             workers=2, progress=False, noise_runs=4)
    indices = result.indices.set_index(["outcome", "nation", "parameter"])
    assert list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert len(indices) == 2 * 2 * 2  # outcomes x nations x parameters
    assert (indices.loc[(slice(None), slice(None), INERT), ["S1", "ST"]] == 0).all().all()
    assert list(result.second_order.columns) == ["outcome", "nation", "parameter_1", "parameter_2", "S2", "S2_conf"]
    assert len(result.second_order) == 2 * 2
    assert pd.read_parquet(result.out)["run"].nunique() == 4 * (2 * 2 + 2)  # N * (2D + 2) Saltelli rows
    for name in ("_sensitivity.csv", "_sensitivity_s2.csv", "_sensitivity_noise.csv"):
        assert (result.out / name).is_file()
    assert set(result.noise.columns) == {"outcome", "nation", "seed_sd", "box_sd", "noise_share"}
    analysis = json.loads((result.out / "_manifest.json").read_text())["analysis"]
    assert analysis["problem"] == {"num_vars": 2, "names": [TPP, INERT], "bounds": [[1000.0, 20000.0], [0.0, 0.5]]}
    assert (analysis["method"], analysis["samples"], analysis["seed"], analysis["replicates"]) == ("sobol", 4, 1, 1)
    assert analysis["outcomes"] == ["capability", "gdp_index"] and analysis["nations"] == ["CN", "US"]
    assert any("--samples 4 is too small for stable indices" in w for w in result.warnings)


def test_morris_through_the_cli(tmp_path, capsys):
    code = main(["sensitivity", "--param", f"{TPP}=1000:20000", "--param", f"{INERT}=0:0.5", "--outcome",
                 "ai_compute_h100e", "--method", "morris", "--samples", "3", "--turns", "3", "--nation", "CN",
                 "--out", str(tmp_path / "morris"), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0 and "morris indices of ai_compute_h100e" in printed and "mu_star" in printed
    frame = pd.read_csv(tmp_path / "morris/_sensitivity.csv")
    assert set(frame["parameter"]) == {TPP, INERT}
    assert frame.set_index("parameter").loc[INERT, "mu_star"] == 0


def test_sensitivity_refuses_bad_requests_before_playing(tmp_path):
    with pytest.raises(TechraceError, match="power of two"):
        run_sensitivity({TPP: (1, 2), INERT: (0, 1)}, "capability", samples=6, out=tmp_path / "x", progress=False)
    with pytest.raises(TechraceError, match="results column"):
        run_sensitivity({TPP: (1, 2), INERT: (0, 1)}, "capabilty", out=tmp_path / "w", progress=False)
    with pytest.raises(TechraceError, match="'XX' is not a nation of the ruleset"):
        run_sensitivity({TPP: (1, 2), INERT: (0, 1)}, "capability", samples=2, nations=["XX"], out=tmp_path / "n",
                        progress=False)
    with pytest.raises(TechraceError, match="at least two"):
        run_sensitivity({TPP: (1, 2)}, "capability", out=tmp_path / "y", progress=False)
    with pytest.raises(TechraceError, match="did you mean"):
        run_sensitivity({"controls.tpp": (1, 2), INERT: (0, 1)}, "capability", samples=2, out=tmp_path / "z",
                        progress=False)
    assert not any((tmp_path / d).exists() for d in ("x", "w", "y", "z", "n"))
