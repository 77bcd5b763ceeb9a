"""The ruleset schema of how the world behaves: markets, research, finance, industry, design, talent, economy, blocs."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from techrace.ruleset.schema_types import (
    Code,
    NonNeg,
    Share,
    Strict,
)

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
