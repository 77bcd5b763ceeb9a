"""How the cost of a turn grows with the size of the world: the baseline with every foundry (and its
sites), toolmaker, chip firm (and its designs) and lab copied K times, nations, regulators and rules
kept (a listed entity's copies are listed too). CPU ms per turn and the peak memory of a turn, against
K = 1 in the same run.

    python benchmarks/world.py --scale 1 10 30 [--turns 8] [--memory]
    python benchmarks/world.py --scale 10 --out /tmp/world-x10   # writes the ruleset (`techrace ruleset check` it)
"""

from __future__ import annotations

import argparse
import copy
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from techrace.core import Game
from techrace.ruleset import Ruleset, load_ruleset

ACTORS = ("foundries", "toolmakers", "chip_firms", "labs")


def scaled_data(base: Ruleset, k: int) -> dict[str, Any]:
    """The ruleset's data with every firm, site, design and lab copied `k` times (copy 1 keeps its ids)."""
    data = base.model_dump(mode="json", by_alias=True)
    if k == 1:
        return data

    def tag(ident: str, j: int) -> str:
        return ident if j == 1 else f"{ident}_x{j}"

    for section in ACTORS:
        originals = data[section]
        data[section] = {}
        for j in range(1, k + 1):
            for ident, spec in originals.items():
                twin = copy.deepcopy(spec)
                twin["name"] = spec["name"] if j == 1 else f"{spec['name']} #{j}"
                if section == "foundries":
                    twin["sites"] = {tag(sid, j): site for sid, site in spec["sites"].items()}
                if section == "chip_firms":
                    twin["skus"] = {tag(sku, j): design for sku, design in spec["skus"].items()}
                    twin["foundries"] = [tag(f, j) for f in spec["foundries"]]
                    twin["captive_labs"] = [tag(lab, j) for lab in spec["captive_labs"]]
                data[section][tag(ident, j)] = twin
    for rule in data["controls"].values():
        if rule.get("entities"):
            rule["entities"] = [tag(e, j) for j in range(1, k + 1) for e in rule["entities"]]
    data["name"] = f"{base.name}-x{k}"
    data["extends"] = None
    return data


def scaled(base: Ruleset, k: int) -> Ruleset:
    return Ruleset.model_validate(scaled_data(base, k))


def time_turns(ruleset: Ruleset, turns: int) -> tuple[float, float]:
    """(CPU ms to build the game, CPU ms per turn) of one game."""
    start = time.process_time()
    game = Game.from_ruleset(ruleset, seed=1)
    built = time.process_time()
    game.run(turns)
    return (built - start) * 1000, (time.process_time() - built) * 1000 / turns


def peak_memory(ruleset: Ruleset) -> float:
    """The most memory Python held at once (MB) while building a game and playing two turns."""
    tracemalloc.start()
    Game.from_ruleset(ruleset, seed=1).run(2)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--ruleset", default="baseline")
    parser.add_argument("--memory", action="store_true", help="also the peak memory (tracemalloc, a separate game)")
    parser.add_argument("--out", type=Path, help="write the (first) scaled ruleset to this folder and stop")
    args = parser.parse_args()
    base = load_ruleset(args.ruleset)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        data = {key: value for key, value in scaled_data(base, args.scale[0]).items() if value is not None}
        (args.out / "ruleset.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        print(f"wrote {args.out / 'ruleset.yaml'}")
        return
    time_turns(base, 2)  # warm-up
    first = None
    print(f"{args.ruleset}, {args.turns} turns, seed 1, CPU time, one core in-process")
    for k in args.scale:
        rs = scaled(base, k)
        build, per_turn = time_turns(rs, args.turns)
        first = first or per_turn
        memory = f", peak {peak_memory(rs):,.0f} MB" if args.memory else ""
        print(f"K={k:>4}: {len(rs.foundries)} foundries, {sum(len(f.sites) for f in rs.foundries.values())} sites, "
              f"{len(rs.chip_firms)} chip firms, {len(rs.labs)} labs: build {build:,.0f} ms, "
              f"{per_turn:,.1f} ms per turn ({per_turn / first:,.1f}x K=1, {per_turn / first / k:.2f}x linear){memory}", flush=True)


if __name__ == "__main__":
    main()
