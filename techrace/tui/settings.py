"""The player's settings of the terminal game, kept between sessions in a small JSON file.

Where: `$TECHRACE_CONFIG_DIR/tui.json`, else `$XDG_CONFIG_HOME/techrace/tui.json`, else
`~/.config/techrace/tui.json`. A missing file means the defaults; an unreadable or malformed one means
the defaults and a one-line notice (the game never fails to start over its settings). Writes are
atomic. No Textual here, so the rules are unit-tested.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

FILE_NAME = "tui.json"
MAX_BYTES = 64 * 1024  # a settings file is a few dozen bytes; anything larger is not ours


def config_dir() -> Path:
    explicit = os.environ.get("TECHRACE_CONFIG_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "techrace"


@dataclass(frozen=True)
class Settings:
    """What the player chose; each field has a default and a line in the settings dialog."""

    turn_report: bool = True  # show the turn report after each turn

    def changed(self, **values: object) -> Settings:
        return replace(self, **values)  # type: ignore[arg-type]


LABELS = {"turn_report": "Show the turn report after each turn"}


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """(settings, problem): the saved settings, or the defaults and why the file could not be used."""
    path = path or config_dir() / FILE_NAME
    try:
        if not path.exists():
            return Settings(), None
        if not path.is_file():
            return Settings(), f"settings {path} is not a regular file; using the defaults"
        if path.stat().st_size > MAX_BYTES:
            return Settings(), f"settings {path} is larger than {MAX_BYTES // 1024} KB; using the defaults"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Settings(), f"cannot read settings {path}: {exc}; using the defaults"
    if not isinstance(data, dict):
        return Settings(), f"settings {path} should hold a JSON object; using the defaults"
    values: dict[str, bool] = {}
    for item in fields(Settings):
        if item.name in data:
            if not isinstance(data[item.name], bool):
                return Settings(), f"settings {path}: {item.name} should be true or false; using the defaults"
            values[item.name] = data[item.name]
    return Settings(**values), None


def save_settings(settings: Settings, path: Path | None = None) -> str | None:
    """Write the settings atomically; the problem as one line, or None."""
    path = path or config_dir() / FILE_NAME
    text = json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n"
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return f"cannot save settings to {path}: {exc.strerror or exc}"
    return None
