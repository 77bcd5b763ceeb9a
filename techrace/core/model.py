"""WorldModel: the Mesa model that plays one quarter per step.

Turn order: controls timeline and shocks → decisions (the player's actions, computer players) →
licensing → talent → tools → fabrication (construction, R&D, usable capacity) → chips (wafers, HBM,
packaging, sales) → labs → learning and accounting → metrics and victory.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from techrace.core import decisions
from techrace.core.actions import Action, validate_action
from techrace.core.agents import ChipFirm, Foundry, Lab, Nation, Regulator, ToolMaker
from techrace.core.events import Event
from techrace.core.levers.controls import consequence
from techrace.core.markets import chips, hbm, packaging, talent, tools, wafers
from techrace.core.mechanisms import (
    controls,
    diaspora,
    economy,
    fabrication,
    finance,
    forecast,
    labs,
    research,
    shocks,
    timeline,
    victory,
)
from techrace.core.metrics import nation_metrics
from techrace.core.policies import check_defaults
from techrace.core.state import WorldState, build_state
from techrace.core.static import Static, static_for
from techrace.ruleset import Ruleset, load_ruleset, quarter_label


@dataclass(frozen=True)
class Start:
    """What every game of a ruleset starts from, worked out once per ruleset (a pure function of it) and copied
    into each game: the start quarter as it stands before the first turn (usable capacity, runs, capability,
    money), and what the start sets as references (never played: a new game plays a copy of `state`)."""

    state: WorldState
    research_ref: research.ResearchReference
    market_start: finance.MarketStart
    capacity: np.ndarray        # (foundry,) wafer and HBM capacity at start
    domestic_share: np.ndarray  # (site,) share of tools bought from the site's own bloc


def start_of(static: Static) -> Start:
    """The ruleset's start, shared by its games' Statics (built with the first of them)."""
    start = static.shared.get("start")
    if start is None:
        start = static.shared["start"] = _build_start(static)
    return start


def _build_start(static: Static) -> Start:
    rs, fresh = static.ruleset, build_state(static)
    capacity = np.array([fresh.capacity[static.site_foundry == f].sum() + fresh.hbm_tsv_wpm[static.site_foundry == f].sum()
                         for f in range(len(static.foundries))])
    fabrication.update_usable(static, fresh)
    labs.usable_compute(static, fresh)
    research_ref = research.reference(static, fresh)
    labs.training_runs(static, fresh)
    market_start = finance.market_start(static, fresh)
    finance.start(static, fresh, market_start)
    fresh.recent_gain[:] = rs.finance.investor_hurdle  # investors start neither euphoric nor let down
    domestic = np.array([rs.foundries[static.foundries[static.site_foundry[i]]].sites[sid].domestic_tool_share
                         for i, sid in enumerate(static.sites)])
    return Start(fresh, research_ref, market_start, capacity, domestic)


def _copy_state(state: WorldState) -> WorldState:
    """A copy as `copy.deepcopy` makes it (each array in its own memory layout) in a fraction of its time."""
    out = WorldState.__new__(WorldState)
    out.__dict__.update({k: v.copy(order="K") if type(v) is np.ndarray else _copy_plain(v) for k, v in state.__dict__.items()})
    return out


def _copy_plain(value: Any) -> Any:
    """A deep copy of plain data (a state's records: dicts and lists of strings and numbers); else `copy.deepcopy`."""
    kind = type(value)
    if kind is dict:
        return {k: _copy_plain(v) for k, v in value.items()}
    if kind is list:
        return [_copy_plain(v) for v in value]
    return value if kind is str or kind is int or kind is float or kind is bool or value is None else copy.deepcopy(value)


class WorldModel(mesa.Model):
    """The world of one game. All mutable numbers live in `self.state` (see state.py)."""

    def __init__(self, ruleset: Ruleset | str = "baseline", rng: Any = None, player: str | None = None,
                 state: WorldState | None = None, collect: bool = False, static: Any = None, **kwargs: Any):
        super().__init__(rng=rng, **kwargs)
        self.ruleset = load_ruleset(ruleset) if isinstance(ruleset, str) else ruleset
        self.static = static if static is not None and static.ruleset is self.ruleset else static_for(self.ruleset)
        start = start_of(self.static)
        self.research_ref, self.market_start = start.research_ref, copy.deepcopy(start.market_start)
        if state is None:
            state = _copy_state(start.state)
        self.state = state
        self.player = player
        self.outcome: victory.Outcome | None = None
        self.turn_events: list[Event] = []
        self.pending_actions: list[Action] = []
        self.turn_cache: dict[object, object] = {}
        self._group_cache: dict[object, Any] = {}
        self.metrics_now: dict[str, np.ndarray] | None = None
        self.luck: dict[str, np.ndarray] = {}
        self.start_capacity = start.capacity.copy()
        self.start_engineers = start.state.eng_target.copy()
        self.start_compute = start.state.compute.copy()
        self.talent_reference = talent.talent_units(self.static, start.state)
        self.domestic_share = start.domestic_share.copy()
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
        check_defaults(rs)
        self.nation_agents = [Nation(self, i, c, rs.nations[c].policy) for i, c in enumerate(st.nations)]
        self.regulator_agents = [Regulator(self, i, r, rs.regulators[r].policy) for i, r in enumerate(st.regulators)]
        self.foundry_agents = [Foundry(self, i, f, rs.foundries[f].policy) for i, f in enumerate(st.foundries)]
        self.toolmaker_agents = [ToolMaker(self, i, t, rs.toolmakers[t].policy) for i, t in enumerate(st.toolmakers)]
        self.chip_firm_agents = [ChipFirm(self, i, c, rs.chip_firms[c].policy) for i, c in enumerate(st.chip_firms)]
        self.lab_agents = [Lab(self, i, lab, rs.labs[lab].policy) for i, lab in enumerate(st.labs)]

    def _refresh_views(self) -> None:
        s = self.state
        self.quarter = quarter_label(s.turn, self.static.start_quarter) if s.turn else self.static.start_quarter
        self.licences = controls.compute_licences(self.static, s)
        self.eligible = chips.eligibility(self.static, s)
        self.talent = talent.talent_index(self.static, s, self.talent_reference)
        self.metrics_before = nation_metrics(self.static, s)
        self.ai_share = self._ai_share()

    def _ai_share(self) -> np.ndarray:
        """(site, node) share of capacity AI accelerators may book this quarter (see wafers.ai_share)."""
        return wafers.ai_share(self.static, self.state).take(self.static.site_foundry, axis=0)  # each site's foundry's row (as the fancy index)

    def quarter_of(self, turn: int) -> str:
        """The calendar quarter that turn `turn` plays."""
        return quarter_label(int(turn) - 1, self.static.start_quarter)

    def is_ai(self, nation: int) -> bool:
        return self.player is None or self.static.nations[nation] != self.player

    def in_game(self, nation: int) -> bool:
        """A collapsed nation is out of the game: it decides nothing more."""
        return self.state.collapsed[nation] <= 0

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
        for name in ("revenue", "wafers_sold", "accel_quarter", "bought_h100e", "grey_h100e", "subsidy", "researcher_inflow"):
            getattr(s, name).fill(0.0)  # as `[...] = 0.0`, cheaper
        self.activated: list[str] = []
        events += timeline.advance_controls(st, s, self.quarter, self.activated)
        valid = [a for a in player_actions if not validate_action(self.ruleset, a, self.control_owners())]
        military = [(a.nation, a.params["shock"]) for a in valid if a.kind == "military"] + [tuple(m) for m in s.military_orders]
        s.military_orders = []
        shocks.recover(st, s)
        events += shocks.fire_shocks(st, s, self.rng, self.quarter, self.metrics_before, military, self.enact)
        self.luck = self._draw_luck()
        self.military_orders: list[tuple[str, str]] = []
        events += decisions.decide(self, valid)
        s.military_orders = [list(m) for m in self.military_orders]  # computer players' moves fire next quarter
        events += self._markets()
        self._count_new_controls()
        self.metrics_now = nation_metrics(st, s)
        player = st.nations.index(self.player) if self.player is not None else None
        self.outcome, ended = victory.check(st, s, self.quarter, s.turn >= self.ruleset.turns, self.metrics_now, player)
        events += ended
        if self.outcome is not None:
            events.append(Event(s.turn, self.quarter, "victory", self.outcome.reason, self.outcome.kind, (self.outcome.winner,)))
        self.turn_events = events

    def _markets(self) -> list[Event]:
        """Every market and mechanism after the decisions, in the order of the causal chain."""
        st, s = self.static, self.state
        events = self._talent()
        blocked = tools.tools_market(st, s, self.licences, self.tool_orders, self.domestic_share)
        tools.record_tool_cutoff(st, s, blocked, self.tool_orders)
        events += self._fabs()
        self._chips()
        events += self._labs()
        shortfall = wafers.other_customers(st, s, self.ai_share, shocks.halted_sites(st, s))
        wafers.grow_non_ai(st, s)
        economy.update_gdp(st, s, shortfall)
        economy.update_budgets(st, s)
        s.power_gw += s.power_buildout
        capex_share = st.cache.get("capex_share")
        if capex_share is None:  # once a game
            capex_share = st.cache["capex_share"] = np.array([self.ruleset.foundries[f].capex_share_of_revenue for f in st.foundries])
        s.cash += s.revenue * capex_share
        return events

    def _talent(self) -> list[Event]:
        st, s = self.static, self.state
        events: list[Event] = []
        talent.graduates_and_retirement(st, s)
        diaspora.arrive(s, talent.migrate(st, s))
        diaspora.go_home(st, s)
        talent.hire(st, s)
        for source, target in talent.poach_stars(st, s, self.rng):
            events.append(Event(s.turn, self.quarter, "talent",
                                f"{talent.employer_name(st, target)} poaches a star engineer from "
                                f"{talent.employer_name(st, source)}",
                                "a pay offer its rival's enforcement did not stop", (st.employers[target], st.employers[source])))
        self.talent = talent.talent_index(st, s, self.talent_reference)
        return events

    def _fabs(self) -> list[Event]:
        """Construction, node and HBM R&D, then the capacity the tools can run."""
        st, s = self.static, self.state
        events: list[Event] = []
        fabrication.advance_construction(s)
        foundry_talent = self.talent[: len(st.foundries)]
        bonus = self._espionage_bonus()
        eff = fabrication.effective_tools(s)  # the tools stay as the tool market left them all phase
        for fi, m, on_duv in fabrication.research(st, s, s.rd_budget, foundry_talent, bonus, self.luck["rd"], eff):
            how = " on DUV multi-patterning" if on_duv else ""
            events.append(Event(s.turn, self.quarter, "technology", f"{st.foundries[fi]} masters {st.nodes[m]}{how}",
                                "years of funded process R&D", (st.foundries[fi],)))
        for fi, level in fabrication.hbm_research(st, s, s.rd_budget, foundry_talent, self.luck["rd"]):
            gen = st.hbm_generations[list(st.hbm_level).index(level)]
            events.append(Event(s.turn, self.quarter, "technology", f"{st.foundries[fi]} reaches {gen}", "HBM R&D", (st.foundries[fi],)))
        fabrication.update_usable(st, s, eff)
        return events

    def _chips(self) -> None:
        """Wafers, HBM and packaging become accelerators; every demand seen feeds the firms' forecasts."""
        st, s = self.static, self.state
        lic, rules = self.licences, self.ruleset.industry.forecast
        halted = shocks.halted_sites(st, s)
        firm, used = s.sku_firm.astype(np.int64), s.sku_used > 0  # the designs in their slots stay put all phase
        live = used & (s.sku_active > 0)
        planned_units = s.target_units[firm] * s.sku_share * live
        planned_dies = np.maximum(planned_units * s.sku_dies * self.ruleset.industry.die_overorder - s.die_stock, 0.0)
        # retired designs still package the dies they hold
        planned_units = np.where(live, planned_units, np.where(used, s.die_stock / np.maximum(s.sku_dies, 1.0), 0.0))
        duv = fabrication.foundry_duv_share(st, s)  # usable capacity is fixed for the quarter once the fabs ran
        wafers.wafer_market(st, s, lic, planned_dies, self.ai_share, halted, duv)
        made = hbm.hbm_production(st, s, halted)
        stacks_needed = np.bincount(firm, weights=planned_units * s.sku_stacks, minlength=len(st.chip_firms))
        boost = self.ruleset.market.stockpile_boost * lic.stockpile[st.chip_firm_nation]
        hbm.hbm_market(st, s, lic, made, stacks_needed, self._hbm_need_level(planned_units), boost)
        packaging.assemble(st, s, planned_units, halted, stacks_needed)
        s.ai_wafer_demand = np.add.reduce(s.wafer_demand, axis=1)  # each foundry's whole: what fab building forecasts
        forecast.observe_all(s, ("wafer", "ai_wafer", "hbm", "packaging", "tool"), rules)  # only next quarter's plans read them
        labs.retire_accelerators(st, s)
        room, power_before = labs.power_room(st, s), s.lab_power.copy()
        chips.chip_market(st, s, lic, self.lab_budget, room, self.eligible)
        # for the advisor (core/constraints.py): what labs had to spend and the power room they had and left
        s.lab_chip_budget, s.lab_power_room, s.lab_power_left = self.lab_budget / 1e9, room, room - (s.lab_power - power_before)
        s.unit_demand = np.bincount(firm, weights=s.sku_wanted * used, minlength=len(st.chip_firms))
        fabrication.learn(st, s, s.wafers_sold + self._non_ai_wafers(), self.talent[: len(st.foundries)], duv)

    def _labs(self) -> list[Event]:
        """Power-limited compute, research, training runs and capability, then the labs' money."""
        st, s = self.static, self.state
        labs.usable_compute(st, s)
        research.advance(st, s, self.research_ref, self.luck["research"])
        before = s.lab_capability.copy()
        labs.training_runs(st, s)
        finance.update(st, s, self.market_start, s.lab_capability - before, self.luck["capital"])
        s.domestic_share = self._domestic_share_seen()
        return []

    def _domestic_share_seen(self) -> np.ndarray:
        """Each nation's smoothed share of its new accelerators made at home (kept where it bought none):
        a few nations, so in plain Python floats (the same operations in the same order as the arrays)."""
        s, smoothing = self.state, self.ruleset.finance.expectation_smoothing
        seen = []
        for bought, home, old in zip(s.accel_bought.tolist(), s.accel_domestic.tolist(), s.domestic_share.tolist(), strict=True):
            share = home / (1e-12 if 1e-12 > bought else bought) if bought > 0 else old  # np.maximum's choice, NaN kept
            seen.append(smoothing * share + (1.0 - smoothing) * old)
        return np.array(seen, dtype=np.float64)

    def _draw_luck(self) -> dict[str, np.ndarray]:
        """This quarter's random factors, drawn in one fixed order and shape whatever happens, so a
        seed's stream never depends on the course of the game: R&D outcomes (lognormal, median 1),
        lab research output and lab capital (funding rounds, sentiment)."""
        st, rs = self.static, self.ruleset
        sigma = rs.technology.rd_luck_sigma
        return {
            "rd": self.rng.lognormal(0.0, sigma, len(st.foundries)),
            "tool_dev": self.rng.lognormal(0.0, sigma, (len(st.toolmakers), self.state.tools.shape[2])),
            "capital": self.rng.lognormal(0.0, rs.finance.capital_luck_sigma, len(st.labs)),
            "research": self.rng.lognormal(0.0, rs.research.luck_sigma, len(st.labs)),
        }

    def _non_ai_wafers(self) -> np.ndarray:
        st, s = self.static, self.state
        return st.by_foundry(s.usable * wafers.MONTHS * (1.0 - self.ai_share))

    def _hbm_need_level(self, planned: np.ndarray) -> np.ndarray:
        """Each chip firm's lowest HBM generation among the designs it plans with stacks (0 with none): a few
        designs, so plain Python (np.minimum.at's numbers)."""
        st, s = self.static, self.state
        level = [np.inf] * len(st.chip_firms)
        firms, levels = s.sku_firm.tolist(), s.sku_hbm_level.tolist()
        for k in ((planned > 0) & (s.sku_stacks > 0)).nonzero()[0].tolist():
            f = int(firms[k])
            level[f] = min(level[f], levels[k])
        return np.array([value if math.isfinite(value) else 0.0 for value in level])

    def _espionage_bonus(self) -> np.ndarray:
        """R&D progress from stolen know-how: only for foundries with enough experienced engineers.

        bonus x espionage x min(1, experienced / threshold) where experienced = engineers x min(1, years /
        years needed) reaches the threshold: a few foundries, so in plain Python floats (np.minimum's
        choices, NaN kept, and the same operations in the same order)."""
        st, s = self.static, self.state
        nf = len(st.foundries)
        industry = st.ruleset.industry
        years, bonus = industry.espionage_experience_years, industry.espionage_rd_bonus
        threshold = st.ruleset.technology.espionage_execution_threshold
        scale, spying = max(threshold, 1.0), s.espionage.tolist()
        out = []
        for eng, exp, n in zip(s.eng[:nf, 0].tolist(), s.exp[:nf, 0].tolist(), st.foundry_nation.tolist(), strict=True):
            seasoned = exp / years
            experienced = eng * (1.0 if 1.0 <= seasoned else seasoned)
            share = experienced / scale
            out.append(bonus * spying[n] * ((1.0 if 1.0 <= share else share) if experienced >= threshold else 0.0))
        return np.array(out, dtype=np.float64)

    # ------------------------------------------------------------------ controls
    def control_owners(self) -> dict[str, str]:
        return {rid: rule["regulator"] for rid, rule in self.state.controls.items()}

    def enact(self, rule_id: str, cause: str) -> list[Event]:
        """Put a rule in force now (its one-off consequences included) and say what it does to whom."""
        s = self.state
        if s.control_status.get(rule_id) == "active":
            return []
        s.control_status[rule_id] = "active"
        rule = s.controls[rule_id]
        timeline.on_activate(self.static, s, rule)
        getattr(self, "activated", []).append(rule_id)
        effect = consequence(self, rule)
        label = timeline.rule_label({**rule, "description": rule.get("description") or rule_id}, timeline.regulator_names(self.static))
        text = label + (f": {effect}" if effect else "")
        return [Event(s.turn, self.quarter, "control", text, cause, (rule["regulator"], rule_id))]

    def lift(self, rule_id: str, cause: str) -> list[Event]:
        """End a rule; it stays lifted (its dates no longer bring it back) until enacted again."""
        s = self.state
        if s.control_status.get(rule_id) != "active":
            return []
        s.control_status[rule_id] = "lifted"
        regulator = s.controls[rule_id]["regulator"]
        name = timeline.regulator_names(self.static).get(regulator, regulator)
        return [Event(s.turn, self.quarter, "control", f"{name} lifts {rule_id}", cause, (regulator, rule_id))]

    def _count_new_controls(self) -> None:
        """Rules that began to bind each nation this quarter, issued by a rival's regulator (what computer
        players react to next quarter)."""
        st, s = self.static, self.state
        counts = np.zeros(len(st.nations))
        for rule_id in self.activated:
            rule = s.controls[rule_id]
            issuer = st.nations.index(self.ruleset.regulators[rule["regulator"]].nation)
            for code in rule.get("destinations", []):
                if code in st.nations and st.blocs.rival[st.nations.index(code), issuer]:
                    counts[st.nations.index(code)] += 1.0
        s.new_controls_against = counts
