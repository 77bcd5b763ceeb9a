"""Save files and replays: resume any game exactly, replay it headless, never lose one.

Core-side package (no textual, rich, dask or faces). A save is gzip-compressed JSON with a format
version, a checksum and the complete `Game.snapshot()`; see docs/saves.md for the format and the
rule that keeps user-given save names inside saves/.
"""

from techrace.saves.container import FORMAT_VERSION
from techrace.saves.divergence import Divergence, first_divergence
from techrace.saves.errors import SaveError
from techrace.saves.paths import SAVE_SUFFIX, default_saves_dir, resolve_save
from techrace.saves.replay import verify_replay
from techrace.saves.store import SaveInfo, autosave, list_saves, load_game, read_save, save_game

__all__ = [
    "FORMAT_VERSION", "SAVE_SUFFIX", "Divergence", "SaveError", "SaveInfo", "autosave", "default_saves_dir",
    "first_divergence", "list_saves", "load_game", "read_save", "resolve_save", "save_game", "verify_replay",
]
