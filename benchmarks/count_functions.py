"""Instructions of one 44-turn baseline game and of each Python function in it, counted exactly with
valgrind, for this tree and git revisions.

`count_instructions.py` subtracts a process that plays 0 turns from one that plays 44; the two processes'
start-up differs by a few million instructions from tree to tree, so two counts of one tree can differ by
±10 M. Here only the game itself is counted: the game is built first, then Python's perf trampoline is
switched on (`sys.activate_stack_trampoline`, Python >= 3.12 on Linux), which gives every Python function
called from then on a native entry address listed in `/tmp/perf-PID.map`; callgrind's inclusive cost of the
calls into each address is that function's cost. The trampoline adds a few instructions per Python call,
so compare trees with this script only, not with `count_instructions.py`.

    python benchmarks/count_functions.py [--rev 7ab52ad] [--turns 44] [--top 25]
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from count_instructions import parser_for, trees  # noqa: E402

PLAY = """
import sys
sys.path.insert(0, sys.argv[1])
from techrace.core import Game
from techrace.ruleset import load_ruleset
game = Game.from_ruleset(load_ruleset("baseline"), seed=1)
sys.activate_stack_trampoline("perf")
game.run(int(sys.argv[2]))
"""
FUNCTION = re.compile(r"^(c?fn)=\((\d+)\)(?: (.*))?$")


def profile(source: Path, script: Path, turns: int, out: Path) -> collections.Counter[str]:
    """Inclusive instructions of every Python function of one game played from `source`."""
    # one hash seed for every tree: with a random one an unchanged tree's count moved by ~10 M (set and dict order)
    env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, str(script),
                           str(source), str(turns)], capture_output=True, text=True, cwd=script.parent, env=env)
    if done.returncode:
        sys.exit(f"{source} failed:\n{done.stderr[-2000:]}")
    pid = re.search(r"==(\d+)==", done.stderr).group(1)
    perf_map = Path(f"/tmp/perf-{pid}.map")
    names = {}
    for line in perf_map.read_text(encoding="utf-8").splitlines():
        address, _, name = line.split(" ", 2)
        names[int(address, 16)] = name.removeprefix("py::").replace(f"{source}/", "")
    perf_map.unlink()
    return _inclusive(out, names)


def _inclusive(out: Path, names: dict[int, str]) -> collections.Counter[str]:
    """Sum the costs of the calls made from each trampoline address (an unnamed `0x...` function)."""
    labels: dict[str, str] = {}
    cost: collections.Counter[str] = collections.Counter()
    current, calling = "", False
    with out.open(encoding="utf-8") as lines:
        for line in lines:
            match = FUNCTION.match(line.rstrip("\n"))
            if match:
                kind, number, label = match.groups()
                if label is not None:
                    labels[number] = label
                if kind == "fn":
                    current = labels[number]
                continue
            if line.startswith("calls="):
                calling = True
            elif calling:
                calling = False
                fields = line.split()
                if current.startswith("0x") and len(fields) > 1:
                    address = int(current.split("'")[0], 16)
                    if address in names:
                        cost[names[address]] += int(fields[1])
    return cost


def main() -> None:
    parser = parser_for(__doc__)
    parser.add_argument("--top", type=int, default=25, help="functions listed, by this tree's cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script, sources = trees(args.rev, tmp, PLAY)
        with ThreadPoolExecutor(max_workers=2) as pool:
            costs = dict(zip(sources, pool.map(lambda item: profile(item[1], script, args.turns, Path(tmp) / f"cg{item[0]!r}.out".replace(" ", "_")),
                                                sources.items()), strict=True))
    whole = {name: next((v for k, v in cost.items() if k.split(":")[0] == "Game.run"), 0) for name, cost in costs.items()}
    print(f"{args.turns}-turn baseline game (seed 1), Game.run inclusive, million instructions:")
    for name, total in whole.items():
        print(f"  {name:>12}: {total / 1e6:9.1f} M ({total / max(whole['this tree'], 1):.3f} of this tree)")
    header = "".join(f"{name[:12]:>14}" for name in costs)
    print(f"\nfunctions (inclusive, M)   {header}")
    for function, _ in costs["this tree"].most_common(args.top):
        row = "".join(f"{costs[name].get(function, 0) / 1e6:14.2f}" for name in costs)
        print(f"  {function[:60]:<60}{row}")


if __name__ == "__main__":
    main()
