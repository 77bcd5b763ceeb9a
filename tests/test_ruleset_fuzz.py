"""Property tests of the loader: whatever a modder writes, the answer is a ruleset or located errors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ruleset_support import LOCATED, write_mod

from techrace.ruleset import Ruleset, RulesetError, inspect_ruleset, load_ruleset
from techrace.ruleset.schema import ChipFirmSpec, ControlRule, Effect, FoundrySpec, ShockSpec

BASELINE = Path(__file__).resolve().parents[1] / "rulesets" / "baseline"
SECTIONS = ["controls", "shocks", "nations", "foundries", "chip_firms", "labs", "technology", "market", "turns", "victory"]
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["2027Q3", "CN", "TSMC", "N5", "!remove", "HBM3E"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(["tpp", "kind", "at", "nation", "effects", "oct2023_chips"])),
                    inner, max_size=4)), max_leaves=20)


def _check_outcome(directory: Path) -> None:
    inspected = inspect_ruleset(str(directory))
    if inspected.errors:
        assert inspected.ruleset is None
        for line in inspected.errors:
            assert LOCATED.match(line), line
        try:
            load_ruleset(str(directory))
        except RulesetError as exc:
            assert exc.errors == inspected.errors
        else:
            raise AssertionError("load_ruleset accepted what inspect_ruleset refused")
    else:
        assert isinstance(inspected.ruleset, Ruleset)


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_in_a_layer_file(text):
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {})
        (mod / "fuzz.yaml").write_text(text, encoding="utf-8")
        _check_outcome(mod)


@FUZZ
@given(section=st.sampled_from(SECTIONS), data=values, tag=st.sampled_from(["", "!remove ", "!replace "]))
def test_any_structure_under_a_real_section(section, data, tag):
    body = yaml.safe_dump({section: data}, allow_unicode=True)
    if tag and isinstance(data, dict) and data:
        first = next(iter(data))
        body = yaml.safe_dump({section: {first: "TAGGED"}}).replace("TAGGED", tag.strip() + (" {}" if tag == "!replace " else ""))
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {})
        (mod / "fuzz.yaml").write_text(body, encoding="utf-8")
        _check_outcome(mod)


@FUZZ
@given(file=st.sampled_from(sorted(p.name for p in BASELINE.glob("*.yaml"))),
       edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 8), st.text(max_size=6)), min_size=1, max_size=4))
def test_mutated_baseline_files(file, edits):
    """Cut and splice a copy of the baseline: typos, broken indentation, truncation."""
    text = (BASELINE / file).read_text(encoding="utf-8")
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "baseline-copy"
        copy.mkdir()
        for source in BASELINE.glob("*.yaml"):
            (copy / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        (copy / file).write_text(text, encoding="utf-8")
        _check_outcome(copy)


ENTRY_FIELDS = {
    "controls": sorted(ControlRule.model_fields) + ["from"],
    "shocks": sorted(ShockSpec.model_fields),
    "chip_firms": sorted(ChipFirmSpec.model_fields),
    "foundries": sorted(FoundrySpec.model_fields),
}


@FUZZ
@given(section=st.sampled_from(sorted(ENTRY_FIELDS)), entry=st.sampled_from(["new_entry", "oct2023_chips", "NVIDIA", "SMIC"]),
       data=st.data())
def test_entries_with_real_field_names_and_any_values(section, entry, data):
    """Real keys with wrong-typed values reach the cross-reference checks; they must stay located errors."""
    fields = data.draw(st.dictionaries(st.sampled_from(ENTRY_FIELDS[section]), values, max_size=6))
    effects = data.draw(st.lists(st.dictionaries(st.sampled_from(sorted(Effect.model_fields)), values, max_size=4), max_size=2))
    if section == "shocks" and effects:
        fields["effects"] = effects
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {})
        (mod / "fuzz.yaml").write_text(yaml.safe_dump({section: {entry: fields}}, allow_unicode=True), encoding="utf-8")
        _check_outcome(mod)
