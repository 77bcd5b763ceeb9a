"""`techrace ruleset new DIR --extends BASE`: a commented mod skeleton that checks clean as written."""

from __future__ import annotations

import os
from pathlib import Path

from techrace.errors import TechraceError
from techrace.ruleset.loader import find_ruleset
from techrace.ruleset.meta import installed_version
from techrace.ruleset.schema import FORMAT_VERSION

RULESET_YAML = """\
# A techrace mod: a layer over `{extends}`. Check it with `techrace ruleset check {directory}`,
# play it with `techrace run --ruleset {directory}`, and see what it changes with
# `techrace ruleset diff {extends} {directory}`. The guide: docs/modding.md.
name: {name}
description: >-
  One paragraph saying what this mod changes and why.
version: 0.1.0                  # this mod's own version (another mod may require it)
authors: []                     # who made it, e.g. [Ada Lovelace]
requires: [techrace >= {techrace_version}]
format_version: {version}
extends: {extends}             # or a list applied in order, e.g. [{extends}, ../other-mod]
"""

CONTROLS_YAML = """\
# Export controls. Every entry merges into the one of the same id below this layer:
# write only the fields you change. Uncomment an example to use it.
controls: {}
#  # Replace one field of an existing rule (here: tighten the October 2023 TPP threshold).
#  oct2023_chips:
#    tpp: 3200
#
#  # Add a new rule: a new id with every field its kind needs.
#  my_entity_listing:
#    regulator: BIS
#    kind: entity_list
#    description: "BIS lists CXMT"
#    effective: 2026Q1
#    entities: [CXMT]
#
#  # Remove a rule of the layers below.
#  ai_diffusion: !remove
#
#  # Replace a whole rule instead of merging into it (fields you leave out get their defaults).
#  nl_servicing: !replace
#    regulator: NL_MFA
#    kind: servicing_ban
#    effective: 2025Q3
#    destinations: [CN]
#    tool_kinds: [arf_immersion, euv]
"""

SHOCKS_YAML = """\
# Shocks: scheduled (`at`), random (`probability_per_quarter`, while `when` holds) or only after a
# military move (`triggered_by_action: true`). Conditions are data, never code.
shocks: {}
#  # Schedule a shock of the base for a fixed quarter.
#  taiwan_blockade:
#    at: 2027Q3
#    triggered_by_action: false
#
#  # Drop a field of the base (falls back to the schema default).
#  capex_bust:
#    when: !remove
#
#  # A new shock with a condition: from 2027Q1, while China's capability is above 80% of the US's,
#  # with probability 5% per quarter.
#  my_breakthrough:
#    description: "A domestic EUV scanner works"
#    probability_per_quarter: 0.05
#    when:
#      from: 2027Q1
#      all: [{metric: capability, nation: CN, op: gt, of_nation: US, ratio: 0.8}]
#    effects:
#      - {kind: tool_breakthrough, firm: SMEE, tool_kind: euv, units_per_quarter: 2}
"""


def create_skeleton(directory: Path, extends: str, name: str | None = None) -> list[Path]:
    """Write the skeleton files into a new or empty `directory`; returns the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise TechraceError(f"{directory}: already exists and is not an empty directory")
    base = find_ruleset(extends)
    if "/" in extends or "\\" in extends or extends.startswith("."):
        extends = os.path.relpath(base.resolve(), directory.resolve())
    directory.mkdir(parents=True, exist_ok=True)
    mod_name = name or directory.resolve().name
    files = {
        "ruleset.yaml": RULESET_YAML.format(name=mod_name, extends=extends, directory=directory, version=FORMAT_VERSION,
                                            techrace_version=installed_version()),
        "controls.yaml": CONTROLS_YAML,
        "shocks.yaml": SHOCKS_YAML,
    }
    written = []
    for filename, text in files.items():
        path = directory / filename
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
