"""Batches as a user runs them: identical tables whatever the worker count, one row per (run, turn,
nation) with run and parameter columns, a manifest, and every run equal to the single game it stands for."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from techrace import __version__
from techrace.batch import load_results, run_batch
from techrace.batch.plan import run_seed
from techrace.errors import TechraceError
from techrace.launcher import main
from techrace.ruleset import load_ruleset, ruleset_hash
from techrace.ruleset.overrides import apply_overrides

TURNS = 6
RUNS = 6
TPP = "controls.oct2023_chips.tpp"
QUAKE = "shocks.taiwan_earthquake.probability_per_quarter"
RUN_OUT_COLUMNS = ["seed", "turn", "quarter", "nation", "ai_compute_h100e", "largest_training_run_flop", "capability",
                   "best_node_nm", "advanced_wafer_starts", "accelerators_produced", "hbm_stacks_produced",
                   "engineers", "gdp_index"]


def _batch(out, workers):
    return run_batch("baseline", RUNS, TURNS, 11, workers=workers, out=out, progress=False,
                     sweep={TPP: [2400, 9600]}, vary={QUAKE: "uniform:0:0.2"})


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    return _batch(tmp_path_factory.mktemp("batch") / "two", workers=2)


def test_one_worker_and_two_workers_give_identical_tables(two_workers, tmp_path):
    one = _batch(tmp_path / "one", workers=1)
    assert one.done == two_workers.done == 2 * RUNS and not one.failures
    pd.testing.assert_frame_equal(one.load(), two_workers.load())


def test_one_row_per_run_turn_nation_with_run_out_columns_run_and_parameters(two_workers):
    table = pd.read_parquet(two_workers.out)  # what a user would type
    assert set(RUN_OUT_COLUMNS) <= set(table.columns)
    assert {"run", TPP, QUAKE} <= set(table.columns)
    assert not table.duplicated(["run", "turn", "nation"]).any()
    assert sorted(table["run"].unique()) == list(range(2 * RUNS))
    nations = set(load_ruleset("baseline").nations)
    assert set(table["nation"]) == nations
    per_run = table.groupby("run").size()
    assert per_run.nunique() == 1  # every run played the same turns for every nation
    seeds = table.groupby("run")["seed"].first()
    assert all(seeds[r] == run_seed(11, r % RUNS) for r in seeds.index)
    tpp = table.groupby("run")[TPP].first()
    assert list(tpp) == [2400.0] * RUNS + [9600.0] * RUNS
    quake = table.groupby("run")[QUAKE].first()
    assert quake.between(0, 0.2).all() and list(quake[:RUNS]) == list(quake[RUNS:])


def test_manifest_records_command_ruleset_version_and_done_runs(two_workers):
    manifest = json.loads((two_workers.out / "_manifest.json").read_text())
    assert manifest["ruleset_hash"] == ruleset_hash(load_ruleset("baseline"))
    assert manifest["techrace_version"] == __version__
    assert manifest["command"].startswith("run_batch(")
    assert manifest["done"] == [[0, 2 * RUNS - 1]] and manifest["complete"] is True
    assert manifest["param_columns"] == [TPP, QUAKE]


def test_a_run_is_exactly_the_game_its_seed_and_parameters_give(two_workers):
    from techrace.core import Game

    table = two_workers.load()
    run = RUNS + 2  # second grid point
    rows = table[table["run"] == run]
    params = {TPP: 9600, QUAKE: float(rows[QUAKE].iloc[0])}
    game = Game.from_ruleset(apply_overrides(load_ruleset("baseline"), params), seed=run_seed(11, 2))
    game.run(TURNS)
    alone = game.metrics().sort_values(["turn", "nation"], ignore_index=True)
    mine = rows.sort_values(["turn", "nation"], ignore_index=True)[list(alone.columns)]
    pd.testing.assert_frame_equal(mine, alone, check_dtype=False)


def test_cli_batch_prints_progress_lines_and_final_quantiles(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["batch", "--runs", "4", "--turns", "4", "--seed", "2", "--workers", "2", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "batch: 4/4 runs done" in captured.err  # plain lines: stderr is not a terminal here
    assert "p5 / median / p95" in captured.out and "capability" in captured.out
    assert "4 of 4 runs done, 0 failed" in captured.out
    assert len(load_results(out)["run"].unique()) == 4


def test_an_existing_batch_is_never_overwritten_and_bad_keys_fail_before_playing(two_workers, tmp_path, capsys):
    with pytest.raises(TechraceError, match="--resume"):
        _batch(two_workers.out, workers=1)
    code = main(["batch", "--runs", "2", "--turns", "2", "--out", str(tmp_path / "bad"), "--sweep", "controls.tpp_threshold=1,2"])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean 'controls.oct2023_chips.tpp'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "bad").exists()
    with pytest.raises(TechraceError, match="needs a numeric value"):
        run_batch("baseline", 1, 1, out=tmp_path / "text", vary={"controls.oct2023_chips.description": "uniform:0:1"})
    with pytest.raises(TechraceError, match="gives an invalid ruleset"):
        run_batch("baseline", 1, 1, out=tmp_path / "value", sweep={"regulators.BIS.enforcement": [0.5, 2]})
    assert not (tmp_path / "text").exists() and not (tmp_path / "value").exists()
