"""Game: the public face of the core for the CLI, the terminal UI, batch runs and notebooks.

    game = Game.from_ruleset("baseline", seed=7)
    game.run(44)
    game.metrics()        # pandas DataFrame, one row per (turn, nation)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from techrace.core.actions import Action, validate_action
from techrace.core.constraints import Constraint
from techrace.core.constraints import constraints as binding_constraints
from techrace.core.events import Event
from techrace.core.levers import LEVERS
from techrace.core.mechanisms.victory import Goal, Outcome, end_scores
from techrace.core.mechanisms.victory import goals as victory_goals
from techrace.core.metrics import COLUMNS, TurnRows
from techrace.core.model import WorldModel
from techrace.core.preview import Preview, available, budget_problems
from techrace.core.preview import preview as preview_order
from techrace.core.reload import Reload, carry_records, changes_between, ruleset_after
from techrace.core.reload import data_of as reload_data
from techrace.core.reload import hash_of as reload_hash
from techrace.core.reload import refusal as reload_refusal
from techrace.core.saved_fields import with_added_fields
from techrace.core.state import ARRAY_AXES, RECORDED, WorldState, axis_labels, build_state
from techrace.core.static import build_static
from techrace.core.view import WorldView
from techrace.errors import TechraceError
from techrace.ruleset import Ruleset, load_ruleset, quarter_label, ruleset_hash

SNAPSHOT_FORMAT = 2  # 2: the causal world (earned algorithms, forecast-driven industry, per-nation victory)
OLD_FORMATS = {1: "the first world model (a fixed algorithmic multiplier and capability that never fell)"}
MAX_SEED = 2**63 - 1


@dataclass
class TurnReport:
    turn: int
    quarter: str
    metrics: TurnRows = field(repr=False)
    events: list[Event]
    outcome: Outcome | None = None
    actions: list[Action] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The turn's metric rows, one per nation (the same dicts as in `Game.metric_rows`)."""
        return self.metrics.rows()


