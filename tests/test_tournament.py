"""`techrace tournament`: a small real tournament through the batch engine writes the promised tables; every
arm plays the same seeds; the same command gives the same bytes and continues an interrupted tournament; bad
strategy files stop it with located errors (exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from techrace.batch import load_results
from techrace.batch.store import BatchDirError
from techrace.batch.tournament import run_tournament
from techrace.launcher import main

try:  # the real Dask cluster (a scheduler and two workers) of the batch's own Dask tests
    from test_batch_dask import scheduler_address  # noqa: F401
except pytest.skip.Exception:
    @pytest.fixture
    def scheduler_address():
        pytest.skip("distributed is not installed")

STRATEGY = """name: {name}
nation: {nation}
description: a test strategy
format_version: 1
orders:
  - lever: {lever}
    params: {params}
"""
STRATEGY_COLUMNS = ["ruleset", "nation", "strategy", "runs", "wins", "win_share", "median_win_turn"]
LEVER_COLUMNS = ["ruleset", "nation", "lever", "outcome", "effect", "ci_low", "ci_high"]


def _folder(root: Path) -> Path:
    """Two strategies and two probes of our own: a small, fast tournament."""
    mine = root / "mine"
    (mine / "probes").mkdir(parents=True)
    (mine / "pool.yaml").write_text(STRATEGY.format(name="pool", nation="US", lever="centralisation",
                                                    params="{share: 0.8}"), encoding="utf-8")
    (mine / "home.yaml").write_text(STRATEGY.format(name="home", nation="CN", lever="subsidy",
                                                    params="{firm: DEEPSEEK, usd_b: 3, recurring: true}"), encoding="utf-8")
    (mine / "probes" / "p.yaml").write_text(STRATEGY.format(name="p", nation="US", lever="centralisation",
                                                            params="{share: 1.0}"), encoding="utf-8")
    (mine / "probes" / "q.yaml").write_text(STRATEGY.format(name="q", nation="CN", lever="lift_control",
                                                            params="{control: cn_minerals}"), encoding="utf-8")
    return mine


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """3 runs of 3 quarters per arm in baseline, for the US and China, our strategies only."""
    root = tmp_path_factory.mktemp("tournament")
    result = run_tournament(["baseline"], ["US", "CN"], runs=3, seed=5, turns=3, out=root / "out",
                            strategies=[_folder(root)], shipped=False, workers=2, progress=False)
    return root, result


def test_the_tables_have_the_promised_columns_and_a_row_for_every_arm(small):
    root, result = small
    strategies = pd.read_csv(root / "out" / "strategies.csv")
    levers = pd.read_csv(root / "out" / "levers.csv")
    assert list(strategies.columns) == STRATEGY_COLUMNS and list(levers.columns) == LEVER_COLUMNS
    assert list(zip(strategies["nation"], strategies["strategy"], strict=True)) == [
        ("US", "computer-only"), ("US", "no-new-orders"), ("US", "pool"),
        ("CN", "computer-only"), ("CN", "no-new-orders"), ("CN", "home")]
    assert (strategies["runs"] == 3).all() and (strategies["win_share"] == strategies["wins"] / 3).all()
    assert set(zip(levers["nation"], levers["lever"], strict=True)) == {("US", "centralisation"), ("CN", "lift_control")}
    assert set(levers["outcome"]) == {"win", "capability", "ai_compute_h100e", "advanced_wafer_starts", "gdp_index",
                                      "advanced_wafers_made", "rival_capability", "rival_ai_compute_h100e",
                                      "rival_advanced_wafers_made"}  # the US's rival is China, and back
    assert ((levers["ci_low"] <= levers["effect"] + 1e-9) & (levers["effect"] <= levers["ci_high"] + 1e-9)).all()
    assert result.done == 21 and result.failed == 0  # 7 arms (with the two probes) x 3 runs


def test_a_lever_that_acts_shows_an_effect_against_no_new_orders(small):
    """Pooling all US compute raises the US's largest run at once: its capability rises on every seed."""
    root, _ = small
    levers = pd.read_csv(root / "out" / "levers.csv").set_index(["nation", "lever", "outcome"])
    pooled = levers.loc[("US", "centralisation", "capability")]
    assert pooled["effect"] > 0 and pooled["ci_low"] > 0
    summary = (root / "out" / "summary.md").read_text(encoding="utf-8")
    assert "## Balance criteria (issue 10)" in summary and "| centralisation | c+" in summary  # capability up, beyond noise
    assert "computer-only baseline games: holds" in summary or "computer-only baseline games: does not hold" in summary


def test_run_i_of_every_arm_plays_the_same_seed(small):
    root, _ = small
    runs = load_results(root / "out" / "_batch", table="runs")
    runs["rep"] = runs["run"] % 3
    assert runs["arm"].nunique() == 7
    assert (runs.groupby("rep")["seed"].nunique() == 1).all()
    assert runs.groupby("arm")["seed"].apply(sorted).map(tuple).nunique() == 1


