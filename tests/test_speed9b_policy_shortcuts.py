"""The round-9 shortcuts in the firms' policies give the numbers of what they replace: memory makers' stacks
per TSV start kept by their generations and yields, build times handed to the forecast as floats, the
markets closed to a whole chip firm found with one reduction instead of two, chip firms' free capacity once a
quarter, and rows read through slices (views) instead of index arrays."""

from __future__ import annotations

import copy

import numpy as np
from core_helpers import play
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.core.mechanisms import forecast
from techrace.core.policies import design, foundries, toolmakers
from techrace.core.policies.chip_firms import by_firm, sku_groups


def test_stacks_per_start_follow_generations_and_yields() -> None:
    game = play(turns=3)
    model, s = game.model, game.model.state
    memory = np.flatnonzero(model.static.foundry_is_memory > 0)

    def fresh() -> bytes:
        per_wafer = foundries.stacks_per_tsv_wafer(model)[memory] * np.maximum(s.hbm_yield[memory], 0.05)
        return np.maximum(per_wafer, 1e-9).tobytes()

    assert foundries._stacks_per_start(model, memory).tobytes() == fresh()
    s.hbm_yield[memory[0]] = 0.01  # below the 0.05 floor
    assert foundries._stacks_per_start(model, memory).tobytes() == fresh()
    s.hbm_level[memory[-1]] = 0.0  # no generation: no stacks, the 1e-9 floor
    assert foundries._stacks_per_start(model, memory).tobytes() == fresh()
    assert not foundries._stacks_per_start(model, memory).flags.writeable


def test_build_times_as_floats_forecast_as_the_build_times() -> None:
    game = play(turns=3)
    static, s = game.model.static, game.model.state
    logic = np.flatnonzero(static.foundry_is_memory == 0)
    horizon = foundries._fab_tables(static, logic)[-1]
    rules = static.ruleset.industry.forecast
    level, trend = s.wafer_demand_level[logic], s.wafer_demand_trend[logic]
    assert horizon.dtype == np.float64 and horizon.tolist() == static.build_quarters[None, :].tolist()
    assert (forecast.ahead(level, trend, horizon, rules).tobytes()
            == forecast.ahead(level, trend, static.build_quarters[None, :], rules).tobytes())


SHARES = st.sampled_from([0.0, 0.25, 0.5, 0.49999999999999994, 1.0, float("nan")])


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12).flatmap(lambda skus: st.tuples(
    st.lists(st.integers(0, 3), min_size=skus, max_size=skus),
    st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=skus, max_size=skus),
    st.lists(st.lists(SHARES, min_size=3, max_size=3), min_size=skus, max_size=skus))))
def test_closed_markets_from_one_reduction_are_those_of_two(case: tuple) -> None:
    firms, sells, allowed = np.array(case[0], dtype=np.int64), np.array(case[1]), np.array(case[2])
    groups = sku_groups(firms)
    customer = by_firm(np.logical_or, sells, groups, 5, False)
    before = customer & (by_firm(np.maximum, np.where(sells, allowed, -1.0), groups, 5, -1.0) < 0.5)
    best_legal = by_firm(np.maximum, np.where(sells, allowed, -np.inf), groups, 5, -np.inf)
    assert ((best_legal < 0.5) & (best_legal > -np.inf)).tolist() == before.tolist()


def _best_node_per_foundry(model, ci: int, parent: int, ready: int) -> tuple[int, str]:  # noqa: ANN001
    """`design._best_node` as it was written before: each foundry's free capacity worked out on its own."""
    static, s = model.static, model.state
    best, maker = int(s.sku_node[parent]), ""
    used = float((s.sku_wafers * (s.sku_firm == ci)).sum())
    soon = design._capacity_by(model, max(ready - s.turn, 0))
    for fid in static.ruleset.chip_firms[static.chip_firms[ci]].foundries:
        fi = static.foundries.index(fid)
        if model.licences.wafer_allowed[fi, parent] < 0.5:
            continue
        free = (soon[fi] - s.non_ai_wpm[fi]) * 3.0 - s.wafer_demand[fi]
        ok = ((s.mastered[fi] > 0) & (free >= static.ruleset.design.node_capacity_share * used)).nonzero()[0]
        if len(ok) and int(ok[-1]) > best:
            best, maker = int(ok[-1]), fid
    return best, maker


