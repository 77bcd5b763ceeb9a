"""Strategies as data: a nation's orders over a game, in YAML, with no code.

A strategy names a nation and lists orders: a lever (a kind of the core's lever registry), its parameters,
the quarters it may be given in (`from`, `until`), an optional data condition (`when`, the ruleset's
`Condition`) and how often (`every: once | quarter`). `advisor` lists the lever groups the nation's advisor
(its computer policy) keeps deciding; by default every group the strategy gives no order in.

Files are read with the rulesets' safe reader and checked by pydantic; every problem is one located line,
`file:line:col: key.path: message`, in the modder's words. A probe (`strategies/probes/`) is a strategy with
exactly one order: the canonical way to pull one lever, which the tournament plays alone. What a lever may
take (its parameters, the firms and rules it names) is checked against the lever registry by the core
(`techrace.core.strategy`), which this package may not import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails

from techrace.errors import TechraceError
from techrace.ruleset.layers import dotted
from techrace.ruleset.locate import locate, schema_findings
from techrace.ruleset.schema import LEVER_GROUPS, Code, Condition, Quarter, Strict
from techrace.ruleset.source import REMOVE, KeyPath, Mark, display_path, read_yaml
from techrace.safe_text import printable

STRATEGY_FORMAT = 1
PACKAGE_STRATEGIES = Path(__file__).resolve().parents[2] / "strategies"  # a source checkout / editable install
WHEEL_STRATEGIES = Path(__file__).resolve().parents[1] / "shipped_strategies"  # copied into an installed wheel
PROBES_DIR = "probes"
RESERVED_NAMES = ("no-new-orders", "computer-only")  # the tournament's reference arms
_LAYER = "strategy"
_LAYER_SUFFIX = re.compile(r" \[layer strategy\]$")


class Order(Strict):
    """One order of a strategy: a lever, its parameters, when it is given and how often."""

    lever: str = Field(..., min_length=1, max_length=40, description="A lever kind, e.g. subsidy")
    params: dict[str, Any] = Field(default_factory=dict, description="The lever's parameters, by name")
    from_quarter: Quarter | None = Field(None, alias="from", description="First quarter the order may be given")
    until_quarter: Quarter | None = Field(None, alias="until", description="Last quarter the order may be given")
    when: Condition | None = Field(None, description="Data condition on last quarter's metrics; the order waits for it")
    every: Literal["once", "quarter"] = Field("once", description="once: given the first quarter it can be; quarter: every such quarter")

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)

    @field_validator("params")
    @classmethod
    def _finite(cls, value: dict[str, Any]) -> dict[str, Any]:
        """No lever takes .nan (which passes the size check that refuses .inf): refused here, at the value, with
        the file's other schema errors, not only once the lever registry checks the loaded strategies (a second
        round of errors)."""
        found = [((name, i), v) for name, item in value.items() if isinstance(item, list) for i, v in enumerate(item)]
        found += [((name,), item) for name, item in value.items() if not isinstance(item, list)]
        bad = [InitErrorDetails(type="finite_number", loc=loc, input=v) for loc, v in found
               if isinstance(v, float) and math.isnan(v)]
        if bad:
            raise ValidationError.from_exception_data("params", bad)
        return value

    @model_validator(mode="after")
    def _window(self) -> Order:
        if self.from_quarter and self.until_quarter and self.from_quarter > self.until_quarter:
            raise ValueError(f"`from` {self.from_quarter} is after `until` {self.until_quarter}: the order would never be given")
        return self


class Strategy(Strict):
    """A nation's plan for a game: its orders, and the lever groups left to its advisor."""

    name: Code = Field(..., description="Short id, unique per nation, e.g. hawkish-controls")
    nation: Code = Field(..., description="The nation that plays it, e.g. US")
    description: str = Field(..., min_length=1, description="What the strategy does and why, in a paragraph")
    format_version: int = Field(..., description=f"The strategy format; this techrace reads {STRATEGY_FORMAT}")
    orders: list[Order] = Field(default_factory=list, description="Orders, given in this order each quarter")
    advisor: list[Literal[LEVER_GROUPS]] | None = Field(  # type: ignore[valid-type]
        None, description="Lever groups the advisor keeps deciding (on top of the strategy's orders in them); "
        "`all` for every group, `[]` for none; default: every group the strategy gives no order in")

    @field_validator("advisor", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        """`advisor: all` means every group; one group may be written without brackets."""
        if value == "all":
            return list(LEVER_GROUPS)
        return [value] if isinstance(value, str) else value

    @field_validator("format_version")
    @classmethod
    def _format(cls, value: int) -> int:
        if value != STRATEGY_FORMAT:
            raise ValueError(f"this techrace reads strategy format {STRATEGY_FORMAT}, the file says {value}")
        return value

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_NAMES:
            raise ValueError(f"{value!r} is the name of a tournament's reference arm: pick another name")
        return value


@dataclass(frozen=True)
class LoadedStrategy:
    """A strategy with where it was written: its file and the line and column of every key."""

    strategy: Strategy
    file: str
    marks: dict[KeyPath, Mark] = field(repr=False)
    probe: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """What a later file replaces: (nation, name), or (nation, lever) for a probe."""
        return (self.strategy.nation, self.strategy.orders[0].lever if self.probe else self.strategy.name)

    def located(self, path: KeyPath, message: str) -> str:
        """`file:line:col: key.path: message` at `path` (or its nearest written parent)."""
        mark = locate(path, self.marks, Mark(self.file, 1, 1, _LAYER))
        return printable(f"{mark}: {dotted(path)}: {message}")


@dataclass
class StrategyBook:
    """Every strategy and probe found, one per key; `notes` says which file replaced which."""

    strategies: list[LoadedStrategy]
    probes: list[LoadedStrategy]
    notes: list[str] = field(default_factory=list)

    def for_nation(self, nation: str) -> tuple[list[LoadedStrategy], list[LoadedStrategy]]:
        return ([s for s in self.strategies if s.strategy.nation == nation],
                [p for p in self.probes if p.strategy.nation == nation])


class StrategyError(TechraceError):
    """Strategy files that cannot be used; `errors` lists every problem, one located line each."""

    def __init__(self, errors: list[str]):
        self.errors = [printable(line) for line in errors]
        super().__init__("\n".join(self.errors))


def shipped_strategies_dir() -> Path | None:
    """The shipped `strategies/` folder: the checkout's, or the copy inside an installed wheel."""
    for directory in (PACKAGE_STRATEGIES, WHEEL_STRATEGIES):
        if directory.is_dir():
            return directory
    return None


def read_strategy(path: Path, probe: bool = False, root: Path | None = None) -> tuple[LoadedStrategy | None, list[str]]:
    """One strategy file (of the folder `root`, which it must not leave through a symlink): the loaded
    strategy, or None and every problem as a located line."""
    source = read_yaml(path, _LAYER, root)
    file = display_path(path)
    errors = [_LAYER_SUFFIX.sub("", line) for line in source.errors]
    if source.unreadable:
        return None, errors
    fallback = Mark(file, 1, 1, _LAYER)
    for where in _removals(source.data, ()):
        errors.append(f"{locate(where, source.marks, fallback)}: {dotted(where)}: `!remove` belongs to ruleset mods; "
                      "a strategy file has no layers (delete the line instead)")
    if errors:
        return None, errors
    model, findings = schema_findings(Strategy, source.data)
    lines = sorted(((locate(f.path, source.marks, fallback), f) for f in findings),
                   key=lambda item: (item[0].line, item[0].col))  # file order
    errors += [f"{mark}: {dotted(f.path)}: {f.message}" for mark, f in lines]
    if not isinstance(model, Strategy):
        return None, [printable(e) for e in errors]
    loaded = LoadedStrategy(model, file, source.marks, probe)
    if probe and len(model.orders) != 1:
        return None, [loaded.located(("orders",), f"a probe gives exactly one order (the lever it measures), "
                                                  f"this one gives {len(model.orders)}")]
    return loaded, []


def _removals(value: Any, path: KeyPath) -> list[KeyPath]:
    if value is REMOVE:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _removals(v, path + (k,))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _removals(v, path + (i,))]
    return []


