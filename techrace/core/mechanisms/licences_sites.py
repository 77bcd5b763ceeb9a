"""What the licences' site part (`controls.compute_licences`) reads of the state, and the markets' views of it.

The site part of the licences (tools, servicing, HBM per site and maker) is kept by what it reads of the state:
per node threshold of a tool or servicing rule the sites that make or build a node at or below it, per bandwidth
threshold of an HBM rule the memory makers above it (`site_inputs`). Split from `controls` to keep it short.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static


def site_inputs(static: Static, s: WorldState, node_weights: tuple | None, bandwidths: np.ndarray | None) -> tuple[bytes, bytes]:
    """All the site part reads of the state, as bytes: per node threshold of a tool or servicing rule the sites that
    make or build a node at or below it; per bandwidth threshold of an HBM rule the memory makers whose best generation
    is above it. Kept by these rather than by every site's smallest node and maker's HBM level, the part survives a fab
    or a generation that crosses no threshold."""
    sites = makers = b""
    if node_weights is not None:  # sites with a node at or below t (`site_min_nm` at or below t): wafer starts are never
        # negative, so capacity and pipeline summed over those nodes are positive exactly where `site_nodes` holds for one
        by_capacity, by_pipeline = node_weights
        sites = (s.capacity @ by_capacity + s.construction.reshape(len(s.capacity), -1) @ by_pipeline > 0.0).tobytes()
    if bandwidths is not None:  # kept by the makers' HBM levels (they change a few times a game)
        makers = static.cache.get(key := ("licences/hbm makers", bandwidths.tobytes(), s.hbm_level.tobytes()))
        if makers is None:
            makers = static.cache[key] = (hbm_density(static, s)[:, None] > bandwidths).tobytes()
    return sites, makers


def site_views(static: Static, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add the chip and tool markets' views of a site part (see `controls.Licences`)."""
    out["tier_capped"] = np.flatnonzero(np.isfinite(out["tier_cap"]))
    out["tool_output_kept"] = (1.0 - out["mineral_loss"][static.toolmaker_nation])[:, None]
    out["tool_admitted"] = np.minimum(out["tool_allowed"], 1.0)
    grey = static.blocs.grey_servicing[:, None, None]
    out["tool_wear"] = (1.0 - out["service_allowed"].transpose(1, 0, 2)) * (1.0 - grey) * static.ruleset.technology.tool_service_decay_per_quarter
    out["tool_recovery"] = out["service_allowed"].transpose(1, 0, 2) * static.ruleset.industry.service_recovery_per_quarter
    return out


def hbm_density(static: Static, s: WorldState) -> np.ndarray:
    """Bandwidth density (GB/s/mm2) of each memory maker's best generation."""
    table = static.cache.get("hbm_level_density")
    if table is None:  # generation levels in order, and the best density of any generation up to each
        gens = static.ruleset.technology.hbm_generations.values()
        by_level = sorted({g.level: g.bandwidth_tb_s * 1000.0 / g.die_area_mm2 for g in gens}.items())
        levels = np.array([level for level, _ in by_level], dtype=np.float64)
        best = np.maximum.accumulate(np.array([density for _, density in by_level], dtype=np.float64))
        table = static.cache["hbm_level_density"] = (levels, np.concatenate([[0.0], best]))
    levels, best = table
    return best[levels.searchsorted(s.hbm_level, side="right")]  # np.searchsorted, without its wrapper


def intra_company_transfer(static: Static, tool_allowed: np.ndarray, share: float) -> None:
    """Sanctions bind sites, not companies: a listed site gets part of what its unlisted siblings may buy."""
    if share <= 0:
        return
    # the best any site of the same foundry may buy, per (maker, site, kind): a max over each foundry's sites
    grouping = static.cache.get("sites_by_foundry")
    if grouping is None:
        order = np.argsort(static.site_foundry, kind="stable")
        firms, starts = np.unique(static.site_foundry[order], return_index=True)
        grouping = static.cache["sites_by_foundry"] = (order, starts, np.searchsorted(firms, static.site_foundry))
    order, starts, firm_of_site = grouping
    per_firm = np.maximum.reduceat(tool_allowed[:, order, :], starts, axis=1)          # (maker, foundry, kind)
    best = np.maximum(per_firm[:, firm_of_site, :], 0.0)
    np.maximum(tool_allowed, share * best, out=tool_allowed)


def site_nodes(s: WorldState) -> np.ndarray:
    """(site, node): the site makes the node or is building it (`site_inputs` reads the same over node thresholds)."""
    return (s.capacity > 0) | (np.add.reduce(s.construction, axis=2) > 0)  # `.sum(axis=2)`, without its wrapper
