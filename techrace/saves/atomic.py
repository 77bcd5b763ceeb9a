"""Atomic file replacement: a crash or a full disk half way through a save leaves the old file intact.

The bytes go to a hidden temporary file in the same directory (same file system, so the rename is
atomic), are flushed and fsynced, and only then renamed over the target; the directory is fsynced so
the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from techrace.saves.errors import SaveError
from techrace.saves.paths import temp_name


def atomic_write_bytes(target: Path, data: bytes, *, what: str = "save") -> None:
    """Replace `target` with `data` all at once, or raise SaveError and leave it untouched.

    `what` names the file in messages ("save", "output file"); every OSError (full disk, read-only
    folder, name too long, permissions) becomes one line saying that nothing was written.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=temp_name(target))
    except OSError as exc:
        raise SaveError(f"cannot write {what} {target}: {exc.strerror or exc}; nothing was written") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise SaveError(
                f"cannot write {what} {target}: {exc.strerror or exc}; any previous {what} there is intact"
            ) from None
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # Windows cannot open directories; rename is already durable
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on directories; the data file itself is synced
    finally:
        os.close(fd)
