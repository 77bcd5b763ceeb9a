"""What a turn did, for the turn report and the event log: figures with their changes, what each order
did, and the events that concern the player, each order told once.

Plain Python over the core's `Game`, `Event` and `TurnReport` (no Textual), built in the turn's worker
thread so the report is ready when the board redraws. It reads only what the core reports today:
events of kind "action" (one per order carried out, after the events the order itself caused), the
nation's row of `game.view.nations()` before and after, the game's previews and `game.goals()`. When
the core reports refusals and charges per order, `order_outcomes` is the one place to switch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from techrace.tui.orders import firm_names, nation_row, order_cost, order_label

# (column of game.view.nations(), label, unit, True when a rise is good for the player)
FIGURES = (
    ("compute_h100e", "Compute", "H100e", True),
    ("capability", "Capability", "", True),
    ("best_node_nm", "Best node", "nm", False),
    ("advanced_wpm", "Adv. wafers", "/month", True),
    ("engineers", "Engineers", "", True),
    ("gdp_index", "GDP index", "", True),
    ("budget_usd_b", "Budget", "$ bn/q", True),
    ("power_gw", "AI power", "GW", True),
)
# How much an event of each kind matters in a turn report (events that concern the player come first).
KIND_WEIGHT = {"victory": 6, "shock": 5, "control": 4, "order": 4, "technology": 3, "talent": 2, "market": 2, "policy": 1}
ORDER_CAUSES = ("a policy decision", "{nation} decided it")  # causes the core gives to an order's own events
TOP_EVENTS = 8


@dataclass(frozen=True)
class LogEntry:
    """One line of the event log: an event, or one order of the player with what it caused."""

    turn: int
    quarter: str
    kind: str
    text: str
    cause: str = ""
    actors: tuple[str, ...] = ()
    effect: str = ""  # for an order: what it did, from the events it caused


@dataclass(frozen=True)
class FigureChange:
    label: str
    unit: str
    before: float | None
    now: float | None
    rise_is_good: bool = True

    @property
    def delta(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before

    @property
    def good(self) -> bool | None:
        """True when the change helps the player, False when it hurts, None when nothing moved."""
        delta = self.delta
        if delta is None or abs(delta) <= 1e-9 * max(1.0, abs(self.now or 0.0)):
            return None
        return (delta > 0) == self.rise_is_good


@dataclass(frozen=True)
class OrderOutcome:
    label: str
    status: str        # done | paid | refused
    cost_usd_b: float  # what the game's preview said it costs
    detail: str = ""   # what it did (the core's own events), or why it was refused


@dataclass(frozen=True)
class GoalLine:
    text: str
    progress: float
    loss: bool
    change: float | None = None  # of the player's value for this condition since last turn


@dataclass
class Before:
    """The player's standing just before a turn is played (taken on the worker thread)."""

    row: dict[str, Any]
    goals: list[Any]
    costs: list[float]
    budget: float | None


@dataclass
class TurnSummary:
    turn: int
    quarter: str
    turns_total: int
    figures: list[FigureChange] = field(default_factory=list)
    orders: list[OrderOutcome] = field(default_factory=list)
    events: list[LogEntry] = field(default_factory=list)
    goals: list[GoalLine] = field(default_factory=list)
    outcome: str | None = None


def before_turn(game: Any, player: str, actions: Sequence[Any]) -> Before:
    row = nation_row(game, player)
    budget = row.get("budget_usd_b")
    return Before(dict(row), _goals(game, player), [order_cost(game, a) for a in actions],
                  float(budget) if isinstance(budget, int | float) else None)


def _goals(game: Any, player: str) -> list[Any]:
    try:
        return list(game.goals(player))
    except Exception:  # a goal the core cannot compute must not stop the turn
        return []


def summarise(game: Any, player: str, before: Before, report: Any) -> TurnSummary:
    """The turn report of `report` (the core's TurnReport) for `player`."""
    now = nation_row(game, player)
    figures = [FigureChange(label, unit, _num(before.row.get(col)), _num(now.get(col)), good)
               for col, label, unit, good in FIGURES if col in now or col in before.row]
    entries = log_entries(game, list(report.events))
    orders = order_outcomes(game, list(report.actions), before, entries)
    goals_now = _goals(game, player)
    goals = [GoalLine(str(g.text), float(g.progress), bool(g.loss), _goal_change(g, before.goals, i))
             for i, g in enumerate(goals_now)]
    outcome = getattr(report, "outcome", None)
    return TurnSummary(int(report.turn), str(report.quarter), int(game.turns_total), figures, orders,
                       top_events(game, entries, player), goals, getattr(outcome, "reason", None))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _goal_change(goal: Any, before: list[Any], index: int) -> float | None:
    if index >= len(before) or before[index].kind != goal.kind:
        return None
    return float(goal.value) - float(before[index].value)


