"""Fab grants: a nation pays a foundry, its own or a foreign one, to build its next advanced fabs at a site on its soil."""

from __future__ import annotations

import json

import numpy as np
import pytest
from core_helpers import baseline, variant

from techrace.core import Action, Game
from techrace.core.levers import LEVERS
from techrace.core.saved_fields import with_added_fields

GRANT = Action("fab_grant", "US", {"site": "TSMC-AZ", "usd_b": 2.0})


def _site(game: Game, sid: str) -> int:
    return game.model.static.sites.index(sid)


def _advanced_at(game: Game, sid: str) -> float:
    """Wafer starts a month made or being built at a site on nodes of 7 nm and below."""
    static, s = game.model.static, game.model.state
    row = s.capacity[_site(game, sid)] + s.construction[_site(game, sid)].sum(axis=1)
    return float(row[static.node_nm <= 7].sum())


@pytest.mark.parametrize(("action", "needle"), [
    (Action("fab_grant", "CN", {"site": "TSMC-AZ", "usd_b": 1.0}), "Site: TSMC-AZ is not in CN (it is in US)"),
    (Action("fab_grant", "US", {"site": "TSMC-AX", "usd_b": 1.0}), "unknown site 'TSMC-AX' — did you mean 'TSMC-AZ'?"),
    (Action("fab_grant", "TW", {"site": "MU-TW", "usd_b": 1.0}), "MU-TW makes HBM for Micron; a fab grant builds logic fabs"),
    (Action("fab_grant", "US", {"site": "TSMC-AZ", "usd_b": -1.0}), "Amount: must be at least 0"),
    (Action("fab_grant", "US", {"usd_b": 1.0}), "Site: required"),
])
def test_a_grant_names_a_logic_site_on_the_nations_soil(action: Action, needle: str) -> None:
    game = Game.from_ruleset(baseline(), seed=1, player=action.nation)
    problems = game.validate(action)
    assert any(needle in p for p in problems), problems


def test_a_grant_to_a_foreign_foundry_and_to_a_home_one_are_both_accepted() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    assert game.validate(GRANT) == []
    assert game.validate(Action("fab_grant", "US", {"site": "IF-US", "usd_b": 1.0})) == []


def test_the_grant_is_paid_to_the_foundry_and_owed_to_the_site() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    static, s = game.model.static, game.model.state
    tsmc = static.foundries.index("TSMC")
    budget, cash = float(s.budget[0]), float(s.cash[tsmc])
    events = LEVERS["fab_grant"].apply(game.model, GRANT)  # as the turn applies a player's order
    assert s.budget[0] == pytest.approx(budget - 2.0)
    assert s.cash[tsmc] == pytest.approx(cash + 2.0)
    owed = 2.0 / static.ruleset.levers.grant_share_of_capex
    assert s.site_grant[_site(game, "TSMC-AZ")] == pytest.approx(owed)
    assert events and "its next $20 bn of fabs go to TSMC-AZ" in events[0].text and events[0].actors == ("US",)
    tsmc_row = next(r for r in game.view.foundries() if r["foundry"] == "TSMC")  # the Foundries tab shows what is owed
    assert tsmc_row["grants_owed_usd_b"] == pytest.approx(owed)
    owed_by_site = {r["site"]: r["grant_owed_usd_b"] for r in game.view.sites()}  # and the Sites tab, at the site
    assert owed_by_site["TSMC-AZ"] == pytest.approx(owed) and owed_by_site["TSMC-TW"] == 0.0


def _played(grants: bool, turns: int = 20) -> Game:
    game = Game.from_ruleset(baseline(), seed=1, player="US")
    for turn in range(turns):
        game.step([GRANT] if grants and turn < 3 else [])
    return game


@pytest.fixture(scope="module")
def both() -> tuple[Game, Game]:
    return _played(False), _played(True)


def test_a_grant_brings_advanced_fabs_to_the_site_and_home_made_chips_later(both: tuple[Game, Game]) -> None:
    without, with_grant = both
    assert _advanced_at(with_grant, "TSMC-AZ") > 2 * _advanced_at(without, "TSMC-AZ")
    # fabs take years to build: the home-made share moves only once they run
    share = {g: {r["quarter"]: r["domestic_accelerator_share"] for r in g.metric_rows if r["nation"] == "US"}
             for g in both}
    assert share[with_grant]["2029Q4"] > share[without]["2029Q4"] + 0.1
    assert share[with_grant]["2025Q4"] == pytest.approx(share[without]["2025Q4"], abs=0.01)


