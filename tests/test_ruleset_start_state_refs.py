"""Names the engine looks up when it builds the start state are checked, so a ruleset that passes
`techrace ruleset check` (or a Ruleset built in Python) never stops the game with a bare ValueError."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from techrace.ruleset import inspect_ruleset, load_ruleset
from techrace.ruleset.schema import Construction

MOD = """name: uc
extends: baseline
foundries:
  SAMSUNG_FOUNDRY:
    sites:
      SF-US:
        under_construction: [{node: N1X, wpm: 15000, quarters_left: 8}]
"""


def test_a_fab_under_construction_on_an_unknown_node_is_located(tmp_path: Path) -> None:
    """It passed the check, then `techrace run` died with "ValueError: 'N1X' is not in list"."""
    mod = tmp_path / "uc"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text(MOD)
    assert inspect_ruleset(str(mod)).errors == [
        f"{mod / 'ruleset.yaml'}:7:31: foundries.SAMSUNG_FOUNDRY.sites.SF-US.under_construction.0.node: "
        "unknown node 'N1X' — did you mean 'N16'? [layer uc]"]


def test_a_python_built_fab_under_construction_on_an_unknown_node_is_refused() -> None:
    rs = load_ruleset("baseline")
    foundry = rs.foundries["SAMSUNG_FOUNDRY"]
    site = foundry.sites["SF-US"].model_copy(update={"under_construction": [Construction(node="N1X", wpm=15000, quarters_left=8)]})
    foundries = {**rs.foundries, "SAMSUNG_FOUNDRY": foundry.model_copy(update={"sites": {**foundry.sites, "SF-US": site}})}
    with pytest.raises(ValidationError) as raised:
        rs.model_copy(update={"foundries": foundries})
    assert [(e["loc"], e["msg"]) for e in raised.value.errors()] == [
        (("foundries", "SAMSUNG_FOUNDRY", "sites", "SF-US", "under_construction", 0, "node"), "unknown node 'N1X' — did you mean 'N16'?")]


def test_a_world_without_regulators_is_refused_located(tmp_path: Path) -> None:
    """It stopped the first turn with "KeyError: <class 'techrace.core.agents.regulator.Regulator'>"."""
    mod = tmp_path / "noreg"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text("name: noreg\nextends: baseline\nregulators: !remove\ncontrols: !remove\n")
    errors = inspect_ruleset(str(mod)).errors
    assert errors[0] == (f"{mod / 'ruleset.yaml'}:3:1: regulators: the game needs at least one regulator (it cannot yet play "
                         "without one): a regulator without rules does nothing: `BIS: {nation: US}` [layer noreg]")


@pytest.mark.parametrize(("section", "what"), [("labs", "AI lab"), ("chip_firms", "chip firm")])
def test_a_python_built_world_without_labs_or_chip_firms_is_refused(section: str, what: str) -> None:
    """Either stopped the first turn with a TypeError in licensing (`bitwise_and` on an empty table)."""
    with pytest.raises(ValidationError) as raised:
        load_ruleset("baseline").model_copy(update={section: {}})
    first = raised.value.errors()[0]
    assert first["loc"] == (section,) and first["msg"].startswith(f"the game needs at least one {what} (it cannot yet play without one)")
