"""`techrace tournament`: every strategy, and every lever alone, per nation and ruleset, on paired seeds.

Each *arm* is one way of playing a nation: a strategy file, a probe (one lever's canonical order, from
`strategies/probes/`), "no new orders" (the nation is a player whose every lever group is with its advisor) or,
once per ruleset, "computer only" (no player at all). The arms are the points of one batch (`DIR/_batch`):
point (ruleset, arm), `runs` replicates, and replicate i of every arm plays the same seed, so each seed pairs
an arm with its no-new-orders twin. The batch engine does the rest (chunks, local processes or Dask, resume,
failed runs recorded, a progress bar); each run keeps its final quarter (every nation) and how it ended.
`techrace.batch.standings` turns the runs into `strategies.csv`, `levers.csv` and `summary.md`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.batch.resume import check_continues
from techrace.batch.store import BatchDirError, BatchStore
from techrace.batch.worker import PlayedGame, outcome_record
from techrace.errors import TechraceError
from techrace.safe_text import printable

if TYPE_CHECKING:
    import pandas as pd

    from techrace.ruleset import Ruleset
    from techrace.ruleset.strategies import LoadedStrategy, StrategyBook

NO_ORDERS = "no-new-orders"
COMPUTER = "computer-only"
PLAY = "techrace.batch.tournament:play_arm"
BATCH_DIR = "_batch"
ARM_KEY = "arm"
DEFAULT_RUNS = 20


class TournamentError(TechraceError):
    """Options a tournament cannot play (unknown nation, the same ruleset twice, a changed resume)."""


@dataclass(frozen=True)
class Arm:
    """One way of playing a nation in a tournament; `strategy` is the strategy's JSON (None: no orders)."""

    id: str
    kind: str              # "strategy", "probe", "none" (no new orders) or "computer" (no player)
    nation: str | None
    name: str              # the strategy's name, the probe's lever, or the reference arm's name
    strategy: dict[str, Any] | None = None
    file: str = ""


@dataclass
class TournamentPlan:
    """What a tournament plays: its rulesets (by the label the user gave), nations, arms and points."""

    rulesets: dict[str, Ruleset]
    nations: list[str]
    arms: dict[str, Arm]
    points: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)      # what was left out where, and why
    warnings: list[str] = field(default_factory=list)   # located: orders no ruleset played can take

    def arms_of(self, label: str, nation: str, kind: str) -> list[Arm]:
        return [self.arms[p[ARM_KEY]] for p in self.points
                if p["ruleset"] == label and self.arms[p[ARM_KEY]].nation == nation and self.arms[p[ARM_KEY]].kind == kind]

    def digest(self) -> str:
        """What a resumed tournament must match: the arms, the points and the rulesets' contents."""
        from techrace.ruleset import ruleset_hash

        content = {"arms": {k: asdict(a) for k, a in self.arms.items()}, "points": self.points,
                   "rulesets": {label: ruleset_hash(r) for label, r in self.rulesets.items()}}
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def load_rulesets(labels: Sequence[str]) -> dict[str, Ruleset]:
    from techrace.ruleset import load_ruleset

    if not labels:
        raise TournamentError("give at least one --ruleset")
    twice = sorted({label for label in labels if list(labels).count(label) > 1})
    if twice:
        raise TournamentError(f"--ruleset {twice[0]} is given twice")
    return {label: load_ruleset(label) for label in labels}


