"""Upgrades of older save formats, one step at a time (format n -> n + 1).

Format 1 is the first released format, so no migration exists yet. When the layout changes, bump
`FORMAT_VERSION` in `container.py` and register here a pure function that turns a verified format-n
document into a format n+1 one; saves older than the oldest migration are refused as too old.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Migration = Callable[[dict[str, Any]], dict[str, Any]]

MIGRATIONS: dict[int, Migration] = {}


def oldest_readable(current: int) -> int:
    """The oldest format that a chain of migrations can bring up to `current`."""
    oldest = current
    while oldest - 1 in MIGRATIONS:
        oldest -= 1
    return oldest


def migrate(document: dict[str, Any], current: int) -> dict[str, Any]:
    """Apply the migrations from the document's format up to `current`."""
    version = int(document["techrace_save"])
    while version < current:
        document = MIGRATIONS[version](document)
        version += 1
        document["techrace_save"] = version
    return document
