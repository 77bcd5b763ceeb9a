"""The scenario library plays, and each scenario shows its headline effect against a reference run.

Runs are shared through a cache (the same ruleset, seed and turns always give the same game), use
two seeds and only as many quarters as the effect needs. Where the engine does not (yet) show a
scenario's intended effect, the test says so with a strict xfail and the numbers measured.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from techrace.core import Game
from techrace.ruleset import list_rulesets

SEEDS = (1, 2)
KEY_COLUMNS = ["ai_compute_h100e", "capability", "advanced_wafer_starts", "accelerators_produced", "gdp_index"]


@cache
def played(name: str, turns: int) -> tuple[pd.DataFrame, tuple[Game, ...]]:
    games = []
    for seed in SEEDS:
        game = Game.from_ruleset(name, seed=seed)
        game.run(turns)
        games.append(game)
    return pd.concat([g.metrics() for g in games], ignore_index=True), tuple(games)


def nation(name: str, code: str, quarter: str, metric: str, turns: int) -> float:
    """Mean over the seeds of one nation's metric in one quarter."""
    df = played(name, turns)[0]
    rows = df[(df.nation == code) & (df.quarter == quarter)]
    assert len(rows) == len(SEEDS), (name, code, quarter)
    return float(rows[metric].mean())


def world(name: str, quarter: str, metric: str, turns: int) -> float:
    """Mean over the seeds of the world total of a metric in one quarter."""
    df = played(name, turns)[0]
    rows = df[df.quarter == quarter]
    assert not rows.empty, (name, quarter)
    return float(rows.groupby("seed")[metric].sum().mean())


@pytest.mark.parametrize("name", [name for name, _, _ in list_rulesets()])
def test_every_shipped_ruleset_plays_four_turns(name):
    df, games = played(name, 4)
    assert all(g.turn == 4 for g in games)
    assert sorted(df.turn.unique()) == [1, 2, 3, 4] and set(df.quarter) == {"2025Q1", "2025Q2", "2025Q3", "2025Q4"}
    assert df[KEY_COLUMNS].notna().all().all() and (df[KEY_COLUMNS] >= 0).all().all()


def test_no_controls_raises_chinas_compute():
    assert nation("no-controls", "CN", "2025Q4", "ai_compute_h100e", 4) > 1.3 * nation("baseline", "CN", "2025Q4", "ai_compute_h100e", 4)


def advanced_utilisation(name: str, code: str, turns: int) -> float:
    """Mean over the seeds of the share of a nation's <= 7 nm capacity its tools can run (usable / capacity)."""
    shares = []
    for game in played(name, turns)[1]:
        st, s = game.model.static, game.model.state
        sites = st.site_nation == st.nations.index(code)
        advanced = st.node_nm <= 7.0
        shares.append(s.usable[sites][:, advanced].sum() / max(s.capacity[sites][:, advanced].sum(), 1.0))
    return sum(shares) / len(shares)


@pytest.mark.parametrize("name", ["oct-2022", "oct-2023"])
def test_before_the_2024_tool_rules_chinas_fabs_run_more_of_their_advanced_capacity(name):
    """The 2024 tool and servicing rules leave China's advanced fabs short of tools (China answers by building
    more fab shells, so the tools, not the buildings, are where the rules show)."""
    assert advanced_utilisation(name, "CN", 16) > 1.05 * advanced_utilisation("baseline", "CN", 16)


def test_dec_2024_hbm_rule_cuts_chinese_accelerators_against_oct_2023_once_stockpiles_run_out():
    assert nation("dec-2024", "CN", "2027Q4", "accelerators_produced", 12) < 0.95 * nation("oct-2023", "CN", "2027Q4", "accelerators_produced", 12)


def test_dec_2024_leaves_the_tsmc_die_bank_open():
    """Without the foundry rule TSMC keeps making Ascend-class dies for a Chinese shell company (§2c);
    China's output is bound by HBM (§9), so the dies feed its die stock rather than this quarter's output."""
    game = played("dec-2024", 2)[1][0]
    st, s = game.model.static, game.model.state
    sophgo = [k for k, name in enumerate(s.sku_names) if name and st.chip_firms[int(s.sku_firm[k])] == "SOPHGO"]
    assert sophgo and s.wafers_bought[sophgo].sum() > 1000.0
    assert game.model.licences.wafer_allowed[st.foundries.index("TSMC"), sophgo[0]] > 0.9


def test_the_foundry_rule_closes_most_of_the_die_bank():
    game = played("foundry-rule-2025", 2)[1][0]
    st, s = game.model.static, game.model.state
    sophgo = [k for k, name in enumerate(s.sku_names) if name and st.chip_firms[int(s.sku_firm[k])] == "SOPHGO"]
    assert game.model.licences.wafer_allowed[st.foundries.index("TSMC"), sophgo[0]] < 0.1
    assert s.wafers_bought[sophgo].sum() < 0.2 * played("dec-2024", 2)[1][0].model.state.wafers_bought[sophgo].sum()


def test_ai_diffusion_cuts_chinas_compute():
    # China buys mostly domestic accelerators by 2027, so the tier cap on imports costs it a little compute
    assert nation("ai-diffusion", "CN", "2027Q2", "ai_compute_h100e", 10) < 0.995 * nation("baseline", "CN", "2027Q2", "ai_compute_h100e", 10)


