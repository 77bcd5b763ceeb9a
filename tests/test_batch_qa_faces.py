"""QA defects of the batch faces: rulesets with different nations (report, compare), resumes that name the
options to pass, tournament summaries with too few seeds, help and printed numbers that say what they mean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from techrace.batch import run_batch
from techrace.batch.compare import paired_table
from techrace.launcher import main

TUTORIAL = str(Path(__file__).parent / "modding_tutorial")  # adds India (IN) to the baseline


def test_report_of_a_ruleset_sweep_with_a_nation_only_one_ruleset_has_draws_it_only_there(tmp_path, capsys):
    batch = run_batch("baseline", 3, 2, 0, workers=1, out=tmp_path / "b", progress=False,
                      sweep={"ruleset": ["baseline", TUTORIAL]})
    assert main(["report", str(batch.out)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    text = (batch.out / "_report" / "report.md").read_text()
    point0, point1 = text.split("\n## Point 1")
    table0 = next(line for line in point0.splitlines() if line.startswith("| outcome |"))
    table1 = next(line for line in point1.splitlines() if line.startswith("| outcome |"))
    assert "IN" not in table0.split("|") and " IN " in table1  # listed only where it exists
    assert "| capability | IN | only at point 1: no paired effect |" in text  # no difference to pair
    assert (batch.out / "_report" / "fan_capability.png").is_file()
    assert (batch.out / "_report" / "race_capability.png").is_file()


def test_a_nation_only_one_arm_has_is_shown_with_its_side_and_no_effect():
    runs = np.arange(5)
    fa = pd.DataFrame({"run": runs, "nation": "US", "capability": 100.0 + runs})
    fb = pd.concat([fa.assign(capability=fa["capability"] + 2),
                    pd.DataFrame({"run": runs, "nation": "IN", "capability": 60.0 + runs})], ignore_index=True)
    table = paired_table(fa, fb, {}, None, 0).set_index("nation")
    assert set(table.index) == {"US", "IN"}
    row = table.loc["IN"]
    assert row["n"] == 0 and np.isnan(row["median_a"]) and row["median_b"] == 62.0
    assert np.isnan(row["effect"]) and np.isnan(row["q"]) and not row["relevant"]
    assert table.loc["US", "effect"] == 2.0 and table.loc["US", "n"] == 5  # the paired nation is as before


def test_compare_of_rulesets_with_different_nations_shows_the_lonely_nation_and_says_why(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", "baseline", TUTORIAL, "--runs", "3", "--turns", "2", "--workers", "1", "--out", str(out),
                 "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "only in B" in printed
    assert "note: IN is only in B (india-rising): shown with that side's medians, no paired effect" in printed
    table = pd.read_csv(out / "compare.csv")
    lonely = table[table["nation"] == "IN"]
    assert len(lonely) and (lonely["n"] == 0).all() and lonely["median_a"].isna().all()
    assert lonely["effect"].isna().all() and lonely["median_b"].notna().all()


def test_numbers_below_one_keep_their_digits_so_an_effect_prints_inside_its_interval():
    from techrace.batch.summary import format_number

    assert format_number(0.05) == "0.05"  # the min relevant of wins, not 0.1
    assert [format_number(v) for v in (-0.012, -0.03, -0.001)] == ["-0.012", "-0.03", "-0.001"]
    assert format_number(-0.0) == "0.0" and format_number(0.0) == "0.0"
    rng = np.random.default_rng(0)
    for low, effect, high in np.sort(rng.normal(0, 10.0 ** rng.integers(-4, 7, (3000, 1)), (3000, 3)), axis=1):
        printed = [float(format_number(v).replace(",", "")) for v in (low, effect, high)]
        assert printed[0] <= printed[1] <= printed[2], (low, effect, high, printed)


def test_compare_prints_the_min_relevant_of_wins_as_the_csv_has_it(tmp_path):
    from rich.console import Console

    from techrace.batch.compare import CompareResult, render

    row = {"outcome": "wins", "nation": "US", "effect": -0.012, "ci_low": -0.03, "ci_high": -0.001, "rel_effect": np.nan,
           "p": 0.01, "q": 0.02, "relevant": False, "n": 40, "median_a": 0.0, "median_b": 0.0, "min_relevant": 0.05,
           "constant": False}
    console = Console(width=200, record=True)
    console.print(render(CompareResult("a", "b", 40, pd.DataFrame([row]), tmp_path)))
    text = console.export_text()
    assert "-0.012 [-0.03, -0.001]" in text and "0.05" in text and " 0.1 " not in text


def test_sensitivity_help_gives_the_number_of_rows_the_design_plays(capsys):

    from techrace.batch.sensitivity import _sample

    with pytest.raises(SystemExit):
        main(["sensitivity", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "N*(2D+2) rows" in text and "N*(D+2)" not in text and "N*(D+1) rows" in text
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    assert len(_sample(problem, "sobol", 4, 0, True)) == 4 * (2 * 2 + 2)  # what the run plays
    assert len(_sample(problem, "morris", 4, 0, False)) == 4 * (2 + 1)


def test_every_key_path_the_batch_docs_give_is_one_a_sweep_accepts():
    import re

    from techrace.ruleset import load_ruleset
    from techrace.ruleset.overrides import key_paths

    root = Path(__file__).parent.parent
    valid = set(key_paths(load_ruleset("baseline")))
    for doc in ("docs/batch.md", "README.md"):
        text = (root / doc).read_text(encoding="utf-8")
        given = set(re.findall(r"--(?:sweep|vary|param)[ =]([a-z][\w.]*)=", text)) - {"ruleset"}
        tops = {path.split(".")[0] for path in valid}
        table = re.findall(r"^\| `(\w+\.[\w.]+)` \|", text, re.MULTILINE)  # the key path table (and file tables)
        given |= {k for k in table if k.split(".")[0] in tops and not re.search(r"\.(csv|md|json|parquet)$", k)}
        given |= set(re.findall(r"\"(\w+\.[\w.]+)\": [\[\"(]", text))  # the Python examples
        assert given <= valid, f"{doc}: {sorted(given - valid)}"
        assert len(given) > (5 if doc == "docs/batch.md" else 1)


@pytest.fixture(scope="module")
def two_seed_tournament(tmp_path_factory):
    """The QA tester's tournament: two seeds per arm, too few for intervals."""
    out = tmp_path_factory.mktemp("tour") / "t"
    code = main(["tournament", "--ruleset", "baseline", "--nation", "US", "--runs", "2", "--turns", "2",
                 "--out", str(out), "--workers", "2", "--no-progress"])
    assert code == 0
    return out


