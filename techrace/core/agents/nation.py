"""The Nation agent: a nation that funds industry, sets talent and power policy and may order military moves."""

from __future__ import annotations

from techrace.core.agents.base import WorldAgent


class Nation(WorldAgent):
    """A nation that funds industry, sets talent and power policy and may order military moves; its decisions come from its named policy."""

    kind = "nation"
