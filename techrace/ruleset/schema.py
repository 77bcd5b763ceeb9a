"""The one schema of every value a modder can set.

Validation, the exported JSON Schema and the modder's reference (docs/modding.md) are all generated
from these pydantic models, so they cannot drift apart. Each field carries its unit and meaning in its
description; ranges are pydantic constraints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from techrace.ruleset.nested import validate_mapping
from techrace.ruleset.policies import PERSONALITY_KINDS

FORMAT_VERSION = 2
SKILLS = ("process", "design", "tools", "ai_research")
TOOL_KINDS = ("euv", "arf_immersion", "etch", "deposition", "metrology")
LEVER_GROUPS = ("industry", "talent", "power", "compute", "controls", "military")  # what a player may hand to the advisor
QUARTER_RE = re.compile(r"^([1-9][0-9]{3})Q([1-4])$")  # any four-digit year: 400 turns from 2025Q1 end in 2124
LAST_QUARTER = "9999Q4"
MAX_MAGNITUDE = 1e36  # no ruleset number is larger (the biggest real one is ~1e27 FLOP); beyond it, products overflow

Quarter = Annotated[str, Field(pattern=r"^[1-9][0-9]{3}Q[1-4]$", description="A calendar quarter like 2027Q3")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]
Requirement = Annotated[str, Field(pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9._\-]*\s*((==|!=|<=|>=|<|>|~=)\s*[0-9][0-9A-Za-z.+!\-]*\s*,?\s*)*$",
                                   description="A techrace or ruleset name and version bounds, like `techrace >= 0.2`")]


@lru_cache(maxsize=4096)
def quarter_index(quarter: str, start: str = "2025Q1") -> int:
    """Turn offset of `quarter` from `start` (0 for the start quarter)."""
    year, q = QUARTER_RE.match(quarter).groups()  # type: ignore[union-attr]
    syear, sq = QUARTER_RE.match(start).groups()  # type: ignore[union-attr]
    return (int(year) - int(syear)) * 4 + (int(q) - int(sq))


@lru_cache(maxsize=4096)
def quarter_label(index: int, start: str = "2025Q1") -> str:
    """The calendar quarter `index` quarters after `start`."""
    syear, sq = QUARTER_RE.match(start).groups()  # type: ignore[union-attr]
    total = int(syear) * 4 + int(sq) - 1 + index
    return f"{total // 4}Q{total % 4 + 1}"


class Strict(BaseModel):
    """Base for every ruleset object: unknown keys are errors, values are immutable, numbers are finite and sane."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def model_post_init(self, context: object) -> None:
        """Refuse numbers too large to compute with (1e308 passes the finite check, then overflows).
        A post-init hook rather than a validator per field: it adds nothing to the cost of building the schema."""
        for name, value in self.__dict__.items():
            if type(value) in (float, int, dict, list) and _too_large(value):
                _check_magnitude(value, (type(self).model_fields[name].alias or name,))


def _listed(value: object) -> object:
    """One text where a list is expected means a list of one (`requires: techrace >= 0.2`)."""
    return [value] if isinstance(value, str) else value


def _too_large(value: object) -> bool:
    if type(value) is float or type(value) is int:
        return abs(value) > MAX_MAGNITUDE  # type: ignore[arg-type]
    if type(value) is dict:
        return any(_too_large(item) for item in value.values())  # type: ignore[union-attr]
    return type(value) is list and any(_too_large(item) for item in value)  # type: ignore[union-attr]


def _check_magnitude(value: object, at: tuple[str | int, ...] = ()) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_MAGNITUDE:
        raise PydanticCustomError("number_too_large", "number too large", {"limit": MAX_MAGNITUDE, "at": list(at), "number": value})
    if isinstance(value, dict | list):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            _check_magnitude(item, at + (key,))


class SkillCounts(Strict):
    process: NonNeg = Field(0.0, description="Process/fab engineers (persons)")
    design: NonNeg = Field(0.0, description="Chip design engineers (persons)")
    tools: NonNeg = Field(0.0, description="Equipment engineers (persons)")
    ai_research: NonNeg = Field(0.0, description="AI researchers (persons)")


class SkillShares(Strict):
    process: Share = Field(0.0, description="Share of process/fab engineers")
    design: Share = Field(0.0, description="Share of chip design engineers")
    tools: Share = Field(0.0, description="Share of equipment engineers")
    ai_research: Share = Field(0.0, description="Share of AI researchers")


class ToolCounts(Strict):
    euv: NonNeg = Field(0.0, description="EUV scanners")
    arf_immersion: NonNeg = Field(0.0, description="ArF immersion (193i) DUV scanners")
    etch: NonNeg = Field(0.0, description="Etch tools")
    deposition: NonNeg = Field(0.0, description="Deposition tools")
    metrology: NonNeg = Field(0.0, description="Metrology and inspection tools")


# --------------------------------------------------------------------------------------------- technology


class MultiPatterning(Strict):
    allowed: bool = Field(False, description="Whether the node can be made on DUV immersion with multi-patterning")
    defect_multiplier: float = Field(1.0, ge=1.0, le=10.0, description="Factor on defect density (D0) on the DUV path")
    arf_multiplier: float = Field(1.0, ge=1.0, le=10.0, description="Factor on ArF immersion scanners per wafer on the DUV path (throughput penalty)")
    learning_multiplier: float = Field(1.0, gt=0.0, le=1.0, description="Factor on the yield-learning rate on the DUV path (slower learning)")


