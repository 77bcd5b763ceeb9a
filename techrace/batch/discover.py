"""`techrace discover DIR --outcome winner=CN`: scenario discovery, the parameter boxes where an outcome happens.

PRIM (the Patient Rule Induction Method, from EMA Workbench's analysis module, the optional extra
`techrace[discover]`) peels the parameter space of a batch's runs towards the region where the outcome
holds: each step of the *peeling trajectory* trades coverage (the share of all runs with the outcome that
fall in the box) for density (the share of runs in the box that have the outcome). The chosen box is the
densest step with at least `min_coverage`; further boxes are sought among the runs left outside it.
Feature scores (extra trees, also EMA Workbench) rank the parameters by how much they tell about the outcome.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.plan import PlanError
from techrace.batch.store import BatchStore
from techrace.errors import TechraceError
from techrace.safe_text import printable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MIN_COVERAGE = 0.5
MAX_BOXES = 3
QP_LIMIT = 0.05  # a restriction with a larger quasi-p-value could be chance
_CONDITION = re.compile(r"^\s*(?P<metric>[A-Za-z_][\w]*)\s*:\s*(?P<nation>[A-Za-z0-9_]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>\S+)\s*$")
_EQUALS = re.compile(r"^\s*(?P<column>winner|victory_kind)\s*(?P<op>!=|=)\s*(?P<value>[\w-]+)\s*$")


class ExtraMissing(TechraceError):
    """An optional extra that a command needs is not installed."""


@dataclass
class Box:
    """One chosen box: its statistics and the restriction on each parameter it limits."""

    coverage: float
    density: float
    mass: float
    runs: int
    restrictions: pd.DataFrame  # parameter, low, high (numbers) or values (categories), qp


@dataclass
class DiscoverResult:
    condition: str
    runs: int
    hits: int
    trajectory: pd.DataFrame  # the first box's peeling trajectory: coverage, density, mass, res_dim
    boxes: list[Box]
    feature_scores: pd.Series
    out: Path
    files: list[Path] = field(default_factory=list)


def outcome_hits(batch_dir: str | Path, condition: str, outcomes_file: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The per-run table (parameters as columns) and, per run, whether `condition` holds."""
    from techrace.batch.api import load_results
    from techrace.batch.outcomes import check_outcomes, load_outcomes, outcome_frame

    runs = load_results(batch_dir, table="runs")
    equals = _EQUALS.match(condition)
    nations = [c.removeprefix("score_") for c in runs.columns if c.startswith("score_")]
    if equals and equals["column"] == "winner" and equals["value"] not in nations:  # 'cn' would never match
        raise PlanError(f"--outcome {printable(condition)!r}: {printable(equals['value'])!r} is not a nation of the "
                        f"batch ({', '.join(nations)})")
    if equals and equals["column"] == "victory_kind" and equals["value"] not in victory_kinds():  # 'leed' would never match
        raise PlanError(f"--outcome {printable(condition)!r}: {printable(equals['value'])!r} is not a kind of victory "
                        f"({', '.join(victory_kinds())})")
    if equals:
        hit = runs[equals["column"]].astype(object) == equals["value"]
        return runs, (~hit if equals["op"] == "!=" else hit).to_numpy(bool)
    match = _CONDITION.match(condition)
    if not match:
        raise PlanError(f"--outcome {printable(condition)!r}: expected winner=CODE, victory_kind=KIND or "
                        "METRIC:NATION>VALUE (>, >=, <, <=), e.g. capability:CN>150")
    try:
        value = float(match["value"])
    except ValueError:
        raise PlanError(f"--outcome {printable(condition)!r}: {printable(match['value'])!r} is not a number") from None
    if not math.isfinite(value):  # 'capability:CN>nan' held nowhere, '>-inf' everywhere: never a question asked
        raise PlanError(f"--outcome {printable(condition)!r}: {printable(match['value'])!r} is not a finite number")
    store = BatchStore(batch_dir)
    manifest = store.read_manifest()
    specs = load_outcomes(outcomes_file)
    specs = {k: v for k, v in specs.items() if k == match["metric"]}
    check_outcomes(specs, store.schema_names(), nations)
    frame = outcome_frame(store, specs, [match["metric"]], manifest["plan"]["turns"])
    if match["metric"] not in frame.columns:
        raise PlanError(f"--outcome {printable(condition)!r}: {printable(match['metric'])!r} is neither a results "
                        "column nor an outcome of --outcomes")
    mine = frame[frame["nation"] == match["nation"]].set_index("run")[match["metric"]]
    if mine.empty:
        raise PlanError(f"--outcome {printable(condition)!r}: nation {printable(match['nation'])!r} is not in the batch")
    ops = {">": mine.gt, ">=": mine.ge, "<": mine.lt, "<=": mine.le}
    hit = ops[match["op"]](value).reindex(runs["run"]).fillna(False)
    return runs, hit.to_numpy(bool)


