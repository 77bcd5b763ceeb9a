"""Tools: conservation, licences, servicing and wear, lead times, retaliation and the jigsaw."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline, play, variant

from techrace.core import Action, Game
from techrace.core.mechanisms.fabrication import ARF
from techrace.ruleset.schema import TOOL_KINDS


def test_no_tools_from_nothing() -> None:
    game = play(turns=12)
    fresh = Game.from_ruleset(baseline(), seed=1).model.state
    s = game.model.state
    installed_growth = s.tools.sum(axis=0) - fresh.tools.sum(axis=0)  # (maker, kind)
    from_stockpiles = fresh.site_stockpile.sum(axis=0) - s.site_stockpile.sum(axis=0)  # installed from sites' own stock
    accounted = s.tool_inventory + s.tool_pipeline.sum(axis=(1, 3)) + installed_growth + s.tools_scrapped - from_stockpiles
    assert np.allclose(accounted, s.tools_produced, rtol=1e-9, atol=1e-6)
    assert (from_stockpiles >= -1e-9).all()
    assert (s.tools >= 0).all() and (s.tool_inventory >= -1e-9).all()


def test_servicing_ban_wears_tools_down_and_cuts_capacity() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    st = game.model.static
    game.step([Action("entity_list", "US", {"entities": ["SMIC"]})])
    event = [e for e in game.events if e.kind == "control" and "SMIC" in e.text][-1]
    assert "loses servicing of" in event.text and event.cause
    sites = [st.sites.index("SMIC-BJ"), st.sites.index("SMIC-SN1")]
    asml = st.toolmakers.index("ASML")
    health0 = game.model.state.health[sites, asml, ARF].copy()
    game.run(6)
    assert (game.model.state.health[sites, asml, ARF] < health0 - 0.1).all()
    control = Game.from_ruleset(baseline(), seed=1, player="US").run(7)
    assert game.model.state.usable[sites].sum() < control.model.state.usable[sites].sum()


def test_tool_ban_stops_deliveries_and_lead_times_delay_them() -> None:
    model = Game.from_ruleset(baseline(), seed=1).model
    st, s = model.static, model.state
    asml = st.toolmakers.index("ASML")
    assert s.tool_lead[asml, TOOL_KINDS.index("euv")] == 4  # §3a EUV lead time >12 months
    game = play(turns=6)
    cn_sites = game.model.static.site_nation == game.model.static.nations.index("CN")
    euv = TOOL_KINDS.index("euv")
    assert game.model.state.tools[cn_sites, :, euv].sum() == 0  # EUV never shipped to China (§3c)


def test_lifting_the_tool_rules_lets_china_buy_euv_for_its_pilot_line() -> None:
    free = variant(lambda d: d.update(controls={k: v for k, v in d["controls"].items()
                                                if v["kind"] not in ("tool_list", "entity_list", "servicing_ban")}))
    game = play(free, turns=8)
    cn_sites = game.model.static.site_nation == game.model.static.nations.index("CN")
    assert game.model.state.tools[cn_sites, :, TOOL_KINDS.index("euv")].sum() > 0


def test_mineral_retaliation_cuts_target_toolmakers_output() -> None:
    def us_tools(share: float) -> float:
        game = Game.from_ruleset(baseline(), seed=1, player="CN")
        game.step([Action("retaliation", "CN", {"destinations": ["US"], "mineral_cost_share": share})] if share else [])
        game.run(3)
        st = game.model.static
        us = st.toolmaker_nation == st.nations.index("US")
        return float(game.model.state.tools_produced[us].sum())

    assert us_tools(0.3) < 0.85 * us_tools(0.0)


def test_jigsaw_controlled_side_funds_what_was_cut_off() -> None:
    def domestic_etch(banned: bool) -> tuple[float, float]:
        game = Game.from_ruleset(baseline(), seed=2, player="US")
        actions = [Action("tool_ban", "US", {"tool_kinds": ["etch", "deposition"], "destinations": ["CN"]})] if banned else []
        game.step(actions)
        game.run(8)
        s, st = game.model.state, game.model.static
        cn = st.nations.index("CN")
        etch = TOOL_KINDS.index("etch")
        chinese = st.toolmaker_nation == cn
        return float(s.jigsaw_spend[cn, etch]), float(s.tool_capacity[chinese, etch].sum())

    spend_ban, cap_ban = domestic_etch(True)
    spend_free, cap_free = domestic_etch(False)
    assert spend_ban > spend_free + 1.0
    assert cap_ban > cap_free


def test_tools_in_transit_keep_their_quarter_across_a_save_and_a_longer_lead_time() -> None:
    """The pipeline is held as a ring of quarters: a snapshot unrolls it and a restore plays on the same,
    and a lead time longer than any before (the ring grows) still delivers that many quarters later."""
    from techrace.core.markets.tools import in_transit
    from techrace.core.state import WorldState

    game = play(turns=5)
    s = game.model.state
    assert np.array_equal(in_transit(s), s.tool_pipeline.sum(axis=(0, 3)))
    restored = WorldState.from_dict(s.to_dict())
    assert np.array_equal(restored.tool_pipeline, s.tool_pipeline)
    assert np.array_equal(in_transit(restored), in_transit(s))
    maker, kind = np.unravel_index(np.argmax(s.tool_capacity), s.tool_capacity.shape)
    s.tool_lead[maker, kind] = 9
    before = s.tool_pipeline[maker, :, kind].sum()
    game.run(1)
    after = s.tool_pipeline
    assert after[maker, :, kind, 8].sum() > 0 and not after[maker, :, kind, 9:].any()
    assert after[maker, :, kind].sum() > before - 1e-9  # what was in transit before is still counted
