"""Rulesets: the schema, the layered YAML loader and the tooling around them.

This package must stay free of Mesa and Textual so that `techrace ruleset check` answers at once.
"""

from techrace.ruleset.loader import (
    InspectedRuleset,
    RulesetError,
    RulesetInfo,
    RulesetNotice,
    find_ruleset,
    inspect_ruleset,
    list_rulesets,
    load_ruleset,
    reference_errors,
    ruleset_hash,
    ruleset_infos,
    rulesets_dirs,
)
from techrace.ruleset.schema import Ruleset, quarter_index, quarter_label

__all__ = [
    "InspectedRuleset", "Ruleset", "RulesetError", "RulesetInfo", "RulesetNotice", "ruleset_infos", "inspect_ruleset", "find_ruleset", "list_rulesets", "load_ruleset", "quarter_index",
    "quarter_label", "reference_errors", "ruleset_hash", "rulesets_dirs",
]