def test_a_tournament_with_too_few_seeds_says_the_levers_were_not_measured_and_that_nobody_won(two_seed_tournament):
    summary = (two_seed_tournament / "summary.md").read_text(encoding="utf-8")
    levers = next(line for line in summary.splitlines() if "Every lever moves" in line)
    assert ": not measured.**" in levers and "none measured (fewer than 3 seeds give no interval)" in levers
    assert "does not hold" not in levers
    strategy = next(line for line in summary.splitlines() if "each have a strategy" in line)
    assert "US: no strategy won (" in strategy and "tied at 0% of 2 games" in strategy
    assert "best is" not in strategy
    assert "| n/m |" in summary and "n/m not measured (fewer than 3 seeds, no interval)" in summary
    assert "No outcome beyond noise in any ruleset" not in summary


def test_rerunning_a_tournament_without_runs_names_the_runs_it_was_played_with(two_seed_tournament, capsys):
    code = main(["tournament", "--ruleset", "baseline", "--nation", "US", "--turns", "2",
                 "--out", str(two_seed_tournament), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert (f"{two_seed_tournament} holds a tournament played with --runs 2; this command asks for --runs 20 (the "
            "default: not given). Pass --runs 2 to continue it, or use a new --out") in err
    assert "drop it" not in err
    assert main(["tournament", "--ruleset", "baseline", "--nation", "US", "--turns", "2", "--runs", "2",
                 "--out", str(two_seed_tournament), "--no-progress"]) == 0  # as told: it continues


def test_rerunning_a_compare_without_runs_or_turns_names_what_it_was_played_with(tmp_path, capsys):
    out = str(tmp_path / "cmp")
    base = ["compare", "baseline", "no-controls", "--out", out, "--workers", "1", "--no-progress"]
    assert main([*base, "--runs", "3", "--turns", "2"]) == 0
    capsys.readouterr()
    assert main(base) == 2
    err = capsys.readouterr().err
    assert "holds a comparison played with --runs 3 --turns 2; this command asks for --runs 100 (the default: not " \
           "given), --turns 44 (the default: not given). Pass --runs 3 --turns 2 to continue it" in err
    assert "drop it" not in err


def test_rerunning_a_sensitivity_analysis_without_samples_names_the_samples_it_was_played_with(tmp_path, capsys):
    out = str(tmp_path / "sens")
    base = ["sensitivity", "--param", "regulators.BIS.enforcement=0.5:1", "--param", "market.grey_market_leak_share=0:0.4",
            "--outcome", "capability", "--turns", "1", "--out", out, "--workers", "1", "--no-progress"]
    assert main([*base, "--samples", "2", "--replicates", "1", "--seed", "3"]) == 0
    capsys.readouterr()
    assert main([*base, "--replicates", "1"]) == 2
    err = capsys.readouterr().err
    assert "holds a sensitivity analysis played with --samples 2 --seed 3; this command asks for --samples 64 (the " \
           "default: not given), --seed 0 (the default: not given). Pass --samples 2 --seed 3 to continue it" in err
