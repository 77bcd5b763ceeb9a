"""Commands that continue their --out when run again (`tournament`, `compare`, `sensitivity`).

Unlike `batch --resume`, these fill the options a user leaves out with defaults (--runs 20, --seed 0, the
rulesets' length), so an option that differs from the batch in --out may be one the user never typed:
"drop it" would be no advice. The refusal names what the batch was played with, so the user can pass it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from techrace.batch.store import BatchDirError
from techrace.safe_text import printable


def check_continues(where: str | Path, what: str, asked: Mapping[str, tuple[Any, bool]],
                    played: Mapping[str, Any]) -> None:
    """Refuse to continue `what` in `where` with other options than it was played with, naming them.

    `asked` maps an option to (the value this command would use, whether the user gave it); `played` maps it
    to the value the batch in `where` was played with."""
    differ = [option for option, (value, _) in asked.items() if option in played and value != played[option]]
    if not differ:
        return
    was = " ".join(f"{option} {played[option]}" for option in differ)
    now = ", ".join(f"{option} {asked[option][0]}" + ("" if asked[option][1] else " (the default: not given)")
                    for option in differ)
    raise BatchDirError(printable(f"{where} holds a {what} played with {was}; this command asks for {now}. Pass "
                                  f"{was} to continue it, or use a new --out"))
