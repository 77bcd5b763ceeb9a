"""Decision policies by actor kind, selected by name in the ruleset (`policies:` or an actor's `policy:`).

A name is either a Python policy — techrace's own or a plug-in's, registered as an entry point in the group
`techrace.policies` named `<kind>.<name>` — or a personality the ruleset defines in
`policies.personalities`: a Python policy with parameters given in YAML (hawkish, dovish, autarkic ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from techrace.core.policies import chip_firms, foundries, labs, nations, toolmakers
from techrace.errors import TechraceError
from techrace.ruleset.schema import NationPolicyParams, RegulatorPolicyParams, Ruleset


def passive(model: Any, idx: Any, params: Any = None) -> list:
    """A policy that decides nothing (for experiments: what if these actors stood still?)."""
    return []


BUILT_IN: dict[str, dict[str, Callable[..., Any]]] = {
    "nation": {"default": nations.nation_default, "passive": passive},
    "regulator": {"default": nations.regulator_default, "passive": passive},
    "foundry": {"default": foundries.foundry_default, "passive": passive},
    "toolmaker": {"default": toolmakers.toolmaker_default, "passive": passive},
    "chip_firm": {"default": chip_firms.chip_firm_default, "passive": passive},
    "lab": {"default": labs.lab_default, "passive": passive},
}
PARAMS: dict[str, type[BaseModel]] = {"nation": NationPolicyParams, "regulator": RegulatorPolicyParams}


@lru_cache(maxsize=1)
def registered() -> dict[str, dict[str, Callable[..., Any]]]:
    """techrace's own policies plus every plug-in registered under the `techrace.policies` entry points."""
    found = {kind: dict(policies) for kind, policies in BUILT_IN.items()}
    for point in sorted(entry_points(group="techrace.policies"), key=lambda p: p.name):
        kind, _, name = point.name.partition(".")
        if name and name not in found.setdefault(kind, {}):
            found[kind][name] = point.load()
    return found


POLICIES = BUILT_IN  # techrace's own, by kind (plug-ins: `registered()`)


@dataclass(frozen=True)
class Resolved:
    """What an actor's policy name stands for: a function and its parameters."""

    name: str
    function: Callable[..., Any]
    params: BaseModel | None


def policy_for(kind: str, name: str, ruleset: Ruleset | None = None) -> Resolved:
    """The function and parameters behind a policy or personality name."""
    personalities = ruleset.policies.personalities if ruleset is not None else {}
    params_model = PARAMS.get(kind)
    if name in personalities and personalities[name].kind == kind:
        person = personalities[name]
        function = _function(kind, person.policy)
        return Resolved(name, function, params_model.model_validate(person.params) if params_model else None)
    return Resolved(name, _function(kind, name), params_model() if params_model else None)


def _function(kind: str, name: str) -> Callable[..., Any]:
    known = registered().get(kind, {})
    if name not in known:
        raise TechraceError(f"unknown {kind} policy {name!r} (known: {', '.join(sorted(known))})")
    return known[name]


def check_defaults(ruleset: Ruleset) -> None:
    """TechraceError if a kind's default policy is unknown, even when every actor names its own (a mod may add one)."""
    for kind in BUILT_IN:
        policy_for(kind, getattr(ruleset.policies, kind), ruleset)
