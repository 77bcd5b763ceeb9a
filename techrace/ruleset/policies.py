"""Which decision-policy names a ruleset may use, known without importing the simulation core.

Policies are registered as Python entry points in the group `techrace.policies`, named
`<kind>.<name>` (`nation.default`, `lab.passive`); `techrace ruleset check` reads only the names,
never their targets, so it stays free of Mesa. A plug-in package adds computer players by declaring
more entry points. Names a ruleset defines itself (YAML personalities) come from the functions in
`RULESET_POLICY_SOURCES`, each given the ruleset's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from typing import Any

GROUP = "techrace.policies"
KINDS = ("nation", "regulator", "toolmaker", "foundry", "chip_firm", "lab")
PERSONALITY_KINDS = ("nation", "regulator")  # the kinds a personality (policies.personalities) may decide for
# actor sections whose entries may name their own `policy:`, and the kind of policy each takes
ACTOR_SECTIONS = {"nations": "nation", "regulators": "regulator", "toolmakers": "toolmaker", "foundries": "foundry", "chip_firms": "chip_firm",
                  "labs": "lab"}

def personalities(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The computer players a ruleset defines in `policies.personalities` (kind, name)."""
    section = data.get("policies") if isinstance(data.get("policies"), Mapping) else {}
    found = section.get("personalities") if isinstance(section.get("personalities"), Mapping) else {}
    return [(p["kind"], name) for name, p in found.items() if isinstance(p, Mapping) and isinstance(p.get("kind"), str)]


# Each returns (kind, name) pairs a ruleset defines in its own data (e.g. YAML personalities).
RULESET_POLICY_SOURCES: list[Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]] = [personalities]


def _points(everywhere: bool) -> Iterable[Any]:
    """This package's own entry points (one small file), or every installed package's (plug-ins too)."""
    if not everywhere:
        try:
            return distribution("techrace").entry_points.select(group=GROUP)
        except PackageNotFoundError:
            pass
    return entry_points(group=GROUP)


@lru_cache(maxsize=2)
def registered_policy_names(everywhere: bool = True) -> dict[str, frozenset[str]]:
    """Names registered as entry points, by kind (reads package metadata only, imports nothing).
    `everywhere=False` reads techrace's own only: enough for every shipped name, and 20-50 ms faster."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for point in _points(everywhere):
        kind, _, name = point.name.partition(".")
        if name:
            found.setdefault(kind, set()).add(name)
    return {kind: frozenset(names) for kind, names in found.items()}


def known_policy_names(ruleset: Any = None, everywhere: bool = True) -> dict[str, set[str]]:
    """Every policy name a ruleset may use, by actor kind: the registered ones plus those it defines.
    `ruleset` is a Ruleset, its data as a mapping, or None for the registered names only."""
    names = {kind: set(found) for kind, found in registered_policy_names(everywhere).items()}
    data: Mapping[str, Any] = {}
    if isinstance(ruleset, Mapping):
        data = ruleset
    elif ruleset is not None and hasattr(ruleset, "model_dump"):
        data = ruleset.model_dump(mode="json", by_alias=True)
    for source in RULESET_POLICY_SOURCES:
        for kind, name in source(data):
            names.setdefault(kind, set()).add(name)
    return names