def victory_kinds() -> tuple[str, ...]:
    """What a run's `victory_kind` can be: a condition's kind, or `score` when the end score decided."""
    from typing import get_args

    from techrace.ruleset.schema import VictoryCondition

    return (*get_args(VictoryCondition.model_fields["kind"].annotation), "score")


def run_discover(batch_dir: str | Path, condition: str, *, outcomes_file: str | None = None,
                 min_coverage: float = MIN_COVERAGE, max_boxes: int = MAX_BOXES, seed: int = 0,
                 out: str | Path | None = None, drop_weak: bool = True) -> DiscoverResult:
    """Find the parameter boxes of a batch where `condition` holds, and write them under DIR/_discover/."""

    if not 0 < min_coverage <= 1:
        raise PlanError(f"--min-coverage must be in (0, 1], got {min_coverage}")
    if max_boxes < 1:  # 0 looked for no box and then said none reached the minimum coverage
        raise PlanError(f"--boxes must be at least 1, got {max_boxes}")
    store = BatchStore(batch_dir)
    manifest = store.read_manifest()
    runs, y = outcome_hits(batch_dir, condition, outcomes_file)
    x = _factors(runs, list(manifest.get("param_columns", [])), store.dir)
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise PlanError(f"{printable(condition)} holds in {hits} of {len(y)} runs: PRIM needs runs where it happens and "
                        "runs where it does not (widen the parameter ranges or change the condition)")
    trajectory, boxes, scores = find_boxes(x, y, min_coverage, max_boxes, seed, drop_weak)
    target = Path(out) if out is not None else store.dir / "_discover" / _slug(condition)
    result = DiscoverResult(condition, len(y), hits, trajectory, boxes, scores, target)
    result.files = _write(result)
    return result


def find_boxes(x: pd.DataFrame, y: np.ndarray, min_coverage: float = MIN_COVERAGE, max_boxes: int = MAX_BOXES,
               seed: int = 0, drop_weak: bool = True) -> tuple[pd.DataFrame, list[Box], pd.Series]:
    """PRIM over parameters `x` (numbers or categories) and a yes/no outcome `y`: the first box's peeling
    trajectory, the chosen boxes (each sought among the runs outside the earlier ones) and feature scores.
    With `drop_weak`, restrictions whose quasi-p-value exceeds 0.05 are dropped from a chosen box, weakest
    first, as EMA Workbench users do by hand: a limit that chance alone explains is not a condition."""

    prim, scoring = _ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench's own deprecation warnings from pandas
        return _prim(prim, scoring, x, y, min_coverage, max_boxes, seed, drop_weak)


