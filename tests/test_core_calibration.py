"""The 2025Q1 turn matches ../shared/calibration.md within its ranges (§9 suggested starting state)."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import play, value, world

from techrace.core.mechanisms.fabrication import die_yield, dies_per_wafer


@pytest.fixture(scope="module")
def first():
    return play(turns=1)


def test_global_ai_compute_5_to_8_million_h100e(first) -> None:
    assert 5e6 <= world(first, "ai_compute_h100e") <= 8e6  # §9 global ~5-8M H100e


def test_us_and_china_shares_of_compute(first) -> None:
    total = world(first, "ai_compute_h100e")
    assert 0.70 <= value(first, "US", "ai_compute_h100e") / total <= 0.88  # §9 US ~75%
    assert 0.10 <= value(first, "CN", "ai_compute_h100e") / total <= 0.20  # §9 China ~15%


def test_frontier_training_run_about_1e26(first) -> None:
    assert 5e25 <= value(first, "US", "largest_training_run_flop") <= 3e26  # §9 frontier ~1e26
    assert value(first, "CN", "largest_training_run_flop") < value(first, "US", "largest_training_run_flop")


def test_smic_7nm_capacity_and_yield(first) -> None:
    assert 30000 <= value(first, "CN", "advanced_wafer_starts") <= 45000  # §9 SMIC 7nm 30-45K wpm
    rows = {r["foundry"]: r for r in first.view.foundries()}
    d0 = rows["SMIC"]["d0"]
    assert 0.3 <= float(die_yield(np.array(660.0), np.array(d0))) <= 0.6  # §2c/§1f 910C 40%, target 60%


def test_huawei_ascend_output_bound_by_hbm_range(first) -> None:
    built = sum(r["built_last_quarter"] for r in first.view.chip_firms() if r["firm"] == "HUAWEI")
    assert 50000 <= built <= 100000  # §9 Ascend ~200-400K per year


def test_world_accelerators_and_hbm(first) -> None:
    assert 1.0e6 <= world(first, "accelerators_produced") <= 2.0e6  # §4b >2M NVIDIA (2024) rising, §9
    hbm = world(first, "hbm_stacks_produced")
    assert value(first, "KR", "hbm_stacks_produced") / hbm >= 0.8  # §5 SK hynix + Samsung ~95%/~81%


def test_best_nodes_at_start(first) -> None:
    assert value(first, "TW", "best_node_nm") == 3  # §1a N3 in HVM; N2 from Q4 2025
    assert value(first, "CN", "best_node_nm") == 7  # §1a SMIC N+2 (7nm-class)
    assert value(first, "US", "best_node_nm") == 5  # §1e TSMC Arizona N4
    assert value(first, "NL", "best_node_nm") is None


def test_tsmc_n2_in_volume_by_end_2025() -> None:
    game = play(turns=4)
    assert value(game, "TW", "best_node_nm") == 2  # §1a N2 HVM Q4 2025


def test_gdp_index_starts_at_100(first) -> None:
    for row in first.metric_rows:
        assert 98.0 <= row["gdp_index"] <= 102.0


def test_dies_per_wafer_and_yield_worked_example() -> None:
    # §1f worked example: 814 mm2 at D0 0.1 -> Poisson ~44%, Murphy ~47%
    assert float(die_yield(np.array(814.0), np.array(0.1), "poisson")) == pytest.approx(0.443, abs=0.01)
    assert float(die_yield(np.array(814.0), np.array(0.1), "murphy")) == pytest.approx(0.47, abs=0.015)
    # §2c "78 x 910B-class or 39 x 910C per wafer" implies ~660 mm2 -> about 78 gross candidates
    assert 70 <= float(dies_per_wafer(np.array(660.0))) <= 85
