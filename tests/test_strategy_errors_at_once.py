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
