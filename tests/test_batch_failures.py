"""Batches that go wrong: runs that raise, a worker process that dies, a batch killed with kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from techrace.batch import load_results, run_batch
from techrace.batch.engines import LocalEngine
from techrace.batch.plan import run_seed
from techrace.batch.worker import play_game
from techrace.launcher import main

REPO = Path(__file__).resolve().parents[1]
CRASH_SEED = run_seed(4, 3)  # replicate 3 of a batch seeded 4


def crash_on_one_seed(ruleset, seed, turns):
    """Plays the real game, except that one seed kills its worker process outright (like a segfault)."""
    if seed == CRASH_SEED:
        os._exit(70)
    return play_game(ruleset, seed, turns)


def test_runs_that_raise_are_recorded_and_the_batch_goes_on(tmp_path, capsys):
    out = tmp_path / "premium"
    # grey_market_premium must be >= 1: runs that draw less raise inside the worker
    code = main(["batch", "--runs", "10", "--turns", "3", "--seed", "1", "--workers", "2", "--out", str(out),
                 "--vary", "market.grey_market_premium=uniform:0.5:1.5", "--no-progress"])
    printed = capsys.readouterr().out
    failures = json.loads((out / "_failures.json").read_text())
    table = load_results(out)
    assert code == 1
    assert 0 < len(failures) < 10
    assert f"{10 - len(failures)} of 10 runs done, {len(failures)} failed" in printed
    for failure in failures:
        assert failure["seed"] == run_seed(1, failure["run"])
        assert "grey_market_premium" in failure["error"] and failure["params"]["market.grey_market_premium"] < 1
    assert set(table["run"]) == set(range(10)) - {f["run"] for f in failures}
    assert (table["market.grey_market_premium"] >= 1).all()


def test_a_worker_that_dies_costs_only_its_own_run(tmp_path):
    result = run_batch("baseline", 8, 3, 4, workers=2, out=tmp_path / "crash", progress=False, chunk_size=3,
                       play=f"{__name__}:crash_on_one_seed")
    assert [f["run"] for f in result.failures] == [3]
    assert result.failures[0]["seed"] == CRASH_SEED and "worker process died" in result.failures[0]["error"]
    assert sorted(result.load()["run"].unique()) == [0, 1, 2, 4, 5, 6, 7]
    reference = run_batch("baseline", 8, 3, 4, workers=1, out=tmp_path / "clean", progress=False)
    clean = reference.load()
    pd.testing.assert_frame_equal(result.load(), clean[clean["run"] != 3].reset_index(drop=True))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def test_resume_after_kill_9_yields_every_run_exactly_once(tmp_path):
    out = tmp_path / "killed"
    runs, turns = 40, 3
    command = [sys.executable, "-m", "techrace", "batch", "--runs", str(runs), "--turns", str(turns), "--seed", "9",
               "--workers", "2", "--chunk-size", "1", "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(command, env=_env(), start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(list(out.glob("part-*.parquet"))) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch, its forkserver and its workers, mid-write or not
    assert proc.wait(timeout=10) == -signal.SIGKILL
    proc.stderr.close()
    before = len(list(out.glob("part-*.parquet")))
    assert 5 <= before < runs, "the batch must be killed half way for this test to mean anything"
    assert json.loads((out / "_manifest.json").read_text())["complete"] is False

    resumed = subprocess.run([sys.executable, "-m", "techrace", "batch", "--resume", "--out", str(out), "--no-progress"],
                             env=_env(), capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{runs} of {runs} runs done, 0 failed" in resumed.stdout
    table = load_results(out)
    assert not table.duplicated(["run", "turn", "nation"]).any()
    assert sorted(table["run"].unique()) == list(range(runs))
    assert not list(out.glob(".*.tmp"))
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["complete"] is True and manifest["done"] == [[0, runs - 1]]
    uninterrupted = run_batch("baseline", runs, turns, 9, workers=2, out=tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(table, uninterrupted.load())


def test_ctrl_c_keeps_finished_runs_and_says_how_to_resume(tmp_path):
    out = tmp_path / "interrupted"
    command = [sys.executable, "-m", "techrace", "batch", "--runs", "40", "--turns", "3", "--workers", "2",
               "--chunk-size", "1", "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(command, env=_env(), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list(out.glob("part-*.parquet"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    # the batch may wait up to `drain_s` for the workers' current runs; allow that and start-up on a loaded machine
    _, err = proc.communicate(timeout=LocalEngine.drain_s + 30)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert f"continue with: techrace batch --resume --out {out}" in err
    kept = load_results(out)["run"].nunique()
    assert kept >= 3
    assert run_batch(out=out, resume=True, progress=False).done == 40
    assert sorted(load_results(out)["run"].unique()) == list(range(40))


def test_resume_refuses_a_different_plan(tmp_path):
    out = tmp_path / "small"
    run_batch("baseline", 2, 2, 0, workers=1, out=out, progress=False)
    with pytest.raises(Exception, match="--runs 3 differs"):
        run_batch(None, 3, out=out, resume=True, progress=False)
    nothing = run_batch(out=out, resume=True, progress=False)  # already complete: plays nothing more
    assert nothing.done == 2 and len(load_results(out)) == len(run_batch(out=out, resume=True, progress=False).load())


def test_resume_refuses_a_batch_another_model_played(tmp_path):
    """A batch records which model played it (a hash of the core's and the schema's code); continuing it after the
    model changed would mix two models' runs, so it is refused with what to do (simulated by the batch's manifest
    naming another model, as a batch played before a `git pull` would)."""
    from techrace.model_id import model_fingerprint

    out = tmp_path / "older"
    run_batch("baseline", 2, 2, 0, workers=1, out=out, progress=False)
    manifest_path = out / "_manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["model"] == model_fingerprint() and len(manifest["model"]) == 16
    for stored, said in (("0123456789abcdef", "played by model 0123456789abcdef"), (None, "does not say which model")):
        if stored is None:
            manifest.pop("model")
        else:
            manifest["model"] = stored
        manifest_path.write_text(json.dumps(manifest))
        with pytest.raises(Exception, match=f"{said}.*this techrace is model {model_fingerprint()}.*use a new --out"):
            run_batch(out=out, resume=True, progress=False)
    assert len(load_results(out)["run"].unique()) == 2, "the refused batch keeps its runs"


def test_the_model_fingerprint_follows_the_models_code(tmp_path):
    """Equal code, equal fingerprint; one changed byte in the core, another (a copy of the package, read from its
    own folder in a fresh interpreter)."""
    import shutil

    from techrace.model_id import model_fingerprint

    copy = tmp_path / "techrace"
    shutil.copytree(REPO / "techrace", copy, ignore=shutil.ignore_patterns("__pycache__"))
    script = "import sys; sys.path.insert(0, sys.argv[1]); from techrace.model_id import model_fingerprint; print(model_fingerprint())"
    same = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert same.stdout.strip() == model_fingerprint()
    with (copy / "core" / "mechanisms" / "research.py").open("a") as changed:
        changed.write("\n")
    other = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert other.stdout.strip() != model_fingerprint()


def test_a_first_ctrl_c_is_taken_between_waits_and_a_second_at_once() -> None:
    """Ctrl-C during a batch sets a flag the runner reads at a safe point (never inside concurrent.futures, where
    it can leave a future's lock held and hang the batch); a second Ctrl-C interrupts at once; the default
    handler is back afterwards."""
    from techrace.batch.runner import deferred_interrupt

    with deferred_interrupt() as asked:
        os.kill(os.getpid(), signal.SIGINT)
        deadline = time.monotonic() + 5
        while not asked.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert asked.is_set(), "the first Ctrl-C is only noted"
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_to_the_batch_process_alone_stops_it_and_keeps_its_runs(tmp_path):
    """SIGINT to the batch process only (not its workers, as `kill -INT` does): the loop takes it within a poll,
    tells the workers to stop after their run, and keeps every finished run."""
    out = tmp_path / "alone"
    script = tmp_path / "alone.py"
    script.write_text("from techrace.batch import run_batch\n"
                      "if __name__ == '__main__':\n"
                      f"    run_batch('baseline', 160, 3, 2, workers=2, out={str(out)!r}, progress=False, chunk_size=4)\n")
    proc = subprocess.Popen([sys.executable, str(script)], env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("part-*.parquet")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "BatchInterrupted" in err
    kept = load_results(out)["run"].nunique()
    assert 4 <= kept < 160
    assert run_batch(out=out, resume=True, progress=False).done == 160
