"""The talent market: graduation, retirement, migration by pay and visas, hiring, experience and the
poaching of star engineers.

Engineers enter only by graduation and leave only by retirement (or, for one nation, emigration):
the world total changes by graduates minus retirements, which the conservation tests check.
"""

from __future__ import annotations

import numpy as np

from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import SKILLS

EMPLOYER_SKILL = {"foundry": SKILLS.index("process"), "toolmaker": SKILLS.index("tools"),
                  "chip_firm": SKILLS.index("design"), "lab": SKILLS.index("ai_research")}


def graduates_and_retirement(static: Static, s: WorldState) -> None:
    grads = static.nation_params.graduates
    rate = static.nation_params.retirement
    pool_exp_mass = s.pool * s.pool_exp
    s.pool += grads
    s.pool_exp = np.where(s.pool > 0, pool_exp_mass / np.maximum(s.pool, 1e-12), 0.0)
    graduated, employer_rate = _demography(static)
    s.graduated_engineers += graduated
    retired_pool = s.pool * rate[:, None]
    retired_emp = s.eng * employer_rate
    s.pool -= retired_pool
    s.eng -= retired_emp
    retired = np.add.reduce(retired_pool, axis=1) + static.employer_to_nation @ np.add.reduce(retired_emp, axis=1)
    s.retired_engineers += retired


def _demography(static: Static) -> tuple[np.ndarray, np.ndarray]:
    """Each nation's graduates of all skills and each employer's (employer, 1) retirement rate: ruleset values,
    once a game (read-only)."""
    tables = static.cache.get("demography")
    if tables is None:
        params = static.nation_params
        tables = static.cache["demography"] = (np.add.reduce(params.graduates, axis=1), params.retirement[static.employer_nation][:, None])
        for table in tables:
            table.flags.writeable = False
    return tables


def migrate(static: Static, s: WorldState) -> np.ndarray:
    """Engineers in national pools move towards better pay where visas let them in; returns the flows
    [from, to, skill] (the diaspora they join, mechanisms/diaspora.py)."""
    flows = _migration_rates(static, s)[:, :, None] * s.pool[:, None, :]  # [from, to, skill]
    outgoing = np.add.reduce(flows, axis=1)
    incoming = np.add.reduce(flows, axis=0)
    exp_in = np.add.reduce(flows * s.pool_exp[:, None, :], axis=0)
    stay = s.pool - outgoing
    new_pool = stay + incoming
    s.pool_exp = np.where(new_pool > 0, (stay * s.pool_exp + exp_in) / np.maximum(new_pool, 1e-12), 0.0)
    s.pool = new_pool
    s.emigrated += np.add.reduce(outgoing, axis=1)
    s.immigrated += np.add.reduce(incoming, axis=1)
    s.researcher_inflow = flows[:, :, SKILLS.index("ai_research")]
    return flows


def _migration_rates(static: Static, s: WorldState) -> np.ndarray:
    """(from, to) share of each pool moving per quarter (read-only): pay and visas change only by a lever or a
    shock, so the rates are kept by them (and the rules they are read with) instead of worked out every quarter."""
    rules = static.ruleset.talent
    key = ("migration_rates", s.pay.tobytes(), s.visa.tobytes(), rules.migration_rate, rules.migration_out_cap)
    rate = static.cache.get(key)
    if rate is None:
        pay_ratio = s.pay[None, :] / np.maximum(s.pay[:, None], 1e-9)  # [from, to]
        rate = rules.migration_rate * np.maximum(pay_ratio - 1.0, 0.0) * s.visa[None, :]
        np.fill_diagonal(rate, 0.0)
        out_share = rate.sum(axis=1)
        cap = rules.migration_out_cap
        rate = np.where(out_share[:, None] > cap, rate * cap / np.maximum(out_share[:, None], 1e-12), rate)
        rate.flags.writeable = False
        static.cache[key] = rate
    return rate


