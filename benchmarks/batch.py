"""Batch throughput and memory (a measurement script, not a test).

    python benchmarks/batch.py                 # throughput: serial, 1 and 2 workers, Dask, mesa.batch_run
    python benchmarks/batch.py --memory        # also peak memory at 1,000 and 10,000 runs
    python benchmarks/batch.py --skip-throughput --ctrl-c   # seconds from Ctrl-C to exit, runs kept

Throughput figures are runs per second measured in one invocation, so ratios compare like with like:
parallel efficiency = rate(2 workers) / (2 x rate(1 worker)); the Dask figures use a LocalCluster of
two single-threaded worker processes (dashboard on a random loopback port, never :8787); `mesa.batch_run`
plays the same WorldModel, seeds and turns in both of its modes (1 process: in-process loop; 2 processes: a
multiprocessing Pool) and collects every step, compared with techrace batch at 1 and 2 workers. Memory runs each batch size in a fresh process and samples the
resident set of the batch process and of each worker process from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SEED = 2024


def _batch_rate(runs: int, turns: int, **options: object) -> float:
    from techrace.batch import run_batch

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = run_batch("baseline", runs, turns, SEED, out=Path(tmp) / "b", progress=False, **options)
        elapsed = time.perf_counter() - start
    assert result.done == runs and not result.failures, result.failures[:1]
    return runs / elapsed


def _serial_rate(runs: int, turns: int) -> float:
    from techrace.batch.plan import run_seed
    from techrace.core import Game
    from techrace.ruleset import load_ruleset

    ruleset = load_ruleset("baseline")
    start = time.perf_counter()
    for i in range(runs):
        game = Game.from_ruleset(ruleset, seed=run_seed(SEED, i))
        game.run(turns)
    return runs / (time.perf_counter() - start)


def _two_processes_rate(runs: int, turns: int) -> float:
    """The machine's own ceiling: two processes playing games side by side with no batch machinery."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    barrier = context.Barrier(3)
    times = context.Queue()
    procs = [context.Process(target=_serial_worker, args=(runs // 2, turns, barrier, times)) for _ in range(2)]
    for proc in procs:
        proc.start()
    barrier.wait()
    start = time.perf_counter()
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - start
    return 2 * (runs // 2) / elapsed


def _serial_worker(runs: int, turns: int, barrier: object, times: object) -> None:
    from techrace.core import Game
    from techrace.ruleset import load_ruleset

    ruleset = load_ruleset("baseline")
    Game.from_ruleset(ruleset, seed=0).run(1)  # imports and caches warmed before the clock starts
    barrier.wait()  # type: ignore[attr-defined]
    for i in range(runs):
        Game.from_ruleset(ruleset, seed=i).run(turns)


def _mesa_rate(runs: int, turns: int, processes: int) -> float:
    import mesa

    from techrace.batch.plan import run_seed
    from techrace.core.model import WorldModel
    from techrace.ruleset import load_ruleset

    seeds = [run_seed(SEED, i) for i in range(runs)]
    start = time.perf_counter()
    results = mesa.batch_run(WorldModel, parameters={"ruleset": [load_ruleset("baseline")], "collect": True},
                             rng=seeds, max_steps=turns, number_processes=processes, data_collection_period=1,
                             display_progress=False)
    elapsed = time.perf_counter() - start
    assert len({r["rng"] for r in results}) == runs
    return runs / elapsed


def throughput(runs: int, turns: int, short_runs: int, short_turns: int, repeats: int) -> dict[str, float]:
    """Every rate measured `repeats` times, interleaved; the best of each is kept (least disturbed by
    other load on the machine). Dask runs last, so that mesa's fork-based Pool never forks Dask threads."""
    from distributed import LocalCluster

    best: dict[str, float] = {}

    def keep(name: str, value: float) -> None:
        best[name] = max(best.get(name, 0.0), value)

    _batch_rate(4, 2, workers=2)  # start the forkserver (it preloads the core once per process)
    for _ in range(repeats):
        keep("serial", _serial_rate(runs, turns))
        keep("two_processes", _two_processes_rate(runs, turns))
        keep("local_1", _batch_rate(runs, turns, workers=1))
        keep("local_2", _batch_rate(runs, turns, workers=2))
        keep("mesa_batch_run_2", _mesa_rate(runs, turns, 2))  # before any Dask thread exists: Pool forks
        keep("mesa_batch_run_1", _mesa_rate(runs, turns, 1))
        keep("short_serial", _serial_rate(short_runs // 4, short_turns))
        keep("short_two_processes", _two_processes_rate(short_runs // 2, short_turns))
        keep("short_local_2_chunked", _batch_rate(short_runs, short_turns, workers=2))
        keep("short_local_2_unchunked", _batch_rate(short_runs, short_turns, workers=2, chunk_size=1))
    # dashboard_address=None still binds the scheduler's HTTP routes to :8787; a random loopback port never
    # collides with another session's Dask
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster:
        address = cluster.scheduler_address
        _batch_rate(4, 2, scheduler=address)  # the Dask workers import the core
        for _ in range(repeats):
            keep("dask_2_chunked", _batch_rate(runs, turns, scheduler=address))
            keep("short_dask_2_chunked", _batch_rate(short_runs, short_turns, scheduler=address))
            keep("short_dask_2_unchunked", _batch_rate(short_runs, short_turns, scheduler=address, chunk_size=1))
    return best


# ------------------------------------------------------------------------------------------ Ctrl-C
def ctrl_c_latency(runs: int = 2000, turns: int = 44, after_parts: int = 1) -> dict[str, float]:
    """Seconds from Ctrl-C (SIGINT to the batch's process group, as a terminal sends it) to the batch's exit,
    and the runs kept, for a batch with the default chunking (50-run chunks at this size)."""
    import signal

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "c"
        proc = subprocess.Popen([sys.executable, "-m", "techrace", "batch", "--runs", str(runs), "--turns", str(turns),
                                 "--workers", "2", "--out", str(out), "--no-progress"], cwd=REPO,
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while len(list(out.glob("part-*.parquet"))) < after_parts and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(1.0)  # the workers are inside their next chunks
        start = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=300)
        elapsed = time.perf_counter() - start
        import pandas as pd

        kept = pd.read_parquet(out)["run"].nunique()
    return {"exit_s": elapsed, "runs_kept": kept, "returncode": proc.returncode}


# ------------------------------------------------------------------------------------------ memory
def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def memory_child(runs: int, turns: int) -> None:
    """Run one batch and print the peak RSS of this process and of the largest worker (JSON)."""
    from techrace.batch import run_batch
    from techrace.batch.store import BatchStore
    from techrace.batch.summary import final_rows, headlines, quantile_table

    peak = {"main_kb": 0, "worker_kb": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["main_kb"] = max(peak["main_kb"], _rss_kb(os.getpid()))
            workers = [_rss_kb(p) for p in _descendants(os.getpid())]
            peak["worker_kb"] = max([peak["worker_kb"], *workers])
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_batch("baseline", runs, turns, SEED, workers=2, out=Path(tmp) / "m", progress=False)
        peak["run_main_kb"] = max(peak["main_kb"], _rss_kb(os.getpid()))
        store = BatchStore(result.out)
        outcomes = headlines(store)
        quantile_table(final_rows(store, outcomes), outcomes)  # the end-of-batch summary, as the CLI does
        parts = len(store.parts())
    stop.set()
    sampler.join()
    print(json.dumps({"runs": runs, "turns": turns, "seconds": time.perf_counter() - start, "parts": parts,
                      "done": result.done, **peak}))


def memory(sizes: list[int], turns: int) -> list[dict[str, float]]:
    rows = []
    for runs in sizes:
        proc = subprocess.run([sys.executable, __file__, "--memory-child", str(runs), "--memory-turns", str(turns)],
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  memory {runs} runs: {rows[-1]}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per throughput measurement")
    parser.add_argument("--turns", type=int, default=44, help="turns per run (a full game is 44)")
    parser.add_argument("--repeats", type=int, default=3, help="measure each rate this many times, keep the best")
    parser.add_argument("--short-runs", type=int, default=1000)
    parser.add_argument("--short-turns", type=int, default=1)
    parser.add_argument("--memory", action="store_true", help="also measure peak memory at --memory-sizes")
    parser.add_argument("--memory-sizes", default="1000,10000")
    parser.add_argument("--memory-turns", type=int, default=4)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--ctrl-c", action="store_true", help="also time Ctrl-C on a 2,000-run batch")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.memory_turns)
        return
    if not args.skip_throughput:
        r = throughput(args.runs, args.turns, args.short_runs, args.short_turns, args.repeats)
        print(json.dumps(r, indent=1))
        print(f"{args.runs} runs x {args.turns} turns:")
        print(f"  serial in-process    {r['serial']:.2f} runs/s")
        print(f"  local, 1 worker      {r['local_1']:.2f} runs/s ({r['local_1'] / r['serial']:.0%} of serial)")
        print(f"  2 bare processes     {r['two_processes']:.2f} runs/s: the machine's ceiling, "
              f"{r['two_processes'] / (2 * r['serial']):.0%} of 2x serial")
        print(f"  local, 2 workers     {r['local_2']:.2f} runs/s, parallel efficiency "
              f"{r['local_2'] / (2 * r['local_1']):.0%} (vs 2x serial: {r['local_2'] / (2 * r['serial']):.0%}, "
              f"vs 2 bare processes: {r['local_2'] / r['two_processes']:.0%})")
        print(f"  Dask, 2 workers      {r['dask_2_chunked']:.2f} runs/s, efficiency {r['dask_2_chunked'] / (2 * r['local_1']):.0%}")
        print(f"  mesa.batch_run, 1    {r['mesa_batch_run_1']:.2f} runs/s; techrace batch 1 worker / it = "
              f"{r['local_1'] / r['mesa_batch_run_1']:.2f}")
        print(f"  mesa.batch_run, 2    {r['mesa_batch_run_2']:.2f} runs/s; techrace batch 2 workers / it = "
              f"{r['local_2'] / r['mesa_batch_run_2']:.2f}")
        print(f"{args.short_runs} runs x {args.short_turns} turn (short games, serial {r['short_serial']:.1f} runs/s, "
              f"2 bare processes {r['short_two_processes']:.1f} runs/s):")
        for engine in ("local", "dask"):
            chunked, unchunked = r[f"short_{engine}_2_chunked"], r[f"short_{engine}_2_unchunked"]
            print(f"  {engine:5} 2 workers  chunked {chunked:.1f} runs/s ({chunked / (2 * r['short_serial']):.0%} of 2x serial), "
                  f"unchunked {unchunked:.1f} runs/s ({unchunked / (2 * r['short_serial']):.0%})")
    if args.ctrl_c:
        result = ctrl_c_latency()
        print(f"Ctrl-C: exit {result['returncode']} after {result['exit_s']:.2f} s, {result['runs_kept']} runs kept")
    if args.memory:
        rows = memory([int(s) for s in args.memory_sizes.split(",")], args.memory_turns)
        first, last = rows[0], rows[-1]
        print(f"peak RSS, batch process: {first['main_kb'] / 1024:.0f} MB at {first['runs']} runs, "
              f"{last['main_kb'] / 1024:.0f} MB at {last['runs']} runs (ratio {last['main_kb'] / first['main_kb']:.2f}); "
              f"largest worker {first['worker_kb'] / 1024:.0f} MB vs {last['worker_kb'] / 1024:.0f} MB; while playing "
              f"(before the final summary) {first['run_main_kb'] / 1024:.0f} MB vs {last['run_main_kb'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
