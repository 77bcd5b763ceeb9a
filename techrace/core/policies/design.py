"""Chip firms' designs: new accelerator generations on the best node they can get, and compliant variants.

Every `generation_quarters` a firm starts a successor to its best design: on the smallest node that one of
its foundries has mastered and may make its wafers on, with the best HBM generation a memory maker may sell
it. Performance scales with the node's transistor density and the firm's `architecture_gain`; power and
price follow (`design:`). So hardware progress is earned through the node ladder: a firm cut off from EUV
nodes or from HBM3E gets weaker, hungrier chips. When a threshold rule closes a market to every design a
firm has, it designs a compliant variant just under the threshold (the H20 response).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from techrace.core.events import Event
from techrace.core.state import SkuDesign, add_sku, free_sku

if TYPE_CHECKING:
    from techrace.core.model import WorldModel
    from techrace.core.static import Static


def retire(model: WorldModel) -> None:
    """Stop making designs past their retirement turn; free their slots once none are left in stock."""
    s = model.state
    s.sku_active = np.where(s.sku_retire_turn <= s.turn, 0.0, s.sku_active)
    done = (s.sku_used > 0) & (s.sku_active <= 0) & (s.accel_stock < 1.0) & (s.die_stock < 1.0)
    for k in done.nonzero()[0].tolist():
        free_sku(s, k)


def new_generations(model: WorldModel, idx: np.ndarray) -> list[Event]:
    """Start a successor design for every firm whose cadence says so."""
    static, s = model.static, model.state
    events: list[Event] = []
    for ci in idx[s.next_generation_turn[idx] <= s.turn]:
        ci = int(ci)
        s.next_generation_turn[ci] += static.ruleset.chip_firms[static.chip_firms[ci]].generation_quarters
        event = _successor(model, ci)
        if event is not None:
            events.append(event)
    return events


def _best_node(model: WorldModel, ci: int, parent: int, ready: int) -> tuple[int, str]:
    """Smallest node (index) that a preferred foundry has mastered, may make this firm's wafers on, and will
    offer AI capacity of at least `design.node_capacity_share` of the firm's wafer use when the design is ready."""
    static, s = model.static, model.state
    best, maker = int(s.sku_node[parent]), ""
    used = float(np.add.reduce(s.sku_wafers * (s.sku_firm == ci)))  # `.sum()`'s numbers, without its wrapper
    free, mastered = _free_capacity(model, max(ready - s.turn, 0))
    needed = static.ruleset.design.node_capacity_share * used
    for fid in static.ruleset.chip_firms[static.chip_firms[ci]].foundries:
        fi = static.foundries.index(fid)
        if model.licences.wafer_allowed[fi, parent] < 0.5:
            continue
        ok = (mastered[fi] & (free[fi] >= needed)).nonzero()[0]
        if len(ok) and int(ok[-1]) > best:  # the indices come sorted: the last is the largest
            best, maker = int(ok[-1]), fid
    return best, maker


def _capacity_by(model: WorldModel, quarters: int) -> np.ndarray:
    """(foundry, node) capacity standing `quarters` from now: once a quarter per horizon (fabs are not
    started while chip firms design), not once per design."""
    key = ("capacity_by", quarters)
    soon = model.turn_cache.get(key)
    if soon is None:
        static, s = model.static, model.state
        soon = model.turn_cache[key] = static.by_foundry(s.capacity + np.add.reduce(s.construction[:, :, :quarters], axis=2))
    return soon


def _free_capacity(model: WorldModel, quarters: int) -> tuple[np.ndarray, np.ndarray]:
    """(foundry, node) wafers a quarter of the capacity standing `quarters` from now that others have not
    booked, and the nodes each foundry has mastered: once a quarter per horizon, like `_capacity_by` (nothing
    a chip firm decides moves capacity, bookings or mastery), not once per foundry of every design."""
    key = ("free_capacity", quarters)
    found = model.turn_cache.get(key)
    if found is None:
        s = model.state
        found = model.turn_cache[key] = ((_capacity_by(model, quarters) - s.non_ai_wpm) * 3.0 - s.wafer_demand, s.mastered > 0)
    return found


def _best_hbm(model: WorldModel, ci: int) -> float:
    s = model.state
    allowed = model.licences.hbm_allowed[:, ci] > 0.5
    levels = s.hbm_level[allowed & (s.hbm_level > 0)]
    return float(np.maximum.reduce(levels)) if len(levels) else 0.0  # `.max()`'s number, without its wrapper


