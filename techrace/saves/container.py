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
from techrace.model_id import model_fingerprint
from techrace.saves import migrations
from techrace.saves.errors import SaveError

FORMAT_VERSION = 1
# Bounds on what a read may cost, chosen from real saves (docs/saves.md, "Bounds"): a 44-turn game is
# 255 kB of JSON (40 kB on disk, ~26,000 JSON items), a 300-turn game 787 kB (90 kB, ~76,000 items), so a
# 400-turn game is about 1 MB. The caps leave 16x headroom for long player action logs and a larger core.
MAX_FILE_BYTES = 4 * 1024 * 1024  # compressed size on disk, checked with fstat before reading
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024  # JSON size; a gzip bomb stops here, never fills memory
MAX_JSON_ITEMS = 1_000_000  # values, keys and containers, counted on the bytes before json.loads
MAX_INT_DIGITS = 80  # 2**256 has 78 digits; the largest real integers are 128-bit RNG states
MAX_TURNS = 10_000  # turns in one save: a ruleset plays at most 400 quarters per game
MAX_ACTIONS_PER_TURN = 1_000  # a player's actions logged for one turn
COMPRESS_LEVEL = 6  # within a few % of level 9 in size, several times faster
_GZIP_MAGIC = b"\x1f\x8b"
SNAPSHOT_KEYS = ("ruleset", "ruleset_hash", "seed", "player", "turn", "state")

Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class RulesetRef(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1, max_length=200)
    hash: Hex64


class SaveSummary(BaseModel):
    """The header fields at the start of a save file: what `saves list` shows, read without the body."""

    model_config = ConfigDict(extra="forbid", strict=True)
    techrace_save: int
    techrace_version: str = Field(max_length=64)
    ruleset: RulesetRef
    seed: int
    player: str | None = Field(max_length=64)
    turn: int = Field(ge=0, le=MAX_TURNS)
    quarter: str = Field(pattern=r"^\d{4}Q[1-4]$")
    checksum: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    # the model that played it (`techrace.model_id`): a replay by another model diverges, and can say why;
    # saves written before 1 December 2026 (stop 25) do not record it
    model: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")] | None = None


class SaveHeader(SaveSummary):
    """What a save file must hold besides the snapshot itself (validated on every read)."""

    action_log: list[list[dict[str, Any]]]
    snapshot: dict[str, Any]


HEADER_KEYS = tuple(name for name, spec in SaveSummary.model_fields.items() if spec.is_required())  # every save has them
OPTIONAL_HEADER_KEYS = tuple(name for name in SaveSummary.model_fields if name not in HEADER_KEYS)
BODY_KEYS = ("action_log", "snapshot")


