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
