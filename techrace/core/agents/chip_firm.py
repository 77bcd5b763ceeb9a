"""The ChipFirm agent: a chip designer that buys wafers, HBM and packaging and sells accelerators."""

from __future__ import annotations

from techrace.core.agents.base import WorldAgent


class ChipFirm(WorldAgent):
    """A chip designer that buys wafers, HBM and packaging and sells accelerators; its decisions come from its named policy."""

    kind = "chip_firm"
