"""A game being played in the UI: the Game, the player's queued actions and what is saved.

Kept free of Textual so the rules of queueing, undo and "unsaved turns" are plain Python; the screens
only display a Session and call it (the turn itself from a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from techrace.tui.orders import budget_left
from techrace.tui.report import TurnSummary, before_turn, summarise
from techrace.tui.saving import new_timeline
from techrace.tui.widgets.history import rows_of, start_rows

if TYPE_CHECKING:
    from techrace.core import Action, Game


class QueueError(ValueError):
    """An action the game would reject; the messages are the game's own."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass
class Session:
    game: Game
    player: str | None
    queued: list[Action] = field(default_factory=list)
    saved_turn: int = 0
    save_name: str | None = None
    timeline: str = field(default_factory=new_timeline)  # tags this session's autosaves
    last_summary: TurnSummary | None = None
    start: list[dict[str, Any]] = field(default_factory=list)  # turn-0 figures of a game begun here
    summary_problem: str | None = None  # why the last turn has no report, when it failed

    def __post_init__(self) -> None:
        if self.game.turn == 0 and not self.start:
            self.start = start_rows(self.game)

    def history(self) -> list[dict[str, Any]]:
        """Metric rows for panels and charts, from the starting state when this session saw it."""
        return rows_of(self.game, self.start)

    @property
    def observing(self) -> bool:
        return self.player is None

    @property
    def unsaved_turns(self) -> int:
        """Turns played since the last save (an autosave does not count: it is rotated away)."""
        return max(0, self.game.turn - self.saved_turn)

    def queue(self, action: Action) -> None:
        """Queue an action for the coming turn after the game's own validation."""
        if self.player is None:
            raise QueueError(["computer players only: nothing can be queued while observing"])
        if action.nation != self.player:
            raise QueueError([f"you play {self.player}, not {action.nation}"])
        problems = self.game.validate(action, self.queued)
        if problems:
            raise QueueError(problems)
        self.queued.append(action)

    def undo(self, index: int | None = None) -> Action | None:
        """Remove a queued action (the last one by default); None when there is nothing to undo."""
        if not self.queued:
            return None
        if index is None or not 0 <= index < len(self.queued):
            index = len(self.queued) - 1
        return self.queued.pop(index)

    def queued_cost(self) -> float:
        """Budget (USD bn) the queued actions take this quarter, as the game counts it."""
        from techrace.tui.orders import order_cost

        return sum(order_cost(self.game, action) for action in self.queued)

    def budget_left(self) -> float | None:
        """This quarter's budget after the queued orders (negative when they do not fit)."""
        return budget_left(self.game, self.player, self.queued)

    def end_turn(self) -> Any:
        """Play one quarter with the queued actions (runs in a worker thread) and clear the queue;
        the player's turn report is then in `last_summary`."""
        actions, self.queued = list(self.queued), []
        self.summary_problem = None
        try:
            before = before_turn(self.game, self.player, actions) if self.player else None
        except Exception as exc:  # the report is advice: it never stops a turn
            before, self.summary_problem = None, f"cannot prepare the turn report: {exc}"
        try:
            report = self.game.step(actions)
        except Exception:
            self.queued = actions  # nothing is lost when the step fails
            raise
        self.last_summary = None
        if before is not None and self.player:
            try:
                self.last_summary = summarise(self.game, self.player, before, report)
            except Exception as exc:
                self.summary_problem = f"cannot build the turn report: {exc}"
        return report

    def mark_saved(self, name: str) -> None:
        self.saved_turn = self.game.turn
        self.save_name = name


def nation_label(game: Game, code: str) -> str:
    spec = game.ruleset.nations.get(code)
    return f"{code} ({spec.name})" if spec is not None else code
