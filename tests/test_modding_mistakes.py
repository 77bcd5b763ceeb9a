"""Planted mistakes, as a modder makes them: `techrace ruleset check` must put the cause on its first line.

Each row writes a small mod over `baseline`, runs `techrace ruleset check` and asserts the first line:
the file, line and column to look at, the key path, the words, and the exit code (1: the ruleset is
wrong; 2: there is no ruleset to check).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from test_ruleset_support import LOCATED, write_mod

from techrace.launcher import main


@dataclass
class Mistake:
    files: dict[str, str]
    first: str  # regex for the first line: "FILE:LINE:COL: PATH: words" (FILE is the name in the mod)
    code: int = 1
    extends: str | None = "baseline"


REMOVE_NL = "nations:\n  NL: !remove\n"
NEW_FOUNDRY_BROKEN = "foundries:\n  NEWF: {name: New, nation: US, sites: {S1: {nation: US}}\n"

MISTAKES: dict[str, Mistake] = {
    "unknown nation policy": Mistake({"p.yaml": "policies:\n  nation: warlike\n"},
                                     r"p.yaml:2:3: policies.nation: unknown nation policy 'warlike' \(known: ally, autarkic, default, "
                                     r"dovish, hawkish, onshoring, onshoring_ally, passive, state_led, steady\)"),
    "unknown policy of one lab": Mistake({"l.yaml": "labs:\n  OPENAI:\n    policy: cautious\n"},
                                         r"l.yaml:3:5: labs.OPENAI.policy: unknown lab policy 'cautious'"),
    "a .yml file": Mistake({"labs.yml": "labs:\n  OPENAI: {stars: 3}\n"},
                           r"labs.yml:1:1: \(file\): not read: ruleset files end in `.yaml` — rename it to labs.yaml"),
    "python tag on a sequence": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    destinations: !!python/tuple [CN]\n"},
                                        r"c.yaml:3:19: controls.oct2023_chips.destinations: unknown tag '!!python/tuple'"),
    "unknown tag on a scalar": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    tpp: !big 5\n"},
                                       r"c.yaml:3:10: controls.oct2023_chips.tpp: unknown tag '!big'"),
    "a tag the value cannot take": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    tpp: !!int lots\n"},
                                           r"c.yaml:3:10: controls.oct2023_chips.tpp: cannot read 'lots' as !!int"),
    "syntax error hides knock-ons": Mistake(
        {"f.yaml": NEW_FOUNDRY_BROKEN, "c.yaml": "chip_firms:\n  NVIDIA:\n    foundries: [NEWF]\n"},
        r"f.yaml:2:9: \(yaml\): this '\{' is never closed: add '\}'"),
    "a tab": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n\ttpp: 1\n"},
                     r"c.yaml:3:1: \(yaml\): a tab character: YAML indents with spaces only"),
    "unclosed bracket": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    destinations: [CN, KR\n    tpp: 5\n"},
                                r"c.yaml:3:19: \(yaml\): this '\[' is never closed"),
    "unclosed quote": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    description: 'it is\n    tpp: 5\n"},
                              r"c.yaml:3:18: \(yaml\): this ' quote is never closed"),
    "colon in a value": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    description: note: tighter\n"},
                                r"c.yaml:3:22: \(yaml\): unexpected ':'"),
    "removed nation still named": Mistake({"n.yaml": REMOVE_NL},
                                          r"n.yaml:2:3: nations.NL: removed here, but still named in 4 place\(s\): toolmakers.ASML.nation"),
    "misspelt existing id": Mistake({"f.yaml": "foundries:\n  TMSC:\n    cash_usd_b: 5\n"},
                                    r"f.yaml:2:3: foundries.TMSC: adds a new entry 'TMSC', which lacks 'name', 'nation', 'sites' — did you mean 'TSMC'\?"),
    "a date for a quarter": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    effective: 2026-05-01\n"},
                                    r"c.yaml:3:5: controls.oct2023_chips.effective: expected a quarter like 2026Q1, got the date 2026-05-01 — did you mean 2026Q2\?"),
    "a fifth quarter": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    effective: 2026Q5\n"},
                               r"c.yaml:3:5: controls.oct2023_chips.effective: expected a quarter like 2026Q1, got '2026Q5': quarters run Q1 to Q4"),
    "a percentage for a share": Mistake({"s.yaml": "shocks:\n  capex_bust:\n    probability_per_quarter: 1.5\n"},
                                        r"s.yaml:3:5: shocks.capex_bust.probability_per_quarter: expected a share between 0 and 1 \(0.05 means 5%\), got 1.5 — did you mean 0.015\?"),
    "a missing choice lists the options": Mistake(
        {"c.yaml": "controls:\n  new_rule:\n    regulator: BIS\n    entities: [SMIC]\n"},
        r"c.yaml:2:3: controls.new_rule: required key 'kind' \(one of: chip_threshold, .*\) is missing"),
    "an unknown bloc names the known ones": Mistake(
        {"n.yaml": "nations:\n  MX:\n    name: Mexico\n    bloc: nonaligned\n    gdp_usd_t: 1.8\n    industrial_budget_usd_b: 0.2\n"
                   "    datacenter_power_gw: 0.1\n    power_buildout_gw_per_quarter: 0.01\n"},
        r"n.yaml:4:5: nations.MX.bloc: unknown bloc 'nonaligned'"),
    "a misspelt kind": Mistake({"c.yaml": "controls:\n  new_rule:\n    regulator: BIS\n    kind: entity_lsit\n    entities: [SMIC]\n"},
                               r"c.yaml:4:5: controls.new_rule.kind: expected one of chip_threshold, .* got 'entity_lsit' — did you mean 'entity_list'\?"),
    "infinite capacity": Mistake({"f.yaml": "foundries:\n  TSMC:\n    sites:\n      TSMC-TW:\n        capacity_wpm: {N3: .inf}\n"},
                                 r"f.yaml:5:24: foundries.TSMC.sites.TSMC-TW.capacity_wpm.N3: expected a finite number, got .inf"),
    "not a number": Mistake({"n.yaml": "nations:\n  US:\n    gdp_usd_t: .nan\n"},
                            r"n.yaml:3:5: nations.US.gdp_usd_t: expected a finite number, got .nan"),
    "an absurd magnitude": Mistake({"f.yaml": "foundries:\n  TSMC:\n    d0: {N5: 1e308}\n"},
                                   r"f.yaml:3:10: foundries.TSMC.d0.N5: number too large: 1e\+308"),
    "an unknown name lists the nearest": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    destinations: [MX]\n"},
                                                 r"c.yaml:3:20: controls.oct2023_chips.destinations.0: unknown nation 'MX' \(known: .*\)"),
    "a diaspora from an unknown nation": Mistake({"n.yaml": "nations:\n  US:\n    diaspora:\n      MX: {process: 0.1}\n"},
                                                 r"n.yaml:4:7: nations.US.diaspora.MX: unknown nation 'MX' \(known: .*\)"),
    "a diaspora from itself": Mistake({"n.yaml": "nations:\n  US:\n    diaspora:\n      US: {process: 0.1}\n"},
                                      r"n.yaml:4:7: nations.US.diaspora.US: a nation's diaspora is born elsewhere"),
    "a diaspora larger than the pool": Mistake({"n.yaml": "nations:\n  US:\n    diaspora:\n      CN: {design: 0.7}\n      TW: {design: 0.6}\n"},
                                               r"n.yaml:\d+:\d+: nations.US.*diaspora: the shares of design engineers born elsewhere add up to 1.3"),
    "a misspelt key": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    destinatoins: [CN]\n"},
                              r"c.yaml:3:5: controls.oct2023_chips.destinatoins: unknown key 'destinatoins' — did you mean 'destinations'\?"),
    "NO read as false": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    description: no\n"},
                                r"c.yaml:3:5: controls.oct2023_chips.description: expected text, got false \(YAML reads yes/no"),
    "a negative count": Mistake({"l.yaml": "labs:\n  OPENAI:\n    compute_h100e: -5\n"},
                                r"l.yaml:3:5: labs.OPENAI.compute_h100e: cannot be negative, got -5"),
    "a text for a list": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    destinations: CN\n"},
                                 r"c.yaml:3:5: controls.oct2023_chips.destinations: expected a list .*got 'CN' \(a list of one is written \[CN\]\)"),
    "a whole number": Mistake({"f.yaml": "foundries:\n  TSMC:\n    stars: 2.5\n"},
                              r"f.yaml:3:5: foundries.TSMC.stars: expected a whole number, got 2.5"),
    "an empty section": Mistake({"c.yaml": "controls:\n  # all commented out\n"},
                                r"c.yaml:1:1: controls: expected a mapping .*got nothing \(an empty `key:` means null"),
    "removing what is not there": Mistake({"c.yaml": "controls:\n  ai_difusion: !remove\n"},
                                          r"c.yaml:2:3: controls.ai_difusion: nothing to remove: no such key in the layers below — did you mean 'ai_diffusion'\?"),
    "a duplicate key": Mistake({"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 1\n    tpp: 2\n"},
                               r"c.yaml:4:5: controls.oct2023_chips.tpp: duplicate key 'tpp' \(first at line 3\)"),
    "past the calendar": Mistake({"ruleset.yaml": "start_quarter: 9999Q1\nturns: 10\n"},
                                 r"ruleset.yaml:\d+:1: turns: 10 turns from 9999Q1 run past the last quarter of the calendar, 9999Q4"),
    "a misspelt extends": Mistake({"ruleset.yaml": "extend: baseline\n"},
                                  r"ruleset.yaml:4:1: extend: unknown key 'extend' — did you mean 'extends'\?", extends=None),
    "unknown base": Mistake({}, r"ruleset.yaml:4:1: extends: unknown ruleset 'baseilne' — did you mean 'baseline'\?", extends="baseilne"),
    "a newer techrace required": Mistake({"ruleset.yaml": "requires: techrace >= 99\n"},
                                         r"ruleset.yaml:5:1: requires: needs techrace >= 99, but this is techrace"),
    "a ruleset required but not extended": Mistake({"ruleset.yaml": "requires: [chip-war >= 1.0]\n"},
                                                   r"ruleset.yaml:5:12: requires: needs ruleset 'chip-war', which this layer does not extend"),
    "a version as a number": Mistake({"ruleset.yaml": "version: 1.0\n"},
                                     r"ruleset.yaml:5:1: version: expected text, got 1.0 \(quote it to keep it as text: '1.0'\)"),
    "a bad requirement": Mistake({"ruleset.yaml": "requires: [techrace at least 0.1]\n"},
                                 r"ruleset.yaml:5:12: requires.0: expected a requirement like 'techrace >= 0.2'"),
    "an adjust effect on a misspelt field": Mistake(
        {"s.yaml": "shocks:\n  freeze:\n    description: x\n    at: 2025Q3\n    effects:\n      - {kind: adjust, field: viza, value: 0}\n"},
        r"s.yaml:6:24: shocks.freeze.effects.0.field: no effect may adjust 'viza' — did you mean 'visa'\?"),
    "an adjust effect selecting on an axis the field has not": Mistake(
        {"s.yaml": "shocks:\n  freeze:\n    description: x\n    at: 2025Q3\n    effects:\n"
                   "      - {kind: adjust, field: visa, where: {lab: OPENAI}, value: 0}\n"},
        r"s.yaml:6:\d+: shocks.freeze.effects.0.where.lab: visa cannot be selected by 'lab'; it can by: nation"),
    "a condition victory without a condition": Mistake(
        {"v.yaml": "victory:\n  early:\n    kind: condition\n    nations: [CN]\n"},
        r"v.yaml:2:3: victory.early: a condition victory needs `when`"),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_the_first_line_names_the_cause(name, tmp_path, capsys):
    mistake = MISTAKES[name]
    mod = write_mod(tmp_path / "mod", dict(mistake.files), extends=mistake.extends)
    code = main(["ruleset", "check", str(mod)])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert code == mistake.code, (out, err)
    assert lines and LOCATED.match(lines[0]), (out, err)
    assert re.search(r"mod/" + mistake.first, lines[0]), lines[0]
    assert f"{len(lines)} error(s)" in err


def test_there_are_at_least_25_planted_mistakes():
    assert len(MISTAKES) >= 25


def test_knock_on_errors_are_held_back_while_a_file_cannot_be_read(tmp_path, capsys):
    mod = write_mod(tmp_path / "mod", {"f.yaml": NEW_FOUNDRY_BROKEN, "c.yaml": "chip_firms:\n  NVIDIA:\n    foundries: [NEWF]\n"})
    assert main(["ruleset", "check", str(mod)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 and "unknown foundry" not in out
    assert "1 further error(s) held back" in err
    (mod / "f.yaml").write_text(NEW_FOUNDRY_BROKEN.rstrip("\n") + "}\n", encoding="utf-8")  # fixed: clean
    assert main(["ruleset", "check", str(mod)]) == 0


def test_references_to_a_removed_entry_say_who_removed_it(tmp_path, capsys):
    mod = write_mod(tmp_path / "mod", {"n.yaml": REMOVE_NL})
    main(["ruleset", "check", str(mod)])
    lines = capsys.readouterr().out.splitlines()
    dangling = [line for line in lines[1:] if "unknown nation 'NL'" in line]
    assert len(dangling) == 4 and all("removed by layer mod at" in line and "n.yaml:2:3" in line for line in dangling)
    assert not any("did you mean" in line for line in dangling)


def test_removing_a_whole_section_is_a_removal_of_every_entry_in_it(tmp_path, capsys):
    """`regulators: !remove` leaves every control naming a regulator dangling: the first line is at the
    `!remove`, and every control's line says which layer removed its regulator (it read 'unknown regulator
    'BIS'' with no cause)."""
    mod = write_mod(tmp_path / "mod", {"r.yaml": "regulators: !remove\n"})
    assert main(["ruleset", "check", str(mod)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert re.search(r"r.yaml:1:1: regulators.BIS: removed here, but still named in \d+ place\(s\): controls.oct2023_chips.regulator",
                     lines[0]), lines[0]
    dangling = [line for line in lines if "unknown regulator 'BIS'" in line]
    assert dangling and all("removed by layer mod at" in line and "r.yaml:1:1" in line for line in dangling)


def test_a_personality_may_name_a_rule_of_a_removed_section(tmp_path, capsys):
    """`controls: !remove` drops the rule baseline's `retaliator` answers with, as no-controls drops that rule
    alone: deliberate, so the ruleset checks and plays."""
    mod = write_mod(tmp_path / "mod", {"c.yaml": "controls: !remove\n"})
    assert main(["ruleset", "check", str(mod)]) == 0
    assert main(["run", "--ruleset", str(mod), "--turns", "2"]) == 0


def test_a_complete_entry_named_like_an_existing_one_warns(tmp_path, capsys):
    mod = write_mod(tmp_path / "mod", {"r.yaml": "regulators:\n  bis: {nation: US}\n"})
    assert main(["ruleset", "check", str(mod)]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "regulators.bis: adds a new entry 'bis' beside the existing 'BIS'" in err
    assert main(["ruleset", "check", "--strict", str(mod)]) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom", "directory"])
def test_files_that_are_not_plain_files_are_refused_at_once(kind, tmp_path, capsys):
    mod = write_mod(tmp_path / "mod", {})
    target = mod / "market.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    else:
        target.symlink_to(kind)
    assert main(["ruleset", "check", str(mod)]) == 1  # would hang or exhaust memory if read
    first = capsys.readouterr().out.splitlines()[0]
    # a symlink to a device leads outside the ruleset's folder: refused before it is even opened
    refusal = "not read: a symlink leading outside its folder" if kind.startswith("/") else "not a regular file"
    assert f"market.yaml:1:1: (file): {refusal}" in first


def test_a_fifo_ruleset_yaml_does_not_hang_listing_or_checking(tmp_path, monkeypatch, capsys):
    lib = tmp_path / "lib"
    (lib / "piped").mkdir(parents=True)
    os.mkfifo(lib / "piped" / "ruleset.yaml")
    monkeypatch.setenv("TECHRACE_RULESETS", str(lib))
    assert main(["ruleset", "list"]) == 0
    assert "piped" in capsys.readouterr().out
    assert main(["ruleset", "check", "piped"]) == 1
    assert "ruleset.yaml:1:1: (file): not a regular file (a FIFO)" in capsys.readouterr().out
