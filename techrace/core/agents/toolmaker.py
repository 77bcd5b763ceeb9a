"""The ToolMaker agent: a toolmaker that builds lithography, etch, deposition and metrology tools."""

from __future__ import annotations

from techrace.core.agents.base import WorldAgent


class ToolMaker(WorldAgent):
    """A toolmaker that builds lithography, etch, deposition and metrology tools; its decisions come from its named policy."""

    kind = "toolmaker"