class NodeSpec(Strict):
    nm: float = Field(..., gt=0, le=1000, description="Node name in nanometres (marketing name)")
    needs_euv: bool = Field(False, description="Critical layers need EUV scanners (unless multi-patterning is allowed)")
    multipatterning: MultiPatterning = Field(default_factory=MultiPatterning, description="The DUV multi-patterning path")
    tools_per_kwpm: ToolCounts = Field(..., description="Tools needed per 1,000 wafer starts per month on the normal path")
    wafer_price_usd: NonNeg = Field(..., description="Price of one processed 300 mm wafer (USD)")
    capex_per_wpm_usd: NonNeg = Field(..., description="Fab construction cost per wafer-start-per-month of capacity (USD)")
    build_quarters: int = Field(10, ge=1, le=40, description="Quarters from groundbreaking to volume output")
    rd_cost_usd_b: NonNeg = Field(..., description="Total process R&D to master the node (USD billions)")
    rd_quarters: int = Field(..., ge=1, le=80, description="Quarters of fully funded R&D to master the node")
    d0_initial: float = Field(..., gt=0, le=10, description="Defect density at volume start (defects/cm2)")
    d0_mature: float = Field(..., gt=0, le=10, description="Floor of defect density after learning (defects/cm2)")
    learning_rate: float = Field(..., gt=0, le=2, description="Per-quarter learning speed at reference volume and talent (1/quarter)")
    transistor_density_mtr_mm2: NonNeg = Field(..., description="Logic transistor density (million transistors per mm2)")
    perf_per_watt: float = Field(1.0, gt=0, description="Energy efficiency relative to 4/5 nm (1.0)")


class HbmGeneration(Strict):
    level: float = Field(..., ge=1, le=10, description="Ordering level of the generation (2 = HBM2e, 3 = HBM3, 3.5 = HBM3E, 4 = HBM4)")
    bandwidth_tb_s: NonNeg = Field(..., description="Bandwidth per stack (TB/s)")
    stacks_per_wafer: NonNeg = Field(..., description="Good HBM stacks per TSV wafer start at mature yield")
    die_area_mm2: float = Field(110.0, gt=0, description="Area of one DRAM die in the stack (mm2), for bandwidth density")


class Technology(Strict):
    nodes: dict[str, NodeSpec] = Field(..., description="Process nodes by label (e.g. N5); order does not matter")
    yield_model: Literal["murphy", "poisson"] = Field("murphy", description="Die-yield model from defect density and die area")
    wafer_diameter_mm: float = Field(300.0, gt=0, description="Wafer diameter (mm)")
    hbm_generations: dict[str, HbmGeneration] = Field(..., description="HBM generations by label")
    hbm_tools_per_kwpm: ToolCounts = Field(default_factory=lambda: ToolCounts(arf_immersion=0.4, etch=3.0, deposition=4.0, metrology=1.5), description="Tools needed per 1,000 HBM TSV wafer starts per month")
    hbm_rd_quarters: int = Field(8, ge=1, le=80, description="Quarters of R&D to advance one HBM generation")
    hbm_rd_cost_usd_b: NonNeg = Field(2.0, description="R&D to advance one HBM generation (USD billions)")
    hbm_price_usd: NonNeg = Field(1500.0, description="Price of one HBM stack (USD)")
    h100_dense_flops: float = Field(9.89e14, gt=0, description="Dense BF16 FLOP/s of one H100-equivalent (FLOP/s)")
    h100_tpp: float = Field(15832.0, gt=0, description="TPP of one H100 (the H100-equivalent unit)")
    model_flops_utilisation: Share = Field(0.35, description="Share of peak FLOP/s a training run achieves")
    training_share: Share = Field(0.3, description="Share of a cluster's quarter given to its largest training run at the start (runs then lengthen: `run_length_*`)")
    run_length_start_months: float = Field(4.0, gt=0, le=60, description="Length of a frontier training run at the start (months); `training_share` is calibrated at this length")
    run_length_growth_per_year: float = Field(1.4, ge=1.0, le=3.0, description="Factor by which frontier training runs lengthen each year, until `run_length_max_months`")
    run_length_max_months: float = Field(9.0, gt=0, le=60, description="Longest worthwhile training run (months): a longer one is overtaken by a later run on better chips and algorithms")
    accelerator_life_quarters: int = Field(20, ge=1, le=80, description="Mean service life of an accelerator (quarters)")
    tool_service_decay_per_quarter: Share = Field(0.06, description="Health lost each quarter by an unserviced tool")
    tool_scrap_health: Share = Field(0.25, description="Health below which a tool is scrapped")
    star_multiplier: float = Field(3.0, ge=1.0, le=50.0, description="R&D/learning weight of one star engineer relative to 100 engineers")
    espionage_execution_threshold: NonNeg = Field(2000.0, description="Experienced process engineers a foundry needs before stolen know-how helps")
    rd_luck_sigma: float = Field(0.35, ge=0.0, le=2.0, description="Spread (lognormal sigma) of a quarter's node, HBM and tool R&D progress around its expected value")

    @model_validator(mode="after")
    def _run_length_bounds(self) -> Technology:
        if self.run_length_max_months < self.run_length_start_months:
            raise ValueError(f"`run_length_max_months` ({self.run_length_max_months:g}) is below "
                             f"`run_length_start_months` ({self.run_length_start_months:g}): runs would shorten")
        return self


# ------------------------------------------------------------------------------------------------ nations


