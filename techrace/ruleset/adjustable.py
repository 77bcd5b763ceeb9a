"""The state a ruleset's `adjust` effects may act on: field name -> its axes, the bounds its values keep,
and what it means.

A modder's shock (or victory condition, with conditions) needs no Python: `{kind: adjust, field: visa,
where: {nation: CN}, op: set, value: 0, for_quarters: 4}`. Only numbers an actor's decisions read are
listed; accounting totals, pipelines and designs are left out, because changing them would break the
conservation checks or describe nothing in the world. The core's state (`techrace.core.state.ARRAY_AXES`)
must hold each field with these axes (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass

INF = float("inf")


@dataclass(frozen=True)
class Adjustable:
    """`flow` fields are set anew by the model every quarter (a budget, a lab's spending), so an adjustment
    of one is applied again each quarter it lasts; other fields are stocks the model carries from quarter
    to quarter, so an adjustment is applied once and undone when it ends."""

    axes: tuple[str, ...]
    low: float
    high: float
    meaning: str
    flow: bool = False


ADJUSTABLE: dict[str, Adjustable] = {
    # nations
    "budget": Adjustable(("nation",), 0.0, INF, "government budget for industrial policy this quarter (USD bn)", flow=True),
    "power_gw": Adjustable(("nation",), 0.0, INF, "power available to AI datacentres (GW)"),
    "visa": Adjustable(("nation",), 0.0, 1.0, "openness to foreign engineers and researchers (0-1)"),
    "pay": Adjustable(("nation",), 0.0, 5.0, "pay of engineers relative to the US (x)"),
    "espionage": Adjustable(("nation",), 0.0, 1.0, "effort to copy rivals' algorithms (0-1)"),
    "anti_poaching": Adjustable(("nation",), 0.0, 1.0, "enforcement against rivals' espionage and poaching (0-1)"),
    "centralisation": Adjustable(("nation",), 0.0, 1.0, "share of the nation's compute pooled for its best lab"),
    "pool": Adjustable(("nation", "skill"), 0.0, INF, "engineers looking for work, by skill"),
    # sites
    "capacity": Adjustable(("site", "node"), 0.0, INF, "installed wafer capacity (wafers a month) by node"),
    "offline": Adjustable(("site",), 0.0, 1.0, "share of the site's capacity offline (recovers at `offline_recovery`)"),
    "packaging": Adjustable(("site",), 0.0, INF, "advanced packaging capacity (CoWoS-class wafers a month)"),
    "hbm_tsv_wpm": Adjustable(("site",), 0.0, INF, "HBM through-silicon-via capacity (wafers a month)"),
    # foundries and memory makers
    "d0": Adjustable(("foundry", "node"), 0.0, INF, "defect density (defects per cm2): lower means better yield"),
    "cash": Adjustable(("foundry",), -INF, INF, "cash on hand (USD bn)"),
    "subsidy": Adjustable(("foundry",), 0.0, INF, "government subsidy received this quarter (USD bn)", flow=True),
    "hbm_yield": Adjustable(("foundry",), 0.0, 1.0, "HBM stack yield"),
    # toolmakers
    "tool_capacity": Adjustable(("toolmaker", "tool_kind"), 0.0, INF, "tools the toolmaker can make a quarter, by kind"),
    "tool_price": Adjustable(("toolmaker", "tool_kind"), 0.0, INF, "price of a tool (USD m), by kind"),
    "tool_inventory": Adjustable(("toolmaker", "tool_kind"), 0.0, INF, "finished tools in stock, by kind"),
    "toolmaker_cash": Adjustable(("toolmaker",), -INF, INF, "cash on hand (USD bn)"),
    # chip firms
    "chip_subsidy": Adjustable(("chip_firm",), 0.0, INF, "government subsidy spent on extra output this quarter (USD bn)", flow=True),
    "hbm_stock": Adjustable(("chip_firm",), 0.0, INF, "HBM stacks in stock"),
    # labs
    "capital": Adjustable(("lab",), 0.0, INF, "money the lab spends a quarter on compute (USD bn)", flow=True),
    "capital_growth": Adjustable(("lab",), -1.0, 1.0, "investors' growth of the lab's capital a quarter"),
    "algo_log10": Adjustable(("lab",), -INF, INF, "log10 of the lab's algorithmic efficiency (1 = ten times 2025Q1's)"),
    "lab_power": Adjustable(("lab",), 0.0, INF, "power the lab's clusters may draw (GW)"),
    "lab_subsidy": Adjustable(("lab",), 0.0, INF, "grants spent on compute this quarter (USD bn)", flow=True),
    # people: employers are every foundry, toolmaker, chip firm and lab
    "eng": Adjustable(("employer", "skill"), 0.0, INF, "engineers employed, by skill"),
    "stars": Adjustable(("employer",), 0.0, INF, "star engineers and researchers employed"),
}

# Which axes a `where:` key may select on, besides the field's own axes: actors by the nation they belong
# to, and sites by the foundry that owns them.
NATION_AXES = ("site", "foundry", "toolmaker", "chip_firm", "lab", "employer")
OWNER_AXES = {"site": "foundry"}
OPS = ("set", "add", "scale")


def selectors(field: str) -> tuple[str, ...]:
    """The `where:` keys an adjustment of `field` accepts."""
    axes = ADJUSTABLE[field].axes
    keys = list(axes)
    if "nation" not in axes and any(a in NATION_AXES for a in axes):
        keys.append("nation")
    keys += [OWNER_AXES[a] for a in axes if a in OWNER_AXES and OWNER_AXES[a] not in axes]
    return tuple(keys)


def reference_table() -> str:
    """The markdown table of adjustable fields for docs/modding.md (kept in step by a test)."""
    lines = ["| field | `where:` keys | bounds | kind | meaning |", "|---|---|---|---|---|"]
    for name, spec in ADJUSTABLE.items():
        bounds = f"{_bound(spec.low)} … {_bound(spec.high)}"
        kind = "flow (applied each quarter)" if spec.flow else "stock (applied once, undone at the end)"
        lines.append(f"| `{name}` | {', '.join(selectors(name))} | {bounds} | {kind} | {spec.meaning} |")
    return "\n".join(lines)


def _bound(value: float) -> str:
    return "∞" if value == INF else "−∞" if value == -INF else f"{value:g}"
