"""What would a game axis buy? One mechanism, for G games in one call, against one call per game (issue 15, item 1).

Issue 15 asks for ensembles: the state of G games stacked on a leading axis, so that each numpy call of a quarter
serves all G games. Its cost is a rewrite of the core; this script measures what it would buy on one mechanism,
the same one `compiled_kernels.py` measured for numba: the migration of engineers between national pools
(`techrace/core/markets/talent.py:migrate` and `_migration_rates`, 7 nations x 4 skills), written once more with a
leading game axis and the same operations in the same order. On the states of G baseline games (seeds 1..G) after
`--turns` quarters it reports:

- `talent.migrate` per game as the game plays it (its rates kept in the static cache by pay and visas), and with
  the rates worked out every call (what the ensemble does);
- the ensemble function per game for each G;
- that every game's pools, experience, flows and counters come out bit-identical to its own `talent.migrate`.

    python benchmarks/game_axis.py [--games 1 8 64 256] [--calls 2000] [--turns 8]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
from compiled_kernels import time_calls  # the numba study's timing: the same mechanism, measured the same way

from techrace.core import Game
from techrace.core.markets import talent
from techrace.core.markets.talent import SKILLS
from techrace.ruleset import load_ruleset

FIELDS = ("pool", "pool_exp", "emigrated", "immigrated", "researcher_inflow")


@dataclass
class Ensemble:
    """The arrays `migrate` reads and writes, for G games on a leading axis."""

    pay: np.ndarray        # (G, nation)
    visa: np.ndarray       # (G, nation)
    pool: np.ndarray       # (G, nation, skill)
    pool_exp: np.ndarray   # (G, nation, skill)
    emigrated: np.ndarray  # (G, nation)
    immigrated: np.ndarray
    researcher_inflow: np.ndarray | None = None


def migrate_ensemble(e: Ensemble, migration_rate: float, out_cap: float) -> np.ndarray:
    """`talent.migrate` with its rates, for every game at once: axes shifted by one, operations in the same order."""
    n = e.pay.shape[1]
    pay_ratio = e.pay[:, None, :] / np.maximum(e.pay[:, :, None], 1e-9)           # [game, from, to]
    rate = migration_rate * np.maximum(pay_ratio - 1.0, 0.0) * e.visa[:, None, :]
    rate[:, np.arange(n), np.arange(n)] = 0.0
    out_share = rate.sum(axis=2)
    rate = np.where(out_share[:, :, None] > out_cap, rate * out_cap / np.maximum(out_share[:, :, None], 1e-12), rate)
    flows = rate[:, :, :, None] * e.pool[:, :, None, :]                            # [game, from, to, skill]
    outgoing = np.add.reduce(flows, axis=2)
    incoming = np.add.reduce(flows, axis=1)
    exp_in = np.add.reduce(flows * e.pool_exp[:, :, None, :], axis=1)
    stay = e.pool - outgoing
    new_pool = stay + incoming
    e.pool_exp = np.where(new_pool > 0, (stay * e.pool_exp + exp_in) / np.maximum(new_pool, 1e-12), 0.0)
    e.pool = new_pool
    e.emigrated += np.add.reduce(outgoing, axis=2)
    e.immigrated += np.add.reduce(incoming, axis=2)
    e.researcher_inflow = flows[:, :, :, SKILLS.index("ai_research")]
    return flows


def games_at(count: int, turns: int) -> list[Game]:
    ruleset = load_ruleset("baseline")
    games = []
    for seed in range(1, count + 1):
        game = Game.from_ruleset(ruleset, seed=seed)
        game.run(turns)
        games.append(game)
    return games


def stacked(games: list[Game]) -> Ensemble:
    return Ensemble(*(np.stack([getattr(g.model.state, name) for g in games])
                      for name in ("pay", "visa", "pool", "pool_exp", "emigrated", "immigrated")))


def single_call(game: Game, cached: bool):
    static, s = game.model.static, game.model.state
    start = {name: getattr(s, name).copy() for name in FIELDS[:4]}

    def call() -> None:
        for name, value in start.items():
            setattr(s, name, value.copy())
        if not cached:
            static.cache.pop(("migration_rates", s.pay.tobytes(), s.visa.tobytes(), static.ruleset.talent.migration_rate,
                              static.ruleset.talent.migration_out_cap), None)
        talent.migrate(static, s)
    return call


def ensemble_call(games: list[Game]):
    rules = games[0].model.static.ruleset.talent
    start = stacked(games)

    def call() -> None:
        e = Ensemble(start.pay, start.visa, start.pool.copy(), start.pool_exp.copy(), start.emigrated.copy(),
                     start.immigrated.copy())
        migrate_ensemble(e, rules.migration_rate, rules.migration_out_cap)
    return call


def identical(games: list[Game]) -> bool:
    """Each game's own `talent.migrate` against its row of the ensemble, bit for bit (on copies of the states)."""
    rules = games[0].model.static.ruleset.talent
    e = stacked(games)
    flows = migrate_ensemble(e, rules.migration_rate, rules.migration_out_cap)
    same = True
    for g, game in enumerate(games):
        s = game.model.state
        saved = {name: getattr(s, name).copy() for name in FIELDS}
        own = talent.migrate(game.model.static, s)
        same &= np.array_equal(own, flows[g]) and all(np.array_equal(getattr(s, name), getattr(e, name)[g]) for name in FIELDS)
        for name, value in saved.items():
            setattr(s, name, value)
    return bool(same)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, nargs="+", default=[1, 8, 64, 256])
    parser.add_argument("--calls", type=int, default=2000, help="calls per timing (divided by G for the ensemble)")
    parser.add_argument("--turns", type=int, default=8, help="quarters played before measuring (8: 2027Q1)")
    args = parser.parse_args()
    games = games_at(max(args.games), args.turns)
    first = games[0]
    cached = time_calls(single_call(first, True), args.calls)
    fresh = time_calls(single_call(first, False), args.calls)
    print(f"talent.migrate, baseline after {args.turns} quarters ({first.model.state.pool.shape[0]} nations x "
          f"{first.model.state.pool.shape[1]} skills), seeds 1..G")
    print(f"one game per call: {cached * 1e6:.1f} us with its rates kept (as played), {fresh * 1e6:.1f} us working them out")
    for count in args.games:
        ensemble = time_calls(ensemble_call(games[:count]), max(args.calls // count, 20)) / count
        print(f"G = {count:4d}: {ensemble * 1e6:7.2f} us per game, {cached / ensemble:6.1f}x the game as played, "
              f"{fresh / ensemble:6.1f}x with rates; bit-identical per game: {identical(games[:count])}")


if __name__ == "__main__":
    main()