class NationSpec(Strict):
    name: str = Field(..., description="Display name")
    bloc: Code = Field(..., description="Alignment: a key of `blocs:` (its data sets prices, tool sources, packaging pool, poaching and rivals)")
    gdp_usd_t: NonNeg = Field(..., description="GDP at start (USD trillions per year)")
    gdp_growth_per_quarter: float = Field(0.005, ge=-0.1, le=0.1, description="Baseline real GDP growth per quarter")
    chip_dependence: Share = Field(0.05, description="Share of GDP at risk from a total shortfall of trailing-node chips")
    industrial_budget_usd_b: NonNeg = Field(..., description="Industrial-policy budget per quarter (USD billions)")
    datacenter_power_gw: NonNeg = Field(..., description="Power available to AI datacenters at start (GW)")
    power_buildout_gw_per_quarter: NonNeg = Field(..., description="Default AI power added per quarter (GW)")
    power_cost_usd_b_per_gw: NonNeg = Field(1.5, description="Extra budget cost to add 1 GW above the default build-out (USD billions)")
    engineer_pool: SkillCounts = Field(default_factory=SkillCounts, description="Engineers not employed by a modelled firm at start")
    graduates_per_quarter: SkillCounts = Field(default_factory=SkillCounts, description="New engineers per quarter by skill")
    retirement_per_quarter: Share = Field(0.006, description="Share of engineers retiring per quarter")
    pay_index: float = Field(1.0, gt=0, le=10, description="Pay level relative to the US (1.0)")
    visa_openness: Share = Field(0.5, description="How readily foreign engineers get visas (0 closed, 1 open)")
    centralisation: Share = Field(0.1, description="Share of national AI compute that can be pooled into one training run")
    national_site_gw_per_quarter: NonNeg = Field(0.5, le=100.0, description="Most GW of national training sites (power, halls, interconnect) the nation can add in a quarter: pooling more of its compute waits for them")
    espionage_effort: Share = Field(0.0, description="Effort put into industrial espionage (0 to 1)")
    policy: str | None = Field(None, description="Decision policy or personality of its computer player (default: policies.nation)")
    anti_poaching: Share = Field(0.3, description="Enforcement against poaching of its firms' star engineers (0 none, 1 airtight)")
    military_moves: bool = Field(False, description="Whether this nation may order military moves (blockade, invasion)")
    diaspora: dict[Code, SkillShares] = Field(default_factory=dict, description="Share of the nation's engineer pool at start born in each other nation (by origin's code, then skill); they go home at `talent.diaspora_return_per_quarter` x the home nation's visa openness, and engineers who move here add to it")

    @model_validator(mode="after")
    def _diaspora_within_pool(self) -> NationSpec:
        for skill in SKILLS:
            total = sum(getattr(shares, skill) for shares in self.diaspora.values())
            if total > 1.0 + 1e-9:
                raise ValueError(f"diaspora: the shares of {skill} engineers born elsewhere add up to {total:g}, more than the whole pool")
        return self


# ------------------------------------------------------------------------------------------------- firms


class Construction(Strict):
    node: str = Field(..., description="Node label the fab is built for")
    wpm: NonNeg = Field(..., le=1e7, description="Wafer starts per month it adds")
    quarters_left: int = Field(..., ge=1, le=15, description="Quarters until it produces (1 = from the first turn)")


class SiteSpec(Strict):
    nation: Code = Field(..., description="Nation the site is in")
    under_construction: list[Construction] = Field(default_factory=list, description="Fabs under construction at start")
    capacity_wpm: dict[str, NonNeg] = Field(default_factory=dict, description="Wafer starts per month by node label")
    hbm_tsv_wpm: NonNeg = Field(0.0, description="HBM TSV wafer starts per month")
    packaging_units_per_quarter: NonNeg = Field(0.0, description="Advanced (CoWoS-class) packaging capacity (accelerator packages per quarter)")
    domestic_tool_share: Share = Field(0.0, description="Share of the site's tools bought from toolmakers of its own bloc (when its bloc also buys abroad)")
    tool_stockpile: ToolCounts = Field(default_factory=ToolCounts, description="Tools bought before controls bit and held uninstalled at start; installed before new orders")


class FoundrySpec(Strict):
    name: str = Field(..., description="Display name")
    nation: Code = Field(..., description="Headquarters nation")
    kind: Literal["logic", "memory"] = Field("logic", description="Logic foundry or memory maker (HBM)")
    sites: dict[str, SiteSpec] = Field(..., description="Fab sites by id")
    nodes_mastered: list[str] = Field(default_factory=list, description="Node labels the firm can produce at start")
    rd_progress: dict[str, Share] = Field(default_factory=dict, description="R&D progress towards nodes not yet mastered (0-1)")
    d0: dict[str, float] = Field(default_factory=dict, description="Starting defect density by node where it differs from the node default (defects/cm2)")
    hbm_generation: str | None = Field(None, description="Best HBM generation in volume (memory makers)")
    hbm_yield: Share = Field(0.6, description="HBM stack yield relative to mature (memory makers)")
    engineers: SkillCounts = Field(default_factory=SkillCounts, description="Engineers employed at start")
    stars: int = Field(0, ge=0, le=1000, description="Star engineers employed at start")
    cash_usd_b: NonNeg = Field(10.0, description="Cash at start (USD billions)")
    capex_share_of_revenue: Share = Field(0.35, description="Share of revenue reinvested in capacity and R&D")
    policy: str | None = Field(None, description="Decision policy name overriding the ruleset default")


class ToolLine(Strict):
    units_per_quarter: NonNeg = Field(..., description="Production capacity (tools per quarter)")
    price_usd_m: NonNeg = Field(..., description="Price per tool (USD millions)")
    lead_quarters: int = Field(2, ge=0, le=16, description="Quarters from order to delivery")


