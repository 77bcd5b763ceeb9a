"""WorldModel: the Mesa model that plays one quarter per step.

Turn order: controls timeline and shocks → decisions (the player's actions, computer players) →
licensing → talent → tools → fabrication (construction, R&D, usable capacity) → chips (wafers, HBM,
packaging, sales) → labs → learning and accounting → metrics and victory.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from techrace.core import apply as actions_apply
from techrace.core.actions import Action, validate_action
from techrace.core.agents import ChipFirm, Foundry, Lab, Nation, Regulator, ToolMaker
from techrace.core.events import Event
from techrace.core.markets import chips, hbm, packaging, talent, tools, wafers
from techrace.core.mechanisms import controls, economy, fabrication, labs, shocks, timeline, victory
from techrace.core.metrics import nation_metrics
from techrace.core.state import WorldState, build_state
from techrace.core.static import build_static
from techrace.ruleset import Ruleset, load_ruleset, quarter_label

RD_LUCK_SIGMA = 0.35       # spread of a quarter's R&D progress (P)
CAPITAL_LUCK_SIGMA = 0.04  # spread of a lab's quarterly capital growth (P)


class WorldModel(mesa.Model):
    """The world of one game. All mutable numbers live in `self.state` (see state.py)."""

    def __init__(self, ruleset: Ruleset | str = "baseline", rng: Any = None, player: str | None = None,
                 state: WorldState | None = None, collect: bool = False, **kwargs: Any):
        super().__init__(rng=rng, **kwargs)
        self.ruleset = load_ruleset(ruleset) if isinstance(ruleset, str) else ruleset
        self.static = build_static(self.ruleset)
        fresh = build_state(self.static)
        if state is None:
            # the start quarter as it stands before the first turn: usable capacity, runs, capability
            state = build_state(self.static)
            fabrication.update_usable(self.static, state)
            labs.training_runs(self.static, state)
        self.state = state
        self.player = player
        self.outcome: victory.Outcome | None = None
        self.turn_events: list[Event] = []
        self.pending_actions: list[Action] = []
        self.turn_cache: dict[object, object] = {}
        self._group_cache: dict[object, list] = {}
        self.metrics_now: dict[str, np.ndarray] | None = None
        self.luck: dict[str, np.ndarray] = {}
        self.start_capacity = np.array([fresh.capacity[self.static.site_foundry == f].sum() + fresh.hbm_tsv_wpm[self.static.site_foundry == f].sum()
                                        for f in range(len(self.static.foundries))])
        self.start_engineers = fresh.eng_target.copy()
        self.start_compute = fresh.compute.copy()
        self.talent_reference = talent.talent_units(self.static, fresh)
        self.domestic_share = self._domestic_share()
        self._make_agents()
        self.collect = collect
        self.datacollector = mesa.DataCollector(model_reporters={
            "world_compute_h100e": lambda m: float(m.state.compute.sum()),
            "world_accelerators": lambda m: float(m.state.accel_quarter.sum()),
            "max_capability": lambda m: float(m.state.capability.max()),
        })
        self._refresh_views()

    # ------------------------------------------------------------------ set-up
    def _make_agents(self) -> None:
        rs, st = self.ruleset, self.static
        self.nation_agents = [Nation(self, i, c) for i, c in enumerate(st.nations)]
        self.regulator_agents = [Regulator(self, i, r, rs.regulators[r].policy) for i, r in enumerate(st.regulators)]
        self.foundry_agents = [Foundry(self, i, f, rs.foundries[f].policy) for i, f in enumerate(st.foundries)]
        self.toolmaker_agents = [ToolMaker(self, i, t, rs.toolmakers[t].policy) for i, t in enumerate(st.toolmakers)]
        self.chip_firm_agents = [ChipFirm(self, i, c, rs.chip_firms[c].policy) for i, c in enumerate(st.chip_firms)]
        self.lab_agents = [Lab(self, i, lab, rs.labs[lab].policy) for i, lab in enumerate(st.labs)]

    def _domestic_share(self) -> np.ndarray:
        rs, st = self.ruleset, self.static
        return np.array([rs.foundries[st.foundries[st.site_foundry[i]]].sites[sid].domestic_tool_share
                         for i, sid in enumerate(st.sites)])

    def _refresh_views(self) -> None:
        s = self.state
        self.quarter = quarter_label(s.turn, self.static.start_quarter) if s.turn else self.static.start_quarter
        self.licences = controls.compute_licences(self.static, s)
        self.eligible = chips.eligibility(self.static, s)
        self.talent = talent.talent_index(self.static, s, self.talent_reference)
        self.metrics_before = nation_metrics(self.static, s)
        self.ai_share = self._ai_share()

    def _ai_share(self) -> np.ndarray:
        market = self.ruleset.market
        base = np.array([market.ai_share_of_node.get(node, 0.0) for node in self.static.nodes])
        return np.minimum(base * (1.0 + market.ai_share_growth_per_quarter) ** max(self.state.turn - 1, 0),
                          np.maximum(base, market.ai_share_max))

    def is_ai(self, nation: int) -> bool:
        return self.player is None or self.static.nations[nation] != self.player

    # ------------------------------------------------------------------ the turn
    def step(self) -> None:
        actions, self.pending_actions = self.pending_actions, []
        self.play_turn(actions)
        if self.collect:
            self.datacollector.collect(self)

    def play_turn(self, player_actions: list[Action]) -> None:
        st, s = self.static, self.state
        s.turn += 1
        self.turn_cache.clear()
        self.quarter = quarter_label(s.turn - 1, st.start_quarter)
        self.ai_share = self._ai_share()
        self.metrics_before = self.metrics_now if self.metrics_now is not None else nation_metrics(st, s)
        self.metrics_now = None
        events: list[Event] = []
        s.revenue_last = s.revenue.copy()
        for name in ("revenue", "wafers_sold", "accel_quarter", "bought_h100e", "grey_h100e", "subsidy"):
            getattr(s, name)[...] = 0.0
        events += timeline.advance_controls(st, s, self.quarter)
        valid = [a for a in player_actions if not validate_action(self.ruleset, a, self.control_owners())]
        military = [(a.nation, a.params["shock"]) for a in valid if a.kind == "military"]
        shocks.recover(st, s)
        events += shocks.fire_shocks(st, s, self.rng, self.quarter, self.metrics_before, military)
        self.luck = self._draw_luck()
        events += self._decide(valid)
        events += self._markets()
        self.turn_events = events
        self.metrics_now = nation_metrics(st, s)
        self.outcome = victory.check(st, s, self.quarter, s.turn >= self.ruleset.turns, self.metrics_now)
        if self.outcome is not None:
            events.append(Event(s.turn, self.quarter, "victory", self.outcome.reason, self.outcome.kind, (self.outcome.winner,)))

    def _decide(self, player_actions: list[Action]) -> list[Event]:
        st, s = self.static, self.state
        events: list[Event] = []
        for action in player_actions:
            events += actions_apply.apply_action(self, action)
            events.append(Event(s.turn, self.quarter, "action", action.describe(), "the player's order", (action.nation,)))
        for policy, agents in self._groups(self.nation_agents, lambda a: self.is_ai(a.index)):
            for action in policy(self, agents) or []:
                events += actions_apply.apply_action(self, action)
        ai_regulator = lambda a: self.is_ai(st.nations.index(self.ruleset.regulators[a.code].nation))  # noqa: E731
        for policy, agents in self._groups(self.regulator_agents, ai_regulator):
            events += policy(self, agents) or []
        self.licences = controls.compute_licences(st, s)
        self.eligible = chips.eligibility(st, s)
        self.talent = talent.talent_index(st, s, self.talent_reference)
        self.tool_orders = np.zeros((len(st.sites), s.tools.shape[2]))
        self.lab_budget = np.zeros(len(st.labs))
        for group in (self.foundry_agents, self.toolmaker_agents, self.chip_firm_agents, self.lab_agents):
            for policy, agents in self._groups(group):
                events += policy(self, agents) or []
        return events

    def _groups(self, agents: list, include: Any = None) -> list[tuple[Any, np.ndarray]]:
        """Agents of one kind grouped by policy (in order of first appearance), as index arrays.
        Policies and the player are fixed for a game, so the grouping is computed once."""
        key = (id(agents), include is not None)
        if key not in self._group_cache:
            self._group_cache[key] = self._group(agents, include)
        return self._group_cache[key]

    def _group(self, agents: list, include: Any) -> list[tuple[Any, np.ndarray]]:
        groups: dict[str, tuple[Any, list[int]]] = {}
        for agent in agents:
            if include is None or include(agent):
                groups.setdefault(agent.policy_name, (agent.policy, []))[1].append(agent.index)
        return [(policy, np.array(indices, dtype=np.int64)) for policy, indices in groups.values()]

    def _markets(self) -> list[Event]:
        st, s = self.static, self.state
        events: list[Event] = []
        lic = self.licences
        talent.graduates_and_retirement(st, s)
        talent.migrate(st, s)
        talent.hire(st, s)
        for source, target in talent.poach_stars(st, s, self.rng):
            events.append(Event(s.turn, self.quarter, "talent",
                                f"{st.employers[target]} poaches a star engineer from {st.employers[source]}",
                                "a pay offer its rival's enforcement did not stop", (st.employers[target], st.employers[source])))
        self.talent = talent.talent_index(st, s, self.talent_reference)
        blocked = tools.tools_market(st, s, lic, self.tool_orders, self.domestic_share)
        tools.record_tool_cutoff(st, s, blocked, self.tool_orders)
        fabrication.advance_construction(s)
        foundry_talent = self.talent[: len(st.foundries)]
        bonus = self._espionage_bonus()
        for fi, m, on_duv in fabrication.research(st, s, s.rd_budget, foundry_talent, bonus, self.luck["rd"]):
            how = " on DUV multi-patterning" if on_duv else ""
            events.append(Event(s.turn, self.quarter, "technology", f"{st.foundries[fi]} masters {st.nodes[m]}{how}",
                                "years of funded process R&D", (st.foundries[fi],)))
        for fi, level in fabrication.hbm_research(st, s, s.rd_budget, foundry_talent, self.luck["rd"]):
            gen = st.hbm_generations[list(st.hbm_level).index(level)]
            events.append(Event(s.turn, self.quarter, "technology", f"{st.foundries[fi]} reaches {gen}", "HBM R&D", (st.foundries[fi],)))
        fabrication.update_usable(st, s)
        halted = shocks.halted_sites(st, s)
        planned_units = s.target_units[s.sku_firm.astype(np.int64)] * s.sku_share
        planned_units[len(s.sku_names):] = 0.0
        planned_dies = np.maximum(planned_units * s.sku_dies * 1.05 - s.die_stock, 0.0)
        wafers.wafer_market(st, s, lic, planned_dies, self.ai_share, halted)
        made = hbm.hbm_production(st, s, halted)
        stacks_needed = np.bincount(s.sku_firm.astype(np.int64), weights=planned_units * s.sku_stacks, minlength=len(st.chip_firms))
        need_level = self._hbm_need_level(planned_units)
        boost = st.ruleset.market.stockpile_boost * lic.stockpile[st.chip_firm_nation]
        hbm.hbm_market(st, s, lic, made, stacks_needed, need_level, boost)
        packaging.assemble(st, s, planned_units, halted)
        labs.retire_accelerators(st, s)
        chips.chip_market(st, s, lic, self.lab_budget, labs.power_room(st, s), self.eligible)
        fabrication.learn(st, s, s.wafers_sold + self._non_ai_wafers(), foundry_talent)
        labs.training_runs(st, s)
        labs.grow_capital(st, s, self.luck["capital"])
        labs.espionage_catch_up(st, s)
        shortfall = wafers.other_customers(st, s, self.ai_share, halted)
        economy.update_gdp(st, s, shortfall)
        economy.update_budgets(st, s)
        s.power_gw += s.power_buildout
        capex_share = np.array([self.ruleset.foundries[f].capex_share_of_revenue for f in st.foundries])
        s.cash += s.revenue * capex_share
        return events

    def _draw_luck(self) -> dict[str, np.ndarray]:
        """This quarter's random factors, drawn in one fixed order and shape whatever happens, so a
        seed's stream never depends on the course of the game: R&D outcomes (lognormal, median 1)
        and lab capital (funding rounds, sentiment)."""
        st = self.static
        return {
            "rd": self.rng.lognormal(0.0, RD_LUCK_SIGMA, len(st.foundries)),
            "tool_dev": self.rng.lognormal(0.0, RD_LUCK_SIGMA, (len(st.toolmakers), self.state.tools.shape[2])),
            "capital": self.rng.lognormal(0.0, CAPITAL_LUCK_SIGMA, len(st.labs)),
        }

    def _non_ai_wafers(self) -> np.ndarray:
        st, s = self.static, self.state
        return st.site_to_foundry @ (s.usable * 3.0 * (1.0 - self.ai_share[None, :]))

    def _hbm_need_level(self, planned: np.ndarray) -> np.ndarray:
        st, s = self.static, self.state
        level = np.full(len(st.chip_firms), np.inf)
        uses = (planned > 0) & (s.sku_stacks > 0)
        np.minimum.at(level, s.sku_firm.astype(np.int64)[uses], s.sku_hbm_level[uses])
        return np.where(np.isfinite(level), level, 0.0)

    def _espionage_bonus(self) -> np.ndarray:
        """R&D progress from stolen know-how: only for foundries with enough experienced engineers."""
        st, s = self.static, self.state
        nf = len(st.foundries)
        experienced = s.eng[:nf, 0] * np.minimum(1.0, s.exp[:nf, 0] / 5.0)
        execution = np.minimum(1.0, experienced / max(st.ruleset.technology.espionage_execution_threshold, 1.0))
        execution = np.where(experienced >= st.ruleset.technology.espionage_execution_threshold, execution, 0.0)
        return 0.02 * s.espionage[st.foundry_nation] * execution

    # ------------------------------------------------------------------ controls
    def control_owners(self) -> dict[str, str]:
        return {rid: rule["regulator"] for rid, rule in self.state.controls.items()}

    def enact(self, rule_id: str, cause: str) -> list[Event]:
        s = self.state
        if s.control_status.get(rule_id) == "active":
            return []
        actions_apply.apply_enactment(self, rule_id)
        rule = s.controls[rule_id]
        effect = actions_apply.consequence(self, rule)
        text = timeline.rule_label({**rule, "description": rule.get("description") or rule_id}) + (f": {effect}" if effect else "")
        return [Event(s.turn, self.quarter, "control", text, cause, (rule["regulator"], rule_id))]
