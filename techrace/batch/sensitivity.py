"""`techrace sensitivity`: which ruleset values move an outcome (SALib: Sobol or Morris).

SALib draws the parameter rows; each row is a point of an ordinary batch (same directory layout,
resumable, local or Dask); the outcome is a nation's value at the final turn, averaged over
`replicates` seeds. Every row plays the same seeds (common random numbers), so the indices measure the
parameters rather than luck.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from techrace.batch.plan import PlanError
from techrace.batch.store import BatchStore
from techrace.batch.summary import final_rows
from techrace.ruleset.schema import Metric

if TYPE_CHECKING:
    import pandas as pd

METHODS = ("sobol", "morris")
OUTCOMES = get_args(Metric)  # the per-nation columns of `techrace run --out`
MORRIS_LEVELS = 4


@dataclass
class SensitivityResult:
    out: Path
    method: str
    outcome: str
    indices: pd.DataFrame  # one row per (nation, parameter)


def samples_default(method: str) -> int:
    return 64 if method == "sobol" else 20


def run_sensitivity(
    params: Mapping[str, tuple[float, float]],
    outcome: str,
    *,
    ruleset: str | None = None,
    method: str = "sobol",
    samples: int | None = None,
    replicates: int = 1,
    turns: int | None = None,
    seed: int = 0,
    nations: list[str] | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> SensitivityResult:
    """Sample the parameter box, play the rows as a batch, and compute the indices per nation."""
    import pandas as pd

    from techrace.batch.api import run_batch

    if method not in METHODS:
        raise PlanError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    if outcome not in OUTCOMES:
        raise PlanError(f"--outcome must be a results column ({', '.join(OUTCOMES)}), got {outcome!r}")
    if len(params) < 2:
        raise PlanError("sensitivity needs at least two --param KEY=LO:HI ranges")
    n = samples or samples_default(method)
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise PlanError(f"--samples for sobol must be a power of two (e.g. 64), got {n}")
    problem = {"num_vars": len(params), "names": list(params), "bounds": [list(b) for b in params.values()]}
    x = _sample(problem, method, n, seed)
    points = [dict(zip(problem["names"], map(float, row), strict=True)) for row in x]
    name = ruleset or "baseline"
    target = Path(out) if out is not None else Path("batch-out") / f"sensitivity-{Path(name).name}-{method}-{outcome}-s{seed}"
    store = BatchStore(target)
    result = run_batch(ruleset, replicates, turns, seed, workers=workers, scheduler=scheduler, out=target,
                       points=points, resume=store.is_batch(), progress=progress,
                       command=f"techrace sensitivity --method {method} --outcome {outcome}")
    if result.failed:
        raise PlanError(f"{result.failed} runs failed (see {target}/_failures.json); the indices need every run")
    final = final_rows(store, [outcome])
    final["point"] = final["run"] // replicates
    means = final.groupby(["nation", "point"])[outcome].mean().unstack("point")
    rows: list[dict[str, Any]] = []
    for nation in nations or list(means.index):
        if nation not in means.index:
            raise PlanError(f"--nation {nation!r} is not in the results (nations: {', '.join(means.index)})")
        y = means.loc[nation].to_numpy(dtype=float)
        rows += _analyse(problem, method, x, y, nation, seed)
    indices = pd.DataFrame(rows)
    indices.to_csv(target / "_sensitivity.csv", index=False)
    return SensitivityResult(target, method, outcome, indices)


def _sample(problem: dict[str, Any], method: str, n: int, seed: int) -> Any:
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)


def _analyse(problem: dict[str, Any], method: str, x: Any, y: Any, nation: str, seed: int) -> list[dict[str, Any]]:
    import numpy as np

    names = problem["names"]
    if float(np.ptp(y)) == 0.0:  # the outcome never moves for this nation: every index is zero
        zero = {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} if method == "sobol" else \
            {"mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0}
        return [{"nation": nation, "parameter": p, **zero} for p in names]
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        keys = ("mu_star", "mu_star_conf", "sigma")
    return [{"nation": nation, "parameter": p, **{k: float(res[k][i]) for k in keys}} for i, p in enumerate(names)]


def render(result: SensitivityResult) -> object:
    from rich.table import Table

    value_cols = [c for c in result.indices.columns if c not in ("nation", "parameter")]
    title = f"{result.method} indices of final {result.outcome}"
    table = Table(title=title, title_justify="left")
    for col in ["nation", "parameter", *value_cols]:
        table.add_column(col, justify="left" if col in ("nation", "parameter") else "right")
    for row in result.indices.itertuples(index=False):
        data = row._asdict()
        cells = ["-" if math.isnan(data[c]) else f"{data[c]:.3f}" for c in value_cols]
        table.add_row(data["nation"], data["parameter"], *cells)
    return table