class ToolDevelopment(Strict):
    progress: Share = Field(0.0, description="R&D progress at start (0-1); the line opens at 1")
    rd_quarters: int = Field(..., ge=1, le=120, description="Quarters of fully funded R&D from 0 to 1")
    rd_cost_usd_b: NonNeg = Field(..., description="Total R&D cost (USD billions)")
    units_per_quarter: NonNeg = Field(..., description="Production capacity once developed (tools per quarter)")
    price_usd_m: NonNeg = Field(..., description="Price per tool once developed (USD millions)")
    lead_quarters: int = Field(2, ge=0, le=16, description="Quarters from order to delivery")


class ToolMakerSpec(Strict):
    name: str = Field(..., description="Display name")
    nation: Code = Field(..., description="Headquarters nation (its regulator controls its exports)")
    makes: dict[Literal["euv", "arf_immersion", "etch", "deposition", "metrology"], ToolLine] = Field(..., description="Tool lines by kind")
    developing: dict[Literal["euv", "arf_immersion", "etch", "deposition", "metrology"], ToolDevelopment] = Field(default_factory=dict, description="Tool lines under development by kind")
    engineers: SkillCounts = Field(default_factory=SkillCounts, description="Engineers employed at start")
    stars: int = Field(0, ge=0, le=1000, description="Star engineers employed at start")
    policy: str | None = Field(None, description="Decision policy name overriding the ruleset default")


class ChipSku(Strict):
    node: str = Field(..., description="Node label it is made on")
    die_area_mm2: float = Field(..., gt=10, le=900, description="Area of one logic die (mm2)")
    dies_per_package: int = Field(1, ge=1, le=16, description="Logic dies per packaged accelerator")
    transistors_b: NonNeg = Field(..., description="Transistors in the packaged chip (billions)")
    dense_tflops_16bit: NonNeg = Field(..., description="Dense 16-bit TFLOP/s of the package")
    hbm_stacks: int = Field(0, ge=0, le=16, description="HBM stacks per package")
    hbm_generation: str | None = Field(None, description="HBM generation label it needs")
    power_w: NonNeg = Field(700.0, description="Board power (W)")
    price_usd: NonNeg = Field(..., description="List price (USD)")
    design_quarters: int = Field(2, ge=0, le=20, description="Quarters to design a variant of it")


class ChipFirmSpec(Strict):
    name: str = Field(..., description="Display name")
    nation: Code = Field(..., description="Headquarters nation")
    skus: dict[str, ChipSku] = Field(..., description="Accelerators in production at start by id")
    foundries: list[Code] = Field(..., min_length=1, description="Foundries it orders wafers from, in preference order")
    captive_labs: list[Code] = Field(default_factory=list, description="If set, the only labs it sells to")
    target_units_per_quarter: NonNeg = Field(..., description="Planned accelerator output per quarter at start")
    hbm_stockpile_stacks: NonNeg = Field(0.0, description="HBM stacks held in stock at start")
    buyer_preference: float = Field(1.0, gt=0.0, le=100.0, description="Weight labs give its designs beyond value per dollar (software ecosystem, relationships, buy-domestic guidance)")
    generation_quarters: int = Field(8, ge=2, le=40, description="Quarters between new accelerator generations (design cadence)")
    architecture_gain: float = Field(1.3, ge=1.0, le=4.0, description="Performance gain per generation beyond the node's transistor density (architecture, packaging)")
    engineers: SkillCounts = Field(default_factory=SkillCounts, description="Engineers employed at start")
    stars: int = Field(0, ge=0, le=1000, description="Star engineers employed at start")
    policy: str | None = Field(None, description="Decision policy name overriding the ruleset default")


class LabSpec(Strict):
    name: str = Field(..., description="Display name")
    nation: Code = Field(..., description="Nation where its clusters are sited")
    compute_h100e: NonNeg = Field(..., description="Installed accelerators at start (H100-equivalents)")
    capital_usd_b_per_quarter: NonNeg = Field(..., description="Spending on accelerators per quarter at start (USD billions): reinvested revenue plus investors' capital")
    capital_growth_per_quarter: float = Field(0.05, ge=-0.5, le=1.0, description="Investors' baseline growth of their capital per quarter at start (decays by market.growth_decay_per_quarter); capability gains above finance.investor_hurdle add to it")
    largest_site_share: Share = Field(0.25, description="Share of its compute in its largest single site (bounds one training run)")
    open_weights: bool = Field(False, description="Releases open-weight models, which spread its algorithms to every lab (research.diffusion)")
    algorithmic_multiplier: float = Field(1.0, gt=0, le=10, description="Effective-compute multiplier from research talent at start")
    engineers: SkillCounts = Field(default_factory=SkillCounts, description="Researchers employed at start")
    stars: int = Field(0, ge=0, le=1000, description="Star researchers employed at start")
    policy: str | None = Field(None, description="Decision policy name overriding the ruleset default")


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


# ------------------------------------------------------------------------------------ market, policies, victory


