"""Malformed mods get every problem at once, each located `file:line:col: key.path: message [layer L]`."""

from __future__ import annotations

import pytest
from test_ruleset_support import assert_located, write_mod

from techrace.ruleset import RulesetError, inspect_ruleset, load_ruleset
from techrace.ruleset.migrations import Drop, Migration, Rename, SetDefault


def errors_of(tmp_path, files, **kwargs):
    inspected = inspect_ruleset(str(write_mod(tmp_path / "mod", files, **kwargs)))
    assert inspected.ruleset is None and inspected.errors
    return assert_located(inspected.errors)


def test_all_errors_at_once_with_suggestions(tmp_path):
    matches = errors_of(tmp_path, {"controls.yaml": """
        controls:
          oct2023_chips:
            tpp: lots
            destinatoins: [CN]
          new_rule:
            regulator: BSI
            kind: entity_list
            effective: 2026Q1
            entities: [TMSC]
          other:
            regulator: BIS
            kind: chip_treshold
    """})
    by_path = {m["path"]: m for m in matches}
    assert len(matches) == 5
    assert by_path["controls.oct2023_chips.tpp"]["line"] == "4" and by_path["controls.oct2023_chips.tpp"]["message"] == "expected a number, got 'lots'"
    assert "unknown key 'destinatoins' — did you mean 'destinations'?" in by_path["controls.oct2023_chips.destinatoins"]["message"]
    assert "unknown regulator 'BSI' — did you mean 'BIS'?" in by_path["controls.new_rule.regulator"]["message"]
    assert "unknown firm or site 'TMSC' — did you mean 'TSMC'?" in by_path["controls.new_rule.entities.0"]["message"]
    assert "did you mean 'chip_threshold'?" in by_path["controls.other.kind"]["message"]
    assert all(m["layer"] == "mod" and m["file"].endswith("controls.yaml") for m in matches)


