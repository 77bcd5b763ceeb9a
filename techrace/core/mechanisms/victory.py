"""Victory per nation, from the ruleset's `victory:` conditions, checked every quarter in their order.

Each condition applies to some nations and compares them with their rivals (lead by a margin, parity,
a threshold, self-sufficiency in accelerators, a share of the economy) for a number of consecutive
quarters; `collapse` conditions take a nation out of the game instead (it keeps its economy but can no
longer win) without ending it for the others, unless it is the player's. When no condition decides, the
end score (`scoring.weights`) ranks the nations still in the game at the final quarter.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from techrace.core.events import Event
from techrace.core.mechanisms import shocks
from techrace.core.mechanisms.conditions import compare, condition_holds
from techrace.core.mechanisms.timeline import quarter_indices
from techrace.core.metrics import nation_metrics
from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import VictoryCondition, quarter_index


@dataclass(frozen=True)
class Outcome:
    winner: str
    kind: str
    reason: str
    turn: int
    quarter: str
    condition: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(str(data["winner"]), str(data["kind"]), str(data["reason"]), int(data["turn"]), str(data["quarter"]),
                   str(data.get("condition", "")))


def _applies(static: Static, cond: VictoryCondition) -> np.ndarray:
    return np.array([not cond.nations or c in cond.nations for c in static.nations])


NO_RIVAL = ("collapse", "condition")  # kinds decided by a nation's own figure or a data condition (a threshold shows its best rival as context)


def _rival_mask(static: Static, cond: VictoryCondition, alive: np.ndarray) -> np.ndarray:
    """(nation, nation): True where j is a rival of i under this condition (alive, not i itself); read-only."""
    return _living(static, cond, alive)[0]


def _living(static: Static, cond: VictoryCondition, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The condition's rival mask and the nations it applies to, both among the living: kept by who is
    alive (a nation collapses at most once a game), read-only."""
    key = ("victory_living", id(cond), alive.tobytes())
    found = static.cache.get(key)
    if found is None or found[2] is not cond:
        applies, listed, _, _ = _tables(static, cond)
        found = static.cache[key] = (listed & alive[None, :], applies & alive, cond)
        found[0].flags.writeable = found[1].flags.writeable = False
    return found[:2]


def _tables(static: Static, cond: VictoryCondition) -> tuple[np.ndarray, np.ndarray, int | None, dict | None]:
    """What a condition fixes for the whole game, built once: the nations it applies to, the (nation,
    nation) listed rivals other than the nation itself, its first quarter's index and its data condition."""
    key = ("victory", id(cond))
    tables = static.cache.get(key)
    if tables is None or tables[4] is not cond:
        n = len(static.nations)
        listed = np.array([not cond.rivals or c in cond.rivals for c in static.nations])
        start = None if cond.from_quarter is None else quarter_index(cond.from_quarter, static.start_quarter)
        when = cond.when.model_dump(mode="json", by_alias=True) if cond.when else None
        tables = static.cache[key] = (_applies(static, cond), listed[None, :] & ~np.eye(n, dtype=bool), start, when, cond)
    return tables[:4]


def best_rival(values: np.ndarray, rivals: np.ndarray) -> np.ndarray:
    """Each nation's best rival value (-inf where it has none)."""
    return np.where(rivals, values[None, :], -np.inf).max(axis=1, initial=-np.inf)


