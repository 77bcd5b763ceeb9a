"""What a worker process does with a chunk of runs: play each game, catch its failure, return a table.

This is the only code that runs on workers (local processes or Dask), so it imports nothing from the
runner and takes plain, picklable data. A run that raises becomes a failure record and the chunk goes on.
A local worker stops between runs when the batch is interrupted, and exits when the batch process dies.
"""

from __future__ import annotations

import importlib
import math
import os
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import pyarrow as pa

from techrace.batch.plan import RunSpec

KEY_COLUMNS = ("run", "seed", "turn", "quarter", "nation")
_KEY_TYPES = {"run": pa.int64(), "seed": pa.int64(), "turn": pa.int64(), "quarter": pa.string(), "nation": pa.string()}
DEFAULT_PLAY = "techrace.batch.worker:play_game"
SCORE_PREFIX = "score_"
PARENT_POLL_S = 1.0
MAX_CACHED_RULESETS = 16

_RULESETS: dict[str, Any] = {}  # per-process cache: ruleset hash -> validated Ruleset
_STOP = threading.Event()  # set by Ctrl-C in a local worker: finish the current run, return the chunk


@dataclass(frozen=True)
class ChunkTask:
    """A chunk of runs of one batch, with everything a remote worker needs to play them."""

    ruleset_json: dict[str, Any]
    ruleset_hash: str
    turns: int
    runs: tuple[RunSpec, ...]
    param_types: dict[str, str]
    play: str = DEFAULT_PLAY
    alternatives: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # `ruleset` factor: name -> (hash, json)
    play_keys: tuple[str, ...] = ()  # run parameters passed to `play` as keyword arguments (not ruleset values)
    play_context: dict[str, Any] = field(default_factory=dict)  # keyword arguments `play` gets in every run


@dataclass
class PlayedGame:
    """One finished game: its metric rows and how it ended (winner, victory, each nation's end score)."""

    rows: list[dict[str, Any]]
    outcome: dict[str, Any]


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
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # one per done run
    stopped: bool = False  # interrupted: runs of the chunk that are in neither `done` nor `failures` were not played


def init_local_worker(parent_pid: int) -> None:
    """Local workers: Ctrl-C asks for a stop after the current run; the worker exits when the batch dies."""
    signal.signal(signal.SIGINT, lambda _signum, _frame: _STOP.set())
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="exit-with-parent", daemon=True).start()


def _exit_with_parent(pid: int) -> None:
    """Block until process `pid` ends, then end this worker (a killed batch leaves no workers behind)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): poll
        while _alive(pid):
            time.sleep(PARENT_POLL_S)
        os._exit(1)
    select.select([handle], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def play_game(ruleset: Any, seed: int, turns: int) -> PlayedGame:
    """One game with computer players: the metric rows of every turn and nation, and how it ended."""
    from techrace.core import Game

    game = Game.from_ruleset(ruleset, seed=seed)
    game.run(turns)
    return PlayedGame(list(game.metric_rows), outcome_record(game))


def outcome_record(game: Any) -> dict[str, Any]:
    """How a game ended: winner, victory kind, turn and quarter, turns played, each nation's end score."""
    outcome = game.outcome
    record: dict[str, Any] = {
        "winner": outcome.winner if outcome else None,
        "victory_kind": outcome.kind if outcome else None,
        "victory_turn": outcome.turn if outcome else None,
        "victory_quarter": outcome.quarter if outcome else None,
        "turns_played": game.turn,
    }
    record.update({f"{SCORE_PREFIX}{nation}": score for nation, score in game.scores().items()})
    return record


def play_chunk(task: ChunkTask) -> ChunkResult:
    """Play every run of the chunk; never raises for a failing run."""
    from techrace.errors import NonFiniteError
    from techrace.ruleset.overrides import apply_overrides

    played_runs: list[tuple[RunSpec, list[dict[str, Any]]]] = []  # each run with metric rows, and its rows
    done: list[int] = []
    failures: list[Failure] = []
    outcomes: list[dict[str, Any]] = []
    try:
        base = _ruleset(task.ruleset_hash, task.ruleset_json)
        play = _resolve(task.play)
    except Exception as exc:  # the batch's own ruleset or play function is broken: every run fails once
        error = _describe(exc)
        return ChunkResult(None, [], [Failure(s.run, s.seed, error, dict(s.params)) for s in task.runs])
    for spec in task.runs:
        if _STOP.is_set():
            return ChunkResult(chunk_table(played_runs, task.param_types), done, failures, outcomes, True)
        try:
            overrides = {k: v for k, v in spec.params.items() if k != "ruleset" and k not in task.play_keys}
            ruleset = apply_overrides(_chosen(task, spec, base), overrides)
            chosen = {k: spec.params[k] for k in task.play_keys if k in spec.params}
            played = play(ruleset, spec.seed, task.turns, **task.play_context, **chosen)
            bad = [k for k, v in played.outcome.items() if isinstance(v, float) and not math.isfinite(v)]
            if bad:
                raise NonFiniteError(f"{bad[0]} is {played.outcome[bad[0]]} at the end, not a finite number")
        except Exception as exc:  # any error of one game is that run's failure, not the batch's
            failures.append(Failure(spec.run, spec.seed, f"run {spec.run}: {_describe(exc)}", dict(spec.params)))
            continue
        if rows := list(played.rows):
            played_runs.append((spec, rows))
        outcomes.append({"run": spec.run, "seed": spec.seed, **spec.params, **played.outcome})
        done.append(spec.run)
    return ChunkResult(chunk_table(played_runs, task.param_types), done, failures, outcomes)


