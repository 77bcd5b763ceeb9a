"""AI labs: spend this quarter's capital on accelerators and staff research to their compute."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from techrace.core.model import WorldModel


def lab_default(model: WorldModel, idx: np.ndarray, params: None = None) -> None:
    """Spend this quarter's capital (more when a rule against the lab's nation is announced, less in a
    capex cut); hire researchers as compute grows."""
    static, s = model.static, model.state
    boost = static.ruleset.market.stockpile_boost * model.licences.stockpile[static.lab_nation[idx]]
    model.lab_budget[idx] = (s.capital[idx] * (1.0 - s.capex_cut[idx]) * (1.0 + boost) + s.lab_subsidy[idx]) * 1e9
    s.lab_subsidy[idx] = 0.0  # a subsidy is spent in the quarter it is paid
    employer = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms) + idx
    growth = (s.compute[idx] / np.maximum(model.start_compute[idx], 1.0)) ** static.ruleset.talent.lab_staff_elasticity
    floor = static.ruleset.industry.staff_floor
    s.eng_target[employer] = model.start_engineers[employer] * np.maximum(growth, floor)[:, None]
