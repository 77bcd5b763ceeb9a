"""The marginal cost of a game in a batch beyond playing its turns: building the game and the worker's
per-run work (rows to a table), this tree against a git revision (its model.py and worker.py run in this process).

    python benchmarks/build_cost.py --rev main --repeats 7

Times are process_time, best of `--repeats`, in one process; the tables of both revisions are checked equal.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from techrace.batch import worker  # noqa: E402
from techrace.batch.plan import RunSpec  # noqa: E402
from techrace.core import Game  # noqa: E402
from techrace.ruleset import load_ruleset  # noqa: E402


def module_at(rev: str, path: str, name: str) -> types.ModuleType:
    """`path` as it is at `rev`, loaded as module `name` (its imports are this tree's)."""
    source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    module = types.ModuleType(name)
    module.__file__ = f"<{rev}:{path}>"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - a revision of this repository
    return module


def best(repeats: int, fn: Callable[[], Any], inner: int = 1) -> float:
    """Fastest of `repeats` rounds of `inner` calls, ms per call."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(inner):
            fn()
        times.append((time.process_time() - start) / inner)
    return min(times) * 1e3


def chunk_rows(runs: int, turns: int, params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """Real metric rows of `runs` games, merged as play_chunk merges them, and each game's own rows."""
    ruleset, merged, played = load_ruleset("baseline"), [], []
    for run in range(runs):
        rows = list(Game.from_ruleset(ruleset, seed=run).run(turns).metric_rows)
        played.append(rows)
        merged += [{"run": run, **row, "seed": run, **params} for row in rows]
    return merged, played


_CANNED: list[list[dict[str, Any]]] = []


def canned(ruleset: Any, seed: int, turns: int, **_params: Any) -> worker.PlayedGame:
    """A `play` function that returns rows played beforehand: play_chunk's own work alone."""
    return worker.PlayedGame(_CANNED[seed % len(_CANNED)], {"winner": None, "turns_played": turns})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="main")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    old_model = module_at(args.rev, "techrace/core/model.py", "old_model")
    old_worker = module_at(args.rev, "techrace/batch/worker.py", "old_worker")
    ruleset = load_ruleset("baseline")

    def new_game() -> Game:
        return Game.from_ruleset(ruleset, seed=3)

    def old_game() -> Game:
        return Game(old_model.WorldModel(ruleset, rng=3), 3)

    new_game(), old_game()
    print(f"Game.from_ruleset (loaded ruleset): {args.rev} {best(args.repeats, old_game, 20):.2f} ms, "
          f"this tree {best(args.repeats, new_game, 20):.2f} ms")
    params, types_ = {"x": 0.25, "label": 7}, {"x": "float", "label": "string"}
    merged, played = chunk_rows(args.runs, 44, params)
    for rows, kinds, what in ((merged, types_, "float and string parameters"),
                              ([{k: v for k, v in r.items() if k not in params} for r in merged], {}, "no parameters")):
        old, new = old_worker.to_table(rows, kinds), worker.to_table(rows, kinds)
        assert new.equals(old) and new.schema.equals(old.schema), what
        print(f"to_table, {args.runs} runs ({len(rows)} rows, {what}): {args.rev} "
              f"{best(args.repeats, lambda r=rows, k=kinds: old_worker.to_table(r, k)):.2f} ms, "
              f"this tree {best(args.repeats, lambda r=rows, k=kinds: worker.to_table(r, k)):.2f} ms")
    _CANNED[:] = played
    task = worker.ChunkTask(ruleset.model_dump(mode="json", by_alias=True), "h", 44,
                            tuple(RunSpec(run, run, dict(params)) for run in range(args.runs)), types_, play="__main__:canned",
                            play_keys=tuple(params))
    old_task = old_worker.ChunkTask(**{**task.__dict__, "runs": task.runs})
    assert worker.play_chunk(task).table.equals(old_worker.play_chunk(old_task).table)
    print(f"play_chunk of {args.runs} canned runs (no playing): {args.rev} "
          f"{best(args.repeats, lambda: old_worker.play_chunk(old_task)):.2f} ms, "
          f"this tree {best(args.repeats, lambda: worker.play_chunk(task)):.2f} ms")


if __name__ == "__main__":
    main()
