"""Bounded reads of save files, and listings that read each save's header without its body.

Reading a file: regular files only (checked with `stat` before opening and `fstat` after, opened
non-blocking, so a FIFO or a device named as a save is refused at once, never waited on), at most
`MAX_FILE_BYTES` from disk. Listing: the header fields sit at the start of every save, so a listing
inflates the first few kilobytes for them and streams the rest through zlib only to check the gzip
CRC and length (never more than `MAX_DECOMPRESSED_BYTES`, never parsing JSON): a folder full of
decompression bombs lists in milliseconds per file.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from techrace.saves import container
from techrace.saves.errors import SaveError
from techrace.saves.paths import SAVE_SUFFIX, file_kind, locate_save, name_of, saves_root

HEADER_BYTES = 16 * 1024  # a real header is ~400 bytes; the ruleset name is at most 200 characters
_CHUNK = 1 << 16
_SPACE = re.compile(r"\s*")


@dataclass(frozen=True)
class SaveInfo:
    """One line of `techrace saves list`; `problem` says why a damaged save cannot be loaded."""

    name: str
    path: Path
    ruleset: str | None
    player: str | None
    seed: int | None
    turn: int | None
    quarter: str | None
    saved: datetime
    size: int
    problem: str | None = None


def read_file(path: Path) -> bytes:
    """The bytes of a save file: a regular file of at most MAX_FILE_BYTES, or SaveError (never blocks)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    _check_regular(os.stat(path).st_mode)  # before opening: opening some devices has effects
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        _check_regular(info.st_mode)  # the file opened may not be the one stat saw
        if info.st_size > container.MAX_FILE_BYTES:
            raise SaveError(f"save is too large: {info.st_size / 1e6:.1f} MB on disk, a save is at most "
                            f"{container.MAX_FILE_BYTES >> 20} MB (a real one is under 1 MB)")
        chunks, left = [], container.MAX_FILE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:  # the file grew while it was read
        raise SaveError(f"save is too large: over {container.MAX_FILE_BYTES >> 20} MB on disk")
    return b"".join(chunks)


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise SaveError(f"not a save file: it is {file_kind(mode)}")


def read_summary(data: bytes) -> container.SaveSummary:
    """The validated header of a save file's bytes, checking the compressed stream but not parsing the body.

    A file whose header does not come first (written by another tool) is decoded in full instead,
    within the same bounds.
    """
    head = _inflate_checked(data)
    try:
        fields = _header_fields(head)
    except SaveError:
        fields = None
    if fields is None or not set(container.HEADER_KEYS) <= set(fields):
        fields = {key: value for key, value in container.decode(data).items()
                  if key in container.HEADER_KEYS or key in container.OPTIONAL_HEADER_KEYS}
    version = fields.get("techrace_save")
    if type(version) is int and version > container.FORMAT_VERSION:
        raise SaveError(f"save format {version} is too new for this techrace; upgrade techrace")
    try:
        return container.SaveSummary.model_validate({k: fields[k] for k in (*container.HEADER_KEYS, *container.OPTIONAL_HEADER_KEYS)
                                                     if k in fields})
    except ValidationError as exc:
        raise SaveError(container.validation_problem(exc)) from None


def _inflate_checked(data: bytes) -> bytes:
    """The first HEADER_BYTES of the JSON; the rest is inflated in chunks and dropped (CRC and size checks).

    An honest bomb is refused from its gzip trailer without inflating. Inflating stops as soon as the
    output passes the size the trailer gives (a real save inflates to exactly that), so a bomb with
    a forged trailer costs at most what it claims, never over MAX_DECOMPRESSED_BYTES, never memory.
    """
    if not data:
        raise SaveError("save is empty (0 bytes): it was never completely written")
    if not data.startswith(b"\x1f\x8b"):
        raise SaveError("not a techrace save: the file is not gzip-compressed")
    # gzip trailer: the inflated size (mod 4 GiB); a file too short to hold one is reported truncated below
    claimed = int.from_bytes(data[-4:], "little") if len(data) >= 18 else container.MAX_DECOMPRESSED_BYTES
    if claimed > container.MAX_DECOMPRESSED_BYTES:  # a bomb, or a cut file's random tail
        raise SaveError(f"save is truncated or too large: its gzip trailer gives {claimed / 1e6:,.0f} MB "
                        f"uncompressed, a save holds at most {container.MAX_DECOMPRESSED_BYTES >> 20} MB")
    inflater, head, total, fed = zlib.decompressobj(wbits=31), b"", 0, 0
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):  # small input pieces: no copy of a long unconsumed tail
            pending: bytes | memoryview = view[start: start + _CHUNK]
            fed = start + len(pending)
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                total += len(chunk)
                if total > claimed:  # a save inflates to exactly what its trailer says; a liar stops here
                    raise SaveError(f"save is truncated or corrupted: it inflates past the {claimed:,} bytes "
                                    "its gzip trailer gives")
                if len(head) < HEADER_BYTES:
                    head += chunk[: HEADER_BYTES - len(head)]
            if inflater.eof:
                break
    except zlib.error as exc:
        raise SaveError(f"save is corrupted: bad compressed data ({exc})") from None
    if not inflater.eof:
        raise SaveError(f"save is truncated: the compressed data ends early after {len(data)} bytes")
    trailing = len(inflater.unused_data) + len(data) - fed
    if trailing:
        raise SaveError(f"save is corrupted: {trailing} unexpected bytes after the data")
    return head


