"""Issue 12, items 5 and 6: every read of a save is bounded, and a FIFO or device is refused at once.

Bounds (techrace/saves/container.py): regular files only, 4 MB on disk, 16 MB inflated, 1,000,000
JSON items, 10,000 turns and 1,000 actions per turn in the action log. Listings read each header
without the body. Hostile files are refused under a memory limit far below what inflating them needs.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest

from techrace.saves import SaveError, container, iter_saves, list_saves, load_game, read_header, read_save
from techrace.saves.atomic import atomic_write_bytes

ROOT = Path(__file__).resolve().parents[1]
HEADER = (b'{"techrace_save":1,"techrace_version":"0.1.0","ruleset":{"name":"baseline","hash":"' + b"a" * 64
          + b'"},"seed":1,"player":null,"turn":0,"quarter":"2025Q1","checksum":"sha256:' + b"0" * 64
          + b'","action_log":[],"snapshot":{"pad":"')


def bomb(inflated: int, *, lying_trailer: bool = False) -> bytes:
    """A valid gzip file that starts like a save and inflates to `inflated` bytes (one block, repeated)."""
    block = b" " * (1 << 20)

    def deflate(data: bytes, mode: int) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(mode)

    count = inflated >> 20
    crc = zlib.crc32(HEADER)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    size = 100_000 if lying_trailer else len(HEADER) + count * len(block) + 3
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + deflate(HEADER, zlib.Z_FULL_FLUSH)
            + deflate(block, zlib.Z_FULL_FLUSH) * count + deflate(b'"}}', zlib.Z_FINISH)
            + zlib.crc32(b'"}}', crc).to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little"))


def document(turn: int = 2, actions: list[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    log = actions if actions is not None else [[] for _ in range(turn)]
    snapshot = {"format": 1, "ruleset": {"name": "baseline"}, "ruleset_hash": "cd" * 32, "seed": 3, "player": "CN",
                "turn": len(log), "state": {}, "axes": {}, "labels": {}, "rng": {}, "history": {}, "action_log": log}
    return container.build_document(snapshot, "2025Q3")


def techrace(*args: str, cwd: Path, memory_mb: int | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m techrace ARGS`, optionally under an address-space limit; a hang fails at the timeout."""
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))  # type: ignore[operator]

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "techrace", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60, preexec_fn=limit if memory_mb else None)


def peak_mb(action: Any) -> float:
    tracemalloc.start()
    try:
        action()
    except SaveError:
        pass
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return peak


@pytest.fixture(scope="module")
def bomb_600mb() -> bytes:
    return bomb(600 << 20)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as a memory bound is Linux-only")
def test_a_bomb_is_refused_by_saves_show_and_list_under_a_400_mb_memory_limit(tmp_path: Path, bomb_600mb: bytes) -> None:
    (tmp_path / "saves").mkdir()
    (tmp_path / "saves" / "bomb.json.gz").write_bytes(bomb_600mb)
    (tmp_path / "saves" / "liar.json.gz").write_bytes(bomb_600mb[:-4] + (100_000).to_bytes(4, "little"))
    (tmp_path / "saves" / "cap.json.gz").write_bytes(bomb_600mb[:-4] + container.MAX_DECOMPRESSED_BYTES.to_bytes(4, "little"))
    problems = {"bomb": "truncated or too large: its gzip trailer gives 629 MB",
                "liar": "inflates past the 100,000 bytes its gzip trailer gives",
                "cap": "inflates past the 16,777,216 bytes"}
    for name, problem in problems.items():
        done = techrace("saves", "show", name, cwd=tmp_path, memory_mb=400)
        assert done.returncode == 2 and problem in done.stderr and done.stderr.count("\n") == 1, done.stderr
    listing = techrace("saves", "list", cwd=tmp_path, memory_mb=400)
    assert listing.returncode == 0, listing.stderr
    assert all(f"damaged: {name}: save is truncated or " in listing.stdout for name in problems), listing.stdout


@pytest.mark.parametrize("lying_trailer", [False, True])
def test_reading_or_loading_a_bomb_allocates_at_most_a_few_times_the_cap(
        tmp_path: Path, bomb_600mb: bytes, lying_trailer: bool) -> None:
    data = bomb_600mb[:-4] + (100_000).to_bytes(4, "little") if lying_trailer else bomb_600mb
    (tmp_path / "bomb.json.gz").write_bytes(data)
    with pytest.raises(SaveError, match="too large"):
        load_game("bomb", saves_dir=tmp_path)
    cap_mb = container.MAX_DECOMPRESSED_BYTES / 1e6
    assert peak_mb(lambda: read_save("bomb", saves_dir=tmp_path)) < 3 * cap_mb
    assert peak_mb(lambda: list_saves(tmp_path)) < 8


