"""The ruleset schema of the world's actors: technology, nations, foundries and their sites, toolmakers, chip firms, labs."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from techrace.ruleset.schema_types import (
    SKILLS,
    Code,
    NonNeg,
    Share,
    SkillCounts,
    SkillShares,
    Strict,
    ToolCounts,
)

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
