"""The calibration report: the model's figures against the calibration sheet's ranges.

A ruleset's `calibration:` section lists checks as data (schema.CalibrationCheck). `calibrate` plays a
few seeds headless, only as far as the latest quarter any check reads, evaluates every check per seed
and returns one row per check: the values over the seeds, their median and spread, and whether the
median lies in the sheet's range. It prints nothing; the CLI face renders the rows.

Each row also says what held its nation back while it was measured: the advisor's constraints
(core/constraints.py) read after every quarter of the check's window and averaged over quarters and seeds.
A trend that falls short of the history because a constraint binds (the HBM shortage of 2025) is then
told apart from one whose drive is wrong.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from techrace.core.constraints import constraints
from techrace.core.game import Game, check_seed
from techrace.errors import TechraceError
from techrace.ruleset import Ruleset, RulesetError, ruleset_hash
from techrace.ruleset.crossref import calibration_quarter_errors
from techrace.ruleset.schema import CalibrationCheck, CalibrationMeasure, quarter_index
from techrace.ruleset.source import Mark

MAX_SEEDS = 1000


@dataclass(frozen=True)
class Hold:
    """A constraint that bound a check's nation while the check was measured."""

    nation: str
    constraint: str                 # its label, e.g. "HBM"
    binding: float                  # mean over the window's quarters and the seeds (0..1)


@dataclass(frozen=True)
class CalibrationRow:
    """One check evaluated over the seeds; `values` holds None for a seed whose game ended before the
    check's quarters (a victory), and `ok` is None when no seed reached them."""

    check: str
    figure: str
    source: str
    kind: str                       # "state" (at, total) or "trend" (growth_per_year)
    measure: CalibrationMeasure
    low: float
    high: float
    values: tuple[float | None, ...]
    held_by: tuple[Hold, ...] = ()  # most binding first, per nation in the order they were first seen

    @property
    def known(self) -> list[float]:
        return [v for v in self.values if v is not None]

    @property
    def median(self) -> float | None:
        return statistics.median(self.known) if self.known else None

    @property
    def spread(self) -> tuple[float, float] | None:
        return (min(self.known), max(self.known)) if self.known else None

    @property
    def ok(self) -> bool | None:
        median = self.median
        return None if median is None else self.low <= median <= self.high


@dataclass(frozen=True)
class CalibrationReport:
    ruleset: str
    ruleset_hash: str
    seeds: tuple[int, ...]
    turns: int                      # quarters played per seed
    rows: tuple[CalibrationRow, ...]

    @property
    def out(self) -> list[CalibrationRow]:
        return [row for row in self.rows if row.ok is False]


def window(measure: CalibrationMeasure) -> list[str]:
    """The quarters a measure reads, first and last (one quarter for `at`)."""
    if measure.at is not None:
        return [measure.at]
    return list(measure.growth_per_year or measure.total or [])


def turns_needed(ruleset: Ruleset) -> int:
    """Quarters to play so that every check's last quarter has been played (0 with no checks)."""
    ends = [quarter_index(window(c.measure)[-1], ruleset.start_quarter) + 1 for c in ruleset.calibration.values()]
    return min(max(ends, default=0), ruleset.turns)


