"""The simulation core: a calibrated, deterministic world of Mesa agents and numpy markets.

Never imports a face (CLI, terminal UI, batch) or a face library (textual, rich, dask).
"""

from techrace.core.actions import ACTION_SPECS, Action, ActionSpec, ParamSpec
from techrace.core.events import Event
from techrace.core.game import Game, TurnReport
from techrace.core.mechanisms.victory import Outcome
from techrace.core.metrics import COLUMNS
from techrace.core.model import WorldModel
from techrace.core.preview import Preview

__all__ = [
    "ACTION_SPECS", "COLUMNS", "Action", "ActionSpec", "Event", "Game", "Outcome", "ParamSpec", "Preview",
    "TurnReport", "WorldModel",
]