def _metric(metrics: dict[str, np.ndarray], name: str, finite: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """A metric with non-finite values read as 0 (`finite`: those already read this quarter, by name)."""
    if finite is not None and name in finite:
        return finite[name]
    values = metrics[name]
    values = np.where(np.isfinite(values), values, 0.0)
    if finite is not None:
        finite[name] = values
    return values


def holds(static: Static, cond: VictoryCondition, metrics: dict[str, np.ndarray], alive: np.ndarray,
          quarter: str = "", finite: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """(nation,) where the condition holds this quarter (before counting quarters)."""
    if cond.kind == "condition":  # a data condition over any nations' metrics, for the nations it lists
        when = _tables(static, cond)[3]
        return np.full(len(static.nations), condition_holds(static, when, quarter, metrics), dtype=bool)
    values = _metric(metrics, cond.metric, finite)
    if cond.kind in ("threshold", "collapse"):  # a nation's own figure: no rival to look at
        return values >= cond.value if cond.kind == "threshold" else values < cond.value
    rivals = _rival_mask(static, cond, alive)
    top = best_rival(values, rivals)
    if cond.kind == "lead":
        return np.isfinite(top) & (values - top >= cond.value)
    if cond.kind == "parity":
        return np.isfinite(top) & (values >= top - cond.value)
    if cond.kind == "self_sufficiency":
        close = np.ones(len(values), dtype=bool) if cond.within is None else (values >= top - cond.within)
        return (metrics["domestic_accelerator_share"] >= cond.value) & close
    if cond.kind == "economic_share":
        gdp = metrics["gdp_index"] * static.nation_params.gdp_usd_t
        total = gdp + (rivals * gdp[None, :]).sum(axis=1)
        return gdp / np.maximum(total, 1e-12) >= cond.value
    raise ValueError(f"unknown victory condition kind {cond.kind!r}")


def check(static: Static, s: WorldState, quarter: str, final: bool, metrics: dict[str, np.ndarray] | None = None,
          player: int | None = None) -> tuple[Outcome | None, list[Event]]:
    """Count the quarters each condition has held, take collapsed nations out, and decide a winner if any."""
    metrics = metrics if metrics is not None else nation_metrics(static, s)
    now = quarter_indices(static)[quarter]
    finite: dict[str, np.ndarray] = {}
    plan, needed = _plan(static)
    streaks, decides = _streaks(static, s, metrics, s.collapsed <= 0, quarter, now, finite, plan, needed)
    if not decides:
        if streaks:  # no condition decides: the quarter ends as the full count would
            s.victory_streak[...] = streaks
        return (_by_score(static, s, metrics, quarter, "no condition decided", "score", "scoring") if final else None), []
    return _decide(static, s, metrics, quarter, final, player, now, finite)


def _streaks(static: Static, s: WorldState, metrics: dict[str, np.ndarray], alive: np.ndarray, quarter: str, now: int,
             finite: dict[str, np.ndarray], plan: list[tuple[VictoryCondition, int | None, list[list[int]], list[int]]],
             needed: list[float]) -> tuple[list[list[float]], bool]:
    """[condition][nation] the quarters each condition will have held, counted as `_decide` counts them while
    no nation collapses (all conditions at once; a few nations, so in plain Python where the kind allows), and
    whether some condition decides; `plan` and `needed` are `_plan`'s. A streak is a whole number of quarters,
    never NaN, so the largest of a row says if any decides."""
    living = alive.tolist()
    values: dict[str, list[float]] = {}
    streaks = []
    decides = False
    for (cond, start, rivals, members), quarters, old in zip(plan, needed, s.victory_streak.tolist(), strict=True):
        if start is not None and now < start:
            row = [0.0] * len(old)
        else:
            held = _holds_few(cond, rivals, members, metrics, living, values)
            if held is None:  # a kind the arrays work out
                held = (holds(static, cond, metrics, alive, quarter, finite) & _living(static, cond, alive)[1]).tolist()
            if _suspended(static, s, cond):
                held = [False] * len(held)
            row = [x + 1.0 if h else 0.0 for x, h in zip(old, held, strict=True)]
        decides = decides or bool(row) and max(row) >= quarters
        streaks.append(row)
    return streaks, decides


def _suspended(static: Static, s: WorldState, cond: VictoryCondition) -> bool:
    """A self-sufficiency condition that does not count quarters of halted trade, in such a quarter: the share
    of home-made compute rises when a blockade halts imports, which is not self-reliance (docs/balance.md)."""
    return cond.kind == "self_sufficiency" and not cond.counts_while_exports_halted and shocks.exports_halted(static, s)


def _holds_few(cond: VictoryCondition, rivals: list[list[int]], members: list[int], metrics: dict[str, np.ndarray],
               living: list[bool], values: dict[str, list[float]]) -> list[bool] | None:
    """`holds` & the living nations it applies to, in plain Python floats (the same comparisons of the same
    numbers as the arrays), for the kinds that compare a nation with its best rival or a bar; None for others."""
    kind = cond.kind
    if kind not in ("lead", "parity", "self_sufficiency", "threshold", "collapse"):
        return None
    own = values.get(cond.metric)
    if own is None:  # non-finite values read as 0, as `_metric`
        own = values[cond.metric] = [x if math.isfinite(x) else 0.0 for x in metrics[cond.metric].tolist()]
    held = [False] * len(living)
    if kind == "threshold" or kind == "collapse":  # a nation's own figure against the bar
        bar = cond.value
        for n in members:
            if living[n]:
                held[n] = own[n] >= bar if kind == "threshold" else own[n] < bar
        return held
    share = metrics["domestic_accelerator_share"].tolist() if kind == "self_sufficiency" else []
    for n in members:
        if not living[n]:
            continue
        x = own[n]
        top = max([own[j] for j in rivals[n] if living[j]], default=-math.inf)
        if kind == "lead":
            held[n] = top != -math.inf and x - top >= cond.value
        elif kind == "parity":
            held[n] = top != -math.inf and x >= top - cond.value
        else:
            held[n] = share[n] >= cond.value and (cond.within is None or x >= top - cond.within)
    return held


def _plan(static: Static) -> tuple[list[tuple[VictoryCondition, int | None, list[list[int]], list[int]]], list[float]]:
    """Per condition, in order: the condition, its first quarter's index, each nation's listed rivals and the
    nations it applies to (as index lists); and the quarters each must hold. Once a game, kept by the
    conditions themselves."""
    conditions = tuple(static.ruleset.victory.values())
    plan = static.cache.get("victory_plan")
    if plan is None or plan[2] != conditions:
        rows = []
        for cond in conditions:
            applies, listed, start, _ = _tables(static, cond)
            rows.append((cond, start, [row.nonzero()[0].tolist() for row in listed], applies.nonzero()[0].tolist()))
        plan = static.cache["victory_plan"] = (rows, [float(c.quarters) for c in conditions], conditions)
    return plan[0], plan[1]


def _decide(static: Static, s: WorldState, metrics: dict[str, np.ndarray], quarter: str, final: bool, player: int | None,
            now: int, finite: dict[str, np.ndarray]) -> tuple[Outcome | None, list[Event]]:
    """The full count, condition by condition in their order: a collapse takes the nation out of the
    conditions after it, and the first condition some nation meets decides."""
    events: list[Event] = []
    alive = s.collapsed <= 0
    for ci, (cid, cond) in enumerate(static.ruleset.victory.items()):
        applies, _, start, _ = _tables(static, cond)
        counted = (start is None or now >= start) and not _suspended(static, s, cond)
        ok = holds(static, cond, metrics, alive, quarter, finite) & applies & alive if counted else False
        s.victory_streak[ci] = np.where(ok, s.victory_streak[ci] + 1.0, 0.0)
        decided = (s.victory_streak[ci] >= cond.quarters).nonzero()[0]
        if len(decided) == 0:
            continue
        if cond.kind == "collapse":
            for n in decided:
                s.collapsed[n] = 1.0
                code = static.nations[n]
                text = f"{code} collapses: {cond.metric} {metrics[cond.metric][n]:.1f} is below {cond.value:g}"
                events.append(Event(s.turn, quarter, "collapse", text, cond.description or cid, (code,)))
            alive = s.collapsed <= 0
            if player is not None and player in decided:
                return _by_score(static, s, metrics, quarter, f"{static.nations[player]}, your nation, collapsed",
                                 "collapse", cid), events
            continue
        values = _metric(metrics, cond.metric)
        w = int(decided[np.argmax(values[decided])])
        return Outcome(static.nations[w], cond.kind, _reason(static, cond, metrics, w, quarter), s.turn, quarter, cid), events
    if final:
        return _by_score(static, s, metrics, quarter, "no condition decided", "score", "scoring"), events
    return None, events


def _reason(static: Static, cond: VictoryCondition, metrics: dict[str, np.ndarray], w: int, quarter: str) -> str:
    code = static.nations[w]
    values = _metric(metrics, cond.metric)
    span = f" for {cond.quarters} quarters" if cond.quarters > 1 else ""
    if cond.kind in ("lead", "parity"):
        top = best_rival(values, _rival_mask(static, cond, np.ones(len(values), dtype=bool)))[w]
        word = "led every rival by" if cond.kind == "lead" else "kept within"
        return f"{code} {word} {cond.value:g} on {cond.metric}{span} ({values[w]:.1f} vs {top:.1f}) by {quarter}"
    if cond.kind == "self_sufficiency":
        share = metrics["domestic_accelerator_share"][w]
        return f"{code} made {share:.0%} of its new AI compute at home{span} by {quarter}"
    if cond.kind == "economic_share":
        return f"{code} held {cond.value:.0%} of its rivals' combined economy{span} by {quarter}"
    if cond.kind == "condition":
        return f"{code}: {cond.description or 'its condition held'}{span} by {quarter}"
    return f"{code} passed {cond.metric} {cond.value:g}{span} ({values[w]:.1f}) first, in {quarter}"


def end_scores(static: Static, s: WorldState, metrics: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Each nation's end score: the weighted sum of metrics in `scoring.weights`."""
    metrics = metrics if metrics is not None else nation_metrics(static, s)
    total = np.zeros(len(static.nations))
    for name, weight in static.ruleset.scoring.weights.items():
        total += weight * _metric(metrics, name)
    return total


def _by_score(static: Static, s: WorldState, metrics: dict[str, np.ndarray], quarter: str, why: str, kind: str,
              condition: str) -> Outcome:
    scores = np.where(s.collapsed > 0, -np.inf, end_scores(static, s, metrics))
    w = int(np.argmax(scores))
    code = static.nations[w]
    return Outcome(code, kind, f"{why}: {code} has the best end score ({scores[w]:.1f}) in {quarter}", s.turn, quarter, condition)


@dataclass(frozen=True)
class Goal:
    """One victory or loss condition as seen by one nation: where it stands and who is nearest."""

    id: str
    kind: str
    description: str
    value: float          # the nation's current figure for this condition
    target: float | None  # what it must reach (for a loss condition: not fall below)
    rival: str | None     # the nearest other nation on this figure
    rival_value: float | None
    progress: float       # 0..1 towards the goal (for a loss condition: 1 = safe)
    quarters_held: int    # consecutive quarters it has held so far
    quarters_needed: int
    loss: bool            # True for a condition that makes the nation lose
    text: str             # one line for a goal panel

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def goals(static: Static, s: WorldState, nation: int, turns_left: int,
          metrics: dict[str, np.ndarray] | None = None) -> list[Goal]:
    """The conditions that apply to `nation`, with its standing, plus the end score; ruleset order."""
    metrics = metrics if metrics is not None else nation_metrics(static, s)
    alive = s.collapsed <= 0
    out: list[Goal] = []
    for ci, (cid, cond) in enumerate(static.ruleset.victory.items()):
        if not _applies(static, cond)[nation]:
            continue
        values = _metric(metrics, cond.metric)
        rivals = _rival_mask(static, cond, alive)[nation]
        top = best_rival(values, rivals[None, :])[0]
        rival = (static.nations[int(np.argmax(np.where(rivals, values, -np.inf)))]
                 if rivals.any() and cond.kind not in NO_RIVAL else None)  # a kind that reads no rival names none
        rival_value = float(top) if np.isfinite(top) and rival is not None else None
        target, progress, text = _standing(static, cond, metrics, nation, rival, rival_value, rivals)
        held = int(s.victory_streak[ci, nation])
        if cond.quarters > 1 and cond.kind != "collapse":
            text += f"; held {held} of {cond.quarters} quarters"
        if _suspended(static, s, cond):
            text += "; not counted while a shock halts exports"
        out.append(Goal(cid, cond.kind, cond.description, float(values[nation]), target, rival, rival_value, progress,
                        held, cond.quarters, cond.kind == "collapse", text))
    out.append(_score_goal(static, s, metrics, nation, alive, turns_left))
    return out


def _score_goal(static: Static, s: WorldState, metrics: dict[str, np.ndarray], nation: int, alive: np.ndarray,
                turns_left: int) -> Goal:
    """The end score as a goal: its progress is the share of the other nations still in the game that `nation`
    ranks above (1 = first), so a third place of seven reads 67%, not the 0% of "not first"."""
    scores = np.where(alive, end_scores(static, s, metrics), -np.inf)
    others = int(alive.sum()) - int(bool(alive[nation]))
    rank = int((scores > scores[nation]).sum()) + 1
    below = int((scores < scores[nation]).sum()) - int((~alive).sum()) if alive[nation] else 0
    progress = below / others if others else 1.0
    return Goal("scoring", "score", "Otherwise the best end score wins at the final quarter", float(scores[nation]),
                None, None, None, progress, 0, 0, False,
                f"end score {scores[nation]:.1f}, rank {rank} of {int(alive.sum())} (ahead of {below} of {others}); "
                f"{turns_left} turns left")


def _standing(static: Static, cond: VictoryCondition, metrics: dict[str, np.ndarray], n: int, rival: str | None,
              rival_value: float | None, rivals: np.ndarray) -> tuple[float | None, float, str]:
    """Target, progress 0..1 and a one-line text for one nation under one condition (`rivals`: its rival mask)."""
    value = float(_metric(metrics, cond.metric)[n])
    versus = f" ({rival} {rival_value:.1f})" if rival is not None and rival_value is not None else ""
    if cond.kind in ("lead", "parity") and rival_value is not None:
        target = rival_value + (cond.value if cond.kind == "lead" else -cond.value)
        progress = float(np.clip(1.0 - (target - value) / max(abs(target), 1.0), 0.0, 1.0))
        margin = f" {'+' if cond.kind == 'lead' else '-'} {cond.value:g}" if cond.value else ""
        return target, progress, f"{cond.metric} {value:.1f}, needs {target:.1f} ({rival} {rival_value:.1f}{margin})"
    if cond.kind == "self_sufficiency":
        share = float(metrics["domestic_accelerator_share"][n])
        close = (f", {cond.metric} within {cond.within:g} of {rival}" if cond.within is not None and rival is not None else "")
        return cond.value, float(min(1.0, share / max(cond.value, 1e-9))), f"domestic share {share:.0%} of {cond.value:.0%}{close}"
    if cond.kind == "economic_share":
        gdp = metrics["gdp_index"] * static.nation_params.gdp_usd_t
        share = float(gdp[n] / max(gdp[n] + float((gdp * rivals).sum()), 1e-12))  # of it and its rivals, as `holds`
        return cond.value, float(min(1.0, share / max(cond.value, 1e-9))), f"economic share {share:.0%} of {cond.value:.0%}"
    if cond.kind == "condition":
        comparisons = [*(cond.when.all if cond.when else []), *(cond.when.any if cond.when else [])]
        met = sum(compare(static, c.model_dump(mode="json"), metrics) for c in comparisons)
        progress = met / len(comparisons) if comparisons else 1.0
        return None, progress, f"{cond.description or 'condition'}: {met} of {len(comparisons)} comparisons hold"
    if cond.kind == "collapse":
        margin = float(np.clip((value - cond.value) / max(abs(cond.value), 1.0), 0.0, 1.0))
        return cond.value, margin, f"{cond.metric} {value:.1f}; out of the game below {cond.value:g}"
    progress = float(min(1.0, value / cond.value)) if cond.value > 0 else 1.0
    return cond.value, progress, f"{cond.metric} {value:.1f} of {cond.value:g}{versus}"
