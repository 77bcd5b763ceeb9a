"""Diasporas: engineers who migrate join their origin's diaspora in the host, and a share goes home each
quarter through the home nation's visas, carrying what their labs knew."""

from __future__ import annotations

import numpy as np
from core_helpers import baseline, variant

from techrace.core import Action, Game
from techrace.ruleset.schema import SKILLS

AI = SKILLS.index("ai_research")


def _china_opens(openness: float, quarters: int = 8, ruleset=None) -> Game:
    game = Game.from_ruleset(ruleset or baseline(), seed=2, player="CN")
    game.step([Action("advisor", "CN", {"group": "talent", "advisor": False}),
               Action("visa_policy", "CN", {"visa_openness": openness})])
    game.run(quarters - 1)
    return game


def test_the_start_diaspora_is_the_rulesets_share_of_the_host_pool() -> None:
    rules = baseline()
    game = Game.from_ruleset(rules, seed=1)
    st, s = game.model.static, game.model.state
    us, cn = st.nations.index("US"), st.nations.index("CN")
    assert s.diaspora[us, cn, AI] == rules.nations["US"].diaspora["CN"].ai_research * s.pool[us, AI]
    assert s.diaspora[us, us].sum() == 0.0 and s.diaspora[cn, us].sum() == 0.0


def test_opening_visas_brings_a_nations_diaspora_home_with_its_know_how() -> None:
    shut, open_ = _china_opens(0.15), _china_opens(0.6)
    st = shut.model.static
    us, cn = st.nations.index("US"), st.nations.index("CN")
    a, b = shut.model.state, open_.model.state
    assert b.diaspora[us, cn, AI] < a.diaspora[us, cn, AI]  # more of it went home
    assert b.immigrated[cn] > a.immigrated[cn] + 500  # though China pays the least of any nation
    labs = st.lab_nation == cn
    assert b.algo_log10[labs].max() > a.algo_log10[labs].max()  # returnees bring their labs' methods


def test_without_a_diaspora_or_a_return_rate_visas_alone_draw_no_one_to_the_lowest_payer() -> None:
    def no_diaspora(data: dict) -> None:
        data["talent"]["diaspora_return_per_quarter"] = 0.0
    rules = variant(no_diaspora)
    shut, open_ = _china_opens(0.15, ruleset=rules), _china_opens(0.6, ruleset=rules)
    cn = shut.model.static.nations.index("CN")
    assert open_.model.state.immigrated[cn] == shut.model.state.immigrated[cn] == 0.0


def test_migrants_join_their_origins_diaspora_and_it_stays_within_the_host_pool() -> None:
    game = Game.from_ruleset(baseline(), seed=1, player="CN")
    game.step([Action("pay_policy", "CN", {"pay_index": 1.5})])  # now China pays more than the US
    st = game.model.static
    us, cn = st.nations.index("US"), st.nations.index("CN")
    for _ in range(6):
        game.step([])
        s = game.model.state
        assert (s.diaspora >= 0).all()
        assert (s.diaspora.sum(axis=1) <= s.pool + 1e-6).all()  # a diaspora is part of its host's pool
    assert s.diaspora[cn, us].sum() > 100  # US engineers drawn by China's pay are the US's diaspora there


def test_the_diaspora_survives_a_save() -> None:
    game = Game.from_ruleset(baseline(), seed=1)
    game.run(3)
    again = Game.from_snapshot(game.snapshot())
    assert np.array_equal(again.model.state.diaspora, game.model.state.diaspora)
