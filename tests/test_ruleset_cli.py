"""`techrace ruleset ...` as a modder runs it: exit codes, output, and no simulation engine imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from test_ruleset_support import LOCATED, write_mod

from techrace.launcher import main
from techrace.ruleset import inspect_ruleset, load_ruleset
from techrace.ruleset.reference import BEGIN, END, reference_markdown

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["ruleset", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_clean_and_with_errors(capsys, tmp_path):
    code, out, _ = run(capsys, "check", "baseline")
    assert code == 0 and out.startswith("ok: baseline")
    mod = write_mod(tmp_path / "mod", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: x\n  nope: !remove\n"})
    code, out, err = run(capsys, "check", str(mod))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 2 and all(LOCATED.match(line) for line in lines)
    assert "2 error(s)" in err
    code, _, err = run(capsys, "check", "no-such-ruleset")
    assert code == 2 and "unknown ruleset" in err  # a usage error, not an answer about a ruleset


def test_check_does_not_import_the_engine_or_the_ui():
    code = ("import sys; from techrace.launcher import main; rc = main(['ruleset', 'check', 'baseline']); "
            "heavy = sorted(m for m in ('mesa', 'textual', 'dask', 'techrace.core') if m in sys.modules); "
            "print(heavy); sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]"), result.stdout


def test_show_prints_the_merged_ruleset(capsys):
    code, out, _ = run(capsys, "show", "ai-diffusion", "controls.ai_diffusion")
    shown = yaml.safe_load(out)
    assert code == 0 and shown["effective"] == "2025Q2" and shown["expires"] is None
    code, out, _ = run(capsys, "show", "baseline", "--json")
    assert json.loads(out)["name"] == "baseline"


def test_show_of_a_missing_path_is_a_user_error(capsys):
    code, _, err = run(capsys, "show", "baseline", "controls.oct2023_chip")
    assert code == 2 and "did you mean 'oct2023_chips'" in err


def test_explain_tells_which_layer_set_a_value_and_what_it_overrode(capsys, tmp_path):
    code, out, _ = run(capsys, "explain", "ai-diffusion", "controls.ai_diffusion.effective")
    assert code == 0 and "added by layer ai-diffusion" in out and "rulesets/ai-diffusion/controls.yaml" in out
    mod = write_mod(tmp_path / "mod", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 4000\n"}, extends="ai-diffusion")
    code, out, _ = run(capsys, "explain", str(mod), "controls.oct2023_chips.tpp")
    lines = out.splitlines()
    assert lines[0] == "controls.oct2023_chips.tpp = 4000.0"
    assert "added by layer baseline" in lines[1] and "set by layer mod" in lines[2] and "overrode 4800 from layer baseline" in lines[3]
    code, out, _ = run(capsys, "explain", "ai-diffusion", "controls.ai_diffusion.expires")
    assert "removed by layer ai-diffusion" in out and out.startswith("controls.ai_diffusion.expires = null")
    code, out, _ = run(capsys, "explain", "no-controls", "controls.dec2024_hbm")
    assert "not in the merged ruleset" in out and "removed by layer no-controls" in out
    code, out, _ = run(capsys, "explain", "baseline", "turns")
    assert "added by layer baseline" in out
    code, out, _ = run(capsys, "explain", "baseline", "market.non_ai_growth_per_quarter")
    assert code == 0
    code, out, _ = run(capsys, "explain", "baseline", "technology.hbm_rd_cost_usd_b")
    assert "added by layer baseline" in out
    code, out, _ = run(capsys, "explain", "baseline", "nations.US.retirement_per_quarter")
    assert "the schema default" in out


def test_diff_lists_what_a_scenario_changes(capsys):
    code, out, _ = run(capsys, "diff", "baseline", "taiwan-blockade-2027")
    assert code == 0
    assert set(out.splitlines()) == {'~ shocks.taiwan_blockade.at: null -> "2027Q3"',
                                     "~ shocks.taiwan_blockade.triggered_by_action: true -> false"}
    code, out, _ = run(capsys, "diff", "baseline", "no-controls")
    assert "- controls.dec2024_hbm: " in out
    code, out, _ = run(capsys, "diff", "baseline", "baseline")
    assert "no differences" in out


def test_new_writes_a_skeleton_that_checks_clean(capsys, tmp_path):
    target = tmp_path / "my-mod"
    code, out, _ = run(capsys, "new", str(target), "--extends", "taiwan-earthquake")
    assert code == 0 and (target / "ruleset.yaml").is_file() and (target / "controls.yaml").is_file()
    inspected = inspect_ruleset(str(target))
    assert inspected.errors == [] and [layer.name for layer in inspected.chain] == ["my-mod", "taiwan-earthquake", "baseline"]
    assert load_ruleset(str(target)).shocks.keys() == load_ruleset("taiwan-earthquake").shocks.keys()
    code, _, err = run(capsys, "new", str(target))
    assert code == 2 and "not an empty directory" in err


def test_every_example_in_the_skeleton_checks_clean_when_uncommented(tmp_path, capsys):
    target = tmp_path / "mod"
    run(capsys, "new", str(target))
    for name in ("controls.yaml", "shocks.yaml"):
        path = target / name
        lines = path.read_text(encoding="utf-8").splitlines()
        body = [line[1:] if line.startswith("#  ") else line for line in lines]
        body = [line.replace(": {}", ":") if line.endswith(": {}") else line for line in body]
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
    inspected = inspect_ruleset(str(target))
    assert inspected.errors == []
    assert inspected.ruleset.controls["oct2023_chips"].tpp == 3200 and "ai_diffusion" not in inspected.ruleset.controls


def test_list_shows_every_shipped_ruleset(capsys):
    code, out, _ = run(capsys, "list")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and "baseline" in names and "taiwan-invasion-2027" in names


def test_schema_for_editors(capsys):
    code, out, _ = run(capsys, "schema")
    layer = json.loads(out)
    assert code == 0 and "required" not in json.dumps(layer)
    controls = layer["properties"]["controls"]["anyOf"][0]
    assert controls["additionalProperties"]["anyOf"][0]["$ref"].endswith("ControlRule")
    assert layer["$defs"]["ControlRule"]["additionalProperties"] is False
    _, out, _ = run(capsys, "schema", "--complete")
    assert "market" in json.loads(out)["required"]


def test_the_reference_in_docs_is_generated_from_the_schema():
    text = (ROOT / "docs" / "modding.md").read_text(encoding="utf-8")
    committed = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert committed == reference_markdown(), "run: python -m techrace.ruleset.reference docs/modding.md"
    for field in ("tier_caps_h100e", "probability_per_quarter", "multipatterning", "licence_revenue_share"):
        assert f"`{field}`" in committed


def test_the_guide_describes_every_shipped_scenario():
    from techrace.ruleset import list_rulesets

    text = (ROOT / "docs" / "modding.md").read_text(encoding="utf-8")
    missing = [name for name, _, _ in list_rulesets() if name != "baseline" and f"| `{name}` |" not in text]
    assert missing == []
