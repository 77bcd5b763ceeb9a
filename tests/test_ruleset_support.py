"""Helpers shared by the ruleset tests: write a small mod directory layered on a base."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<path>[^:]+): (?P<message>.+) \[layer (?P<layer>[^\]]+)\]$")


def write_mod(directory: Path, files: dict[str, str], extends: str | None = "baseline", name: str | None = None,
              format_version: int | None = 2) -> Path:
    """Create a ruleset directory with a ruleset.yaml and the given extra files (dedented)."""
    directory.mkdir(parents=True, exist_ok=True)
    meta = [f"name: {name or directory.name}", "description: a test mod"]
    if format_version is not None:
        meta.append(f"format_version: {format_version}")
    if extends is not None:
        meta.append(f"extends: {extends}")
    (directory / "ruleset.yaml").write_text("\n".join(meta) + "\n" + textwrap.dedent(files.pop("ruleset.yaml", "")),
                                            encoding="utf-8")
    for filename, text in files.items():
        (directory / filename).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def assert_located(lines: list[str]) -> list[re.Match[str]]:
    """Every line is `file:line:col: key.path: message [layer L]`; returns the matches."""
    matches = []
    for line in lines:
        match = LOCATED.match(line)
        assert match, f"not a located error line: {line!r}"
        matches.append(match)
    return matches
