"""Player and computer decisions as data: validated, logged per turn, replayable headless.

An `Action` names a lever (`kind`), the nation that pulls it and its parameters. What each lever does,
costs and checks lives in the lever registry (`techrace.core.levers`); UIs build their forms from
`ACTION_SPECS`, the engine applies the same objects it logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from techrace.core.levers import (
    ACTION_SPECS,
    LEVERS,
    ActionSpec,
    ParamSpec,
    firm_ids,
    military_moves,
    regulator_of,
    regulators_of,
    site_ids,
    site_nations,
)
from techrace.ruleset.schema import Ruleset


@dataclass(frozen=True)
class Action:
    """One decision by a nation (or its regulator) for the coming turn."""

    kind: str
    nation: str
    params: dict[str, Any] = field(default_factory=dict)
    # why a computer player (or an advisor) gave it, for the cause of the events it makes; not part of the order:
    # never saved or compared, and a player's orders have none
    reason: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "nation": self.nation, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Action:
        return cls(kind=str(data["kind"]), nation=str(data["nation"]), params=dict(data.get("params", {})))

    def describe(self, ruleset: Ruleset | None = None) -> str:
        """The order in words, e.g. "US: Subsidy: $3.0 bn to Intel Foundry"."""
        lever = LEVERS.get(self.kind)
        return f"{self.nation}: {lever.words(self, ruleset) if lever else self.kind}"


def validate_action(ruleset: Ruleset, action: Action, controls: dict[str, str] | None = None) -> list[str]:
    """Every problem with an action, as messages a player can act on (empty when valid).

    `controls` maps the ids of rules known to the game (ruleset plus enacted) to their regulator.
    """
    lever = LEVERS.get(action.kind)
    if lever is None:
        return [f"unknown action {action.kind!r} (known: {', '.join(sorted(LEVERS))})"]
    if action.nation not in ruleset.nations:
        return [f"unknown nation {action.nation!r}"]
    known = controls if controls is not None else {k: v.regulator for k, v in ruleset.controls.items()}
    return lever.validate(ruleset, action, known)


__all__ = ["ACTION_SPECS", "Action", "ActionSpec", "ParamSpec", "firm_ids", "military_moves", "regulator_of", "regulators_of",
           "site_ids", "site_nations", "validate_action"]