def _prim(prim: Any, scoring: Any, x: pd.DataFrame, y: np.ndarray, min_coverage: float, max_boxes: int,
          seed: int, drop_weak: bool) -> tuple[pd.DataFrame, list[Box], pd.Series]:
    import pandas as pd

    finder = prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    trajectory = pd.DataFrame(columns=["coverage", "density", "mass", "res_dim", "n"])
    boxes: list[Box] = []
    for i in range(max_boxes):
        box = finder.find_box()
        if box is None:
            break
        steps = box.peeling_trajectory
        if i == 0:
            trajectory = steps[["coverage", "density", "mass", "res_dim", "n"]].copy()
        chosen = _choose(steps, min_coverage)
        if chosen is None:
            break
        box.select(chosen)
        chosen = _drop_weak(box, chosen, x) if drop_weak else chosen
        boxes.append(_describe_box(box, chosen, x))
    scores = scoring.get_ex_feature_scores(x, y.astype(int), mode=scoring.RuleInductionType.CLASSIFICATION,
                                           random_state=seed)[0].iloc[:, 0].rename("feature_score")
    return trajectory, boxes, scores


def _factors(runs: pd.DataFrame, params: list[str], where: Path) -> pd.DataFrame:
    import pandas as pd

    x = pd.DataFrame(index=runs.index)
    for name in params:
        column = runs[name]
        if column.nunique(dropna=False) < 2:
            continue  # a value every run shares cannot tell runs apart
        x[name] = column.astype(float) if pd.api.types.is_numeric_dtype(column) else pd.Categorical(column.astype(str))
    if x.empty:
        raise PlanError(f"{where} varies no parameter: run the batch with --vary (and --design lhs) or --sweep")
    return x


