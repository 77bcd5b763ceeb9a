"""The one rule for save names and paths, used by `run`, `play`, `replay`, `saves` and the terminal UI.

* A **path** is a value that is visibly a path: absolute, or starting with `~`, `./` or `../` (or a
  drive letter). It is used only when it clearly names a save: it must end in `.json.gz`.
* Anything else is a **name** inside the saves directory: `campaign` is `saves/campaign.json.gz`,
  `autosave/x` is a sub-folder. No `..`, `.`, empty or hidden parts, no control characters, and after
  following symlinks the file must still be inside the saves directory.
* Every file name is at most 255 bytes and a path at most 4096 (what file systems accept), so a
  long name is refused before a game is played, not after.
* For writing (`for_writing=True`), an existing file is replaced only if it is a regular file that
  begins like a techrace save: a user's `notes.md`, a directory, a FIFO or a device is never
  overwritten. Callers check this *before* playing, so a bad `--save` costs nothing.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

from techrace.saves.errors import SaveError

SAVE_SUFFIX = ".json.gz"
AUTOSAVE_DIR = "autosave"
MAX_NAME_BYTES = 255  # NAME_MAX of ext4, xfs, btrfs, APFS, tmpfs (NTFS: 255 UTF-16 units)
MAX_PATH_BYTES = 4096  # PATH_MAX on Linux
_TEMP_MARK = ".tmp-"
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SAVE_START = re.compile(rb'^\s*\{\s*"techrace_save"\s*:')


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


def is_path(text: str) -> bool:
    """True when `text` is visibly a file path rather than a save name (see the module rule)."""
    return (text.startswith(("/", "\\", "~", "./", "../", ".\\", "..\\")) or text in (".", "..")
            or PureWindowsPath(text).drive != "")


def locate_save(text: str | Path, saves_dir: Path | str | None = None, *, for_writing: bool = False) -> Path:
    """The absolute save file that a name or path means under the one rule; SaveError if it is not allowed.

    The CLI (`run --save/--load`, `replay`, `saves show`) and the terminal UI (save and load dialogs,
    `play --load`) all call this, so a name means the same file everywhere. With `for_writing`, the
    target must also be safe to replace (see the module docstring): call it before playing.
    """
    text = str(text)
    root = saves_root(saves_dir)
    if not text.strip():
        raise SaveError("a save name cannot be empty")
    if _BAD_CHARS.search(text):
        raise SaveError(f"save name {text!r} contains control characters")
    if is_path(text):
        if not text.endswith(SAVE_SUFFIX):
            raise SaveError(f"save path {text!r} does not end in {SAVE_SUFFIX}: a path is used only when it "
                            f"clearly names a save (e.g. {text.rstrip('/')}{SAVE_SUFFIX}); a plain name goes into {root}")
        target = Path(text).expanduser().resolve()
    else:
        target = _inside(text, root)
    _check_length(text, target)
    if for_writing:
        check_replaceable(target)
    return target


def save_name_problem(text: str, saves_dir: Path | str | None = None, *, for_writing: bool = True) -> str | None:
    """Why `text` cannot be used as a save name or path (one line for a dialog), or None when it can."""
    try:
        locate_save(text, saves_dir, for_writing=for_writing)
    except SaveError as exc:
        return str(exc)
    return None


def check_replaceable(target: Path) -> None:
    """SaveError unless writing a save at `target` would create a file or replace an older save only."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        _check_parent(target)
        return
    except OSError as exc:
        raise SaveError(f"cannot save to {target}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise SaveError(f"cannot save to {target}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise SaveError(f"cannot save to {target}: it is {file_kind(info.st_mode)}, not a save file")
    if not _begins_like_a_save(target):
        raise SaveError(f"will not overwrite {target}: it exists and is not a techrace save")


def file_kind(mode: int) -> str:
    """'a FIFO', 'a device' ... for a message about a file that is not a regular file."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def temp_name(target: Path) -> str:
    """Prefix for the temporary file written next to `target` (hidden, never listed as a save).

    Cut to 64 bytes so that the temporary name of a 255-byte file name still fits the file system.
    """
    head = target.name.encode()[:64].decode(errors="ignore")
    return f".{head}{_TEMP_MARK}"


def _inside(text: str, root: Path) -> Path:
    parts = re.split(r"[\\/]", text)
    if any(part in ("", ".", "..") for part in parts) or PurePosixPath(text).is_absolute():
        raise SaveError(f"save name {text!r} may not contain '..', '.' or empty path parts")
    if any(part.startswith(".") for part in parts) or _TEMP_MARK in text:
        raise SaveError(f"save name {text!r} may not start a part with '.' (hidden and temporary files)")
    target = (root.joinpath(*parts[:-1]) / with_suffix(parts[-1])).resolve()
    if not target.is_relative_to(root):
        raise SaveError(f"save name {text!r} leads outside {root} through a symlink")
    return target


def _check_length(text: str, target: Path) -> None:
    longest = max((part for part in target.parts), key=lambda p: len(os.fsencode(p)))
    if len(os.fsencode(longest)) > MAX_NAME_BYTES:
        raise SaveError(f"save name {_short(text)} is too long: the file name would be {len(os.fsencode(longest))} "
                        f"bytes, at most {MAX_NAME_BYTES} are allowed")
    if len(os.fsencode(str(target))) > MAX_PATH_BYTES:
        raise SaveError(f"save path {_short(text)} is too long: over {MAX_PATH_BYTES} bytes")


def _check_parent(target: Path) -> None:
    """The nearest existing folder above `target` must be a folder we may write into."""
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise SaveError(f"cannot save to {target}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SaveError(f"cannot save to {target}: no permission to write in {parent}")


def _begins_like_a_save(path: Path) -> bool:
    """True when the file is gzip whose first bytes are the techrace save marker (reads at most 4 KB)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            head = os.read(fd, 4096)
        finally:
            os.close(fd)
        inflater = zlib.decompressobj(wbits=31)
        return bool(_SAVE_START.match(inflater.decompress(head, 256)))
    except (OSError, zlib.error):
        return False


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
