"""A faster core plays exactly the same games: every state array, record, metric row, event and outcome
of a few fixed games hashes to the values recorded from the core before it was optimised.

The fixture (tests/data/speed_identity.json) pins today's results on purpose: a speed-up must not move
a single bit. When the model itself is changed on purpose, record it again and say so in the commit:

    python tests/test_speed_identity.py --record

Bits depend on the CPU as well as on the code: numpy picks its SIMD loops (exp, log, sums) and OpenBLAS its
matrix kernels by what the processor offers, and an AVX-512 machine rounds some results differently from
an AVX2 one. The games are therefore played in a child process with both pinned to the AVX2 level
(`PINNED_CPU`), which every x86-64 machine of the last decade has, so the fixture holds on any of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from techrace.core import Action, Game
from techrace.core.state import ARRAY_AXES
from techrace.ruleset import load_ruleset

FIXTURE = Path(__file__).parent / "data" / "speed_identity.json"

# the player's orders, by turn (1-based): standing orders, a one-off grant, handing a group to the advisor
# and taking it back, a rule lifted and enacted again
CN_ORDERS: dict[int, list[Action]] = {
    1: [Action("advisor", "CN", {"group": "industry", "advisor": False}),
        Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 0.3, "recurring": True}),
        Action("pay_policy", "CN", {"pay_index": 0.9}), Action("centralisation", "CN", {"share": 0.6})],
    3: [Action("visa_policy", "CN", {"visa_openness": 0.5})],
    5: [Action("advisor", "CN", {"group": "talent", "advisor": True})],
    8: [Action("subsidy", "CN", {"firm": "HUAWEI", "usd_b": 0.5})],
}
US_ORDERS: dict[int, list[Action]] = {
    2: [Action("lift_control", "US", {"control": "oct2023_chips"})],
    4: [Action("power_buildout", "US", {"extra_gw": 0.4})],
    7: [Action("enact_control", "US", {"control": "oct2023_chips"})],
}
GAMES: dict[str, dict[str, Any]] = {
    "baseline-1": {"ruleset": "baseline", "seed": 1},
    "baseline-2": {"ruleset": "baseline", "seed": 2},
    "taiwan-blockade-2027-3": {"ruleset": "taiwan-blockade-2027", "seed": 3},
    "full-decoupling-4": {"ruleset": "full-decoupling", "seed": 4},
    "baseline-CN-player-5": {"ruleset": "baseline", "seed": 5, "player": "CN", "orders": CN_ORDERS},
    "baseline-US-player-6": {"ruleset": "baseline", "seed": 6, "player": "US", "orders": US_ORDERS, "turns": 12},
}


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, allow_nan=True).encode()).hexdigest()[:16]


def fingerprint(name: str) -> dict[str, Any]:
    """Hashes of everything a game produced, turn by turn: one per state array (its exact bytes), the
    records, the metric rows, the events, the outcome and the end scores."""
    spec = GAMES[name]
    ruleset = load_ruleset(spec["ruleset"])
    game = Game.from_ruleset(ruleset, seed=spec["seed"], player=spec.get("player"))
    arrays = {field: hashlib.sha256() for field in ARRAY_AXES}
    records = hashlib.sha256()
    for turn in range(1, spec.get("turns", ruleset.turns) + 1):
        game.step(spec.get("orders", {}).get(turn, []))
        state = game.model.state
        for field, digest in arrays.items():
            digest.update(np.ascontiguousarray(getattr(state, field), dtype=np.float64).tobytes())
        records.update(_digest({k: v for k, v in state.to_dict().items() if k != "arrays"}).encode())
    return {
        "turns": game.turn,
        "metric_rows": _digest(game.metric_rows),
        "events": _digest([e.to_dict() for e in game.events]),
        "outcome": game.outcome.to_dict() if game.outcome else None,
        "scores": _digest(game.scores()),
        "records": records.hexdigest()[:16],
        "arrays": {field: digest.hexdigest()[:16] for field, digest in arrays.items()},
    }


def _expected() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


# numpy's SIMD loops and OpenBLAS's kernels held at the AVX2 level, whatever the processor also has
PINNED_CPU = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR",
              "OPENBLAS_CORETYPE": "Haswell"}


def pinned_fingerprints(names: list[str]) -> dict[str, Any]:
    """`fingerprint` of each game, played in a child process with the CPU dispatch pinned (`PINNED_CPU`)."""
    done = subprocess.run([sys.executable, __file__, "--fingerprint", *names], capture_output=True, text=True,
                          env={**os.environ, **PINNED_CPU}, cwd=Path(__file__).parent, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _has_avx2() -> bool:
    from numpy._core._multiarray_umath import __cpu_features__

    return platform.machine().lower() in ("x86_64", "amd64") and bool(__cpu_features__.get("AVX2"))


@pytest.mark.skipif(not _has_avx2(), reason="the fixture was recorded with numpy and OpenBLAS at the x86-64 AVX2 level")
@pytest.mark.parametrize("name", list(GAMES))
def test_a_game_plays_bit_for_bit_as_recorded(name: str) -> None:
    want = _expected()[name]
    got = pinned_fingerprints([name])[name]
    moved = sorted(f for f in want["arrays"] if got["arrays"].get(f) != want["arrays"][f])
    assert not moved, f"{name}: state arrays differ from the recorded game: {', '.join(moved)}"
    for key in ("turns", "metric_rows", "events", "outcome", "scores", "records"):
        assert got[key] == want[key], f"{name}: {key} differ from the recorded game"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fingerprint"]:
        print(json.dumps({name: fingerprint(name) for name in sys.argv[2:]}))
    elif sys.argv[1:] == ["--record"]:
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(pinned_fingerprints(list(GAMES)), indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(GAMES)} games in {FIXTURE}")
    else:
        sys.exit(__doc__)
