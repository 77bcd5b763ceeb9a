"""Outcomes of runs: the headline metrics at the final turn, and outcomes a user defines in YAML.

```yaml
# outcomes.yaml: one entry per outcome, usable in report, compare, sensitivity and discover
cn_peak_capability: {metric: capability, nation: CN, reducer: max}
us_mean_gdp:        {metric: gdp_index, nation: US, reducer: mean, min_relevant: 0.5}
year_cn_reaches_150: {metric: capability, nation: CN, reducer: first_crossing, threshold: 150}
compute_final:      {metric: ai_compute_h100e, reducer: final, min_relevant: 5%}   # every nation
```

Reducers work over each run's turns: `final`, `max`, `min`, `mean`, and `first_crossing` (the first turn at
which the metric is at or above `threshold`, or at or below it with `direction: below`; a run that never
crosses gets turns + 1, so "never" sorts after every quarter of the game). `min_relevant` is the smallest
difference that matters to `compare` (a number in the outcome's unit, or a percentage of arm A's median).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from techrace.batch.plan import PlanError
from techrace.batch.store import BatchStore
from techrace.batch.summary import HEADLINES
from techrace.safe_text import printable

if TYPE_CHECKING:
    import pandas as pd

REDUCERS = ("final", "max", "min", "mean", "first_crossing")
MAX_OUTCOMES_BYTES = 256 * 1024
# the smallest difference worth a star in `compare`, per headline metric (a number, or "5%" of arm A's median)
MIN_RELEVANT: dict[str, float | str] = {
    "capability": 1.0, "gdp_index": 1.0, "best_node_nm": 1.0, "wins": 0.05,
    "ai_compute_h100e": "5%", "largest_training_run_flop": "5%", "advanced_wafer_starts": "5%",
    "accelerators_produced": "5%", "hbm_stacks_produced": "5%", "engineers": "5%",
}


class OutcomeSpec(BaseModel):
    """One user-defined outcome: a metric of one nation (or of every nation) reduced over a run's turns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(..., description="a results column, e.g. capability")
    nation: str | None = Field(None, description="one nation code; omitted: every nation")
    reducer: Literal["final", "max", "min", "mean", "first_crossing"] = "final"
    threshold: float | None = Field(None, description="for first_crossing")
    direction: Literal["above", "below"] = "above"
    min_relevant: float | str | None = Field(None, description="smallest difference that matters (number or N%)")

    @field_validator("threshold")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("min_relevant")
    @classmethod
    def _relevant(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, str):
            number = value.strip().removesuffix("%")
            if not value.strip().endswith("%") or not _is_finite_number(number) or float(number) < 0:
                raise ValueError("must be a number or a percentage such as 5%")
        elif value is not None and (not math.isfinite(value) or value < 0):
            raise ValueError("must be a finite number >= 0")
        return value

    def describe(self) -> str:
        where = self.nation or "each nation"
        if self.reducer == "first_crossing":
            side = ">=" if self.direction == "above" else "<="
            return f"first turn {self.metric} {side} {self.threshold:g} ({where}; never = turns + 1)"
        return f"{self.reducer} {self.metric} ({where})"


def _is_finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def load_outcomes(path: str | os.PathLike[str] | None) -> dict[str, OutcomeSpec]:
    """Read an outcomes file (safe YAML, a regular file of bounded size); one-line errors name file and key."""
    if path is None:
        return {}
    import yaml

    file = Path(path)
    try:
        with open(file, "rb") as handle:
            if not os.path.isfile(file) or os.fstat(handle.fileno()).st_size > MAX_OUTCOMES_BYTES:
                raise PlanError(f"{file}: not a regular file of at most {MAX_OUTCOMES_BYTES // 1024} KB")
            data = yaml.safe_load(handle.read(MAX_OUTCOMES_BYTES + 1))
    except OSError as exc:
        raise PlanError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise PlanError(f"{file}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(data, dict) or not data:
        raise PlanError(f"{file}: expected a mapping of outcome names to {{metric, nation, reducer, ...}}")
    specs: dict[str, OutcomeSpec] = {}
    for name, body in data.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise PlanError(f"{file}: outcome name {name!r} must be a plain identifier (letters, digits, _)")
        if name in HEADLINES or name == "wins":
            raise PlanError(f"{file}: {name}: the name is taken by a built-in outcome; choose another")
        try:
            spec = OutcomeSpec.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in (name, *first["loc"]))
            raise PlanError(f"{file}: {key}: {first['msg']}") from None
        if spec.reducer == "first_crossing" and spec.threshold is None:
            raise PlanError(f"{file}: {name}.threshold: first_crossing needs a threshold")
        specs[name] = spec
    return specs


