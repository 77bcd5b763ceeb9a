"""The simulation core: a calibrated, deterministic world of Mesa agents and numpy markets.

Never imports a face (CLI, terminal UI, batch) or a face library (textual, rich, dask).

The names below load on first use (PEP 562): Mesa 3.5 brings pandas, pyarrow, scipy and networkx with it
(about 2 s on a busy machine), so `import techrace.core` or a light submodule (`techrace.core.actions`,
`techrace.core.state`) stays free of them; `Game` and `WorldModel` load Mesa (benchmarks/startup.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from techrace.core.actions import ACTION_SPECS, Action, ActionSpec, ParamSpec
    from techrace.core.events import Event
    from techrace.core.game import Game, TurnReport
    from techrace.core.mechanisms.victory import Outcome
    from techrace.core.metrics import COLUMNS
    from techrace.core.model import WorldModel
    from techrace.core.preview import Preview

_HOME = {
    "ACTION_SPECS": "actions", "Action": "actions", "ActionSpec": "actions", "ParamSpec": "actions",
    "Event": "events", "Game": "game", "TurnReport": "game", "Outcome": "mechanisms.victory",
    "COLUMNS": "metrics", "WorldModel": "model", "Preview": "preview",
}

__all__ = [
    "ACTION_SPECS", "COLUMNS", "Action", "ActionSpec", "Event", "Game", "Outcome", "ParamSpec", "Preview",
    "TurnReport", "WorldModel",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'techrace.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"techrace.core.{home}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
