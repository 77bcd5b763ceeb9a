"""How fast `techrace ruleset check` answers: a fresh process each time, as a modder runs it.

    python benchmarks/ruleset_check.py [--repeat 7] [NAME ...]

Prints, per ruleset, the wall time of a cold `python -m techrace ruleset check NAME` (median and best
of the repeats) and its CPU time (user + system of the child: less disturbed than the wall time when
other work shares the cores), the in-process time of `inspect_ruleset` once Python is warm, the load
average, and whether Mesa was imported (it must not be). The budget is 0.5 s for `check baseline`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold(name: str, repeat: int) -> tuple[list[float], list[float]]:
    """(wall times, CPU times) of `repeat` fresh `ruleset check` processes."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, start = _child_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-m", "techrace", "ruleset", "check", name], cwd=ROOT, check=True,
                       capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_child_cpu() - cpu)
    return walls, cpus


def instructions(name: str) -> int | None:
    """Instructions one cold `ruleset check` executes (valgrind's callgrind): exact, whatever else runs."""
    import re
    import shutil
    import tempfile

    if shutil.which("valgrind") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", sys.executable, "-m",
                               "techrace", "ruleset", "check", name], cwd=ROOT, capture_output=True, text=True, check=True)
    match = re.search(r"Collected : (\d+)", done.stderr)
    return int(match.group(1)) if match else None


def warm(name: str, repeat: int) -> float:
    from techrace.ruleset import inspect_ruleset

    inspect_ruleset(name)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        inspect_ruleset(name)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=["baseline", "foundry-rule-2025", "tests/modding_tutorial"])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--instructions", action="store_true", help="also count instructions with valgrind (slow, exact)")
    args = parser.parse_args()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    python_start = time.perf_counter() - start
    print(f"python start-up alone: {python_start * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}")
    for name in args.names:
        walls, cpus = cold(name, args.repeat)
        print(f"{name}: cold `ruleset check` wall {statistics.median(walls) * 1000:.0f} ms (best {min(walls) * 1000:.0f}), "
              f"CPU {statistics.median(cpus) * 1000:.0f} ms (best {min(cpus) * 1000:.0f}); "
              f"warm inspect_ruleset {warm(name, args.repeat) * 1000:.1f} ms (medians of {args.repeat})")
        if args.instructions:
            count = instructions(name)
            print(f"  {name}: {count / 1e9:.3f} G instructions" if count else "  (valgrind not found)")
    sys.path.insert(0, str(ROOT))
    print("mesa imported by the check:", "mesa" in sys.modules)


if __name__ == "__main__":
    main()