class Market(Strict):
    ai_share_of_node: dict[str, Share] = Field(..., description="Share of each node's wafer capacity open to AI accelerators at start (and at least ever after); other customers book the rest")
    non_ai_growth_per_quarter: float = Field(0.01, ge=-0.2, le=0.5, description="Growth per quarter of other customers' wafer demand on each node")
    ai_share_max: Share = Field(0.8, description="Cap on the AI share of a node")
    grey_market_leak_share: Share = Field(0.1, description="Share of blocked chip demand that leaks past controls")
    grey_market_premium: float = Field(2.0, ge=1.0, le=10.0, description="Price factor on grey-market chips")
    stockpile_boost: float = Field(0.6, ge=0, le=5, description="Extra demand by targeted buyers between a rule's announcement and effect")
    intra_company_transfer_share: Share = Field(0.3, description="Share of a listed site's blocked tools obtained via unlisted sites of the same firm")
    tool_demand_headroom: float = Field(1.1, ge=1, le=3, description="Tools ordered relative to need")
    growth_decay_per_quarter: float = Field(0.96, gt=0, le=1, description="Factor by which investors' baseline growth of labs' capital shrinks each quarter (1 = it never slows)")
    power_planning_quarters: float = Field(2.0, ge=0, le=12, description="Quarters of a nation's coming power build-out its labs may already plan clusters on")
    dominated_value_share: Share = Field(0.25, description="A lab ignores designs worth less than this share of the best H100e per dollar it can get")
    accelerator_overhead_kw_per_board_kw: float = Field(2.43, ge=1.0, le=5.0, description="All-in datacenter power per kW of accelerator board power (§6b: H100 700 W board, ~1.7 kW all-in)")
    trailing_demand_wpm: dict[str, NonNeg] = Field(default_factory=dict, description="World demand for trailing-node wafers (wpm) by node, for shortage accounting")
    home_made_wafers_by: Literal["site", "foundry"] = Field("site", description="Where a design's wafers count as made, for a nation's home-made share of new accelerators (self-sufficiency victories): `site`, the nation of the fab that made them (a foundry spreads its orders over its sites by their AI-open capacity), or `foundry`, the foundry's home nation wherever the fab stands")


class DiffusionChannel(Strict):
    """One way algorithms spread from a lab to others: each quarter a receiving lab closes `rate_per_quarter`
    of its log gap to the source's efficiency as it stood `lag_quarters` ago, times its access."""

    source: Literal["frontier", "open_weights"] = Field("frontier", description="Whose algorithms spread: the best lab anywhere, or the best lab that releases open weights")
    access: Literal["everyone", "espionage", "migration"] = Field("everyone", description="Who receives them: every lab; labs of nations in proportion to their espionage effort (less the source nation's anti-poaching enforcement); or in proportion to AI researchers who moved in from the source's nation")
    rate_per_quarter: Share = Field(..., description="Share of the log gap closed per quarter at full access")
    lag_quarters: int = Field(0, ge=0, le=15, description="How old the source's algorithms are when they reach others (quarters)")


class Research(Strict):
    """Algorithmic progress earned by labs (an ideas production function, Jones 1995) and its diffusion."""

    frontier_growth_per_year: float = Field(2.8, ge=1.0, le=20.0, description="Growth of algorithmic efficiency per year of the lab with the most research input at start (x per year)")
    returns_to_research: float = Field(0.6, gt=0.0, le=2.0, description="Exponent lambda on research input: <1 means duplicated effort (stepping on toes)")
    difficulty: float = Field(0.6, ge=0.0, le=5.0, description="Exponent beta: progress per unit of input falls as 10^(-beta * log10 gain already made) (ideas get harder to find)")
    researcher_weight: Share = Field(0.3, description="Weight alpha of researchers (vs research compute) in the Cobb-Douglas research input")
    research_compute_share: Share = Field(0.3, description="Share of a lab's usable compute spent on research experiments")
    absorption_researchers: NonNeg = Field(500.0, description="Effective AI researchers a lab needs to absorb others' algorithms fully (fewer absorb proportionally less)")
    luck_sigma: float = Field(0.15, ge=0.0, le=2.0, description="Spread (lognormal sigma) of a lab's quarterly research output")
    migration_full_access_share: float = Field(0.01, gt=0.0, le=1.0, description="Inflow of researchers from a source's nation, as a share of the receiving nation's researchers, that gives a migration channel full access")
    diffusion: dict[str, DiffusionChannel] = Field(default_factory=dict, description="Channels by which algorithms spread between labs")


class Finance(Strict):
    """Labs' money: revenue from serving models and investors' capital that follows capability gains."""

    revenue_per_h100e_quarter_usd: NonNeg = Field(3000.0, description="Revenue of one H100-equivalent serving customers for a quarter at start, which sets the size of the AI market at start (USD)")
    inference_share: Share = Field(0.5, description="Share of a lab's usable compute serving paying customers")
    market_elasticity: float = Field(0.3, ge=0.0, le=3.0, description="The AI market grows by 10^elasticity for every 25 points the best model gains (willingness to pay for capability)")
    market_gdp_cap: Share = Field(0.1, description="Largest share of the world's GDP the AI market can reach")
    quality_elasticity: float = Field(0.5, ge=0.0, le=3.0, description="A lab's share of the market per unit of compute falls by 10^(-elasticity) per 25 capability points behind the best")
    reinvest_share: Share = Field(0.5, description="Share of revenue spent on accelerators")
    investor_sensitivity: float = Field(0.02, ge=0.0, le=1.0, description="Extra growth of investors' capital per quarter for each capability point per quarter of recent gain above the hurdle")
    investor_hurdle: float = Field(4.0, ge=0.0, le=50.0, description="Capability points per quarter of recent gain that investors expect; slower gains shrink their capital")
    expectation_smoothing: Share = Field(0.3, description="Weight of this quarter's capability gain in investors' running view of recent gains")
    investor_growth_max: float = Field(0.25, ge=0.0, le=2.0, description="Largest growth of investors' capital in one quarter")
    investor_cut_max: Share = Field(0.3, description="Largest fall of investors' capital in one quarter")
    capital_luck_sigma: float = Field(0.04, ge=0.0, le=1.0, description="Spread (lognormal sigma) of a lab's quarterly investor capital (funding rounds, sentiment)")


