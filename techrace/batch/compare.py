"""`techrace compare A B`: the modder's balance check between two rulesets.

Both rulesets play the same N seeds. For each headline outcome and nation at the final turn: both
medians, the difference of medians (B - A) with a paired bootstrap confidence interval, a Wilcoxon
signed-rank test on the per-seed differences, and Benjamini-Hochberg q-values over the whole table
(many outcomes x nations are tested at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.store import BatchStore
from techrace.batch.summary import HEADLINES, final_rows, format_number, headlines

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

BOOTSTRAP_RESAMPLES = 2000
ALPHA = 0.05


@dataclass
class CompareResult:
    a: str
    b: str
    runs: int
    table: pd.DataFrame  # one row per (outcome, nation)
    out: Path


def run_compare(
    a: str,
    b: str,
    *,
    runs: int = 100,
    turns: int | None = None,
    seed: int = 0,
    outcomes: Sequence[str] = HEADLINES,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> CompareResult:
    """Play both rulesets on the same seeds and test every headline outcome per nation."""
    import pandas as pd

    from techrace.batch.api import run_batch
    from techrace.ruleset import load_ruleset

    ra, rb = load_ruleset(a), load_ruleset(b)
    turns = turns if turns is not None else min(ra.turns, rb.turns)
    base = Path(out) if out is not None else Path("batch-out") / f"compare-{ra.name}-{rb.name}-n{runs}-t{turns}-s{seed}"
    finals = []
    for label, ruleset in (("a", ra), ("b", rb)):
        store = BatchStore(base / label)
        run_batch(ruleset, runs, turns, seed, workers=workers, scheduler=scheduler, out=store.dir,
                  resume=store.is_batch(), progress=progress, command=f"techrace compare {a} {b} --runs {runs} --turns {turns}")
        finals.append(final_rows(store, headlines(store, outcomes)))
    fa, fb = finals
    rows: list[dict[str, Any]] = []
    common = [o for o in outcomes if o in fa.columns and o in fb.columns]
    nations = [n for n in dict.fromkeys(fa["nation"]) if n in set(fb["nation"])]
    for outcome in common:
        for nation in nations:
            x = fa[fa["nation"] == nation].set_index("run")[outcome]
            y = fb[fb["nation"] == nation].set_index("run")[outcome]
            paired = pd.concat({"a": x, "b": y}, axis=1).dropna()
            if paired.empty:  # e.g. best_node_nm of a nation without fabs
                continue
            rows.append({"outcome": outcome, "nation": nation, **_test(paired["a"].to_numpy(), paired["b"].to_numpy(), seed)})
    table = pd.DataFrame(rows)
    if len(table):
        table["q"] = _bh(table["p"].to_numpy())
        table["significant"] = table["q"] < ALPHA
    table.to_csv(base / "compare.csv", index=False)
    return CompareResult(ra.name, rb.name, runs, table, base)


def _test(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, float]:
    import numpy as np
    from scipy import stats

    med_a, med_b = float(np.median(x)), float(np.median(y))
    diff = med_b - med_a
    if len(x) < 3 or (np.ptp(x) == 0 and np.ptp(y) == 0):
        low = high = diff  # no spread to resample
    else:
        ci = stats.bootstrap(
            (x, y), lambda a, b, axis: np.median(b, axis=axis) - np.median(a, axis=axis), paired=True,
            vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES, method="percentile", rng=np.random.default_rng(seed),
        ).confidence_interval
        low, high = float(ci.low), float(ci.high)
    deltas = y - x
    if np.count_nonzero(deltas) == 0:
        p = 1.0
    else:
        p = float(stats.wilcoxon(deltas, zero_method="zsplit").pvalue)
    return {"n": len(x), "median_a": med_a, "median_b": med_b, "diff": diff, "ci_low": low, "ci_high": high, "p": p}


def _bh(p: np.ndarray) -> np.ndarray:
    from scipy import stats

    return stats.false_discovery_control(p, method="bh")


def render(result: CompareResult) -> object:
    from rich.table import Table

    table = Table(title=f"{result.b} vs {result.a}: final turn, {result.runs} paired runs (diff = B - A)",
                  title_justify="left")
    for col, justify in (("outcome", "left"), ("nation", "left"), (f"median A ({result.a})", "right"),
                         (f"median B ({result.b})", "right"), ("diff [95% CI]", "right"), ("p", "right"),
                         ("q (BH)", "right"), ("", "left")):
        table.add_column(col, justify=justify)
    for row in result.table.itertuples(index=False):
        ci = f"{format_number(row.diff)} [{format_number(row.ci_low)}, {format_number(row.ci_high)}]"
        table.add_row(row.outcome, row.nation, format_number(row.median_a), format_number(row.median_b), ci,
                      f"{row.p:.3g}", f"{row.q:.3g}", "*" if row.significant else "")
    return table
