"""Per-run outcomes (`_runs.parquet`) agree with `techrace run` for the same seeds, and user-defined
outcomes from YAML reduce each run's turns as documented, or are refused with a one-line error."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.batch import load_results, run_batch
from techrace.batch.outcomes import load_outcomes, outcome_frame
from techrace.batch.plan import PlanError, run_seed
from techrace.batch.store import BatchStore
from techrace.launcher import main
from techrace.ruleset import load_ruleset

FULL = load_ruleset("baseline").turns  # a whole game, so that a victory condition decides
SHIPPED = load_ruleset("baseline").regulators["BIS"].enforcement  # point 1 plays the ruleset as shipped


@pytest.fixture(scope="module")
def full_games(tmp_path_factory):
    return run_batch("baseline", 3, FULL, 17, workers=2, out=tmp_path_factory.mktemp("runs") / "b", progress=False,
                     sweep={"regulators.BIS.enforcement": [0.5, SHIPPED]})


def test_runs_table_holds_one_row_per_run_with_seed_parameters_outcome_and_scores(full_games):
    runs = pd.read_parquet(full_games.out / "_runs.parquet")
    pd.testing.assert_frame_equal(runs, load_results(full_games.out, table="runs"))
    pd.testing.assert_frame_equal(runs, full_games.runs())
    nations = list(load_ruleset("baseline").nations)
    assert list(runs.columns) == ["run", "seed", "regulators.BIS.enforcement", "winner", "victory_kind",
                                  "victory_turn", "victory_quarter", "turns_played", *[f"score_{n}" for n in nations]]
    assert list(runs["run"]) == list(range(6))
    assert list(runs["seed"]) == [run_seed(17, r % 3) for r in range(6)]
    assert list(runs["regulators.BIS.enforcement"]) == [0.5] * 3 + [SHIPPED] * 3
    assert (runs["turns_played"] == FULL).all()


@pytest.mark.parametrize("run", [0, 4])
def test_a_runs_outcome_is_what_techrace_run_reports_for_its_seed(full_games, run, capsys, tmp_path):
    from techrace.core import Game
    from techrace.ruleset.overrides import apply_overrides

    row = full_games.runs().set_index("run").loc[run]
    enforcement = float(row["regulators.BIS.enforcement"])
    game = Game.from_ruleset(apply_overrides(load_ruleset("baseline"), {"regulators.BIS.enforcement": enforcement}),
                             seed=int(row["seed"]))
    game.run(FULL)
    assert game.outcome is not None, "a whole game ends with a winner"
    assert (row["winner"], row["victory_kind"], row["victory_quarter"], row["victory_turn"]) == (
        game.outcome.winner, game.outcome.kind, game.outcome.quarter, game.outcome.turn)
    assert {n: row[f"score_{n}"] for n in game.nations} == pytest.approx(game.scores())
    if run >= 3:  # point 1: the ruleset as shipped, which is what the CLI plays
        assert main(["run", "--seed", str(int(row["seed"])), "--turns", str(FULL)]) == 0
        assert f"Winner: {row['winner']} — " in capsys.readouterr().out


def test_every_finished_run_has_its_outcome_after_a_resume(tmp_path):
    out = tmp_path / "resumed"
    run_batch("baseline", 4, 2, 5, workers=1, out=out, progress=False, chunk_size=1)
    (out / "part-00000002-00000002.parquet").unlink()
    (out / "_runs.parquet").unlink()
    run_batch(out=out, resume=True, progress=False)
    assert list(pd.read_parquet(out / "_runs.parquet")["run"]) == [0, 1, 2, 3]


OUTCOMES = """\
cn_peak: {metric: capability, nation: CN, reducer: max}
us_low_gdp: {metric: gdp_index, nation: US, reducer: min, min_relevant: 0.5}
mean_compute: {metric: ai_compute_h100e, reducer: mean, min_relevant: 5%}
cn_crosses: {metric: capability, nation: CN, reducer: first_crossing, threshold: THRESHOLD}
"""


def test_user_outcomes_reduce_each_runs_turns_as_documented(full_games, tmp_path):
    rows = load_results(full_games.out)
    cn = rows[rows["nation"] == "CN"]
    threshold = float(cn["capability"].median())  # crossed by some runs at some turn
    path = tmp_path / "outcomes.yaml"
    path.write_text(OUTCOMES.replace("THRESHOLD", str(threshold)))
    specs = load_outcomes(path)
    frame = outcome_frame(BatchStore(full_games.out), specs, ["capability"], FULL).set_index(["run", "nation"])
    by_run = cn.groupby("run")
    assert frame.xs("CN", level="nation")["cn_peak"].tolist() == by_run["capability"].max().tolist()
    assert frame.xs("CN", level="nation")["capability"].tolist() == by_run["capability"].last().tolist()
    first = cn[cn["capability"] >= threshold].groupby("run")["turn"].min().reindex(range(6)).fillna(FULL + 1)
    assert frame.xs("CN", level="nation")["cn_crosses"].tolist() == first.tolist()
    us = rows[rows["nation"] == "US"].groupby("run")["gdp_index"].min()
    assert frame.xs("US", level="nation")["us_low_gdp"].tolist() == us.tolist()
    assert frame.xs("US", level="nation")["cn_peak"].isna().all()  # a nation-specific outcome is CN's only
    means = rows.groupby(["run", "nation"])["ai_compute_h100e"].mean()
    assert frame["mean_compute"].to_numpy() == pytest.approx(means.reindex(frame.index).to_numpy())


@pytest.mark.parametrize(("text", "message"), [
    ("x: {metric: capability, reducer: median}", "x.reducer"),
    ("x: {metric: capability, reducer: first_crossing}", "x.threshold: first_crossing needs a threshold"),
    ("x: {metric: capability, reducer: first_crossing, threshold: .inf}", "x.threshold"),
    ("x: {metric: capability, colour: red}", "x.colour"),
    ("capability: {metric: capability}", "taken by a built-in outcome"),
    ("x: !!python/object/apply:os.system [echo]", "not valid YAML"),
    ("x: {metric: capability, min_relevant: lots}", "x.min_relevant"),
    ("- a list", "expected a mapping"),
])
def test_bad_outcome_files_are_one_line_errors_naming_the_key(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PlanError, match=message) as info:
        load_outcomes(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_an_outcome_with_an_unknown_metric_is_refused_by_report(full_games, tmp_path, capsys):
    path = tmp_path / "o.yaml"
    path.write_text("x: {metric: happiness, nation: CN}")
    assert main(["report", str(full_games.out), "--outcomes", str(path)]) == 2
    assert "metric 'happiness' is not a results column" in capsys.readouterr().err


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.text(max_size=12), st.sampled_from(["capability", "CN", "max", "first_crossing", "5%"]))
_BODIES = st.dictionaries(st.sampled_from(["metric", "nation", "reducer", "threshold", "direction", "min_relevant",
                                           "colour"]), _SCALARS, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.dictionaries(st.text(max_size=10), _BODIES, max_size=4), _SCALARS,
                      st.lists(_SCALARS, max_size=3)))
def test_any_outcomes_file_loads_or_is_refused_in_one_line(tmp_path, data):
    import math

    import yaml

    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        specs = load_outcomes(path)
    except PlanError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    for name, spec in specs.items():
        assert name.isidentifier() and spec.reducer in ("final", "max", "min", "mean", "first_crossing")
        assert spec.threshold is None or math.isfinite(spec.threshold)
        assert spec.reducer != "first_crossing" or spec.threshold is not None
