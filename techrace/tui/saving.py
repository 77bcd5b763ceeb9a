"""Every use the terminal game makes of `techrace.saves`, in one place.

The save dialog, the load dialog, loading at start and the autosave after each turn all come
through here, so a change in how saves are named or found is a change in this module only
(`save_name_problem` is the rule the save dialog applies while the player types).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from techrace.core import Game

SAVE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
AUTOSAVES_KEPT = 5  # per play session (timeline)


def save_name_problem(name: str) -> str | None:
    """Why a save name typed in the dialog is not acceptable, or None."""
    if not name:
        return "a name is required"
    if ".." in name or "/" in name or "\\" in name:
        return "a save name cannot contain '..', '/' or '\\'"
    if not SAVE_NAME.match(name):
        return "use up to 64 letters, digits, '_', '-' or '.', starting with a letter or digit"
    return None


def save(game: Game, name: str) -> Path:
    from techrace.saves import save_game

    return save_game(game, name)


def load(name: str) -> Game:
    from techrace.saves import load_game

    return load_game(name)


def list_all() -> tuple[list[Any], str | None]:
    """(saves, problem): the saves on disk, autosaves included, or why they cannot be listed.

    Reads files: call it from a worker thread, never the UI thread.
    """
    try:
        from techrace.saves import list_saves
    except ImportError:
        return [], "saving is not available in this version"
    try:
        return list(list_saves()), None
    except Exception as exc:  # a broken saves folder is a notice, never a crash
        return [], f"cannot list saves: {exc}"


def new_timeline() -> str:
    """A short tag for one play session; its autosaves carry it, so rotating them never touches the
    autosaves of another session of the same ruleset, seed and nation (another timeline)."""
    return secrets.token_hex(2)


def autosave(game: Game, timeline: str, keep: int = AUTOSAVES_KEPT) -> Path:
    """Autosave after a turn as `autosave/<ruleset>-s<seed>-<nation>-<timeline>-t<turn>` and keep only
    this timeline's `keep` latest turns."""
    from techrace.saves import SAVE_SUFFIX, save_game

    slug = re.sub(r"[^A-Za-z0-9_]+", "_", str(game.ruleset.name)).strip("_") or "ruleset"
    prefix = f"{slug}-s{int(game.seed)}-{game.player or 'observer'}-{timeline}-t"
    path = save_game(game, f"autosave/{prefix}{int(game.turn):04d}")
    pattern = re.compile(re.escape(prefix) + r"(\d+)" + re.escape(SAVE_SUFFIX) + "$")
    mine = sorted(((int(m.group(1)), p) for p in path.parent.iterdir()
                   if (m := pattern.match(p.name)) and p.is_file()), reverse=True)
    for _turn, old in mine[keep:]:
        old.unlink(missing_ok=True)
    return path
