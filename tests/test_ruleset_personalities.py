"""Mistakes in a mod's computer personalities (`policies.personalities`): the cause first, at the line the
modder wrote, in words about the policy's parameters."""

from __future__ import annotations

from test_ruleset_support import assert_located, write_mod

from techrace.launcher import main
from techrace.ruleset import inspect_ruleset

INDIA = """\
    nations:
      IN:
        name: India
        bloc: us_allied
        policy: builder
        gdp_usd_t: 4.0
        gdp_growth_per_quarter: 0.015
        chip_dependence: 0.05
        industrial_budget_usd_b: 1.0
        datacenter_power_gw: 0.8
        power_buildout_gw_per_quarter: 0.1
        engineer_pool: {{process: 20000, design: 30000, tools: 15000, ai_research: 25000}}
        graduates_per_quarter: {{process: 600, design: 900, tools: 400, ai_research: 1500}}
        pay_index: 0.3
        visa_openness: 0.4
    policies:
      personalities:
        builder:
          kind: {kind}
          description: builds
          params: {params}
"""


def _check(tmp_path, capsys, kind: str = "nation", params: str = "{centralise_gap: 1000}") -> list[str]:
    mod = write_mod(tmp_path / "mod", {"nations.yaml": INDIA.format(kind=kind, params=params)})
    assert main(["ruleset", "check", str(mod)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return out.splitlines()


def test_a_misspelt_personality_kind_is_the_only_error_not_two_knock_ons_before_it(tmp_path, capsys):
    lines = _check(tmp_path, capsys, kind="nations")
    [match] = assert_located(lines)
    assert (match["line"], match["path"]) == ("19", "policies.personalities.builder.kind")
    assert match["message"] == "expected one of nation, regulator, got 'nations' — did you mean 'nation'?"
    assert not any("'default'" in line for line in lines)  # a policy the modder never wrote


def test_a_personality_of_the_wrong_kind_says_so_where_a_nation_uses_it(tmp_path):
    mod = write_mod(tmp_path / "mod", {"nations.yaml": INDIA.format(kind="regulator", params="{}")})
    [match] = assert_located(inspect_ruleset(str(mod)).errors)
    assert (match["line"], match["path"]) == ("5", "nations.IN.policy")
    assert match["message"].startswith("'builder' is a regulator personality (policies.personalities.builder.kind); "
                                       "a nation needs a nation policy")


def test_errors_in_params_are_located_at_the_parameter_with_its_path_and_the_policys_parameters(tmp_path, capsys):
    lines = _check(tmp_path, capsys, params="{centralise_gapp: 1000, lab_support_share: 7}")
    found = [(m["line"], m["col"], m["path"], m["message"]) for m in assert_located(lines)]
    assert found == [
        ("21", "16", "policies.personalities.builder.params.centralise_gapp",
         "unknown parameter 'centralise_gapp' — did you mean 'centralise_gap'?"),
        ("21", "39", "policies.personalities.builder.params.lab_support_share",
         "expected a share between 0 and 1 (0.05 means 5%), got 7.0 — did you mean 0.07?"),
    ]


def test_an_unknown_parameter_without_a_near_name_lists_the_kinds_parameters(tmp_path):
    mod = write_mod(tmp_path / "mod", {"nations.yaml": INDIA.format(kind="nation", params="{colour: 1}")})
    [match] = assert_located(inspect_ruleset(str(mod)).errors)
    assert match["path"] == "policies.personalities.builder.params.colour"
    message = match["message"]
    assert message.startswith("unknown parameter 'colour' (a nation personality takes: ")
    assert "centralise_gap" in message and "lab_support_share" in message and "description" not in message


def test_unknown_policies_of_any_actor_are_still_reported(tmp_path):
    mod = write_mod(tmp_path / "mod", {"labs.yaml": "labs:\n  OPENAI:\n    policy: bold\n",
                                       "nations.yaml": "nations:\n  US:\n    policy: stedy\n"})
    found = [(m["path"], m["message"]) for m in assert_located(inspect_ruleset(str(mod)).errors)]
    assert ("nations.US.policy", "unknown nation policy 'stedy' — did you mean 'steady'?") in found
    assert any(path == "labs.OPENAI.policy" and message.startswith("unknown lab policy 'bold'") for path, message in found)