def test_load_ruleset_raises_with_every_line(tmp_path):
    mod = write_mod(tmp_path / "mod", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: -1\n    density: x\n"})
    with pytest.raises(RulesetError) as caught:
        load_ruleset(str(mod))
    assert len(caught.value.errors) == 2 and str(caught.value).count("\n") == 1


def test_errors_in_the_base_layer_name_that_layer(tmp_path):
    base = write_mod(tmp_path / "base", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: bad\n"})
    matches = errors_of(tmp_path, {"c.yaml": "controls:\n  oct2023_chips:\n    density: 1.0\n"}, extends=str(base))
    assert [(m["layer"], m["path"]) for m in matches] == [("base", "controls.oct2023_chips.tpp")]


def test_missing_required_fields_are_one_line_at_the_entry_that_lacks_them(tmp_path):
    matches = errors_of(tmp_path, {"s.yaml": "shocks:\n  quake2:\n    at: 2026Q1\n"})
    assert [(m["path"], m["line"]) for m in matches] == [("shocks.quake2", "2")]
    assert matches[0]["message"] == "required keys are missing: 'description', 'effects'"


@pytest.mark.parametrize(("text", "needle"), [
    ("controls: {oct2023_chips: {tpp: 1}\n", "this '{' is never closed"),
    ("controls:\n  oct2023_chips:\n    tpp: 1\n    tpp: 2\n", "duplicate key 'tpp' (first at line 3)"),
    ("controls:\n  oct2023_chips: !!python/object:os.system {}\n", "unknown tag"),
    ("controls: !foo {}\n", "unknown tag '!foo'"),
    ("- just\n- a list\n", "the top level must be a mapping"),
    ("controls:\n  ? [a, b]\n  : 1\n", "keys must be plain names"),
    ("a: &a [1, 2]\n<<: *a\n", "keys must be plain names"),
    ("---\na: 1\n---\nb: 2\n", "a second document (---)"),
    ("controls:\n  oct2023_chips:\n    effective: 2023Q5\n", "expected a quarter like 2026Q1, got '2023Q5': quarters run Q1 to Q4"),
    ("nations:\n  US:\n    gdp_usd_t: [1, 2]\n", "expected a number, got a list"),
])
def test_malformed_files_are_located(tmp_path, text, needle):
    matches = errors_of(tmp_path, {"bad.yaml": text})
    assert any(needle in m["message"] for m in matches), [m.group(0) for m in matches]


def test_norway_stays_norway_as_a_key_and_gets_a_hint_as_a_value(tmp_path):
    matches = errors_of(tmp_path, {"c.yaml": "controls:\n  oct2023_chips:\n    destinations: [NO]\n    tier_caps_h100e: {NO: 1}\n"})
    messages = " ".join(m["message"] for m in matches)
    assert "quote the text" in messages  # the value NO became false
    assert "unknown nation 'NO'" in messages  # the key NO stayed the text NO


def test_bombs_and_deep_nesting_are_refused_without_crashing(tmp_path):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    assert any("too large" in m["message"] for m in errors_of(tmp_path, {"laughs.yaml": laughs}))
    deep = "controls: " + "[" * 5000 + "]" * 5000 + "\n"
    assert errors_of(tmp_path, {"deep.yaml": deep})
    nested = "controls:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(40)) + "  " * 41 + "v: 1\n"
    assert any("nested more than" in m["message"] for m in errors_of(tmp_path, {"nested.yaml": nested}))
    (tmp_path / "big").mkdir()
    huge = "# " + "x" * (1 << 20) + "\n"
    assert any("too large" in m["message"] for m in errors_of(tmp_path / "big", {"huge.yaml": huge}))


def test_not_utf8_is_located(tmp_path):
    mod = write_mod(tmp_path / "mod", {})
    (mod / "latin.yaml").write_bytes(b"controls:\n  x: caf\xe9\n")
    assert any("not UTF-8" in e for e in inspect_ruleset(str(mod)).errors)


def test_cross_references(tmp_path):
    matches = errors_of(tmp_path, {"x.yaml": """
        controls:
          tiers:
            regulator: BIS
            kind: country_tiers
            effective: 2026Q1
            expires: 2025Q4
            tier_caps_h100e: {CHN: 0}
          empty_list:
            regulator: BIS
            kind: entity_list
        shocks:
          quake:
            description: x
            at: 2026Q1
            effects:
              - {kind: capacity_offline, nation: TWN}
              - {kind: tool_breakthrough, firm: SMIC, tool_kind: euv}
              - {kind: enact_control, control: escalate_smic}
        chip_firms:
          NVIDIA:
            skus:
              H200: {node: N4, die_area_mm2: 814, transistors_b: 80, dense_tflops_16bit: 989, hbm_stacks: 6, hbm_generation: HBM3e, price_usd: 30000}
          AMD:
            foundries: [TSMC, SK_HYNIX, TMSC]
        labs:
          XAI: {nation: USA}
    """})
    found = {(m["path"], m["message"]) for m in matches}
    expected = [
        ("controls.tiers.expires", "`expires` 2025Q4 must come after `effective` 2026Q1"),
        ("controls.tiers.tier_caps_h100e.CHN", "unknown nation 'CHN' — did you mean 'CN'?"),
        ("controls.empty_list", "a entity_list control needs `entities`"),
        ("shocks.quake.effects.0.nation", "unknown nation 'TWN' — did you mean 'TW'?"),
        ("shocks.quake.effects.1.firm", "unknown toolmaker 'SMIC' — did you mean 'SMEE'?"),
        ("shocks.quake.effects.2.control", "unknown control 'escalate_smic' — did you mean 'escalate_smic_whole'?"),
        ("chip_firms.NVIDIA.skus.H200.hbm_generation", "unknown HBM generation 'HBM3e' — did you mean 'HBM3E'?"),
        ("chip_firms.AMD.foundries.1", "'SK_HYNIX' is a memory maker, not a logic foundry"),
        ("chip_firms.AMD.foundries.2", "unknown foundry 'TMSC' — did you mean 'TSMC'?"),
        ("labs.XAI.nation", "unknown nation 'USA' — did you mean 'US'?"),
    ]
    for item in expected:
        assert item in found, (item, sorted(found))
    assert ("chip_firms.NVIDIA.skus.H200.node", "unknown node 'N4' — did you mean 'N5'?") in found


def test_a_node_no_toolmaker_can_equip(tmp_path):
    matches = errors_of(tmp_path, {"t.yaml": """
        toolmakers:
          ASML:
            makes:
              euv: !remove
          SMEE:
            developing:
              euv: !remove
    """})
    paths = {m["path"] for m in matches}
    euv_only = {"N3", "N2", "A16", "A14"}  # N5 has a DUV path
    assert paths == {f"technology.nodes.{node}.tools_per_kwpm" for node in euv_only}
    assert "no toolmaker makes or develops euv" in matches[0]["message"]


def test_a_shock_that_can_never_fire(tmp_path):
    matches = errors_of(tmp_path, {"s.yaml": "shocks:\n  capex_bust:\n    probability_per_quarter: 0\n"})
    assert [m["path"] for m in matches] == ["shocks.capex_bust"] and "can never fire" in matches[0]["message"]


MIGRATION_0_TO_1 = Migration(0, "`game_length` became `turns`; chip rules' `threshold` became `tpp`; `notes` were dropped",
                             (Rename("game_length", "turns"), Rename("controls.*.threshold", "controls.*.tpp"),
                              Drop("controls.*.notes"), SetDefault("controls.*.licence_share", 0.0)))


def test_an_old_format_is_upgraded_on_load_with_a_notice(tmp_path, monkeypatch):
    import techrace.ruleset.loader as loader

    monkeypatch.setattr(loader, "MIGRATIONS", (MIGRATION_0_TO_1, *loader.MIGRATIONS))
    mod = write_mod(tmp_path / "old", {"ruleset.yaml": "game_length: 12\n", "c.yaml": """
        controls:
          oct2023_chips:
            threshold: 4000
            notes: old style
    """}, format_version=0)
    inspected = loader.inspect_ruleset(str(mod), migrations=(MIGRATION_0_TO_1, *loader.MIGRATIONS))
    assert inspected.errors == []
    assert inspected.ruleset.turns == 12 and inspected.ruleset.controls["oct2023_chips"].tpp == 4000
    assert inspected.notices and "upgraded from format 0 to 1" in inspected.notices[0] and "`game_length` became `turns`" in inspected.notices[0]
    with pytest.warns(loader.RulesetNotice, match="upgraded from format 0"):
        loader.load_ruleset(str(mod))
    # the renamed key keeps its location for errors
    (mod / "c.yaml").write_text("controls:\n  oct2023_chips:\n    threshold: many\n", encoding="utf-8")
    broken = loader.inspect_ruleset(str(mod), migrations=(MIGRATION_0_TO_1, *loader.MIGRATIONS))
    assert_located(broken.errors)
    assert "c.yaml:3:5: controls.oct2023_chips.tpp:" in broken.errors[0]


def test_formats_that_cannot_be_upgraded_are_refused_naming_the_change(tmp_path):
    refused = (Migration(0, "controls were split into chip_rules and tool_rules; move each by hand", refuse=True),)
    old = write_mod(tmp_path / "old", {}, format_version=0)
    errors = inspect_ruleset(str(old), migrations=refused).errors
    assert_located(errors)
    assert "needs manual changes: controls were split" in errors[0]
    assert "no migration from format 0" in inspect_ruleset(str(old)).errors[0]
    future = write_mod(tmp_path / "future", {}, format_version=9)
    assert "newer than this techrace understands" in inspect_ruleset(str(future)).errors[0]


def test_hbm_lines_no_toolmaker_can_equip(tmp_path):
    matches = errors_of(tmp_path, {"t.yaml": """
        technology:
          hbm_tools_per_kwpm: {metrology: 1.0}
        toolmakers:
          AMAT:
            makes:
              metrology: !remove
          KLA: !remove
          NAURA: {developing: {metrology: !remove }}   # in flow style, a space before the brace
    """})
    found = [(m["path"], m["message"]) for m in matches]
    assert ("technology.hbm_tools_per_kwpm", "no toolmaker makes or develops metrology: no memory maker can ever equip HBM lines") in found
    assert ("technology.nodes.N28.tools_per_kwpm", "no toolmaker makes or develops metrology: no fab can ever equip node N28") in found


def test_a_file_path_to_ruleset_yaml_means_its_directory(tmp_path):
    mod = write_mod(tmp_path / "mod", {})
    assert inspect_ruleset(str(mod / "ruleset.yaml")).errors == []


def test_an_empty_section_is_explained(tmp_path):
    matches = errors_of(tmp_path, {"c.yaml": "controls:\n  # everything commented out\n"})
    assert [m["path"] for m in matches] == ["controls"] and "an empty `key:` means null" in matches[0]["message"]
