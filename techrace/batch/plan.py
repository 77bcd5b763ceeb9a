"""What a batch plays: which runs, with which seeds and which ruleset values.

A batch is a list of parameter *points* (one empty point for a plain Monte Carlo batch, the grid of
`--sweep` values, or the sample rows of a sensitivity analysis) times `runs` replicates. Run number
`point * runs + rep` plays with the seed derived from (S, rep) through numpy's SeedSequence, so every
point sees the same seeds (common random numbers: differences between points come from the
parameters, not from luck) and no result depends on worker count or engine.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml

from techrace.errors import TechraceError

DISTRIBUTIONS = ("uniform", "loguniform", "choice")
DESIGNS = ("grid", "random", "lhs", "sobol")
MAX_TURNS = 400  # the longest game a ruleset may set (schema: Ruleset.turns)
_VARY_STREAM = 0x76617279  # "vary": keeps the sampling stream apart from anything else seeded by the run


class PlanError(TechraceError):
    """A batch option that cannot be understood (bad --sweep, --vary, --param or seed)."""


@dataclass(frozen=True)
class RunSpec:
    """One game of a batch: its number, its seed and the ruleset values it overrides."""

    run: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Vary:
    """A factor: a ruleset value drawn from a range (`KEY=uniform:LO:HI`, `loguniform:LO:HI`) or a
    categorical choice (`KEY=choice:default,passive`), per run (random design) or by a design (lhs, sobol)."""

    kind: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple[Any, ...] = ()

    def draw(self, rng: np.random.Generator) -> Any:
        if self.kind == "choice":
            return self.choices[int(rng.integers(len(self.choices)))]
        if self.kind == "loguniform":
            return self._exp_within(rng.uniform(math.log(self.low), math.log(self.high)))
        return self._clamp(rng.uniform(self.low, self.high))

    def _clamp(self, value: float) -> float:
        """Rounding in exp/log (or in LO + u * (HI - LO)) must never carry a value past the range's ends."""
        return float(min(max(value, self.low), self.high))

    def _exp_within(self, log_value: float) -> float:
        """exp of a point on the log range; near the largest float, rounding can push exp past it."""
        try:
            return self._clamp(math.exp(min(log_value, math.log(self.high))))
        except OverflowError:
            return self.high

    def value_at(self, u: float) -> Any:
        """The factor's value at position `u` in [0, 1] of its range (designs sample the unit cube)."""
        if self.kind == "choice":
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.kind == "loguniform":
            return self._exp_within(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self._clamp(self.low + u * (self.high - self.low))

    def text(self) -> str:
        if self.kind == "choice":
            return "choice:" + ",".join(str(c) for c in self.choices)
        return f"{self.kind}:{self.low:g}:{self.high:g}"


def run_seed(seed: int, rep: int) -> int:
    """The game seed of replicate `rep` of a batch seeded with `seed` (a non-negative int64)."""
    state = np.random.SeedSequence(seed, spawn_key=(rep,)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def check_seed(seed: int) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise PlanError(f"seed must be a non-negative integer, got {seed!r}")
    return seed


@dataclass(frozen=True)
class BatchPlan:
    """The complete, serialisable description of a batch (stored in the manifest, checked on resume)."""

    runs: int
    turns: int
    seed: int
    points: tuple[dict[str, Any], ...] = ({},)
    vary: dict[str, Vary] = field(default_factory=dict)  # drawn per run (random design)
    design: dict[str, Any] = field(default_factory=dict)  # provenance of design points: kind, samples, factors
    play_keys: tuple[str, ...] = ()  # point keys that choose how a run is played (the play function's), not ruleset values

    def __post_init__(self) -> None:
        check_seed(self.seed)
        if self.runs < 1:
            raise PlanError(f"--runs must be at least 1, got {self.runs}")
        if not 1 <= self.turns <= MAX_TURNS:
            raise PlanError(f"--turns must be from 1 to {MAX_TURNS}, got {self.turns}")
        clash = sorted(set(self.vary) & {k for p in self.points for k in p})
        if clash:
            raise PlanError(f"{clash[0]} is both swept and varied; give it once")

    @property
    def total(self) -> int:
        return self.runs * len(self.points)

    @property
    def param_columns(self) -> list[str]:
        """One column per varied parameter, in the order they were given."""
        names: dict[str, None] = {}
        for point in self.points:
            names.update(dict.fromkeys(point))
        names.update(dict.fromkeys(self.vary))
        return list(names)

    @property
    def param_types(self) -> dict[str, str]:
        """The Parquet type of each parameter column: "float" when every value is a number, else "string"."""
        types: dict[str, str] = {}
        for key in self.param_columns:
            values = [p[key] for p in self.points if key in p]
            values += list(self.vary[key].choices) if key in self.vary else []
            numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
            types[key] = "float" if numeric else "string"
        return types

    def overrides(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The ruleset values a run's parameters set (not the ruleset it plays, not its play keys)."""
        return {k: v for k, v in params.items() if k != "ruleset" and k not in self.play_keys}

    def spec(self, run: int) -> RunSpec:
        point, rep = divmod(run, self.runs)
        seed = run_seed(self.seed, rep)
        params = dict(self.points[point])
        if self.vary:
            rng = np.random.default_rng([seed, _VARY_STREAM])
            params.update({key: dist.draw(rng) for key, dist in self.vary.items()})
        return RunSpec(run, seed, params)

    def specs(self, runs: Iterable[int]) -> Iterator[RunSpec]:
        return (self.spec(run) for run in runs)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs, "turns": self.turns, "seed": self.seed, "points": list(self.points),
            "vary": {key: dist.text() for key, dist in self.vary.items()}, "design": self.design,
            **({"play_keys": list(self.play_keys)} if self.play_keys else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BatchPlan:
        vary = {key: parse_distribution(key, text) for key, text in data.get("vary", {}).items()}
        return cls(int(data["runs"]), int(data["turns"]), int(data["seed"]), tuple(data["points"]), vary,
                   dict(data.get("design", {})), tuple(data.get("play_keys", ())))


_EXPONENT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+\s*$")


def parse_value(text: str) -> Any:
    """A command-line value as YAML reads it: 2400 -> int, 0.1 -> float, true -> bool, 2027Q3 -> str; and 1e3 ->
    1000.0, a number as YAML 1.2 and every analyst read it (PyYAML's YAML 1.1 keeps it as text, which the
    schema then took as 1000 while the results recorded the text '1e3')."""
    if _EXPONENT.match(text):
        return float(text)
    try:
        return yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        return text


def _split_assignment(text: str, option: str) -> tuple[str, str]:
    key, sep, rest = text.partition("=")
    if not sep or not key.strip() or not rest.strip():
        raise PlanError(f"{option} expects KEY=VALUES, got {text!r}")
    return key.strip(), rest.strip()


def parse_sweep(texts: Sequence[str]) -> dict[str, list[Any]]:
    """`--sweep controls.oct2023_chips.tpp=2400,4800,9600` (several allowed) -> {key: values}."""
    sweep: dict[str, list[Any]] = {}
    for text in texts:
        key, rest = _split_assignment(text, "--sweep")
        if key in sweep:
            raise PlanError(f"--sweep {key} given twice")
        values = [parse_value(v.strip()) for v in rest.split(",") if v.strip()]
        if not values:
            raise PlanError(f"--sweep {key} has no values")
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:  # the same point twice would play the same games twice and weigh them double
            raise PlanError(f"--sweep {key} gives {', '.join(twice)} more than once")
        sweep[key] = values
    return sweep


def grid_points(sweep: Mapping[str, Sequence[Any]]) -> tuple[dict[str, Any], ...]:
    """The full grid of swept values, the first key varying slowest."""
    keys = list(sweep)
    return tuple(dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(sweep[k] for k in keys)))


def parse_distribution(key: str, text: str, option: str = "--vary") -> Vary:
    if text.startswith("choice:"):
        choices = tuple(parse_value(v.strip()) for v in text[len("choice:"):].split(",") if v.strip())
        if len(choices) < 2 or len(set(map(str, choices))) != len(choices):
            raise PlanError(f"{option} {key}: choice needs two or more different values, got {text!r}")
        bad = [c for c in choices if isinstance(c, float) and not math.isfinite(c)]
        if bad:
            raise PlanError(f"{option} {key}: {bad[0]} is not a finite number")
        return Vary("choice", choices=choices)
    parts = text.split(":")
    if len(parts) != 3 or parts[0] not in DISTRIBUTIONS:
        raise PlanError(f"{option} {key}: expected uniform:LO:HI, loguniform:LO:HI or choice:A,B,..., got {text!r}")
    try:
        low, high = float(parts[1]), float(parts[2])
    except ValueError:
        raise PlanError(f"{option} {key}: bounds must be numbers, got {text!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(high - low)) or low > high:
        raise PlanError(f"{option} {key}: need finite LO <= HI (and a finite HI - LO), got {text!r}")
    if parts[0] == "loguniform" and low <= 0:
        raise PlanError(f"{option} {key}: loguniform needs LO > 0, got {text!r}")
    return Vary(parts[0], low, high)


def parse_vary(texts: Sequence[str]) -> dict[str, Vary]:
    """`--vary shocks.taiwan_earthquake.probability_per_quarter=uniform:0:0.1` -> {key: Vary}."""
    vary: dict[str, Vary] = {}
    for text in texts:
        key, rest = _split_assignment(text, "--vary")
        if key in vary:
            raise PlanError(f"--vary {key} given twice")
        vary[key] = parse_distribution(key, rest)
    return vary


def parse_ranges(texts: Sequence[str]) -> dict[str, tuple[float, float]]:
    """`--param KEY=LO:HI` (sensitivity) -> {key: (lo, hi)}."""
    ranges: dict[str, tuple[float, float]] = {}
    for text in texts:
        key, rest = _split_assignment(text, "--param")
        dist = parse_distribution(key, f"uniform:{rest}", "--param")
        if dist.low == dist.high:
            raise PlanError(f"--param {key}: LO and HI must differ, got {rest!r}")
        if key in ranges:
            raise PlanError(f"--param {key} given twice")
        ranges[key] = (dist.low, dist.high)
    return ranges


def design_points(factors: Mapping[str, Vary], design: str, samples: int, seed: int) -> tuple[dict[str, Any], ...]:
    """Parameter points of a space-filling design drawn by SALib over the factors' unit cube:
    `lhs` (Latin hypercube, `samples` points) or `sobol` (Saltelli's scheme, samples * (2D + 2) points, ready
    for Sobol indices). Reproducible from `seed`; loguniform factors are sampled in log space."""
    if design not in ("lhs", "sobol"):
        raise PlanError(f"--design {design}: points come from --sweep (grid) or per run (random)")
    if not factors:
        raise PlanError(f"--design {design} needs factors: --vary KEY=uniform:LO:HI (or loguniform, choice)")
    if samples < 2 or (design == "sobol" and samples & (samples - 1)):
        raise PlanError(f"--samples for --design {design} must be at least 2"
                        + (" and a power of two (e.g. 64)" if design == "sobol" else "") + f", got {samples}")
    names = list(factors)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    if design == "lhs":
        from SALib.sample import latin

        unit = latin.sample(problem, samples, seed=seed)
    else:
        from SALib.sample import sobol

        unit = sobol.sample(problem, samples, calc_second_order=True, seed=seed)
    return tuple({k: factors[k].value_at(float(u)) for k, u in zip(names, row, strict=True)} for row in unit)