class Forecasting(Strict):
    """How firms forecast demand (Holt's linear trend method) to build capacity ahead of it."""

    level_smoothing: Share = Field(0.5, description="Weight of the latest demand in the forecast's level")
    trend_smoothing: Share = Field(0.3, description="Weight of the latest change in the forecast's trend")
    trend_damping: Share = Field(0.9, description="Factor per quarter ahead on the trend (damped trend; 1 = straight line)")
    headroom: float = Field(1.1, ge=1.0, le=3.0, description="Capacity built relative to forecast demand")
    start_growth_per_year: float = Field(1.0, ge=0.1, le=10.0, description="Growth of demand firms have seen before the game starts (x per year): the trend of every forecast's first quarter")


class Industry(Strict):
    """Behaviour of foundries, memory makers, packaging lines and toolmakers."""

    forecast: Forecasting = Field(default_factory=Forecasting, description="Demand forecasting")
    shell_share_of_capex: Share = Field(0.25, description="Share of a fab's capex that is the building (tools are bought separately)")
    tool_order_horizon_quarters: int = Field(4, ge=0, le=15, description="Foundries order tools for capacity completing within this many quarters")
    first_fab_wpm: NonNeg = Field(20000.0, description="First fab built on a newly mastered leading node (wafer starts per month)")
    max_fab_growth_per_quarter: Share = Field(0.12, description="Largest new construction per quarter and node relative to a foundry's whole capacity")
    new_node_share: Share = Field(0.5, description="Share of its forecast AI wafer demand a foundry provisions on its newest node ahead of designs moving there")
    build_ahead_progress: Share = Field(0.6, description="R&D progress on a node at which a foundry starts building fabs for it")
    fab_growth_floor_wpm: NonNeg = Field(5000.0, description="New construction a foundry may start per node per quarter even from little capacity (wpm)")
    min_fab_wpm: NonNeg = Field(1000.0, description="Smallest construction worth starting (wpm)")
    pilot_euv_scanners: NonNeg = Field(2.0, description="EUV scanners on an R&D pilot line before any volume fab exists")
    rd_share_of_revenue: Share = Field(0.12, description="Most of last quarter's revenue a foundry spends on process R&D")
    rd_cash_share: Share = Field(0.3, description="Most of its cash a foundry spends on R&D in one quarter")
    rd_overfunding: float = Field(1.2, ge=1.0, le=5.0, description="R&D funded up to this factor times the fully funded rate")
    subsidy_rd_share: Share = Field(0.5, description="Share of a subsidy a foundry may spend on R&D in the quarter received")
    build_cash_share: Share = Field(0.5, description="Share of its cash a foundry may commit to new fabs per quarter: their whole capex, the shell paid at the start and the tools on delivery")
    rd_speed_cap: float = Field(1.5, ge=1.0, le=5.0, description="Fastest R&D speed from talent (relative to the start)")
    duv_rd_gate: Share = Field(0.6, description="R&D speed on an EUV node developed on DUV multi-patterning")
    hbm_capex_per_wpm_usd: NonNeg = Field(120000.0, description="Capex per HBM TSV wafer start per month (USD)")
    hbm_build_quarters: int = Field(4, ge=1, le=15, description="Quarters from deciding to grow HBM TSV capacity to output")
    max_hbm_growth_per_quarter: Share = Field(0.15, description="Largest HBM TSV capacity a memory maker starts in one quarter, relative to what it has")
    packaging_capex_per_unit_usd: NonNeg = Field(2000.0, description="Capex per accelerator package per quarter of CoWoS-class capacity (USD)")
    packaging_build_quarters: int = Field(3, ge=1, le=15, description="Quarters from deciding to grow packaging capacity to output")
    max_packaging_growth_per_quarter: Share = Field(0.15, description="Largest packaging capacity a site starts in one quarter, relative to what it has")
    non_ai_utilisation: Share = Field(0.85, description="Utilisation of capacity sold to customers other than AI accelerators")
    stock_cover_quarters: float = Field(0.25, ge=0.0, le=8.0, description="Stock of accelerators (and dies) chip firms aim to hold, in quarters of forecast demand")
    stock_adjust_quarters: float = Field(2.0, ge=1.0, le=12.0, description="Quarters over which chip firms close the gap between the stock they want and the stock they hold")
    die_overorder: float = Field(1.05, ge=1.0, le=2.0, description="Good dies chip firms order relative to planned packages")
    staff_floor: Share = Field(0.5, description="Smallest engineering staff target relative to the start")
    learning_reference_wafers: float = Field(60000.0, gt=0, description="Wafers per quarter at which yield learning runs at its node's rate")
    learning_volume_cap: float = Field(4.0, gt=0, le=100, description="Cap on volume relative to the reference in yield learning")
    learning_talent_cap: float = Field(4.0, gt=0, le=100, description="Cap on a foundry's talent (relative to its start) in yield learning")
    espionage_rd_bonus: NonNeg = Field(0.02, description="R&D progress per quarter from stolen know-how at full espionage effort and execution capacity")
    espionage_experience_years: float = Field(5.0, gt=0, description="Years of experience for an engineer to count fully towards execution capacity")
    service_recovery_per_quarter: Share = Field(0.15, description="Health a serviced tool regains per quarter")
    toolmaker_planning_quarters: int = Field(4, ge=1, le=15, description="How far ahead toolmakers forecast orders when growing their lines (tool lead times are 2-6 quarters)")
    toolmaker_growth_base: Share = Field(0.01, description="Growth of a toolmaker's line capacity per quarter")
    toolmaker_growth_busy: Share = Field(0.06, description="Most extra growth per quarter, reached when forecast orders a year ahead are twice its capacity")
    toolmaker_growth_per_subsidy: Share = Field(0.02, description="Extra growth per quarter per USD bn of subsidy")
    toolmaker_subsidy_cap_usd_b: NonNeg = Field(5.0, description="Subsidy beyond which capacity growth gains nothing (USD bn per quarter)")
    tool_dev_base_funding_usd_b: NonNeg = Field(0.1, description="Own funding of a tool development programme per quarter (USD bn)")
    tool_dev_subsidy_share: Share = Field(0.5, description="Share of a toolmaker's subsidy spent on development")
    toolmaker_start_cash_usd_b: NonNeg = Field(2.0, description="Cash of every toolmaker at start (USD bn)")
    cutoff_memory: Share = Field(0.8, description="Share of last quarter's measured cut-off a firm still reacts to when nothing was blocked this quarter")
    grey_servicing_share: Share = Field(0.0, description="Share of a banned service obtained anyway (third parties, former staff, domestic engineers) where the site's bloc allows (blocs.*.grey_servicing)")


