"""Format migrations as data: a list modders patch one item of becomes a mapping by id (`ListToMapping`)."""

from __future__ import annotations

from test_ruleset_support import assert_located, write_mod

from techrace.ruleset import inspect_ruleset
from techrace.ruleset.migrations import MIGRATIONS, ListToMapping, Migration, migrate_layer
from techrace.ruleset.source import Mark, Replace

GOALS = [
    {"kind": "threshold", "value": 200, "description": "first to 200"},
    {"kind": "collapse", "value": 70},
    {"kind": "threshold", "value": 150, "description": "a second threshold"},
]


def _marks(path_items):
    return {path: Mark("old.yaml", line, 3, "old") for line, path in enumerate(path_items, start=1)}


def test_a_list_becomes_a_mapping_by_generated_ids_with_locations_kept():
    data = {"goals": [dict(g) for g in GOALS]}
    marks = _marks([("goals",), ("goals", 0), ("goals", 0, "value"), ("goals", 1), ("goals", 2, "value")])
    step = Migration(0, "goals became a mapping by id", (ListToMapping("goals", id_template="{kind}"),))
    notices = migrate_layer(data, marks, 0, "old", (step, *MIGRATIONS))
    assert list(data["goals"]) == ["threshold", "collapse", "threshold_2"]
    assert data["goals"]["threshold_2"] == GOALS[2] and isinstance(data["goals"], Replace)
    assert marks[("goals", "threshold", "value")].line == 3 and marks[("goals", "threshold_2", "value")].line == 5
    assert ("goals", 0, "value") not in marks
    assert notices[0] == "layer old: upgraded from format 0 to 1: goals became a mapping by id (1 change(s))"


def test_items_keyed_by_their_own_field_under_any_entry():
    data = {"teams": {"red": {"goals": [{"id": "win", "value": 1}, {"value": 2}]}, "blue": {"goals": "already a mapping"}}}
    step = Migration(0, "per-team goals by id", (ListToMapping("teams.*.goals", key="id", replace=False),))
    migrate_layer(data, {}, 0, "old", (step, *MIGRATIONS))
    assert data["teams"]["red"]["goals"] == {"win": {"value": 1}, "item1": {"value": 2}}
    assert type(data["teams"]["red"]["goals"]) is dict and data["teams"]["blue"]["goals"] == "already a mapping"
    kept = {"goals": [{"id": "win", "value": 1}]}
    migrate_layer(kept, {}, 0, "old", (Migration(0, "x", (ListToMapping("goals", key="id", keep_key=True),)), *MIGRATIONS))
    assert kept["goals"]["win"] == {"id": "win", "value": 1}


def test_an_old_mod_with_a_list_loads_as_a_mapping_and_errors_keep_their_place(tmp_path):
    """A synthetic format 0 whose `controls` was a list of rules with an `id`: upgraded and merged by id."""
    step = Migration(0, "controls became a mapping by id", (ListToMapping("controls", key="id", replace=False),))
    mod = write_mod(tmp_path / "old", {"c.yaml": """
        controls:
          - id: list_cxmt
            regulator: BIS
            kind: entity_list
            effective: 2026Q1
            entities: [CXMT]
          - id: oct2023_chips
            tpp: 3200
    """}, format_version=0)
    inspected = inspect_ruleset(str(mod), migrations=(step, *MIGRATIONS))
    assert inspected.errors == []
    assert inspected.ruleset.controls["list_cxmt"].entities == ["CXMT"]
    assert inspected.ruleset.controls["oct2023_chips"].tpp == 3200  # merged into the base's rule by id
    assert inspected.ruleset.controls["oct2023_chips"].density is not None
    assert "upgraded from format 0 to 1: controls became a mapping by id" in inspected.notices[0]
    (mod / "c.yaml").write_text("controls:\n  - id: oct2023_chips\n    tpp: lots\n", encoding="utf-8")
    errors = inspect_ruleset(str(mod), migrations=(step, *MIGRATIONS)).errors
    assert_located(errors)
    assert "c.yaml:3:5: controls.oct2023_chips.tpp: expected a number, got 'lots'" in errors[0]


def test_a_format_1_victory_list_is_upgraded_to_conditions_by_id(tmp_path):
    """The causal world's format step: kinds renamed, the collapse check on GDP kept, the end score implied."""
    mod = write_mod(tmp_path / "old", {"v.yaml": """
        victory:
          - {kind: capability_threshold, value: 180, description: first to 180}
          - {kind: economic_collapse, value: 60}
          - {kind: leader_at_end, metric: capability}
        technology:
          algorithmic_efficiency_per_quarter: 1.3
    """}, format_version=1)
    inspected = inspect_ruleset(str(mod))
    assert inspected.errors == []
    victory = inspected.ruleset.victory
    assert list(victory) == ["capability_threshold", "economic_collapse"]
    assert victory["capability_threshold"].kind == "threshold" and victory["capability_threshold"].value == 180
    assert victory["economic_collapse"].kind == "collapse" and victory["economic_collapse"].metric == "gdp_index"
    assert any("upgraded from format 1 to 2" in n for n in inspected.notices)
    assert any("algorithmic_efficiency_per_quarter is gone" in n for n in inspected.notices)
