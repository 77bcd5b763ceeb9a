"""The ruleset schema of rules over time and of winning: conditions, controls, regulators, shocks, victory, scoring, levers, personalities, calibration checks, policies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from techrace.ruleset.nested import validate_mapping
from techrace.ruleset.policies import PERSONALITY_KINDS
from techrace.ruleset.schema_types import (
    Code,
    NonNeg,
    Quarter,
    Share,
    Strict,
    quarter_index,
)

# ------------------------------------------------------------------------------------------- conditions


Metric = Literal[
    "ai_compute_h100e", "largest_training_run_flop", "capability", "best_node_nm", "advanced_wafer_starts",
    "accelerators_produced", "hbm_stacks_produced", "engineers", "gdp_index", "best_capability",
    "algorithmic_efficiency", "lab_capex_usd_b", "ai_revenue_usd_b", "datacenter_power_gw",
    "domestic_accelerator_share",
]


class Comparison(Strict):
    metric: Metric = Field(..., description="Per-nation metric (a column of `techrace run --out`)")
    nation: Code = Field(..., description="Nation whose metric is compared")
    op: Literal["gt", "ge", "lt", "le"] = Field("gt", description="Comparison operator")
    value: float | None = Field(None, description="Compare with this number")
    of_nation: Code | None = Field(None, description="Compare with this nation's value of the same metric, times `ratio`")
    ratio: float = Field(1.0, ge=0, description="Factor on the other nation's value")

    @model_validator(mode="after")
    def _one_target(self) -> Comparison:
        if (self.value is None) == (self.of_nation is None):
            raise ValueError("give exactly one of `value` or `of_nation`")
        return self


class Condition(Strict):
    """A data condition: a window of quarters and all/any comparisons. Never code."""

    from_quarter: Quarter | None = Field(None, alias="from", description="First quarter it can hold")
    until_quarter: Quarter | None = Field(None, alias="until", description="Last quarter it can hold")
    all: list[Comparison] = Field(default_factory=list, description="Comparisons that must all hold")
    any: list[Comparison] = Field(default_factory=list, description="At least one must hold (if any are given)")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ----------------------------------------------------------------------------------------------- controls


class ControlRule(Strict):
    """One trade-control rule of a regulator: on what leaves its nation (exports) or what enters it (imports).
    Which fields apply depends on `kind`."""

    regulator: Code = Field(..., description="Regulator that issues the rule")
    kind: Literal[
        "chip_threshold", "hbm", "foundry_rule", "tool_list", "servicing_ban", "entity_list", "country_tiers", "mineral",
    ] = Field(..., description="What the rule controls")
    scope: Literal["exports", "imports"] = Field("exports", description="exports: binds the regulator's sellers (and FDPR reach, named `sellers`) for buyers in `destinations`; imports: binds buyers in the regulator's own nation against foreign sellers (or the named `sellers`), and an entity_list bars the listed firms from selling into it (China's Micron ban and NVIDIA purchase curbs, calibration.md §4d; its domestic-equipment rule, §3d). Not for country_tiers or mineral")
    description: str = Field("", description="Human text for the event log")
    announced: Quarter | None = Field(None, description="Quarter the rule becomes known (buyers stockpile until it takes effect)")
    effective: Quarter | None = Field(None, description="Quarter it takes effect; none means not active unless a regulator or action enacts it")
    expires: Quarter | None = Field(None, description="Quarter it stops applying")
    when: Condition | None = Field(None, description="Data condition for a regulator to enact it (escalation step)")
    destinations: list[Code] = Field(default_factory=list, description="Nations whose buyers are controlled")
    sellers: list[Code] = Field(default_factory=list, description="Seller nations bound by it (default: the regulator's nation; FDPR reach adds others)")
    tpp: float | None = Field(None, ge=0, description="chip_threshold: controlled if TPP >= this")
    tpp_with_density: float | None = Field(None, ge=0, description="chip_threshold: or if TPP >= this and performance density >= `density`")
    density: float | None = Field(None, ge=0, description="chip_threshold: performance density (TPP/mm2) for the second test")
    bandwidth_density_gb_s_mm2: float | None = Field(None, ge=0, description="hbm: HBM controlled above this bandwidth density (GB/s/mm2)")
    node_nm_at_or_below: float | None = Field(None, ge=0, description="foundry_rule / tool_list: nodes at or below this (nm)")
    transistors_b: float | None = Field(None, ge=0, description="foundry_rule: packaged chips with at least this many transistors (billions) are presumed controlled")
    no_hbm_transistors_b: float | None = Field(None, ge=0, description="foundry_rule: chips without HBM pass below this many transistors (billions)")
    tool_kinds: list[Literal["euv", "arf_immersion", "etch", "deposition", "metrology"]] = Field(default_factory=list, description="tool_list / servicing_ban: tool kinds covered")
    entities: list[Code] = Field(default_factory=list, description="entity_list: firm ids (whole company) or site ids")
    tier_caps_h100e: dict[str, NonNeg] = Field(default_factory=dict, description="country_tiers: nation -> cap on accelerator imports per quarter (H100e); absent means unrestricted")
    licence_share: Share = Field(0.0, description="Share of controlled sales licensed anyway (licence exceptions)")
    licence_revenue_share: Share = Field(0.0, description="Share of licensed revenue paid to the regulator's government")
    mineral_cost_share: Share = Field(0.0, description="mineral: tool output lost in the target nations (share)")
    mineral_gdp_hit: float = Field(0.0, ge=0, le=0.2, description="mineral: one-off GDP loss in target nations (share)")

    @model_validator(mode="after")
    def _scope_fits_kind(self) -> ControlRule:
        if self.scope == "imports" and self.kind in ("country_tiers", "mineral"):
            raise ValueError(f"a {self.kind} rule controls exports only; `scope: imports` does not apply to it")
        return self


class RegulatorSpec(Strict):
    name: str | None = Field(None, min_length=1, max_length=80, description="Display name in rule labels and event texts, e.g. `US Commerce (BIS)`: shown where the id would be (before a rule's description, or in place of a description's first word when that word is the id). Default: the id, which rules, orders and saves keep using")
    nation: Code = Field(..., description="Nation whose regulator this is")
    enforcement: Share = Field(0.9, description="Share of controlled trade actually stopped (the rest leaks to the grey market)")
    fdpr_reach: list[Code] = Field(default_factory=list, description="Other seller nations its chip and tool rules bind (foreign direct product rules)")
    policy: str | None = Field(None, description="Decision policy name overriding the ruleset default")


# ------------------------------------------------------------------------------------------------- shocks


class Effect(Strict):
    kind: Literal[
        "capacity_offline", "export_halt", "gdp_shock", "capex_cut", "tool_breakthrough", "node_breakthrough", "enact_control",
        "adjust",
    ] = Field(..., description="What the effect does (adjust: set, add to or scale any adjustable state `field`)")
    nation: Code | None = Field(None, description="Nation hit (capacity_offline, export_halt)")
    share: Share = Field(0.0, description="Share of capacity offline (capacity_offline) or capital cut (capex_cut)")
    recovery_quarters: int = Field(0, ge=0, le=80, description="Quarters to recover linearly (0 = until the shock ends)")
    quarters: int = Field(4, ge=1, le=80, description="Duration (export_halt, capex_cut) or quarters over which a GDP hit is spread")
    world_gdp: float = Field(0.0, ge=-0.5, le=0.5, description="gdp_shock: change of world GDP over `quarters` (e.g. -0.05)")
    nations_gdp: dict[str, float] = Field(default_factory=dict, description="gdp_shock: per-nation change overriding the world figure")
    firm: Code | None = Field(None, description="Firm affected (tool_breakthrough, node_breakthrough)")
    tool_kind: Literal["euv", "arf_immersion", "etch", "deposition", "metrology"] | None = Field(None, description="tool_breakthrough: kind now produced")
    units_per_quarter: NonNeg = Field(0.0, description="tool_breakthrough: new production capacity")
    node: str | None = Field(None, description="node_breakthrough: node the firm masters")
    control: Code | None = Field(None, description="enact_control: control rule id enacted")
    field: str | None = Field(None, description="adjust: the state field changed (the table in docs/modding.md, 'Effects in data')")
    op: Literal["set", "add", "scale"] = Field("add", description="adjust: set the field to `value`, add `value` to it, or multiply it by `value`")
    value: float = Field(0.0, description="adjust: the number `op` uses")
    where: dict[str, Code] = Field(default_factory=dict, description="adjust: which entries, by axis (e.g. {nation: CN}, {lab: DEEPSEEK}, {site: FAB18, node: N3}); none means all")
    for_quarters: int = Field(0, ge=0, le=80, description="adjust: quarters it lasts before it is undone (0: for good)")


class ShockSpec(Strict):
    description: str = Field(..., description="Human text for the event log")
    at: Quarter | None = Field(None, description="Scheduled quarter")
    probability_per_quarter: Share = Field(0.0, description="Chance each quarter when not scheduled")
    when: Condition | None = Field(None, description="Condition that must hold for it to fire")
    lasts_quarters: int = Field(4, ge=1, le=80, description="How long the shock state lasts")
    once: bool = Field(True, description="Fires at most once")
    effects: list[Effect] = Field(..., min_length=1, description="What happens")
    triggered_by_action: bool = Field(False, description="Only a military move by a nation can fire it")



class VictoryCondition(Strict):
    """A way for a nation to win (or, for `collapse`, to drop out), checked every quarter."""

    kind: Literal["lead", "parity", "threshold", "self_sufficiency", "economic_share", "collapse", "condition"] = Field(..., description="lead: ahead of every rival by `value` on `metric`; parity: no more than `value` behind the best rival; threshold: `metric` at least `value`; self_sufficiency: at least `value` of the nation's new accelerators designed and made at home (and within `within` of the best rival on `metric`, if set); economic_share: at least `value` of the GDP of itself and its rivals; collapse: `metric` below `value` takes the nation out of the game; condition: the data condition `when` holds (any metrics of any nations) for the nations listed")
    nations: list[Code] = Field(default_factory=list, description="Nations it applies to (empty: every nation)")
    rivals: list[Code] = Field(default_factory=list, description="Nations compared against (empty: every other nation still in the game)")
    metric: Metric = Field("capability", description="Per-nation metric compared")
    value: float = Field(0.0, description="Margin, threshold or share, as `kind` says")
    within: float | None = Field(None, ge=0, description="self_sufficiency: also no more than this far behind the best rival on `metric`")
    counts_while_exports_halted: bool = Field(True, description="self_sufficiency: whether a quarter in which a shock halts a nation's exports (a blockade, an invasion) counts; false: such a quarter breaks the run of quarters, since a home-made share reached because trade is halted is not self-reliance")
    when: Condition | None = Field(None, description="condition: what must hold (comparisons of any metric of any nation)")
    quarters: int = Field(1, ge=1, le=40, description="Consecutive quarters it must hold")
    from_quarter: Quarter | None = Field(None, alias="from", description="First quarter it can decide the game")
    description: str = Field("", description="Text for the goal panel and the end screen")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LeverRules(Strict):
    """What the levers cost and how fast they act."""

    centralisation_step_per_quarter: Share = Field(0.05, description="Most a nation's pooled share of compute can rise in one quarter (a national project takes years to wire up)")
    centralisation_cost_usd_per_h100e_quarter: NonNeg = Field(300.0, description="Budget cost per quarter of each pooled H100-equivalent (interconnect, co-location) (USD)")
    centralisation_rent_share: Share = Field(0.0, description="Share of the market price of compute (finance `revenue_per_h100e_quarter_usd`) the state pays the labs each quarter for every H100e it pools beyond the start share (0: directed without pay; 1: rented at market price, paid to the labs as income). The labs give that compute's training use to the national run either way (and serve its model)")
    grant_share_of_capex: float = Field(0.1, gt=0.0, le=1.0, description="Share of a fab's whole cost a fab grant pays: a grant of G USD bn to a foundry for a site brings G / this share of the fabs it builds to that site (what a foundry asks to build away from home, where a fab costs more)")
    grant_max_node_nm: float = Field(7.0, gt=0.0, le=1000.0, description="A fab grant moves only fabs on nodes of at most this many nm (the advanced fabs a grant is for); the foundry's other fabs go where they would")
    retaliation_gdp_hit_per_share: float = Field(0.02, ge=0.0, le=1.0, description="One-off GDP loss in the target per unit of tool output share a mineral rule takes")
    preview_quarters: int = Field(1, ge=1, le=8, description="Quarters a preview plays ahead, with and without the order, to show its expected effect")


class Scoring(Strict):
    """The end score that ranks every nation when no victory condition decides the game."""

    weights: dict[Metric, float] = Field(default_factory=lambda: {"capability": 1.0}, description="Score = sum of weight x metric at the final quarter")


class NationPolicyParams(Strict):
    """How a nation's computer player (or a player's advisor) decides: the knobs of the `default` nation policy."""

    jigsaw_trigger: Share = Field(0.05, description="Share of its orders a control must cut off before it answers (the jigsaw)")
    jigsaw_share: Share = Field(0.5, description="Share of its budget redirected to domestic substitutes for what was cut off")
    lab_support_gap: float = Field(1000.0, ge=0.0, le=1000.0, description="Capability points behind its best rival at which it starts paying its labs")
    lab_support_share: Share = Field(0.0, description="Share of its budget paid to its labs (split by their compute) while that far behind")
    power_short_threshold: Share = Field(0.85, description="Share of its AI power its labs draw at which it counts as short of power")
    power_share_when_short: Share = Field(0.15, description="Share of its budget put into extra power while short")
    centralise_gap: float = Field(10.0, ge=0.0, le=1000.0, description="Capability points behind its best rival at which it pools more compute")
    centralisation_step: Share = Field(0.05, description="How much it raises its pooling target each quarter it is that far behind")
    centralisation_max: Share = Field(0.5, description="Most of its compute it will pool")
    centralisation_budget_share: Share = Field(0.5, description="Most of its quarterly budget it will spend on pooling (interconnect and rent, `levers.centralisation_rent_share`); it pools less when its compute outgrows that")
    retaliate: bool = Field(False, description="Answer a rival's new controls against it with its regulator's prepared retaliation (or a mineral rule)")
    retaliation_share: Share = Field(0.05, description="Tool output its own mineral rule takes from the rival when it has no prepared one")
    military_move: Code | None = Field(None, description="A military move (a shock triggered by action) it orders when the conditions below hold")
    military_when_behind: float = Field(1000.0, ge=0.0, le=1000.0, description="Capability points behind its best rival at which it orders the move")
    military_from: Quarter | None = Field(None, description="First quarter it would order the move")
    fab_grant_share: Share = Field(0.0, description="Share of its budget it pays as a fab grant (the `fab_grant` lever) for the advanced site on its soil of the foreign foundry with the most advanced capacity, while its home-made share of new compute is below `fab_grant_below` and that site is owed nothing from an earlier grant")
    fab_grant_below: Share = Field(0.5, description="Home-made share of its new compute (`domestic_accelerator_share`) below which it pays fab grants")


class RegulatorPolicyParams(Strict):
    """How a regulator's computer player decides: the knobs of the `default` regulator policy."""

    escalate: bool = Field(True, description="Enact prepared rules whose `when` condition holds")
    escalate_when_lead_below: float | None = Field(None, ge=-1000.0, le=1000.0, description="Also enact its next prepared rule (in id order, whether or not that rule's `when` holds yet) when its nation's capability lead over the best rival falls below this (points)")
    deescalate_when_lead_above: float | None = Field(None, ge=-1000.0, le=1000.0, description="Lift its latest escalation when the lead is above this (points)")
    retaliate_with: list[Code] = Field(default_factory=list, description="Prepared rules it enacts when a rival's new rule starts to bind its nation")


