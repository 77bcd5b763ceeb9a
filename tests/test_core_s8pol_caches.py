"""Tables kept by what they depend on (mastered nodes, living nations, diffusion channels) against their
recomputation, and diffusion over all channels at once against one channel at a time, bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from techrace.core import Game
from techrace.core.mechanisms import research, victory
from techrace.core.policies import foundries
from techrace.ruleset import load_ruleset


def _diffusion_by_channel(static, s, people):
    """`research.diffusion` one channel at a time (as it was written before all channels went at once)."""
    rules = static.ruleset.research
    absorb = np.minimum(1.0, people / max(rules.absorption_researchers, 1e-9))
    gain = np.zeros(len(static.labs))
    for channel in rules.diffusion.values():
        history = s.algo_history[:, min(channel.lag_quarters, s.algo_history.shape[1] - 1)]
        pool = history if channel.source == "frontier" else np.where(research._open_labs(static), history, -np.inf)
        if not np.isfinite(pool).any():
            continue
        source = int(np.argmax(pool))
        gap = np.maximum(pool[source] - s.algo_log10, 0.0)
        if channel.access == "everyone":
            gain += channel.rate_per_quarter * absorb * gap
        else:
            gain += channel.rate_per_quarter * research._access(static, s, channel.access, source) * absorb * gap
    return gain


@pytest.fixture(scope="module")
def played() -> Game:
    played = Game.from_ruleset(load_ruleset("baseline"), seed=4)
    played.run(12)
    return played


@pytest.fixture
def game(played: Game) -> Game:
    """A copy of the played game per test: several tests break its state on purpose (NaN, -inf), which must not
    reach the next test, whatever the order."""
    return copy.deepcopy(played)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf on the broken lab, in both
def test_diffusion_over_all_channels_equals_one_at_a_time(game: Game) -> None:
    static, s = game.model.static, game.model.state
    people = research.researchers(static, s)
    assert research.diffusion(static, s, people).tobytes() == _diffusion_by_channel(static, s, people).tobytes()
    s.algo_history[3, :] = np.nan  # a NaN source is taken first, as np.argmax takes it
    s.algo_log10[6] = -np.inf
    assert research.diffusion(static, s, people).tobytes() == _diffusion_by_channel(static, s, people).tobytes()
    s.algo_history[research._open_labs(static), :] = -np.inf  # no open-weights source: that channel adds nothing
    assert research.diffusion(static, s, people).tobytes() == _diffusion_by_channel(static, s, people).tobytes()


def test_mastered_masks_follow_the_mastered_nodes(game: Game) -> None:
    model, s = game.model, game.model.state
    idx = np.arange(len(model.static.foundries))
    node_index = np.arange(s.mastered.shape[1])[None, :]
    for _ in range(2):
        mastered, newest = foundries._mastered(model, idx, node_index)
        own = s.mastered > 0
        last = np.where(own, node_index, -1).max(axis=1)
        assert (mastered == own).all() and (newest == (own & (node_index == last[:, None]))).all()
        s.mastered[0, :] = 1.0  # a foundry masters every node: the masks are worked out again


def test_living_rivals_follow_who_is_alive(game: Game) -> None:
    static = game.model.static
    for cond in static.ruleset.victory.values():
        applies, listed, _, _ = victory._tables(static, cond)
        for alive in (np.ones(len(static.nations), dtype=bool), np.arange(len(static.nations)) != 1):
            rivals, living = victory._living(static, cond, alive)
            assert (rivals == (listed & alive[None, :])).all() and (living == (applies & alive)).all()


def test_metric_rows_checked_before_rounding_match_rounding_first(game: Game) -> None:
    """The finite check on the unrounded numbers refuses what rounding first refused, and nothing else."""
    from techrace.core.metrics import TurnRows, nation_metrics
    from techrace.errors import NonFiniteError

    static, s = game.model.static, game.model.state
    for field, value, refused in (("capability", 1e301, False), ("capability", 1e306, True), ("engineers", np.inf, True),
                                  ("largest_training_run_flop", 1e305, False), ("best_node_nm", np.inf, False),
                                  ("best_node_nm", np.nan, True), ("gdp_index", -1e307, True)):
        values = nation_metrics(static, s)
        values[field] = values[field].copy()
        values[field][2] = value
        try:
            rows = TurnRows(static, s, 1, "2026Q1", values).rows()
        except NonFiniteError:
            assert refused, (field, value)
            continue
        assert not refused, (field, value)
        if field == "capability":  # rounded when read, as it was when played
            assert rows[2][field] == float(np.round(values[field], 3)[2])


def test_a_few_forecasts_fold_in_as_the_arrays_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from techrace.core.mechanisms import forecast

    rules = load_ruleset("baseline").industry.forecast
    rng = np.random.default_rng(7)
    level = np.concatenate([[0.0, -1.0, np.nan, 3.0], rng.normal(5.0, 3.0, 6)])
    trend, demand = rng.normal(0.0, 0.2, 10), np.concatenate([[0.0, 0.5, 2.0, np.nan], rng.lognormal(5.0, 2.0, 6)])
    plain = forecast.observe(level, trend, demand, rules)
    monkeypatch.setattr(forecast, "FEW", 0)
    arrays = forecast.observe(level, trend, demand, rules)
    assert all(a.tobytes() == b.tobytes() and a.dtype == b.dtype for a, b in zip(plain, arrays, strict=True))


def test_espionage_bonus_in_plain_python_equals_the_arrays(game: Game) -> None:
    model = game.model
    st, s = model.static, model.state
    nf = len(st.foundries)
    rng = np.random.default_rng(3)
    s.eng[:nf, 0] = np.concatenate([[np.nan, 0.0, 1e5], rng.lognormal(7.0, 2.0, nf - 3)])
    s.exp[:nf, 0] = np.concatenate([[3.0, np.nan, -0.0], rng.uniform(0.0, 20.0, nf - 3)])
    industry = st.ruleset.industry
    experienced = s.eng[:nf, 0] * np.minimum(1.0, s.exp[:nf, 0] / industry.espionage_experience_years)
    threshold = st.ruleset.technology.espionage_execution_threshold
    execution = np.where(experienced >= threshold, np.minimum(1.0, experienced / max(threshold, 1.0)), 0.0)
    arrays = industry.espionage_rd_bonus * s.espionage[st.foundry_nation] * execution
    assert model._espionage_bonus().tobytes() == arrays.tobytes()


def test_domestic_share_in_plain_python_equals_the_arrays(game: Game) -> None:
    model = game.model
    s = model.state
    n = len(model.static.nations)
    s.accel_bought[:] = np.concatenate([[0.0, 1e-15, np.nan, 5.0], np.linspace(1.0, 9.0, n - 4)])
    s.accel_domestic[:] = np.concatenate([[1.0, 1.0, 2.0, np.nan], np.linspace(0.0, 3.0, n - 4)])
    smoothing = model.ruleset.finance.expectation_smoothing
    share = np.where(s.accel_bought > 0, s.accel_domestic / np.maximum(s.accel_bought, 1e-12), s.domestic_share)
    arrays = smoothing * share + (1.0 - smoothing) * s.domestic_share
    assert model._domestic_share_seen().tobytes() == arrays.tobytes()
