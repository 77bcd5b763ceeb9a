"""`techrace sensitivity`: which ruleset values move an outcome (SALib: Sobol or Morris).

SALib draws the parameter rows; each row is a point of an ordinary batch (same directory layout,
resumable, local or Dask); an outcome is a nation's value at the final turn (or a user-defined outcome),
averaged over `replicates` seeds. Every row plays the same seeds (common random numbers). The whole problem
(names, bounds, method, samples, seed, replicates, outcomes, nations) is recorded in the batch manifest.

Two checks keep the indices honest. *Seed noise*: a small extra batch plays the centre of the box on
`noise_runs` seeds; the variance it shows is luck, and when it is a large share of the outcome's variance over
the box the indices mostly measure luck. *Sample size*: when a confidence interval is wider than
`CONF_WARN`, or an index is negative beyond its interval, N is too small for stable indices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.outcomes import check_outcomes, load_outcomes, outcome_frame
from techrace.batch.plan import PlanError
from techrace.batch.resume import check_continues
from techrace.batch.store import BatchStore
from techrace.safe_text import printable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

METHODS = ("sobol", "morris")
MORRIS_LEVELS = 4
CONF_WARN = 0.1  # a Sobol index known only to +-0.1 or worse does not rank parameters
NOISE_RUNS = 16
NOISE_WARN = 0.3  # seed noise above 30% of the outcome's variance over the box


@dataclass
class SensitivityResult:
    out: Path
    method: str
    outcomes: list[str]
    indices: pd.DataFrame  # one row per (outcome, nation, parameter)
    second_order: pd.DataFrame | None = None  # Sobol S2 per (outcome, nation, parameter pair)
    noise: pd.DataFrame | None = None  # seed noise against the variance over the box, per (outcome, nation)
    warnings: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.outcomes[0]


def samples_default(method: str) -> int:
    return 64 if method == "sobol" else 20


def run_sensitivity(
    params: Mapping[str, tuple[float, float]],
    outcome: str | Sequence[str],
    *,
    ruleset: str | None = None,
    method: str | None = None,
    samples: int | None = None,
    replicates: int | None = None,
    turns: int | None = None,
    seed: int | None = None,
    nations: list[str] | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    outcomes_file: str | None = None,
    second_order: bool = True,
    noise_runs: int = NOISE_RUNS,
) -> SensitivityResult:
    """Sample the parameter box, play the rows as a batch, and compute the indices per outcome and nation.

    `method` (sobol), `samples`, `replicates` (1) and `seed` (0) left as None are "not given": an analysis in
    `out` played with other values is then refused with the values to pass."""
    from techrace.batch.api import run_batch

    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    specs = load_outcomes(outcomes_file)
    asked = _asked(method, samples, replicates, seed)
    method, n, replicates, seed = (value for value, _ in asked.values())
    _check_request(params, outcomes, specs, method, n, replicates, noise_runs)
    _check_nations(ruleset, nations)
    problem = {"num_vars": len(params), "names": list(params), "bounds": [list(b) for b in params.values()]}
    x = _sample(problem, method, n, seed, second_order)
    points = [dict(zip(problem["names"], map(float, row), strict=True)) for row in x]
    name = ruleset or "baseline"
    target = Path(out) if out is not None else Path("batch-out") / f"sensitivity-{Path(name).name}-{method}-{outcomes[0]}-s{seed}"
    recorded = {key: problem[key] for key in ("num_vars", "names", "bounds")}  # SALib adds its own keys
    analysis = {"kind": "sensitivity", "method": method, "problem": recorded, "samples": n, "rows": len(points),
                "seed": seed, "replicates": replicates, "second_order": second_order and method == "sobol",
                "outcomes": outcomes, "nations": nations, "noise_runs": noise_runs,
                "outcome_definitions": {k: v.model_dump() for k, v in specs.items() if k in outcomes}}
    store = BatchStore(target)
    if store.is_batch():
        played = store.read_manifest().get("analysis", {})
        check_continues(target, "sensitivity analysis", asked, {k: played.get(k.removeprefix("--")) for k in asked})
    command = f"techrace sensitivity --method {method} --samples {n} --seed {seed}"
    result = run_batch(ruleset, replicates, turns, seed, workers=workers, scheduler=scheduler, out=target,
                       points=points, resume=store.is_batch(), progress=progress, command=command, analysis=analysis)
    if result.failed:
        raise PlanError(f"{result.failed} runs failed (see {target}/_failures.json); the indices need every run")
    used = {k: v for k, v in specs.items() if k in outcomes}
    check_outcomes(used, store.schema_names(), _nations(store))
    values = outcome_frame(store, used, outcomes, turns)
    values["point"] = values["run"] // replicates
    noise = _noise_values(params, ruleset, turns, seed, noise_runs, target, workers, scheduler, progress, specs, outcomes)
    indices, second_table, noise_table = _tables(values, outcomes, nations, problem, method, x, seed,
                                                 analysis["second_order"], noise)
    indices.to_csv(target / "_sensitivity.csv", index=False)
    if second_table is not None:
        second_table.to_csv(target / "_sensitivity_s2.csv", index=False)
    if noise_table is not None:
        noise_table.to_csv(target / "_sensitivity_noise.csv", index=False)
    warnings = _warnings(indices, noise_table, method, n, replicates)
    return SensitivityResult(target, method, outcomes, indices, second_table, noise_table, warnings)


def _asked(method: str | None, samples: int | None, replicates: int | None, seed: int | None,
           ) -> dict[str, tuple[Any, bool]]:
    """Each option's value (its default when None) and whether it was given: what a resume is checked against."""
    chosen = method or "sobol"
    return {"--method": (chosen, method is not None),
            "--samples": (samples_default(chosen) if samples is None else samples, samples is not None),
            "--replicates": (1 if replicates is None else replicates, replicates is not None),
            "--seed": (0 if seed is None else seed, seed is not None)}


