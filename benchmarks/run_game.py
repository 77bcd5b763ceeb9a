"""Seconds per 44-turn baseline game and agent-steps per second, against a bare Mesa model with the
same number of agents doing nothing (a ratio taken in one run, so machine speed cancels out).

    python benchmarks/run_game.py [--games 20] [--turns 44]
"""

from __future__ import annotations

import argparse
import statistics
import time

import mesa

from techrace.core import Game
from techrace.ruleset import load_ruleset


class IdleAgent(mesa.Agent):
    def step(self) -> None:
        pass


class BareModel(mesa.Model):
    """The same number of Mesa agents, each stepped once per quarter, doing nothing."""

    def __init__(self, agents: int, rng: int = 0):
        super().__init__(rng=rng)
        for _ in range(agents):
            IdleAgent(self)

    def step(self) -> None:
        self.agents.do("step")


def time_games(ruleset, games: int, turns: int, clock=time.perf_counter) -> list[float]:
    times = []
    for seed in range(games):
        start = clock()
        Game.from_ruleset(ruleset, seed=seed).run(turns)
        times.append(clock() - start)
    return times


def time_bare(agents: int, games: int, turns: int, clock=time.perf_counter) -> list[float]:
    times = []
    for seed in range(games):
        start = clock()
        model = BareModel(agents, rng=seed)
        for _ in range(turns):
            model.step()
        times.append(clock() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--games", type=int, default=20)
    parser.add_argument("--turns", type=int, default=44)
    args = parser.parse_args()
    ruleset = load_ruleset("baseline")
    sample = Game.from_ruleset(ruleset, seed=0)
    agents = len(sample.model.agents)
    time_games(ruleset, 2, args.turns)  # warm-up
    steps = agents * args.turns
    print(f"agents: {agents}, turns: {args.turns}, games: {args.games} (one core, in-process, after import)")
    for label, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
        med = statistics.median(time_games(ruleset, args.games, args.turns, clock))
        bare_med = statistics.median(time_bare(agents, args.games, args.turns, clock))
        print(f"[{label}] techrace: {med * 1000:.1f} ms per game (median), {steps / med:,.0f} agent-steps/s; "
              f"bare Mesa model (same agents doing nothing): {bare_med * 1000:.2f} ms per game, "
              f"{steps / bare_med:,.0f} agent-steps/s; ratio {med / bare_med:.0f}x")


if __name__ == "__main__":
    main()