def _successor(model: WorldModel, ci: int) -> Event | None:
    static, s = model.static, model.state
    rules, firm = static.ruleset.design, static.ruleset.chip_firms[static.chip_firms[ci]]
    mine = ((s.sku_used > 0) & (s.sku_firm == ci) & (s.sku_compliant <= 0)).nonzero()[0]
    if len(mine) == 0:
        return None
    parent = int(mine[s.sku_tflops[mine].argmax()])  # np.argmax's index, without its Python wrapper
    ready = s.turn + rules.design_quarters
    node, foundry = _best_node(model, ci, parent, ready)
    density, ppw = _node_tables(static)
    old = int(s.sku_node.item(parent))
    # the parent's figures and the node ratios in plain floats: the IEEE operations numpy's scalars did, in the
    # same order, for less; the two powers stay numpy's (np.float64 ** float)
    gain = density[node] / max(density[old], 1e-9) * firm.architecture_gain
    efficiency = ppw[node] / max(ppw[old], 1e-9) * firm.architecture_gain
    hbm = _best_hbm(model, ci) if s.sku_stacks.item(parent) > 0 else 0.0
    when = model.quarter_of(ready)
    name = f"{static.chip_firms[ci]}-{when}"
    design = SkuDesign(
        name=name, firm=ci, node=node, die_area_mm2=float(s.sku_area.item(parent)), dies=int(s.sku_dies.item(parent)),
        transistors_b=float(s.sku_transistors.item(parent) * density[node] / max(density[old], 1e-9)),
        tflops=float(s.sku_tflops.item(parent) * gain), stacks=int(s.sku_stacks.item(parent)),
        hbm_level=hbm if hbm > 0 else float(s.sku_hbm_level.item(parent)),
        power_w=float(s.sku_power.item(parent) * np.float64(gain / max(efficiency, 1e-9)) ** rules.power_exponent),
        price_usd=float(max(s.sku_price.item(parent) * np.float64(gain) ** rules.price_exponent, rules.price_floor_usd)),
        ready_turn=int(ready))
    if add_sku(static, s, design) < 0:
        return None
    s.sku_retire_turn[mine] = np.minimum(s.sku_retire_turn[mine], ready + rules.retire_after_quarters)
    h100e = design.tflops * 16.0 / static.ruleset.technology.h100_tpp
    where = f" at {foundry}" if foundry else ""
    text = f"{firm.name} designs {name}: {static.nodes[node]}{where}, {h100e:.1f} H100e, ready {when}"
    return Event(s.turn, model.quarter, "technology", text,
                 f"its {firm.generation_quarters}-quarter design cadence; {static.nodes[node]} is the best node its foundries may make it on",
                 (static.chip_firms[ci],))


def _node_tables(static: Static) -> tuple[list[float], list[float]]:
    """Transistor density and performance per watt of every node as floats, once a game (do not change them)."""
    tables = static.cache.get("node_density_ppw")
    if tables is None:
        nodes = static.ruleset.technology.nodes
        tables = static.cache["node_density_ppw"] = ([float(nodes[n].transistor_density_mtr_mm2) for n in static.nodes],
                                                     [float(nodes[n].perf_per_watt) for n in static.nodes])
    return tables


def design_compliant(model: WorldModel, ci: int, skus: np.ndarray, nation: int) -> list[Event]:
    """A variant of the firm's best design just under the tightest active threshold for `nation`."""
    static, s = model.static, model.state
    code = static.nations[nation]
    firm_id = static.chip_firms[ci]
    best = int(skus[np.argmax(s.sku_tflops[skus])])
    name = f"{s.sku_names[best].split('-')[0]}-{code}"
    if name in s.sku_names:
        return []
    area = s.sku_area[best] * s.sku_dies[best]
    limit, rule_id = np.inf, ""
    for rid, rule in s.controls.items():
        if s.control_status.get(rid) != "active" or rule["kind"] != "chip_threshold" or code not in rule.get("destinations", []):
            continue
        allowed = compliant_tpp(rule, area, static.ruleset.design.compliant_margin)
        if allowed < limit:
            limit, rule_id = allowed, rid
    if not np.isfinite(limit) or limit <= 0:
        return []
    rules = static.ruleset.design
    tflops = limit / 16.0
    price = s.sku_price[best] * (tflops / max(s.sku_tflops[best], 1.0)) ** rules.price_exponent
    quarters = max(sku.design_quarters for sku in static.ruleset.chip_firms[firm_id].skus.values())
    design = SkuDesign(name, ci, int(s.sku_node[best]), float(s.sku_area[best]), int(s.sku_dies[best]),
                       float(s.sku_transistors[best]), tflops, int(s.sku_stacks[best]), float(s.sku_hbm_level[best]),
                       float(s.sku_power[best] * rules.compliant_power_factor), float(max(price, rules.price_floor_usd)),
                       s.turn + quarters, compliant=True)
    if add_sku(static, s, design) < 0:
        return []
    text = f"{static.ruleset.chip_firms[firm_id].name} designs {name} (TPP {tflops * 16:,.0f}) to sell to {code}"
    return [Event(s.turn, model.quarter, "market", text, f"{rule_id} closed {code} to its designs", (firm_id,))]


def compliant_tpp(rule: dict, die_area_mm2: float, margin: float = 0.95) -> float:
    """Highest TPP (with a margin) a design of this die area may have and stay outside the rule:
    below `tpp`, and either below `tpp_with_density` or below `density` x area."""
    cap = rule.get("tpp") if rule.get("tpp") is not None else np.inf
    low, density = rule.get("tpp_with_density"), rule.get("density")
    if low is None or density is None:
        return margin * cap
    by_density = min(cap, density * die_area_mm2)
    return margin * max(min(cap, low), by_density)
