"""Round-10 shortcuts in the firms' policies give the numbers of what they replace: the foundries' three capacity
forecasts in one pass (`forecast.industry_ahead`), the chip firms' slot tables kept by the slots' firms, and
pipelines moved on as one flat run."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from core_helpers import baseline, play, variant

from techrace.core.events import Event
from techrace.core.mechanisms import forecast
from techrace.core.policies import chip_firms
from techrace.core.policies.design import design_compliant


def _forecasts_one_by_one(static, s) -> dict[str, np.ndarray]:  # noqa: ANN001
    """What `_build_fabs`, `_grow_hbm` and `_grow_packaging` forecast before `industry_ahead`, market by market."""
    industry = static.ruleset.industry
    rules, foundries = industry.forecast, np.arange(len(static.foundries))
    horizon = static.build_quarters[None, :].astype(np.float64)
    return {"ai_wafer": forecast.top_down(s.ai_wafer_demand_level[foundries], s.ai_wafer_demand_trend[foundries],
                                          s.wafer_demand_level, horizon, rules),
            "hbm": forecast.ahead(s.hbm_demand_level, s.hbm_demand_trend, industry.hbm_build_quarters, rules),
            "packaging": forecast.ahead(s.packaging_demand_level, s.packaging_demand_trend,
                                        industry.packaging_build_quarters, rules)}


def _damping(value: float):  # noqa: ANN202
    def edit(data: dict) -> None:
        data["industry"]["forecast"]["trend_damping"] = value
    return edit


@pytest.mark.parametrize("damping", [None, 1.0, 0.5])
def test_the_foundries_forecasts_in_one_pass_are_those_of_one_call_each(damping: float | None) -> None:
    ruleset = baseline() if damping is None else variant(_damping(damping))
    game = play(ruleset, turns=0)
    static, s = game.model.static, game.model.state
    for turn in range(6):
        odd = copy.deepcopy(game.model.state)  # no history, a negative trend, an infinite level, a NaN and a -0.0
        odd.hbm_demand_level[0], odd.ai_wafer_demand_trend[1], odd.packaging_demand_level[-1] = 0.0, -2.0, np.inf
        odd.wafer_demand_level[2, 3], odd.ai_wafer_demand_level[3], odd.hbm_demand_trend[2] = np.nan, -0.0, np.nan
        for state in (s, odd):
            together = dict(zip(("ai_wafer", "hbm", "packaging"), forecast.industry_ahead(static, state), strict=True))
            alone = _forecasts_one_by_one(static, state)
            for name, numbers in alone.items():
                found = forecast.split(together[name], state.wafer_demand_level) if name == "ai_wafer" else together[name]
                assert found.shape == numbers.shape and found.tobytes() == numbers.tobytes(), (turn, name)
        game.run(1)


def _split_output_in_full(model, idx: np.ndarray) -> list[Event]:  # noqa: ANN001
    """`_split_output` before its slot tables: the firm x slot mask of active designs worked out every quarter."""
    static, s = model.static, model.state
    lic, eligible = model.licences, model.eligible
    h100e = s.sku_tflops * 16.0 / static.ruleset.technology.h100_tpp
    live = s.sku_active > 0
    firm_of = s.sku_firm.astype(np.int64)
    active = live & (s.sku_used > 0)
    mine = (firm_of[None, :] == idx[:, None]) & active[None, :]
    nc = len(static.chip_firms)
    chosen, row_of, pick = chip_firms._firm_rows(static, idx)
    offered = active & chosen[firm_of]
    planned = (s.sku_ready_turn <= s.turn) & live & offered
    firm_score = np.where(eligible & planned[:, None], h100e[:, None] * lic.chip_allowed, 0.0)
    groups = chip_firms.sku_groups(firm_of)
    tiered = lic.tier_cap[static.lab_nation] <= 0
    if np.count_nonzero(tiered):
        firm_score = np.where(chip_firms._foreign(static, firm_of) & tiered[None, :], 0.0, firm_score)
    top = chip_firms.by_firm(np.maximum, firm_score, groups, nc, 0.0)
    top_of_sku = top.take(firm_of, axis=0)
    first = np.where((firm_score == top_of_sku) & (top_of_sku > 0), np.arange(len(firm_of))[:, None], len(firm_of))
    best = chip_firms.by_firm(np.minimum, first, groups, nc, 0)[pick]
    buys = top[pick] > 0
    share = np.bincount(best[buys], weights=s.capital[buys.nonzero()[1]], minlength=static.sku_capacity)
    total = np.add.reduce(np.where(mine, share[None, :], 0.0), axis=1)
    firm_total = total[row_of[firm_of]]
    s.sku_share = np.where(offered, np.where(firm_total > 0, share / np.maximum(firm_total, 1e-300), 0.0), s.sku_share)
    sells = offered[:, None] & eligible
    best_legal = chip_firms.by_firm(np.maximum, np.where(sells, lic.chip_allowed, -np.inf), groups, nc, -np.inf)[pick]
    blocked = (best_legal < 0.5) & (best_legal > -np.inf)
    events: list[Event] = []
    for row, lab_nation in sorted({(int(r), int(static.lab_nation[c])) for r, c in zip(*np.nonzero(blocked), strict=True)}):
        events += design_compliant(model, int(idx[row]), np.flatnonzero(mine[row]), lab_nation)
    return events


@pytest.mark.parametrize("firms", ["all", "some"])
def test_the_output_split_from_slot_tables_is_the_split_in_full(firms: str) -> None:
    """Quarter after quarter, as designs are added, retired and freed (the slot tables follow the slots' firms),
    with labs' capital of every sign and a firm whose designs a rule closes a market to."""
    game = play(turns=0)
    for turn in range(14):
        model = game.model
        idx = np.arange(len(model.static.chip_firms))
        idx = idx if firms == "all" else idx[1::2]
        if turn == 9:
            model.state.capital[:3] = (-1.0, 0.0, -0.0)
        if turn == 11:
            model.licences.chip_allowed = model.licences.chip_allowed * 0.4  # every market closed to every design
        shortcut, in_full = copy.deepcopy(model), copy.deepcopy(model)
        events = chip_firms._split_output(shortcut, idx)
        assert [e.text for e in events] == [e.text for e in _split_output_in_full(in_full, idx)], turn
        for name in ("sku_share", "sku_names", "sku_used", "sku_firm", "sku_tflops"):
            assert np.asarray(getattr(shortcut.state, name)).tobytes() == np.asarray(getattr(in_full.state, name)).tobytes()
        firm_of = model.state.sku_firm.astype(np.int64)
        groups, own, chosen, row_of, slots, pick = chip_firms._slot_tables(model.static, firm_of, idx)
        every, rows, _ = chip_firms._firm_rows(model.static, idx)
        assert own.tolist() == (firm_of[None, :] == idx[:, None]).tolist() and chosen.tolist() == every[firm_of].tolist()
        assert row_of.tolist() == rows[firm_of].tolist() and slots.ravel().tolist() == list(range(len(firm_of)))
        assert [g.tolist() for g in groups] == [g.tolist() for g in chip_firms.sku_groups(firm_of)]
        game.run(1)


@pytest.mark.parametrize("shape", [(19, 8, 16), (19, 16), (3, 1), (0, 4), (2, 3, 1)])
@pytest.mark.parametrize("contiguous", [True, False])
def test_a_pipeline_moved_on_as_one_flat_run_is_one_moved_row_by_row(shape: tuple[int, ...], contiguous: bool) -> None:
    from techrace.core.mechanisms.fabrication import _move_on

    numbers = np.random.default_rng(3).normal(size=shape)
    if numbers.size:
        numbers.flat[::5] = np.array([np.nan, -0.0, np.inf, 0.0])[np.arange(len(numbers.flat[::5])) % 4]
    queue = numbers.copy() if contiguous else np.asfortranarray(numbers)
    by_rows = numbers.copy()
    by_rows[..., :-1] = by_rows[..., 1:]
    by_rows[..., -1] = 0.0
    _move_on(queue)
    assert queue.shape == shape and np.ascontiguousarray(queue).tobytes() == by_rows.tobytes()


@pytest.mark.parametrize("contiguous", [True, False])
def test_the_algorithms_history_moved_on_as_one_flat_run_is_the_row_by_row_move(contiguous: bool) -> None:
    from techrace.core.mechanisms import research

    game = play(turns=3)
    static, s = game.model.static, game.model.state
    s.algo_history[0, -1], s.algo_history[1, 0] = np.nan, -0.0
    if not contiguous:
        s.algo_history = np.asfortranarray(s.algo_history)
    luck = np.ones(len(static.labs))
    expected = copy.deepcopy(s)
    research.advance(static, s, game.model.research_ref, luck)
    expected.algo_log10 = s.algo_log10.copy()
    expected.algo_history[:, 1:] = expected.algo_history[:, :-1]
    expected.algo_history[:, 0] = expected.algo_log10
    assert np.ascontiguousarray(s.algo_history).tobytes() == np.ascontiguousarray(expected.algo_history).tobytes()