class Design(Strict):
    """How chip firms design new accelerator generations."""

    price_exponent: float = Field(0.4, ge=0.0, le=2.0, description="Price of a new generation = old price x (performance ratio)^exponent")
    power_exponent: float = Field(0.5, ge=0.0, le=2.0, description="Board power of a new generation = old power x (performance ratio / perf-per-watt ratio)^exponent")
    node_capacity_share: float = Field(0.5, ge=0.0, le=10.0, description="A new generation moves to a node only if its foundry will offer AI wafers of at least this share of the firm's current wafer use by the time it is ready")
    retire_after_quarters: int = Field(6, ge=0, le=40, description="Quarters a design stays in production after its successor is ready")
    design_quarters: int = Field(4, ge=1, le=20, description="Quarters from starting a new generation to its first wafers")
    compliant_power_factor: Share = Field(0.6, description="Board power of a compliant (cut-down) variant relative to its parent")
    compliant_margin: Share = Field(0.95, description="Performance of a compliant variant relative to the control threshold")
    price_floor_usd: NonNeg = Field(1000.0, description="Lowest list price of any design (USD)")


class TalentRules(Strict):
    """The labour market for engineers."""

    migration_rate: Share = Field(0.004, description="Share of a pool that moves per quarter per unit of pay ratio above 1, at open visas")
    migration_out_cap: Share = Field(0.05, description="Most of a pool that can leave in one quarter")
    poach_probability: Share = Field(0.03, description="Chance per quarter that a poacher lures one star from a target at full espionage effort and no enforcement")
    experience_per_quarter: float = Field(0.25, ge=0.0, le=1.0, description="Years of experience gained per quarter by employed engineers")
    pool_experience_rate: Share = Field(0.5, description="Experience gained by unemployed engineers relative to employed ones")
    experience_cap_years: float = Field(25.0, gt=0, description="Cap on employed engineers' mean experience (years)")
    pool_experience_cap_years: float = Field(15.0, gt=0, description="Cap on pools' mean experience (years)")
    start_experience_years: float = Field(7.0, ge=0, description="Mean experience of employed engineers at start (years)")
    pool_start_experience_years: float = Field(4.0, ge=0, description="Mean experience of unemployed engineers at start (years)")
    surplus_release: float = Field(1.25, ge=1.0, le=5.0, description="Employers release engineers above this factor times their target")
    star_weight_engineers: float = Field(100.0, ge=0.0, description="Engineers one star counts as, before technology.star_multiplier")
    experience_weight_base: float = Field(0.5, ge=0.0, le=5.0, description="Weight of an engineer with no experience in a firm's effective talent")
    experience_weight_per_year: float = Field(0.1, ge=0.0, le=1.0, description="Weight added per year of experience")
    experience_weight_cap: float = Field(1.5, gt=0.0, description="Most an engineer's experience multiplies their weight")
    lab_staff_elasticity: float = Field(0.3, ge=0.0, le=2.0, description="Labs' researcher targets grow as (compute / compute at start)^elasticity")
    diaspora_return_per_quarter: Share = Field(0.02, description="Share of a nation's diaspora (its engineers in other nations' pools) that goes home each quarter at fully open home visas; scaled by the home nation's visa openness (most of a diaspora has taken its host's citizenship and needs a visa to work at home)")


class EconomyRules(Strict):
    """National economies around their trend."""

    gap_recovery_per_quarter: Share = Field(0.9, description="Share of a GDP gap left after one quarter (the rest closes)")
    shortfall_impact: Share = Field(0.25, description="Share of a quarter's chip-dependent output lost per unit of trailing-node shortfall")
    gap_floor: float = Field(-0.95, ge=-1.0, le=0.0, description="Deepest GDP gap below trend")
    pay_cost_usd_b_per_tenth: NonNeg = Field(2.0, description="Budget cost per quarter of +0.1 pay index above the ruleset level for a $29T economy (scaled by GDP)")


