"""Shared base of techrace's Mesa agents: a thin view over the world arrays, with a named policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from techrace.core.policies import policy_for

if TYPE_CHECKING:
    from techrace.core.model import WorldModel


class WorldAgent(mesa.Agent):
    """An actor: `index` into its kind's arrays, `code` its ruleset id; state lives in model.state.

    Its behaviour is its policy (a function with the personality's parameters, `self.params`). Policies
    are vectorised: the model groups the agents of a kind by `policy_name` (an AgentSet groupby) and one
    call decides for every agent of a group; `decide()` runs the same policy for this agent alone.
    """

    kind = ""

    def __init__(self, model: WorldModel, index: int, code: str, policy: str | None = None):
        super().__init__(model)
        self.index = index
        self.code = code
        self.policy_name = policy or getattr(model.static.ruleset.policies, self.kind)
        resolved = policy_for(self.kind, self.policy_name, model.static.ruleset)
        self.policy = resolved.function
        self.params = resolved.params

    def decide(self) -> Any:
        """Decide for this agent alone."""
        return self.policy(self.model, np.array([self.index]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"
