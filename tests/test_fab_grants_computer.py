"""Computer players that pay fab grants: the `onshoring` personalities (`fab_grant_share`, `fab_grant_below`) and
the `chips-act` scenario where the US and Japan play them."""

from __future__ import annotations

from core_helpers import baseline, variant

from techrace.core import Game
from techrace.ruleset import load_ruleset


def _site(game: Game, sid: str) -> int:
    return game.model.static.sites.index(sid)


def _grants(events: list, nation: str) -> list:
    return [e for e in events if e.kind == "policy" and e.actors == (nation,) and " grants " in e.text]


def _advanced(game: Game, sid: str) -> float:
    static, s = game.model.static, game.model.state
    return float(s.capacity[_site(game, sid)][static.node_nm <= 7].sum())


def _with_policy(nation: str, policy: str, **params: float):
    """Baseline with `nation` playing `policy`, its parameters changed by `params`."""
    def edit(d: dict) -> None:
        d["policies"]["personalities"][policy]["params"].update(params)
        d["nations"][nation]["policy"] = policy
    return variant(edit)


def test_the_onshoring_us_grants_the_leading_foreign_foundry_a_third_of_its_budget() -> None:
    game = Game.from_ruleset(load_ruleset("chips-act"), seed=1)
    report = game.step()
    [grant] = _grants(report.events, "US")
    assert grant.cause == "0% of its new AI compute last quarter was made at home (it pays grants below 50%)"
    paid = 0.3 * game.ruleset.nations["US"].industrial_budget_usd_b
    assert grant.text == f"US grants TSMC ${paid:.1f} bn: its next ${paid / 0.1:.0f} bn of fabs go to TSMC-AZ"  # not Samsung's
    assert 0.0 < game.model.state.site_grant[_site(game, "TSMC-AZ")] <= paid / 0.1  # some placed in the same quarter
    [japan] = _grants(report.events, "JP")
    assert japan.text.endswith("go to TSMC-JP")


def test_a_new_grant_waits_until_the_last_ones_fabs_are_placed() -> None:
    game = Game.from_ruleset(load_ruleset("chips-act"), seed=1)
    granted = 0
    for _ in range(24):
        owed_before = float(game.model.state.site_grant[_site(game, "TSMC-AZ")])
        us = _grants(game.step().events, "US")
        if us:
            granted += 1
            assert owed_before == 0.0, "granted again while the site was still owed fabs"
    assert granted >= 2  # it grants again once the first grant's fabs are placed


def test_onshoring_moves_advanced_fabs_to_the_grantors_soil() -> None:
    """By 2030Q4 TSMC's Arizona and Kumamoto sites hold advanced capacity the baseline builds in Taiwan; the US's
    home-made share of new compute rises from nothing."""
    base, onshore = (Game.from_ruleset(load_ruleset(name), seed=1).run(24) for name in ("baseline", "chips-act"))
    assert _advanced(onshore, "TSMC-AZ") > _advanced(base, "TSMC-AZ") + 20_000
    assert _advanced(base, "TSMC-JP") == 0.0 < _advanced(onshore, "TSMC-JP")
    assert _advanced(onshore, "TSMC-TW") < _advanced(base, "TSMC-TW")
    us = base.model.static.nations.index("US")
    assert base.model.state.domestic_share[us] < 0.05 < onshore.model.state.domestic_share[us]


def test_no_grant_once_enough_of_its_compute_is_home_made() -> None:
    """With `fab_grant_below` at 20% the US grants only in quarters its home-made share of new compute is below
    that, and stops once the grants have taken the share above it, whatever the site is owed."""
    game = Game.from_ruleset(_with_policy("US", "onshoring", fab_grant_below=0.2), seed=1)
    us, az = game.model.static.nations.index("US"), _site(game, "TSMC-AZ")
    quiet_above = 0
    for _ in range(44):
        share, owed = float(game.model.state.domestic_share[us]), float(game.model.state.site_grant[az])
        granted = bool(_grants(game.step().events, "US"))
        assert not granted or share < 0.2
        quiet_above += share >= 0.2 and owed == 0.0
    assert quiet_above > 0  # quarters it could have granted, had its share been lower
    never = Game.from_ruleset(_with_policy("US", "onshoring", fab_grant_below=0.0), seed=1)
    assert [g for _ in range(8) for g in _grants(never.step().events, "US")] == []


def test_no_grant_where_a_rule_bars_tools_and_one_when_nothing_does() -> None:
    """An onshoring China would pay TSMC for its Nanjing site, the only foreign logic site on its soil, but the US's
    tool rules bar equipping fabs there (TSMC would refuse): it grants only in a world without them."""
    barred = Game.from_ruleset(_with_policy("CN", "onshoring"), seed=1)
    assert [g for _ in range(4) for g in _grants(barred.step().events, "CN")] == []
    free = variant(lambda d: d.update(controls={k: v for k, v in d["controls"].items()
                                                if v["kind"] not in ("tool_list", "servicing_ban")}),
                   _with_policy("CN", "onshoring"))
    [grant] = _grants(Game.from_ruleset(free, seed=1).step().events, "CN")
    assert grant.text.endswith("go to TSMC-NJ")


def test_a_players_advisor_grants_as_the_computer_would() -> None:
    game = Game.from_ruleset(load_ruleset("chips-act"), seed=1, player="US")
    [grant] = _grants(game.step().events, "US")
    assert grant.cause == ("your advisor decided it (it holds your industry levers): 0% of its new AI compute last quarter "
                           "was made at home (it pays grants below 50%)")  # nothing made yet before the first quarter


def test_baseline_nations_pay_no_grants() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    assert [g for _ in range(8) for g in game.step().events if g.kind == "policy" and " grants " in g.text] == []
    assert not game.model.state.site_grant.any()