class Bloc(Strict):
    """What a bloc's members share: prices, suppliers, packaging, poaching and rivals (data, not code)."""

    rivals: list[Code] = Field(default_factory=list, description="Blocs whose nations this bloc's computer players race")
    ai_wafer_price_factor: float = Field(1.0, gt=0.0, le=10.0, description="Price factor on AI wafers from foundries headquartered in the bloc")
    wafer_price_factor: float = Field(1.0, gt=0.0, le=10.0, description="Price factor on other wafers from sites in the bloc")
    tool_sources: list[Code] = Field(default_factory=list, description="Blocs whose toolmakers sell to the bloc's sites (empty: its own); a site buys `domestic_tool_share` from its own bloc")
    packaging_pool: str = Field("world", min_length=1, description="Packaging pool its chip firms use and its sites serve (firms of one pool share its lines)")
    accelerator_buyers: list[Code] = Field(default_factory=list, description="Blocs whose labs buy the bloc's accelerators (empty: every bloc)")
    ai_market_open_to: list[Code] = Field(default_factory=list, description="Blocs whose labs may sell AI services in this bloc's market (empty: every bloc); the bloc's market is its share of world GDP")
    poaches_from: list[Code] = Field(default_factory=list, description="Blocs whose firms the bloc's firms try to poach star engineers from")
    grey_servicing: bool = Field(False, description="Whether the bloc's sites obtain industry.grey_servicing_share of banned servicing anyway")
    kw_per_h100e: float = Field(1.7, gt=0.0, le=20.0, description="All-in power per H100-equivalent of its labs' installed compute at start (kW)")
    investor_weight: Share = Field(1.0, description="Share of its labs' capital that follows investors' sentiment (the rest is state or corporate money)")


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


class Ruleset(Strict):
    """A complete, merged ruleset: what the engine runs."""

    name: str = Field(..., min_length=1, description="Ruleset name")
    description: str = Field("", description="One-paragraph description")
    version: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[0-9][0-9A-Za-z.+!\-]*$", description="The mod's own version, like 1.2.0 (other mods may require it)")
    authors: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], BeforeValidator(_listed)] = Field(default_factory=list, description="Who made it")
    requires: Annotated[list[Requirement], BeforeValidator(_listed)] = Field(default_factory=list, description="Versions it needs: `techrace >= 0.2`, or a ruleset it extends and its `version`")
    format_version: int = Field(FORMAT_VERSION, ge=1, description="Ruleset format version")
    extends: str | list[str] | None = Field(None, description="Ruleset(s) this one layers on: a name or path, or a list applied in order")
    start_quarter: Quarter = Field("2025Q1", description="Quarter of the first turn")
    turns: int = Field(44, ge=1, le=400, description="Default game length (quarters)")
    technology: Technology
    nations: dict[str, NationSpec] = Field(..., min_length=1, description="Nations by ISO 3166 alpha-2 code (EU for the rest of the EU)")
    foundries: dict[str, FoundrySpec] = Field(..., description="Foundries and memory makers by id")
    toolmakers: dict[str, ToolMakerSpec] = Field(..., description="Toolmakers by id")
    chip_firms: dict[str, ChipFirmSpec] = Field(..., description="Chip designers by id")
    labs: dict[str, LabSpec] = Field(..., description="AI labs by id")
    regulators: dict[str, RegulatorSpec] = Field(default_factory=dict, description="Regulators by id")
    controls: dict[str, ControlRule] = Field(default_factory=dict, description="Export-control rules by id")
    shocks: dict[str, ShockSpec] = Field(default_factory=dict, description="Shocks by id")
    market: Market
    policies: Policies = Field(default_factory=Policies, description="Default decision policy per actor kind")
    research: Research = Field(default_factory=Research, description="Algorithmic progress and its diffusion")
    finance: Finance = Field(default_factory=Finance, description="Labs' revenue and investors")
    industry: Industry = Field(default_factory=Industry, description="Behaviour of foundries, memory makers, packaging and toolmakers")
    design: Design = Field(default_factory=Design, description="How chip firms design new generations")
    talent: TalentRules = Field(default_factory=TalentRules, description="The labour market for engineers")
    economy: EconomyRules = Field(default_factory=EconomyRules, description="National economies")
    blocs: dict[str, Bloc] = Field(default_factory=lambda: {"us_allied": Bloc(), "china": Bloc(), "neutral": Bloc()}, description="Blocs by name (each nation names one)")
    victory: dict[str, VictoryCondition] = Field(default_factory=dict, description="Victory conditions by id, checked every quarter in this order")
    scoring: Scoring = Field(default_factory=Scoring, description="The end score when no condition decides")
    levers: LeverRules = Field(default_factory=LeverRules, description="What the levers cost and how fast they act")
    calibration: dict[str, CalibrationCheck] = Field(default_factory=dict, description="Checks of `techrace calibrate` by id: model figures against the calibration sheet's ranges (never read by the simulation)")

    @field_validator("nations")
    @classmethod
    def _codes(cls, value: dict[str, NationSpec]) -> dict[str, NationSpec]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"nation code {code!r} must be two capital letters (ISO 3166 alpha-2, or EU)")
        return value

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Ruleset:
        """Names that must name something, and what the core would crash on, checked here for a ruleset built in
        Python; the YAML loader checks them itself, located at file:line, and says so in the context."""
        from techrace.ruleset.crossref_model import CHECKED_BY_CALLER, check_built

        if not (info.context or {}).get(CHECKED_BY_CALLER):
            check_built(self)
        return self

    def regulator_name(self, regulator: str) -> str:
        """What players read for a regulator: its `name`, else its id (also for an id it does not define)."""
        spec = self.regulators.get(regulator)
        return spec.name if spec is not None and spec.name else regulator

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Ruleset:
        """A copy; with `update`, validated again as a whole: pydantic's own copy skips validation, and a changed
        ruleset the checks would refuse must not reach the core."""
        copied = super().model_copy(update=update, deep=deep)
        if not update:
            return copied
        return type(self).model_validate(copied.model_dump(by_alias=True, warnings=False))