def to_table(rows: list[dict[str, Any]], param_types: dict[str, str]) -> pa.Table:
    """A table with a fixed schema (keys, float metrics, typed parameters) so part files always agree. The columns
    are gathered in C (a row's values by `itemgetter`, transposed by `zip`) unless a row lacks a column (None there)."""
    fields = _fields(rows[0], param_types)
    names = [f.name for f in fields]
    try:
        columns = [list(values) for values in zip(*map(itemgetter(*names), rows), strict=True)]
    except KeyError:
        columns = [[row.get(name) for row in rows] for name in names]
    return _table(columns, fields, param_types)


def chunk_table(played: list[tuple[RunSpec, list[dict[str, Any]]]], param_types: dict[str, str]) -> pa.Table | None:
    """`to_table` of the runs' rows each merged as `{"run": run, **row, "seed": seed, **params}` (None: no rows),
    without merging a dict per row: a run's own columns are gathered from its rows, its seed and parameters repeated."""
    if not played:
        return None
    fields = _fields(_merged(*played[0], 0), param_types)
    names = [f.name for f in fields]
    columns: list[list[Any]] = [[] for _ in names]
    for spec, rows in played:
        fixed = {"seed": spec.seed, **spec.params}
        own = [name for name in names if name not in fixed and name != "run"]
        try:
            if len(own) < 2 or any("run" in row for row in rows):  # a row's own run wins over the spec's: merged below
                raise KeyError("run")
            gathered = dict(zip(own, zip(*map(itemgetter(*own), rows), strict=True), strict=True))
        except KeyError:  # a row lacks a column (None there) or has its own run
            merged = [_merged(spec, rows, i) for i in range(len(rows))]
            for name, column in zip(names, columns, strict=True):
                column.extend([row.get(name) for row in merged])
            continue
        for name, column in zip(names, columns, strict=True):
            column.extend([fixed.get(name, spec.run)] * len(rows) if name in fixed or name == "run" else gathered[name])
    return _table(columns, fields, param_types)


def _merged(spec: RunSpec, rows: list[dict[str, Any]], i: int) -> dict[str, Any]:
    return {"run": spec.run, **rows[i], "seed": spec.seed, **spec.params}


def _fields(first: dict[str, Any], param_types: dict[str, str]) -> list[pa.Field]:
    """The schema's fields: the keys, the first row's other columns as float metrics, the typed parameters."""
    metrics = [c for c in first if c not in _KEY_TYPES and c not in param_types]
    fields = [pa.field(c, _KEY_TYPES[c]) for c in KEY_COLUMNS]
    fields += [pa.field(c, pa.float64()) for c in metrics]
    return fields + [pa.field(c, pa.float64() if t == "float" else pa.string()) for c, t in param_types.items()]


def _table(columns: list[list[Any]], fields: list[pa.Field], param_types: dict[str, str]) -> pa.Table:
    for i, field_ in enumerate(fields):
        if param_types.get(field_.name) == "string":
            columns[i] = [None if value is None else str(value) for value in columns[i]]
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _ruleset(digest: str, data: dict[str, Any]) -> Any:
    cached = _RULESETS.get(digest)
    if cached is None:
        from techrace.ruleset import Ruleset

        cached = Ruleset.model_validate(data)
        if len(_RULESETS) >= MAX_CACHED_RULESETS:
            _RULESETS.clear()
        _RULESETS[digest] = cached
    return cached


def _chosen(task: ChunkTask, spec: RunSpec, base: Any) -> Any:
    """The ruleset a run plays: the batch's, or the one its `ruleset` factor names."""
    name = spec.params.get("ruleset")
    if name is None or not task.alternatives:
        return base
    digest, data = task.alternatives[str(name)]
    return _ruleset(digest, data)


def _resolve(dotted: str) -> Callable[..., PlayedGame]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text[:500]}{where}"
