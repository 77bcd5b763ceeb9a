"""Shared types of the ruleset schema: quarters, shares, ids, the strict base model and skill and tool counts."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)
from pydantic_core import PydanticCustomError

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
