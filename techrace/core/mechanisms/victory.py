"""Victory conditions from the ruleset, checked every turn (in the ruleset's order)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from techrace.core.metrics import nation_metrics
from techrace.core.state import WorldState
from techrace.core.static import Static


@dataclass(frozen=True)
class Outcome:
    winner: str
    kind: str
    reason: str
    turn: int
    quarter: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(str(data["winner"]), str(data["kind"]), str(data["reason"]), int(data["turn"]), str(data["quarter"]))


def check(static: Static, s: WorldState, quarter: str, final: bool,
          metrics: dict[str, np.ndarray] | None = None) -> Outcome | None:
    metrics = metrics if metrics is not None else nation_metrics(static, s)
    capability = metrics["capability"]
    gdp = metrics["gdp_index"]
    for cond in static.ruleset.victory:
        if cond.kind == "capability_threshold":
            passed = np.flatnonzero(capability >= cond.value)
            if len(passed):
                w = int(passed[np.argmax(capability[passed])])
                code = static.nations[w]
                return Outcome(code, cond.kind, f"{code} passed capability {cond.value:g} first ({capability[w]:.1f}) in {quarter}",
                               s.turn, quarter)
        elif cond.kind == "economic_collapse":
            collapsed = np.flatnonzero(gdp < cond.value)
            if len(collapsed):
                alive = np.setdiff1d(np.arange(len(static.nations)), collapsed)
                if len(alive) == 0:
                    continue
                w = int(alive[np.argmax(capability[alive])])
                names = ", ".join(f"{static.nations[i]} (GDP index {gdp[i]:.0f})" for i in collapsed)
                return Outcome(static.nations[w], cond.kind,
                               f"{names} collapsed in {quarter}; {static.nations[w]} leads the survivors", s.turn, quarter)
        elif cond.kind == "leader_at_end" and final:
            values = metrics[cond.metric]
            values = np.where(np.isfinite(values), values, -np.inf)
            w = int(np.argmax(values))
            code = static.nations[w]
            return Outcome(code, cond.kind, f"{code} leads on {cond.metric} ({values[w]:.1f}) at the end, {quarter}", s.turn, quarter)
    return None


def end_scores(static: Static, s: WorldState, metrics: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Each nation's end score: the metric of the ruleset's `leader_at_end` condition (capability by default)."""
    metrics = metrics if metrics is not None else nation_metrics(static, s)
    metric = next((c.metric for c in static.ruleset.victory if c.kind == "leader_at_end"), "capability")
    return np.where(np.isfinite(metrics[metric]), metrics[metric], 0.0)


@dataclass(frozen=True)
class Goal:
    """One victory or loss condition as seen by one nation: where it stands and who is nearest."""

    kind: str
    description: str
    value: float          # the nation's current figure for this condition
    target: float | None  # the threshold to reach (or, for a loss condition, not to fall below)
    rival: str | None     # the nearest other nation on this figure
    rival_value: float | None
    progress: float       # 0..1 towards the goal (for a loss condition: 1 = safe)
    loss: bool            # True for a condition that makes the nation lose
    text: str             # one line for a goal panel

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def goals(static: Static, s: WorldState, nation: int, turns_left: int,
          metrics: dict[str, np.ndarray] | None = None) -> list[Goal]:
    """The ruleset's victory conditions from `nation`'s point of view, in the ruleset's order."""
    metrics = metrics if metrics is not None else nation_metrics(static, s)
    out: list[Goal] = []
    for cond in static.ruleset.victory:
        metric = "gdp_index" if cond.kind == "economic_collapse" else cond.metric if cond.kind == "leader_at_end" else "capability"
        values = np.where(np.isfinite(metrics[metric]), metrics[metric], 0.0)
        mine = float(values[nation])
        others = np.delete(np.arange(len(static.nations)), nation)
        best = int(others[np.argmax(values[others])]) if len(others) else nation
        rival, rival_value = static.nations[best], float(values[best])
        if cond.kind == "capability_threshold":
            progress = min(1.0, mine / cond.value) if cond.value > 0 else 1.0
            text = f"{metric} {mine:.1f} of {cond.value:g}; {rival} {rival_value:.1f}"
            out.append(Goal(cond.kind, cond.description, mine, cond.value, rival, rival_value, progress, False, text))
        elif cond.kind == "economic_collapse":
            start = 100.0
            progress = float(np.clip((mine - cond.value) / max(start - cond.value, 1e-9), 0.0, 1.0))
            text = f"GDP index {mine:.1f}; collapse below {cond.value:g}"
            out.append(Goal(cond.kind, cond.description, mine, cond.value, rival, rival_value, progress, True, text))
        else:
            lead = mine - rival_value
            progress = 1.0 if lead >= 0 else float(mine / rival_value) if rival_value > 0 else 0.0
            text = f"{metric} {mine:.1f} vs {rival} {rival_value:.1f} ({lead:+.1f}); {turns_left} turns left"
            out.append(Goal(cond.kind, cond.description, mine, None, rival, rival_value, progress, False, text))
    return out
