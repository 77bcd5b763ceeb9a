"""`compare` reports the effect it tests: the median of per-seed differences with a paired bootstrap CI,
a star only for a relevant effect, constant outcomes outside the multiple-testing family."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from techrace.batch.compare import COLUMNS, paired_effect, paired_table, run_compare
from techrace.batch.outcomes import parse_min_relevant
from techrace.batch.plan import PlanError
from techrace.launcher import main


def _arms(effect: float, n: int = 60, noise: float = 0.3, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Arm A varies a lot from seed to seed; B is A plus `effect` plus a little noise (a paired design)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(100, 20, n)
    return a, a + effect + rng.normal(0, noise, n)


@pytest.mark.parametrize("effect", [2.0, -2.0])
def test_a_known_paired_effect_is_found_with_its_sign_and_a_ci_around_it(effect):
    a, b = _arms(effect)
    result = paired_effect(a, b, seed=3, rule=1.0)
    assert result["effect"] == pytest.approx(effect, abs=0.15)
    assert result["ci_low"] <= effect <= result["ci_high"]
    assert result["ci_low"] > 0 if effect > 0 else result["ci_high"] < 0  # the CI excludes 0, on the right side
    assert result["p"] < 1e-6
    # the difference of medians can even have the other sign; the paired effect cannot
    assert result["rel_effect"] == pytest.approx(effect / abs(np.median(a)), rel=0.1)


def test_a_significant_but_trivial_effect_gets_no_star_and_constant_outcomes_stay_out_of_the_family():
    a, b = _arms(0.1, noise=0.01)  # tiny but certain
    x, y = _arms(3.0)
    frame_a = pd.DataFrame({"run": np.arange(60), "nation": "CN", "capability": a, "gdp_index": x,
                            "best_node_nm": 7.0})
    frame_b = pd.DataFrame({"run": np.arange(60), "nation": "CN", "capability": b, "gdp_index": y,
                            "best_node_nm": 7.0})
    table = paired_table(frame_a, frame_b, {}, None, seed=0).set_index("outcome")
    assert list(table.reset_index().columns) == list(COLUMNS)
    assert table.loc["capability", "q"] < 1e-6 and not table.loc["capability", "relevant"]  # below 1 capability point
    assert table.loc["gdp_index", "relevant"]  # 3 index points: significant and relevant
    assert table.loc["best_node_nm", "constant"] and np.isnan(table.loc["best_node_nm", "q"])
    assert not table.loc["best_node_nm", "relevant"]
    # BH over the two outcomes that vary, not three
    low, high = sorted(table.loc[["capability", "gdp_index"], "p"])
    assert sorted(table.loc[["capability", "gdp_index"], "q"]) == pytest.approx([min(2 * low, high), high])


def test_minimum_relevant_differences_can_be_set_per_outcome():
    assert parse_min_relevant(["capability=2", "ai_compute_h100e=10%"]) == {"capability": 2.0, "ai_compute_h100e": "10%"}
    a, b = _arms(3.0)
    frame_a = pd.DataFrame({"run": np.arange(60), "nation": "US", "capability": a})
    frame_b = pd.DataFrame({"run": np.arange(60), "nation": "US", "capability": b})
    assert paired_table(frame_a, frame_b, {}, {"capability": 2.0}, 0)["relevant"].all()
    assert not paired_table(frame_a, frame_b, {}, {"capability": 5.0}, 0)["relevant"].any()
    assert not paired_table(frame_a, frame_b, {}, {"capability": "10%"}, 0)["relevant"].any()  # 10% of ~100
    with pytest.raises(PlanError, match="OUTCOME=NUMBER"):
        parse_min_relevant(["capability=lots"])


def test_compare_through_the_cli_writes_compare_csv_beside_both_arms(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", "baseline", "no-controls", "--runs", "6", "--turns", "4", "--workers", "2",
                 "--out", str(out), "--no-progress", "--min-relevant", "capability=0.5"])
    printed = capsys.readouterr().out
    assert code == 0 and "no-controls vs baseline" in printed and "effect [95% CI]" in printed
    assert (out / "a" / "_manifest.json").is_file() and (out / "b" / "_manifest.json").is_file()
    recorded = json.loads((out / "a" / "_manifest.json").read_text())["command"]
    assert recorded.endswith("--runs 6 --turns 4 --seed 0")  # the command that plays the same games again
    table = pd.read_csv(out / "compare.csv")
    assert list(table.columns[:9]) == ["outcome", "nation", "effect", "ci_low", "ci_high", "rel_effect", "p", "q",
                                       "relevant"]
    assert ((table["ci_low"] <= table["effect"] + 1e-9) & (table["effect"] <= table["ci_high"] + 1e-9)).all()
    assert "wins" in set(table["outcome"])
    varying = table[~table["constant"]]
    assert varying["q"].notna().all() and table[table["constant"]]["q"].isna().all()
    assert (table.loc[table["outcome"] == "capability", "min_relevant"] == 0.5).all()


def test_comparing_a_ruleset_with_itself_stars_nothing(tmp_path):
    table = run_compare("baseline", "baseline", runs=5, turns=4, seed=2, out=tmp_path / "same", progress=False).table
    assert (table["effect"] == 0).all() and not table["relevant"].any()
    assert (table.loc[~table["constant"], "p"] == 1).all()


def test_a_comparison_is_kept_per_model_so_a_changed_model_plays_afresh(tmp_path, monkeypatch):
    """`compare` reuses the arms it played before (same rulesets, runs, turns and seed), but only those of the
    same model: its default folder names the model, so results of older code are never shown as today's."""
    from techrace.model_id import model_fingerprint

    monkeypatch.chdir(tmp_path)
    result = run_compare("baseline", "no-controls", runs=2, turns=2, seed=1, progress=False)
    assert result.out == Path("batch-out") / f"compare-baseline-no-controls-n2-t2-s1-m{model_fingerprint()[:8]}"
    assert json.loads((result.out / "a" / "_manifest.json").read_text())["model"] == model_fingerprint()
    again = run_compare("baseline", "no-controls", runs=2, turns=2, seed=1, progress=False)  # reused, same table
    assert again.table.equals(result.table)


def test_a_min_relevant_for_an_outcome_the_comparison_lacks_is_refused_before_any_game(tmp_path, capsys):
    """A misspelt `--min-relevant capabilty=2` was ignored: the default 1 point decided the stars unannounced."""
    out = tmp_path / "cmp"
    code = main(["compare", "baseline", "no-controls", "--runs", "2", "--turns", "1", "--out", str(out),
                 "--no-progress", "--min-relevant", "capabilty=2"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--min-relevant 'capabilty' is not an outcome of this comparison; did you mean 'capability'?" in err
    assert not out.exists()  # refused before playing
