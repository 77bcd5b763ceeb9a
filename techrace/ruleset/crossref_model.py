"""The cross-reference checks for a Ruleset built in Python (a notebook's `model_copy(update=...)`,
`Ruleset(...)`, `Ruleset.model_validate(...)`, a save or a batch worker's copy).

The YAML loader runs the same checks itself, located at file:line, and tells the schema so
(`CHECKED_BY_CALLER` in the validation context); everywhere else the `Ruleset` validator runs them here,
so a ruleset `techrace ruleset check` would refuse never reaches the core to crash it mid-game (a foundry
with `sites: {}` stopped the first turn with an IndexError).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from techrace.ruleset.crossref import reference_findings
from techrace.ruleset.source import KeyPath

if TYPE_CHECKING:
    from techrace.ruleset.schema import Ruleset

CHECKED_BY_CALLER = "techrace.references_checked_by_caller"  # validation-context key: the caller reports them, located
_REMOVE = re.compile(r"write `([^`:]+): !remove`")
# Left to YAML: a personality's move and retaliation may name what a layer removed on purpose (`no-controls`
# drops the rule `retaliator` answers with; the engine then skips the name), and a Ruleset object no longer
# knows what was removed; policy names the core resolves itself, with its own error (`unknown nation policy
# 'x'`), among policies a notebook may have registered.
_REMOVABLE = ("military_move", "retaliate_with")


def check_built(ruleset: Ruleset) -> None:
    """Raise a pydantic ValidationError listing every cross-reference problem, causes before their knock-ons,
    each at its key path (`foundries.SMIC.sites`), in the words `techrace ruleset check` uses."""
    data = ruleset.model_dump(mode="json", by_alias=True)
    findings = [f for f in reference_findings(data) if not _left_to_yaml(f.path)]
    if not findings:
        return
    ordered = [f for f in findings if not f.knock_on] + [f for f in findings if f.knock_on]
    raise ValidationError.from_exception_data("Ruleset", [
        InitErrorDetails(type=PydanticCustomError("cross_reference", "{message}", {"message": in_python_words(f.message)}),
                         loc=f.path, input=_value_at(data, f.path))
        for f in ordered])


def in_python_words(message: str) -> str:
    """A YAML hint (`write \\`SMIC: !remove\\``) as what to do in Python, the YAML kept for a modder."""
    return _REMOVE.sub(r"leave \1 out of the mapping (in YAML: `\1: !remove`)", message)


def _left_to_yaml(path: KeyPath) -> bool:
    if path[:2] == ("policies", "personalities"):
        return path[-1] == "policy" or (len(path) > 4 and path[3] == "params" and path[4] in _REMOVABLE)
    return (len(path) == 2 and path[0] == "policies") or (len(path) == 3 and path[-1] == "policy")


def _value_at(data: Any, path: KeyPath) -> Any:
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data
