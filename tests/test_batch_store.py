"""A batch directory that cannot be fooled: one writer at a time, part files checked before they are
trusted (unreadable, copied, clashing, missing), the ruleset verified against the manifest on resume,
worker processes that never outlive the batch, and `--workers` capped at the cores."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from techrace.batch import load_results, run_batch
from techrace.batch.engines import default_workers
from techrace.batch.worker import play_game
from techrace.errors import NonFiniteError, TechraceError
from techrace.launcher import main

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "tests"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "techrace", *args]


@pytest.fixture
def small(tmp_path):
    """A finished 6-run batch, one run per part file."""
    return run_batch("baseline", 6, 2, 3, workers=1, out=tmp_path / "small", progress=False, chunk_size=1)


def test_a_second_writer_is_refused_while_the_first_runs_and_no_run_is_duplicated(tmp_path):
    out = tmp_path / "two"
    first = subprocess.Popen(_cli("batch", "--runs", "40", "--turns", "3", "--seed", "5", "--workers", "1",
                                  "--chunk-size", "2", "--out", str(out), "--no-progress"),
                             env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("part-*.parquet")) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, "the first batch must still be running for this test to mean anything"
    second = subprocess.run(_cli("batch", "--resume", "--out", str(out), "--workers", "1", "--no-progress"),
                            env=_env(), capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"techrace: error: {out} is in use by another techrace batch (pid {first.pid}); wait for it to finish, "
        "or use another --out"]
    first.wait(timeout=120)
    assert first.returncode == 0, first.stderr.read()
    table = load_results(out)
    assert not table.duplicated(["run", "turn", "nation"]).any()
    assert sorted(table["run"].unique()) == list(range(40))
    # once the first writer is gone, the directory can be resumed again (the lock dies with its holder)
    assert run_batch(out=out, resume=True, progress=False).done == 40


def test_a_copied_part_file_is_named_not_counted_twice_and_set_aside_on_resume(small, capsys):
    parts = sorted(small.out.glob("part-*.parquet"))
    shutil.copy(parts[2], small.out / "part-00000002-00000002-copy.parquet")
    with pytest.raises(TechraceError, match=r"part-00000002-00000002.* repeats the runs of .*--resume"):
        load_results(small.out)
    again = run_batch(out=small.out, resume=True, progress=False)
    assert "set aside part-00000002-00000002" in capsys.readouterr().err
    assert again.done == 6
    table = pd.read_parquet(small.out)  # what a user types: the copy is no longer read
    assert len(table) == len(load_results(small.out)) and not table.duplicated(["run", "turn", "nation"]).any()
    assert len(list((small.out / "_set_aside").iterdir())) == 1


def test_an_unreadable_part_is_named_and_its_runs_replayed_on_resume(small):
    reference = small.load()
    victim = small.out / "part-00000003-00000003.parquet"
    victim.write_bytes(victim.read_bytes()[:200])  # truncated, as by a full disk
    with pytest.raises(TechraceError, match=r"part-00000003-00000003.parquet is unreadable"):
        load_results(small.out)
    code = main(["batch", "--resume", "--out", str(small.out), "--no-progress"])
    assert code == 0
    pd.testing.assert_frame_equal(load_results(small.out), reference)
    assert json.loads((small.out / "_manifest.json").read_text())["complete"] is True


def test_a_part_deleted_by_hand_is_noticed_and_replayed(small):
    (small.out / "part-00000004-00000004.parquet").unlink()
    with pytest.raises(TechraceError, match="1 runs marked done .* are in no part file .*run 4"):
        load_results(small.out)
    assert run_batch(out=small.out, resume=True, progress=False).done == 6
    assert sorted(load_results(small.out)["run"].unique()) == list(range(6))


def test_two_parts_holding_one_run_with_different_rows_are_refused(small, tmp_path):
    other = run_batch("baseline", 6, 2, 4, workers=1, out=tmp_path / "other", progress=False, chunk_size=1)
    shutil.copy(other.out / "part-00000001-00000001.parquet", small.out / "part-00000001-00000001-other.parquet")
    with pytest.raises(TechraceError, match="both hold run 1"):
        run_batch(out=small.out, resume=True, progress=False)


def _interrupted(tmp_path) -> Path:
    out = tmp_path / "half"
    run_batch("baseline", 4, 2, 1, workers=1, out=out, progress=False, chunk_size=1)
    (out / "part-00000003-00000003.parquet").unlink()
    manifest = json.loads((out / "_manifest.json").read_text())
    manifest.update(done=[[0, 2]], done_count=3, complete=False)
    (out / "_manifest.json").write_text(json.dumps(manifest))
    return out


def test_an_edited_ruleset_json_is_refused_on_resume_before_any_run(tmp_path, capsys):
    out = _interrupted(tmp_path)
    ruleset = json.loads((out / "_ruleset.json").read_text())
    ruleset["market"]["grey_market_premium"] = ruleset["market"]["grey_market_premium"] + 0.5  # valid, but not what was played
    (out / "_ruleset.json").write_text(json.dumps(ruleset))
    assert main(["batch", "--resume", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "_ruleset.json does not match the ruleset hash in the manifest" in err[0]
    assert not (out / "part-00000003-00000003.parquet").exists()


def test_an_invalid_ruleset_json_is_refused_once_not_retried_per_run(tmp_path, capsys):
    out = _interrupted(tmp_path)
    ruleset = json.loads((out / "_ruleset.json").read_text())
    ruleset["market"]["grey_market_premium"] = 0.1  # the schema wants >= 1
    (out / "_ruleset.json").write_text(json.dumps(ruleset))
    assert main(["batch", "--resume", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "_ruleset.json is not a valid ruleset (market.grey_market_premium" in err[0]
    assert json.loads((out / "_failures.json").read_text()) == []


def nan_on_turn_two(ruleset, seed, turns):
    """The real game, except that its numbers turn NaN after the first turn (as extreme values can make them)."""
    import numpy as np

    from techrace.core import Game
    from techrace.core.state import ARRAY_AXES

    game = Game.from_ruleset(ruleset, seed=seed)
    game.step()
    economy = [name for name in ARRAY_AXES if name.startswith("gdp")]  # what gdp_index is made of
    assert economy, "the core keeps GDP in state arrays named gdp_*"
    for name in economy:
        values = getattr(game.model.state, name)
        if np.issubdtype(values.dtype, np.floating):
            values[...] = np.nan
    game.run(turns - 1)
    return play_game(ruleset, seed, turns)  # never reached: Game.step refuses the non-finite row


def test_a_run_that_goes_non_finite_fails_with_run_turn_and_field_and_counts_as_failed(tmp_path):
    result = run_batch("baseline", 3, 3, 2, workers=1, out=tmp_path / "nan", progress=False,
                       play=f"{__name__}:nan_on_turn_two")
    assert result.done == 0 and result.failed == 3
    error = result.failures[1]["error"]
    assert error.startswith(f"run 1: {NonFiniteError.__name__}: turn 2 (2025Q2): ") and "not a finite number" in error
    assert "gdp_index" in error
    assert not list(result.out.glob("part-*.parquet"))


def test_vary_ranges_that_overflow_are_refused_before_playing(tmp_path, capsys):
    code = main(["batch", "--runs", "2", "--turns", "1", "--out", str(tmp_path / "inf"),
                 "--vary", "market.grey_market_leak_share=uniform:-1e308:1e308"])
    assert code == 2 and "finite" in capsys.readouterr().err and not (tmp_path / "inf").exists()


def test_workers_are_capped_at_the_usable_cores_and_the_batch_says_so(tmp_path, capsys):
    cores = default_workers()
    result = run_batch("baseline", 2, 1, out=tmp_path / "many", workers=cores + 998, progress=False)
    assert f"--workers {cores + 998} is more than the {cores} usable" in capsys.readouterr().err
    assert result.engine.startswith(f"{cores} local worker")


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def test_killing_only_the_batch_process_ends_its_forkserver_and_workers(tmp_path):
    out = tmp_path / "orphans"
    proc = subprocess.Popen(_cli("batch", "--runs", "400", "--turns", "20", "--workers", "2", "--out", str(out),
                                 "--no-progress"), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(out.glob("part-*.parquet")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    helpers = _descendants(proc.pid)
    assert proc.poll() is None and len(helpers) >= 3, "forkserver and two workers must be running"
    proc.send_signal(signal.SIGKILL)  # the batch process only, not its group
    proc.wait(timeout=10)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in helpers if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
    for pid in left:  # never leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_user_text_printed_by_batch_is_escaped(tmp_path, capsys):
    out = tmp_path / "evil\x1b]0;owned\x07dir"
    assert main(["batch", "--runs", "1", "--turns", "1", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr()
    assert "\x1b]0;owned" not in printed.out + printed.err
    assert "\\x1b]0;owned\\x07dir" in printed.out


def marked_game(ruleset, seed, turns):
    """The real game; then a marker file says it finished (so a test knows runs are done mid-chunk)."""
    played = play_game(ruleset, seed, turns)
    Path(os.environ["TECHRACE_TEST_MARKS"], str(seed)).touch()
    return played


def test_ctrl_c_keeps_the_runs_finished_inside_running_chunks(tmp_path):
    out, marks = tmp_path / "chunks", tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "batch.py"
    script.write_text("from techrace.batch import run_batch\n"
                      "if __name__ == '__main__':\n"
                      f"    run_batch('baseline', 200, 3, 8, workers=2, out={str(out)!r}, progress=False, chunk_size=100,\n"
                      "              play='test_batch_store:marked_game')\n")
    proc = subprocess.Popen([sys.executable, str(script)], env={**_env(), "TECHRACE_TEST_MARKS": str(marks)},
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < 6 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    finished_before = len(list(marks.iterdir()))
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the batch and its workers
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "BatchInterrupted" in err
    kept = load_results(out)["run"].nunique()
    assert 6 <= finished_before <= kept < 200  # every run finished before Ctrl-C is kept, though no chunk of 100 ended
    assert all(len(pd.read_parquet(p)["run"].unique()) < 100 for p in out.glob("part-*.parquet"))
    assert run_batch(out=out, resume=True, progress=False).done == 200
    assert sorted(load_results(out)["run"].unique()) == list(range(200))


def test_a_write_that_fails_midway_is_one_line_and_keeps_what_was_written(tmp_path):
    out = tmp_path / "full"
    # a file-size limit (above the ruleset's ~70 KB, below a part of 12 whole games) makes part writes fail
    # with EFBIG, as a full disk fails them
    script = ("import resource, signal, sys\n"
              "from techrace.launcher import main\n"
              "if __name__ == '__main__':\n"
              "    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "    resource.setrlimit(resource.RLIMIT_FSIZE, (120_000, 120_000))\n"
              f"    sys.exit(main(['batch', '--runs', '12', '--turns', '44', '--workers', '1', '--chunk-size', '12', '--out', {str(out)!r},"
              " '--no-progress', '--sweep', 'regulators.BIS.enforcement=0.5,0.9']))\n")
    (tmp_path / "full.py").write_text(script)
    proc = subprocess.run([sys.executable, str(tmp_path / "full.py")], env=_env(), capture_output=True, text=True,
                          timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "cannot write" in lines[0] and "--resume" in lines[0], proc.stderr
    assert not list(out.glob("part-*.parquet"))  # the half-written part was never renamed into place
    assert run_batch(out=out, resume=True, progress=False).done == 24
    assert sorted(load_results(out)["run"].unique()) == list(range(24))
