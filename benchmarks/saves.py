"""Save and load time and file size for a 44-turn baseline game, and the cost of refusing hostile saves.

    python benchmarks/saves.py [--seed 1] [--repeat 5]          # a real game (docs/performance.md)
    python benchmarks/saves.py --hostile [--repeat 3]            # decompression bombs and huge logs

The first prints a markdown table: median wall time of save_game, read_save (validate only),
load_game (validate + restore) and verify_replay, the compressed file size and the uncompressed JSON
size. `--hostile` builds the attack files of issue 12 (a 0.5 MB file that inflates to 500 MB, a
4 GB bomb, a valid-checksum save with a 2,000,000-turn action log, a folder of 20 bombs) and prints
for each how long refusing it takes and the peak memory Python allocated meanwhile (tracemalloc).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def real_game(args: argparse.Namespace) -> None:
    from techrace.core import Game
    from techrace.saves import load_game, read_save, save_game, verify_replay

    game = Game.from_ruleset("baseline", seed=args.seed)
    start = time.perf_counter()
    game.run(args.turns)
    play = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        saves = Path(tmp)
        t_save, path = timed(lambda: save_game(game, "bench", saves_dir=saves), args.repeat)
        t_read, _ = timed(lambda: read_save("bench", saves_dir=saves), args.repeat)
        t_load, loaded = timed(lambda: load_game("bench", saves_dir=saves), args.repeat)
        t_verify, divergence = timed(lambda: verify_replay("bench", saves_dir=saves), 1)
        size = path.stat().st_size
        raw = len(gzip.decompress(path.read_bytes()))
    assert loaded.turn == game.turn and divergence is None, divergence
    print(f"baseline, seed {args.seed}, {game.turn} turns played ({play:.2f} s), median of {args.repeat}:\n")
    print("| measure | value |\n|---|---|")
    print(f"| save_game (snapshot + JSON + gzip + fsync) | {t_save * 1000:.0f} ms |")
    print(f"| read_save (gunzip + JSON + checksum + validation) | {t_read * 1000:.0f} ms |")
    print(f"| load_game (read_save + ruleset, records, history, shape and round-trip checks + Game.from_snapshot) | {t_load * 1000:.0f} ms |")
    print(f"| verify_replay (replay {game.turn} turns + compare) | {t_verify:.2f} s |")
    print(f"| file size (gzip) | {size / 1e3:.0f} kB |")
    print(f"| uncompressed JSON | {raw / 1e3:.0f} kB |")


HEADER = (b'{"techrace_save":1,"techrace_version":"0.1.0","ruleset":{"name":"baseline","hash":"' + b"a" * 64
          + b'"},"seed":1,"player":null,"turn":0,"quarter":"2025Q1","checksum":"sha256:' + b"0" * 64
          + b'","action_log":[],"snapshot":{"pad":"')


def bomb(inflated: int) -> bytes:
    """A valid gzip file whose JSON starts like a save and inflates to `inflated` bytes of padding.

    One 1 MB block of spaces is compressed once with a full flush and repeated, so building a 4 GB
    bomb takes a second rather than a minute.
    """
    block = b" " * (1 << 20)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(HEADER) + first.flush(zlib.Z_FULL_FLUSH)
    repeat = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = repeat.compress(block) + repeat.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = last.compress(b'"}}') + last.flush()
    count = inflated >> 20
    crc = zlib.crc32(HEADER)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(b'"}}', crc)
    size = len(HEADER) + count * len(block) + 3
    gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return gzip_header + head + body * count + tail + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")


def huge_action_log(turns: int) -> bytes:
    """A save with a valid checksum whose action log has `turns` empty turns (a tiny file)."""
    from techrace.saves import container

    document: dict[str, Any] = {
        "techrace_save": 1, "techrace_version": "0.1.0", "ruleset": {"name": "baseline", "hash": "a" * 64},
        "seed": 1, "player": None, "turn": turns, "quarter": "2025Q1", "checksum": "",
        "action_log": [[] for _ in range(turns)],
        "snapshot": {"ruleset": {}, "ruleset_hash": "a" * 64, "seed": 1, "player": None, "turn": turns, "state": {}},
    }
    document["checksum"] = container.checksum_of(document)
    return gzip.compress(json.dumps(document, separators=(",", ":")).encode(), mtime=0)


def refusal(action: Callable[[], Any], repeat: int) -> tuple[float, float, str]:
    """(median seconds, peak MB allocated, outcome) of an action expected to refuse its input."""
    outcome = "accepted"

    def attempt() -> None:
        nonlocal outcome
        try:
            result = action()
            outcome = f"accepted ({result})"
        except Exception as exc:  # the point is to show what the refusal says
            outcome = str(exc)

    seconds, _ = timed(attempt, repeat)
    tracemalloc.start()
    attempt()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak, outcome


def hostile(args: argparse.Namespace) -> None:
    from techrace.saves import container, list_saves, load_game, read_header, read_save

    with tempfile.TemporaryDirectory() as tmp:
        saves = Path(tmp) / "saves"
        saves.mkdir()
        files = {"bomb500": bomb(500_000_000), "bomb4g": bomb(4_000_000_000), "log2m": huge_action_log(2_000_000)}
        for name, data in files.items():
            (saves / f"{name}.json.gz").write_bytes(data)
        crowd, forged = Path(tmp) / "crowd", Path(tmp) / "forged"
        crowd.mkdir()
        forged.mkdir()
        cap = container.MAX_DECOMPRESSED_BYTES
        lying = files["bomb500"][:-4] + cap.to_bytes(4, "little")  # the worst liar: claims just the cap
        for i in range(20):
            (crowd / f"bomb{i:02d}.json.gz").write_bytes(files["bomb500"])
            (forged / f"bomb{i:02d}.json.gz").write_bytes(lying)
        cases: list[tuple[str, Callable[[], Any]]] = []
        for name in files:
            size = f"{len(files[name]) / 1e3:,.0f} kB file"
            cases += [(f"`saves show` header of {name} ({size})", lambda n=name: read_header(n, saves)),
                      (f"`read_save` of {name}", lambda n=name: read_save(n, saves_dir=saves)),
                      (f"`load_game` of {name}", lambda n=name: load_game(n, saves_dir=saves))]
        cases.append(("`saves list` of a folder of 20 bomb500 files",
                      lambda: f"{sum(1 for i in list_saves(crowd) if i.problem)} listed as damaged"))
        cases.append(("`saves list` of 20 bomb500 files whose gzip trailer lies (claims 16 MB, the worst case)",
                      lambda: f"{sum(1 for i in list_saves(forged) if i.problem)} listed as damaged"))
        print(f"median of {args.repeat}; peak = most memory Python allocated at once (tracemalloc):\n")
        print("| case | time | peak memory | outcome |\n|---|---|---|---|")
        for label, action in cases:
            seconds, peak, outcome = refusal(action, args.repeat)
            print(f"| {label} | {seconds * 1000:.0f} ms | {peak:.1f} MB | {outcome[:90]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--turns", type=int, default=44)
    parser.add_argument("--hostile", action="store_true", help="measure refusing bombs and huge action logs")
    args = parser.parse_args()
    hostile(args) if args.hostile else real_game(args)


if __name__ == "__main__":
    main()
