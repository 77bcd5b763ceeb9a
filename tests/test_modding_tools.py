"""The modder's inspection tools and the promises around them: explain, diff, compare notes, policy names,
overrides, the calendar, and the tutorial in docs/modding.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_ruleset_support import write_mod

from techrace.launcher import main
from techrace.ruleset import inspect_ruleset, load_ruleset
from techrace.ruleset.explain import diff, explain, nations_only_in
from techrace.ruleset.overrides import OverrideError, apply_overrides
from techrace.ruleset.policies import RULESET_POLICY_SOURCES, known_policy_names, registered_policy_names
from techrace.ruleset.schema import quarter_index, quarter_label

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "tests" / "modding_tutorial"


QUAKE = ("shocks:\n  taiwan_earthquake:\n    effects:\n"
         "      - {kind: capacity_offline, nation: TW, share: 0.5, recovery_quarters: 2}\n")


def test_explain_goes_through_list_items_and_names_every_layer(tmp_path):
    mod = write_mod(tmp_path / "mod", {"s.yaml": QUAKE})
    lines = explain(inspect_ruleset(str(mod)), "shocks.taiwan_earthquake.effects.0.share")
    assert lines[0] == "shocks.taiwan_earthquake.effects.0.share = 0.5"
    assert lines[1].startswith("  added by layer baseline at rulesets/baseline/shocks.yaml:") and lines[1].endswith(": 0.35")
    assert "set by layer mod at" in lines[2] and "s.yaml:4:46 (within shocks.taiwan_earthquake.effects): 0.5" in lines[2]
    assert lines[3] == "    (overrode 0.35 from layer baseline)"
    base_lines = explain(inspect_ruleset("baseline"), "shocks.taiwan_earthquake.effects.1.world_gdp")
    assert "not set by any layer" not in "\n".join(base_lines) and "within shocks.taiwan_earthquake.effects" in base_lines[1]


def test_explain_of_an_entry_lists_the_writes_inside_it(tmp_path):
    mod = write_mod(tmp_path / "mod", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 3000\n"})
    text = "\n".join(explain(inspect_ruleset(str(mod)), "controls.oct2023_chips"))
    assert "tpp: added by layer baseline at" in text and "tpp: set by layer mod at" in text and "c.yaml:3:5: 3000" in text


def test_diff_shows_the_change_in_long_text_and_list_items(tmp_path):
    base = load_ruleset("baseline")
    text = base.controls["oct2023_chips"].description
    mod = write_mod(tmp_path / "mod", {"c.yaml": f"controls:\n  oct2023_chips:\n    description: \"{text[:-4]}XYZW\"\n"
                                                 "    destinations: [CN, JP]\n"})
    lines = diff(base, load_ruleset(str(mod)))
    changed = next(line for line in lines if line.startswith("~ controls.oct2023_chips.description"))
    old, new = changed.split(": ", 1)[1].split(" -> ")
    assert old != new and "XYZW" in new and "XYZW" not in old
    assert '+ controls.oct2023_chips.destinations.1: "JP"' in lines
    assert not any(line.startswith("~ controls.oct2023_chips.destinations:") for line in lines)


def test_diff_per_item_of_a_list_of_entries(tmp_path):
    mod = write_mod(tmp_path / "mod", {"s.yaml": QUAKE})
    lines = diff(load_ruleset("baseline"), load_ruleset(str(mod)))
    assert "~ shocks.taiwan_earthquake.effects.0.share: 0.35 -> 0.5" in lines
    assert any(line.startswith("- shocks.taiwan_earthquake.effects.1: ") for line in lines)


def test_compare_notes_name_nations_that_exist_in_one_ruleset_only():
    tutorial = load_ruleset(str(TUTORIAL))
    assert nations_only_in(load_ruleset("baseline"), tutorial) == ["IN is only in india-rising: not compared"]
    assert nations_only_in(tutorial, tutorial) == []


def test_policy_entry_points_are_exactly_the_core_policies():
    from techrace.core.policies import POLICIES

    registered = registered_policy_names()
    assert {kind: set(names) for kind, names in registered.items()} == {kind: set(names) for kind, names in POLICIES.items()}
    from importlib.metadata import entry_points

    for point in entry_points(group="techrace.policies"):
        kind, _, name = point.name.partition(".")
        assert point.load() is POLICIES[kind][name]


def test_a_ruleset_can_define_policy_names_of_its_own(tmp_path, monkeypatch):
    mod = write_mod(tmp_path / "mod", {"p.yaml": "policies:\n  lab: cautious\n"})
    assert "unknown lab policy 'cautious'" in inspect_ruleset(str(mod)).errors[0]
    monkeypatch.setattr("techrace.ruleset.policies.RULESET_POLICY_SOURCES",
                        [*RULESET_POLICY_SOURCES, lambda data: [("lab", "cautious")] if "policies" in data else []])
    assert "cautious" in known_policy_names({"policies": {}})["lab"]
    assert inspect_ruleset(str(mod)).errors == []


@pytest.mark.parametrize(("value", "words"), [
    (float("inf"), ".inf is not a finite number"), (float("nan"), ".nan is not a finite number"),
    (1e308, "1e+308 is too large"), ([1.0, float("-inf")], "-.inf is not a finite number"),
])
def test_overrides_refuse_values_no_ruleset_may_hold(value, words):
    with pytest.raises(OverrideError, match=re.escape(words)):
        apply_overrides(load_ruleset("baseline"), {"controls.oct2023_chips.tpp": value})


def test_a_sweep_to_infinity_is_refused_before_any_run(tmp_path, capsys):
    out = tmp_path / "batch"
    code = main(["batch", "--runs", "2", "--turns", "1", "--sweep", "controls.oct2023_chips.tpp=.inf", "--out", str(out)])
    assert code == 2 and "not a finite number" in capsys.readouterr().err
    assert not any(out.glob("**/*.parquet"))


def test_the_calendar_goes_past_2099(tmp_path):
    assert quarter_label(300) == "2100Q1" and quarter_index("2100Q1") == 300
    from techrace.core import Game

    mod = write_mod(tmp_path / "late", {"ruleset.yaml": "start_quarter: 2099Q3\nturns: 4\n"})
    game = Game.from_ruleset(str(mod), seed=1)
    game.run(4)
    assert [row["quarter"] for row in game.metric_rows][-1] == "2100Q2"


def _tutorial_blocks() -> dict[str, str]:
    text = (ROOT / "docs" / "modding.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n# mods/india-rising/(\S+)\n(.*?)```", text, flags=re.S)
    return dict(blocks)


def test_the_tutorial_in_the_guide_is_the_mod_in_tests_and_it_plays():
    blocks = _tutorial_blocks()
    files = {path.name: path.read_text(encoding="utf-8") for path in TUTORIAL.glob("*.yaml")}
    assert blocks == files, "docs/modding.md's tutorial and tests/modding_tutorial/ differ"
    inspected = inspect_ruleset(str(TUTORIAL))
    assert inspected.errors == [] and inspected.warnings == []
    ruleset = inspected.ruleset
    assert "IN" in ruleset.nations and ruleset.foundries["TATA"].nation == "IN" and ruleset.labs["SARVAM"].nation == "IN"
    assert ruleset.regulators["IN_DGFT"].nation == "IN" and ruleset.chip_firms["SHAKTI"].foundries == ["TATA"]
    assert "bis_cxmt" in ruleset.controls and "ai_diffusion" not in ruleset.controls and "dholera_fire" in ruleset.shocks
    assert ruleset.victory["us_decisive_lead"].value == 20 and ruleset.victory["in_rise"].nations == ["IN"]
    from techrace.core import Game

    game = Game.from_ruleset(ruleset, seed=3)
    game.run(2)
    assert {row["nation"] for row in game.metric_rows} >= {"IN", "US", "CN"}


def test_the_version_requires_checks_against_is_the_running_techrace():
    import techrace
    from techrace.ruleset.meta import installed_version

    assert installed_version() == techrace.__version__


def test_a_policy_from_a_plug_in_package_is_known(tmp_path, monkeypatch):
    """Names of other installed packages' entry points count, though techrace's own are read first."""
    from importlib.metadata import EntryPoint

    import techrace.ruleset.policies as policies

    plug_in = EntryPoint(name="lab.cautious", value="my_plugin:cautious", group=policies.GROUP)
    real = policies.entry_points
    monkeypatch.setattr(policies, "entry_points", lambda group: [*real(group=group), plug_in])
    policies.registered_policy_names.cache_clear()
    try:
        mod = write_mod(tmp_path / "mod", {"l.yaml": "labs:\n  OPENAI:\n    policy: cautious\n"})
        assert inspect_ruleset(str(mod)).errors == []
        assert "cautious" not in policies.registered_policy_names(everywhere=False)["lab"]
    finally:
        policies.registered_policy_names.cache_clear()