def _header_fields(head: bytes) -> dict[str, Any]:
    """The top-level fields before the first body field (action_log, snapshot), parsed one at a time."""
    text = head.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder(**container.JSON_NUMBERS)  # type: ignore[arg-type]
    pos = _SPACE.match(text).end()  # type: ignore[union-attr]
    if text[pos: pos + 1] != "{":
        raise SaveError("not a techrace save: not a JSON object")
    fields: dict[str, Any] = {}
    pos += 1
    try:
        while True:
            key, pos = decoder.raw_decode(text, _SPACE.match(text, pos).end())  # type: ignore[union-attr]
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if not isinstance(key, str) or text[pos: pos + 1] != ":":
                raise SaveError("not a techrace save: not a JSON object")
            if key in container.BODY_KEYS:
                return fields
            fields[key], pos = decoder.raw_decode(text, _SPACE.match(text, pos + 1).end())  # type: ignore[union-attr]
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos: pos + 1] != ",":
                return fields
            pos += 1
    except (ValueError, RecursionError):
        raise SaveError("save header is not readable at the start of the file") from None


def summarize(path: Path, root: Path) -> SaveInfo:
    """One listing entry for `path`: its header, or the problem that makes it unloadable."""
    name = name_of(path, root)
    try:
        info = os.stat(path)
    except OSError as exc:
        return SaveInfo(name, path, None, None, None, None, None, datetime.fromtimestamp(0, tz=UTC), 0,
                        f"cannot read: {exc.strerror or exc}")
    saved = datetime.fromtimestamp(info.st_mtime, tz=UTC)
    try:
        header = read_summary(read_file(path))
    except (SaveError, OSError) as exc:
        problem = str(exc) if isinstance(exc, SaveError) else f"cannot read: {exc.strerror or exc}"
        return SaveInfo(name, path, None, None, None, None, None, saved, info.st_size, problem)
    return SaveInfo(name, path, header.ruleset.name, header.player, header.seed, header.turn, header.quarter,
                    saved, info.st_size)


def iter_saves(saves_dir: Path | str | None = None) -> Iterator[SaveInfo]:
    """Every save below the saves directory, in name order, one at a time (damaged ones too).

    Safe to call from a worker thread (no shared state; each file costs at most one bounded read
    and inflate), so a UI can list in the background and show entries as they come.
    """
    root = saves_root(saves_dir)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*" + SAVE_SUFFIX)):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.resolve().is_relative_to(root):
            continue  # temporary files, hidden files and symlinks leading out of saves/
        if path.is_dir():
            continue
        yield summarize(path, root)


def list_saves(saves_dir: Path | str | None = None) -> list[SaveInfo]:
    """Every save below the saves directory (autosaves included), sorted by name; damaged ones too."""
    return list(iter_saves(saves_dir))


def read_header(name_or_path: str | Path, saves_dir: Path | str | None = None) -> tuple[Path, container.SaveSummary]:
    """The file a save name means and its validated header, without reading the body (for `saves show`)."""
    path = locate_save(name_or_path, saves_dir)
    try:
        return path, read_summary(read_file(path))
    except FileNotFoundError:
        raise SaveError(f"no save {str(name_or_path)!r} at {path}") from None
    except OSError as exc:
        raise SaveError(f"cannot read save {name_or_path}: {exc.strerror or exc}") from None
    except SaveError as exc:
        raise SaveError(f"{name_or_path}: {exc}") from None