def _by_quarter(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """quarter -> nation -> row, from a game's metric rows."""
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        table.setdefault(row["quarter"], {})[row["nation"]] = row
    return table


def _reduced(measure: CalibrationMeasure, nations: dict[str, Any]) -> tuple[float, float]:
    """(listed nations' value, the world's value for a share, else 1) in one quarter; a missing value
    (e.g. no node in volume) counts 0."""
    listed = list(nations) if measure.nations == "all" else measure.nations
    values = [float(nations[n][measure.metric] or 0.0) for n in listed]
    if measure.reduce == "max":
        return max(values, default=0.0), 1.0
    if measure.reduce == "share":
        return sum(values), sum(float(row[measure.metric] or 0.0) for row in nations.values())
    return sum(values), 1.0


def evaluate(measure: CalibrationMeasure, rows: Sequence[dict[str, Any]], start: str) -> float | None:
    """A measure's value in one game's metric rows, or None if the game did not reach its quarters."""
    table = _by_quarter(rows)
    first, last = window(measure)[0], window(measure)[-1]
    if first not in table or last not in table:
        return None
    if measure.total is not None:  # a share of a total is the listed nations' total over the world's
        span = [q for q in table if quarter_index(first, start) <= quarter_index(q, start) <= quarter_index(last, start)]
        parts = [_reduced(measure, table[q]) for q in span]
        whole = sum(p[1] for p in parts) if measure.reduce == "share" else 1.0
        return _ratio(sum(p[0] for p in parts), whole)
    value = _ratio(*_reduced(measure, table[last]))
    if measure.at is not None:
        return value
    before = _ratio(*_reduced(measure, table[first]))
    years = (quarter_index(last, start) - quarter_index(first, start)) / 4.0
    return (value / before) ** (1.0 / years) if before > 0 else float("nan")


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole > 0 else float("nan")


def check_seed_count(seeds: object) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise TechraceError(f"--seeds must be a whole number from 1 to {MAX_SEEDS}, got {seeds!r}")
    return seeds


def calibrate(ruleset: Ruleset, seeds: int = 5) -> CalibrationReport:
    """Play seeds 0..seeds-1 headless as far as the checks need and evaluate every check on each."""
    check_seed_count(seeds)
    nowhere = Mark("", 0, 0, ruleset.name)
    outside = calibration_quarter_errors(ruleset.model_dump(mode="json", by_alias=True), {}, nowhere)
    if outside:  # as `key.path: message`, like reference_errors (a Ruleset object has no file positions)
        raise RulesetError([line.split(": ", 1)[1].rsplit(" [layer ", 1)[0] for line in outside])
    turns = turns_needed(ruleset)
    seed_list = tuple(check_seed(s) for s in range(seeds))
    values: dict[str, list[float | None]] = {cid: [] for cid in ruleset.calibration}
    held: dict[str, list[Bindings]] = {cid: [] for cid in ruleset.calibration}
    for seed in seed_list if turns else ():
        game = Game.from_ruleset(ruleset, seed=seed)
        bound = _play(game, turns)
        played = game.metric_rows
        for cid, check in ruleset.calibration.items():
            values[cid].append(evaluate(check.measure, played, ruleset.start_quarter))
            held[cid] += _held(check.measure, played, bound, ruleset.start_quarter)
    rows = tuple(_row(cid, check, values[cid], _mean_holds(held[cid])) for cid, check in ruleset.calibration.items())
    return CalibrationReport(ruleset.name, ruleset_hash(ruleset), seed_list, turns, rows)


def _row(cid: str, check: CalibrationCheck, values: list[float | None], held_by: tuple[Hold, ...] = ()) -> CalibrationRow:
    kind = "trend" if check.measure.growth_per_year is not None else "state"
    clean = tuple(None if v is None or v != v else v for v in values)  # NaN (e.g. a share of nothing): no value
    return CalibrationRow(cid, check.figure, check.source, kind, check.measure, check.range[0], check.range[1], clean,
                          held_by)


# ------------------------------------------------------------------------------ what held the figures

Bindings = tuple[str, dict[str, float]]  # (nation, constraint label -> binding) after one quarter of one seed


def _play(game: Game, turns: int) -> dict[str, dict[str, dict[str, float]]]:
    """Play `turns` quarters as `Game.run` does; after each, every nation's constraints (quarter -> nation ->
    label -> binding), read before the next quarter overwrites what the markets recorded."""
    bound: dict[str, dict[str, dict[str, float]]] = {}
    for _ in range(turns):
        quarter = game.step().quarter
        bound[quarter] = {n: {c.label: c.binding for c in constraints(game.model, n)} for n in game.nations}
    return bound


def _held(measure: CalibrationMeasure, rows: Sequence[dict[str, Any]], bound: dict[str, dict[str, dict[str, float]]],
          start: str) -> list[Bindings]:
    """The constraints of the check's nation in each quarter its figure moved in: the listed nations of a sum or a
    share; for `all` or a max, the one holding the largest value at the window's end. A growth's first quarter
    is its base, so its constraints are left out (the figure grew in the quarters after it)."""
    table = _by_quarter(rows)
    first, last = window(measure)[0], window(measure)[-1]
    if last not in table:
        return []
    listed = list(table[last]) if measure.nations == "all" else measure.nations
    if measure.nations == "all" or measure.reduce == "max":
        listed = [max(listed, key=lambda n: float(table[last][n][measure.metric] or 0.0))]  # first of equals
    lo, hi = quarter_index(first, start) + (measure.growth_per_year is not None), quarter_index(last, start)
    quarters = [q for q in bound if lo <= quarter_index(q, start) <= hi]
    return [(n, bound[q][n]) for q in quarters for n in listed]


def _mean_holds(held: list[Bindings]) -> tuple[Hold, ...]:
    """Mean binding per nation and constraint over every quarter and seed it was read in; every constraint that bound
    at all, most binding first (the face chooses how many to name)."""
    seen: dict[str, int] = {}
    sums: dict[tuple[str, str], float] = {}
    for nation, bindings in held:
        seen[nation] = seen.get(nation, 0) + 1
        for label, binding in bindings.items():
            sums[nation, label] = sums.get((nation, label), 0.0) + binding
    holds: list[Hold] = []
    for nation, count in seen.items():
        mine = sorted(((-total / count, label) for (n, label), total in sums.items() if n == nation))
        holds += [Hold(nation, label, -mean) for mean, label in mine if -mean > 0.0]
    return tuple(holds)
