"""The batch API for notebooks and the CLI: `run_batch(...)` plays, `load_results(dir)` reads.

```python
from techrace.batch import run_batch, load_results
result = run_batch("baseline", runs=200, turns=20, seed=1, sweep={"controls.oct2023_chips.tpp": [2400, 4800]})
df = result.load()          # == load_results(result.out): one row per (run, turn, nation)
result.summary()            # p5 / median / p95 per nation at the final turn
```
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.plan import (
    DESIGNS,
    BatchPlan,
    PlanError,
    Vary,
    design_points,
    grid_points,
    parse_distribution,
    parse_sweep,
    parse_vary,
)
from techrace.batch.rulesets import check_plan, frozen, load_alternatives, verified, write_alternatives
from techrace.batch.runs import write_runs_table
from techrace.batch.store import BatchDirError, BatchStore, compress_runs
from techrace.batch.worker import DEFAULT_PLAY, ChunkResult, ChunkTask
from techrace.safe_text import printable

if TYPE_CHECKING:
    import pandas as pd

    from techrace.ruleset import Ruleset

FORMAT = 1
DEFAULT_RUNS = 100


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: the finished runs are on disk and `--resume` continues."""

    def __init__(self, out: Path):
        super().__init__(str(out))
        self.out = out


@dataclass
class BatchResult:
    """Where a batch is, how many runs it finished and which failed."""

    out: Path
    total: int
    done: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    engine: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    def load(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        return load_results(self.out, columns)

    def runs(self) -> pd.DataFrame:
        """One row per finished run: seed, parameters, winner, victory kind and quarter, end scores."""
        return load_results(self.out, table="runs")

    def summary(self) -> pd.DataFrame:
        from techrace.batch.summary import final_rows, headlines, quantile_table

        store = BatchStore(self.out)
        outcomes = headlines(store)
        return quantile_table(final_rows(store, outcomes), outcomes)


def load_results(out: str | os.PathLike[str], columns: Sequence[str] | None = None, *,
                 table: str = "rows") -> pd.DataFrame:
    """A batch directory as one DataFrame: `table="rows"` (default) one row per (run, turn, nation), sorted;
    `table="runs"` one row per run (seed, parameters, winner, victory kind and quarter, each nation's end score).

    The part files are checked first: an unreadable, copied or clashing part, or runs the manifest calls done
    that no part holds, is a one-line error naming the file (`--resume` repairs the directory)."""
    import pandas as pd
    import pyarrow.parquet as pq

    from techrace.batch.runs import runs_frame

    if table not in ("rows", "runs"):
        raise BatchDirError(f"table must be 'rows' or 'runs', got {table!r}")
    store = BatchStore(out)
    manifest = store.read_manifest()
    parts = store.parts()
    missing = store.missing_runs(manifest)
    if missing:
        raise BatchDirError(f"{len(missing)} runs marked done in {store.dir} are in no part file (first: run "
                            f"{min(missing)}; a part deleted?); `techrace batch --resume --out {store.dir}` replays them")
    if not parts:
        raise BatchDirError(f"{store.dir} holds no finished runs yet")
    if table == "runs":
        frame = runs_frame(store, manifest)
        return frame[list(columns)] if columns else frame
    frame = pq.read_table(parts, columns=list(columns) if columns else None).to_pandas()
    if not isinstance(frame, pd.DataFrame):  # pragma: no cover - to_pandas always gives a frame
        raise TypeError(type(frame))
    keys = [k for k in ("run", "turn", "nation") if k in frame.columns]
    return frame.sort_values(keys, ignore_index=True) if keys else frame


def run_batch(
    ruleset: str | os.PathLike[str] | Ruleset | None = None,
    runs: int | None = None,
    turns: int | None = None,
    seed: int | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | os.PathLike[str] | None = None,
    sweep: Mapping[str, Sequence[Any]] | Sequence[str] | None = None,
    vary: Mapping[str, Vary | str] | Sequence[str] | None = None,
    points: Sequence[Mapping[str, Any]] | None = None,
    design: str | None = None,
    samples: int | None = None,
    resume: bool = False,
    progress: bool = True,
    chunk_size: int | None = None,
    command: str | None = None,
    play: str = DEFAULT_PLAY,
    analysis: Mapping[str, Any] | None = None,
    play_keys: Sequence[str] = (),
    play_context: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Play `runs` games per parameter point with computer players and stream the rows to `out`.

    `ruleset` is a name, a directory or a Ruleset (default: baseline); `turns` defaults to its length.

    `sweep` is a grid ({key path: values} or ["KEY=v1,v2"]); `vary` gives factors ({key path:
    "uniform:LO:HI" | "loguniform:LO:HI" | "choice:A,B"} or ["KEY=..."]) that `design` turns into values:
    "random" (default) draws them per run, "lhs" and "sobol" draw `samples` design points with SALib, each
    played `runs` times on the same seeds. `points` gives explicit parameter rows. With `resume=True`, `out`
    must hold an interrupted batch; the plan comes from its manifest. `analysis` is recorded in the manifest
    (sensitivity stores its whole problem there).

    `play` ("module:function") plays one run: `play(ruleset, seed, turns, **play_context, **chosen)`, where
    `chosen` holds the run's point values of `play_keys` (e.g. which strategy a tournament arm plays); those
    keys are not ruleset values. `play_context` must be picklable and is not stored: pass it again on resume.
    """
    from techrace.batch.engines import check_engine_options, make_engine

    check_engine_options(workers, scheduler, chunk_size)  # before DIR is made: a typo must leave nothing to --resume
    if resume:
        store, manifest, plan, ruleset_json, notes = _reopen(out, ruleset, runs, turns, seed, sweep, vary, points,
                                                             design, samples)
        if play_keys and tuple(play_keys) != plan.play_keys:
            store.lock.release()
            raise BatchDirError("the play keys differ from the batch being resumed; use a new --out")
    else:
        store, manifest, plan, ruleset_json = _create(ruleset, runs, turns, seed, sweep, vary, points, design, samples,
                                                      out, command, analysis, tuple(play_keys))
        notes = []
    try:
        engine = make_engine(workers, scheduler)
    except BaseException:
        store.lock.release()
        raise
    notes += engine.notes
    try:
        for note in notes:
            print(f"batch: {printable(note)}", file=sys.stderr, flush=True)
        done, failures = _play(store, manifest, plan, ruleset_json, engine, progress, chunk_size, play,
                               dict(play_context or {}))
    except KeyboardInterrupt:
        engine.close(cancel=True)
        _write_runs_quietly(store, manifest)
        store.lock.release()
        raise BatchInterrupted(store.dir) from None
    except OSError as exc:  # a full disk, a directory made read-only: what was written is whole and kept
        engine.close(cancel=True)
        store.lock.release()
        where = f" {exc.filename}" if exc.filename else ""
        raise BatchDirError(f"cannot write{where} ({exc.strerror or exc}); the runs written so far are kept: "
                            f"fix it, then techrace batch --resume --out {store.dir}") from None
    except BaseException:
        engine.close(cancel=True)
        store.lock.release()
        raise
    engine.close()
    store.lock.release()
    return BatchResult(store.dir, plan.total, len(done), [failures[r] for r in sorted(failures)], engine.describe(),
                       notes)


def _reopen(out: str | os.PathLike[str] | None, ruleset: object, runs: int | None, turns: int | None,
            seed: int | None, sweep: Any, vary: Any, points: Any, design: str | None, samples: int | None,
            ) -> tuple[BatchStore, dict[str, Any], BatchPlan, tuple[dict[str, Any], Any], list[str]]:
    """An interrupted batch, locked, checked (plan, ruleset, part files) and repaired, ready to continue."""
    if out is None:
        raise BatchDirError("--resume needs --out DIR, the batch to continue")
    store = BatchStore(out)
    manifest = store.open_existing()  # takes the lock: a second writer is refused here
    try:
        plan = BatchPlan.from_json(manifest["plan"])
        _check_same_model(manifest)
        _check_same(plan, manifest, ruleset, runs, turns, seed, sweep, vary, points)
        if (design is not None and design != plan.design.get("kind")) or (
                samples is not None and samples != plan.design.get("samples")):
            raise BatchDirError("--design/--samples differ from the batch being resumed; drop them or use a new --out")
        ruleset_json = verified(store, manifest)  # (base json, {name: (hash, json)})
        notes = store.repair()
    except BaseException:
        store.lock.release()
        raise
    return store, manifest, plan, ruleset_json, notes


def _create(ruleset: str | os.PathLike[str] | Ruleset | None, runs: int | None, turns: int | None, seed: int | None,
            sweep: Any, vary: Any, points: Any, design: str | None, samples: int | None,
            out: str | os.PathLike[str] | None, command: str | None, analysis: Mapping[str, Any] | None,
            play_keys: tuple[str, ...] = (),
            ) -> tuple[BatchStore, dict[str, Any], BatchPlan, tuple[dict[str, Any], Any]]:
    """A new batch directory, locked, with its manifest and ruleset, after every option was checked."""
    from techrace import __version__
    from techrace.model_id import model_fingerprint
    from techrace.ruleset import ruleset_hash

    base = _load("baseline" if ruleset is None else ruleset)
    plan = replace(_new_plan(base, runs, turns, seed, sweep, vary, points, design, samples), play_keys=play_keys)
    alternatives = load_alternatives(plan)
    if turns is None and alternatives:  # every ruleset must be playable to the end of the batch
        plan = replace(plan, turns=min(r.turns for r in [base, *alternatives.values()]))
    check_plan(base, alternatives, plan)
    entry, payload = frozen(alternatives)
    store = BatchStore(out if out is not None else _default_out(base.name, plan))
    manifest = {
        "format": FORMAT, "command": command or _api_command(base.name, plan), "techrace_version": __version__,
        "model": model_fingerprint(),
        "ruleset": base.name, "ruleset_hash": ruleset_hash(base), "plan": plan.to_json(),
        "total_runs": plan.total, "param_columns": plan.param_columns, "done": [], "done_count": 0,
        "failed": [], "complete": False, **({"alternatives": entry} if entry else {}),
        **({"analysis": dict(analysis)} if analysis else {}),
    }
    store.create(manifest, base.model_dump(mode="json", by_alias=True))  # takes the lock
    write_alternatives(store, payload, entry)
    return store, manifest, plan, (store.ruleset_json(), payload)


def _play(store: BatchStore, manifest: dict[str, Any], plan: BatchPlan, ruleset_json: tuple[dict[str, Any], Any], engine: Any,
          progress: bool, chunk_size: int | None, play: str, play_context: dict[str, Any],
          ) -> tuple[set[int], dict[int, dict[str, Any]]]:
    """Play every run not yet on disk; each finished chunk is a part file and a manifest update."""
    from techrace.batch.progress import Progress
    from techrace.batch.runner import run_chunks

    done = store.done_runs()
    failures: dict[int, dict[str, Any]] = {}
    store.write_failures([])  # earlier failures are played again on resume
    todo = (run for run in range(plan.total) if run not in done)
    if progress:
        points = f" ({plan.runs} per point x {len(plan.points)} points)" if len(plan.points) > 1 else ""
        resumed = f", {len(done)} already done" if done else ""
        print(printable(f"batch: {plan.total} runs{points} of {manifest['ruleset']}, {plan.turns} turns, "
                        f"seed {plan.seed}, on {engine.describe()}{resumed} -> {store.dir}"), file=sys.stderr, flush=True)
    bar = Progress(plan.total, already=len(done), enabled=progress)

    def on_result(result: ChunkResult) -> None:
        if result.table is not None:
            store.write_part(result.table, result.done, result.outcomes)
        done.update(result.done)
        if result.failures:
            failures.update({f.run: vars(f) for f in result.failures})
            store.write_failures(list(failures.values()))
        manifest.update(done=compress_runs(list(done)), done_count=len(done), failed=sorted(failures))
        store.write_manifest(manifest)
        bar.advance(len(result.done) + len(result.failures), len(result.failures))

    base_json, alternatives = ruleset_json
    template = ChunkTask(base_json, manifest["ruleset_hash"], plan.turns, (), plan.param_types, play, alternatives,
                         plan.play_keys, play_context)
    try:
        run_chunks(plan.specs(todo), plan.total - len(done), template, engine, on_result, chunk_size)
    finally:
        bar.close()
    manifest.update(complete=len(done) == plan.total, engine=engine.describe())
    store.write_manifest(manifest)
    write_runs_table(store, manifest)
    return done, failures


def _write_runs_quietly(store: BatchStore, manifest: dict[str, Any]) -> None:
    """After Ctrl-C: the per-run table of what finished, unless the directory cannot give it."""
    try:
        write_runs_table(store, manifest)
    except (BatchDirError, OSError):
        pass


def _new_plan(base: Ruleset, runs: int | None, turns: int | None, seed: int | None,
              sweep: Mapping[str, Sequence[Any]] | Sequence[str] | None, vary: Mapping[str, Vary | str] | Sequence[str] | None,
              points: Sequence[Mapping[str, Any]] | None, design: str | None, samples: int | None) -> BatchPlan:
    """The plan of a new batch: a grid of sweeps, factors drawn per run or by a design, or explicit points."""
    factors = _vary(vary)
    kind = design or ("random" if factors else "grid")
    if kind not in DESIGNS:
        raise PlanError(f"--design must be one of {', '.join(DESIGNS)}, got {design!r}")
    if kind == "grid" and factors:
        raise PlanError("--design grid takes --sweep values; --vary factors need --design random, lhs or sobol")
    if kind == "random" and samples is not None:
        raise PlanError("--samples goes with --design lhs or sobol (with --design random, --runs draws per point)")
    batch_seed = 0 if seed is None else seed
    grid = _points(sweep, points)
    if both := sorted(set(factors) & {k for g in grid for k in g}):  # the drawn value replaced the swept one, unsaid
        raise PlanError(f"{both[0]} is both swept (--sweep) and varied (--vary); give it one of them")
    record: dict[str, Any] = {"kind": kind}
    if kind in ("lhs", "sobol"):
        if samples is None:
            raise PlanError(f"--design {kind} needs --samples N (design points)")
        drawn = design_points(factors, kind, samples, batch_seed)
        grid = tuple({**g, **d} for g in grid for d in drawn)
        record.update(samples=samples, factors={k: f.text() for k, f in factors.items()})
        factors = {}
    default_runs = 1 if kind in ("lhs", "sobol") else DEFAULT_RUNS
    return BatchPlan(default_runs if runs is None else runs, base.turns if turns is None else turns,
                     batch_seed, grid, factors, record)


def _load(ruleset: str | os.PathLike[str] | Ruleset) -> Ruleset:
    from techrace.ruleset import Ruleset, load_ruleset

    return ruleset if isinstance(ruleset, Ruleset) else load_ruleset(str(ruleset))


def _points(sweep: Mapping[str, Sequence[Any]] | Sequence[str] | None,
            points: Sequence[Mapping[str, Any]] | None) -> tuple[dict[str, Any], ...]:
    if sweep and points:
        raise PlanError("give either a sweep or explicit points, not both")
    if points:
        return tuple(dict(p) for p in points)
    if not sweep:
        return ({},)
    grid = parse_sweep(sweep) if _is_text_list(sweep) else {k: list(v) for k, v in sweep.items()}  # type: ignore[union-attr]
    return grid_points(grid)


def _vary(vary: Mapping[str, Vary | str] | Sequence[str] | None) -> dict[str, Vary]:
    if not vary:
        return {}
    if _is_text_list(vary):
        return parse_vary(vary)  # type: ignore[arg-type]
    return {k: v if isinstance(v, Vary) else parse_distribution(k, v) for k, v in vary.items()}  # type: ignore[union-attr]


def _is_text_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and all(isinstance(v, str) for v in value)


def _check_same(plan: BatchPlan, manifest: Mapping[str, Any], ruleset: object, runs: int | None,
                turns: int | None, seed: int | None, sweep: object, vary: object, points: object) -> None:
    given = {"--runs": (runs, plan.runs), "--turns": (turns, plan.turns), "--seed": (seed, plan.seed)}
    for option, (value, stored) in given.items():
        if value is not None and value != stored:
            raise BatchDirError(f"{option} {value} differs from the batch being resumed ({stored}); drop it or use a new --out")
    if (sweep and _points(sweep, None) != plan.points) or (points and tuple(map(dict, points)) != plan.points):  # type: ignore[arg-type]
        raise BatchDirError("the parameter points (sweep or samples) differ from the batch being resumed; use a new --out")
    if vary and {k: v.text() for k, v in _vary(vary).items()} != manifest["plan"]["vary"]:  # type: ignore[arg-type]
        raise BatchDirError("--vary differs from the batch being resumed; drop it or use a new --out")
    if ruleset is not None:
        from techrace.ruleset import ruleset_hash

        if ruleset_hash(_load(ruleset)) != manifest["ruleset_hash"]:  # type: ignore[arg-type]
            raise BatchDirError(f"ruleset {ruleset} differs from the batch being resumed ({manifest['ruleset']})")


def _check_same_model(manifest: Mapping[str, Any]) -> None:
    """Runs of two models are not one sample: a batch played by other code is refused, not continued."""
    from techrace.model_id import model_fingerprint

    stored, now = manifest.get("model"), model_fingerprint()
    if stored != now:
        played = (f"this batch was played by model {stored}" if stored
                  else "this batch does not say which model played it (it predates the record)")
        raise BatchDirError(f"{played}, and this techrace is model {now}: its runs and new ones would not be "
                            "comparable; use a new --out")


def _default_out(name: str, plan: BatchPlan) -> Path:
    return Path("batch-out") / f"{name}-n{plan.runs}-t{plan.turns}-s{plan.seed}"


def _api_command(name: str, plan: BatchPlan) -> str:
    return f"run_batch({name!r}, runs={plan.runs}, turns={plan.turns}, seed={plan.seed})"
