"""Save files and replays: resume any game exactly, replay it headless, never lose one.

Core-side package (no textual, rich, dask or faces). A save is gzip-compressed JSON with a format
version, a checksum and the complete `Game.snapshot()`; see docs/saves.md for the format, the one
rule for save names and paths (`locate_save`), and the bounds on every read.

The names below load their module on first use, so `techrace saves list` or a name check before a
game pays only for what it uses (no numpy or Mesa import to refuse a bad name).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "FORMAT_VERSION": "container", "SaveError": "errors", "Divergence": "divergence",
    "first_divergence": "divergence", "SaveInfo": "listing", "iter_saves": "listing", "list_saves": "listing",
    "read_header": "listing", "SAVE_SUFFIX": "paths", "default_saves_dir": "paths", "locate_save": "paths",
    "save_name_problem": "paths", "verify_replay": "replay", "autosave": "store", "load_game": "store",
    "read_save": "store", "save_game": "store",
}
__all__ = [
    "FORMAT_VERSION", "SAVE_SUFFIX", "Divergence", "SaveError", "SaveInfo", "autosave", "default_saves_dir",
    "first_divergence", "iter_saves", "list_saves", "load_game", "locate_save", "read_header", "read_save",
    "save_game", "save_name_problem", "verify_replay",
]

if TYPE_CHECKING:
    from techrace.saves.container import FORMAT_VERSION
    from techrace.saves.divergence import Divergence, first_divergence
    from techrace.saves.errors import SaveError
    from techrace.saves.listing import SaveInfo, iter_saves, list_saves, read_header
    from techrace.saves.paths import SAVE_SUFFIX, default_saves_dir, locate_save, save_name_problem
    from techrace.saves.replay import verify_replay
    from techrace.saves.store import autosave, load_game, read_save, save_game


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'techrace.saves' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"techrace.saves.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