def plan_tournament(rulesets: dict[str, Ruleset], nations: Sequence[str], book: StrategyBook) -> TournamentPlan:
    """Check every strategy against the lever registry and the rulesets, and list the arms to play.

    Raises StrategyError for problems whatever the ruleset (unknown levers, bad parameters, a nation no
    ruleset has); an order one ruleset cannot take (an unknown rule or firm there) is refused by the game there
    and noted; a probe a ruleset cannot take is not played there."""
    from techrace.core.strategy import ruleset_problems, shape_problems
    from techrace.ruleset.strategies import StrategyError

    known = {code for r in rulesets.values() for code in r.nations}
    if not nations:
        raise TournamentError("give at least one --nation")
    for code in nations:
        if code not in known:
            raise TournamentError(f"unknown nation {code!r} in the rulesets played (known: {', '.join(sorted(known))})")
    errors = []
    for loaded in [*book.strategies, *book.probes]:
        if loaded.strategy.nation not in known:
            errors.append(loaded.located(("nation",), f"unknown nation {loaded.strategy.nation!r} "
                                                      f"(the rulesets played have {', '.join(sorted(known))})"))
        errors += [loaded.located(p.path, p.message) for p in shape_problems(loaded.strategy)]
    if errors:
        raise StrategyError(errors)
    plan = TournamentPlan(rulesets, list(dict.fromkeys(nations)), {}, [], list(book.notes))
    for label, ruleset in rulesets.items():
        plan.points.append({"ruleset": label, ARM_KEY: _arm(plan, Arm(COMPUTER, "computer", None, COMPUTER))})
        for code in plan.nations:
            if code not in ruleset.nations:
                plan.notes.append(f"{label}: has no nation {code}; its arms are not played there")
                continue
            strategies, probes = book.for_nation(code)
            plan.points.append({"ruleset": label, ARM_KEY: _arm(plan, Arm(f"{code}/{NO_ORDERS}", "none", code, NO_ORDERS))})
            for loaded in strategies:
                for problem in ruleset_problems(loaded.strategy, ruleset):
                    plan.notes.append(f"{label}: {loaded.located(problem.path, problem.message)} (the game refuses this order)")
                plan.points.append({"ruleset": label, ARM_KEY: _arm(plan, _strategy_arm(loaded))})
            for loaded in probes:
                problems = ruleset_problems(loaded.strategy, ruleset)
                if problems:
                    plan.notes.append(f"{label}: probe {loaded.key[1]} for {code} not played: {problems[0].message}")
                    continue
                plan.points.append({"ruleset": label, ARM_KEY: _arm(plan, _strategy_arm(loaded))})
    plan.warnings = _never_taken(book, plan)
    return plan


def _arm(plan: TournamentPlan, arm: Arm) -> str:
    plan.arms.setdefault(arm.id, arm)
    return arm.id


def _strategy_arm(loaded: LoadedStrategy) -> Arm:
    s = loaded.strategy
    if loaded.probe:
        return Arm(f"{s.nation}/probe:{s.orders[0].lever}", "probe", s.nation, s.orders[0].lever,
                   s.model_dump(mode="json", by_alias=True), loaded.file)
    return Arm(f"{s.nation}/{s.name}", "strategy", s.nation, s.name, s.model_dump(mode="json", by_alias=True), loaded.file)


def _never_taken(book: StrategyBook, plan: TournamentPlan) -> list[str]:
    """Orders of played strategies that no ruleset played can take (probably a misspelt firm or rule)."""
    from techrace.core.strategy import ruleset_problems

    warnings = []
    for loaded in book.strategies:
        if loaded.strategy.nation not in plan.nations:
            continue
        found = [{(p.path, p.message) for p in ruleset_problems(loaded.strategy, r)} for r in plan.rulesets.values()
                 if loaded.strategy.nation in r.nations]
        everywhere = set.intersection(*found) if found else set()
        warnings += [loaded.located(path, f"{message} in every ruleset played: the order is never given")
                     for path, message in sorted(everywhere, key=str)]
    return warnings


@dataclass
class TournamentResult:
    out: Path
    plan: TournamentPlan
    runs: int
    turns: int
    seed: int
    done: int
    failed: int
    engine: str
    strategies: pd.DataFrame
    levers: pd.DataFrame


