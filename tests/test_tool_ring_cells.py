"""The tool ring's shipment cells (kept per shape and head) equal `np.ravel_multi_index` of each shipment's slot."""

from __future__ import annotations

import numpy as np

from techrace.core.markets.tools import _RingCells


def test_ring_cells_equal_ravel_multi_index() -> None:
    rng = np.random.default_rng(0)
    for depth in (1, 3, 5, 9):
        lead = rng.integers(0, depth, size=(8, 5))
        cells = _RingCells(lead)
        for makers_sites in ((8, 19), (8, 3)):
            shape = (depth, *makers_sites, 5)
            for head in [*range(depth), *range(depth)]:  # the second round reads the kept cells
                slot = (head + lead) % depth
                expected = np.ravel_multi_index((slot[:, None, :], np.arange(shape[1])[:, None, None],
                                                 np.arange(shape[2])[None, :, None], np.arange(5)[None, None, :]), shape).ravel()
                got = cells(shape, head)
                assert got.dtype == expected.dtype
                assert np.array_equal(got, expected)
