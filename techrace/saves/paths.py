"""Where a save name lives on disk, and the rule that keeps user-given names inside saves/.

Rule: a *name* (what a player types in the UI, or gives to `saves`/`replay` commands) always resolves
inside the saves directory: relative only, no `..`, no absolute path or drive, and after following
symlinks the file must still be inside the saves directory. Sub-folders are allowed
(`autosave/baseline-s7-CN-t0012`). Only a caller that passes `allow_outside=True` (the CLI, for a
path the user typed in their own shell, e.g. `techrace replay ~/Downloads/game.json.gz`) may name a
file anywhere: a valid name of an existing save, or a bare name, still means the saves directory;
anything else with a path separator is a path.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from techrace.saves.errors import SaveError

SAVE_SUFFIX = ".json.gz"
AUTOSAVE_DIR = "autosave"
_TEMP_MARK = ".tmp-"
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def default_saves_dir() -> Path:
    """./saves of the working directory: where players expect to find their games."""
    return Path.cwd() / "saves"


def saves_root(saves_dir: Path | str | None) -> Path:
    """The saves directory as an absolute path with symlinks resolved (it need not exist yet)."""
    return Path(saves_dir if saves_dir is not None else default_saves_dir()).expanduser().resolve()


def with_suffix(name: str) -> str:
    """A name with the save extension added unless it already ends with it."""
    return name if name.endswith(SAVE_SUFFIX) else name + SAVE_SUFFIX


def name_of(path: Path, root: Path) -> str:
    """The name `list_saves` shows for a file: its path below the saves directory, without extension."""
    rel = path.relative_to(root).as_posix()
    return rel[: -len(SAVE_SUFFIX)] if rel.endswith(SAVE_SUFFIX) else rel


def resolve_save(name_or_path: str | Path, saves_dir: Path | str | None = None, *,
                 allow_outside: bool = False) -> Path:
    """The absolute file a save name or path refers to; SaveError when the name is not allowed."""
    text = str(name_or_path)
    root = saves_root(saves_dir)
    if not text.strip():
        raise SaveError("a save name cannot be empty")
    if _BAD_CHARS.search(text):
        raise SaveError(f"save name {text!r} contains control characters")
    if allow_outside:
        try:
            inside: Path | None = _inside(text, root)
        except SaveError:
            inside = None
        if inside is not None and (inside.exists() or not _looks_like_path(text)):
            return inside
        return Path(with_suffix(text) if Path(text).suffix == "" else text).expanduser().resolve()
    return _inside(text, root)


def _inside(text: str, root: Path) -> Path:
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or PureWindowsPath(text).drive:
        raise SaveError(f"save name {text!r} is an absolute path; names resolve inside {root}")
    parts = re.split(r"[\\/]", text)
    if any(part in ("", ".", "..") for part in parts):
        raise SaveError(f"save name {text!r} may not contain '..', '.' or empty path parts")
    if any(part.startswith(".") for part in parts) or _TEMP_MARK in text:
        raise SaveError(f"save name {text!r} may not start a part with '.' (hidden and temporary files)")
    target = (root.joinpath(*parts[:-1]) / with_suffix(parts[-1])).resolve()
    if not target.is_relative_to(root):
        raise SaveError(f"save name {text!r} leads outside {root} through a symlink")
    return target


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith("~") or Path(text).is_file()


def temp_name(target: Path) -> str:
    """Prefix for the temporary file written next to `target` (hidden, never listed as a save)."""
    return f".{target.name}{_TEMP_MARK}"
