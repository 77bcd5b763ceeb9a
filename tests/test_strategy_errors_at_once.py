"""Strategy files report what the strategy loader can check in one pass, over every file of a folder."""

from __future__ import annotations

import pytest

from techrace.ruleset.strategies import StrategyError, load_strategies

HEAD = "name: {name}\nnation: {nation}\ndescription: a test\nformat_version: 1\norders:\n"


def test_a_non_finite_parameter_is_refused_in_the_first_pass_with_the_other_files_errors(tmp_path):
    (tmp_path / "a.yaml").write_text(HEAD.format(name="a", nation="US") + "  - lever: subsidy\n    every: sometimes\n")
    (tmp_path / "b.yaml").write_text("name: b\norders: [\n")
    (tmp_path / "c.yaml").write_text(HEAD.format(name="c", nation="MX")
                                     + "  - lever: subsidy\n    params: {firm: INTEL_FOUNDRY, usd_b: .nan, cap: [1, .nan]}\n")
    with pytest.raises(StrategyError) as caught:
        load_strategies([tmp_path], shipped=False)
    errors = [line.removeprefix(f"{tmp_path}/") for line in caught.value.errors]
    assert errors[0] == "a.yaml:7:5: orders.0.every: expected one of once, quarter, got 'sometimes'"
    assert errors[1].startswith("b.yaml:3:1: (yaml): ")
    assert errors[2:] == ["c.yaml:7:35: orders.0.params.usd_b: expected a finite number, got .nan",
                          "c.yaml:7:57: orders.0.params.cap.1: expected a finite number, got .nan"]


def test_a_tournament_reports_the_files_that_do_not_load_and_what_the_levers_refuse_in_one_pass(tmp_path):
    """The loader's errors (a YAML error) and the tournament's own checks of the files that did load (an unknown
    lever, an unknown parameter) come in one error, where a second run used to show the rest."""
    from techrace.batch.tournament import run_tournament

    (tmp_path / "a.yaml").write_text("name: a\norders: [\n")
    (tmp_path / "b.yaml").write_text(HEAD.format(name="b", nation="CN") + "  - lever: subsidise\n    params: {usd_b: 1}\n"
                                     + "  - lever: visa_policy\n    params: {visa_openness: 0.5, colour: red}\n")
    with pytest.raises(StrategyError) as caught:
        run_tournament(["baseline"], ["CN"], runs=1, turns=1, out=tmp_path / "out", strategies=[tmp_path], shipped=False,
                       workers=1, progress=False)
    text = "\n".join(caught.value.errors)
    assert "a.yaml:3:1: (yaml)" in text
    assert "b.yaml" in text and "subsidise" in text and "colour" in text
    assert not (tmp_path / "out").exists()  # nothing played
