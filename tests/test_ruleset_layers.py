"""Layering as a modder uses it: add entries, replace fields, remove entries, chains of any depth."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from test_ruleset_support import assert_located, write_mod

from techrace.errors import TechraceError
from techrace.ruleset import (
    Ruleset,
    RulesetError,
    find_ruleset,
    inspect_ruleset,
    list_rulesets,
    load_ruleset,
    ruleset_hash,
    rulesets_dirs,
)

SHIPPED = [name for name, _, _ in list_rulesets()]


def test_contract_names_and_error_type():
    baseline = load_ruleset("baseline")
    assert isinstance(baseline, Ruleset)
    assert issubclass(RulesetError, TechraceError)
    assert find_ruleset("baseline") in [d / "baseline" for d in rulesets_dirs()]
    error = RulesetError(["a:1:1: x: one", "b:2:2: y: two"])
    assert error.errors == ["a:1:1: x: one", "b:2:2: y: two"] and str(error) == "a:1:1: x: one\nb:2:2: y: two"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_ruleset_checks_clean_and_has_a_description(name):
    inspected = inspect_ruleset(name)
    assert inspected.errors == []
    assert inspected.ruleset is not None and inspected.ruleset.name == name
    assert len(inspected.ruleset.description.split()) >= 20, "each ruleset needs a one-paragraph description"


def test_the_scenario_library_is_shipped():
    expected = {"no-controls", "oct-2022", "oct-2023", "dec-2024", "foundry-rule-2025", "ai-diffusion", "h20-deal",
                "h200-deal", "full-decoupling", "taiwan-blockade-2027", "taiwan-invasion-2027", "taiwan-earthquake",
                "china-euv-2028", "capex-bust", "mineral-embargo", "chips-act"}
    assert expected <= set(SHIPPED)


def test_add_replace_and_remove(tmp_path):
    mod = write_mod(tmp_path / "mod", {"controls.yaml": """
        controls:
          oct2023_chips:
            tpp: 3200                 # replace one field
          ai_diffusion: !remove       # remove an entry
          list_cxmt:                  # add an entry
            regulator: BIS
            kind: entity_list
            effective: 2026Q1
            entities: [CXMT]
          nl_servicing: !replace      # replace a whole entry
            regulator: NL_MFA
            kind: servicing_ban
            tool_kinds: [euv]
        shocks:
          capex_bust:
            when: !remove             # remove a field: back to the schema default
    """})
    base, mod_rules = load_ruleset("baseline"), load_ruleset(str(mod))
    assert mod_rules.controls["oct2023_chips"].tpp == 3200
    assert mod_rules.controls["oct2023_chips"].density == base.controls["oct2023_chips"].density  # untouched fields kept
    assert "ai_diffusion" not in mod_rules.controls
    assert mod_rules.controls["list_cxmt"].entities == ["CXMT"]
    replaced = mod_rules.controls["nl_servicing"]
    assert replaced.tool_kinds == ["euv"] and replaced.destinations == [] and replaced.effective is None
    assert mod_rules.shocks["capex_bust"].when is None and base.shocks["capex_bust"].when is not None
    assert ruleset_hash(mod_rules) != ruleset_hash(base)


def test_lists_replace_whole(tmp_path):
    mod = write_mod(tmp_path / "mod", {"chips.yaml": "chip_firms:\n  HUAWEI:\n    foundries: [SMIC]\n"})
    assert load_ruleset(str(mod)).chip_firms["HUAWEI"].foundries == ["SMIC"]


def test_chain_of_three_layers_and_name_from_the_top(tmp_path):
    first = write_mod(tmp_path / "first", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 4000\n"})
    second = write_mod(tmp_path / "second", {"c.yaml": "controls:\n  oct2023_chips:\n    density: 4.0\n"}, extends="../first")
    third = write_mod(tmp_path / "third", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 3000\n"}, extends=str(second))
    inspected = inspect_ruleset(str(third))
    assert [layer.name for layer in inspected.chain] == ["third", "second", "first", "baseline"]
    rule = inspected.ruleset.controls["oct2023_chips"]
    assert (rule.tpp, rule.density) == (3000, 4.0)
    assert inspected.ruleset.name == "third" and inspected.ruleset.extends == str(second)
    assert load_ruleset(str(first)).controls["oct2023_chips"].tpp == 4000


def test_named_rulesets_resolve_through_the_search_path(tmp_path, monkeypatch):
    write_mod(tmp_path / "lib" / "my-mod", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 1000\n"})
    monkeypatch.setenv("TECHRACE_RULESETS", str(tmp_path / "lib"))
    assert "my-mod" in [name for name, _, _ in list_rulesets()]
    assert load_ruleset("my-mod").controls["oct2023_chips"].tpp == 1000


def test_unknown_ruleset_suggests_the_nearest_name():
    with pytest.raises(RulesetError) as caught:
        load_ruleset("basline")
    assert "did you mean 'baseline'" in str(caught.value)


def test_extends_cycle_and_unknown_base_are_located(tmp_path):
    write_mod(tmp_path / "a", {}, extends="../b")
    write_mod(tmp_path / "b", {}, extends="../a")
    errors = inspect_ruleset(str(tmp_path / "a")).errors
    assert any("forms a cycle" in e for e in errors)
    assert_located(errors)
    write_mod(tmp_path / "c", {}, extends="baseilne")
    errors = inspect_ruleset(str(tmp_path / "c")).errors
    assert_located(errors)
    assert "did you mean 'baseline'" in errors[0] and "ruleset.yaml:4:1" in errors[0]


def test_remove_of_a_missing_entry_and_tags_where_they_mean_nothing(tmp_path):
    mod = write_mod(tmp_path / "mod", {"c.yaml": """
        controls:
          ai_difusion: !remove
          oct2023_chips:
            destinations:
              - CN
              - !remove
    """})
    errors = inspect_ruleset(str(mod)).errors
    matches = assert_located(errors)
    assert any(m["path"] == "controls.ai_difusion" and "did you mean 'ai_diffusion'" in m["message"] for m in matches)
    assert any("has no meaning here" in m["message"] for m in matches)


def test_same_key_in_two_files_of_one_layer(tmp_path):
    mod = write_mod(tmp_path / "mod", {"a.yaml": "controls:\n  oct2023_chips:\n    tpp: 1\n",
                                       "b.yaml": "controls:\n  oct2023_chips:\n    tpp: 2\n",
                                       "c.yaml": "name: sneaky\n"})
    errors = inspect_ruleset(str(mod)).errors
    assert_located(errors)
    assert any("b.yaml:3:5: controls.oct2023_chips.tpp: set twice in this layer (also at" in e for e in errors)
    assert any("c.yaml:1:1: name: belongs in ruleset.yaml" in e for e in errors)


def test_reference_errors_of_a_built_ruleset():
    from techrace.ruleset import reference_errors

    base = load_ruleset("baseline")
    assert reference_errors(base) == []
    data = base.model_dump(by_alias=True)
    data["controls"]["oct2023_chips"]["regulator"] = "BSI"
    with pytest.raises(ValidationError, match="unknown regulator 'BSI' — did you mean 'BIS'?"):
        Ruleset.model_validate(data)  # a Ruleset built in Python is checked as it is built
    from techrace.ruleset.crossref_model import CHECKED_BY_CALLER

    unchecked = Ruleset.model_validate(data, context={CHECKED_BY_CALLER: True})  # as overrides build theirs
    assert reference_errors(unchecked) == ["controls.oct2023_chips.regulator: unknown regulator 'BSI' — did you mean 'BIS'?"]