def _tables(values: pd.DataFrame, outcomes: list[str], nations: list[str] | None, problem: dict[str, Any],
            method: str, x: Any, seed: int, second_order: bool, noise: pd.DataFrame | None,
            ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Indices (and S2, and seed noise) per outcome and nation, from the outcome averaged per sample row."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    noise_rows: list[dict[str, Any]] = []
    means = values.groupby(["nation", "point"])[outcomes].mean()
    known = list(dict.fromkeys(values["nation"]))
    for nation in nations or known:
        if nation not in known:
            raise PlanError(f"--nation {printable(nation)!r} is not in the results (nations: {', '.join(known)})")
        for name in outcomes:
            y = means.loc[nation][name].to_numpy(dtype=float)
            if bool(pd.isna(y).any()):
                continue  # a user outcome of another nation
            first, second = _analyse(problem, method, x, y, seed, second_order)
            rows += [{"outcome": name, "nation": nation, **r} for r in first]
            pairs += [{"outcome": name, "nation": nation, **r} for r in second]
            if noise is not None:
                noise_rows.append(_noise_row(noise, name, nation, y))
    return (pd.DataFrame(rows), pd.DataFrame(pairs) if pairs else None,
            pd.DataFrame(noise_rows) if noise_rows else None)


def _check_nations(ruleset: str | None, nations: list[str] | None) -> None:
    """An unknown --nation is refused before any game is played."""
    from techrace.ruleset import load_ruleset

    known = list(load_ruleset(ruleset or "baseline").nations)
    for nation in nations or []:
        if nation not in known:
            raise PlanError(f"--nation {printable(nation)!r} is not a nation of the ruleset ({', '.join(known)})")


def _nations(store: BatchStore) -> list[str]:
    runs = store.run_outcomes()
    return [k.removeprefix("score_") for k in runs[0] if k.startswith("score_")] if runs else []


def _check_request(params: Mapping[str, tuple[float, float]], outcomes: list[str], specs: Mapping[str, Any],
                   method: str, samples: int | None, replicates: int, noise_runs: int) -> None:
    from typing import get_args

    from techrace.ruleset.schema import Metric

    RESULT_COLUMNS = get_args(Metric)  # noqa: N806 - the per-nation columns of `techrace run --out`
    if method not in METHODS:
        raise PlanError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    for name in outcomes:
        if name not in RESULT_COLUMNS and name not in specs:
            raise PlanError(f"--outcome must be a results column ({', '.join(RESULT_COLUMNS)}) or an outcome of "
                            f"--outcomes, got {printable(name)!r}")
    if len(params) < 2:
        raise PlanError("sensitivity needs at least two --param KEY=LO:HI ranges")
    n = samples_default(method) if samples is None else samples  # 0 is refused, not taken as the default
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise PlanError(f"--samples for sobol must be a power of two (e.g. 64), got {n}")
    if n < 2:  # one Morris trajectory has no spread: sigma and the interval are undefined
        raise PlanError(f"--samples for morris must be at least 2 (e.g. 20), got {n}")
    if replicates < 1 or noise_runs < 0 or noise_runs == 1:
        raise PlanError("--replicates must be at least 1 and the noise runs 0 or at least 2")


def _sample(problem: dict[str, Any], method: str, n: int, seed: int, second_order: bool) -> Any:
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)


