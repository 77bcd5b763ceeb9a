"""What limits a nation's compute and capability now, read from what the markets did last quarter.

The advisor's panel asks one question of the last quarter played: why did the nation's labs not add more
compute? Their accelerator budget (`lab_chip_budget`) split three ways: what they spent (money was the
limit: **capital**), what they turned away because their power room ran out (**power**, with compute left
idle for want of power), and what found no accelerator they could buy (**chips**). The chips share is then
traced up the chain through the chip firms the labs may buy from: accelerators planned but not built for
want of good dies (**wafers**), **HBM** or **packaging** (`units_planned`, `short_*`, recorded in
markets/packaging.py). Two links are read from the state directly: advanced fab capacity idle for want of
healthy tools (**tools and servicing**: wear where servicing is barred, orders blocked by export controls)
and engineers the nation's firms want but have not hired (**talent**).

Each constraint says how binding it is (0..1, the share of the nation's lab money or output it accounts
for), the shortfall with its unit, one line with the numbers and the levers that loosen it. Read-only over
the model; no face is imported. docs/architecture.md ("The advisor's constraints") gives each source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from techrace.core.markets.chips import eligibility
from techrace.core.metrics import ADVANCED_NM
from techrace.ruleset.schema import TOOL_KINDS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

POWER_EXHAUSTED = 0.02  # a lab whose power room is used up to this share left was stopped by power (a reading threshold)


@dataclass(frozen=True)
class Constraint:
    """One link of the chain and how hard it binds the nation now."""

    name: str                 # chips, hbm, packaging, wafers, tools, power, capital, talent
    label: str                # in words, e.g. "Tools and servicing"
    binding: float            # 0 (slack) .. 1 (all of it)
    shortfall: float          # the figure behind it, in `unit`
    unit: str
    explanation: str          # one line with the numbers
    levers: tuple[str, ...]   # lever kinds that loosen it (empty: none of the nation's own)
    remedy: str               # the lever in words, e.g. "Subsidy to SMIC"


def constraints(model: WorldModel, nation: str) -> list[Constraint]:
    """Every constraint on `nation`, most binding first (ties in the chain's order)."""
    st = model.static
    n = st.nations.index(nation)
    found = _lab_money(model, n) + [_tools(model, n), _talent(model, n)]
    order = {c.name: i for i, c in enumerate(found)}
    return sorted(found, key=lambda c: (-round(c.binding, 6), order[c.name]))


# ---------------------------------------------------------------------------------------------- lab money


def _lab_money(model: WorldModel, n: int) -> list[Constraint]:
    st, s = model.static, model.state
    labs = st.lab_nation == n
    budget = s.lab_chip_budget[labs]
    total = float(budget.sum())
    if total <= 1e-9:
        return []  # no quarter recorded yet (or the nation has no labs with money)
    spent = np.minimum(s.chip_spend[labs], budget)
    unspent = budget - spent
    stopped = s.lab_power_left[labs] <= POWER_EXHAUSTED * s.lab_power_room[labs] + 1e-9
    turned_away = float(unspent[stopped].sum())
    found_nothing = float(unspent[~stopped].sum())
    compute = float(s.compute[labs].sum())
    idle = max(compute - float(s.usable_compute[labs].sum()), 0.0)
    chips_share = found_nothing / total
    out = [_capital(model, n, float(spent.sum()), total), _power(model, n, turned_away, total, idle, compute),
           _chips(model, n, found_nothing, total)]
    return out + _supply_chain(model, n, chips_share)


def _capital(model: WorldModel, n: int, spent: float, total: float) -> Constraint:
    labs = _names(model, model.static.labs, model.static.lab_nation == n)
    return Constraint("capital", "Capital", spent / total, spent, "USD bn spent",
                      f"your labs spent ${spent:,.1f} bn of ${total:,.1f} bn on accelerators: more money would buy more "
                      "while chips and power last", ("subsidy",), f"Subsidy to a lab ({labs})" if labs else "Subsidy to a lab")


def _power(model: WorldModel, n: int, turned_away: float, total: float, idle: float, compute: float) -> Constraint:
    s = model.state
    money, idle_share = turned_away / total, idle / compute if compute > 0 else 0.0
    text = (f"${turned_away:,.1f} bn of purchases found no power to run on; {idle_share:.0%} of installed compute "
            f"stands idle; {s.power_gw[n]:,.1f} GW of AI power, +{s.power_buildout[n]:,.2f} GW a quarter")
    if idle_share > money:
        return Constraint("power", "Power", idle_share, idle, "H100e idle", text, ("power_buildout",), "Power build-out")
    return Constraint("power", "Power", money, turned_away, "USD bn unspent", text, ("power_buildout",), "Power build-out")


def _chips(model: WorldModel, n: int, found_nothing: float, total: float) -> Constraint:
    st, s = model.static, model.state
    from techrace.core.state import CUTOFF_KINDS

    barred = float(s.cutoff[n, CUTOFF_KINDS.index("chips")])
    firms = _names(model, st.chip_firms, st.chip_firm_nation == n)
    text = (f"${found_nothing:,.1f} bn of your labs' ${total:,.1f} bn found no accelerator in stock they may buy; "
            f"export controls bar {barred:.0%} of the designs on offer")
    remedy = f"Subsidy to {firms} (more accelerators)" if firms else "no chip firm at home to subsidise"
    return Constraint("chips", "Chips", found_nothing / total, found_nothing, "USD bn unspent", text,
                      ("subsidy",) if firms else (), remedy)


def _supply_chain(model: WorldModel, n: int, chips_share: float) -> list[Constraint]:
    """Wafers, HBM and packaging: the accelerators the labs' legal suppliers planned but could not build."""
    st, s = model.static, model.state
    weight = _supplier_weight(model, n)
    planned = float((weight * s.units_planned).sum())
    if planned <= 1e-9:
        return []
    from techrace.core.state import CUTOFF_KINDS

    stages = (
        ("wafers", "Wafers", s.short_dies, CUTOFF_KINDS.index("wafers"), "good dies",
         _names(model, st.foundries, (st.foundry_nation == n) & (st.foundry_is_memory == 0)), "capacity and R&D"),
        ("hbm", "HBM", s.short_hbm, CUTOFF_KINDS.index("hbm"), "HBM stacks",
         _names(model, st.foundries, (st.foundry_nation == n) & (st.foundry_is_memory > 0)), "HBM lines"),
        ("packaging", "Packaging", s.short_packaging, None, "advanced packaging", _packagers(model, n), "packaging lines"),
    )
    out = []
    for name, label, short, cutoff, want, firms, what in stages:
        lost = float((weight * short).sum())
        share = lost / planned
        barred = f"; controls block {s.cutoff[n, cutoff]:.0%} of your firms' orders" if cutoff is not None else ""
        text = f"{_count(lost)} of {_count(planned)} accelerators your suppliers planned lacked {want}{barred}"
        remedy = f"Subsidy to {firms} ({what})" if firms else f"no {label.lower()} maker at home to subsidise"
        out.append(Constraint(name, label, chips_share * share, lost, "accelerators", text,
                              ("subsidy",) if firms else (), remedy))
    return out


def _supplier_weight(model: WorldModel, n: int) -> np.ndarray:
    """(chip_firm,) how far the nation's labs may legally buy each firm's designs (0..1)."""
    st, s = model.static, model.state
    labs = st.lab_nation == n
    legal = eligibility(st, s)[:, labs] * model.licences.chip_allowed[:, labs]
    per_sku = legal.max(axis=1, initial=0.0) * (s.sku_used > 0)
    weight = np.zeros(len(st.chip_firms))
    np.maximum.at(weight, s.sku_firm.astype(np.int64), per_sku)
    return weight


def _packagers(model: WorldModel, n: int) -> str:
    st, s = model.static, model.state
    has = np.zeros(len(st.foundries), dtype=bool)
    has[st.site_foundry[s.packaging > 0]] = True
    return _names(model, st.foundries, has & (st.foundry_nation == n))


# ---------------------------------------------------------------------------------------------- tools, talent


def _tools(model: WorldModel, n: int) -> Constraint:
    """Fab capacity on the nation's soil that stands idle for want of healthy tools (advanced nodes if any)."""
    st, s = model.static, model.state
    sites = st.site_nation == n
    nodes = st.node_nm <= ADVANCED_NM
    if not (s.capacity[sites][:, nodes] > 0).any():
        nodes = np.ones(len(st.nodes), dtype=bool)
    mastered = s.mastered[st.site_foundry] > 0
    running = (s.capacity * mastered * (1.0 - s.offline)[:, None])[sites][:, nodes].sum()
    usable = s.usable[sites][:, nodes].sum()
    idle = max(float(running - usable), 0.0)
    installed = s.tools[sites]
    count = float(installed.sum())
    health = float((installed * s.health[sites]).sum() / count) if count > 0 else 1.0
    unserviced = 1.0 - model.licences.service_allowed.transpose(1, 0, 2)[sites]
    no_service = float((installed * unserviced).sum() / count) if count > 0 else 0.0
    kinds = len(TOOL_KINDS)
    worst = int(np.argmax(s.cutoff[n, :kinds]))
    scope = "advanced (7 nm and below)" if nodes.sum() < len(st.nodes) else "all"
    text = (f"{_count(usable)} of {_count(running)} {scope} wafer starts a month have the tools to run; installed "
            f"tools at {health:.0%} health, {no_service:.0%} without servicing; controls block "
            f"{s.cutoff[n, worst]:.0%} of {TOOL_KINDS[worst].replace('_', ' ')} orders")
    makers = _names(model, st.toolmakers, st.toolmaker_nation == n)
    fabs = _names(model, st.foundries, (st.foundry_nation == n) & (st.foundry_is_memory == 0))
    remedy = f"Subsidy to {makers or fabs} ({'tool lines and development' if makers else 'more tools'})" if makers or fabs \
        else "no fab or toolmaker at home to subsidise"
    binding = idle / float(running) if running > 0 else 0.0
    return Constraint("tools", "Tools and servicing", binding, idle, "wafer starts/month idle", text,
                      ("subsidy",) if makers or fabs else (), remedy)


def _talent(model: WorldModel, n: int) -> Constraint:
    """Engineers the nation's firms and labs want in their own skill but have not hired."""
    from techrace.core.markets.talent import EMPLOYER_SKILL

    st, s = model.static, model.state
    mine = np.flatnonzero(st.employer_nation == n)
    skill = np.array([EMPLOYER_SKILL[st.employer_kind[e]] for e in mine], dtype=np.int64)
    have, want = float(s.eng[mine, skill].sum()), float(s.eng_target[mine, skill].sum())
    gap = max(want - have, 0.0)
    binding = gap / want if want > 0 else 0.0
    index = float(np.mean(model.talent[mine])) if len(mine) else 1.0
    text = (f"your firms and labs have {_count(have)} of the {_count(want)} engineers they want; talent index "
            f"{index:.2f} (1 = at start); visa openness {s.visa[n]:.2f}, pay {s.pay[n]:.2f}x the US")
    return Constraint("talent", "Talent", binding, gap, "engineers", text, ("pay_policy", "visa_policy"),
                      "Pay policy or visa policy")


# ---------------------------------------------------------------------------------------------- words


def _names(model: WorldModel, ids: list[str], mask: np.ndarray, limit: int = 2) -> str:
    """Up to `limit` display names of the ids where `mask` holds, e.g. "SMIC, Hua Hong" (empty: none)."""
    rs = model.static.ruleset
    groups = (rs.foundries, rs.toolmakers, rs.chip_firms, rs.labs)
    chosen = [ids[i] for i in np.flatnonzero(mask)]
    names = [next((g[i].name for g in groups if i in g), i) for i in chosen[:limit]]
    return ", ".join(names) + (" …" if len(chosen) > limit else "")


def _count(value: float) -> str:
    value = float(value)
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}{suffix}"
    return f"{value:,.0f}"
