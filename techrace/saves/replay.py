"""Replay a save headless from its ruleset, seed and action log, and check it against its snapshot.

A save records the action log *and* the resulting snapshot, so re-running the log must reproduce the
snapshot exactly (same ruleset + seed + actions => identical state); `divergence` names the first
difference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techrace.errors import TechraceError
from techrace.saves import container
from techrace.saves.divergence import Divergence, first_divergence
from techrace.saves.errors import SaveError
from techrace.saves.store import read_save, ruleset_of

if TYPE_CHECKING:
    from techrace.core import Game


def replay_document(document: dict[str, Any], *, label: str = "save") -> Game:
    """A fresh game from the save's ruleset and seed, stepped through its action log."""
    from techrace.core import Action, Game

    game = Game.from_ruleset(ruleset_of(document, label=label), seed=document["seed"], player=document["player"])
    for turn, actions in enumerate(document["action_log"][: document["turn"]], start=1):
        try:
            game.step([Action.from_dict(a) for a in actions])
        except (TechraceError, KeyError, TypeError, ValueError) as exc:
            raise SaveError(f"{label}: the action log cannot be replayed at turn {turn}: {exc}") from None
    return game


def verify_replay(name_or_path: str | Path, *, saves_dir: Path | None = None) -> Divergence | None:
    """Re-run a save from ruleset + seed + action log and compare with its snapshot (None: identical)."""
    document = read_save(name_or_path, saves_dir=saves_dir)
    game = replay_document(document, label=str(name_or_path))
    replayed = json.loads(json.dumps(game.snapshot(), allow_nan=False))
    return first_divergence(container.snapshot_of(document), replayed)