def strategy_files(directory: Path) -> list[tuple[Path, bool]]:
    """The YAML files of a strategies folder (`*.yaml`, `*.yml`) and of its `probes/` folder, by name."""
    files = [(p, False) for p in sorted(directory.iterdir()) if p.suffix in (".yaml", ".yml") and not p.is_dir()]
    probes = directory / PROBES_DIR
    if probes.is_dir():
        files += [(p, True) for p in sorted(probes.iterdir()) if p.suffix in (".yaml", ".yml") and not p.is_dir()]
    return files


def load_strategies(extra_dirs: Sequence[str | Path] = (), shipped: bool = True) -> StrategyBook:
    """The shipped strategies and probes, then those of each `extra_dirs` folder; a later file with the same
    nation and name (a probe: the same nation and lever) replaces an earlier one. Raises StrategyError with
    every problem of every file."""
    book, errors = read_strategies(extra_dirs, shipped)
    if errors:
        raise StrategyError(errors)
    return book


def read_strategies(extra_dirs: Sequence[str | Path] = (), shipped: bool = True) -> tuple[StrategyBook, list[str]]:
    """`load_strategies` without raising: the files that load, and every problem of the others, so that a caller
    with checks of its own (the tournament's, against the levers) reports them all in one pass."""
    dirs = [d for d in ([shipped_strategies_dir()] if shipped else []) if d is not None]
    errors: list[str] = []
    for extra in extra_dirs:
        path = Path(extra)
        if not path.is_dir():
            errors.append(f"--strategies {extra}: not a folder of strategy files")
        dirs.append(path)
    found: dict[tuple[bool, str, str], LoadedStrategy] = {}
    notes: list[str] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        here: dict[tuple[bool, str, str], LoadedStrategy] = {}
        for path, probe in strategy_files(directory):
            loaded, problems = read_strategy(path, probe, root=directory)
            errors += problems
            if loaded is None:
                continue
            key = (probe, *loaded.key)
            what = f"a probe of {key[2]}" if probe else f"strategy {key[2]!r}"
            if key in here:
                errors.append(loaded.located(("orders", 0, "lever") if probe else ("name",),
                                             f"{what} for {key[1]} is already defined in {here[key].file}"))
                continue
            if key in found:
                notes.append(f"{loaded.file} replaces {found[key].file} ({what} for {key[1]})")
            here[key] = found[key] = loaded
    ordered = sorted(found.items(), key=lambda item: item[0])
    return StrategyBook([s for (probe, _, _), s in ordered if not probe], [s for (probe, _, _), s in ordered if probe],
                        [printable(n) for n in notes]), errors
