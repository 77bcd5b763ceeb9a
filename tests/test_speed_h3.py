"""The licences' rules token reused from the last call (`compute_licences`' last rules) is the token of the rules worked
out in full, whatever changes the statuses or licence shares (in place, by a new dict, by a restore), and the
licences built with it are the ones a fresh computation gives; the HBM market's allowances kept with the last inputs
they were worked out from are the full equations' numbers."""

from __future__ import annotations

import copy

import numpy as np
from core_helpers import baseline, licences_as_fresh

from techrace.core import Game
from techrace.core.markets import hbm
from techrace.core.mechanisms import controls


def _token_of(static, s) -> object:  # noqa: ANN001 - Static, WorldState
    """The token `compute_licences` keys this call's parts with (it keeps the last one with the rules it stands for)."""
    controls.compute_licences(static, s)
    return static.cache["licences/last rules"][2]


def _full_token(game: Game) -> object:
    """`_rules_token` of the rules as `compute_licences` read them before the last-call shortcut."""
    static, s = game.model.static, game.model.state
    rules = (tuple(sorted(s.control_status.items())),
             tuple([(rid, r.get("licence_share"), r.get("licence_revenue_share")) for rid, r in s.controls.items()]))
    return controls._rules_token(static, rules)


def test_last_rules_token_follows_every_change() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)
    static, s = game.model.static, game.model.state
    saved = copy.deepcopy((s.control_status, s.controls))
    first = _token_of(static, s)
    assert first is _full_token(game) and _token_of(static, s) is first
    rule_id = next(rid for rid, status in s.control_status.items() if status == "active")
    s.control_status[rule_id] = "lifted"  # a status changed in place
    lifted = _token_of(static, s)
    assert lifted is not first and lifted is _full_token(game) and licences_as_fresh(game)
    s.controls[rule_id]["licence_share"] = 0.25  # a rule's share changed in place
    shared = _token_of(static, s)
    assert shared is not lifted and shared is _full_token(game) and licences_as_fresh(game)
    s.controls[rule_id] = {**s.controls[rule_id], "licence_revenue_share": 0.15}  # a new dict, as the lever makes
    paid = _token_of(static, s)
    assert paid is not shared and paid is _full_token(game) and licences_as_fresh(game)
    s.control_status, s.controls = copy.deepcopy(saved)  # a restore: new dicts holding the first rules
    assert _token_of(static, s) is first and licences_as_fresh(game)


def test_last_rules_token_is_rebuilt_when_dropped() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(2)
    static, s = game.model.static, game.model.state
    controls.compute_licences(static, s)
    static.cache.pop("licences/last rules")
    assert _token_of(static, s) is _full_token(game) and licences_as_fresh(game)


def _hbm_allowed_in_full(lic, s, need_level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """What `hbm_market` worked out every quarter before `hbm._allowed` kept it."""
    allowed = lic.hbm_allowed * (s.hbm_level[:, None] >= need_level[None, :] - 1e-9)
    return allowed, 1.0 - np.minimum(np.maximum(np.maximum.reduce(allowed, axis=0), 0.0), 1.0)


def test_kept_hbm_allowance_is_the_full_one() -> None:
    """`hbm._allowed` kept with the last licences' table, generations and needs equals the full equations after each
    of them changes (in place or as a new array of equal or other numbers), bit for bit."""
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)
    static, s, lic = game.model.static, game.model.state, game.model.licences
    rng = np.random.default_rng(0)
    need = np.zeros(len(static.chip_firms))

    def check() -> None:
        kept = hbm._allowed(static, s, lic, need)
        for got, want in zip(kept, _hbm_allowed_in_full(lic, s, need), strict=True):
            assert got.tobytes() == want.tobytes() and not got.flags.writeable

    check()
    check()  # kept
    for _ in range(6):
        what = rng.integers(3)
        if what == 0:
            s.hbm_level[rng.integers(len(s.hbm_level))] = rng.choice([0.0, 2.0, 3.0, 3.5, 4.0])
        elif what == 1:
            need = need.copy()
            need[rng.integers(len(need))] = rng.choice([0.0, 3.0, 4.0])
        else:
            lic = copy.copy(lic)
            lic.hbm_allowed = lic.hbm_allowed * rng.choice([1.0, 0.5], size=lic.hbm_allowed.shape)
        check()
        check()
