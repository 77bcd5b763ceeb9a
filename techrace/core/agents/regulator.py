"""The Regulator agent: a regulator that licenses exports and enacts escalation steps."""

from __future__ import annotations

from techrace.core.agents.base import WorldAgent


class Regulator(WorldAgent):
    """A regulator that licenses exports and enacts escalation steps; its decisions come from its named policy."""

    kind = "regulator"
