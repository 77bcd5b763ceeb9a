"""CPU per 44-turn baseline game of two versions of techrace played at the same time (two processes
started together, so the load of a shared machine falls on both alike): this tree against a git revision.

    python benchmarks/compare_builds.py --base-rev main [--rounds 3] [--games 10] [--turns 44]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAY = """
import json, sys, time
from techrace.core import Game
from techrace.ruleset import load_ruleset
rs = load_ruleset("baseline")
games, turns = int(sys.argv[1]), int(sys.argv[2])
Game.from_ruleset(rs, seed=0).run(turns)  # warm-up
times = []
for seed in range(games):
    start = time.process_time()
    Game.from_ruleset(rs, seed=seed % 5).run(turns)
    times.append(time.process_time() - start)
print(json.dumps(times))
"""


def export(rev: str, folder: Path) -> None:
    """The package and the shipped rulesets as they are at `rev`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "techrace", "rulesets"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-rev", default="main")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--turns", type=int, default=44)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        export(args.base_rev, base)
        trees = {"base": str(base), "this tree": str(ROOT)}  # run from `tmp`: neither tree is on the path by accident
        times: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            runs = {name: subprocess.Popen([sys.executable, "-c", PLAY, str(args.games), str(args.turns)], cwd=tmp,
                                           stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": path})
                    for name, path in trees.items()}
            for name, run in runs.items():
                times[name] += json.loads(run.communicate()[0])
    for name, t in times.items():
        print(f"{name:>9}: fastest {min(t) * 1000:.1f} ms, median {statistics.median(t) * 1000:.1f} ms CPU per game ({len(t)} games)")
    base, new = times["base"], times["this tree"]
    print(f"this tree / base ({args.base_rev}): fastest {min(new) / min(base):.3f}, "
          f"median {statistics.median(new) / statistics.median(base):.3f}")


if __name__ == "__main__":
    main()
