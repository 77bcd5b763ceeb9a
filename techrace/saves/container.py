"""The save file format: gzip-compressed JSON with a header, a checksum and the game snapshot.

Layout (a readable standard format: `zcat game.json.gz | python -m json.tool`):

    {"techrace_save": 1, "techrace_version": "0.1.0", "ruleset": {"name": ..., "hash": ...},
     "seed": 7, "player": "CN", "turn": 12, "quarter": "2028Q1", "checksum": "sha256:...",
     "action_log": [[{action}, ...] per turn], "snapshot": {Game.snapshot() without its action_log}}

The checksum is sha256 over the canonical JSON (sorted keys, no spaces, ASCII) of every field except
itself, so editing any header field or any number in the snapshot is detected. Nothing time-dependent
is stored: the same game always gives byte-identical files. Never pickle: JSON cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from techrace import __version__
from techrace.saves import migrations
from techrace.saves.errors import SaveError

FORMAT_VERSION = 1
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024  # refuse gzip bombs; a 44-turn game is a few MB
COMPRESS_LEVEL = 6  # within a few % of level 9 in size, several times faster
_GZIP_MAGIC = b"\x1f\x8b"
SNAPSHOT_KEYS = ("ruleset", "ruleset_hash", "seed", "player", "turn", "state")

Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class RulesetRef(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1)
    hash: Hex64


class SaveHeader(BaseModel):
    """What a save file must hold besides the snapshot itself (validated on every read)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    techrace_save: int
    techrace_version: str
    ruleset: RulesetRef
    seed: int
    player: str | None
    turn: int = Field(ge=0)
    quarter: str = Field(pattern=r"^\d{4}Q[1-4]$")
    checksum: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    action_log: list[list[dict[str, Any]]]
    snapshot: dict[str, Any]


