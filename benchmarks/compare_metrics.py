"""How far the metric rows of the identity games (tests/test_speed_identity.py) move against a git revision:
the largest relative difference of any number, game by game (and of the unrounded state arrays at the end). For a change that sums in another order
(not bit for bit): show the difference is rounding before recording the identity fixture again.

    python benchmarks/compare_metrics.py --rev main
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from count_instructions import ROOT, export  # noqa: E402

PLAY = """
import json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from test_speed_identity import GAMES
from techrace.core import Game
from techrace.ruleset import load_ruleset
out = {}
for name, spec in GAMES.items():
    ruleset = load_ruleset(spec["ruleset"])
    game = Game.from_ruleset(ruleset, seed=spec["seed"], player=spec.get("player"))
    for turn in range(1, spec.get("turns", ruleset.turns) + 1):
        game.step(spec.get("orders", {}).get(turn, []))
    out[name] = {"rows": game.metric_rows, "events": [e.to_dict() for e in game.events],
                 "outcome": game.outcome.to_dict() if game.outcome else None,
                 "state": game.model.state.to_dict()["arrays"]}
print(json.dumps(out, default=float))
"""


def play(source: Path, script: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(script), str(source), str(ROOT / "tests")], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{source} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def numbers(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a JSON value by its path."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in numbers(item, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in numbers(item, f"{path}/{i}").items()}
    return {path: value}


def largest_difference(mine: Any, theirs: Any) -> tuple[float, str]:
    """(largest difference, where): relative, absolute for numbers below 1 in size (a residual that should be
    zero, e.g. 1e-17 against -1e-17); inf where the two differ in shape or in a non-number."""
    a, b = numbers(mine), numbers(theirs)
    if a.keys() != b.keys():
        return math.inf, "the rows differ in shape"
    worst, where = 0.0, ""
    for path, x in a.items():
        y = b[path]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            gap = abs(x - y) / max(abs(x), abs(y), 1.0) if x != y else 0.0  # relative; absolute below 1
        else:
            gap = 0.0 if x == y else math.inf
        if gap > worst:
            worst, where = gap, f"{path} ({x!r} against {y!r})"
    return worst, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="main")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "play.py"
        script.write_text(PLAY, encoding="utf-8")
        mine, theirs = play(ROOT, script), play(export(args.rev, Path(tmp) / "rev"), script)
    overall = 0.0
    for name in mine:
        gap, where = largest_difference(mine[name]["rows"], theirs[name]["rows"])
        same = mine[name]["events"] == theirs[name]["events"] and mine[name]["outcome"] == theirs[name]["outcome"]
        state_gap, state_where = largest_difference(mine[name]["state"], theirs[name]["state"])
        overall = max(overall, gap)
        print(f"{name:>24}: metric rows differ by at most {gap:.3g} (relative){f' at {where}' if gap else ''}; "
              f"events and outcome {'the same' if same else 'DIFFER'}; final state arrays by at most "
              f"{state_gap:.3g}{f' at {state_where}' if state_gap else ''}")
    print(f"largest relative difference of any metric-row number against {args.rev}: {overall:.3g}")


if __name__ == "__main__":
    main()