def _h20(game: Game, column: str) -> float:
    return next(row[column] for row in game.view.chip_firms() if row["sku"] == "H20")


def test_h20_deal_stops_h20_sales_after_the_april_ban():
    deal, base = played("h20-deal", 4)[1][0], played("baseline", 4)[1][0]
    assert _h20(deal, "sold_total") < 0.75 * _h20(base, "sold_total")


def test_h20_licences_bring_nvidia_sales_to_china_back():
    """During the ban NVIDIA designs a variant under TPP 2,000 (B200-CN, ready in 2025Q4); once licences
    resume it sells China whichever design is freest to sell: the unlicensed variant beats the 80%-licensed
    H20, so China keeps receiving NVIDIA parts and the firm keeps building for that market."""
    deal = played("h20-deal", 6)[1][0]
    china = [r for r in deal.view.chip_firms() if r["firm"] == "NVIDIA" and (r["sku"] == "H20" or r["sku"].endswith("-CN"))]
    assert sum(r["built_last_quarter"] for r in china) > 0
    assert any(e.kind == "market" and "NVIDIA designs" in e.text and "to sell to CN" in e.text for e in deal.events)


def test_h20_ban_pushes_china_to_domestic_accelerators():
    """Chinese labs spend what they cannot spend on H20s on domestic designs (better value per dollar by TPP),
    so the ban shows in where China's compute comes from more than in how much it has."""
    assert nation("h20-deal", "CN", "2025Q4", "domestic_accelerator_share", 4) > nation("baseline", "CN", "2025Q4", "domestic_accelerator_share", 4)


def test_h200_deal_raises_chinas_compute():
    assert nation("h200-deal", "CN", "2026Q2", "ai_compute_h100e", 6) > 1.02 * nation("baseline", "CN", "2026Q2", "ai_compute_h100e", 6)


def test_full_decoupling_collapses_chinese_chip_output_and_idles_its_advanced_fabs():
    assert nation("full-decoupling", "CN", "2028Q2", "accelerators_produced", 14) < 0.5 * nation("baseline", "CN", "2028Q2", "accelerators_produced", 14)
    assert advanced_utilisation("full-decoupling", "CN", 14) < 0.9 * advanced_utilisation("baseline", "CN", 14)


def test_full_decoupling_lowers_chinas_compute():
    assert nation("full-decoupling", "CN", "2027Q2", "ai_compute_h100e", 14) < 0.95 * nation("baseline", "CN", "2027Q2", "ai_compute_h100e", 14)


def test_taiwan_blockade_drops_world_accelerators_from_2027q3_then_recovers():
    blockade = [world("taiwan-blockade-2027", q, "accelerators_produced", 16) for q in ("2027Q2", "2027Q3", "2028Q4")]
    base = [world("baseline", q, "accelerators_produced", 16) for q in ("2027Q2", "2027Q3", "2028Q4")]
    assert blockade[0] == pytest.approx(base[0])
    assert blockade[1] < 0.3 * base[1]
    # fabs and lines come back within two quarters of the blockade lifting, and output returns to the
    # baseline's level (a little above or below it: orders held up by the blockade are made up, while labs'
    # lost money weighs on demand)
    assert 0.7 * base[2] < blockade[2] < 1.3 * base[2]


def test_taiwan_invasion_drops_world_accelerators_for_years():
    for quarter in ("2027Q3", "2028Q4"):
        assert world("taiwan-invasion-2027", quarter, "accelerators_produced", 16) < 0.3 * world("baseline", quarter, "accelerators_produced", 16)
    assert world("taiwan-invasion-2027", "2028Q4", "gdp_index", 16) < world("baseline", "2028Q4", "gdp_index", 16)


def test_taiwan_earthquake_takes_wafer_capacity_offline():
    assert world("taiwan-earthquake", "2025Q2", "advanced_wafer_starts", 3) == pytest.approx(world("baseline", "2025Q2", "advanced_wafer_starts", 3))
    assert world("taiwan-earthquake", "2025Q3", "advanced_wafer_starts", 3) < 0.9 * world("baseline", "2025Q3", "advanced_wafer_starts", 3)


def test_china_euv_moves_chinas_leading_edge():
    assert nation("china-euv-2028", "CN", "2027Q4", "best_node_nm", 24) == nation("baseline", "CN", "2027Q4", "best_node_nm", 24)
    assert nation("china-euv-2028", "CN", "2030Q4", "best_node_nm", 24) < nation("baseline", "CN", "2030Q4", "best_node_nm", 24)
    assert nation("china-euv-2028", "CN", "2030Q4", "advanced_wafer_starts", 24) > 1.1 * nation("baseline", "CN", "2030Q4", "advanced_wafer_starts", 24)


def test_capex_bust_slows_world_compute():
    assert world("capex-bust", "2026Q2", "ai_compute_h100e", 6) < 0.95 * world("baseline", "2026Q2", "ai_compute_h100e", 6)


def test_mineral_embargo_costs_the_us_gdp_in_every_seed():
    embargo, base = played("mineral-embargo", 3)[0], played("baseline", 3)[0]
    pick = (embargo.nation == "US") & (embargo.quarter == "2025Q3")
    assert (embargo[pick].gdp_index.to_numpy() < base[(base.nation == "US") & (base.quarter == "2025Q3")].gdp_index.to_numpy()).all()
