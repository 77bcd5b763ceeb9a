"""One Mesa agent kind per module; all are thin views over the world arrays."""

from techrace.core.agents.chip_firm import ChipFirm
from techrace.core.agents.foundry import Foundry
from techrace.core.agents.lab import Lab
from techrace.core.agents.nation import Nation
from techrace.core.agents.regulator import Regulator
from techrace.core.agents.toolmaker import ToolMaker

__all__ = ["ChipFirm", "Foundry", "Lab", "Nation", "Regulator", "ToolMaker"]