def check_outcomes(specs: Mapping[str, OutcomeSpec], columns: Sequence[str], nations: Sequence[str]) -> None:
    """Refuse outcomes that name a metric or nation the batch does not have, before any work."""
    for name, spec in specs.items():
        if spec.metric not in columns:
            raise PlanError(f"outcome {name}: metric {spec.metric!r} is not a results column "
                            f"({', '.join(c for c in columns if c not in ('run', 'seed', 'turn', 'quarter', 'nation'))})")
        if spec.nation is not None and spec.nation not in nations:
            raise PlanError(f"outcome {name}: nation {spec.nation!r} is not in the batch ({', '.join(nations)})")


def outcome_frame(store: BatchStore, specs: Mapping[str, OutcomeSpec], headlines: Sequence[str] = HEADLINES,
                  turns: int | None = None) -> pd.DataFrame:
    """One row per (run, nation): the headline metrics at the run's final turn, then each user outcome
    (NaN for nations a nation-specific outcome does not cover). Reads one part file at a time."""
    import pandas as pd

    names = store.schema_names()
    heads = [h for h in headlines if h in names]
    metrics = sorted({*heads, *(s.metric for s in specs.values())})
    frames = []
    for table in store.iter_tables(["run", "turn", "nation", *metrics]):
        frames.append(_reduce(table.to_pandas(), heads, specs, turns))
    if not frames:
        return pd.DataFrame(columns=["run", "nation", *heads, *specs])
    return pd.concat(frames, ignore_index=True).sort_values(["run", "nation"], ignore_index=True)


def _reduce(frame: pd.DataFrame, heads: Sequence[str], specs: Mapping[str, OutcomeSpec],
            turns: int | None) -> pd.DataFrame:
    frame = frame.sort_values(["run", "nation", "turn"])
    groups = frame.groupby(["run", "nation"], sort=True)
    out = groups[list(heads)].last() if heads else groups.size().to_frame("n").drop(columns="n")
    never = (turns if turns is not None else int(frame["turn"].max())) + 1
    for name, spec in specs.items():
        column = groups[spec.metric]
        if spec.reducer == "first_crossing":
            hit = frame[spec.metric] >= spec.threshold if spec.direction == "above" else frame[spec.metric] <= spec.threshold
            first = frame[hit].groupby(["run", "nation"])["turn"].min()
            values = first.reindex(out.index).fillna(never).astype(float)
        else:
            values = getattr(column, "last" if spec.reducer == "final" else spec.reducer)()
        if spec.nation is not None:
            values = values.where(values.index.get_level_values("nation") == spec.nation)
        out[name] = values
    return out.reset_index()


def min_relevant(outcome: str, specs: Mapping[str, OutcomeSpec], given: Mapping[str, float | str] | None = None,
                 ) -> float | str:
    """The minimum relevant difference of an outcome: given on the command line, in the outcomes file, or the default."""
    if given and outcome in given:
        return given[outcome]
    spec = specs.get(outcome)
    if spec is not None and spec.min_relevant is not None:
        return spec.min_relevant
    if spec is not None:
        return MIN_RELEVANT.get(spec.metric, 0.0) if spec.reducer != "first_crossing" else 1.0
    return MIN_RELEVANT.get(outcome, 0.0)


def relevant_threshold(rule: float | str, reference: float) -> float:
    """A minimum relevant difference as a number: a percentage applies to arm A's median."""
    if isinstance(rule, str):
        return abs(reference) * float(rule.strip().removesuffix("%")) / 100.0
    return float(rule)


def parse_min_relevant(texts: Sequence[str]) -> dict[str, float | str]:
    """`--min-relevant capability=2 --min-relevant ai_compute_h100e=10%` -> {outcome: rule}."""
    rules: dict[str, float | str] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        value = value.strip()
        number = value.removesuffix("%")
        if not sep or not key.strip() or not _is_finite_number(number) or float(number) < 0:
            raise PlanError(f"--min-relevant expects OUTCOME=NUMBER or OUTCOME=N%, got {text!r}")
        rules[key.strip()] = value if value.endswith("%") else float(value)
    return rules


def check_min_relevant(rules: Mapping[str, float | str] | None, known: Sequence[str]) -> None:
    """Refuse a --min-relevant for an outcome the comparison does not report, before any game: a misspelt
    name would otherwise be ignored and the default threshold used without a word."""
    import difflib

    for name in rules or {}:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise PlanError(f"--min-relevant {printable(name)!r} is not an outcome of this comparison{hint} "
                            f"(outcomes: {', '.join(known)})")


def outcome_names(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("run", "nation")]


def describe(name: str, specs: Mapping[str, OutcomeSpec]) -> str:
    return specs[name].describe() if name in specs else ("won the game" if name == "wins" else f"final {name}")


def with_wins(frame: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Add `wins` (1 when the nation won the run, else 0) from the per-run table."""
    winners = runs.set_index("run")["winner"]
    frame = frame.copy()
    frame["wins"] = (frame["run"].map(winners).astype(object) == frame["nation"]).astype(float)
    return frame
