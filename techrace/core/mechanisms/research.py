"""Algorithmic progress, earned by each lab and spread between labs.

Each lab holds the log10 of its algorithmic efficiency A (effective FLOP per FLOP, 1.0 = its 2025Q1
frontier level of the ruleset's `algorithmic_multiplier`). Every quarter:

    research input   R = (researchers / H0)^alpha * (research compute / C0)^(1 - alpha)       (Cobb-Douglas)
    own progress     d log10 A = g * R^lambda * 10^(-beta * (log10 A - a0)) * luck               (Jones 1995)
    diffusion        d log10 A += sum over channels of rate * access * absorption * gap to the source

H0, C0 and a0 are the researchers, research compute and efficiency of the lab with the most research
input at start, so that lab grows at `research.frontier_growth_per_year` (calibration.md §6f: compute for
the same result halves every ~8 months, ~2.8x a year, Ho et al. 2024) while its inputs keep their start
level; more input makes progress faster with diminishing returns (lambda < 1), and every gain makes the
next harder (beta), so a lab whose compute stops growing falls behind the frontier. The functional form
follows the ideas production function of Jones (1995) as used for AI software progress in compute-centric
models (Davidson 2023); lambda, beta and alpha are P (see rulesets/baseline/research.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from techrace.core.markets.talent import EMPLOYER_SKILL, talent_units
from techrace.core.state import WorldState
from techrace.core.static import Static


@dataclass(frozen=True)
class ResearchReference:
    """The start-of-game inputs that make research input 1.0 (the lab with the most input at start)."""

    researchers: float
    compute: float
    algo_log10: float


def researchers(static: Static, s: WorldState) -> np.ndarray:
    """Effective AI researchers per lab (headcount weighted by experience, plus stars)."""
    offset = len(static.foundries) + len(static.toolmakers) + len(static.chip_firms)
    return talent_units(static, s)[offset:offset + len(static.labs)]


def research_compute(static: Static, s: WorldState) -> np.ndarray:
    return s.usable_compute * static.ruleset.research.research_compute_share


def research_input(static: Static, s: WorldState, ref: ResearchReference, people: np.ndarray | None = None) -> np.ndarray:
    """`people`: `researchers(static, s)` when the caller has it already."""
    alpha = static.ruleset.research.researcher_weight
    people = np.maximum(researchers(static, s) if people is None else people, 0.0) / max(ref.researchers, 1e-9)
    compute = np.maximum(research_compute(static, s), 0.0) / max(ref.compute, 1e-9)
    return people ** alpha * compute ** (1.0 - alpha)


def reference(static: Static, s: WorldState) -> ResearchReference:
    """The lab with the most research input at start (relative to the mean lab) sets the scale."""
    people, compute = researchers(static, s), research_compute(static, s)
    if len(people) == 0:
        return ResearchReference(1.0, 1.0, 0.0)
    alpha = static.ruleset.research.researcher_weight
    score = (people / max(people.mean(), 1e-9)) ** alpha * (compute / max(compute.mean(), 1e-9)) ** (1.0 - alpha)
    best = int(np.argmax(score))
    return ResearchReference(float(max(people[best], 1e-9)), float(max(compute[best], 1e-9)), float(s.algo_log10[best]))


def own_progress(static: Static, s: WorldState, ref: ResearchReference, luck: np.ndarray,
                 people: np.ndarray | None = None) -> np.ndarray:
    """log10 gain of each lab's efficiency from its own research this quarter (`people`: `researchers`)."""
    rules = static.ruleset.research
    rate = np.log10(rules.frontier_growth_per_year) / 4.0
    s.research_input = research_input(static, s, ref, people)
    harder = 10.0 ** (-rules.difficulty * (s.algo_log10 - ref.algo_log10))
    return rate * s.research_input ** rules.returns_to_research * harder * luck


