"""The Foundry agent: a foundry or memory maker turning tools and engineers into wafer or HBM capacity."""

from __future__ import annotations

from techrace.core.agents.base import WorldAgent


class Foundry(WorldAgent):
    """A foundry or memory maker turning tools and engineers into wafer or HBM capacity; its decisions come from its named policy."""

    kind = "foundry"
