"""AI labs: spend this quarter's capital on accelerators and staff research to their compute."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.policies.segments import as_rows

if TYPE_CHECKING:
    from techrace.core.model import WorldModel


def lab_default(model: WorldModel, idx: np.ndarray, params: None = None) -> None:
    """Spend this quarter's capital (more when a rule against the lab's nation is announced, less in a
    capex cut); hire researchers as compute grows."""
    static, s = model.static, model.state
    nation, employer, start_compute, start_engineers = _lab_tables(model, idx)
    boost = static.ruleset.market.stockpile_boost * model.licences.stockpile[nation]
    model.lab_budget[idx] = (s.capital[idx] * (1.0 - s.capex_cut[idx]) * (1.0 + boost) + s.lab_subsidy[idx]) * 1e9
    s.lab_subsidy[idx] = 0.0  # a subsidy is spent in the quarter it is paid
    growth = (s.compute[idx] / start_compute) ** static.ruleset.talent.lab_staff_elasticity
    floor = static.ruleset.industry.staff_floor
    s.eng_target[employer] = start_engineers * np.maximum(growth, floor)[:, None]


def _lab_tables(model: WorldModel, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The labs' nations, their rows as employers (`as_rows`), their compute at the start (at least 1) and their
    engineers at the start: once a game (the start is the fresh state the static tables build); read-only."""
    static = model.static
    key = ("lab_tables", idx.tobytes())
    tables = static.cache.get(key)
    if tables is None:
        employer = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms) + idx
        tables = static.cache[key] = (static.lab_nation[idx], as_rows(employer), np.maximum(model.start_compute[idx], 1.0),
                                      model.start_engineers[employer])
        for table in tables:
            if isinstance(table, np.ndarray):
                table.flags.writeable = False
    return tables
