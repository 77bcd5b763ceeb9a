"""Per-run outcomes: one row per finished run (`DIR/_runs.parquet`), the unit scenario discovery and
`compare` reason about, as a BehaviorSpace or EMA Workbench user expects: the run, its seed, its parameter
values, the winner, the victory kind and quarter, and each nation's end score.

The rows travel inside each part file's metadata (written with the part, so they can never disagree);
`_runs.parquet` is rebuilt from them whenever a batch or a resume ends.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from techrace.batch.plan import BatchPlan
from techrace.batch.store import RUNS, BatchStore

if TYPE_CHECKING:
    import pandas as pd

OUTCOME_COLUMNS = ("winner", "victory_kind", "victory_turn", "victory_quarter", "turns_played")


def runs_frame(store: BatchStore, manifest: dict[str, Any]) -> pd.DataFrame:
    """The per-run table, columns in a fixed order: run, seed, parameters, outcome, score_<nation>..."""
    import pandas as pd

    rows = store.run_outcomes()
    params = list(manifest.get("param_columns", []))
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["run", "seed", *params, *OUTCOME_COLUMNS])
    scores = [c for c in frame.columns if c.startswith("score_")]
    order = ["run", "seed", *params, *OUTCOME_COLUMNS, *scores]
    frame = frame.reindex(columns=order)
    for column in ("run", "seed", "turns_played"):
        frame[column] = frame[column].astype("int64")
    frame["victory_turn"] = frame["victory_turn"].astype("Int64")
    for column in ("winner", "victory_kind", "victory_quarter"):
        frame[column] = frame[column].astype("string")
    _type_params(frame, manifest)
    return frame.sort_values("run", ignore_index=True)


def _type_params(frame: pd.DataFrame, manifest: dict[str, Any]) -> None:
    """Give each parameter column the type its column in the part files has (float64 or string): left to
    pandas, a sweep of 2400,4800 came out int64 beside float64 rows, and values of mixed types (1e3 is text
    to YAML, 4800 a number) made an object column that Parquet refused after every run had been played."""
    import pandas as pd

    for column, kind in BatchPlan.from_json(manifest["plan"]).param_types.items():
        if column in frame.columns:
            frame[column] = (pd.to_numeric(frame[column]).astype("float64") if kind == "float"
                             else frame[column].map(lambda v: v if v is None or v != v else str(v)).astype("string"))


def write_runs_table(store: BatchStore, manifest: dict[str, Any]) -> None:
    """Rewrite `DIR/_runs.parquet` from the parts (atomic: a temporary file, then a rename)."""
    if not store.scan().good:
        return
    frame = runs_frame(store, manifest)
    tmp = store.dir / f".{RUNS}.tmp"
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, store.dir / RUNS)
