"""Regulators have a display name for labels and events; data, orders and saves keep their ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from techrace.core import Action, Game
from techrace.core.mechanisms.timeline import rule_label
from techrace.ruleset import load_ruleset, ruleset_infos
from techrace.ruleset.schema import RegulatorSpec

INDIA = Path(__file__).parent / "data" / "india_bloc"
NAMES = {"BIS": "US Commerce (BIS)", "NL_MFA": "Dutch foreign ministry", "METI": "Japan METI", "MOFCOM": "China MOFCOM"}


@pytest.mark.parametrize("name", [info.name for info in ruleset_infos()])
def test_every_shipped_regulator_has_a_real_name(name: str) -> None:
    rs = load_ruleset(name)
    assert {rid: rs.regulator_name(rid) for rid in rs.regulators} == {rid: NAMES[rid] for rid in rs.regulators}


def test_a_regulator_without_a_name_is_called_by_its_id() -> None:
    """A modder's ruleset written before `name` existed keeps working (tests/data/india_bloc sets none)."""
    rs = load_ruleset(str(INDIA))
    assert rs.regulators["IN_DGFT"].name is None and rs.regulator_name("IN_DGFT") == "IN_DGFT"
    assert rs.regulator_name("NOBODY") == "NOBODY"
    with pytest.raises(ValueError, match="at least 1 character"):
        RegulatorSpec(nation="US", name="")


def test_rule_labels_use_the_name_and_say_the_issuer_once() -> None:
    def label(description: str, regulator: str = "NL_MFA") -> str:
        return rule_label({"regulator": regulator, "description": description}, NAMES)

    assert label("Dutch licence withheld: no EUV scanners") == "Dutch foreign ministry: Dutch licence withheld: no EUV scanners"
    assert label("BIS adds SMIC to the entity list", "BIS") == "US Commerce (BIS) adds SMIC to the entity list"
    assert label("METI: 23 SME items", "METI") == "Japan METI: 23 SME items"
    assert label("China MOFCOM bans gallium", "MOFCOM") == "China MOFCOM bans gallium"
    assert label("NL: scanners") == "NL: scanners"
    assert label("") == "Dutch foreign ministry"
    assert rule_label({"regulator": "NL_MFA", "description": "Dutch licence withheld"}) == "NL_MFA: Dutch licence withheld"


def test_events_name_the_regulator_and_keep_its_id_as_actor() -> None:
    game = Game.from_ruleset("baseline", seed=1, player="US")
    game.step([Action("lift_control", "US", {"control": "oct2023_chips"}),
               Action("licence_exception", "US", {"control": "dec2024_hbm", "licence_share": 0.5, "licence_revenue_share": 0.15})])
    texts = {e.text: e.actors for e in game.events}
    assert texts["Dutch foreign ministry: Dutch licence withheld: no EUV scanners to China (in force)"] == ("NL_MFA", "nl_euv")
    assert texts["Japan METI: 23 SME items licensed outside 42 friendly destinations (in force)"] == ("METI", "jp_tools")
    assert texts["US Commerce (BIS) lifts oct2023_chips"] == ("BIS", "oct2023_chips")
    assert texts["US Commerce (BIS) licenses 50% of trade under dec2024_hbm for 15% of revenue"] == ("BIS", "dec2024_hbm")
    assert game.model.state.controls["oct2023_chips"]["regulator"] == "BIS"


def test_a_mod_names_its_regulator_in_yaml(tmp_path: Path) -> None:
    mod = tmp_path / "named"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text(f"name: named\nextends: {INDIA}\nregulators:\n  IN_DGFT: {{name: India DGFT}}\n"
                                      "controls:\n  in_chip_exports: {effective: 2024Q4}\n")
    game = Game.from_ruleset(str(mod), seed=1)
    game.run(1)
    assert "India DGFT: DGFT: no Indian accelerators above TPP 1,000 to China (in force)" in [e.text for e in game.events]


def test_an_enacted_rule_names_its_regulator_and_the_report_marks_it_as_the_players() -> None:
    """Rules enacted in play (an order, an escalation) read like the timeline's, and the report's highlighting of
    the player's events finds the regulator by its name as well as its id."""
    from techrace.tui.report import player_words

    game = Game.from_ruleset("baseline", seed=1, player="US")
    game.step([Action("entity_list", "US", {"entities": ["SMIC"]})])
    listed = next(e for e in game.events if "adds SMIC" in e.text)
    assert listed.text.startswith("US Commerce (BIS) adds SMIC") and listed.actors[0] == "BIS"
    dutch = Game.from_ruleset("baseline", seed=1, player="NL")
    assert player_words(dutch, "NL").search("Dutch foreign ministry: Dutch licence withheld")
