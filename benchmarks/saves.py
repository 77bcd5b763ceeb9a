"""Save and load time and file size for a 44-turn baseline game (recorded in docs/performance.md).

    python benchmarks/saves.py [--seed 1] [--repeat 5]

Prints a markdown table: median wall time of save_game, read_save (validate only), load_game
(validate + restore) and verify_replay, the compressed file size and the uncompressed JSON size.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--turns", type=int, default=44)
    args = parser.parse_args()

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
    print(f"| load_game (read_save + ruleset, records, shape and round-trip checks + Game.from_snapshot) | {t_load * 1000:.0f} ms |")
    print(f"| verify_replay (replay {game.turn} turns + compare) | {t_verify:.2f} s |")
    print(f"| file size (gzip) | {size / 1e3:.0f} kB |")
    print(f"| uncompressed JSON | {raw / 1e3:.0f} kB |")


if __name__ == "__main__":
    main()
