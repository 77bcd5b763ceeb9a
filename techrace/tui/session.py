"""A game being played in the UI: the Game, the player's queued actions and what is saved.

Kept free of Textual so the rules of queueing, undo and "unsaved turns" are plain Python; the screens
only display a Session and call it (the turn itself from a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from techrace.tui.orders import budget_left
from techrace.tui.report import LogEntry, TurnSummary, before_turn, summarise
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
    # live rulesets (`--watch`): a checked ruleset held until the turn ends, and what the checks found
    ruleset_source: str | None = None                        # the name or directory the game was started from
    watching: bool = False                                   # the ruleset's files are being watched
    pending_reload: Any = None
    pending_changes: list[str] = field(default_factory=list)
    reload_errors: list[str] = field(default_factory=list)   # the last check's located errors (empty: valid)
    last_reload: list[str] = field(default_factory=list)     # the changes of the last reload put in force
    reload_problem: str | None = None                        # why the held ruleset could not be put in force
    just_reloaded: list[str] | None = None                   # the changes put in force as the last turn began

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
        reloaded = self.just_reloaded = self.apply_pending_reload()
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
        if reloaded is not None and self.last_summary is not None:
            event = next((e for e in reversed(self.game.events) if e.kind == "ruleset" and e.turn == report.turn), None)
            if event is not None:
                self.last_summary.events.insert(0, LogEntry(event.turn, event.quarter, event.kind, event.text, event.cause))
        return report

    def ruleset_checked(self, check: Any) -> None:
        """Take in a check of the edited ruleset (tui/watch.py): hold a valid change until the turn ends; an
        invalid or refused one, or files back to the game's rules, drop what was held (the game's rules stay)."""
        if check.ruleset is not None and not check.errors:
            self.hold_reload(check.ruleset, check.changes)
            return
        self.pending_reload, self.pending_changes, self.reload_errors = None, [], list(check.errors)

    def hold_reload(self, ruleset: Any, changes: list[str]) -> None:
        """Keep a checked ruleset to put in force when the turn ends (the latest change wins)."""
        self.pending_reload, self.pending_changes, self.reload_errors = ruleset, list(changes), []

    def apply_pending_reload(self) -> list[str] | None:
        """Put the held ruleset in force at the turn boundary (the world's state kept); its changes, or None
        when nothing was held or the game could not take it (then `reload_problem` says why)."""
        ruleset, self.pending_reload = self.pending_reload, None
        self.reload_problem = None
        if ruleset is None:
            return None
        try:
            lines = self.game.reload(ruleset)
        except Exception as exc:
            self.reload_problem = f"the ruleset was not reloaded ({exc}); the game plays on under its rules"
            return None
        self.last_reload, self.pending_changes = lines, []
        return lines

    def mark_saved(self, name: str) -> None:
        self.saved_turn = self.game.turn
        self.save_name = name


def nation_label(game: Game, code: str) -> str:
    spec = game.ruleset.nations.get(code)
    return f"{code} ({spec.name})" if spec is not None else code
