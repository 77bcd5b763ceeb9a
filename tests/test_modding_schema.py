"""The editor JSON Schema accepts what `check` accepts: every shipped ruleset file and the skeleton validate."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from techrace.ruleset import list_rulesets
from techrace.ruleset.reference import json_schema
from techrace.ruleset.skeleton import create_skeleton
from techrace.ruleset.source import REMOVE, read_yaml

VALIDATOR = jsonschema.Draft202012Validator(json_schema(layer=True))
FILES = sorted((name, path) for name, directory, _ in list_rulesets() for path in directory.glob("*.yaml"))


YAML12_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def as_editor_sees_it(value: Any) -> Any:
    """A file as the YAML language server gives it to the schema: `!remove` is an empty value, `!replace` a
    mapping, and (YAML 1.2) `9.89e14` is a number (PyYAML's YAML 1.1 reads it as text, which the loader
    converts)."""
    if value is REMOVE:
        return None
    if isinstance(value, str) and YAML12_FLOAT.fullmatch(value):
        return float(value)
    if isinstance(value, dict):
        return {k: as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(v) for v in value]
    return value


def problems(path: Path) -> list[str]:
    source = read_yaml(path, path.parent.name)
    assert source.errors == []
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _leaves(VALIDATOR.iter_errors(as_editor_sees_it(source.data)))]


def _leaves(errors: Any) -> list[Any]:
    """The innermost errors (an `anyOf` with `!remove` wraps each field), without the `!remove` branch's."""
    out = []
    for error in errors:
        inner = [e for e in error.context or [] if "Remove" not in str(e.schema_path) and e.validator != "enum"]
        out += _leaves(inner) if inner else [error]
    return out


@pytest.mark.parametrize(("name", "path"), FILES, ids=[f"{n}/{p.name}" for n, p in FILES])
def test_every_shipped_ruleset_file_validates(name, path):
    assert problems(path) == []


def test_the_skeleton_validates_with_every_example_uncommented(tmp_path):
    files = create_skeleton(tmp_path / "mod", "baseline")
    for path in files:
        lines = [line[1:] if line.startswith("#  ") else line for line in path.read_text(encoding="utf-8").splitlines()]
        path.write_text("\n".join(line.replace(": {}", ":") if line.endswith(": {}") else line for line in lines) + "\n",
                        encoding="utf-8")
        assert problems(path) == []
    assert "!remove" in (tmp_path / "mod" / "controls.yaml").read_text(encoding="utf-8")


def test_the_schema_still_catches_mistakes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("controls:\n  oct2023_chips:\n    destinatoins: [CN]\n    tpp: lots\n    effective: 2026Q5\n", encoding="utf-8")
    found = problems(bad)
    assert {p.split(":")[0] for p in found} == {"controls.oct2023_chips", "controls.oct2023_chips.tpp",
                                                 "controls.oct2023_chips.effective"}, found
    assert any("destinatoins" in p for p in found) and any("'lots'" in p for p in found) and any("2026Q5" in p for p in found)
    removed = tmp_path / "removed.yaml"
    removed.write_text("controls:\n  ai_diffusion: !remove\n  oct2023_chips:\n    density: !remove\n", encoding="utf-8")
    assert problems(removed) == []