class Game:
    """One game: a ruleset, a seed, the player's actions, and everything that followed."""

    def __init__(self, model: WorldModel, seed: int):
        self.model = model
        self.seed = seed
        self._rows: list[dict[str, Any]] = []
        self._unread: list[TurnRows] = []  # turns played since the rows were last read
        self.events: list[Event] = []
        self.action_log: list[list[Action]] = []
        self.outcome: Outcome | None = None
        self.view = WorldView(model)
        self._hash: str | None = None
        self.reloads: list[Reload] = []  # rulesets reloaded during play, in order (saves and replay)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_ruleset(cls, ruleset: Ruleset | str | Path = "baseline", seed: int = 0, player: str | None = None) -> Game:
        seed = check_seed(seed)
        rs = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(str(ruleset))
        if player is not None and player not in rs.nations:
            raise TechraceError(f"unknown nation {player!r} (known: {', '.join(rs.nations)})")
        return cls(WorldModel(rs, rng=seed, player=player), seed)

    # ------------------------------------------------------------------ properties
    @property
    def ruleset(self) -> Ruleset:
        return self.model.ruleset

    @property
    def ruleset_hash(self) -> str:
        if self._hash is None:
            self._hash = ruleset_hash(self.ruleset)
        return self._hash

    @property
    def player(self) -> str | None:
        return self.model.player

    @property
    def nations(self) -> list[str]:
        return list(self.model.static.nations)

    @property
    def metric_rows(self) -> list[dict[str, Any]]:
        """One row per (turn, nation), the columns of `COLUMNS`; written out when read (checked every turn)."""
        for turn in self._unread:
            self._rows.extend(turn.rows())
        self._unread = []
        return self._rows

    @metric_rows.setter
    def metric_rows(self, rows: list[dict[str, Any]]) -> None:
        self._rows, self._unread = rows, []

    @property
    def turn(self) -> int:
        return self.model.state.turn

    @property
    def quarter(self) -> str:
        """The quarter the next turn plays."""
        return quarter_label(self.turn, self.ruleset.start_quarter)

    @property
    def turns_total(self) -> int:
        return self.ruleset.turns

    @property
    def finished(self) -> bool:
        return self.outcome is not None or self.turn >= self.turns_total

    # ------------------------------------------------------------------ playing
    def validate(self, action: Action, queued: Sequence[Action] = (), *, logged: bool = False) -> list[str]:
        """Every problem with an order given after `queued` (values, who may give it, what the rules' status makes of
        it, the budget left). `logged`: an order of a save's log, checked without the rules' status, which earlier
        versions did not check, so that their saves still replay (the order did nothing then, as it does now)."""
        problems = validate_action(self.ruleset, action, self.model.control_owners())
        if not problems and self.player is None:
            problems = ["this game has no player nation: computer players decide every nation"]
        elif not problems and action.nation != self.player:
            problems = [f"you play {self.player}: orders for {action.nation} are refused"]
        if not problems and not logged:
            problems = LEVERS[action.kind].refusals(self.model, action, queued)  # e.g. a rule already in force
        if not problems:
            words = action.describe(self.ruleset) + ": "
            over = budget_problems(self.model, [*queued, action])
            problems = [over[-1].removeprefix(words)] if over and over[-1].startswith(words) else []
        return problems

    def order_cost(self, action: Action) -> tuple[float, float]:
        """What an order takes from the budget: (this quarter, every quarter after while it stands), USD bn."""
        lever = LEVERS[action.kind]
        return float(lever.cost(self.model, action)), float(lever.recurring(self.model, action))

    def budget_left(self, nation: str, queued: Sequence[Action] = ()) -> float:
        """This quarter's budget of `nation` after its standing orders and the `queued` orders (may be negative)."""
        return available(self.model, nation) - sum(self.order_cost(a)[0] for a in queued if a.nation == nation)

    def preview(self, action: Action, queued: Sequence[Action] = ()) -> Preview:
        """What the order costs and what it is expected to do (two copies of the world played ahead)."""
        problems = self.validate(action, queued)
        if problems:
            return Preview(0.0, "; ".join(problems))
        return preview_order(self.model, action, list(queued), self.seed)

    def check_orders(self, actions: Sequence[Action], *, logged: bool = False) -> list[str]:
        """Every problem with a turn's orders taken together (`logged`: as `validate`)."""
        problems: list[str] = []
        for i, action in enumerate(actions):
            problems += [f"{action.describe(self.ruleset)}: {p}" for p in self.validate(action, actions[:i], logged=logged)]
        return problems

    def step(self, actions: Sequence[Action] = (), *, logged: bool = False) -> TurnReport:
        """Play one quarter with the player's orders; any invalid order refuses the turn with an error (`logged`:
        orders replayed from a save's log, as `validate`)."""
        actions = list(actions)
        problems = self.check_orders(actions, logged=logged)
        if problems:
            raise TechraceError("orders refused: " + "; ".join(problems))
        self.model.pending_actions = actions
        self.model.step()
        self.action_log.append(actions)
        rows = TurnRows(self.model.static, self.model.state, self.seed, self.model.quarter, self.model.metrics_now)
        self._unread.append(rows)
        events = list(self.model.turn_events)
        if self.outcome is None and self.model.outcome is not None:
            self.outcome = self.model.outcome
        elif self.outcome is not None:
            events = [e for e in events if e.kind != "victory"]
        self.events.extend(events)
        return TurnReport(self.turn, self.model.quarter, rows, events, self.outcome, actions)

    def run(self, turns: int | None = None) -> Game:
        """Play `turns` more quarters with computer players (default: to the end of the game)."""
        count = self.turns_total - self.turn if turns is None else check_turns(turns)
        for _ in range(max(count, 0)):
            self.step()
        return self

    def scores(self) -> dict[str, float]:
        """Each nation's end score now (what ranks the nations when no victory condition decides)."""
        values = end_scores(self.model.static, self.model.state, self.model.metrics_now)
        return {code: float(v) for code, v in zip(self.nations, values, strict=True)}

    def goals(self, nation: str | None = None) -> list[Goal]:
        """The victory and loss conditions as `nation` (default: the player) sees them now."""
        code = nation or self.player or self.nations[0]
        if code not in self.nations:
            raise TechraceError(f"unknown nation {code!r} (known: {', '.join(self.nations)})")
        left = max(self.turns_total - self.turn, 0)
        return victory_goals(self.model.static, self.model.state, self.nations.index(code), left, self.model.metrics_now)

    def constraints(self, nation: str | None = None) -> list[Constraint]:
        """What limits `nation`'s (default: the player's) compute and capability now, most binding first,
        each with the levers that loosen it (read from the last quarter played; see core/constraints.py)."""
        code = nation or self.player or self.nations[0]
        if code not in self.nations:
            raise TechraceError(f"unknown nation {code!r} (known: {', '.join(self.nations)})")
        return binding_constraints(self.model, code)

    def metrics(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.metric_rows, columns=list(COLUMNS))

    # ------------------------------------------------------------------ live rulesets
    def reload_problem(self, ruleset: Ruleset) -> str | None:
        """Why this game cannot play on under `ruleset` (None: it can); see core/reload.py."""
        return reload_refusal(self.model.static, build_static(ruleset), self.model.state)

    def reload(self, ruleset: Ruleset) -> list[str]:
        """Play on under `ruleset` from the next turn, keeping the world's state. Returns the changes in
        words as `techrace ruleset diff` gives them (empty and nothing recorded when the data are equal);
        TechraceError when the ruleset changes what the state is indexed by. Saves record it; replay repeats it."""
        changes = changes_between(reload_data(self.ruleset), reload_data(ruleset))
        if not changes:
            return []
        problem = self.reload_problem(ruleset)
        if problem:
            raise TechraceError(f"cannot reload the ruleset into this game: {problem}; start a new game to play it")
        return self.apply_reload(Reload(self.turn, reload_hash(reload_data(ruleset)), changes))

    def apply_reload(self, record: Reload) -> list[str]:
        """Put a recorded reload in force (replay); the rules and parameters change, the state carries on."""
        from techrace.ruleset.explain import diff

        old, state = self.ruleset, self.model.state
        new = ruleset_after(old, record)
        kept = (copy.deepcopy(state.controls), dict(state.control_status), copy.deepcopy(state.shock_status))
        try:
            carry_records(state, old, new)
            model = WorldModel(new, rng=self.seed, player=self.player, state=state)
        except Exception:
            state.controls, state.control_status, state.shock_status = kept
            raise
        model.rng.bit_generator.state = self.model.rng.bit_generator.state
        model.random.setstate(self.model.random.getstate())
        model.outcome = self.outcome
        self.model, self.view, self._hash = model, WorldView(model), None
        self.reloads.append(record)
        lines = diff(old, new)
        text = f"Ruleset reloaded: {len(lines)} value{'s' if len(lines) != 1 else ''} changed" if lines \
            else "Ruleset reloaded: only names and descriptions changed"
        self.events.append(Event(self.turn + 1, self.quarter, "ruleset", text, "the ruleset was edited during the game"))
        return lines

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> dict[str, Any]:
        """A complete, JSON-able state: restoring it gives exactly the same future."""
        model = self.model
        state = model.state.to_dict()
        for name, values in state["arrays"].items():
            if not np.all(np.isfinite(np.asarray(values, dtype=np.float64))):
                raise TechraceError(f"state field {name} holds a non-finite number")
        return {
            "format": SNAPSHOT_FORMAT,
            "ruleset": self.ruleset.model_dump(mode="json", by_alias=True),
            "ruleset_name": self.ruleset.name,
            "ruleset_hash": self.ruleset_hash,
            "seed": self.seed,
            "player": self.player,
            "turn": self.turn,
            "quarter": self.quarter,
            "state": state["arrays"],
            "records": {k: v for k, v in state.items() if k != "arrays"},
            "axes": {name: list(axes) for name, axes in ARRAY_AXES.items()},
            "labels": axis_labels(model.static, model.state),
            "rng": {"numpy": _jsonable(model.rng.bit_generator.state), "python": _jsonable(model.random.getstate())},
            "history": {
                "metric_rows": copy.deepcopy(self.metric_rows),
                "events": [e.to_dict() for e in self.events],
                "outcome": self.outcome.to_dict() if self.outcome else None,
            },
            "action_log": [[a.to_dict() for a in turn] for turn in self.action_log],
            **({"reloads": [r.to_dict() for r in self.reloads]} if self.reloads else {}),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Game:
        if data.get("format") in OLD_FORMATS:
            raise TechraceError(f"snapshot format {data['format']} is from {OLD_FORMATS[data['format']]}; this techrace "
                                f"plays format {SNAPSHOT_FORMAT} and cannot continue it (replay its action log in a new game instead)")
        if data.get("format") != SNAPSHOT_FORMAT:
            raise TechraceError(f"unsupported snapshot format {data.get('format')!r} (this techrace reads {SNAPSHOT_FORMAT})")
        if isinstance(data.get("state"), dict):
            data = {**data, "state": with_added_fields(data["state"])}
        missing = sorted(set(ARRAY_AXES) - RECORDED - set(data.get("state", {})))
        extra = sorted(set(data.get("state", {})) - set(ARRAY_AXES))
        if missing or extra:
            raise TechraceError("snapshot is from a different techrace build: "
                                + "; ".join(x for x in (f"missing state fields {', '.join(missing)}" if missing else "",
                                                         f"unknown state fields {', '.join(extra)}" if extra else "") if x))
        try:
            ruleset = Ruleset.model_validate(data["ruleset"])
            fresh = build_state(build_static(ruleset))
            recorded = {name: getattr(fresh, name) for name in RECORDED}  # zeros where a save predates them
            state = WorldState.from_dict({"arrays": {**recorded, **data["state"]}, **data["records"]})
            _check_shapes(state, fresh)
            model = WorldModel(ruleset, rng=int(data["seed"]), player=data.get("player"), state=state)
            model.rng.bit_generator.state = _numpy_state(data["rng"]["numpy"])
            model.random.setstate(_python_state(data["rng"]["python"]))
            model._refresh_views()
            game = cls(model, int(data["seed"]))
            game.metric_rows = copy.deepcopy(data["history"]["metric_rows"])
            game.events = [Event.from_dict(e) for e in data["history"]["events"]]
            outcome = data["history"].get("outcome")
            game.outcome = Outcome.from_dict(outcome) if outcome else None
            model.outcome = game.outcome
            game.action_log = [[Action.from_dict(a) for a in turn] for turn in data["action_log"]]
            game.reloads = [Reload.from_dict(r) for r in data.get("reloads", [])]
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as exc:
            raise TechraceError(f"snapshot is incomplete or malformed: {exc}") from None
        return game


def _check_shapes(state: WorldState, fresh: WorldState) -> None:
    for name in ARRAY_AXES:
        got, want = getattr(state, name).shape, getattr(fresh, name).shape
        if got != want:
            raise ValueError(f"state field {name} has shape {got}, the ruleset needs {want}")


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= int(seed) <= MAX_SEED:
        raise TechraceError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return int(seed)


def check_turns(turns: Any) -> int:
    if isinstance(turns, bool) or not isinstance(turns, int | np.integer) or not 0 <= int(turns) <= 400:
        raise TechraceError(f"turns must be a whole number from 0 to 400, got {turns!r}")
    return int(turns)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value


def _numpy_state(value: dict[str, Any]) -> dict[str, Any]:
    return value


def _python_state(value: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = value
    return (version, tuple(internal), gauss)