def diffusion(static: Static, s: WorldState, people: np.ndarray | None = None) -> np.ndarray:
    """log10 gain of each lab from others' algorithms, through the ruleset's channels (`people`: `researchers`)."""
    rules = static.ruleset.research
    absorb = np.minimum(1.0, (researchers(static, s) if people is None else people) / max(rules.absorption_researchers, 1e-9))
    gain = np.zeros(len(static.labs))
    channels, lags, sources, columns = _channel_tables(static, s.algo_history.shape[1])
    if not len(gain) or not channels:
        return gain
    # every channel's pool of sources at once, (lab, channel); each column as its channel alone would see it
    pools = np.where(sources, s.algo_history[:, lags], -np.inf)
    best = pools.argmax(axis=0)
    gaps = np.maximum(pools[best, columns][None, :] - s.algo_log10[:, None], 0.0)
    for c, (channel, source, found) in enumerate(zip(channels, best.tolist(), np.logical_or.reduce(np.isfinite(pools), axis=0).tolist(), strict=True)):
        if not found:
            continue
        if channel.access == "everyone":  # full access: rate x 1.0 is the rate itself, so no array of ones to multiply
            gain += channel.rate_per_quarter * absorb * gaps[:, c]
        else:
            gain += channel.rate_per_quarter * _access(static, s, channel.access, source) * absorb * gaps[:, c]
    return gain


def _channel_tables(static: Static, depth: int) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """The diffusion channels in order, the history column each reads (its lag, within the `depth` kept),
    the (lab, channel) labs each may learn from (every lab, or the open-weights labs) and the channels'
    indices (read-only, once a game)."""
    key = ("diffusion_channels", depth)
    tables = static.cache.get(key)
    if tables is None:
        channels = list(static.ruleset.research.diffusion.values())
        lags = np.array([min(c.lag_quarters, depth - 1) for c in channels], dtype=np.int64)
        sources = np.array([[c.source == "frontier" or bool(open_) for c in channels] for open_ in _open_labs(static)],
                           dtype=bool).reshape(len(static.labs), len(channels))
        tables = static.cache[key] = (channels, lags, sources, np.arange(len(channels)))
        for array in tables[1:]:
            array.flags.writeable = False
    return tables


def _open_labs(static: Static) -> np.ndarray:
    """Labs that release open weights (read-only, once a game)."""
    found = static.cache.get("open_labs")
    if found is None:
        found = static.cache["open_labs"] = np.array([static.ruleset.labs[lab].open_weights for lab in static.labs], dtype=bool)
        found.flags.writeable = False
    return found


def _access(static: Static, s: WorldState, access: str, source: int) -> np.ndarray:
    """How much of a channel reaches each lab (0..1)."""
    if access == "everyone":
        return np.ones(len(static.labs))
    src_nation = static.lab_nation[source]
    if access == "espionage":
        return s.espionage[static.lab_nation] * (1.0 - s.anti_poaching[src_nation])
    # migration: researchers who moved in from the source's nation this quarter, as a share of the
    # receiving nation's researchers (pool plus labs); `migration_full_access_share` of them gives full access
    ai = EMPLOYER_SKILL["lab"]
    stock = s.pool[:, ai] + static.employer_to_nation @ s.eng[:, ai]
    inflow = s.researcher_inflow[src_nation] / np.maximum(stock, 1.0)
    full = max(static.ruleset.research.migration_full_access_share, 1e-9)
    return np.minimum(1.0, inflow / full)[static.lab_nation]


def advance(static: Static, s: WorldState, ref: ResearchReference, luck: np.ndarray) -> None:
    """One quarter of research: own progress plus diffusion; the history keeps the last quarters for lags."""
    people = researchers(static, s)  # research moves no researcher: counted once for both parts
    gain = own_progress(static, s, ref, luck, people) + diffusion(static, s, people)
    s.algo_log10 = s.algo_log10 + gain
    history = s.algo_history
    if history.flags.c_contiguous:  # each lab's quarters one on as one flat run (what moves into a lab's first
        flat = history.reshape(-1)  # quarter from the lab before is overwritten next): ~2x faster than the
        flat[1:] = flat[:-1]        # overlapping row-wise assignment, which numpy makes through a temporary copy
    else:
        history[:, 1:] = history[:, :-1]
    history[:, 0] = s.algo_log10
