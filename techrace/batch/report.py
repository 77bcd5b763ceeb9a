"""`techrace report DIR`: charts over calendar years (PNG) and a markdown summary a reader can use.

Per sweep point (never pooled across points, unless a sampled design has too many points to show apart):
every outcome's final value per nation, who won, and the paired differences with confidence intervals
between each point and the first (the points share seeds, so the pairs cancel the luck they share). Charts:
a fan chart per outcome with one panel per nation (nations whose values are all zero are dropped), a log
scale when the values span decades, and a "race" chart with every nation on one axis.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.outcomes import describe, load_outcomes, outcome_frame, outcome_names, with_wins
from techrace.batch.store import BatchStore
from techrace.batch.summary import HEADLINES, format_number

if TYPE_CHECKING:
    import pandas as pd

BANDS = ((0.05, 0.95, 0.18), (0.25, 0.75, 0.35))  # (low, high, opacity)
MAX_POINTS_APART = 6  # more points than this (a sampled design) are pooled in the charts
MAX_GROUP_VALUES = 12
DECADES_FOR_LOG = 2.0  # log scale when the positive values span more than two decades
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def write_report(batch_dir: str | Path, out: str | Path | None = None, outcomes_file: str | None = None) -> Path:
    """Write charts and report.md for a batch; returns the markdown file."""
    from techrace.batch.api import load_results
    from techrace.batch.outcomes import check_outcomes

    store = BatchStore(batch_dir)
    manifest = store.read_manifest()
    specs = load_outcomes(outcomes_file)
    runs = load_results(store.dir, table="runs")  # checks the parts first
    check_outcomes(specs, store.schema_names(), [c.removeprefix("score_") for c in runs.columns if c.startswith("score_")])
    target = Path(out) if out is not None else store.dir / "_report"
    target.mkdir(parents=True, exist_ok=True)
    per_point = int(manifest["plan"]["runs"])
    points = len(manifest["plan"]["points"])
    apart = points if 1 < points <= MAX_POINTS_APART else 1
    years = _years(store)
    charts: list[Path] = []
    for outcome in [h for h in HEADLINES if h in store.schema_names()]:
        table = turn_quantiles(store, outcome, per_point if apart > 1 else None)
        charts.append(fan_chart(table, outcome, years, target / f"fan_{outcome}.png", _labels(manifest, apart)))
        charts.append(race_chart(table, outcome, years, target / f"race_{outcome}.png", _labels(manifest, apart)))
    final = with_wins(outcome_frame(store, specs, HEADLINES, int(manifest["plan"]["turns"])), runs)
    final["point"] = final["run"] // per_point
    text = _markdown(manifest, store, final, runs, specs, per_point, [c.relative_to(target) for c in charts])
    report = target / "report.md"
    report.write_text(text, encoding="utf-8")
    return report


def _labels(manifest: dict[str, Any], apart: int) -> list[str]:
    if apart == 1:
        return ["all runs"]
    return [", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in p.items()) or f"point {i}"
            for i, p in enumerate(manifest["plan"]["points"])]


def _years(store: BatchStore) -> dict[int, float]:
    """Turn -> calendar year at the middle of its quarter (2025Q1 -> 2025.125)."""
    first = next(store.iter_tables(["turn", "quarter"])).to_pandas().drop_duplicates("turn")
    return {int(t): int(q[:4]) + (int(q[-1]) - 1) / 4 + 0.125 for t, q in zip(first["turn"], first["quarter"], strict=True)}


def turn_quantiles(store: BatchStore, outcome: str, per_point: int | None = None) -> pd.DataFrame:
    """p5/p25/median/p75/p95 of an outcome per (point, nation, turn); point 0 only when pooled."""
    import pandas as pd

    frames = []
    for table in store.iter_tables(["run", "turn", "nation", outcome]):
        frame = table.to_pandas()
        frame["point"] = frame["run"] // per_point if per_point else 0
        frames.append(frame.drop(columns="run"))
    frame = pd.concat(frames, ignore_index=True)
    return frame.groupby(["point", "nation", "turn"])[outcome].quantile(list(QUANTILES)).unstack()


def _shown_nations(table: pd.DataFrame) -> list[str]:
    """Nations with any non-zero value (an all-zero panel says nothing)."""
    nations = list(dict.fromkeys(table.index.get_level_values("nation")))
    return [n for n in nations if (table.xs(n, level="nation").abs().fillna(0) > 0).to_numpy().any()]


def wants_log(table: pd.DataFrame, nations: list[str]) -> bool:
    """Log scale when the medians of the shown nations span more than two decades (zeros ignored)."""
    import numpy as np

    values = table[table.index.get_level_values("nation").isin(nations)][0.5].to_numpy(float)
    positive = values[values > 0]
    if not len(positive) or (values < 0).any():
        return False
    return bool(np.log10(positive.max()) - np.log10(positive.min()) > DECADES_FOR_LOG)


def fan_chart(table: pd.DataFrame, outcome: str, years: dict[int, float], path: Path, labels: list[str]) -> Path:
    plt = _pyplot()
    nations = _shown_nations(table) or list(dict.fromkeys(table.index.get_level_values("nation")))[:1]
    cols = min(4, len(nations))
    rows = -(-len(nations) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.5 * rows + 0.4), sharex=True, sharey=True, squeeze=False)
    log = wants_log(table, nations)
    points = sorted(set(table.index.get_level_values("point")))
    colours = plt.get_cmap("tab10")
    for ax, nation in zip(axes.flat, nations, strict=False):
        for k in points:
            data = _series(table, k, nation)
            if data is None:
                continue
            x = [years[t] for t in data.index]
            colour = colours(k % 10)
            bands = BANDS if len(points) == 1 else BANDS[1:]
            for low, high, alpha in bands:
                ax.fill_between(x, data[low], data[high], color=colour, alpha=alpha, linewidth=0)
            ax.plot(x, data[0.5], color=colour, linewidth=1.4, label=labels[k] if len(points) > 1 else None)
        ax.set_title(nation, fontsize=9)
        ax.tick_params(labelsize=7)
        if log:
            ax.set_yscale("log")
    for ax in list(axes.flat)[len(nations):]:
        ax.set_visible(False)
    if len(points) > 1:
        axes.flat[0].legend(fontsize=6, loc="upper left")
    bands = "5-95% and 25-75%" if len(points) == 1 else "25-75% per point"
    fig.suptitle(f"{outcome}: median and {bands} of runs" + (" (log scale)" if log else ""), fontsize=10)
    fig.supxlabel("year", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def race_chart(table: pd.DataFrame, outcome: str, years: dict[int, float], path: Path, labels: list[str]) -> Path:
    """Every nation's median on one axis (one panel per sweep point): who leads, and when."""
    plt = _pyplot()
    nations = _shown_nations(table) or list(dict.fromkeys(table.index.get_level_values("nation")))[:1]
    points = sorted(set(table.index.get_level_values("point")))
    fig, axes = plt.subplots(1, len(points), figsize=(5.5 * len(points), 3.8), sharey=True, squeeze=False)
    log = wants_log(table, nations)
    colours = plt.get_cmap("tab10")
    for ax, k in zip(axes.flat, points, strict=True):
        for i, nation in enumerate(nations):
            data = _series(table, k, nation)
            if data is None:
                continue
            x = [years[t] for t in data.index]
            ax.plot(x, data[0.5], color=colours(i % 10), linewidth=1.5, label=nation)
            ax.fill_between(x, data[0.25], data[0.75], color=colours(i % 10), alpha=0.15, linewidth=0)
        ax.set_title(labels[k] if len(points) > 1 else "all runs", fontsize=9)
        ax.set_xlabel("year", fontsize=9)
        if log:
            ax.set_yscale("log")
    axes.flat[-1].legend(fontsize=7, loc="best")
    fig.suptitle(f"race: median {outcome} of every nation (band: 25-75%)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _series(table: pd.DataFrame, point: int, nation: str) -> pd.DataFrame | None:
    """A nation's quantiles by turn at one point; None where the point's ruleset has no such nation
    (a `ruleset` sweep over rulesets with different nations)."""
    if (point, nation) not in table.index.droplevel("turn"):
        return None
    return table.loc[(point, nation)]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _markdown(manifest: dict[str, Any], store: BatchStore, final: pd.DataFrame, runs: pd.DataFrame,
              specs: dict[str, Any], per_point: int, charts: list[Path]) -> str:
    plan = manifest["plan"]
    failures = store.failures()
    design = plan.get("design", {}).get("kind", "grid" if len(plan["points"]) > 1 else "random" if plan.get("vary") else "")
    lines = [
        f"# Batch report: {manifest['ruleset']}", "",
        f"- command: `{manifest['command']}`",
        f"- ruleset `{manifest['ruleset']}` (sha256 {manifest['ruleset_hash'][:12]}), techrace {manifest['techrace_version']}"
        f", model {manifest.get('model', 'not recorded')}",
        f"- {manifest['done_count']} of {manifest['total_runs']} runs finished, {len(failures)} failed; "
        f"{per_point} runs per point, {len(plan['points'])} point(s), {plan['turns']} turns, seed {plan['seed']}"
        + (f", design {design}" if design else ""), "",
    ]
    outcomes = outcome_names(final.drop(columns="point"))
    many = len(plan["points"]) > MAX_GROUP_VALUES
    groups = [(None, final)] if many else list(final.groupby("point", sort=True))
    for point, frame in groups:
        lines += _point_section(plan, point, frame, runs, outcomes, specs)
    if not many and len(plan["points"]) > 1:
        lines += _differences(final, outcomes, specs, plan)
    for param in manifest.get("param_columns", []):
        if many or param in plan.get("vary", {}):
            lines += _correlations(final.merge(runs[["run", param]], on="run"), param, outcomes)
    lines += ["## Charts", "", "Fan charts (one panel per nation; all-zero nations dropped) and race charts "
              "(every nation on one axis); x axis in calendar years.", ""]
    lines += [f"![{c.stem}]({c.as_posix()})" for c in charts] + [""]
    if failures:
        lines += ["## Failed runs", "", "| run | seed | error |", "|---:|---:|---|"]
        lines += [f"| {f['run']} | {f['seed']} | {str(f['error']).replace('|', '/')} |" for f in failures[:20]]
        lines += [""] + ([f"({len(failures) - 20} more in _failures.json)", ""] if len(failures) > 20 else [])
    return "\n".join(lines)


def _point_section(plan: dict[str, Any], point: int | None, frame: pd.DataFrame, runs: pd.DataFrame,
                   outcomes: list[str], specs: dict[str, Any]) -> list[str]:
    if point is None:
        title = f"All {len(plan['points'])} design points together"
    else:
        values = plan["points"][point]
        title = f"Point {point}: " + (", ".join(f"`{k}` = {v}" for k, v in values.items()) if values else "every run")
    nations = list(dict.fromkeys(frame["nation"]))
    shown = [o for o in outcomes if o != "wins"]
    lines = [f"## {title}", "", "Final values, median [p5, p95] over runs:", "",
             "| outcome | " + " | ".join(nations) + " |", "|---|" + "---:|" * len(nations)]
    for outcome in shown:
        cells = []
        for nation in nations:
            v = frame.loc[frame["nation"] == nation, outcome].dropna()
            cells.append("-" if v.empty else f"{format_number(v.median())} [{format_number(v.quantile(0.05))}, "
                         f"{format_number(v.quantile(0.95))}]")
        lines.append(f"| {describe(outcome, specs)} | " + " | ".join(cells) + " |")
    mine = runs[runs["run"].isin(frame["run"])]
    wins = mine["winner"].fillna("none").value_counts()
    kinds = mine["victory_kind"].fillna("none").value_counts()
    lines += ["", "Winner: " + ", ".join(f"{w} {n / len(mine):.0%}" for w, n in wins.items())
              + "; victory kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.items()), ""]
    return lines


def _differences(final: pd.DataFrame, outcomes: list[str], specs: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """Each point against point 0, paired by replicate (the same seed): median difference [95% CI]."""
    from techrace.batch.compare import paired_table

    per_point = int(plan["runs"])
    if per_point < 3:
        return ["## Differences between points", "", f"Not computed: {per_point} run(s) per point (need 3+).", ""]
    lines = ["## Differences between points (paired by seed, against point 0)", "",
             "Median of per-seed differences [95% paired bootstrap CI]; `*`: q < 0.05 and at least the minimum "
             "relevant difference.", ""]
    base = final[final["point"] == 0].assign(run=lambda f: f["run"] % per_point).drop(columns="point")
    for point in sorted(set(final["point"]))[1:]:
        other = final[final["point"] == point].assign(run=lambda f: f["run"] % per_point).drop(columns="point")
        table = paired_table(base, other, specs, None, int(plan["seed"]))
        values = plan["points"][point]
        lines += [f"### Point {point} - point 0 (" + ", ".join(f"{k} = {v}" for k, v in values.items()) + ")", "",
                  "| outcome | nation | effect [95% CI] | relative | q |", "|---|---|---:|---:|---:|"]
        for row in table.itertuples(index=False):
            if row.constant:
                continue
            if row.n == 0:  # a nation one of the two points' rulesets lacks: nothing to pair
                where = f"point {point}" if row.median_a != row.median_a else "point 0"
                lines.append(f"| {row.outcome} | {row.nation} | only at {where}: no paired effect | - | - |")
                continue
            rel = "-" if row.rel_effect != row.rel_effect else f"{row.rel_effect:+.1%}"
            lines.append(f"| {row.outcome} | {row.nation} | {format_number(row.effect)} [{format_number(row.ci_low)}, "
                         f"{format_number(row.ci_high)}]{' *' if row.relevant else ''} | {rel} | {row.q:.2g} |")
        lines.append("")
    return lines


def _correlations(final: pd.DataFrame, param: str, outcomes: list[str]) -> list[str]:
    """Rank correlation of a sampled parameter with every final outcome, per nation."""
    if final[param].nunique() < 3:
        return []
    lines = [f"## Rank correlation of `{param}` with the outcomes", "",
             "| nation | " + " | ".join(outcomes) + " |", "|---|" + "---:|" * len(outcomes)]
    for nation, frame in final.groupby("nation", sort=False):
        cells = []
        for outcome in outcomes:
            pair = frame[[param, outcome]].dropna()
            value = pair[param].rank().corr(pair[outcome].rank()) if len(pair) > 2 else float("nan")
            cells.append("-" if value != value else f"{value:.2f}")
        lines.append(f"| {nation} | " + " | ".join(cells) + " |")
    return lines + [""]
