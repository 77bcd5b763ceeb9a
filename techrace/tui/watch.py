"""Live rulesets for `play --watch` and `observe --watch`: which directories to watch, and what a change to
them means for the game being played (no Textual).

Every layer of the ruleset is watched (the mod and each ruleset it extends). On a change the ruleset is read
and checked as `techrace ruleset check` does; a valid one that the game can take (`Game.reload_problem`) is
held until the turn ends, then `Game.reload` puts it in force; an invalid one leaves the game under its rules
and its located errors are shown. The file watching itself is `watchfiles` (in `app.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEBOUNCE_MS = 300  # changes within this window (an editor's write and rename) are read as one
SHOWN = 3          # errors or changes named in the notice; `w` on the board shows them all


@dataclass
class RulesetCheck:
    """What a change to the ruleset's files amounts to."""

    ruleset: Any = None                                # the checked Ruleset, when valid and different
    changes: list[str] = field(default_factory=list)   # `techrace ruleset diff` lines from the game's rules
    errors: list[str] = field(default_factory=list)    # located errors (invalid) or why the game cannot take it

    @property
    def valid(self) -> bool:
        return not self.errors


def ruleset_source(session: Any) -> str:
    """The ruleset to watch: the one the game was started from (name or directory), else the game's own."""
    return str(session.ruleset_source or session.game.ruleset.name)


def watched_directories(source: str) -> list[Path]:
    """Every layer's directory (the mod first, then what it extends); RulesetError when none can be found."""
    from techrace.ruleset import inspect_ruleset

    inspected = inspect_ruleset(source)
    return list(dict.fromkeys(layer.directory.resolve() for layer in inspected.chain))


def is_ruleset_file(path: str) -> bool:
    return Path(path).suffix in (".yaml", ".yml")


def check_change(source: str, game: Any) -> RulesetCheck:
    """Read the ruleset again and say whether (and how) the game can play on under it."""
    from techrace.ruleset import inspect_ruleset
    from techrace.ruleset.explain import diff

    try:
        inspected = inspect_ruleset(source)
    except Exception as exc:  # a ruleset that cannot be found or read at all
        return RulesetCheck(errors=[str(exc)])
    if inspected.errors or inspected.ruleset is None:
        return RulesetCheck(errors=inspected.errors or ["the ruleset could not be loaded"])
    changes = diff(game.ruleset, inspected.ruleset)
    from techrace.core.reload import changes_between, data_of

    if not changes_between(data_of(game.ruleset), data_of(inspected.ruleset)):
        return RulesetCheck()
    problem = game.reload_problem(inspected.ruleset)
    if problem:
        return RulesetCheck(errors=[f"this game cannot take the changed ruleset: {problem}; it plays on under "
                                    "its rules (start a new game to play the changed one)"])
    return RulesetCheck(inspected.ruleset, changes)


def check_notice(check: RulesetCheck, pending_before: bool) -> tuple[str, str, str]:
    """What to tell the player about a checked change: (title, message, severity)."""
    from techrace.safe_text import printable

    def listed(lines: list[str]) -> str:
        more = f"\n… and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
        return "\n".join(printable(line) for line in lines[:SHOWN]) + more

    if check.errors:
        return ("Ruleset not reloaded", listed(check.errors) + "\nThe game plays on under its rules · w: details",
                "error")
    if check.ruleset is None:
        if pending_before:
            return "Ruleset", "The ruleset is back to the game's rules: nothing will be reloaded", "information"
        return "Ruleset", "The ruleset's files changed but no value did: nothing to reload", "information"
    count = len(check.changes)
    head = f"{count} value{'s' if count != 1 else ''} changed" if count else "only names and descriptions changed"
    return (f"Ruleset edited: {head}", listed(check.changes) + "\nIn force when this turn ends · w: every change",
            "information")
