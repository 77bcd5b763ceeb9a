"""Talent: graduation and retirement, migration by pay and visas, star poaching, espionage."""

from __future__ import annotations

from core_helpers import baseline, play, variant

from techrace.core import Action, Game
from techrace.core.markets import talent


def test_engineers_only_enter_by_graduation_and_leave_by_retirement() -> None:
    game = play(turns=10)
    s = game.model.state
    fresh = Game.from_ruleset(baseline(), seed=1).model.state
    start = fresh.pool.sum() + fresh.eng.sum()
    now = s.pool.sum() + s.eng.sum()
    assert abs(now - (start + s.graduated_engineers.sum() - s.retired_engineers.sum())) < 1e-6 * start
    assert abs(s.emigrated.sum() - s.immigrated.sum()) < 1e-6 * start  # migration moves, never creates
    # per nation: start + graduates - retirements - emigrants + immigrants
    st = game.model.static
    for n in range(len(st.nations)):
        mine = st.employer_nation == n
        start_n = fresh.pool[n].sum() + fresh.eng[mine].sum()
        now_n = s.pool[n].sum() + s.eng[mine].sum()
        expected = start_n + s.graduated_engineers[n] - s.retired_engineers[n] - s.emigrated[n] + s.immigrated[n]
        assert abs(now_n - expected) < 1e-6 * max(start_n, 1.0)


def test_higher_pay_attracts_engineers() -> None:
    def china_engineers(pay: float) -> float:
        game = Game.from_ruleset(baseline(), seed=1, player="CN")
        for _ in range(8):
            game.step([Action("pay_policy", "CN", {"pay_index": pay})] if game.turn == 0 else [])
        return game.model.state.immigrated[game.model.static.nations.index("CN")]

    assert china_engineers(1.5) > china_engineers(0.5) + 100


def test_visa_openness_lets_engineers_in() -> None:
    def us_immigrants(openness: float) -> float:
        game = Game.from_ruleset(baseline(), seed=1, player="US")
        game.step([Action("visa_policy", "US", {"visa_openness": openness})])
        game.run(6)
        return game.model.state.immigrated[0]

    assert us_immigrants(0.9) > 1.5 * us_immigrants(0.1)


def test_star_poaching_follows_enforcement() -> None:
    def poached(anti: float) -> int:
        def edit(data: dict) -> None:
            for nation in data["nations"].values():
                nation["anti_poaching"] = anti
        total = 0
        for seed in range(3):
            game = play(variant(edit), seed=seed, turns=12)
            total += sum(1 for e in game.events if e.kind == "talent")
        return total

    assert poached(0.0) > poached(0.9) + 3


def test_stars_carry_large_multipliers() -> None:
    model = Game.from_ruleset(baseline(), seed=1).model
    st, s = model.static, model.state
    smic = st.employers.index("SMIC")
    base = talent.talent_units(st, s)[smic]
    s.stars[smic] += 1
    assert talent.talent_units(st, s)[smic] - base == st.ruleset.technology.star_multiplier * 100


def test_espionage_only_helps_where_execution_capacity_exists() -> None:
    model = Game.from_ruleset(baseline(), seed=1).model
    st, s = model.static, model.state
    smic = st.foundries.index("SMIC")
    assert model._espionage_bonus()[smic] > 0
    s.eng[smic, 0] = st.ruleset.technology.espionage_execution_threshold * 0.5
    assert model._espionage_bonus()[smic] == 0.0
    s.espionage[:] = 0.0
    s.eng[smic, 0] = 50000
    assert model._espionage_bonus()[smic] == 0.0


def test_a_poaching_event_names_the_firms_as_players_know_them() -> None:
    game = Game.from_ruleset("baseline", seed=7).run(4)
    poaching = [e for e in game.events if "poaches a star engineer" in e.text]
    assert poaching, "baseline poaches stars in its first year"
    rs = game.ruleset
    names = {i: t[i].name for t in (rs.foundries, rs.toolmakers, rs.chip_firms, rs.labs) for i in t}
    for event in poaching:
        target, source = event.actors  # ids, for filters and the event log
        assert event.text == f"{names[target]} poaches a star engineer from {names[source]}"
