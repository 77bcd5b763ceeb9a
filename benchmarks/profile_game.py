"""Where a 44-turn baseline game spends its time: cProfile over a few games, the functions with the most
time of their own and the phases of a turn with the most time in all (shares of one run, so the
machine's speed and load cancel out).

    python benchmarks/profile_game.py [--games 3] [--turns 44] [--ruleset baseline] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from techrace.core import Game
from techrace.ruleset import load_ruleset

PHASES = ("decide", "_nations", "_regulators", "player_orders", "policy_groups", "compute_licences", "_markets",
          "_talent", "tools_market", "_fabs", "_chips", "wafer_market", "chip_market", "_labs", "nation_metrics",
          "metric_rows", "check", "foundry_default", "nation_default", "chip_firm_default", "lab_default",
          "toolmaker_default", "regulator_default")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--games", type=int, default=3)
    parser.add_argument("--turns", type=int, default=44)
    parser.add_argument("--ruleset", default="baseline")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    ruleset = load_ruleset(args.ruleset)
    Game.from_ruleset(ruleset, seed=0).run(2)  # warm-up
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    profiler.enable()
    for seed in range(args.games):
        Game.from_ruleset(ruleset, seed=seed).run(args.turns)
    profiler.disable()
    total = time.process_time() - start
    print(f"{args.games} games of {args.turns} turns: {total / args.games * 1000:.1f} ms CPU per game under the profiler")
    stats = pstats.Stats(profiler)
    rows = stats.stats  # type: ignore[attr-defined]
    whole = sum(tt for (_, _, tt, _, _) in rows.values())
    print("\nphases (cumulative time, share of the run):")
    for phase in PHASES:
        cum = sum(ct for (file, line, name), (_, _, _, ct, _) in rows.items() if name == phase and "techrace" in file)
        if cum:
            print(f"  {phase:<22} {cum / whole:6.1%}")
    print(f"\nfunctions with the most own time (top {args.top}):")
    ranked = sorted(rows.items(), key=lambda kv: -kv[1][2])[: args.top]
    for (file, line, name), (_, calls, tt, ct, _) in ranked:
        where = file.split("techrace/")[-1] if "techrace/" in file else file.rsplit("/", 1)[-1]
        print(f"  {tt / whole:6.1%} own {ct / whole:6.1%} cum {calls / args.games:8.0f} calls/game  {where}:{line} {name}")


if __name__ == "__main__":
    main()
