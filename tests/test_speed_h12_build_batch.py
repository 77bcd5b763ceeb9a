"""Round 12 (a batch's per-run work): a chunk's table is built from each run's rows without merging a dict per
row, and `to_table` gathers columns in C; both must give the table the row-by-row code gave (same schema, values)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from techrace.batch import worker
from techrace.batch.plan import RunSpec
from techrace.core import Game
from techrace.ruleset import load_ruleset

PARAMS = {"x": "float", "label": "string"}


def reference_table(rows: list[dict[str, Any]], param_types: dict[str, str]) -> pa.Table:
    """`to_table` as it was: every value of every row appended in Python."""
    metrics = [c for c in rows[0] if c not in worker._KEY_TYPES and c not in param_types]
    fields = [pa.field(c, worker._KEY_TYPES[c]) for c in worker.KEY_COLUMNS]
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


@pytest.fixture(scope="module")
def played() -> list[list[dict[str, Any]]]:
    ruleset = load_ruleset("baseline")
    return [list(Game.from_ruleset(ruleset, seed=seed).run(2).metric_rows) for seed in (1, 2, 3)]


def _runs(played: list[list[dict[str, Any]]]) -> list[tuple[RunSpec, list[dict[str, Any]]]]:
    gappy = [dict(row) for row in played[1]]
    del gappy[3]["capability"]  # a row without a column: None there
    own_run = [{**row, "run": 99} for row in played[2]]  # a row's own run wins over the spec's
    params = [{"x": 0.5, "label": "a"}, {"x": 2, "label": 7}, {"x": None, "label": None}]
    return [(RunSpec(run, 10 + run, p), rows) for run, (p, rows) in enumerate(zip(params, [played[0], gappy, own_run], strict=True))]


def _equal(got: pa.Table, want: pa.Table) -> None:
    assert got.schema.equals(want.schema) and got.equals(want)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_chunk_table_is_the_table_of_the_merged_rows(played: list, count: int) -> None:
    runs = _runs(played)[:count]
    merged = [{"run": spec.run, **row, "seed": spec.seed, **spec.params} for spec, rows in runs for row in rows]
    want = reference_table(merged, PARAMS)
    _equal(worker.chunk_table(runs, PARAMS), want)
    _equal(worker.to_table(merged, PARAMS), want)
    plain = [{k: v for k, v in row.items() if k not in PARAMS} for row in merged]
    _equal(worker.to_table(plain, {}), reference_table(plain, {}))
    assert worker.chunk_table([], PARAMS) is None


def fail_on_seed_11(ruleset: Any, seed: int, turns: int, **params: Any) -> worker.PlayedGame:
    if seed == 11:
        raise ValueError("this run fails")
    return worker.play_game(ruleset, seed, turns)


def test_a_chunk_with_a_failing_run_keeps_the_others_rows() -> None:
    ruleset = load_ruleset("baseline")
    specs = tuple(RunSpec(run, 10 + run, {"x": 0.25 * run, "label": run}) for run in range(3))
    task = worker.ChunkTask(ruleset.model_dump(mode="json", by_alias=True), "h12", 2, specs, PARAMS,
                            play=f"{__name__}:fail_on_seed_11", play_keys=("x", "label"))
    result = worker.play_chunk(task)
    assert result.done == [0, 2] and [f.run for f in result.failures] == [1]
    merged = []
    for spec in (specs[0], specs[2]):
        rows = worker.play_game(ruleset, spec.seed, 2).rows
        merged += [{"run": spec.run, **row, "seed": spec.seed, **spec.params} for row in rows]
    _equal(result.table, reference_table(merged, PARAMS))
