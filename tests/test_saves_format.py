"""The save container: readable gzip JSON, checksummed, versioned; damaged files give one clear error."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace import __version__
from techrace.saves import SaveError, container, migrations


def fake_snapshot(turn: int = 3, seed: int = 7, player: str | None = "CN") -> dict[str, Any]:
    """A snapshot shaped like Game.snapshot(): enough for the container, which never simulates."""
    return {
        "format": 1, "ruleset": {"name": "baseline", "turns": 44}, "ruleset_hash": "ab" * 32,
        "seed": seed, "player": player, "turn": turn,
        "state": {"capacity_wpm": [[1.5, 2.0], [0.0, 4.25]]},
        "axes": {"capacity_wpm": ["foundry", "node"]},
        "labels": {"foundry": ["TSMC", "SMIC"], "node": ["N7", "N5"]},
        "rng": {"world": {"bit_generator": "PCG64", "state": {"state": 2**100 + 1, "inc": 3}}},
        "history": {"metric_rows": [{"turn": t + 1, "nation": n, "gdp_index": 100.0 - t} for t in range(turn)
                                    for n in ("CN", "US")], "events": []},
        "action_log": [[{"kind": "subsidy", "nation": "CN", "params": {"firm": "SMIC", "usd_b": 1.0}}]
                       for _ in range(turn)],
    }


def encoded(snapshot: dict[str, Any] | None = None) -> bytes:
    return container.encode(container.build_document(snapshot or fake_snapshot(), "2025Q4"))


def reencode(document: dict[str, Any], *, fix_checksum: bool) -> bytes:
    if fix_checksum:
        document["checksum"] = container.checksum_of(document)
    return gzip.compress(json.dumps(document).encode(), mtime=0)


def test_a_save_is_gzip_json_whose_header_a_person_can_read() -> None:
    document = json.loads(gzip.decompress(encoded()))
    assert document["techrace_save"] == container.FORMAT_VERSION
    assert document["techrace_version"] == __version__
    assert document["ruleset"] == {"name": "baseline", "hash": "ab" * 32}
    assert (document["seed"], document["player"], document["turn"], document["quarter"]) == (7, "CN", 3, "2025Q4")
    assert len(document["action_log"]) == 3 and "action_log" not in document["snapshot"]
    assert document["checksum"].startswith("sha256:")


def test_decode_gives_back_exactly_the_snapshot_that_was_saved() -> None:
    snapshot = fake_snapshot()
    document = container.decode(encoded(snapshot))
    assert container.snapshot_of(document) == snapshot


def test_the_same_game_always_gives_byte_identical_files() -> None:
    assert encoded(fake_snapshot()) == encoded(fake_snapshot())
    assert encoded(fake_snapshot(seed=8)) != encoded(fake_snapshot())


def test_snapshot_with_a_nan_is_refused_at_save_time() -> None:
    snapshot = fake_snapshot()
    snapshot["state"]["capacity_wpm"][0][0] = float("nan")
    with pytest.raises(SaveError, match=r"non-finite number .* in state\.capacity_wpm\[0\]\[0\]$"):
        container.build_document(snapshot, "2025Q4")


@pytest.mark.parametrize("cut", [0, 1, 10, 100, -8, -1])
def test_a_truncated_save_is_named_truncated_or_empty(cut: int) -> None:
    data = encoded()
    with pytest.raises(SaveError, match="truncated|empty"):
        container.decode(data[:cut])


def test_a_save_cut_anywhere_never_loads() -> None:
    data = encoded()
    for cut in range(0, len(data), max(1, len(data) // 97)):
        with pytest.raises(SaveError):
            container.decode(data[:cut])


def test_corrupted_compressed_bytes_are_reported_as_corrupted() -> None:
    data = bytearray(encoded())
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(SaveError, match="corrupted|checksum"):
        container.decode(bytes(data))


def test_an_edited_number_is_caught_by_the_checksum() -> None:
    document = json.loads(gzip.decompress(encoded()))
    document["snapshot"]["state"]["capacity_wpm"][1][0] = 9999.0
    with pytest.raises(SaveError, match="tampered"):
        container.decode(reencode(document, fix_checksum=False))


def test_an_edited_header_field_is_caught_by_the_checksum() -> None:
    document = json.loads(gzip.decompress(encoded()))
    document["turn"] = 40
    with pytest.raises(SaveError, match="tampered"):
        container.decode(reencode(document, fix_checksum=False))


def test_a_save_from_a_newer_techrace_is_refused_as_too_new() -> None:
    document = json.loads(gzip.decompress(encoded()))
    document["techrace_save"] = container.FORMAT_VERSION + 1
    document["techrace_version"] = "9.0.0"
    with pytest.raises(SaveError, match=r"too new.*9\.0\.0.*upgrade"):
        container.decode(reencode(document, fix_checksum=True))


def test_a_save_older_than_any_migration_is_refused_as_too_old() -> None:
    document = json.loads(gzip.decompress(encoded()))
    document["techrace_save"] = 0
    with pytest.raises(SaveError, match="too old.*no migration from 0"):
        container.decode(reencode(document, fix_checksum=True))


def test_an_older_format_is_migrated_when_a_migration_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    old = encoded()  # written as the current format, which becomes "format 1" below

    def add_difficulty(document: dict[str, Any]) -> dict[str, Any]:
        document["snapshot"]["difficulty"] = "normal"
        return document

    monkeypatch.setattr(container, "FORMAT_VERSION", container.FORMAT_VERSION + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, container.FORMAT_VERSION - 1, add_difficulty)
    document = container.decode(old)
    assert document["techrace_save"] == container.FORMAT_VERSION
    assert document["snapshot"]["difficulty"] == "normal"
    assert document["checksum"] == container.checksum_of(document)


# mtime=0: the same bytes, so the same test ids, in every process that collects them (pytest-xdist's workers)
@pytest.mark.parametrize(("data", "problem"), [
    (b"", "empty"),
    (b'{"techrace_save": 1}', "not gzip"),
    (gzip.compress(b"[1, 2, 3]", mtime=0), "not a techrace save"),
    (gzip.compress(b'{"hello": 1}', mtime=0), "not a techrace save"),
    (gzip.compress(b'{"techrace_save": "one"}', mtime=0), "format marker"),
    (gzip.compress(b'{"techrace_save": 1, "x": NaN}', mtime=0), "corrupted"),
    (gzip.compress(b'{"techrace_save": 1, "x": -1e999}', mtime=0), "corrupted: -1e999 is out of range"),
    (gzip.compress(b'{"techrace_save": 1,', mtime=0), "invalid JSON"),
    (gzip.compress(b"\xff\xfe{}", mtime=0), "not UTF-8"),
    (gzip.compress(b'{"techrace_save": 1}', mtime=0), "no checksum"),
    (gzip.compress(b"[" * 100_000 + b"]" * 100_000, mtime=0), "corrupted|not a techrace save"),
    (encoded() + b"trailing", "unexpected bytes"),
], ids=["empty", "not-gzip", "a-list", "no-marker", "marker-not-a-number", "nan", "minus-1e999", "cut-json",
       "not-utf8", "no-checksum", "deep-nesting", "trailing-bytes"])
def test_each_kind_of_bad_file_gets_a_one_line_message_naming_it(data: bytes, problem: str) -> None:
    with pytest.raises(SaveError, match=problem) as caught:
        container.decode(data)
    assert "\n" not in str(caught.value)


def test_a_checksummed_but_malformed_header_is_reported_with_its_field() -> None:
    document = json.loads(gzip.decompress(encoded()))
    document["seed"] = "seven"
    with pytest.raises(SaveError, match="malformed: seed"):
        container.decode(reencode(document, fix_checksum=True))


def test_a_header_that_disagrees_with_its_snapshot_is_inconsistent() -> None:
    document = json.loads(gzip.decompress(encoded()))
    document["turn"] = 2
    with pytest.raises(SaveError, match="inconsistent: header turn"):
        container.decode(reencode(document, fix_checksum=True))


def test_a_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container, "MAX_DECOMPRESSED_BYTES", 1000)
    with pytest.raises(SaveError, match="too large"):
        container.decode(gzip.compress(b" " * 5000))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes_only_ever_raise_save_error(data: bytes) -> None:
    with pytest.raises(SaveError):
        container.decode(data)


@FUZZ
@given(st.binary(max_size=500))
def test_fuzz_arbitrary_gzip_content_only_ever_raises_save_error(payload: bytes) -> None:
    with pytest.raises(SaveError):
        container.decode(gzip.compress(payload))


oversized = st.text(min_size=100, max_size=3000) | st.integers(min_value=10**30, max_value=10**79) | st.lists(
    st.lists(st.just({}), max_size=3), min_size=1000, max_size=20_000)


@FUZZ
@given(json_values | oversized, st.sampled_from(["seed", "turn", "player", "quarter", "ruleset", "action_log", "snapshot"]))
def test_fuzz_any_checksummed_header_value_is_accepted_only_if_valid(value: Any, field: str) -> None:
    document = json.loads(gzip.decompress(encoded()))
    document[field] = value
    try:
        decoded = container.decode(reencode(document, fix_checksum=True))
    except SaveError as exc:
        assert "\n" not in str(exc)
    else:  # only a value equivalent to a valid one may pass
        assert decoded[field] == value


@FUZZ
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_fuzz_a_flipped_byte_is_caught_or_harmless(position: int, mask: int) -> None:
    data = bytearray(encoded())
    data[position % len(data)] ^= mask
    try:
        document = container.decode(bytes(data))
    except SaveError:
        return
    # only gzip header bytes that carry no content (mtime, flags for the OS) can change harmlessly
    assert container.snapshot_of(document) == fake_snapshot()


@FUZZ
@given(st.sampled_from(["NaN", "-Infinity", "Infinity", "1e999", "-1e309", "9" * 81, "-" + "1" * 5000]),
       st.integers(min_value=0))
def test_fuzz_a_non_finite_or_huge_number_anywhere_is_refused(token: str, where: int) -> None:
    import re

    text = json.dumps(container.build_document(fake_snapshot(), "2025Q4"))
    numbers = [m.span() for m in re.finditer(r"(?:(?<=: )|(?<=\[)|(?<=, ))-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text)]
    start, end = numbers[where % len(numbers)]
    with pytest.raises(SaveError, match="is not a valid number|is out of range") as caught:
        container.decode(gzip.compress((text[:start] + token + text[end:]).encode()))
    assert "\n" not in str(caught.value)
