"""A Ruleset built in Python (a notebook's `model_copy(update=...)`, `Ruleset(...)`, `model_validate`) gets the
cross-reference checks `techrace ruleset check` makes on YAML, so it never reaches the core to crash it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from techrace.errors import TechraceError
from techrace.ruleset import inspect_ruleset, load_ruleset, ruleset_infos
from techrace.ruleset.schema import RegulatorSpec, Ruleset

INDIA = Path(__file__).parent / "data" / "india_bloc"


def _without_sites(rs: Ruleset, foundry: str) -> dict:
    return {**rs.foundries, foundry: rs.foundries[foundry].model_copy(update={"sites": {}})}


def test_a_foundry_without_sites_is_refused_when_a_notebook_copies_the_ruleset() -> None:
    """It used to pass, then stop the first turn with an IndexError in the foundries' policy (`sites[0]`)."""
    rs = load_ruleset("baseline")
    with pytest.raises(ValidationError) as raised:
        rs.model_copy(update={"foundries": _without_sites(rs, "SMIC")})
    first = raised.value.errors()[0]  # the cause first, then what follows from it (SMIC's sites named by a rule)
    assert first["loc"] == ("foundries", "SMIC", "sites")
    assert first["msg"] == ("a foundry needs at least one site (`sites: {ID: {nation: ..., capacity_wpm: {...}}}`); to drop the "
                            "foundry, leave SMIC out of the mapping (in YAML: `SMIC: !remove`)")
    assert "unknown firm or site 'SMIC-SN1'" in str(raised.value)


def test_a_ruleset_validated_from_a_dict_names_what_does_not_exist() -> None:
    data = load_ruleset("baseline").model_dump(mode="json", by_alias=True)
    data["labs"]["DEEPSEEK"]["nation"] = "CH"
    with pytest.raises(ValidationError) as raised:
        Ruleset.model_validate(data)
    assert [(e["loc"], e["msg"]) for e in raised.value.errors()] == [
        (("labs", "DEEPSEEK", "nation"), "unknown nation 'CH' — did you mean 'CN'?")]


def test_a_copy_with_an_update_is_validated_like_the_rest() -> None:
    """pydantic's own copy puts an update in unchecked: a dict stayed a dict where the core reads a model."""
    rs = load_ruleset("baseline")
    copied = rs.model_copy(update={"regulators": {**rs.regulators, "BIS": {"nation": "US", "enforcement": 0.5}}, "turns": 8})
    assert isinstance(copied.regulators["BIS"], RegulatorSpec) and copied.regulators["BIS"].enforcement == 0.5
    assert copied.turns == 8 and rs.turns == 44
    with pytest.raises(ValidationError, match="enforcement"):
        rs.model_copy(update={"regulators": {"BIS": {"nation": "US", "enforcement": 2.0}}})
    assert rs.model_copy() == rs


def test_the_yaml_check_reports_a_foundry_without_sites_once_located(tmp_path) -> None:
    mod = tmp_path / "m"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text("name: m\nextends: baseline\nfoundries:\n  SMIC:\n    sites: !replace {}\n")
    errors = inspect_ruleset(str(mod)).errors
    about = [line for line in errors if "a foundry needs at least one site" in line]
    assert len(about) == 1 and about[0].startswith(f"{mod / 'ruleset.yaml'}:5:") and "write `SMIC: !remove`" in about[0]


def test_a_ruleset_built_around_the_checks_gets_a_named_error_not_an_index_error() -> None:
    from techrace.core import Game

    rs = load_ruleset("baseline")
    built = Ruleset.model_construct(**{**dict(rs), "foundries": _without_sites(rs, "SMIC")})
    with pytest.raises(TechraceError, match=r"foundries\.SMIC\.sites: a foundry needs at least one site"):
        Game.from_ruleset(built, seed=1).run(1)


@pytest.mark.parametrize("name", [info.name for info in ruleset_infos()] + [str(INDIA)])
def test_every_shipped_ruleset_passes_as_a_python_object(name: str) -> None:
    """Saves, batch workers and reloads validate the merged ruleset again from its data: a rule a layer removed
    on purpose (no-controls drops the one `retaliator` answers with) must not fail it there."""
    rs = load_ruleset(name)
    assert Ruleset.model_validate(rs.model_dump(mode="json", by_alias=True)) == rs
