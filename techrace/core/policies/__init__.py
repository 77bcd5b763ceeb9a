"""Decision policies by actor kind, selected by name in the ruleset (`policies:` or a per-actor
`policy:`). Register new ones here to swap in other computer players."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from techrace.core.policies import firms, nations
from techrace.errors import TechraceError

POLICIES: dict[str, dict[str, Callable[..., Any]]] = {
    "nation": {"default": nations.nation_default, "passive": nations.passive},
    "regulator": {"default": nations.regulator_default, "passive": nations.passive},
    "foundry": {"default": firms.foundry_default, "passive": firms.passive},
    "toolmaker": {"default": firms.toolmaker_default, "passive": firms.passive},
    "chip_firm": {"default": firms.chip_firm_default, "passive": firms.passive},
    "lab": {"default": firms.lab_default, "passive": firms.passive},
}


def policy_for(kind: str, name: str) -> Callable[..., Any]:
    try:
        return POLICIES[kind][name]
    except KeyError:
        known = ", ".join(sorted(POLICIES.get(kind, {})))
        raise TechraceError(f"unknown {kind} policy {name!r} (known: {known})") from None
