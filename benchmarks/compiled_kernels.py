"""Would compiled kernels (numba) make a game faster? One mechanism, measured both ways (issue 15, item 1).

The core spends most of a quarter on the interpreter and numpy's per-call overhead for arrays of 7-27
rows, not on arithmetic. A compiled kernel fuses a mechanism's dozen numpy calls into one call. This script
takes one mechanism, the migration of engineers between national pools (`techrace/core/markets/talent.py:
migrate`, 16 numpy calls), writes it as a numba kernel with the same equation and order of operations, and
measures on the state of a baseline game at 2027Q1:

- the numpy function and the kernel, per call (median of repeated timings, one process);
- that the kernel gives bit-identical pools, experience and flows;
- what numba costs before the first quarter: importing it, compiling the kernel in a fresh process, and
  loading it from numba's on-disk cache in a second fresh process.

numba is not a dependency of techrace; run this in an environment that has it:

    pip install numba && python benchmarks/compiled_kernels.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from techrace.core import Game
from techrace.core.markets import talent
from techrace.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[1]

KERNEL = '''
import numpy as np
from numba import njit


@njit(cache=CACHE)
def migrate_kernel(pay, visa, pool, pool_exp, migration_rate, out_cap):
    """talent.migrate in loops: rate[from, to] = migration_rate x max(pay_to / pay_from - 1, 0) x visa_to,
    capped per origin; the same operations in the same order as the numpy version."""
    n, k = pool.shape
    rate = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                ratio = pay[j] / max(pay[i], 1e-9)
                rate[i, j] = migration_rate * max(ratio - 1.0, 0.0) * visa[j]
    for i in range(n):
        out = 0.0
        for j in range(n):
            out += rate[i, j]
        if out > out_cap:
            for j in range(n):
                rate[i, j] = rate[i, j] * out_cap / max(out, 1e-12)
    outgoing = np.zeros((n, k))
    incoming = np.zeros((n, k))
    exp_in = np.zeros((n, k))
    flows_ai = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for g in range(k):
                f = rate[i, j] * pool[i, g]
                outgoing[i, g] += f
                incoming[j, g] += f
                exp_in[j, g] += f * pool_exp[i, g]
            flows_ai[i, j] = rate[i, j] * pool[i, k - 1]
    new_pool = np.empty((n, k))
    new_exp = np.empty((n, k))
    for i in range(n):
        for g in range(k):
            stay = pool[i, g] - outgoing[i, g]
            new_pool[i, g] = stay + incoming[i, g]
            if new_pool[i, g] > 0:
                new_exp[i, g] = (stay * pool_exp[i, g] + exp_in[i, g]) / max(new_pool[i, g], 1e-12)
            else:
                new_exp[i, g] = 0.0
    return new_pool, new_exp, outgoing, incoming, flows_ai
'''

COLD = """
import sys, time
t0 = time.perf_counter()
import numba  # noqa: F401
t1 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from kernel import migrate_kernel
import numpy as np
pool = np.ones((7, 4)); pay = np.linspace(0.5, 1.0, 7)
t2 = time.perf_counter()
migrate_kernel(pay, pay, pool, pool, 0.004, 0.05)
t3 = time.perf_counter()
print(t1 - t0, t3 - t2)
"""


def game_state(turns: int):
    game = Game.from_ruleset(load_ruleset("baseline"), seed=1)
    game.run(turns)
    return game.model.static, game.model.state


def time_calls(call, calls: int, repeats: int = 7) -> float:
    """Median over `repeats` of the mean seconds per call."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def numpy_call(static, s, pool, pool_exp):
    def call():
        s.pool, s.pool_exp = pool.copy(), pool_exp.copy()
        talent.migrate(static, s)
    return call


def cold_costs(folder: Path) -> tuple[float, float]:
    """(import numba, first call: compiling, or loading from the cache a previous call wrote) in a fresh
    process, seconds."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "cache")}
    out = subprocess.run([sys.executable, "-c", COLD, str(folder)], capture_output=True, text=True, check=True, env=env)
    numba_import, first = (float(x) for x in out.stdout.split())
    return numba_import, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--turns", type=int, default=8, help="quarters played before measuring (8: 2027Q1)")
    args = parser.parse_args()
    static, s = game_state(args.turns)
    pool, pool_exp = s.pool.copy(), s.pool_exp.copy()
    rules = static.ruleset.talent

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "kernel.py").write_text(KERNEL.replace("CACHE", "True"))
        compile_import, compile_first = cold_costs(folder)   # compiles and writes the cache
        cached_import, cached_first = cold_costs(folder)     # loads it
        sys.path.insert(0, str(folder))
        from kernel import migrate_kernel

        talent.migrate(static, s)  # the reference result
        expected = (s.pool.copy(), s.pool_exp.copy(), s.researcher_inflow.copy())
        got = migrate_kernel(s.pay, s.visa, pool, pool_exp, rules.migration_rate, rules.migration_out_cap)
        identical = all(np.array_equal(a, b) for a, b in zip(expected, (got[0], got[1], got[4]), strict=True))

        numpy_s = time_calls(numpy_call(static, s, pool, pool_exp), args.calls)
        kernel_s = time_calls(lambda: migrate_kernel(s.pay, s.visa, pool, pool_exp, rules.migration_rate,
                                                     rules.migration_out_cap), args.calls)
    print(f"talent.migrate on the baseline state after {args.turns} quarters ({pool.shape[0]} nations x {pool.shape[1]} skills)")
    print(f"numpy: {numpy_s * 1e6:.1f} us per call; numba kernel: {kernel_s * 1e6:.1f} us per call; ratio {numpy_s / kernel_s:.1f}x")
    print(f"bit-identical pools, experience and researcher flows: {identical}")
    print(f"fresh process, no cache: import numba {compile_import * 1e3:.0f} ms, first call (compiles) {compile_first * 1e3:.0f} ms")
    print(f"fresh process, cached: import numba {cached_import * 1e3:.0f} ms, first call (loads) {cached_first * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