def test_best_nodes_from_the_quarters_free_capacity_are_each_foundrys() -> None:
    game = play(turns=6)
    model, s = game.model, game.model.state
    for turns_ahead in (0, 2, 4, 40):
        for ci in range(len(model.static.chip_firms)):
            for parent in np.flatnonzero((s.sku_used > 0) & (s.sku_firm == ci)).tolist():
                ready = s.turn + turns_ahead
                assert design._best_node(model, ci, parent, ready) == _best_node_per_foundry(model, ci, parent, ready)
    free, mastered = design._free_capacity(model, 3)
    soon = model.static.by_foundry(s.capacity + s.construction[:, :, :3].sum(axis=2))
    assert free.tobytes() == ((soon - s.non_ai_wpm) * 3.0 - s.wafer_demand).tobytes()
    assert mastered.tolist() == (s.mastered > 0).tolist()


def test_policies_reading_rows_through_slices_leave_the_state_of_index_reads() -> None:
    game = play(turns=5)
    by_slice, by_index = copy.deepcopy(game).model, copy.deepcopy(game).model
    static = by_index.static
    foundry_ids, maker_ids = np.arange(len(static.foundries)), np.arange(len(static.toolmakers))
    memory, logic = np.flatnonzero(static.foundry_is_memory > 0), np.flatnonzero(static.foundry_is_memory == 0)
    for ids in (foundry_ids, memory, logic):  # the index arrays instead of the slices `_rows` would keep
        static.cache[("foundry_rows", ids.tobytes())] = ids.copy()
    static.cache[("toolmaker_rows", maker_ids.tobytes())] = maker_ids.copy()
    for model in (by_slice, by_index):
        foundries.foundry_default(model, foundry_ids)
        toolmakers.toolmaker_default(model, maker_ids)
    assert foundries._rows(by_slice.static, logic) == slice(0, len(logic))
    for name in ("cash", "rd_budget", "construction", "hbm_construction", "tool_capacity", "tool_dev", "toolmaker_subsidy",
                 "eng_target"):
        assert getattr(by_slice.state, name).tobytes() == getattr(by_index.state, name).tobytes(), name
    assert by_slice.tool_orders.tobytes() == by_index.tool_orders.tobytes()


def _successor_figures_in_numpy(model, ci: int, parent: int, node: int) -> list[float]:  # noqa: ANN001
    """A successor's transistors, TFLOPS, power and price as `_successor` worked them out on numpy scalars."""
    static, s = model.static, model.state
    rules, firm = static.ruleset.design, static.ruleset.chip_firms[static.chip_firms[ci]]
    nodes = static.ruleset.technology.nodes
    density = np.array([nodes[n].transistor_density_mtr_mm2 for n in static.nodes])
    ppw = np.array([nodes[n].perf_per_watt for n in static.nodes])
    old = int(s.sku_node[parent])
    gain = density[node] / max(density[old], 1e-9) * firm.architecture_gain
    efficiency = ppw[node] / max(ppw[old], 1e-9) * firm.architecture_gain
    return [float(s.sku_transistors[parent] * density[node] / max(density[old], 1e-9)), float(s.sku_tflops[parent] * gain),
            float(s.sku_power[parent] * (gain / max(efficiency, 1e-9)) ** rules.power_exponent),
            float(max(s.sku_price[parent] * gain ** rules.price_exponent, rules.price_floor_usd))]


def test_successors_in_plain_floats_have_the_numpy_scalars_figures() -> None:
    game = play(turns=4)
    checked = 0
    for ci in range(len(game.model.static.chip_firms)):
        model = copy.deepcopy(game).model
        s = model.state
        mine = np.flatnonzero((s.sku_used > 0) & (s.sku_firm == ci) & (s.sku_compliant <= 0))
        if not len(mine):
            continue
        parent = int(mine[s.sku_tflops[mine].argmax()])
        before = s.sku_used.copy()
        if design._successor(model, ci) is None:
            continue
        slot = int(np.flatnonzero((s.sku_used > 0) & (before <= 0))[0])
        expected = _successor_figures_in_numpy(model, ci, parent, int(s.sku_node[slot]))
        assert [float(s.sku_transistors[slot]), float(s.sku_tflops[slot]), float(s.sku_power[slot]),
                float(s.sku_price[slot])] == expected
        checked += 1
    assert checked