def test_the_same_tournament_gives_the_same_bytes_and_a_rerun_continues_it(small, tmp_path):
    root, _ = small
    again = tmp_path / "again"
    run_tournament(["baseline"], ["US", "CN"], runs=3, seed=5, turns=3, out=again, strategies=[root / "mine"],
                   shipped=False, workers=1, progress=False)
    for name in ("strategies.csv", "levers.csv"):
        assert (again / name).read_bytes() == (root / "out" / name).read_bytes()
    summary = (again / "summary.md").read_text(encoding="utf-8")
    assert summary.split("\n", 3)[3] == (root / "out" / "summary.md").read_text(encoding="utf-8").split("\n", 3)[3]
    (again / "strategies.csv").unlink()
    rerun = run_tournament(["baseline"], ["US", "CN"], runs=3, seed=5, turns=3, out=again,
                           strategies=[root / "mine"], shipped=False, workers=1, progress=False)
    assert rerun.done == 21 and (again / "strategies.csv").read_bytes() == (root / "out" / "strategies.csv").read_bytes()
    changed = tmp_path / "changed"
    shutil.copytree(root / "mine", changed)
    (changed / "pool.yaml").write_text((changed / "pool.yaml").read_text().replace("0.8", "0.7"), encoding="utf-8")
    with pytest.raises(BatchDirError, match="holds a tournament of other strategies"):
        run_tournament(["baseline"], ["US", "CN"], runs=3, seed=5, turns=3, out=again, strategies=[changed],
                       shipped=False, workers=1, progress=False)


def test_the_cli_plays_the_shipped_strategies_and_every_probe_of_a_nation(tmp_path, capsys):
    code = main(["tournament", "--ruleset", "no-controls", "--nation", "US", "--runs", "2", "--turns", "2",
                 "--out", str(tmp_path / "t"), "--workers", "2", "--no-progress"])
    printed = capsys.readouterr()
    assert code == 0 and "US: win share" in printed.out and "hawkish-controls" in printed.out
    levers = pd.read_csv(tmp_path / "t" / "levers.csv")
    probed = set(levers["lever"])
    assert {"entity_list", "subsidy", "visa_policy", "pay_policy", "centralisation", "power_buildout"} <= probed
    assert "military" not in probed and "lift_control" not in probed  # no military moves for the US; no such rule here
    assert levers["ci_low"].isna().all()  # two seeds give no interval
    summary = (tmp_path / "t" / "summary.md").read_text(encoding="utf-8")
    assert "probe lift_control for US not played: Control rule: unknown rule 'oct2023_chips'" in summary
    assert "(the game refuses this order)" in summary  # open-trade names rules no-controls does not have


def test_bad_strategy_files_stop_the_tournament_with_located_errors(tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text(STRATEGY.format(name="x", nation="US", lever="subsidy",
                                                params="{firm: INTEL_FOUNDRY, usd_b: -1}"), encoding="utf-8")
    (bad / "y.yaml").write_text(STRATEGY.format(name="y", nation="ZZ", lever="entity_lst", params="{}"), encoding="utf-8")
    code = main(["tournament", "--ruleset", "baseline", "--nation", "US", "--runs", "2", "--out", str(tmp_path / "t"),
                 "--strategies", str(bad), "--no-progress"])
    err = capsys.readouterr().err.splitlines()
    assert code == 2 and not (tmp_path / "t").exists()
    assert any("x.yaml:7:" in line and "orders.0.params.usd_b: Amount: must be at least 0" in line for line in err)
    assert any("y.yaml:2:1: nation: unknown nation 'ZZ'" in line for line in err)
    assert any("y.yaml:6:" in line and "orders.0.lever: unknown lever 'entity_lst'" in line for line in err)
    assert main(["tournament", "--ruleset", "baseline", "--nation", "XX", "--out", str(tmp_path / "u")]) == 2
    assert "unknown nation 'XX'" in capsys.readouterr().err


def test_a_dask_cluster_plays_the_same_tournament(small, scheduler_address, tmp_path):
    """The arms' strategies travel to remote workers with each chunk: the same tables as local processes."""
    root, _ = small
    result = run_tournament(["baseline"], ["US", "CN"], runs=3, seed=5, turns=3, out=tmp_path / "dask",
                            strategies=[root / "mine"], shipped=False, scheduler=scheduler_address, progress=False)
    assert result.engine.startswith("Dask cluster") and result.done == 21
    for name in ("strategies.csv", "levers.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (root / "out" / name).read_bytes()


def test_wafers_made_count_every_quarter_of_the_game_not_only_the_last(small):
    """A lever that holds a rival's fabs back for years counts although they catch up by the end."""
    root, _ = small
    from techrace.batch.standings import read_runs
    from techrace.batch.store import BatchStore

    _, final, _ = read_runs(BatchStore(root / "out" / "_batch"))
    every = load_results(root / "out" / "_batch", columns=["run", "turn", "nation", "advanced_wafer_starts"])
    made = every.groupby(["run", "nation"])["advanced_wafer_starts"].sum() * 3  # starts a month, three months a quarter
    got = final.set_index(["run", "nation"])["advanced_wafers_made"]
    assert (final["turn"] == 3).all() and len(got) == len(made)
    assert got.sort_index().to_numpy() == pytest.approx(made.sort_index().to_numpy())
    cn = final[final["nation"] == "CN"]
    assert (cn["advanced_wafers_made"] > 3 * cn["advanced_wafer_starts"]).all()  # more than the last quarter's
