"""How fast `techrace ruleset check` answers: a fresh process each time, as a modder runs it.

    python benchmarks/ruleset_check.py [--repeat 7] [NAME ...]

Prints the median wall time of a cold `python -m techrace ruleset check NAME` per ruleset, the
in-process time of `inspect_ruleset` once Python is warm, and whether Mesa was imported (it must not be).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cold(name: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "techrace", "ruleset", "check", name], cwd=ROOT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    parser.add_argument("names", nargs="*", default=["baseline", "foundry-rule-2025"])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    python_start = time.perf_counter() - start
    print(f"python start-up alone: {python_start * 1000:.0f} ms")
    for name in args.names:
        print(f"{name}: cold `ruleset check` {cold(name, args.repeat) * 1000:.0f} ms, "
              f"warm inspect_ruleset {warm(name, args.repeat) * 1000:.1f} ms (median of {args.repeat})")
    sys.path.insert(0, str(ROOT))
    print("mesa imported by the check:", "mesa" in sys.modules)


if __name__ == "__main__":
    main()
