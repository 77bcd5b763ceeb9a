"""Property tests of the loader: whatever a modder writes, the answer is a ruleset or located errors."""

from __future__ import annotations

import math
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


# --------------------------------------------------------------------------- non-finite and oversized numbers

huge = st.one_of(st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -1e300, 1e37, 10**40, -(10**60)]),
                 st.floats(min_value=1e36, max_value=1e308).map(lambda x: x * 1.0000001))


def _all_finite(value) -> bool:
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_all_finite(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return math.isfinite(value) and abs(value) <= 1e36


NUMBER_PATHS = ["nations.US.gdp_usd_t", "foundries.TSMC.d0.N5", "foundries.TSMC.sites.TSMC-TW.capacity_wpm.N3",
                "controls.oct2023_chips.tpp", "victory.us_decisive_lead.value", "technology.h100_dense_flops", "labs.OPENAI.compute_h100e",
                "foundries.TSMC.stars", "turns", "shocks.capex_bust.effects.0.share"]


@FUZZ
@given(path=st.sampled_from(NUMBER_PATHS), number=huge, text_form=st.booleans())
def test_no_ruleset_loads_with_a_non_finite_or_absurd_number(path, number, text_form):
    """Whatever number a modder writes (as YAML `.inf`, `1e308` ...), a loaded ruleset holds only sane ones."""
    written = yaml.safe_dump(number) .split("\n")[0] if text_form else repr(number)
    if not text_form and isinstance(number, float) and not math.isfinite(number):
        written = {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}[repr(number)]
    parts = path.split(".")
    body = "".join("  " * i + f"{part}:\n" for i, part in enumerate(parts[:-1]) if not part.isdigit())
    if "victory" in parts or "effects" in parts:
        body = {"victory": f"victory:\n  us_decisive_lead:\n    value: {written}\n",
                "effects": f"shocks:\n  capex_bust:\n    effects:\n      - {{kind: capex_cut, share: {written}}}\n"}[
                    "victory" if "victory" in parts else "effects"]
    else:
        body += "  " * (len(parts) - 1) + f"{parts[-1]}: {written}\n"
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {"fuzz.yaml": body})
        inspected = inspect_ruleset(str(mod))
        assert inspected.errors, body
        match = LOCATED.match(inspected.errors[0])
        assert match and match["path"].endswith(parts[-1]), inspected.errors[0]  # refused where it is written


@FUZZ
@given(path=st.sampled_from(NUMBER_PATHS), number=huge)
def test_overrides_never_build_a_ruleset_with_a_non_finite_number(path, number):
    from techrace.ruleset.overrides import OverrideError, apply_overrides

    try:
        result = apply_overrides(_BASE, {path: number})
    except OverrideError as exc:
        assert "\n" not in str(exc) and path in str(exc)
    else:
        raise AssertionError(f"{path}={number!r} was accepted: {_all_finite(result.model_dump())}")


_BASE = load_ruleset("baseline")


@FUZZ
@given(data=values)
def test_any_loaded_ruleset_holds_only_finite_numbers(data):
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {})
        (mod / "fuzz.yaml").write_text(yaml.safe_dump({"controls": {"oct2023_chips": data}} if isinstance(data, dict) else {"turns": data},
                                                      allow_unicode=True), encoding="utf-8")
        inspected = inspect_ruleset(str(mod))
        if inspected.ruleset is not None:
            assert _all_finite(inspected.ruleset.model_dump())


# ----------------------------------------------------------------- tags on any node, extends lists, metadata

TAGS = ["!!python/tuple", "!!python/object:os.system", "!foo", "!!set", "!!binary", "!!omap", "!!python/name:os.getcwd",
        "!remove", "!replace", "!!str", "!!int"]


@FUZZ
@given(tag=st.sampled_from(TAGS), node=st.sampled_from(["[CN, KR]", "{a: 1}", "5", "'x'", "", "- CN\n      - KR"]),
       key=st.sampled_from(["destinations", "tpp", "description", "when"]))
def test_any_tag_on_any_node_is_read_or_refused_located(tag, node, key):
    value = f"{tag}\n      - CN\n      - KR" if node.startswith("- ") else f"{tag} {node}"
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {"fuzz.yaml": f"controls:\n  oct2023_chips:\n    {key}: {value}\n"})
        _check_outcome(mod)
        errors = inspect_ruleset(str(mod)).errors
        if tag.startswith("!!python") or tag in ("!foo", "!!set", "!!binary", "!!omap"):
            assert errors and "unknown tag" in errors[0] or "cannot read" in errors[0], errors


NAMES = ["baseline", "taiwan-earthquake", "capex-bust", "basline", "../other", "", "5"]


@FUZZ
@given(extends=st.one_of(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=4)),
       meta=st.dictionaries(st.sampled_from(["version", "authors", "requires", "description"]),
                            st.one_of(values, st.sampled_from(["1.2.0", "techrace >= 0.1", "baseline >= 1", "taiwan-earthquake"]),
                                      st.lists(st.sampled_from(["techrace >= 0.1", "capex-bust < 2", "Ada", "x y"]), max_size=3)),
                            max_size=3))
def test_extends_lists_and_metadata(extends, meta):
    with tempfile.TemporaryDirectory() as tmp:
        other = write_mod(Path(tmp) / "other", {"c.yaml": "controls:\n  oct2023_chips:\n    tpp: 1000\n"})
        assert other.is_dir()
        mod = Path(tmp) / "mod"
        mod.mkdir()
        head = yaml.safe_dump({"name": "mod", "extends": extends, **meta}, allow_unicode=True)
        (mod / "ruleset.yaml").write_text(head, encoding="utf-8")
        _check_outcome(mod)
