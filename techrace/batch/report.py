"""`techrace report DIR`: fan charts over turns (PNG) and a short markdown summary of a batch."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.store import BatchDirError, BatchStore
from techrace.batch.summary import HEADLINES, final_rows, headlines, markdown, quantile_table

if TYPE_CHECKING:
    import pandas as pd

LOG_SCALE = {"ai_compute_h100e", "largest_training_run_flop", "accelerators_produced", "hbm_stacks_produced"}
BANDS = ((0.05, 0.95, 0.18), (0.25, 0.75, 0.35))  # (low, high, opacity)
MAX_GROUP_VALUES = 12


def write_report(batch_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write fan charts and report.md for a batch; returns the markdown file."""
    store = BatchStore(batch_dir)
    manifest = store.read_manifest()
    if not store.parts():
        raise BatchDirError(f"{store.dir} holds no finished runs yet; nothing to report")
    target = Path(out) if out is not None else store.dir / "_report"
    target.mkdir(parents=True, exist_ok=True)
    outcomes = headlines(store, HEADLINES)
    charts = [fan_chart(store, outcome, target / f"fan_{outcome}.png") for outcome in outcomes]
    params = list(manifest.get("param_columns", []))
    final = final_rows(store, outcomes, params)
    text = _markdown(manifest, store, final, outcomes, params, [c.relative_to(target) for c in charts])
    report = target / "report.md"
    report.write_text(text, encoding="utf-8")
    return report


def turn_quantiles(store: BatchStore, outcome: str) -> pd.DataFrame:
    """p5/p25/median/p75/p95 of an outcome per (nation, turn) over every run."""
    import pandas as pd

    frames = [t.to_pandas() for t in store.iter_tables(["turn", "nation", outcome])]
    frame = pd.concat(frames, ignore_index=True)
    quantiles = frame.groupby(["nation", "turn"])[outcome].quantile([0.05, 0.25, 0.5, 0.75, 0.95])
    return quantiles.unstack()


def fan_chart(store: BatchStore, outcome: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = turn_quantiles(store, outcome)
    nations = list(dict.fromkeys(table.index.get_level_values("nation")))
    cols = min(4, len(nations))
    rows = -(-len(nations) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), sharex=True, sharey=True, squeeze=False)
    log = outcome in LOG_SCALE and float(table.min().min()) > 0
    for ax, nation in zip(axes.flat, nations, strict=False):
        data = table.loc[nation]
        for low, high, alpha in BANDS:
            ax.fill_between(data.index, data[low], data[high], color="tab:blue", alpha=alpha, linewidth=0)
        ax.plot(data.index, data[0.5], color="tab:blue", linewidth=1.5)
        ax.set_title(nation, fontsize=9)
        if log:
            ax.set_yscale("log")
    for ax in list(axes.flat)[len(nations):]:
        ax.set_visible(False)
    fig.suptitle(f"{outcome}: median, 25-75% and 5-95% of runs by turn", fontsize=10)
    fig.supxlabel("turn (quarters)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _markdown(manifest: dict[str, Any], store: BatchStore, final: pd.DataFrame, outcomes: list[str],
              params: list[str], charts: list[Path]) -> str:
    plan = manifest["plan"]
    failures = store.failures()
    lines = [
        f"# Batch report: {manifest['ruleset']}", "",
        f"- command: `{manifest['command']}`",
        f"- ruleset `{manifest['ruleset']}` (sha256 {manifest['ruleset_hash'][:12]}), techrace {manifest['techrace_version']}",
        f"- {manifest['done_count']} of {manifest['total_runs']} runs finished, {len(failures)} failed; "
        f"{plan['runs']} runs per point, {plan['turns']} turns, seed {plan['seed']}",
        "", "## Final turn, per nation", "", markdown(quantile_table(final, outcomes), outcomes), "",
    ]
    for param in params:
        lines += _by_parameter(final, param, outcomes)
    lines += ["## Fan charts", ""] + [f"![{c.stem}]({c.as_posix()})" for c in charts] + [""]
    if failures:
        lines += ["## Failed runs", "", "| run | seed | error |", "|---:|---:|---|"]
        lines += [f"| {f['run']} | {f['seed']} | {str(f['error']).replace('|', '/')} |" for f in failures[:20]]
        lines += [""] + ([f"({len(failures) - 20} more in _failures.json)", ""] if len(failures) > 20 else [])
    return "\n".join(lines)


def _by_parameter(final: pd.DataFrame, param: str, outcomes: list[str]) -> list[str]:
    """Median final outcome per value of a swept parameter, or rank correlation for a sampled one."""
    from techrace.batch.summary import format_number

    outcome = outcomes[0]
    values = final[param].dropna().unique()
    if len(values) <= MAX_GROUP_VALUES:
        table = final.groupby([param, "nation"])[outcome].median().unstack("nation")
        head = f"| {param} | " + " | ".join(table.columns) + " |"
        rows = [f"| {value} | " + " | ".join(format_number(v) for v in row) + " |" for value, row in table.iterrows()]
        return [f"## Median final {outcome} by `{param}`", "", head, "|---|" + "---:|" * len(table.columns), *rows, ""]
    corr = final.groupby("nation")[[param, *outcomes]].corr(method="spearman")
    lines = [f"## Rank correlation of `{param}` with final outcomes", "",
             "| nation | " + " | ".join(outcomes) + " |", "|---|" + "---:|" * len(outcomes)]
    for nation in dict.fromkeys(final["nation"]):
        cells = [f"{corr.loc[(nation, param), o]:.2f}".replace("nan", "-") for o in outcomes]
        lines.append(f"| {nation} | " + " | ".join(cells) + " |")
    return lines + [""]
