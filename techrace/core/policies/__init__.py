"""Decision policies by actor kind, selected by name in the ruleset (`policies:` or a per-actor
`policy:`). Register new ones here to swap in other computer players."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from techrace.core.policies import chip_firms, foundries, labs, nations, toolmakers
from techrace.errors import TechraceError


def passive(model: Any, idx: Any) -> list:
    """A policy that decides nothing (for experiments: what if these actors stood still?)."""
    return []


POLICIES: dict[str, dict[str, Callable[..., Any]]] = {
    "nation": {"default": nations.nation_default, "passive": passive},
    "regulator": {"default": nations.regulator_default, "passive": passive},
    "foundry": {"default": foundries.foundry_default, "passive": passive},
    "toolmaker": {"default": toolmakers.toolmaker_default, "passive": passive},
    "chip_firm": {"default": chip_firms.chip_firm_default, "passive": passive},
    "lab": {"default": labs.lab_default, "passive": passive},
}


def policy_for(kind: str, name: str) -> Callable[..., Any]:
    try:
        return POLICIES[kind][name]
    except KeyError:
        known = ", ".join(sorted(POLICIES.get(kind, {})))
        raise TechraceError(f"unknown {kind} policy {name!r} (known: {known})") from None