# ---------------------------------------------------------------------------------------------- orders


def order_outcomes(game: Any, actions: list[Any], before: Before, entries: list[LogEntry]) -> list[OrderOutcome]:
    """What each order of the turn did: what it took from the budget and the events it caused. The game
    refuses a turn whose orders do not fit the budget, so a played order was paid in full; one the core
    did not log is marked refused."""
    done = [e for e in entries if e.kind == "order"]
    out: list[OrderOutcome] = []
    for k, action in enumerate(actions):
        cost = before.costs[k] if k < len(before.costs) else 0.0
        label = order_label(game, action)
        if k >= len(done):
            out.append(OrderOutcome(label, "refused", cost, "the game did not carry it out"))
        else:
            out.append(OrderOutcome(label, "paid" if cost > 0 else "done", cost, done[k].effect))
    return out


def log_entries(game: Any, events: Sequence[Any]) -> list[LogEntry]:
    """The event log with each of the player's orders told once: an "action" event and the events
    the order itself caused (just before it, with the cause the core gives orders) become one entry."""
    out: list[LogEntry] = []
    order_index: dict[int, int] = {}
    for event in events:
        if event.kind != "action":
            out.append(LogEntry(event.turn, event.quarter, event.kind, event.text, event.cause, tuple(event.actors)))
            continue
        nation = event.actors[0] if event.actors else ""
        causes = {c.format(nation=nation) for c in ORDER_CAUSES}
        caused: list[LogEntry] = []
        while out and out[-1].turn == event.turn and out[-1].kind != "order" and out[-1].cause in causes:
            caused.insert(0, out.pop())
        k = order_index.get(event.turn, 0)
        order_index[event.turn] = k + 1
        action = _logged_action(game, event.turn, k)
        text = order_label(game, action) if action is not None else event.text
        effect = "; ".join(e.text for e in caused)
        out.append(LogEntry(event.turn, event.quarter, "order", text, "your order", tuple(event.actors), effect))
    return out


def _logged_action(game: Any, turn: int, k: int) -> Any:
    log = getattr(game, "action_log", [])
    if 0 < turn <= len(log) and k < len(log[turn - 1]):
        return log[turn - 1][k]
    return None


# ---------------------------------------------------------------------------------------------- events


def player_words(game: Any, player: str | None) -> re.Pattern[str] | None:
    """A pattern of the names that mark an event as the player's: the nation, its regulator, its firms."""
    if not player:
        return None
    from techrace.core.actions import firm_ids, regulators_of

    ruleset = game.ruleset
    names = firm_names(ruleset)
    words = {player}
    for regulator in regulators_of(ruleset, player):  # events name it by its display name, rules and orders by its id
        words |= {regulator, ruleset.regulator_name(regulator)}
    for fid, nation in firm_ids(ruleset).items():
        if nation == player:
            words |= {fid, names.get(fid, fid)}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
    return re.compile(rf"(?<![\w]){alternatives}(?![\w])")


def concerns(entry: LogEntry, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None:
        return False
    return any(pattern.fullmatch(a) for a in entry.actors) or bool(pattern.search(entry.text))


def top_events(game: Any, entries: list[LogEntry], player: str | None, limit: int = TOP_EVENTS) -> list[LogEntry]:
    """The events of a turn that matter most to the player (their own orders left out: the report
    lists those), in the order they happened: those naming the nation, its regulator or its firms
    first, then shocks, controls and victories anywhere."""
    pattern = player_words(game, player)
    scored = []
    for i, entry in enumerate(entries):
        if entry.kind == "order":
            continue
        mine = concerns(entry, pattern)
        weight = KIND_WEIGHT.get(entry.kind, 1)
        if mine or weight >= KIND_WEIGHT["control"]:
            scored.append((-(10 * mine + weight), i))
    chosen = sorted(i for _, i in sorted(scored)[:limit])
    return [entries[i] for i in chosen]
