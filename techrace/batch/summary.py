"""Headline outcomes of a batch at each run's final turn: p5 / median / p95 per nation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from techrace.batch.store import BatchStore

if TYPE_CHECKING:
    import pandas as pd

HEADLINES = ("capability", "ai_compute_h100e", "best_node_nm", "advanced_wafer_starts", "gdp_index")
QUANTILES = {"p5": 0.05, "median": 0.5, "p95": 0.95}


def headlines(store: BatchStore, wanted: Sequence[str] = HEADLINES) -> list[str]:
    names = store.schema_names()
    return [c for c in wanted if c in names]


def final_rows(store: BatchStore, outcomes: Sequence[str], extra: Sequence[str] = ()) -> pd.DataFrame:
    """One row per (run, nation) at the run's last turn, read one part file at a time."""
    import pandas as pd

    columns = list(dict.fromkeys(["run", "turn", "nation", *outcomes, *extra]))
    frames = []
    for table in store.iter_tables(columns):
        frame = table.to_pandas()
        last = frame.groupby("run")["turn"].transform("max")
        frames.append(frame[frame["turn"] == last])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).sort_values(["run", "nation"], ignore_index=True)


def quantile_table(final: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Rows: nations; columns: (outcome, p5|median|p95)."""
    import pandas as pd

    grouped = final.groupby("nation", sort=True)[list(outcomes)]
    pieces = {label: grouped.quantile(q) for label, q in QUANTILES.items()}
    table = pd.concat(pieces, axis=1).swaplevel(axis=1)
    return table[[(o, label) for o in outcomes for label in QUANTILES]]


def format_number(value: float) -> str:
    """A number for a table: 3 significant digits below 1 (one decimal would print 0.05 as 0.1 and -0.012 as
    -0.0), one decimal to 1000, none above, then 3 significant digits; never a signed zero. The rounding is
    monotone, so an effect inside its interval prints inside it."""
    if value != value:  # NaN
        return "-"
    value = value + 0.0  # -0.0 -> 0.0
    magnitude = abs(value)
    if magnitude and (magnitude >= 1e6 or magnitude < 1):
        return f"{value:.3g}"
    return f"{value:,.1f}" if magnitude < 1000 else f"{value:,.0f}"


def render(table: pd.DataFrame, outcomes: Sequence[str], title: str) -> object:
    """A rich Table: one row per nation, one 'p5 / median / p95' cell per outcome."""
    from rich.table import Table

    out = Table(title=title, title_justify="left")
    out.add_column("nation")
    for outcome in outcomes:
        out.add_column(f"{outcome}\np5 / median / p95", justify="right")
    for nation, row in table.iterrows():
        cells = [" / ".join(format_number(row[(o, label)]) for label in QUANTILES) for o in outcomes]
        out.add_row(str(nation), *cells)
    return out


def markdown(table: pd.DataFrame, outcomes: Sequence[str]) -> str:
    head = "| nation | " + " | ".join(f"{o} (p5 / median / p95)" for o in outcomes) + " |"
    rule = "|---|" + "---:|" * len(outcomes)
    lines = [head, rule]
    for nation, row in table.iterrows():
        cells = [" / ".join(format_number(row[(o, label)]) for label in QUANTILES) for o in outcomes]
        lines.append(f"| {nation} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
