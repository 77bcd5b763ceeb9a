"""Mods that combine: `extends` lists in order, conflicts named with both files, metadata checked and shown."""

from __future__ import annotations

import pytest
from test_ruleset_support import assert_located, write_mod

from techrace.launcher import main
from techrace.ruleset import inspect_ruleset, load_ruleset, ruleset_infos


def _pair(tmp_path):
    """Two mods over baseline, side by side, that both change the October 2023 TPP threshold."""
    a = write_mod(tmp_path / "more-fabs", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 3200\n    density: 4.0\n"})
    b = write_mod(tmp_path / "chip-war", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 4000\n"})
    return a, b


def test_an_extends_list_applies_layers_in_order_with_a_shared_base_once(tmp_path):
    _pair(tmp_path)
    pack = write_mod(tmp_path / "pack", {}, extends="[../more-fabs, ../chip-war]")
    inspected = inspect_ruleset(str(pack))
    assert inspected.errors == []
    assert [layer.name for layer in reversed(inspected.chain)] == ["baseline", "more-fabs", "chip-war", "pack"]
    rule = inspected.ruleset.controls["oct2023_chips"]
    assert (rule.tpp, rule.density) == (4000, 4.0)  # the later mod wins where both write; the rest adds up
    swapped = write_mod(tmp_path / "swapped", {}, extends="[../chip-war, ../more-fabs]")
    assert load_ruleset(str(swapped)).controls["oct2023_chips"].tpp == 3200
    assert inspected.ruleset.extends == ["../more-fabs", "../chip-war"]


def test_a_mod_is_applied_after_what_it_extends_whatever_the_list_order(tmp_path):
    first = write_mod(tmp_path / "first", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 1000\n"})
    write_mod(tmp_path / "second", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 2000\n"}, extends=str(first))
    pack = write_mod(tmp_path / "pack", {}, extends="[../second, ../first]")
    inspected = inspect_ruleset(str(pack))
    assert [layer.name for layer in reversed(inspected.chain)] == ["baseline", "first", "second", "pack"]
    assert inspected.ruleset.controls["oct2023_chips"].tpp == 2000 and inspected.warnings == []


def test_two_mods_setting_one_key_differently_warn_naming_both_files(tmp_path, capsys):
    _pair(tmp_path)
    pack = write_mod(tmp_path / "pack", {}, extends="[../more-fabs, ../chip-war]")
    inspected = inspect_ruleset(str(pack))
    assert len(inspected.warnings) == 1
    warning = assert_located(inspected.warnings)[0]
    assert warning["path"] == "controls.oct2023_chips.tpp" and warning["file"].endswith("chip-war/c.yaml")
    assert "layers more-fabs and chip-war both change this" in warning["message"]
    assert "more-fabs sets 3200 (at " in warning["message"] and "more-fabs/c.yaml:3:5" in warning["message"]
    assert "chip-war sets 4000; chip-war wins" in warning["message"]
    assert main(["ruleset", "check", str(pack)]) == 0
    assert "warning: " in capsys.readouterr().err
    assert main(["ruleset", "check", "--strict", str(pack)]) == 1


def test_setting_the_key_again_over_both_decides_and_silences_the_warning(tmp_path):
    _pair(tmp_path)
    pack = write_mod(tmp_path / "pack", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 3600\n"},
                     extends="[../more-fabs, ../chip-war]")
    inspected = inspect_ruleset(str(pack))
    assert inspected.warnings == [] and inspected.ruleset.controls["oct2023_chips"].tpp == 3600


def test_a_removal_against_a_change_is_a_conflict_too(tmp_path):
    write_mod(tmp_path / "drop", {"c.yaml": "controls:\n  oct2023_chips: !remove\n"})
    write_mod(tmp_path / "tweak", {"c.yaml": "controls:\n  jp_tools:\n    licence_share: 0.5\n"})
    write_mod(tmp_path / "tighten", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 1000\n"})
    pack = write_mod(tmp_path / "pack", {}, extends="[../tighten, ../tweak, ../drop]")
    inspected = inspect_ruleset(str(pack))
    assert inspected.errors == [] and "oct2023_chips" not in inspected.ruleset.controls
    assert len(inspected.warnings) == 1 and "tighten sets 1000" in inspected.warnings[0] and "drop removes it" in inspected.warnings[0]


def test_a_plain_chain_never_warns(tmp_path):
    first = write_mod(tmp_path / "first", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 1000\n"})
    second = write_mod(tmp_path / "second", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 2000\n"}, extends=str(first))
    assert inspect_ruleset(str(second)).warnings == []


@pytest.mark.parametrize(("extends", "needle"), [
    ("[]", "extends: must be the name or path of another ruleset, or a list of them"),
    ("[baseline, 5]", "extends: must be the name or path of another ruleset, or a list of them"),
    ("[baseline, basline]", "extends: unknown ruleset 'basline' — did you mean 'baseline'?"),
])
def test_bad_extends_lists_are_located(tmp_path, extends, needle):
    errors = inspect_ruleset(str(write_mod(tmp_path / "mod", {}, extends=extends))).errors
    assert_located(errors)
    assert needle in errors[0]


def test_a_cycle_through_a_list_is_named(tmp_path):
    write_mod(tmp_path / "a", {}, extends="[baseline, ../b]")
    write_mod(tmp_path / "b", {}, extends="[../a]")
    errors = inspect_ruleset(str(tmp_path / "a")).errors
    assert_located(errors)
    assert any("forms a cycle (a -> b -> a)" in e for e in errors)


def test_metadata_of_every_layer_is_checked(tmp_path):
    base = write_mod(tmp_path / "base", {"ruleset.yaml": "version: 2.0.0\nauthors: [Ada]\n"})
    ok = write_mod(tmp_path / "ok", {"ruleset.yaml": "requires: [techrace >= 0.1, base >= 2.0]\n"}, extends=str(base))
    assert inspect_ruleset(str(ok)).errors == []
    old = write_mod(tmp_path / "old", {"ruleset.yaml": "requires: [base >= 3]\n"}, extends=str(base))
    assert "requires: needs base >= 3, but base is version 2.0.0" in inspect_ruleset(str(old)).errors[0]
    bad_base = write_mod(tmp_path / "bad-base", {"ruleset.yaml": "authors: Ada\nversion: [1]\n"})
    top = write_mod(tmp_path / "top", {}, extends=str(bad_base))
    errors = inspect_ruleset(str(top)).errors
    assert_located(errors)
    assert len(errors) == 1 and "bad-base/ruleset.yaml:6:1: version: expected text, got a list [layer bad-base]" in errors[0]


def test_list_and_show_show_the_metadata(tmp_path, monkeypatch, capsys):
    lib = tmp_path / "lib"
    write_mod(lib / "chip-war", {"ruleset.yaml": "version: 1.2.0\nauthors: [Ada Lovelace, Alan Turing]\nrequires: techrace >= 0.1\n"})
    monkeypatch.setenv("TECHRACE_RULESETS", str(lib))
    info = next(i for i in ruleset_infos() if i.name == "chip-war")
    assert (info.version, info.authors, info.extends) == ("1.2.0", ("Ada Lovelace", "Alan Turing"), ("baseline",))
    assert main(["ruleset", "list", "-v"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("chip-war"))
    assert line.startswith("chip-war 1.2.0") and "by Ada Lovelace, Alan Turing" in line and "extends baseline" in line
    assert main(["ruleset", "show", "chip-war"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# chip-war 1.2.0 by Ada Lovelace, Alan Turing — extends baseline; requires techrace >= 0.1\n# baseline\n")
    assert "\nversion: 1.2.0\n" in out and "requires:\n- techrace >= 0.1\n" in out
    assert main(["ruleset", "check", "chip-war"]) == 0
    assert capsys.readouterr().out.startswith("ok: chip-war 1.2.0 by Ada Lovelace, Alan Turing (baseline <- chip-war;")


def test_control_characters_in_names_and_descriptions_never_reach_the_terminal(tmp_path, monkeypatch, capsys):
    lib = tmp_path / "lib"
    mod = write_mod(lib / "evil", {}, name="evil")
    (mod / "ruleset.yaml").write_text('name: "ev\\e]0;owned\\ail"\ndescription: "x\\e[2J\\x9b31m"\nextends: baseline\n'
                                      'controls:\n  "\\e[31mred":\n    tpp: 1\n', encoding="utf-8")
    monkeypatch.setenv("TECHRACE_RULESETS", str(lib))
    for argv in (["ruleset", "list"], ["ruleset", "check", "evil"], ["ruleset", "show", "baseline", "name"]):
        main(argv)
        out, err = capsys.readouterr()
        assert "\x1b" not in out + err and "\x9b" not in out + err and "\x07" not in out + err
    main(["ruleset", "list"])
    assert "\\x1b[2J" in capsys.readouterr().out


def test_two_rulesets_of_one_name_in_a_chain_are_refused(tmp_path):
    write_mod(tmp_path / "a" / "common", {})
    write_mod(tmp_path / "b" / "common", {})
    pack = write_mod(tmp_path / "pack", {}, extends="[../a/common, ../b/common]")
    errors = inspect_ruleset(str(pack)).errors
    assert_located(errors)
    assert "two rulesets in one chain are both named 'common'" in errors[0]