def test_the_grant_moves_fabs_it_does_not_add_them(both: tuple[Game, Game]) -> None:
    """TSMC's advanced capacity in all, wherever it stands, is what its forecast asks for with or without the grant,
    within the cash the grant adds; the site's debt only falls, and never below zero."""
    without, with_grant = both
    total = {g: sum(_advanced_at(g, sid) for sid in ("TSMC-TW", "TSMC-AZ", "TSMC-JP", "TSMC-NJ")) for g in both}
    assert total[with_grant] == pytest.approx(total[without], rel=0.1)
    assert _advanced_at(with_grant, "TSMC-TW") < _advanced_at(without, "TSMC-TW")
    owed = with_grant.model.state.site_grant
    assert 0.0 <= owed[_site(with_grant, "TSMC-AZ")] < 3 * 2.0 / with_grant.ruleset.levers.grant_share_of_capex
    assert np.count_nonzero(owed) == 1 and not np.count_nonzero(without.model.state.site_grant)


def test_a_grant_owed_survives_a_save_and_plays_on_the_same() -> None:
    game = Game.from_ruleset(baseline(), seed=2, player="US")
    game.step([GRANT])
    data = json.loads(json.dumps(game.snapshot()))
    assert data["state"]["site_grant"][_site(game, "TSMC-AZ")] > 0
    restored = Game.from_snapshot(data)
    game.run(6)
    restored.run(6)
    assert restored.metric_rows == game.metric_rows
    assert restored.model.state.site_grant.tolist() == game.model.state.site_grant.tolist()


def test_a_save_from_before_grants_loads_with_nothing_owed() -> None:
    game = Game.from_ruleset(baseline(), seed=2)
    game.step()
    data = json.loads(json.dumps(game.snapshot()))
    del data["state"]["site_grant"]
    restored = Game.from_snapshot(data)
    assert restored.model.state.site_grant.tolist() == [0.0] * len(game.model.static.sites)
    assert with_added_fields({"offline": "not a list"}) == {"offline": "not a list"}  # left for the checks to name


def test_a_grant_in_words_names_the_foundry_and_its_site() -> None:
    assert LEVERS["fab_grant"].words(GRANT, baseline()) == "Fab grant: $2.0 bn to TSMC for TSMC-AZ"
    assert LEVERS["fab_grant"].words(GRANT) == "Fab grant: $2.0 bn to TSMC-AZ"  # without a ruleset to name the owner


def test_a_foreign_foundry_refuses_a_site_its_tools_may_not_reach() -> None:
    """China may grant TSMC's Nanjing site, but the US's rules in force bar tools to fabs in China: TSMC would build
    fabs it cannot equip, so it refuses; China's grant to its own SMIC is taken whatever others bar."""
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    [problem] = game.validate(Action("fab_grant", "CN", {"site": "TSMC-NJ", "usd_b": 1.0}))
    assert problem.startswith("TSMC will not build advanced fabs at TSMC-NJ: dec2024_tools (")
    assert problem.endswith("bars tools to fabs in CN")
    assert game.validate(Action("fab_grant", "CN", {"site": "SMIC-SN1", "usd_b": 1.0})) == []
    tools_free = variant(lambda d: d.update(controls={k: v for k, v in d["controls"].items()
                                                      if v["kind"] not in ("tool_list", "servicing_ban")}))
    free = Game.from_ruleset(tools_free, seed=1, player="CN")
    assert free.validate(Action("fab_grant", "CN", {"site": "TSMC-NJ", "usd_b": 1.0})) == []


def test_a_grant_waits_while_a_rule_bars_tools_to_the_site_and_resumes_when_lifted() -> None:
    """China grants TSMC's Nanjing site while no rule bars tools to China; once one is enacted TSMC starts no fab
    there and the debt waits (the event says so); lifted, the site gets fabs again."""
    later = variant(lambda d: [rule.update(effective="2040Q1") for rule in d["controls"].values()
                               if rule["kind"] in ("tool_list", "servicing_ban")])
    game = Game.from_ruleset(later, seed=1, player="CN")
    assert game.validate(Action("fab_grant", "CN", {"site": "TSMC-NJ", "usd_b": 5.0})) == []
    game.step([Action("fab_grant", "CN", {"site": "TSMC-NJ", "usd_b": 5.0})])
    game.run(3)
    owed, built = game.model.state.site_grant[_site(game, "TSMC-NJ")], _advanced_at(game, "TSMC-NJ")
    assert 0.0 < owed < 50.0 and built > 0.0  # fabs went there while nothing barred them
    [event] = game.model.enact("dec2024_tools", "a test")
    assert event.text.endswith("; the fab grants owed at TSMC-NJ wait while it binds")
    game.run(8)
    assert game.model.state.site_grant[_site(game, "TSMC-NJ")] == owed
    assert _advanced_at(game, "TSMC-NJ") == built
    game.model.lift("dec2024_tools", "a test")
    game.run(8)
    assert game.model.state.site_grant[_site(game, "TSMC-NJ")] < owed
    assert _advanced_at(game, "TSMC-NJ") > built
