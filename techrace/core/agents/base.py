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

    Policies are vectorised: one call decides for every agent of a kind that uses the same policy.
    """

    kind = ""

    def __init__(self, model: WorldModel, index: int, code: str, policy: str | None = None):
        super().__init__(model)
        self.index = index
        self.code = code
        self.policy_name = policy or getattr(model.static.ruleset.policies, self.kind)
        self.policy = policy_for(self.kind, self.policy_name)

    def decide(self) -> Any:
        """Decide for this agent alone (the model batches agents sharing a policy; see WorldModel)."""
        return self.policy(self.model, np.array([self.index]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"