def canonical_json(value: Any) -> bytes:
    """The one byte string a JSON value hashes as, whatever key order or spacing it was read with."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def checksum_of(document: dict[str, Any]) -> str:
    """sha256 over every field of the document except the checksum itself."""
    body = {key: value for key, value in document.items() if key != "checksum"}
    return "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()


def build_document(snapshot: dict[str, Any], quarter: str) -> dict[str, Any]:
    """The save document for a `Game.snapshot()` (the action log is stored once, at the top)."""
    missing = [key for key in (*SNAPSHOT_KEYS, "action_log") if key not in snapshot]
    if missing:
        raise ValueError(f"game snapshot lacks {', '.join(missing)}")
    # Round-trip through JSON: the document holds plain JSON values only, so the checksum computed
    # now is the one a reader recomputes (int dict keys, tuples and the like would otherwise differ).
    plain = json.loads(json.dumps(snapshot, allow_nan=False))
    action_log = plain.pop("action_log")
    document: dict[str, Any] = {
        "techrace_save": FORMAT_VERSION,
        "techrace_version": __version__,
        "ruleset": {"name": str(plain.get("ruleset_name") or plain["ruleset"].get("name", "")),
                    "hash": plain["ruleset_hash"]},
        "seed": plain["seed"],
        "player": plain["player"],
        "turn": plain["turn"],
        "quarter": quarter,
        "checksum": "",
        "action_log": action_log,
        "snapshot": plain,
    }
    document["checksum"] = checksum_of(document)
    return document


def encode(document: dict[str, Any]) -> bytes:
    """The file bytes: compact JSON, gzip with a zero timestamp so equal games give equal files."""
    import gzip

    text = json.dumps(document, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return gzip.compress(text.encode(), compresslevel=COMPRESS_LEVEL, mtime=0)


def decode(data: bytes) -> dict[str, Any]:
    """The validated (and, if older, migrated) document in `data`; SaveError naming any problem."""
    document = _parse(_decompress(data))
    version = document.get("techrace_save")
    if type(version) is not int:
        raise SaveError(f"not a techrace save: format marker is {version!r}, not a number")
    written_by = document.get("techrace_version", "an unknown version")
    if version > FORMAT_VERSION:
        raise SaveError(
            f"save format {version} is too new: this techrace {__version__} reads formats up to "
            f"{FORMAT_VERSION} (the save was written by techrace {written_by}); upgrade techrace"
        )
    oldest = migrations.oldest_readable(FORMAT_VERSION)
    if version < oldest:
        raise SaveError(
            f"save format {version} is too old: this techrace {__version__} reads formats {oldest} to "
            f"{FORMAT_VERSION} and has no migration from {version} (written by techrace {written_by})"
        )
    stored = document.get("checksum")
    if not isinstance(stored, str):
        raise SaveError("save has no checksum: cannot tell whether it was altered")
    if checksum_of(document) != stored:
        raise SaveError("save is tampered or damaged: its content does not match its sha256 checksum")
    if version < FORMAT_VERSION:
        document = migrations.migrate(document, FORMAT_VERSION)
        document["checksum"] = checksum_of(document)
    _validate(document)
    return document


def _decompress(data: bytes) -> bytes:
    if not data:
        raise SaveError("save is empty (0 bytes): it was never completely written")
    if not _GZIP_MAGIC.startswith(data[:2]):
        raise SaveError("not a techrace save: the file is not gzip-compressed")
    inflater = zlib.decompressobj(wbits=31)  # 31 = gzip wrapper; checks the CRC and length trailer
    try:
        raw = inflater.decompress(data, MAX_DECOMPRESSED_BYTES + 1)
        if len(raw) > MAX_DECOMPRESSED_BYTES:
            raise SaveError(f"save is too large: over {MAX_DECOMPRESSED_BYTES >> 20} MB uncompressed")
        raw += inflater.flush()
    except zlib.error as exc:
        raise SaveError(f"save is corrupted: bad compressed data ({exc})") from None
    if not inflater.eof:
        raise SaveError(f"save is truncated: the compressed data ends early after {len(data)} bytes")
    if inflater.unused_data:
        raise SaveError(f"save is corrupted: {len(inflater.unused_data)} unexpected bytes after the data")
    return raw


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number in a save")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range for a number in a save")
    return value


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except UnicodeDecodeError as exc:
        raise SaveError(f"save is corrupted: not UTF-8 text at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise SaveError(f"save is corrupted: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise SaveError(f"save is corrupted: {str(exc) or 'JSON nested too deeply'}") from None
    if not isinstance(document, dict) or "techrace_save" not in document:
        raise SaveError("not a techrace save: no techrace_save format marker")
    return document


def _validate(document: dict[str, Any]) -> None:
    try:
        header = SaveHeader.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise SaveError(f"save is malformed: {where}: {first['msg']}{more}") from None
    snapshot = header.snapshot
    missing = [key for key in SNAPSHOT_KEYS if key not in snapshot]
    if missing:
        raise SaveError(f"save is malformed: the snapshot lacks {', '.join(missing)}")
    expected = {"ruleset_hash": header.ruleset.hash, "seed": header.seed, "player": header.player,
                "turn": header.turn}
    for key, value in expected.items():
        if snapshot[key] != value or type(snapshot[key]) is not type(value):
            raise SaveError(f"save is inconsistent: header {key} is {value!r} but the snapshot has {snapshot[key]!r}")
    if len(header.action_log) != header.turn:
        raise SaveError(f"save is inconsistent: {header.turn} turns played but {len(header.action_log)} turns of actions logged")
    if not isinstance(snapshot["ruleset"], dict):
        raise SaveError("save is malformed: the snapshot's ruleset is not a mapping")


def snapshot_of(document: dict[str, Any]) -> dict[str, Any]:
    """The `Game.snapshot()` dict stored in a validated document (action log put back in place)."""
    return {**document["snapshot"], "action_log": document["action_log"]}