class Personality(Strict):
    """A named computer player: a Python policy and its parameters. Use the name wherever a policy name goes."""

    kind: Literal[PERSONALITY_KINDS] = Field(..., description="Kind of actor it decides for")  # type: ignore[valid-type]
    policy: str = Field("default", description="The Python policy it parameterises")
    description: str = Field("", description="One line on how it plays")
    params: dict[str, float | bool | str | list[str] | None] = Field(default_factory=dict, description="Its parameters (NationPolicyParams or RegulatorPolicyParams by kind)")

    @model_validator(mode="after")
    def _params_fit_the_kind(self) -> Personality:
        model = NationPolicyParams if self.kind == "nation" else RegulatorPolicyParams
        validate_mapping(model, self.params, "params", f"a {self.kind} personality")  # errors under `params`
        return self

# ---------------------------------------------------------------------------------------------- calibration

QuarterSpan = Annotated[list[Quarter], Field(min_length=2, max_length=2)]


class CalibrationMeasure(Strict):
    """What `techrace calibrate` measures for a check: one metric, reduced over nations, then over time."""

    metric: Metric = Field(..., description="Per-nation metric (a column of `techrace run --out`)")
    nations: list[Code] | Literal["all"] = Field("all", description="Nations it reads (a list, or `all`)")
    reduce: Literal["sum", "max", "share"] = Field("sum", description="Over nations: sum, max, or share (the listed nations' sum over the world's)")
    at: Quarter | None = Field(None, description="The value at this quarter (a state check)")
    growth_per_year: QuarterSpan | None = Field(None, description="[FROM, TO]: the ratio TO / FROM, annualised (a trend check)")
    total: QuarterSpan | None = Field(None, description="[FROM, TO]: the sum over these quarters, both included (e.g. a year's output)")

    @model_validator(mode="after")
    def _one_window(self) -> CalibrationMeasure:
        given = [k for k in ("at", "growth_per_year", "total") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of `at`, `growth_per_year` or `total` (got {', '.join(given) or 'none'})")
        if self.reduce == "share" and self.nations == "all":
            raise ValueError("`reduce: share` needs a list of `nations` (the share of all nations is always 1)")
        return self

    @field_validator("growth_per_year")
    @classmethod
    def _growth_span(cls, value: list[str] | None) -> list[str] | None:
        if value and quarter_index(value[1]) <= quarter_index(value[0]):
            raise ValueError(f"[{value[0]}, {value[1]}]: TO must come after FROM")
        return value

    @field_validator("total")
    @classmethod
    def _total_span(cls, value: list[str] | None) -> list[str] | None:
        if value and quarter_index(value[1]) < quarter_index(value[0]):
            raise ValueError(f"[{value[0]}, {value[1]}]: TO must not come before FROM")
        return value


class CalibrationCheck(Strict):
    """One row of the calibration report: a model figure and the range the calibration sheet gives for it."""

    figure: str = Field(..., min_length=1, description="What is measured, in words")
    source: str = Field(..., min_length=1, description="Row of the calibration sheet the range comes from (e.g. §9, §6f Epoch)")
    measure: CalibrationMeasure = Field(..., description="How the figure is computed from the metrics")
    range: Annotated[list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=2, max_length=2)] = Field(
        ..., description="[low, high]: the sheet's range; the check is ok when low <= median over seeds <= high")

    @field_validator("range")
    @classmethod
    def _ordered(cls, value: list[float]) -> list[float]:
        if value[0] > value[1]:
            raise ValueError(f"low {value[0]:g} is above high {value[1]:g}")
        return value


class Policies(Strict):
    personalities: dict[str, Personality] = Field(default_factory=dict, description="Computer players defined in data, by name")
    nation: str = Field("default", description="Decision policy of nations")
    regulator: str = Field("default", description="Decision policy of regulators")
    toolmaker: str = Field("default", description="Decision policy of toolmakers")
    foundry: str = Field("default", description="Decision policy of foundries and memory makers")
    chip_firm: str = Field("default", description="Decision policy of chip firms")
    lab: str = Field("default", description="Decision policy of AI labs")
