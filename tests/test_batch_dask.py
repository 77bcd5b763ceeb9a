"""The same batch on a real Dask cluster (a scheduler and two workers started with the `dask` command
line on 127.0.0.1) gives the same table as local processes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from techrace.batch import run_batch
from techrace.launcher import main

pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask") if Path(sys.executable).with_name("dask").exists() else Path(
    shutil.which("dask") or "dask")


def _scheduler_address(scheduler_file: Path, procs: list[subprocess.Popen]) -> str:
    """The address the scheduler wrote once it listened (it picks a free port itself: no port is chosen here and
    bound later, which another test process could take in between)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError):
            return json.loads(scheduler_file.read_text())["address"]
        if procs[0].poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"the Dask scheduler wrote no address to {scheduler_file}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    scheduler_file = logs / "scheduler.json"
    scheduler = [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--scheduler-file", str(scheduler_file)]
    procs = []
    try:
        procs.append(subprocess.Popen(scheduler, env=env, cwd=logs, stdout=(logs / "0.log").open("w"),
                                      stderr=subprocess.STDOUT, start_new_session=True))
        address = _scheduler_address(scheduler_file, procs)
        for i in range(2):
            worker = [str(DASK), "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                      "--no-dashboard", "--name", f"w{i}"]
            procs.append(subprocess.Popen(worker, env=env, cwd=logs, stdout=(logs / f"{i + 1}.log").open("w"),
                                          stderr=subprocess.STDOUT, start_new_session=True))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_dask_cluster_gives_the_same_table_as_local_processes(scheduler_address, tmp_path):
    options = dict(runs=5, turns=6, seed=21, progress=False, sweep={"controls.oct2023_chips.tpp": [2400, 9600]},
                   vary={"shocks.taiwan_earthquake.probability_per_quarter": "uniform:0:0.2"})
    on_dask = run_batch("baseline", out=tmp_path / "dask", scheduler=scheduler_address, **options)
    local = run_batch("baseline", out=tmp_path / "local", workers=2, **options)
    assert on_dask.engine.startswith("Dask cluster") and on_dask.done == 10 and not on_dask.failures
    pd.testing.assert_frame_equal(on_dask.load(), local.load())


def test_cli_scheduler_option_and_unreachable_scheduler(scheduler_address, tmp_path, capsys, monkeypatch):
    assert main(["batch", "--runs", "3", "--turns", "3", "--scheduler", scheduler_address,
                 "--out", str(tmp_path / "cli"), "--no-progress"]) == 0
    assert "3 of 3 runs done, 0 failed" in capsys.readouterr().out
    monkeypatch.setattr("techrace.batch.engines.CONNECT_TIMEOUT_S", 2.0)
    with socket.socket() as held:  # bound but not listening: refused, and no other test process can take it
        held.bind(("127.0.0.1", 0))
        dead = f"tcp://127.0.0.1:{held.getsockname()[1]}"
        code = main(["batch", "--runs", "1", "--turns", "1", "--scheduler", dead, "--out", str(tmp_path / "dead")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err
