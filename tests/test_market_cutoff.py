"""`record_cutoff` in plain Python floats gives the array equation's numbers bit for bit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def test_record_cutoff_equals_the_array_equation() -> None:
    from techrace.core.markets.cutoff import record_cutoff

    rng = np.random.default_rng(1)
    specials = np.array([0.0, -0.0, 1e-13, 1e-31, np.inf, -np.inf, np.nan, -1.0, 1e-12, 1e-30])
    for _ in range(200):
        blocked, demand, old = (np.where(rng.random(7) < 0.3, rng.choice(specials, 7), rng.random(7) * 10.0) for _ in range(3))
        for floor in (1e-12, 1e-30):
            s = SimpleNamespace(cutoff=rng.random((7, 6)))
            expected = s.cutoff.copy()
            with np.errstate(all="ignore"):
                expected[:, 2] = np.where(demand > 0, blocked / np.maximum(demand, floor), old * 0.8)
            s.cutoff[:, 2] = old
            with np.errstate(all="ignore"):
                record_cutoff(s, 2, blocked, demand, floor, 0.8)
            assert s.cutoff.tobytes() == expected.tobytes()
