"""Series over turns from the core's metric rows (one dict per turn and nation), for charts and sparklines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Names the core's nation view uses for the figures the metric rows carry.
VIEW_ALIASES = {"ai_compute_h100e": "compute_h100e", "advanced_wafer_starts": "advanced_wpm"}
METRICS = ("ai_compute_h100e", "capability", "best_node_nm", "advanced_wafer_starts", "engineers", "gdp_index")


def rows_of(game: Any, start: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The game's metric rows after `start` (the turn-0 rows, when known), so changes and trends
    include the first turn; before the first turn, the starting state from `game.view.nations()`."""
    rows = list(game.metric_rows)
    if rows:
        return list(start or []) + rows
    return list(start) if start else start_rows(game)


def start_rows(game: Any) -> list[dict[str, Any]]:
    """The nations' figures now, as metric rows of turn 0 (only the starting state before a turn)."""
    try:
        nations = game.view.nations()
    except Exception:
        return []
    start = []
    for row in nations:
        entry: dict[str, Any] = {"turn": 0, "quarter": game.quarter, "nation": row.get("nation")}
        for metric in METRICS:
            entry[metric] = row.get(metric, row.get(VIEW_ALIASES.get(metric, metric)))
        start.append(entry)
    return start


def by_nation(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each nation's rows in turn order (row order of the core, which is turn order)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(str(row.get("nation")), []).append(row)
    return out


def series(rows: list[dict[str, Any]], metric: str) -> tuple[list[float], list[float]]:
    """(turns, values) of one metric for one nation's rows, skipping missing values."""
    xs: list[float] = []
    ys: list[float] = []
    for row in rows:
        value = row.get(metric)
        if isinstance(value, int | float) and not isinstance(value, bool):
            xs.append(float(row.get("turn", len(xs))))
            ys.append(float(value))
    return xs, ys


def latest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return rows[-1] if rows else {}
