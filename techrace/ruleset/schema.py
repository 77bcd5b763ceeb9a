"""The one schema of every value a modder can set.

Validation, the exported JSON Schema and the modder's reference (docs/modding.md) are all generated
from these pydantic models, so they cannot drift apart. Each field carries its unit and meaning in its
description; ranges are pydantic constraints. The models live in four parts (`schema_types`: quarters,
shares, ids and the strict base; `schema_world`: the actors; `schema_behaviour`: markets and how actors
behave; `schema_rules`: controls, shocks, victory, personalities, calibration); this module assembles
them into `Ruleset` and is where every name is imported from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from techrace.ruleset.schema_behaviour import (
    Bloc,
    Design,
    DiffusionChannel,
    EconomyRules,
    Finance,
    Forecasting,
    Industry,
    Market,
    Research,
    TalentRules,
)
from techrace.ruleset.schema_rules import (
    CalibrationCheck,
    CalibrationMeasure,
    Comparison,
    Condition,
    ControlRule,
    Effect,
    LeverRules,
    Metric,
    NationPolicyParams,
    Personality,
    Policies,
    QuarterSpan,
    RegulatorPolicyParams,
    RegulatorSpec,
    Scoring,
    ShockSpec,
    VictoryCondition,
)
from techrace.ruleset.schema_types import (
    FORMAT_VERSION,
    LAST_QUARTER,
    LEVER_GROUPS,
    MAX_MAGNITUDE,
    QUARTER_RE,
    SKILLS,
    TOOL_KINDS,
    Code,
    NonNeg,
    Quarter,
    Requirement,
    Share,
    SkillCounts,
    SkillShares,
    Strict,
    ToolCounts,
    _listed,
    quarter_index,
    quarter_label,
)
from techrace.ruleset.schema_world import (
    ChipFirmSpec,
    ChipSku,
    Construction,
    FoundrySpec,
    HbmGeneration,
    LabSpec,
    MultiPatterning,
    NationSpec,
    NodeSpec,
    SiteSpec,
    Technology,
    ToolDevelopment,
    ToolLine,
    ToolMakerSpec,
)


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


__all__ = [
    "FORMAT_VERSION",
    "SKILLS",
    "TOOL_KINDS",
    "LEVER_GROUPS",
    "QUARTER_RE",
    "LAST_QUARTER",
    "MAX_MAGNITUDE",
    "Quarter",
    "Share",
    "NonNeg",
    "Code",
    "Requirement",
    "quarter_index",
    "quarter_label",
    "Strict",
    "SkillCounts",
    "SkillShares",
    "ToolCounts",
    "MultiPatterning",
    "NodeSpec",
    "HbmGeneration",
    "Technology",
    "NationSpec",
    "Construction",
    "SiteSpec",
    "FoundrySpec",
    "ToolLine",
    "ToolDevelopment",
    "ToolMakerSpec",
    "ChipSku",
    "ChipFirmSpec",
    "LabSpec",
    "Market",
    "DiffusionChannel",
    "Research",
    "Finance",
    "Forecasting",
    "Industry",
    "Design",
    "TalentRules",
    "EconomyRules",
    "Bloc",
    "Metric",
    "Comparison",
    "Condition",
    "ControlRule",
    "RegulatorSpec",
    "Effect",
    "ShockSpec",
    "VictoryCondition",
    "LeverRules",
    "Scoring",
    "NationPolicyParams",
    "RegulatorPolicyParams",
    "Personality",
    "QuarterSpan",
    "CalibrationMeasure",
    "CalibrationCheck",
    "Policies",
    "Ruleset",
]
