"""Speed helper C's once-a-game tables and plain-Python arithmetic equal the array equations they replace."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from techrace.core.markets.talent import _demography
from techrace.core.mechanisms.labs import power_allocation
from techrace.core.static import build_static
from techrace.ruleset import load_ruleset


def test_demography_equals_the_ruleset_values() -> None:
    for name in ("baseline", "full-decoupling"):
        static = build_static(load_ruleset(name))
        graduated, employer_rate = _demography(static)
        params = static.nation_params
        assert graduated.tobytes() == params.graduates.sum(axis=1).tobytes()
        assert employer_rate.tobytes() == params.retirement[static.employer_nation][:, None].tobytes()
        assert _demography(static)[0] is graduated  # kept for the game
        static.cache.clear()
        assert _demography(static)[1].tobytes() == employer_rate.tobytes()  # and worked out again alike


def test_power_allocation_equals_the_array_equation() -> None:
    static = build_static(load_ruleset("baseline"))
    rng = np.random.default_rng(3)
    n, nl = len(static.nations), len(static.labs)
    specials = np.array([0.0, -0.0, 1e-13, 1e-12, np.inf, np.nan, -1.0, 5.0])
    for _ in range(200):
        lab_power = np.where(rng.random(nl) < 0.3, rng.choice(specials, nl), rng.random(nl) * 3.0)
        power_gw = np.where(rng.random(n) < 0.3, rng.choice(specials, n), rng.random(n) * 10.0)
        s = SimpleNamespace(lab_power=lab_power, power_gw=power_gw)
        with np.errstate(all="ignore"):
            need = static.lab_to_nation @ lab_power
            ratio = np.where(need > 0, np.minimum(1.0, power_gw / np.maximum(need, 1e-12)), 1.0)
            expected = lab_power * ratio[static.lab_nation]
            assert power_allocation(static, s).tobytes() == expected.tobytes()
