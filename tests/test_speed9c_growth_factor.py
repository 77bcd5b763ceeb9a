"""The GDP trend's growth factor, kept once a game, moves the trend as `1.0 + gdp_growth` worked out each quarter did."""

from __future__ import annotations

from core_helpers import baseline

from techrace.core import Game
from techrace.core.mechanisms import economy


def test_trend_grows_by_the_factor_worked_out_each_quarter() -> None:
    model = Game.from_ruleset(baseline(), seed=5).run(3).model
    static, s = model.static, model.state
    expected = s.gdp_trend * (1.0 + static.nation_params.gdp_growth)
    economy.update_gdp(static, s, 0.0)
    assert s.gdp_trend.tobytes() == expected.tobytes()
    static.cache.clear()  # a dropped table is built again from the ruleset's numbers
    expected = s.gdp_trend * (1.0 + static.nation_params.gdp_growth)
    economy.update_gdp(static, s, 0.0)
    assert s.gdp_trend.tobytes() == expected.tobytes()
