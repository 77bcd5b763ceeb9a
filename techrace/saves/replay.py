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
    """A fresh game from the save's ruleset and seed, stepped through its action log, with every ruleset
    reloaded during play put in force again after the turn it was reloaded at."""
    from techrace.core import Action, Game

    final = ruleset_of(document, label=label)
    reloads = _reloads(document, label)
    try:
        start = _start_ruleset(final, reloads)
    except (KeyError, TypeError, ValueError) as exc:
        raise SaveError(f"{label}: the rulesets reloaded during the game cannot be rebuilt: {exc}") from None
    game = Game.from_ruleset(start, seed=document["seed"], player=document["player"])
    for turn, actions in enumerate(document["action_log"][: document["turn"]], start=1):
        try:
            _reload_due(game, reloads, turn - 1)
            game.step([Action.from_dict(a) for a in actions], logged=True)  # as given then
        except (TechraceError, KeyError, TypeError, ValueError) as exc:
            raise SaveError(f"{label}: the action log cannot be replayed at turn {turn}: {exc}") from None
    try:
        _reload_due(game, reloads, document["turn"])
    except (TechraceError, KeyError, TypeError, ValueError) as exc:
        raise SaveError(f"{label}: the ruleset reloaded after the last turn cannot be replayed: {exc}") from None
    return game


def _reloads(document: dict[str, Any], label: str) -> list[Any]:
    """The save's reload records, in turn order within the turns played (none in a save without them)."""
    from techrace.core.reload import Reload

    raw = document["snapshot"].get("reloads", [])
    try:
        reloads = [Reload.from_dict(r) for r in raw]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SaveError(f"{label}: save is malformed: reloads: {exc}") from None
    turns = [r.turn for r in reloads]
    if turns != sorted(turns) or any(not 0 <= t <= document["turn"] for t in turns):
        raise SaveError(f"{label}: save is malformed: reloads are not in turn order within 0..{document['turn']}")
    return reloads


def _start_ruleset(final: Any, reloads: list[Any]) -> Any:
    from techrace.core.reload import ruleset_before

    return ruleset_before(final, reloads) if reloads else final


def _reload_due(game: Game, reloads: list[Any], played: int) -> None:
    while reloads and reloads[0].turn == played:
        game.apply_reload(reloads.pop(0))


def verify_replay(name_or_path: str | Path, *, saves_dir: Path | None = None) -> Divergence | None:
    """Re-run a save from ruleset + seed + action log and compare with its snapshot (None: identical)."""
    document = read_save(name_or_path, saves_dir=saves_dir)
    game = replay_document(document, label=str(name_or_path))
    return replay_divergence(document, game)


def replay_divergence(document: dict[str, Any], game: Game) -> Divergence | None:
    """The first difference between a save's snapshot and its replay (None: identical); fields the core added since
    the save was written, which it does not hold, are not differences."""
    from techrace.saves.integrity import drop_unrecorded

    saved, replayed = container.snapshot_of(document), json.loads(json.dumps(game.snapshot(), allow_nan=False))
    drop_unrecorded(saved, replayed)
    return first_divergence(saved, replayed)
