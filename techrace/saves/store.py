"""Saving, loading and autosaving games in the saves directory.

Names and paths follow the one rule of `paths.locate_save`; writes are atomic (see `atomic`); reads
are bounded (see `listing.read_file`), validated and checksummed (see `container`), and a loaded
game is checked against its ruleset (see `integrity`) before anything plays it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.errors import TechraceError
from techrace.saves import container
from techrace.saves.atomic import atomic_write_bytes
from techrace.saves.errors import SaveError
from techrace.saves.integrity import check_history, check_records, check_round_trip
from techrace.saves.listing import SaveInfo, list_saves, read_file
from techrace.saves.paths import AUTOSAVE_DIR, SAVE_SUFFIX, locate_save, name_of, saves_root

__all__ = ["SaveInfo", "autosave", "list_saves", "load_game", "read_save", "ruleset_of", "save_game"]

if TYPE_CHECKING:
    from techrace.core import Game
    from techrace.ruleset import Ruleset


def save_game(game: Game, name_or_path: str | Path, *, saves_dir: Path | None = None) -> Path:
    """Write the game to a save and return its path; the previous file survives any failure.

    The target is checked first (`locate_save(..., for_writing=True)`): a file that is not a save
    is never overwritten.
    """
    target = locate_save(name_or_path, saves_dir, for_writing=True)
    try:
        snapshot = game.snapshot()
    except TechraceError as exc:  # e.g. a state array that went non-finite
        raise SaveError(f"cannot save {name_or_path}: {exc}") from None
    document = container.build_document(snapshot, str(game.quarter))
    atomic_write_bytes(target, container.encode(document))
    return target


def read_save(name_or_path: str | Path, *, saves_dir: Path | None = None) -> dict[str, Any]:
    """The validated save document (header, action log, snapshot); SaveError naming any problem."""
    path = locate_save(name_or_path, saves_dir)
    try:
        data = read_file(path)
    except FileNotFoundError:
        raise SaveError(_not_found(name_or_path, path, saves_dir)) from None
    except OSError as exc:
        raise SaveError(f"cannot read save {name_or_path}: {exc.strerror or exc}") from None
    except SaveError as exc:
        raise SaveError(f"{name_or_path}: {exc}") from None
    try:
        return container.decode(data)
    except SaveError as exc:
        raise SaveError(f"{name_or_path}: {exc}") from None


def load_game(name_or_path: str | Path, *, saves_dir: Path | None = None) -> Game:
    """The saved game, restored so that playing on gives exactly the uninterrupted game's future."""
    label = str(name_or_path)
    document = read_save(name_or_path, saves_dir=saves_dir)  # bounded and validated before Mesa is imported
    from techrace.core import Game

    snapshot = container.snapshot_of(document)
    ruleset = ruleset_of(document, label=label)
    check_records(snapshot, ruleset, label)
    check_history(snapshot, ruleset, label)
    try:
        game = Game.from_snapshot(snapshot)
    except TechraceError as exc:
        raise SaveError(f"{label}: save does not restore a game: {exc}") from None
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError) as exc:
        raise SaveError(f"{label}: save does not restore a game: {type(exc).__name__}: {exc}") from None
    check_round_trip(snapshot, game, label)
    return game


def ruleset_of(document: dict[str, Any], *, label: str) -> Ruleset:
    """The merged ruleset stored in a save, checked against the content hash in its header.

    The hash is taken over the stored JSON itself (as `ruleset_hash` computed it when saving), so a
    save stays loadable after the schema gains a field with a default.
    """
    from pydantic import ValidationError

    from techrace.ruleset import Ruleset

    stored = document["snapshot"]["ruleset"]
    canonical = json.dumps(stored, sort_keys=True, separators=(",", ":"))
    if hashlib.sha256(canonical.encode()).hexdigest() != document["ruleset"]["hash"]:
        raise SaveError(f"{label}: the ruleset stored in the save does not match its content hash")
    try:
        return Ruleset.model_validate(stored)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SaveError(f"{label}: the ruleset stored in the save is invalid: {where}: {first['msg']}") from None


def autosave(game: Game, *, keep: int = 5, saves_dir: Path | None = None) -> Path:
    """Save into saves/autosave/ and keep only this game's `keep` most recently written autosaves.

    A game is identified by ruleset, seed and player; other games' autosaves are never touched.
    After loading an older save and playing on, the newly written autosaves are the ones kept.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    prefix = f"{_slug(str(game.ruleset.name))}-s{int(game.seed)}-{game.player or 'observer'}-t"
    path = save_game(game, f"{AUTOSAVE_DIR}/{prefix}{int(game.turn):04d}", saves_dir=saves_dir)
    pattern = re.compile(re.escape(prefix) + r"(\d+)" + re.escape(SAVE_SUFFIX) + "$")
    others = [p for p in path.parent.iterdir() if p != path and pattern.match(p.name) and p.is_file()]
    others.sort(key=lambda p: (p.stat().st_mtime_ns, int(pattern.match(p.name).group(1))), reverse=True)  # type: ignore[union-attr]
    for old in others[keep - 1:]:
        old.unlink(missing_ok=True)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "ruleset"


def _not_found(name_or_path: str | Path, path: Path, saves_dir: Path | None) -> str:
    root = saves_root(saves_dir)
    if not path.is_relative_to(root):
        return f"no save file {str(path)!r}"
    names = [name_of(p, root) for p in sorted(root.glob("*" + SAVE_SUFFIX))] if root.is_dir() else []
    known = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") if names else "none"
    return f"no save {str(name_or_path)!r} in {root} (saves there: {known})"
