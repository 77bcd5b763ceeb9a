"""What the player asked for on the command line, checked before the terminal is taken over."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from techrace.errors import TechraceError

SEED_LIMIT = 2**31


class OptionsError(TechraceError):
    """A bad `play`/`observe` argument: reported as one line before the UI starts."""


@dataclass(frozen=True)
class GameOptions:
    mode: Literal["play", "observe"] = "play"
    ruleset: str | None = None
    nation: str | None = None
    seed: int | None = None
    load: str | None = None
    watch: bool = False  # reload the ruleset's files between turns when they change (`--watch`)

    @property
    def starts_at_once(self) -> bool:
        """A game starts without the new-game screen when nothing is left to ask."""
        if self.load or self.mode == "observe":
            return True
        return self.ruleset is not None and self.nation is not None and self.seed is not None


def random_seed() -> int:
    """A fresh seed for a new game; it is shown to the player, so the game itself stays reproducible."""
    return secrets.randbelow(SEED_LIMIT)


def check_options(options: GameOptions) -> None:
    """Fail fast (one line, exit 2) on a ruleset or nation that does not exist; loads no simulation code."""
    if options.ruleset is None:
        if options.nation is not None:
            _check_nation("baseline", options.nation)
        return
    from techrace.ruleset import find_ruleset

    find_ruleset(options.ruleset)
    if options.nation is not None:
        _check_nation(options.ruleset, options.nation)


def _check_nation(ruleset: str, nation: str) -> None:
    from techrace.ruleset import load_ruleset

    nations = load_ruleset(ruleset).nations
    if nation not in nations:
        raise OptionsError(f"unknown nation {nation!r} in ruleset {ruleset!r} (known: {', '.join(nations)})")
