"""Which model played a result: a hash of the code that decides a game (`techrace/core`, `techrace/ruleset`).

The ruleset's data has its own hash (`ruleset_hash`); this one changes when the mechanisms, policies or schema
defaults do, so a batch resumed or a comparison reused after the model changed is caught instead of mixing the
runs of two models. It reads the package's own source files (a few hundred KB), once a process.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

MODEL_PACKAGES = ("core", "ruleset")


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """16 hex digits of the sha256 of every Python file of the model's packages, by path relative to `techrace`."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for package in MODEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