def _analyse(problem: dict[str, Any], method: str, x: Any, y: np.ndarray, seed: int, second_order: bool
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import numpy as np

    names = problem["names"]
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    if float(np.ptp(y)) == 0.0:  # the outcome never moves for this nation: every index is zero
        zero = {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} if method == "sobol" else \
            {"mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0}
        second = [{"parameter_1": names[i], "parameter_2": names[j], "S2": 0.0, "S2_conf": 0.0} for i, j in pairs]
        return [{"parameter": p, **zero} for p in names], second if method == "sobol" and second_order else []
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=second_order, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
        second = [{"parameter_1": names[i], "parameter_2": names[j], "S2": float(res["S2"][i, j]),
                   "S2_conf": float(res["S2_conf"][i, j])} for i, j in pairs] if second_order else []
    else:
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        keys = ("mu_star", "mu_star_conf", "sigma")
        second = []
    return [{"parameter": p, **{k: float(res[k][i]) for k in keys}} for i, p in enumerate(names)], second


def _noise_values(params: Mapping[str, tuple[float, float]], ruleset: str | None, turns: int | None, seed: int,
                  noise_runs: int, target: Path, workers: int | None, scheduler: str | None, progress: bool,
                  specs: Mapping[str, Any], outcomes: list[str]) -> pd.DataFrame | None:
    """The outcomes at the centre of the box over `noise_runs` seeds (a batch in DIR/_noise)."""
    if noise_runs < 2:
        return None
    from techrace.batch.api import run_batch

    centre = {k: (lo + hi) / 2 for k, (lo, hi) in params.items()}
    noise_dir = target / "_noise"
    store = BatchStore(noise_dir)
    run_batch(ruleset, noise_runs, turns, seed, workers=workers, scheduler=scheduler, out=noise_dir, points=[centre],
              resume=store.is_batch(), progress=progress, command="techrace sensitivity (seed noise at the centre)")
    return outcome_frame(store, {k: v for k, v in specs.items() if k in outcomes}, outcomes, turns)


def _noise_row(noise: pd.DataFrame, outcome: str, nation: str, y: np.ndarray) -> dict[str, Any]:
    import numpy as np

    seeds = noise.loc[noise["nation"] == nation, outcome].to_numpy(float)
    seed_var = float(np.var(seeds, ddof=1)) if len(seeds) > 1 else float("nan")
    box_var = float(np.var(y, ddof=1)) if len(y) > 1 else float("nan")
    share = seed_var / box_var if box_var > 0 else (0.0 if seed_var == 0 else float("inf"))
    return {"outcome": outcome, "nation": nation, "seed_sd": math.sqrt(seed_var), "box_sd": math.sqrt(box_var),
            "noise_share": share}


def _warnings(indices: pd.DataFrame, noise: pd.DataFrame | None, method: str, n: int, replicates: int) -> list[str]:
    found: list[str] = []
    if method == "sobol" and len(indices):
        widest = float(indices[["S1_conf", "ST_conf"]].max().max())
        negative = indices[indices["S1"] + indices["S1_conf"] < 0]
        if widest > CONF_WARN or len(negative):
            found.append(f"--samples {n} is too small for stable indices: confidence intervals up to +-{widest:.2f}"
                         + (f", {len(negative)} first-order indices below zero beyond their interval" if len(negative) else "")
                         + f"; try --samples {n * 4}")
    if noise is not None:
        loud = noise[noise["noise_share"] > NOISE_WARN]
        for row in loud.itertuples(index=False):
            found.append(f"{row.outcome} of {row.nation}: seed noise is {noise_percent(row.noise_share)} of the variance "
                         f"over the parameter box (sd {row.seed_sd:.3g} vs {row.box_sd:.3g}); the indices partly measure "
                         f"luck: raise --replicates (now {replicates})")
    return found


def noise_percent(share: float) -> str:
    """The seed-noise share as the warning and the table both print it (the warning capped it at 999% while the
    table gave the true figure); infinite when the box does not move the outcome but luck does."""
    return f"{share:.0%}" if math.isfinite(share) else "infinite"


def render(result: SensitivityResult) -> list[object]:
    from rich.table import Table

    out: list[object] = []
    value_cols = [c for c in result.indices.columns if c not in ("outcome", "nation", "parameter")]
    title = f"{result.method} indices of {', '.join(result.outcomes)}"
    table = Table(title=printable(title), title_justify="left")
    for col in ["outcome", "nation", "parameter", *value_cols]:
        table.add_column(col, justify="left" if col in ("outcome", "nation", "parameter") else "right")
    for row in result.indices.to_dict("records"):
        cells = ["-" if math.isnan(row[c]) else f"{row[c]:.3f}" for c in value_cols]
        table.add_row(printable(row["outcome"]), printable(row["nation"]), printable(row["parameter"]), *cells)
    out.append(table)
    if result.second_order is not None and len(result.second_order):
        s2 = Table(title="second-order indices S2 (interactions)", title_justify="left")
        for col in ("outcome", "nation", "parameters", "S2", "S2_conf"):
            s2.add_column(col, justify="right" if col.startswith("S2") else "left")
        for row in result.second_order.to_dict("records"):
            s2.add_row(printable(row["outcome"]), printable(row["nation"]),
                       printable(f"{row['parameter_1']} x {row['parameter_2']}"), f"{row['S2']:.3f}", f"{row['S2_conf']:.3f}")
        out.append(s2)
    if result.noise is not None:
        noise = Table(title="seed noise at the centre of the box vs variation over the box", title_justify="left")
        for col in ("outcome", "nation", "seed sd", "box sd", "noise share"):
            noise.add_column(col, justify="left" if col in ("outcome", "nation") else "right")
        for row in result.noise.to_dict("records"):
            noise.add_row(printable(row["outcome"]), printable(row["nation"]), f"{row['seed_sd']:.3g}",
                          f"{row['box_sd']:.3g}", noise_percent(row["noise_share"]))
        out.append(noise)
    return out
