"""A modder's new nation with a bloc of its own (tests/data/india_bloc, written from docs/modding.md): it
checks clean with --strict, plays, is raced by its rival and reports; and the mistakes around it
(an empty `sites`, a personality naming a rule or shock that does not exist, a misspelt bloc, a NaN, a
negative capacity) are located errors, never a traceback or a silent no-op."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_ruleset_support import write_mod

from techrace.launcher import main
from techrace.ruleset import inspect_ruleset

MOD = Path(__file__).parent / "data" / "india_bloc"


def _copy(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """The example mod with `file: (old, new)` text replacements, each of which must apply."""
    mod = tmp_path / "india"
    shutil.copytree(MOD, mod)
    for name, (old, new) in edits.items():
        text = (mod / name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        (mod / name).write_text(text.replace(old, new), encoding="utf-8")
    return mod


def _check(mod: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, list[str]]:
    code = main(["ruleset", "check", str(mod), *flags])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, [line for line in (out.out + out.err).splitlines() if line.strip()]


def test_the_example_mod_checks_clean_even_strictly(capsys):
    """`in_self_reliance` beside baseline's `cn_self_reliance` is a new condition for another nation, not a
    misspelling: --strict used to fail the mod on that warning."""
    inspected = inspect_ruleset(str(MOD))
    assert inspected.errors == [] and inspected.warnings == []
    code, lines = _check(MOD, capsys, "--strict")
    assert code == 0 and lines[0].startswith("ok: india-bloc"), lines


def test_a_real_misspelling_of_one_word_of_an_id_still_warns(tmp_path):
    mod = _copy(tmp_path, {"victory.yaml": ("in_self_reliance:", "cn_self_relaince:")})
    warnings = inspect_ruleset(str(mod)).warnings
    assert any("victory.cn_self_relaince: adds a new entry" in w and "'cn_self_reliance'" in w for w in warnings), warnings


def test_the_new_bloc_plays_races_its_rival_and_reports():
    from techrace.core import Game

    game = Game.from_ruleset(str(MOD), seed=1)
    static = game.model.static
    india, china = static.nations.index("IN"), static.nations.index("CN")
    assert static.blocs.rival[india, china] and static.blocs.rival[china, india]
    game.run(4)
    rows = [row for row in game.metric_rows if row["nation"] == "IN"]
    assert len(rows) == 4 and rows[-1]["ai_compute_h100e"] > 0 and rows[-1]["accelerators_produced"] > 0
    goals = {goal.id for goal in game.goals("IN")}
    assert {"in_outbuilds", "in_self_reliance", "scoring"} <= goals
    kinds = {(e.kind, e.text.split(":")[0]) for e in game.events}
    assert ("control", "IN_DGFT") in kinds, "India's regulator (a YAML personality) enacts its prepared rules"


SITES = ("""    sites:
      TATA-DHOLERA:
        nation: IN
        capacity_wpm: {N28: 12000}
        packaging_units_per_quarter: 20000
""", "    sites: {}\n")

MISTAKES = {
    # the engine indexed a foundry's first site: an IndexError in the first turn
    "a foundry with no site": ({"firms.yaml": SITES}, "firms.yaml:5:5: foundries.TATA.sites: a foundry needs at least one site"),
    # the engine skipped a rule it did not know: the personality silently never retaliated
    "retaliate_with a misspelt rule": ({"nations.yaml": ("retaliate_with: [in_smic_listing]", "retaliate_with: [in_smic_listin]")},
                                       "policies.personalities.in_hawk.params.retaliate_with.0: unknown control 'in_smic_listin' "
                                       "— did you mean 'in_smic_listing'?"),
    "military_move a shock that does not exist": (
        {"nations.yaml": ("retaliate: true}", "retaliate: true, military_move: kashmir}")},
        "policies.personalities.swadeshi.params.military_move: unknown shock 'kashmir'"),
    "a misspelt rival bloc": ({"blocs.yaml": ("rivals: [china]", "rivals: [chna]")},
                              "blocs.yaml:3:14: blocs.india.rivals.0: unknown bloc 'chna' — did you mean 'china'?"),
    # its nations were their own rivals: never behind anyone, so no computer player ever felt the race
    "a bloc that rivals itself": ({"blocs.yaml": ("rivals: [china]", "rivals: [china, india]")},
                                  "blocs.yaml:3:21: blocs.india.rivals.1: a bloc cannot be its own rival"),
    "a misspelt bloc key": ({"blocs.yaml": ("    rivals: [china]", "    rivls: [china]")},
                            "blocs.yaml:3:5: blocs.india.rivls: unknown key 'rivls' — did you mean 'rivals'?"),
    "a NaN": ({"nations.yaml": ("gdp_usd_t: 3.9", "gdp_usd_t: .nan")},
              "nations.yaml:6:5: nations.IN.gdp_usd_t: expected a finite number, got .nan"),
    "a negative capacity": ({"firms.yaml": ("N28: 12000", "N28: -12000")},
                            "foundries.TATA.sites.TATA-DHOLERA.capacity_wpm.N28: cannot be negative, got -12000"),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_mistakes_around_a_new_bloc_are_located(name, tmp_path, capsys):
    edits, words = MISTAKES[name]
    mod = _copy(tmp_path, edits)
    code, lines = _check(mod, capsys)
    assert code == 1
    assert lines[0].startswith(str(mod)) and words in lines[0], lines


def test_a_personality_may_name_a_rule_a_layer_removed(tmp_path):
    """no-controls removes the rule baseline's `retaliator` answers with: deliberate, so no error (it then does
    nothing); and a shock that no longer waits for a move (taiwan-blockade-2027) is not an error either."""
    mod = write_mod(tmp_path / "m", {"c.yaml": "controls:\n  escalate_rare_earths: !remove\n",
                                     "s.yaml": "shocks:\n  taiwan_blockade: {at: 2027Q3, triggered_by_action: false}\n"})
    assert inspect_ruleset(str(mod)).errors == []
