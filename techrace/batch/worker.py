"""What a worker process does with a chunk of runs: play each game, catch its failure, return a table.

This is the only code that runs on workers (local processes or Dask), so it imports nothing from the
runner and takes plain, picklable data. A run that raises becomes a failure record and the chunk goes on.
"""

from __future__ import annotations

import importlib
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from techrace.batch.plan import RunSpec

KEY_COLUMNS = ("run", "seed", "turn", "quarter", "nation")
_KEY_TYPES = {"run": pa.int64(), "seed": pa.int64(), "turn": pa.int64(), "quarter": pa.string(), "nation": pa.string()}
DEFAULT_PLAY = "techrace.batch.worker:play_game"

_RULESETS: dict[str, Any] = {}  # per-process cache: ruleset hash -> validated Ruleset


@dataclass(frozen=True)
class ChunkTask:
    """A chunk of runs of one batch, with everything a remote worker needs to play them."""

    ruleset_json: dict[str, Any]
    ruleset_hash: str
    turns: int
    runs: tuple[RunSpec, ...]
    param_types: dict[str, str]
    play: str = DEFAULT_PLAY


@dataclass
class Failure:
    """A run that raised: recorded in the batch directory, the batch goes on."""

    run: int
    seed: int
    error: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChunkResult:
    table: pa.Table | None
    done: list[int]
    failures: list[Failure]


def ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the batch process, which saves what finished and stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def play_game(ruleset: Any, seed: int, turns: int) -> list[dict[str, Any]]:
    """One game with computer players: the metric rows of every turn and nation."""
    from techrace.core import Game

    game = Game.from_ruleset(ruleset, seed=seed)
    game.run(turns)
    return list(game.metric_rows)


def play_chunk(task: ChunkTask) -> ChunkResult:
    """Play every run of the chunk; never raises for a failing run."""
    from techrace.ruleset.overrides import apply_overrides

    base = _ruleset(task)
    play = _resolve(task.play)
    rows: list[dict[str, Any]] = []
    done: list[int] = []
    failures: list[Failure] = []
    for spec in task.runs:
        try:
            ruleset = apply_overrides(base, spec.params)
            run_rows = play(ruleset, spec.seed, task.turns)
        except Exception as exc:  # any error of one game is that run's failure, not the batch's
            failures.append(Failure(spec.run, spec.seed, _describe(exc), dict(spec.params)))
            continue
        for row in run_rows:
            rows.append({"run": spec.run, **row, "seed": spec.seed, **spec.params})
        done.append(spec.run)
    return ChunkResult(to_table(rows, task.param_types) if rows else None, done, failures)


def to_table(rows: list[dict[str, Any]], param_types: dict[str, str]) -> pa.Table:
    """A table with a fixed schema (keys, float metrics, typed parameters) so part files always agree."""
    metrics = [c for c in rows[0] if c not in _KEY_TYPES and c not in param_types]
    fields = [pa.field(c, _KEY_TYPES[c]) for c in KEY_COLUMNS]
    fields += [pa.field(c, pa.float64()) for c in metrics]
    fields += [pa.field(c, pa.float64() if t == "float" else pa.string()) for c, t in param_types.items()]
    columns: dict[str, list[Any]] = {f.name: [] for f in fields}
    for row in rows:
        for name, values in columns.items():
            value = row.get(name)
            if name in param_types and param_types[name] == "string" and value is not None:
                value = str(value)
            values.append(value)
    return pa.table(columns, schema=pa.schema(fields))


def _ruleset(task: ChunkTask) -> Any:
    cached = _RULESETS.get(task.ruleset_hash)
    if cached is None:
        from techrace.ruleset import Ruleset

        cached = Ruleset.model_validate(task.ruleset_json)
        _RULESETS.clear()
        _RULESETS[task.ruleset_hash] = cached
    return cached


def _resolve(dotted: str) -> Callable[[Any, int, int], list[dict[str, Any]]]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