def validation_problem(exc: ValidationError) -> str:
    """One line naming the first invalid field of a pydantic error (and how many more there are)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"save is malformed: {where}: {first['msg']}{more}"


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
    try:
        plain = json.loads(json.dumps(snapshot, allow_nan=False))
    except ValueError:
        raise SaveError(f"cannot save: the game holds a non-finite number (NaN or infinity) in "
                        f"{_non_finite_path(snapshot) or 'its snapshot'}") from None
    action_log = plain.pop("action_log")
    document: dict[str, Any] = {
        "techrace_save": FORMAT_VERSION,
        "techrace_version": __version__,
        "model": model_fingerprint(),
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


def _non_finite_path(value: Any, path: str = "") -> str | None:
    """Where the first NaN or infinity sits in a JSON-like value, e.g. history.metric_rows[3].capability."""
    if isinstance(value, float):
        return None if math.isfinite(value) else path or "a value"
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list | tuple) else ()
    for key, child in items:
        found = _non_finite_path(child, f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}".lstrip("."))
        if found:
            return found
    return None


def encode(document: dict[str, Any]) -> bytes:
    """The file bytes: compact JSON, gzip with a zero timestamp so equal games give equal files."""
    import gzip

    text = json.dumps(document, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return gzip.compress(text.encode(), compresslevel=COMPRESS_LEVEL, mtime=0)


def decode(data: bytes) -> dict[str, Any]:
    """The validated (and, if older, migrated) document in `data`; SaveError naming any problem.

    Every step is bounded before it runs: the inflated size, the number of JSON items, then the sizes
    of the action log, so a small hostile file costs milliseconds, never gigabytes.
    """
    raw = decompress(data)
    _check_item_count(raw)
    document = _parse(raw)
    version = document.get("techrace_save")
    if type(version) is not int:
        raise SaveError(f"not a techrace save: format marker is {version!r:.40}, not a number")
    written_by = document.get("techrace_version", "an unknown version")
    if version > FORMAT_VERSION:
        raise SaveError(
            f"save format {version} is too new: this techrace {__version__} reads formats up to "
            f"{FORMAT_VERSION} (the save was written by techrace {written_by!s:.40}); upgrade techrace"
        )
    oldest = migrations.oldest_readable(FORMAT_VERSION)
    if version < oldest:
        raise SaveError(
            f"save format {version} is too old: this techrace {__version__} reads formats {oldest} to "
            f"{FORMAT_VERSION} and has no migration from {version} (written by techrace {written_by!s:.40})"
        )
    _check_log_sizes(document.get("action_log"))
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


def decompress(data: bytes) -> bytes:
    """The JSON bytes of a save file, inflating at most MAX_DECOMPRESSED_BYTES (read when called)."""
    limit = MAX_DECOMPRESSED_BYTES
    if not data:
        raise SaveError("save is empty (0 bytes): it was never completely written")
    if not _GZIP_MAGIC.startswith(data[:2]):
        raise SaveError("not a techrace save: the file is not gzip-compressed")
    inflater = zlib.decompressobj(wbits=31)  # 31 = gzip wrapper; checks the CRC and length trailer
    try:
        raw = inflater.decompress(data, limit + 1)
        if len(raw) > limit:
            raise SaveError(f"save is too large: over {limit >> 20} MB uncompressed (a real save is about 1 MB)")
        raw += inflater.flush()
    except zlib.error as exc:
        raise SaveError(f"save is corrupted: bad compressed data ({exc})") from None
    if not inflater.eof:
        raise SaveError(f"save is truncated: the compressed data ends early after {len(data)} bytes")
    if inflater.unused_data:
        raise SaveError(f"save is corrupted: {len(inflater.unused_data)} unexpected bytes after the data")
    return raw


def _check_item_count(raw: bytes) -> None:
    """Refuse JSON with more items than any real save before parsing it (each costs ~50-100 bytes of memory)."""
    items = raw.count(b",") + raw.count(b":") + raw.count(b"[") + raw.count(b"{")
    if items > MAX_JSON_ITEMS:
        raise SaveError(f"save is too large: about {items:,} JSON items, a save holds at most {MAX_JSON_ITEMS:,}")


def _check_log_sizes(action_log: Any) -> None:
    """Bound the action log before anything walks it (validation, checksum, replay)."""
    if not isinstance(action_log, list):
        return  # reported by the header validation
    if len(action_log) > MAX_TURNS:
        raise SaveError(f"save is malformed: an action log of {len(action_log):,} turns (at most {MAX_TURNS:,})")
    for turn, actions in enumerate(action_log, start=1):
        if isinstance(actions, list) and len(actions) > MAX_ACTIONS_PER_TURN:
            raise SaveError(f"save is malformed: {len(actions):,} actions logged at turn {turn} "
                            f"(at most {MAX_ACTIONS_PER_TURN:,})")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number in a save")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range for a number in a save")
    return value


def _bounded_int(text: str) -> int:
    """An integer that converts to a finite float (and parses in linear time)."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is out of range for a number in a save")
    return int(text)


JSON_NUMBERS = {"parse_constant": _reject_constant, "parse_float": _finite_float, "parse_int": _bounded_int}


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"), **JSON_NUMBERS)
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
        raise SaveError(validation_problem(exc)) from None
    snapshot = header.snapshot
    missing = [key for key in SNAPSHOT_KEYS if key not in snapshot]
    if missing:
        raise SaveError(f"save is malformed: the snapshot lacks {', '.join(missing)}")
    expected = {"ruleset_hash": header.ruleset.hash, "seed": header.seed, "player": header.player,
                "turn": header.turn}
    for key, value in expected.items():
        if snapshot[key] != value or type(snapshot[key]) is not type(value):
            raise SaveError(f"save is inconsistent: header {key} is {value!r:.40} but the snapshot has {snapshot[key]!r:.40}")
    if len(header.action_log) != header.turn:
        raise SaveError(f"save is inconsistent: {header.turn} turns played but {len(header.action_log)} turns of actions logged")
    if not isinstance(snapshot["ruleset"], dict):
        raise SaveError("save is malformed: the snapshot's ruleset is not a mapping")


def snapshot_of(document: dict[str, Any]) -> dict[str, Any]:
    """The `Game.snapshot()` dict stored in a validated document (action log put back in place)."""
    return {**document["snapshot"], "action_log": document["action_log"]}
