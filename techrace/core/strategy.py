"""Playing a strategy (`techrace.ruleset.strategies`): each quarter's orders for its nation, as `Action`s.

    player = StrategyPlayer(strategy)
    game = Game.from_ruleset("baseline", seed=7, player=strategy.nation)
    while not game.finished:
        game.step(player.orders(game))

Each quarter the orders are taken in the file's order: an order is due when the quarter is inside its
`from`/`until` window, its `when` condition holds on the latest metrics (last quarter's; the starting figures
before the first), and, for `every: once`, it has not yet been given. An order `Game.validate` refuses (over
the budget left, a rule already lifted, ...) is skipped and recorded with the reason in `refusals`; a `once`
order is tried again the next quarter it is due. Before the first orders the player's lever groups are set:
the strategy's `advisor` groups stay with the advisor, the others are taken back; and a group the advisor
keeps is handed back to it after any order given in it, so the advisor goes on deciding it too.

`shape_problems` and `ruleset_problems` check a strategy against the lever registry before a game: what is
wrong whatever the ruleset (unknown levers and parameters, values of the wrong kind or out of range), and
what a given ruleset cannot do (unknown firms, rules or nations, no regulator, no military moves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from techrace.core.actions import Action, validate_action
from techrace.core.game import Game
from techrace.core.levers import LEVER_GROUPS, LEVERS, ParamSpec
from techrace.core.levers.base import check_param
from techrace.core.mechanisms.conditions import condition_holds
from techrace.core.metrics import nation_metrics
from techrace.errors import TechraceError
from techrace.ruleset.layers import suggest
from techrace.ruleset.schema import Ruleset, quarter_index
from techrace.ruleset.source import KeyPath
from techrace.ruleset.strategies import Order, Strategy

RULESET_FREE = ("float", "share", "flag", "choice", "tool_kinds")  # parameter kinds checked without a ruleset
LIST_KINDS = ("nations", "entities", "tool_kinds")  # parameter kinds that take a list


@dataclass(frozen=True)
class Problem:
    """Something wrong with a strategy, at a key path of its file."""

    path: KeyPath
    message: str


@dataclass(frozen=True)
class Refusal:
    """An order the game refused in one quarter, and why."""

    turn: int
    quarter: str
    order: int
    text: str
    reason: str


def shape_problems(strategy: Strategy) -> list[Problem]:
    """What is wrong with the orders whatever the ruleset: unknown levers, unknown or missing parameters, values
    of the wrong kind or out of range (the lever registry's own checks)."""
    problems: list[Problem] = []
    for i, order in enumerate(strategy.orders):
        lever = LEVERS.get(order.lever)
        if lever is None:
            problems.append(Problem(("orders", i, "lever"), f"unknown lever {order.lever!r}{suggest(order.lever, LEVERS)} "
                                                            f"(known: {', '.join(LEVERS)})"))
            continue
        specs = {p.name: p for p in lever.params}
        for name in order.params:
            if name not in specs:
                problems.append(Problem(("orders", i, "params", name), f"{lever.kind} takes no parameter {name!r}"
                                        f"{suggest(name, specs)} (it takes: {', '.join(specs)})"))
        missing = [p.name for p in lever.params if p.required and order.params.get(p.name) in (None, "", [])]
        if missing:
            problems.append(Problem(("orders", i, "params"), f"{lever.kind} needs {', '.join(repr(m) for m in missing)}"))
        action = Action(order.lever, strategy.nation, dict(order.params))
        for name, value in order.params.items():
            message = _value_problem(specs[name], value, action) if name in specs else ""
            if message:
                problems.append(Problem(("orders", i, "params", name), message))
    return problems


def _value_problem(param: ParamSpec, value: Any, action: Action) -> str:
    if isinstance(value, dict):
        return f"{param.label}: expected a value, got a mapping"
    if isinstance(value, list) and (param.type not in LIST_KINDS or any(isinstance(v, dict | list) for v in value)):
        return f"{param.label}: expected a single value, got a list"
    if param.type in LIST_KINDS and value is not None and not isinstance(value, str | list):
        return f"{param.label}: expected a list or a comma-separated text, got {value!r}"
    if param.type in RULESET_FREE and value not in (None, "", []):
        return check_param(None, action, param, value, {}, None)  # type: ignore[arg-type]  # these kinds never read it
    return ""


def ruleset_problems(strategy: Strategy, ruleset: Ruleset) -> list[Problem]:
    """What `ruleset` cannot do of the strategy (its shape problems aside): its nation, the nations its
    conditions name, and each order as the lever registry validates it there."""
    nation = strategy.nation
    if nation not in ruleset.nations:
        return [Problem(("nation",), f"unknown nation {nation!r}{suggest(nation, ruleset.nations)} in ruleset "
                                     f"{ruleset.name} (known: {', '.join(ruleset.nations)})")]
    problems: list[Problem] = []
    controls = {rid: rule.regulator for rid, rule in ruleset.controls.items()}
    for i, order in enumerate(strategy.orders):
        problems += _condition_nations(order, i, ruleset)
        lever = LEVERS.get(order.lever)
        if lever is None:
            continue
        labels = {p.label: p.name for p in lever.params}
        for message in validate_action(ruleset, Action(order.lever, nation, dict(order.params)), controls):
            label = message.split(":", 1)[0]
            path = ("orders", i, "params", labels[label]) if label in labels else ("orders", i, "lever")
            problems.append(Problem(path, message))
    return problems


def _condition_nations(order: Order, i: int, ruleset: Ruleset) -> list[Problem]:
    if order.when is None:
        return []
    problems = []
    for part in ("all", "any"):
        for j, comparison in enumerate(getattr(order.when, part)):
            for key in ("nation", "of_nation"):
                code = getattr(comparison, key)
                if code is not None and code not in ruleset.nations:
                    problems.append(Problem(("orders", i, "when", part, j, key), f"unknown nation {code!r}"
                                            f"{suggest(code, ruleset.nations)} in ruleset {ruleset.name}"))
    return problems


def advisor_groups(strategy: Strategy) -> tuple[str, ...]:
    """The lever groups the advisor keeps: the strategy's `advisor`, or every group it gives no order in."""
    if strategy.advisor is not None:
        return tuple(g for g in LEVER_GROUPS if g in strategy.advisor)
    ordered = {LEVERS[o.lever].group for o in strategy.orders if o.lever in LEVERS and o.lever != "advisor"}
    return tuple(g for g in LEVER_GROUPS if g not in ordered)


@dataclass
class StrategyPlayer:
    """Turns a strategy into each quarter's orders for a game whose player is the strategy's nation."""

    strategy: Strategy
    given: list[int] = field(default_factory=list)          # orders given, by index, in the order they were given
    refusals: list[Refusal] = field(default_factory=list)
    started: bool = False

    def orders(self, game: Game) -> list[Action]:
        """This quarter's orders: the due ones the game accepts (refused ones are recorded, not given)."""
        nation = self.strategy.nation
        if game.player != nation:
            raise TechraceError(f"strategy {self.strategy.name!r} plays {nation}, but the game's player is {game.player}")
        keep = advisor_groups(self.strategy)
        actions: list[Action] = [] if self.started else self._delegation(game, keep)
        self.started = True
        quarter = game.quarter
        now = quarter_index(quarter, game.ruleset.start_quarter)
        metrics = game.model.metrics_now if game.model.metrics_now is not None else nation_metrics(game.model.static, game.model.state)
        touched: list[str] = []
        for i, order in enumerate(self.strategy.orders):
            if not self._due(order, i, game, now):
                continue
            if order.when is not None and not condition_holds(game.model.static, order.when.model_dump(by_alias=True), quarter, metrics):
                continue
            action = Action(order.lever, nation, dict(order.params))
            problems = game.validate(action, actions)
            if problems:
                text = action.describe(game.ruleset)
                reason = "; ".join(p.removeprefix(f"{text}: ") for p in problems)
                self.refusals.append(Refusal(game.turn + 1, quarter, i, text, reason))
                continue
            actions.append(action)
            self.given.append(i)
            group = LEVERS[order.lever].group
            if order.lever != "advisor" and group in keep and group not in touched:
                touched.append(group)
        return actions + [Action("advisor", nation, {"group": g, "advisor": True}) for g in touched]

    def _due(self, order: Order, i: int, game: Game, now: int) -> bool:
        start = game.ruleset.start_quarter
        if order.from_quarter and now < quarter_index(order.from_quarter, start):
            return False
        if order.until_quarter and now > quarter_index(order.until_quarter, start):
            return False
        return order.every == "quarter" or i not in self.given

    def _delegation(self, game: Game, keep: tuple[str, ...]) -> list[Action]:
        """Advisor orders that leave exactly the `keep` groups with the advisor (none if already so)."""
        n = game.nations.index(self.strategy.nation)
        delegated = game.model.state.delegated[n]
        return [Action("advisor", self.strategy.nation, {"group": g, "advisor": g in keep})
                for gi, g in enumerate(LEVER_GROUPS) if (delegated[gi] > 0) != (g in keep)]


def play_strategy(ruleset: Ruleset | str, seed: int, turns: int | None = None, strategy: Strategy | None = None,
                  player: str | None = None) -> tuple[Game, StrategyPlayer | None]:
    """A whole game: `strategy` played for its nation (every other nation by its computer policy); without a
    strategy, `player`'s nation gives no new orders (every lever group with its advisor), or, with no player
    either, computer players decide everything."""
    nation = strategy.nation if strategy is not None else player
    game = Game.from_ruleset(ruleset, seed=seed, player=nation)
    played = StrategyPlayer(strategy) if strategy is not None else None
    count = game.turns_total if turns is None else turns
    for _ in range(count):
        game.step(played.orders(game) if played is not None else [])
    return game, played