def _plan_checked(loaded: dict[str, Ruleset], nations: Sequence[str], strategies: Sequence[str | os.PathLike[str]],
                  shipped: bool) -> TournamentPlan:
    """The plan, or one StrategyError with every problem: the files that do not load and, for those that do, what
    the levers refuse (unknown levers, bad parameters, unknown nations)."""
    from techrace.ruleset.strategies import StrategyError, read_strategies

    book, errors = read_strategies(strategies, shipped=shipped)
    try:
        plan = plan_tournament(loaded, nations, book)
    except StrategyError as exc:
        errors = [*errors, *exc.errors]
    if errors:
        raise StrategyError(errors)
    return plan


def run_tournament(
    rulesets: Sequence[str],
    nations: Sequence[str],
    *,
    runs: int | None = None,
    seed: int | None = None,
    out: str | os.PathLike[str],
    turns: int | None = None,
    strategies: Sequence[str | os.PathLike[str]] = (),
    shipped: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    command: str | None = None,
) -> TournamentResult:
    """Play every arm `runs` times on paired seeds and write the tables and summary into `out`.

    `strategies` are folders of more strategy files (probes in their `probes/`); `shipped=False` leaves the
    shipped `strategies/` out (only yours are played, with the reference arms). Running again with the same
    arguments continues an interrupted tournament. `runs` (default 20) and `seed` (default 0) left as None are
    "not given": a tournament in `out` played with other values is then refused with the values to pass."""
    from techrace.batch.api import run_batch
    from techrace.batch.standings import write_tables
    loaded = load_rulesets(rulesets)
    plan = _plan_checked(loaded, nations, strategies, shipped)
    asked = {"--runs": (DEFAULT_RUNS if runs is None else runs, runs is not None),
             "--seed": (0 if seed is None else seed, seed is not None),
             "--turns": (min(r.turns for r in loaded.values()) if turns is None else turns, turns is not None)}
    runs, seed, turns = (value for value, _ in asked.values())
    store = BatchStore(Path(out) / BATCH_DIR)
    resume = store.is_batch()
    digest = plan.digest()
    if resume:
        manifest = store.read_manifest()
        if manifest.get("analysis", {}).get("tournament", {}).get("digest") != digest:
            raise BatchDirError(f"{printable(out)} holds a tournament of other strategies, nations or rulesets; "
                                "use a new --out (or restore what changed)")
        check_continues(out, "tournament", asked, {f"--{k}": manifest["plan"][k] for k in ("runs", "seed", "turns")})
    context = {"arms": {k: {"nation": a.nation, "strategy": a.strategy} for k, a in plan.arms.items()}}
    result = run_batch(next(iter(loaded.values())), runs, turns, seed, workers=workers, scheduler=scheduler,
                       out=store.dir, points=plan.points, resume=resume, progress=progress, play=PLAY,
                       play_keys=(ARM_KEY,), play_context=context, command=command or "techrace tournament",
                       analysis={"tournament": {"digest": digest, "rulesets": list(loaded), "nations": plan.nations}})
    strategies_table, levers_table = write_tables(Path(out), store, plan, runs, seed, command or "techrace tournament")
    return TournamentResult(Path(out), plan, runs, turns, seed, result.done, result.failed, result.engine,
                            strategies_table, levers_table)


def play_arm(ruleset: Ruleset, seed: int, turns: int, *, arm: str, arms: dict[str, dict[str, Any]]) -> PlayedGame:
    """One run of one arm (on a worker): every quarter's rows of every nation (the tables read the final quarter
    and the wafers made over the game), and how the game ended with how many of the strategy's orders were given
    and refused (the first reason of each refused order)."""
    from techrace.core.strategy import play_strategy
    from techrace.ruleset.strategies import Strategy

    spec = arms[arm]
    strategy = Strategy.model_validate(spec["strategy"]) if spec["strategy"] else None
    game, player = play_strategy(ruleset, seed, turns, strategy, spec["nation"])
    rows = list(game.metric_rows)
    record = outcome_record(game)
    refused: dict[str, list[Any]] = {}
    for refusal in player.refusals if player else []:
        entry = refused.setdefault(str(refusal.order), [0, refusal.reason])
        entry[0] += 1
    record.update(orders_given=len(player.given) if player else 0, refused=refused)
    return PlayedGame(rows, record)
