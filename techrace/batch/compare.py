"""`techrace compare A B`: the modder's balance check between two rulesets, on paired seeds.

Both rulesets play the same N seeds, so each seed gives a pair and the per-seed difference B - A removes
the luck both arms share. For each outcome and nation: the effect is the median of the per-seed
differences (the mean for `wins`, a change in win probability) with a paired bootstrap confidence
interval; the relative effect divides it by arm A's median; a Wilcoxon signed-rank test on the same
differences gives p, and Benjamini-Hochberg q-values are taken over the outcomes that vary. A row is
starred (`relevant`) only when q < 0.05 *and* the effect is at least the outcome's minimum relevant
difference. Outcomes constant in both arms (a nation without fabs has no wafer starts) are reported as
such and left out of the multiple-testing family.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.outcomes import (
    load_outcomes,
    min_relevant,
    outcome_frame,
    outcome_names,
    relevant_threshold,
    with_wins,
)
from techrace.batch.resume import check_continues
from techrace.batch.store import BatchStore
from techrace.batch.summary import HEADLINES, format_number
from techrace.safe_text import printable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

BOOTSTRAP_RESAMPLES = 2000
DEFAULT_RUNS = 100
ALPHA = 0.05
COLUMNS = ("outcome", "nation", "effect", "ci_low", "ci_high", "rel_effect", "p", "q", "relevant",
           "n", "median_a", "median_b", "min_relevant", "constant")


@dataclass
class CompareResult:
    a: str
    b: str
    runs: int
    table: pd.DataFrame  # one row per (outcome, nation), COLUMNS
    out: Path


def run_compare(
    a: str,
    b: str,
    *,
    runs: int | None = None,
    turns: int | None = None,
    seed: int | None = None,
    outcomes: Sequence[str] = HEADLINES,
    outcomes_file: str | os.PathLike[str] | None = None,
    min_relevant_rules: Mapping[str, float | str] | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> CompareResult:
    """Play both rulesets on the same seeds and estimate every outcome's paired effect per nation.

    `runs` (default 100), `turns` (default: the shorter ruleset's) and `seed` (default 0) left as None are "not
    given": arms already in `out` played with other values are then refused with the values to pass."""
    from techrace.batch.api import load_results, run_batch
    from techrace.batch.outcomes import check_min_relevant, check_outcomes
    from techrace.model_id import model_fingerprint
    from techrace.ruleset import load_ruleset

    specs = load_outcomes(outcomes_file)
    check_min_relevant(min_relevant_rules, [*outcomes, *specs, "wins"])
    ra, rb = load_ruleset(a), load_ruleset(b)
    asked = {"--runs": (DEFAULT_RUNS if runs is None else runs, runs is not None),
             "--turns": (min(ra.turns, rb.turns) if turns is None else turns, turns is not None),
             "--seed": (0 if seed is None else seed, seed is not None)}
    runs, turns, seed = (value for value, _ in asked.values())
    base = Path(out) if out is not None else Path("batch-out") / (  # a new model plays afresh, beside the old results
        f"compare-{ra.name}-{rb.name}-n{runs}-t{turns}-s{seed}-m{model_fingerprint()[:8]}")
    for label in ("a", "b"):
        if (earlier := BatchStore(base / label)).is_batch():
            plan = earlier.read_manifest()["plan"]
            check_continues(base, "comparison", asked, {f"--{k}": plan[k] for k in ("runs", "turns", "seed")})
    arms = []
    for label, ruleset in (("a", ra), ("b", rb)):
        store = BatchStore(base / label)
        run_batch(ruleset, runs, turns, seed, workers=workers, scheduler=scheduler, out=store.dir,
                  resume=store.is_batch(), progress=progress, command=f"techrace compare {a} {b} --runs {runs} --turns {turns} --seed {seed}")
        check_outcomes(specs, store.schema_names(), list(ruleset.nations))
        arms.append(with_wins(outcome_frame(store, specs, outcomes, turns), load_results(store.dir, table="runs")))
    table = paired_table(arms[0], arms[1], specs, min_relevant_rules, seed)
    table.to_csv(base / "compare.csv", index=False)
    return CompareResult(ra.name, rb.name, runs, table, base)


def paired_table(fa: pd.DataFrame, fb: pd.DataFrame, specs: Mapping[str, Any],
                 rules: Mapping[str, float | str] | None, seed: int) -> pd.DataFrame:
    """Paired effects of every outcome and nation (rows matched by run number, i.e. by seed)."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    names = [o for o in outcome_names(fa) if o in fb.columns]
    in_a, in_b = set(fa["nation"]), set(fb["nation"])
    for outcome in names:
        for nation in dict.fromkeys([*fa["nation"], *fb["nation"]]):
            if nation not in in_a or nation not in in_b:  # a nation one ruleset lacks: its side alone, no effect
                rows += one_sided(fa, fb, outcome, nation)
                continue
            x = fa[fa["nation"] == nation].set_index("run")[outcome]
            y = fb[fb["nation"] == nation].set_index("run")[outcome]
            paired = pd.concat({"a": x, "b": y}, axis=1).dropna()
            if paired.empty:  # e.g. best_node_nm of a nation without fabs, or another nation's outcome
                continue
            rule = min_relevant(outcome, specs, rules)
            rows.append({"outcome": outcome, "nation": nation,
                         **paired_effect(paired["a"].to_numpy(float), paired["b"].to_numpy(float), seed,
                                         mean=outcome == "wins", rule=rule)})
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    family = ~table["constant"].astype(bool) & (table["n"] > 0)
    table["q"] = float("nan")
    if family.any():
        table.loc[family, "q"] = _bh(table.loc[family, "p"].to_numpy(float))
    table["relevant"] = family & (table["q"] < ALPHA) & _beyond(table)
    return table


def one_sided(fa: pd.DataFrame, fb: pd.DataFrame, outcome: str, nation: str) -> list[dict[str, Any]]:
    """The row of a nation only one arm has: that arm's median, the other side empty, n = 0 and no effect
    (nothing to pair), so the nation is shown rather than silently dropped and stays out of the family."""
    nan = float("nan")
    medians = [float(f.loc[f["nation"] == nation, outcome].dropna().median()) for f in (fa, fb)]
    if all(m != m for m in medians):  # e.g. best_node_nm of a nation without fabs
        return []
    return [{"outcome": outcome, "nation": nation, "effect": nan, "ci_low": nan, "ci_high": nan, "rel_effect": nan,
             "p": nan, "n": 0, "median_a": medians[0], "median_b": medians[1], "min_relevant": nan, "constant": False}]


def only_in(table: pd.DataFrame, a: str, b: str) -> list[str]:
    """One line per nation that only one arm has, saying so (the table shows its side, with no effect)."""
    lonely = table[table["n"] == 0].drop_duplicates("nation")
    return [f"{row.nation} is only in " + (f"B ({b})" if row.median_a != row.median_a else f"A ({a})")
            + ": shown with that side's medians, no paired effect" for row in lonely.itertuples(index=False)]


def _beyond(table: pd.DataFrame) -> pd.Series:
    return table["effect"].abs() >= table["min_relevant"] - 1e-12


def paired_effect(x: np.ndarray, y: np.ndarray, seed: int, mean: bool = False, rule: float | str = 0.0
                  ) -> dict[str, Any]:
    """Effect of B over A from per-seed differences: median (or mean), paired bootstrap CI, Wilcoxon p."""
    import numpy as np
    from scipy import stats

    d = y - x
    statistic = np.mean if mean else np.median
    effect = float(statistic(d))
    med_a, med_b = float(np.median(x)), float(np.median(y))
    constant = bool(np.ptp(x) == 0 and np.ptp(y) == 0)
    if len(d) < 3 or np.ptp(d) == 0:
        low = high = effect  # no spread to resample
    else:
        ci = stats.bootstrap((d,), statistic, vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES,
                             method="percentile", rng=np.random.default_rng(seed)).confidence_interval
        low, high = float(ci.low), float(ci.high)
    if constant:
        p = float("nan")
    elif np.count_nonzero(d) == 0:
        p = 1.0
    else:
        p = float(stats.wilcoxon(d, zero_method="zsplit").pvalue)
    rel = effect / abs(med_a) if med_a != 0 else (0.0 if effect == 0 else float("nan"))
    return {"effect": effect, "ci_low": low, "ci_high": high, "rel_effect": rel, "p": p, "n": len(d),
            "median_a": med_a, "median_b": med_b, "min_relevant": relevant_threshold(rule, med_a), "constant": constant}


def _bh(p: np.ndarray) -> np.ndarray:
    from scipy import stats

    return stats.false_discovery_control(p, method="bh")


def render(result: CompareResult) -> object:
    from rich.table import Table

    table = Table(title=printable(f"{result.b} vs {result.a}: {result.runs} paired runs (effect = median of per-seed "
                                  "B - A; wins: change in win share)"), title_justify="left")
    for col in ("outcome", "nation", "median A", "median B", "effect [95% CI]", "relative", "min relevant", "q (BH)", ""):
        table.add_column(col, justify="left" if col in ("outcome", "nation", "") else "right")
    for row in result.table.itertuples(index=False):
        ci = f"{format_number(row.effect)} [{format_number(row.ci_low)}, {format_number(row.ci_high)}]"
        if row.n == 0:
            ci = f"only in {'B' if math.isnan(row.median_a) else 'A'}"
        rel = "-" if math.isnan(row.rel_effect) else f"{row.rel_effect:+.1%}"
        q = "constant" if row.constant else "-" if math.isnan(row.q) else f"{row.q:.3g}"
        table.add_row(printable(row.outcome), printable(row.nation), format_number(row.median_a),
                      format_number(row.median_b), ci, rel, format_number(row.min_relevant), q,
                      "*" if row.relevant else "")
    return table