def hire(static: Static, s: WorldState) -> None:
    """Employers fill the gap to their target from their nation's pool, pro rata; surplus returns."""
    gap = np.maximum(s.eng_target - s.eng, 0.0)
    wanted = static.employer_to_nation @ gap
    fill = np.where(wanted > 0, np.minimum(1.0, s.pool / np.maximum(wanted, 1e-12)), 0.0)
    hires = gap * fill.take(static.employer_nation, axis=0)  # each employer's nation's row (as the fancy index)
    pool_exp = s.pool_exp.take(static.employer_nation, axis=0)
    total = s.eng + hires
    s.exp = np.where(total > 0, (s.eng * s.exp + hires * pool_exp) / np.maximum(total, 1e-12), 0.0)
    s.eng = total
    s.pool -= static.employer_to_nation @ hires
    rules = static.ruleset.talent
    surplus = np.maximum(s.eng - s.eng_target * rules.surplus_release, 0.0)
    if np.count_nonzero(surplus):  # `surplus.any()`, without its wrapper
        released = static.employer_to_nation @ surplus
        released_exp = static.employer_to_nation @ (surplus * s.exp)
        s.eng -= surplus
        new_pool = s.pool + released
        s.pool_exp = np.where(new_pool > 0, (s.pool * s.pool_exp + released_exp) / np.maximum(new_pool, 1e-12), 0.0)
        s.pool = new_pool
    s.exp = np.minimum(s.exp + rules.experience_per_quarter, rules.experience_cap_years)
    s.pool_exp = np.minimum(s.pool_exp + rules.experience_per_quarter * rules.pool_experience_rate, rules.pool_experience_cap_years)


