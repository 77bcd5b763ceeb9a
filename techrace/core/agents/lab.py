"""The Lab agent: an AI lab that buys accelerators within its power and trains models."""

from __future__ import annotations

from techrace.core.agents.base import WorldAgent


class Lab(WorldAgent):
    """An AI lab that buys accelerators within its power and trains models; its decisions come from its named policy."""

    kind = "lab"
