"""Ruleset values set by key path: what sweeps, --vary and sensitivity change."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.errors import TechraceError
from techrace.ruleset import load_ruleset, ruleset_hash
from techrace.ruleset.overrides import OverrideError, apply_overrides, get_path, key_paths

BASELINE = load_ruleset("baseline")


def test_sets_values_by_key_path_and_leaves_the_original_alone():
    changed = apply_overrides(BASELINE, {
        "controls.oct2023_chips.tpp": 2400,
        "shocks.taiwan_earthquake.probability_per_quarter": 0.05,
        "victory.collapse.value": 150,
        "controls.escalate_smic_whole.when.from": "2026Q1",
    })
    assert changed.controls["oct2023_chips"].tpp == 2400
    assert changed.shocks["taiwan_earthquake"].probability_per_quarter == 0.05
    assert changed.victory["collapse"].value == 150
    assert changed.controls["escalate_smic_whole"].when.from_quarter == "2026Q1"
    assert BASELINE.controls["oct2023_chips"].tpp == 4800
    assert ruleset_hash(changed) != ruleset_hash(BASELINE)
    assert apply_overrides(BASELINE, {}) is BASELINE


@pytest.mark.parametrize(("bad", "suggestion"), [
    ("controls.tpp_threshold", "controls.oct2023_chips.tpp"),
    ("shocks.taiwan_blockade.probability", "shocks.taiwan_blockade.probability_per_quarter"),
    ("market.grey_market_premum", "market.grey_market_premium"),
    ("tecnology.h100_tpp", "technology.h100_tpp"),
    ("shocks.taiwan_blockad.probability_per_quarter", "shocks.taiwan_blockade.probability_per_quarter"),
])
def test_unknown_path_names_it_and_suggests_the_nearest_valid_key(bad, suggestion):
    with pytest.raises(TechraceError) as info:
        apply_overrides(BASELINE, {bad: 1})
    message = str(info.value)
    assert bad in message and f"did you mean {suggestion!r}" in message
    assert "\n" not in message


def test_paths_into_a_value_and_bad_values_are_refused_with_the_path():
    with pytest.raises(OverrideError, match="is a value"):
        apply_overrides(BASELINE, {"controls.oct2023_chips.tpp.low": 1})
    with pytest.raises(OverrideError, match=r"market\.grey_market_premium: must be at least 1, got 0.5"):
        apply_overrides(BASELINE, {"market.grey_market_premium": 0.5})
    with pytest.raises(OverrideError, match="bad key path"):
        apply_overrides(BASELINE, {"controls..tpp": 1})


NUMERIC_PATHS = sorted(
    p for p in key_paths(BASELINE)
    if isinstance(get_path(BASELINE, p), float) and not isinstance(get_path(BASELINE, p), bool)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(NUMERIC_PATHS))
def test_setting_a_value_to_itself_changes_nothing(path):
    same = apply_overrides(BASELINE, {path: get_path(BASELINE, path)})
    assert ruleset_hash(same) == ruleset_hash(BASELINE)


@settings(max_examples=40, deadline=None)
@given(path=st.sampled_from(NUMERIC_PATHS), factor=st.floats(0.5, 1.0))
def test_a_value_set_is_the_value_read_back_or_a_clear_error(path, factor):
    value = get_path(BASELINE, path) * factor
    try:
        changed = apply_overrides(BASELINE, {path: value})
    except OverrideError as exc:  # the schema refused it, and the message names the override
        assert path in str(exc) and "\n" not in str(exc)
    else:
        assert get_path(changed, path) == pytest.approx(value)


def test_overrides_stay_free_of_the_engine():
    code = "import sys, techrace.ruleset.overrides; print(any(m == 'mesa' or m.startswith(('mesa.', 'techrace.core')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
