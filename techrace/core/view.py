"""Read-only tables of the world for user interfaces: lists of dicts, one per actor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from techrace.core.markets.chips import h100_equivalents
from techrace.core.mechanisms.economy import gdp_index
from techrace.core.mechanisms.fabrication import die_yield, effective_d0, research_target
from techrace.core.mechanisms.shocks import halted_sites
from techrace.core.metrics import ADVANCED_NM, nation_metrics
from techrace.ruleset.schema import TOOL_KINDS

if TYPE_CHECKING:
    from techrace.core.model import WorldModel

REFERENCE_DIE_MM2 = 600.0


class WorldView:
    """Tables for UIs; every value is a plain number or string."""

    def __init__(self, model: WorldModel):
        self._m = model

    def nations(self) -> list[dict[str, Any]]:
        st, s = self._m.static, self._m.state
        met = nation_metrics(st, s)
        gdp = gdp_index(s)
        rows = []
        for i, code in enumerate(st.nations):
            best = met["best_node_nm"][i]
            rows.append({
                "nation": code, "name": st.ruleset.nations[code].name,
                "compute_h100e": float(met["ai_compute_h100e"][i]), "capability": float(s.capability[i]),
                "best_node_nm": None if not np.isfinite(best) else float(best),
                "advanced_wpm": float(met["advanced_wafer_starts"][i]), "engineers": float(met["engineers"][i]),
                "budget_usd_b": float(s.budget[i]), "gdp_index": float(gdp[i]), "power_gw": float(s.power_gw[i]),
                "centralisation": float(s.centralisation[i]), "visa": float(s.visa[i]), "pay": float(s.pay[i]),
            })
        return rows

    def foundries(self) -> list[dict[str, Any]]:
        st, s = self._m.static, self._m.state
        d0 = effective_d0(st, s)
        rows = []
        for fi, fid in enumerate(st.foundries):
            sites = st.site_foundry == fi
            mastered = np.flatnonzero(s.mastered[fi] > 0)
            best = int(mastered.max()) if len(mastered) else -1
            target = research_target(st, s, fi)
            rows.append({
                "foundry": fid, "name": st.ruleset.foundries[fid].name, "nation": st.ruleset.foundries[fid].nation,
                "kind": st.ruleset.foundries[fid].kind,
                "best_node": st.nodes[best] if best >= 0 else "-",
                "capacity_wpm": float(s.capacity[sites].sum()), "usable_wpm": float(s.usable[sites].sum()),
                "hbm_tsv_wpm": float(s.hbm_tsv_wpm[sites].sum()),
                "yield_600mm2": float(die_yield(np.array(REFERENCE_DIE_MM2), np.array(d0[fi, best]), st.ruleset.technology.yield_model)) if best >= 0 else 0.0,
                "d0": float(d0[fi, best]) if best >= 0 else 0.0,
                "researching": st.nodes[target] if target >= 0 and st.foundry_is_memory[fi] == 0 else "-",
                "rd_progress": float(s.rd_progress[fi, target]) if target >= 0 else 1.0,
                "cash_usd_b": float(s.cash[fi]), "grants_owed_usd_b": float(s.site_grant[sites].sum()),
                "hbm_level": float(s.hbm_level[fi]),
                "stars": float(s.stars[fi]),
            })
        return rows

    def sites(self) -> list[dict[str, Any]]:
        """One row per fab site, whoever owns it: where a fab grant's fabs go, what a blockade halts."""
        st, s = self._m.static, self._m.state
        building = s.construction.sum(axis=2)
        advanced = st.node_nm <= ADVANCED_NM
        halted = halted_sites(st, s)
        rows = []
        for i, sid in enumerate(st.sites):
            fid = st.foundries[int(st.site_foundry[i])]
            made = np.flatnonzero(s.capacity[i] > 0)
            rows.append({
                "site": sid, "owner": st.ruleset.foundries[fid].name, "nation": st.nations[int(st.site_nation[i])],
                "best_node": st.nodes[int(made.max())] if len(made) else "-",
                "capacity_wpm": float(s.capacity[i].sum()), "advanced_wpm": float(s.capacity[i, advanced].sum()),
                "building_wpm": float(building[i].sum()), "grant_owed_usd_b": float(s.site_grant[i]),
                "usable_wpm": float(s.usable[i].sum()), "halted": "halted" if halted[i] else "-",
                "hbm_tsv_wpm": float(s.hbm_tsv_wpm[i]),
            })
        return rows

    def chip_firms(self) -> list[dict[str, Any]]:
        st, s = self._m.static, self._m.state
        h100e = h100_equivalents(st, s)
        rows = []
        for k, name in enumerate(s.sku_names):
            if not name:
                continue
            ci = int(s.sku_firm[k])
            rows.append({
                "firm": st.chip_firms[ci], "sku": name, "node": st.nodes[int(s.sku_node[k])],
                "tpp": float(s.sku_tflops[k] * 16.0), "h100e": float(h100e[k]), "hbm_stacks": float(s.sku_stacks[k]),
                "ready": bool(s.sku_ready_turn[k] <= s.turn), "in_production": bool(s.sku_active[k] > 0),
                "share": float(s.sku_share[k]),
                "built_last_quarter": float(s.accel_quarter[k]), "sold_total": float(s.accel_sold[k]),
                "in_stock": float(s.accel_stock[k]),
            })
        return rows

    def labs(self) -> list[dict[str, Any]]:
        st, s = self._m.static, self._m.state
        return [{
            "lab": lab, "name": st.ruleset.labs[lab].name, "nation": st.ruleset.labs[lab].nation,
            "compute_h100e": float(s.compute[i]), "usable_h100e": float(s.usable_compute[i]),
            "power_gw": float(s.lab_power[i]), "capital_usd_b": float(s.capital[i]),
            "largest_site_h100e": float(s.usable_compute[i] * s.site_share[i]), "algorithmic_multiplier": float(10.0 ** s.algo_log10[i]),
            "bought_h100e_last_quarter": float(s.bought_h100e[i]), "grey_h100e_last_quarter": float(s.grey_h100e[i]),
        } for i, lab in enumerate(st.labs)]

    def toolmakers(self) -> list[dict[str, Any]]:
        st, s = self._m.static, self._m.state
        rows = []
        for ti, tid in enumerate(st.toolmakers):
            lines = {kind: float(s.tool_capacity[ti, k]) for k, kind in enumerate(TOOL_KINDS) if s.tool_capacity[ti, k] > 0}
            developing = {kind: float(s.tool_dev[ti, k]) for k, kind in enumerate(TOOL_KINDS) if s.tool_dev[ti, k] >= 0}
            rows.append({
                "toolmaker": tid, "name": st.ruleset.toolmakers[tid].name, "nation": st.ruleset.toolmakers[tid].nation,
                "lines": ", ".join(f"{k} {v:.0f}/q" for k, v in lines.items()) or "-",
                "developing": ", ".join(f"{k} {v:.0%}" for k, v in developing.items()) or "-",
                "backlog": float(s.tool_backlog[ti].sum()), "installed_base": float(s.tools[:, ti].sum()),
            })
        return rows

    def controls(self) -> list[dict[str, Any]]:
        s = self._m.state
        return [{
            "control": rid, "regulator": rule["regulator"], "kind": rule["kind"], "status": s.control_status[rid],
            "destinations": ", ".join(rule.get("destinations", [])) or "-", "description": rule.get("description", ""),
        } for rid, rule in s.controls.items()]