def test_a_file_larger_than_any_save_is_refused_from_its_size_before_reading(tmp_path: Path) -> None:
    with open(tmp_path / "huge.json.gz", "wb") as handle:
        handle.truncate(container.MAX_FILE_BYTES * 50)  # sparse: 200 MB that cost no disk
    assert peak_mb(lambda: read_save("huge", saves_dir=tmp_path)) < 1
    with pytest.raises(SaveError, match=r"huge: save is too large: 209\.7 MB on disk, a save is at most 4 MB"):
        read_save("huge", saves_dir=tmp_path)
    assert "too large" in (list_saves(tmp_path)[0].problem or "")


def checksummed(doc: dict[str, Any]) -> bytes:
    doc["checksum"] = container.checksum_of(doc)
    return gzip.compress(json.dumps(doc, separators=(",", ":")).encode())


@pytest.mark.parametrize(("log", "problem"), [
    ([[] for _ in range(600_000)], "JSON items, a save holds at most 1,000,000"),
    ([[] for _ in range(20_000)], "an action log of 20,000 turns"),
    ([[], [{"kind": "subsidy"}] * 5000], "5,000 actions logged at turn 2"),
])
def test_oversized_action_logs_with_a_valid_checksum_are_refused_before_validation(
        tmp_path: Path, log: list[Any], problem: str) -> None:
    doc = document()
    doc["action_log"] = log
    doc["turn"] = doc["snapshot"]["turn"] = len(log)
    (tmp_path / "big.json.gz").write_bytes(checksummed(doc))
    with pytest.raises(SaveError, match=problem) as caught:
        load_game("big", saves_dir=tmp_path)
    assert "\n" not in str(caught.value)


def test_integers_too_long_to_be_a_finite_number_are_refused(tmp_path: Path) -> None:
    data = json.dumps(document()).replace('"seed": 3', '"seed": ' + "9" * 400).encode()
    (tmp_path / "long-int.json.gz").write_bytes(gzip.compress(data))
    with pytest.raises(SaveError, match="an integer of 400 digits is out of range"):
        read_save("long-int", saves_dir=tmp_path)


def test_a_fifo_named_as_a_save_is_refused_at_once_by_every_command(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    os.mkfifo(saves / "pipe.json.gz")
    for argv in (["saves", "show", "pipe"], ["replay", "./saves/pipe.json.gz"], ["run", "--load", "pipe"]):
        done = techrace(*argv, cwd=tmp_path)  # before the fix each of these hung until the timeout
        assert done.returncode == 2 and "pipe" in done.stderr and "it is a FIFO" in done.stderr, (argv, done.stderr)
    listing = techrace("saves", "list", cwd=tmp_path)
    assert listing.returncode == 0 and "damaged: pipe: not a save file: it is a FIFO" in listing.stdout


def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zero.json.gz").symlink_to("/dev/zero")
    (tmp_path / "saves").mkdir()
    (tmp_path / "saves" / "zero.json.gz").symlink_to("/dev/zero")
    with pytest.raises(SaveError, match="not a save file: it is a device"):
        read_save("./zero.json.gz")
    with pytest.raises(SaveError, match="leads outside .* through a symlink"):
        read_save("zero")


def test_a_listing_reads_headers_without_parsing_the_body(tmp_path: Path) -> None:
    good = container.encode(document(turn=2))
    atomic_write_bytes(tmp_path / "good.json.gz", good)
    # Same header, a body that is not JSON at all: the listing never parses it, a full read does.
    raw = gzip.decompress(good)
    broken = raw[: raw.index(b'"action_log"')] + b'"action_log": this is not json'
    (tmp_path / "body.json.gz").write_bytes(gzip.compress(broken))
    # Header fields written after the body (another tool's key order): still listed, from a full read.
    (tmp_path / "sorted.json.gz").write_bytes(gzip.compress(json.dumps(json.loads(raw), sort_keys=True).encode()))
    infos = {info.name: info for info in list_saves(tmp_path)}
    assert {name: (i.seed, i.turn, i.player, i.problem) for name, i in infos.items()} == {
        "body": (3, 2, "CN", None), "good": (3, 2, "CN", None), "sorted": (3, 2, "CN", None)}
    with pytest.raises(SaveError, match="invalid JSON"):
        read_save("body", saves_dir=tmp_path)
    path, header = read_header("body", tmp_path)
    assert path.name == "body.json.gz" and header.quarter == "2025Q3"


def test_listing_can_run_in_a_worker_thread_and_yields_saves_one_by_one(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        atomic_write_bytes(tmp_path / f"{name}.json.gz", container.encode(document()))
    entries = iter_saves(tmp_path)
    assert next(entries).name == "a"  # a dialog can show the first row before the folder is read
    found: list[str] = []
    worker = threading.Thread(target=lambda: found.extend(i.name for i in list_saves(tmp_path)))
    worker.start()
    worker.join(timeout=30)
    assert found == ["a", "b", "c"] and [i.name for i in entries] == ["b", "c"]