def poach_stars(static: Static, s: WorldState, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Employers of blocs that poach (`blocs.*.poaches_from`) try to lure one star each from firms of the
    same kind in the blocs they poach from.

    Success is likelier when the target's nation enforces little and the poacher's nation spends on
    espionage; stars carry large multipliers (the Liang Mong-song effect). Returns (from, to) moves.
    One draw per ordered pair of employers every turn keeps the random stream independent of outcomes.
    """
    allowed = static.blocs.poaches
    if not np.count_nonzero(allowed):
        return []
    draws = rng.random(allowed.shape)
    poacher, target, cells, _, _ = _poach_pairs(static)
    success = draws.take(cells) < _poach_chances(static, s)  # the pairs' flat cells: what `draws[poacher, target]` reads
    moves: list[tuple[int, int]] = []
    for p, t in zip(poacher[success].tolist(), target[success].tolist(), strict=True):
        if s.stars[t] >= 1.0:
            s.stars[t] -= 1.0
            s.stars[p] += 1.0
            moves.append((t, p))
    return moves


def _poach_chances(static: Static, s: WorldState) -> np.ndarray:
    """Each pair's chance of success (read-only): espionage and enforcement change only by a lever, so the chances
    are kept by them and the rule's probability instead of worked out every quarter."""
    probability = static.ruleset.talent.poach_probability
    key = ("poach_chances", s.espionage.tobytes(), s.anti_poaching.tobytes(), probability)
    chance = static.cache.get(key)
    if chance is None:
        _, _, _, poacher_nation, target_nation = _poach_pairs(static)
        chance = static.cache[key] = (probability * s.espionage[poacher_nation]) * (1.0 - s.anti_poaching[target_nation])
        chance.flags.writeable = False
    return chance


def _poach_pairs(static: Static) -> tuple[np.ndarray, ...]:
    """(poacher, target) employer pairs that may try, in row-major order: their blocs allow it and they are
    of one class; with each pair's flat cell in the (employer, employer) draws and the two employers' nations.
    Read-only, once a game (only these pairs' chances are worked out each quarter)."""
    pairs = static.cache.get("poach_pairs")
    if pairs is None:
        allowed = static.blocs.poaches
        poacher, target = np.nonzero(allowed & _same_class(static))
        nation = static.employer_nation
        pairs = static.cache["poach_pairs"] = (poacher, target, poacher * allowed.shape[1] + target, nation[poacher], nation[target])
        for index in pairs:
            index.flags.writeable = False
    return pairs


def _same_class(static: Static) -> np.ndarray:
    """(employer, employer) True within one class: employer kind, memory makers apart from logic foundries
    (poaching stays within a class); read-only, once a game."""
    same = static.cache.get("same_employer_class")
    if same is None:
        kind = np.array([("foundry", "toolmaker", "chip_firm", "lab").index(k) for k in static.employer_kind])
        kind[: len(static.foundries)] += 10 * (static.foundry_is_memory > 0)
        same = static.cache["same_employer_class"] = kind[:, None] == kind[None, :]
        same.flags.writeable = False
    return same


def talent_index(static: Static, s: WorldState, reference: np.ndarray) -> np.ndarray:
    """Effective skilled headcount of each employer relative to its start (1.0 at start); read-only, kept with the
    units it divides (the same engineers are indexed before the talent market, after it and by research)."""
    units, seen = talent_units(static, s), _seen(static)
    last = seen[1]  # (units, reference's bytes, index): one slot, read and replaced whole
    if last is None or last[0] is not units or last[1] != reference.tobytes():
        last = seen[1] = (units, reference.tobytes(), _frozen(units / np.maximum(reference, 1.0)))
    return last[2]


def talent_units(static: Static, s: WorldState) -> np.ndarray:
    """Effective skilled headcount of each employer: its engineers of its own skill, weighted by experience, plus
    stars (read-only). Worked out again only when the engineers, their experience, the stars or the weights
    changed since the last call (they change in the talent market, by a shock or a restore)."""
    rules, star_multiplier = static.ruleset.talent, static.ruleset.technology.star_multiplier
    key = (s.eng.shape, s.eng.tobytes(), s.exp.tobytes(), s.stars.tobytes(), rules.experience_weight_cap,
           rules.experience_weight_base, rules.experience_weight_per_year, rules.star_weight_engineers, star_multiplier)
    seen = _seen(static)
    last = seen[0]  # (key, units): one slot, read and replaced whole
    if last is None or last[0] != key:
        last = seen[0] = (key, _units(static, s))
    return last[1]


def _seen(static: Static) -> list:
    """Two slots, one per Static, replaced in place (a store per quarter in the bounded cache would cost more than
    the units): the last units worked out with their key, and the last index of them with its reference's bytes."""
    seen = static.cache.get("talent_seen")
    if seen is None:
        seen = static.cache["talent_seen"] = [None, None]
    return seen


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _units(static: Static, s: WorldState) -> np.ndarray:
    """`talent_units` worked out."""
    where = static.cache.get("employer_skill_cells")
    if where is None:  # each employer's cell of its own skill in the flat (employer, skill) arrays, once a game
        skill = np.array([EMPLOYER_SKILL[k] for k in static.employer_kind], dtype=np.int64)
        where = static.cache["employer_skill_cells"] = np.arange(len(static.employers)) * s.eng.shape[1] + skill
        where.flags.writeable = False
    engineers = s.eng.take(where)  # flat cells: `take` reads the (row, column) pairs the fancy index did
    rules = static.ruleset.talent
    experience = np.minimum(rules.experience_weight_cap, rules.experience_weight_base + s.exp.take(where) * rules.experience_weight_per_year)
    return _frozen(engineers * experience + s.stars * static.ruleset.technology.star_multiplier * rules.star_weight_engineers)


def employer_name(static: Static, employer: int) -> str:
    """An employer's display name from its ruleset entry (events name firms as players read them)."""
    tables = {"foundry": static.ruleset.foundries, "toolmaker": static.ruleset.toolmakers,
              "chip_firm": static.ruleset.chip_firms, "lab": static.ruleset.labs}
    return tables[static.employer_kind[employer]][static.employers[employer]].name
