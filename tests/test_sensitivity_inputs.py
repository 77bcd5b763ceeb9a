"""`techrace sensitivity` takes what the analyst typed: a sample count is used or refused, never swapped for
the default, and the seed-noise warning gives the figure the table gives."""

from __future__ import annotations

import pandas as pd
import pytest

from techrace.batch.sensitivity import _warnings, noise_percent, render
from techrace.launcher import main

PARAMS = ["--param", "regulators.BIS.enforcement=0.5:1", "--param", "market.grey_market_leak_share=0:0.4"]


@pytest.mark.parametrize(("method", "said"), [("sobol", "power of two"), ("morris", "at least 2")])
@pytest.mark.parametrize("samples", ["0", "1", "-3"])
def test_a_sample_count_below_two_is_refused_not_replaced_by_the_default(tmp_path, capsys, method, samples, said):
    """`--samples 0` played the default 64 (sobol) or 20 (morris) and then warned about '--samples 64'."""
    out = tmp_path / "s"
    code = main(["sensitivity", *PARAMS, "--outcome", "capability", "--method", method, "--samples", samples,
                 "--turns", "1", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and said in err and f"got {samples}" in err
    assert not out.exists()


def test_the_noise_warning_and_the_noise_table_give_the_same_share():
    """The warning capped the share at 999% while the table printed 20949% for the same row."""
    noise = pd.DataFrame([{"outcome": "capability", "nation": "US", "seed_sd": 0.232, "box_sd": 0.016,
                           "noise_share": 209.49},
                          {"outcome": "capability", "nation": "CN", "seed_sd": 0.1, "box_sd": 0.0,
                           "noise_share": float("inf")}])
    warnings = _warnings(pd.DataFrame(), noise, "morris", 20, 1)
    assert "capability of US: seed noise is 20949% of the variance" in warnings[0]
    assert "capability of CN: seed noise is infinite" in warnings[1]
    assert noise_percent(0.25) == "25%"

    class Result:
        method, outcomes, second_order = "morris", ["capability"], None
        indices = pd.DataFrame(columns=["outcome", "nation", "parameter", "mu_star"])

    Result.noise = noise
    from rich.console import Console

    console = Console(width=200, record=True)
    for table in render(Result):  # type: ignore[arg-type]
        console.print(table)
    text = console.export_text()
    assert "20949%" in text and "infinite" in text and "inf%" not in text