def _ema() -> tuple[Any, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EMA Workbench warns about optional parallel back ends at import
            from ema_workbench.analysis import feature_scoring, prim
    except ImportError:
        raise ExtraMissing("discover needs PRIM from EMA Workbench: pip install 'techrace[discover]'") from None
    return prim, feature_scoring


def _choose(steps: pd.DataFrame, min_coverage: float) -> int | None:
    """The densest step of the trajectory that keeps at least `min_coverage` (the earliest among equals)."""
    eligible = steps[steps["coverage"] >= min_coverage - 1e-12]
    if eligible.empty or float(eligible["density"].max()) <= 0:
        return None
    return int(eligible.index[int(eligible["density"].to_numpy().argmax())])


def _drop_weak(box: Any, step: int, x: pd.DataFrame) -> int:
    """Drop the weakest restriction (highest quasi-p-value above QP_LIMIT) until every one left is significant."""
    while True:
        restricted = [n for n in x.columns if _restricts(box.box_lims[step][n], x[n])]
        weak = {n: _qp(box.p_values[step], n) for n in restricted}
        weak = {n: q for n, q in weak.items() if q > QP_LIMIT}
        if not weak:
            return step
        box.drop_restriction(max(weak, key=lambda n: weak[n]), step)
        step = len(box.box_lims) - 1


def _restricts(limits: pd.Series, column: pd.Series) -> bool:
    low, high = limits.iloc[0], limits.iloc[1]
    if isinstance(low, set):
        return len(low) < column.nunique()
    return bool(low > column.min() or high < column.max())


def _describe_box(box: Any, step: int, x: pd.DataFrame) -> Box:
    import pandas as pd

    stats = box.peeling_trajectory.loc[step]
    limits = box.box_lims[step]
    qp = box.p_values[step]  # parameter -> [qp of the lower bound, of the upper bound], -1 where none
    rows = []
    for name in x.columns:
        low, high = limits[name].iloc[0], limits[name].iloc[1]
        if isinstance(low, set):
            if len(low) == x[name].nunique():
                continue  # every category allowed: not a restriction
            rows.append({"parameter": name, "low": None, "high": None, "values": ", ".join(sorted(map(str, low))),
                         "qp": _qp(qp, name)})
        elif low > x[name].min() or high < x[name].max():
            rows.append({"parameter": name, "low": float(low) if low > x[name].min() else None,
                         "high": float(high) if high < x[name].max() else None, "values": None, "qp": _qp(qp, name)})
    return Box(float(stats["coverage"]), float(stats["density"]), float(stats["mass"]), int(stats["n"]),
               pd.DataFrame(rows, columns=["parameter", "low", "high", "values", "qp"]))


def _qp(p_values: dict[str, Any], name: str) -> float:
    """The quasi-p-value of a restriction: of its more significant limit (a parameter limited from below with
    a near-certain qp keeps its restriction even if PRIM also shaved a sliver off the top)."""
    values = [float(v) for v in p_values.get(name, []) if v is not None and v == v and v >= 0]
    return min(values) if values else float("nan")


def _slug(condition: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", condition.replace(">=", "_ge_").replace("<=", "_le_")
                  .replace(">", "_gt_").replace("<", "_lt_").replace("!=", "_ne_").replace("=", "_eq_")).strip("_")[:80]


def _write(result: DiscoverResult) -> list[Path]:
    result.out.mkdir(parents=True, exist_ok=True)
    files = [result.out / "trajectory.csv", result.out / "boxes.csv", result.out / "feature_scores.csv"]
    result.trajectory.to_csv(files[0], index_label="step")
    rows = [{"box": i + 1, "coverage": b.coverage, "density": b.density, "mass": b.mass, "runs": b.runs, **r}
            for i, b in enumerate(result.boxes) for r in b.restrictions.to_dict("records")]
    import pandas as pd

    pd.DataFrame(rows, columns=["box", "coverage", "density", "mass", "runs", "parameter", "low", "high", "values",
                                "qp"]).to_csv(files[1], index=False)
    result.feature_scores.to_csv(files[2], index_label="parameter")
    if not result.trajectory.empty:
        files.append(_tradeoff_chart(result, result.out / "trajectory.png"))
    return files


def _tradeoff_chart(result: DiscoverResult, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = result.trajectory
    fig, ax = plt.subplots(figsize=(5.5, 4))
    points = ax.scatter(steps["coverage"], steps["density"], c=steps["res_dim"], cmap="viridis", s=18)
    fig.colorbar(points, ax=ax, label="parameters restricted")
    if result.boxes:
        ax.scatter([result.boxes[0].coverage], [result.boxes[0].density], s=120, facecolors="none", edgecolors="red",
                   label="chosen box")
        ax.legend(loc="lower left", fontsize=8)
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(f"PRIM peeling trajectory: {result.condition}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def render(result: DiscoverResult) -> list[object]:
    """Rich tables: the boxes with their restrictions, then the feature scores."""
    from rich.table import Table

    share = f"{result.hits} of {result.runs} runs ({result.hits / result.runs:.0%})"
    out: list[object] = []
    for i, box in enumerate(result.boxes, start=1):
        table = Table(title=printable(f"box {i} for {result.condition}: coverage {box.coverage:.0%}, density "
                                      f"{box.density:.0%}, {box.runs} runs (the outcome holds in {share} overall)"),
                      title_justify="left")
        for col in ("parameter", "low", "high", "values", "qp"):
            table.add_column(col, justify="left" if col in ("parameter", "values") else "right")
        for row in box.restrictions.itertuples(index=False):
            table.add_row(printable(row.parameter), "" if row.low is None or row.low != row.low else f"{row.low:.3g}",
                          "" if row.high is None or row.high != row.high else f"{row.high:.3g}",
                          printable(row.values or ""), f"{row.qp:.2g}")
        out.append(table)
    if not result.boxes:
        out.append(f"no box with coverage >= the minimum; the outcome holds in {share}")
    scores = Table(title="feature scores (extra trees): how much each parameter tells about the outcome",
                   title_justify="left")
    scores.add_column("parameter")
    scores.add_column("score", justify="right")
    for name, value in result.feature_scores.items():
        scores.add_row(printable(name), f"{value:.3f}")
    out.append(scores)
    return out
