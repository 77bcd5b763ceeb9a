"""The tool market: production, licensed orders, deliveries after lead times, servicing and wear.

Orders of a site are split across the makers of each kind: sites of the China bloc buy their
domestic share from Chinese makers and the rest abroad; what licences block abroad is re-ordered from
domestic makers where any make the kind (substitution). Unserviced tools lose health each quarter
and are scrapped below a floor. Tools are conserved: produced = in stock + in transit + installed +
scrapped.
"""

from __future__ import annotations

import numpy as np

from techrace.core.mechanisms.controls import Licences
from techrace.core.state import CUTOFF_KINDS, WorldState
from techrace.core.static import Static

SERVICE_RECOVERY = 0.15


def supplier_weights(static: Static, s: WorldState, domestic_share: np.ndarray) -> np.ndarray:
    """(toolmaker, site, kind) share of each site's order placed with each maker, before licences."""
    cap = s.tool_capacity + s.tool_inventory
    maker_china = static.is_china_bloc[static.toolmaker_nation] > 0
    west = np.where(maker_china[:, None], 0.0, cap)
    china = np.where(maker_china[:, None], cap, 0.0)
    west_n = west / np.maximum(west.sum(axis=0), 1e-12)
    china_n = china / np.maximum(china.sum(axis=0), 1e-12)
    site_china = static.is_china_bloc[static.site_nation] > 0
    has_china = china.sum(axis=0) > 0
    dom = np.where(site_china[:, None] & has_china[None, :], domestic_share[:, None], 0.0)  # (site, kind)
    return west_n[:, None, :] * (1.0 - dom)[None, :, :] + china_n[:, None, :] * dom[None, :, :]


def tools_market(static: Static, s: WorldState, lic: Licences, orders: np.ndarray, domestic_share: np.ndarray) -> np.ndarray:
    """Clear one quarter; returns (site, kind) units blocked by licences (for the jigsaw)."""
    produced = s.tool_capacity * (1.0 - lic.mineral_loss[static.toolmaker_nation])[:, None]
    s.tools_produced += produced
    s.tool_inventory += produced
    weights = supplier_weights(static, s, domestic_share)
    legal = weights * lic.tool_allowed
    blocked = orders * (1.0 - legal.sum(axis=0))  # (site, kind)
    maker_china = static.is_china_bloc[static.toolmaker_nation] > 0
    china_cap = np.where(maker_china[:, None], s.tool_capacity + s.tool_inventory, 0.0)
    site_china = static.is_china_bloc[static.site_nation] > 0
    reroute = china_cap / np.maximum(china_cap.sum(axis=0), 1e-12)  # (maker, kind)
    demand = orders[None, :, :] * legal
    demand += np.where(site_china[None, :, None], reroute[:, None, :] * blocked[None, :, :], 0.0)
    total = demand.sum(axis=1)
    fill = np.where(total > 0, np.minimum(1.0, s.tool_inventory / np.maximum(total, 1e-12)), 0.0)
    shipped = demand * fill[:, None, :]
    s.tool_backlog = np.maximum(total - s.tool_inventory, 0.0)
    s.tool_inventory -= shipped.sum(axis=1)
    s.tool_inventory = np.maximum(s.tool_inventory, 0.0)
    value = shipped * s.tool_price[:, None, :] / 1000.0  # USD billions
    s.toolmaker_cash += value.sum(axis=(1, 2))
    np.subtract.at(s.cash, static.site_foundry, value.sum(axis=(0, 2)))
    lead = np.clip(s.tool_lead.astype(np.int64), 0, s.tool_pipeline.shape[3] - 1)
    for quarters in np.unique(lead):
        s.tool_pipeline[:, :, :, quarters] += shipped * (lead == quarters)[:, None, :]
    _deliver(s, lic)
    _service(static, s, lic)
    return blocked


def _deliver(s: WorldState, lic: Licences) -> None:
    arriving = s.tool_pipeline[:, :, :, 0]
    admitted = arriving * np.minimum(lic.tool_allowed, 1.0)
    s.tool_inventory += (arriving - admitted).sum(axis=1)
    new = admitted.transpose(1, 0, 2)
    total = s.tools + new
    s.health = np.where(total > 0, (s.tools * s.health + new) / np.maximum(total, 1e-12), 0.0)
    s.tools = total
    s.tool_pipeline[:, :, :, :-1] = s.tool_pipeline[:, :, :, 1:]
    s.tool_pipeline[:, :, :, -1] = 0.0


def _service(static: Static, s: WorldState, lic: Licences) -> None:
    tech = static.ruleset.technology
    serviced = lic.service_allowed.transpose(1, 0, 2)
    s.health = np.where(
        s.tools > 0,
        np.minimum(1.0, s.health + serviced * SERVICE_RECOVERY) - (1.0 - serviced) * tech.tool_service_decay_per_quarter,
        0.0,
    )
    scrap = (s.tools > 0) & (s.health < tech.tool_scrap_health)
    if scrap.any():
        s.tools_scrapped += np.where(scrap, s.tools, 0.0).sum(axis=0)
        s.tools = np.where(scrap, 0.0, s.tools)
        s.health = np.where(scrap, 0.0, s.health)


def record_tool_cutoff(static: Static, s: WorldState, blocked: np.ndarray, orders: np.ndarray) -> None:
    """Share of each nation's tool orders blocked, per kind (what the jigsaw responds to)."""
    b = static.site_to_nation @ blocked
    o = static.site_to_nation @ orders
    share = np.where(o > 0, b / np.maximum(o, 1e-12), 0.0)
    s.cutoff[:, : blocked.shape[1]] = np.maximum(share, s.cutoff[:, : blocked.shape[1]] * 0.8)


__all__ = ["CUTOFF_KINDS", "record_tool_cutoff", "supplier_weights", "tools_market"]
