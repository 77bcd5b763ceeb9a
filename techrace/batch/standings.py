"""A tournament's tables: how often each strategy wins, and what each lever alone changes.

`strategies.csv`: per ruleset, nation and strategy (with the reference arms `computer-only` and
`no-new-orders`), the runs, wins, win share and median winning turn. `levers.csv`: per ruleset, nation, lever
and outcome, the effect of the lever's probe against no new orders on the same seeds: the median of the
per-seed differences at the final turn, or over the whole game for the wafers made (for `win`, 0 or 1, the mean:
a change in win probability) with its 95%
paired bootstrap interval (`techrace.batch.compare.paired_effect`); with fewer than 3 paired seeds the interval
is left empty.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.store import BatchDirError, BatchStore

if TYPE_CHECKING:
    import pandas as pd

    from techrace.batch.tournament import TournamentPlan

STRATEGY_COLUMNS = ("ruleset", "nation", "strategy", "runs", "wins", "win_share", "median_win_turn")
LEVER_COLUMNS = ("ruleset", "nation", "lever", "outcome", "effect", "ci_low", "ci_high")
METRICS = ("capability", "ai_compute_h100e", "advanced_wafer_starts", "gdp_index")
# over the whole game, not only at its end: advanced wafers started in all its quarters (starts a month x 3), so a
# lever that holds a rival's fabs back for years counts although they catch up by the final quarter
TOTALS = {"advanced_wafers_made": "advanced_wafer_starts"}
MONTHS_PER_QUARTER = 3
# what a lever does to the nation's rivals (its bloc's `rivals`): the best rival capability, their summed compute
# and advanced wafers; a control is aimed at others, so its effect on them counts as much as its effect at home
RIVAL_OUTCOMES = ("rival_capability", "rival_ai_compute_h100e", "rival_advanced_wafers_made")
OUTCOMES = ("win", *METRICS, *TOTALS, *RIVAL_OUTCOMES)
MIN_PAIRS = 3  # fewer seeds give no interval (the CI columns are empty): nothing to resample


def read_runs(store: BatchStore) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """The finished runs (one row each: ruleset, arm, seed, winner, victory turn), their final quarter per
    nation, and the raw outcome records (with the strategies' refused orders)."""
    import pandas as pd

    from techrace.batch.api import load_results

    try:
        runs = load_results(store.dir, table="runs")
        final = load_results(store.dir, columns=["run", "seed", "turn", "nation", "ruleset", "arm", *METRICS])
    except BatchDirError:
        if store.parts():
            raise
        empty = pd.DataFrame(columns=["run", "seed", "ruleset", "arm", "winner", "victory_turn"])
        return empty, pd.DataFrame(columns=["run", "seed", "nation", "ruleset", "arm", *METRICS, *TOTALS]), []
    last = final.groupby("run")["turn"].transform("max")
    for total, metric in TOTALS.items():
        final[total] = final.groupby(["run", "nation"])[metric].transform("sum") * MONTHS_PER_QUARTER
    return runs, final[final["turn"] == last], store.run_outcomes()


def strategy_table(plan: TournamentPlan, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (ruleset, nation, strategy arm), in the plan's order."""
    import pandas as pd

    rows = []
    for label in plan.rulesets:
        for nation in plan.nations:
            arms = [a for a in _arm_ids(plan, label, nation) if plan.arms[a].kind in ("computer", "none", "strategy")]
            for arm in arms:
                mine = runs[(runs["ruleset"] == label) & (runs["arm"] == arm)]
                won = mine[(mine["winner"] == nation).fillna(False)]
                count = len(mine)
                turn = float(won["victory_turn"].astype(float).median()) if len(won) else float("nan")
                rows.append({"ruleset": label, "nation": nation, "strategy": plan.arms[arm].name, "runs": count,
                             "wins": len(won), "win_share": len(won) / count if count else float("nan"),
                             "median_win_turn": turn})
    return pd.DataFrame(rows, columns=list(STRATEGY_COLUMNS))


def _arm_ids(plan: TournamentPlan, label: str, nation: str) -> list[str]:
    """The arms played for a nation in a ruleset: computer only, no new orders, strategies, probes (by lever)."""
    if nation not in plan.rulesets[label].nations:
        return []
    arms = [plan.arms[p["arm"]] for p in plan.points if p["ruleset"] == label]
    kinds = {"computer": 0, "none": 1, "strategy": 2, "probe": 3}
    mine = [a for a in arms if a.nation in (None, nation)]
    return [a.id for a in sorted(mine, key=lambda a: (kinds[a.kind], _lever_rank(a.name) if a.kind == "probe" else 0, a.name))]


def _lever_rank(kind: str) -> int:
    from techrace.core.levers import LEVERS

    return list(LEVERS).index(kind) if kind in LEVERS else len(LEVERS)


def outcome_values(runs: pd.DataFrame, final: pd.DataFrame, label: str, arm: str, nation: str,
                   rivals: list[str] = ()) -> pd.DataFrame:
    """The nation's outcomes (and its rivals', when it has any) in every finished run of one arm, indexed by
    seed (the pairing key)."""
    import pandas as pd

    played = final[(final["ruleset"] == label) & (final["arm"] == arm)]
    mine = played[played["nation"] == nation].set_index("seed")
    wins = (runs[(runs["ruleset"] == label) & (runs["arm"] == arm)].set_index("seed")["winner"] == nation).fillna(False)
    frame = pd.DataFrame({m: mine[m].astype(float) for m in (*METRICS, *TOTALS)})
    theirs = played[played["nation"].isin(list(rivals))].groupby("seed")
    if rivals:
        frame["rival_capability"] = theirs["capability"].max().astype(float)
        frame["rival_ai_compute_h100e"] = theirs["ai_compute_h100e"].sum().astype(float)
        frame["rival_advanced_wafers_made"] = theirs["advanced_wafers_made"].sum().astype(float)
    frame["win"] = wins.astype(float)
    return frame.dropna()


def rivals_of(ruleset: Any, nation: str) -> list[str]:
    """The nations in the blocs the nation's bloc names as rivals (its computer players race them)."""
    blocs = set(ruleset.blocs[ruleset.nations[nation].bloc].rivals)
    return sorted(code for code, spec in ruleset.nations.items() if spec.bloc in blocs and code != nation)


def lever_table(plan: TournamentPlan, runs: pd.DataFrame, final: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per (ruleset, nation, lever, outcome): the probe's paired effect against no new orders."""
    import pandas as pd

    from techrace.batch.compare import paired_effect

    rows = []
    for label in plan.rulesets:
        for nation in plan.nations:
            probes = [a for a in _arm_ids(plan, label, nation) if plan.arms[a].kind == "probe"]
            if not probes:
                continue
            rivals = rivals_of(plan.rulesets[label], nation)
            base = outcome_values(runs, final, label, f"{nation}/no-new-orders", nation, rivals)
            for arm in probes:
                pulled = outcome_values(runs, final, label, arm, nation, rivals)
                both = base.add_suffix("_a").join(pulled.add_suffix("_b"), how="inner")
                if both.empty:
                    continue
                for outcome in [o for o in OUTCOMES if f"{o}_a" in both]:
                    x, y = both[f"{outcome}_a"].to_numpy(float), both[f"{outcome}_b"].to_numpy(float)
                    effect = paired_effect(x, y, seed, mean=outcome == "win")
                    low, high = (effect["ci_low"], effect["ci_high"]) if len(both) >= MIN_PAIRS else (math.nan, math.nan)
                    rows.append({"ruleset": label, "nation": nation, "lever": plan.arms[arm].name, "outcome": outcome,
                                 "effect": effect["effect"], "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=list(LEVER_COLUMNS))


def beyond_noise(levers: pd.DataFrame) -> pd.DataFrame:
    """The rows whose 95% interval excludes 0."""
    return levers[(levers["ci_low"] > 0) | (levers["ci_high"] < 0)]


def refused_orders(plan: TournamentPlan, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Orders the games refused, per arm and order, summed over runs and rulesets, with the first reason."""
    import pandas as pd

    found: dict[tuple[str, int], dict[str, Any]] = {}
    for record in sorted(records, key=lambda r: r["run"]):
        for order, (times, reason) in (record.get("refused") or {}).items():
            entry = found.setdefault((record["arm"], int(order)), {"rulesets": set(), "runs": 0, "times": 0, "reason": reason})
            entry["rulesets"].add(record["ruleset"])
            entry["runs"] += 1
            entry["times"] += times
    rows = [{"arm": arm, "order": order, "rulesets": len(e["rulesets"]), "runs": e["runs"], "times": e["times"],
             "first_reason": e["reason"]} for (arm, order), e in sorted(found.items())]
    return pd.DataFrame(rows, columns=["arm", "order", "rulesets", "runs", "times", "first_reason"])


def write_tables(out: Path, store: BatchStore, plan: TournamentPlan, runs: int, seed: int, command: str,
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`strategies.csv`, `levers.csv` and `summary.md` in `out` (each written whole, then renamed)."""
    import os

    from techrace.batch.balance import summary

    finished, final, records = read_runs(store)
    strategies = strategy_table(plan, finished)
    levers = lever_table(plan, finished, final, seed)
    manifest = store.read_manifest()
    text = summary(plan, strategies, levers, finished, refused_orders(plan, records), manifest, runs, command)
    for name, write in (("strategies.csv", lambda p: strategies.to_csv(p, index=False, float_format="%.6g")),
                        ("levers.csv", lambda p: levers.to_csv(p, index=False, float_format="%.6g")),
                        ("summary.md", lambda p: p.write_text(text, encoding="utf-8"))):
        tmp = out / f".{name}.tmp"
        write(tmp)
        os.replace(tmp, out / name)
    return strategies, levers
