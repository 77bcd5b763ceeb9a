"""techrace: a turn-based, agent-based game and simulation of the race for semiconductors and AI.

`Game` and friends are imported lazily so that light commands (`techrace ruleset check`) never pay
for Mesa.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Action", "Game", "load_ruleset", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Game", "Action"):
        from techrace import core

        return getattr(core, name)
    if name == "load_ruleset":
        from techrace.ruleset import load_ruleset

        return load_ruleset
    raise AttributeError(name)
