"""A tournament's `summary.md`: the tables a designer reads, and the balance criteria of issue 10 measured.

The criteria: (1) every lever moves at least one outcome beyond seed noise (its 95% interval excludes 0) for
each nation that has it, in at least one ruleset played; (2) in baseline, the US and China each have a strategy
that wins at least 40% of games; (3) no nation wins more than 85% of computer-only baseline games; (4) no
single strategy is the best for its nation in every ruleset played. Each is stated as holds, does not hold or
not measured (what the tournament did not play), with the figures behind it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from techrace.batch.standings import MIN_PAIRS, beyond_noise
from techrace.safe_text import printable

if TYPE_CHECKING:
    import pandas as pd

    from techrace.batch.tournament import TournamentPlan

BASELINE = "baseline"
STRATEGY_WIN_SHARE = 0.40
COMPUTER_WIN_SHARE = 0.85
MAX_REFUSALS_SHOWN = 40


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"


def wilson_interval(wins: int, games: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a win share (scipy's `binomtest`): what the seeds played allow the true
    share to be, so a verdict near a threshold can say that more seeds may turn it."""
    from scipy.stats import binomtest

    interval = binomtest(int(wins), int(games)).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


def _interval_words(wins: int, games: int) -> str:
    low, high = wilson_interval(wins, games)
    return f"95% interval {100 * low:.0f}-{100 * high:.0f}%"


def _straddles(wins: int, games: int, threshold: float) -> bool:
    low, high = wilson_interval(wins, games)
    return low < threshold < high


def _cell(row: Any) -> str:
    turn = "" if row.median_win_turn != row.median_win_turn else f" (t{row.median_win_turn:.0f})"
    return f"{_share(row.win_share)}{turn}"


def best_strategy(table: pd.DataFrame) -> str | None:
    """The strategy (reference arms aside from computer-only) that wins most; ties broken by the earlier median
    winning turn; None when a tie remains (e.g. nobody wins)."""
    played = table[(table["strategy"] != "computer-only") & (table["runs"] > 0)]
    if played.empty:
        return None
    ranked = _ranked(played)
    top = ranked.iloc[0]
    rivals = ranked[(ranked["win_share"] == top["win_share"]) & (ranked["_turn"] == top["_turn"])]
    return None if len(rivals) > 1 else str(top["strategy"])


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Strategies from the best: most wins, then the earliest median winning turn."""
    turn = table["median_win_turn"].fillna(math.inf)
    return table.assign(_turn=turn).sort_values(["win_share", "_turn"], ascending=[False, True], kind="stable")


def _baseline_label(plan: TournamentPlan) -> str | None:
    return next((label for label, r in plan.rulesets.items() if r.name == BASELINE), None)


def criterion_levers(plan: TournamentPlan, levers: pd.DataFrame) -> tuple[str, list[str]]:
    from techrace.core.levers import LEVERS, military_moves, regulator_of

    moved = beyond_noise(levers)
    lines, verdicts = [], []
    for nation in plan.nations:
        has = {kind for kind, lever in LEVERS.items() if kind != "advisor" and any(
            nation in r.nations and (not lever.needs_regulator or regulator_of(r, nation)) and
            (kind != "military" or (r.nations[nation].military_moves and military_moves(r))) for r in plan.rulesets.values())}
        mine = levers[levers["nation"] == nation]
        probed, measured = set(mine["lever"]), _measured(mine)
        quiet = sorted(measured - set(moved.loc[moved["nation"] == nation, "lever"]), key=list(LEVERS).index)
        unprobed = sorted(has - probed, key=list(LEVERS).index)
        blind = len(probed - measured)  # probed on too few seeds for an interval: neither moved nor quiet
        verdicts.append("does not hold" if quiet else "holds" if not unprobed and not blind else "not measured")
        line = (f"{nation}: {len(measured) - len(quiet)} of {len(measured)} levers measured move an outcome" if measured
                else f"{nation}: {blind} levers probed, none measured")
        line += f"; no outcome beyond noise: {', '.join(quiet)}" if quiet else ""
        line += f"; fewer than {MIN_PAIRS} seeds give no interval for {blind}" if blind and measured else ""
        line += f" (fewer than {MIN_PAIRS} seeds give no interval)" if blind and not measured else ""
        line += (f"; not probed: {', '.join(unprobed)} (a probe is a one-order strategy file in DIR/probes/, "
                 "played with --strategies DIR)") if unprobed else ""
        lines.append(line)
    return _overall(verdicts), lines


def _measured(levers: pd.DataFrame) -> set[str]:
    """Levers with an interval for some outcome: only those can be said to move, or not move, an outcome."""
    return set(levers.loc[levers["ci_low"].notna() & levers["ci_high"].notna(), "lever"])


def _best_line(nation: str, mine: pd.DataFrame) -> str:
    """Who wins most, or that nobody won / several tie (then naming one 'best' would be arbitrary)."""
    ranked = _ranked(mine)
    top = ranked.iloc[0]
    if best_strategy(mine) is not None:
        wins, games = round(top["win_share"] * top["runs"]), int(top["runs"])
        near = (f"; the interval spans {STRATEGY_WIN_SHARE:.0%}: more seeds may turn the verdict"
                if _straddles(wins, games, STRATEGY_WIN_SHARE) else "")
        return (f"{nation}: best is {top['strategy']}, {_share(top['win_share'])} of {top['runs']} games "
                f"({_interval_words(wins, games)}){near}")
    if not top["win_share"] > 0:
        return f"{nation}: no strategy won ({len(ranked)} tied at 0% of {top['runs']} games)"
    tied = ranked[ranked["win_share"] == top["win_share"]]["strategy"]
    return f"{nation}: no single best: {', '.join(tied)} tie at {_share(top['win_share'])} of {top['runs']} games"


def criterion_baseline_strategy(plan: TournamentPlan, strategies: pd.DataFrame) -> tuple[str, list[str]]:
    label = _baseline_label(plan)
    if label is None:
        return "not measured", ["baseline was not played"]
    verdicts, lines = [], []
    for nation in ("US", "CN"):
        mine = strategies[(strategies["ruleset"] == label) & (strategies["nation"] == nation)
                          & (strategies["strategy"] != "computer-only") & (strategies["runs"] > 0)]
        if mine.empty:
            verdicts.append("not measured")
            lines.append(f"{nation}: not played")
            continue
        top = _ranked(mine).iloc[0]
        verdicts.append("holds" if top["win_share"] >= STRATEGY_WIN_SHARE else "does not hold")
        lines.append(_best_line(nation, mine))
    return _overall(verdicts), lines


def criterion_computer(plan: TournamentPlan, runs: pd.DataFrame) -> tuple[str, list[str]]:
    label = _baseline_label(plan)
    games = runs[(runs["ruleset"] == label) & (runs["arm"] == "computer-only")] if label else runs.iloc[0:0]
    if games.empty:
        return "not measured", ["computer-only baseline games were not played"]
    wins = games["winner"].dropna().value_counts()
    shares = wins / len(games)
    text = ", ".join(f"{nation} {share:.0%} ({_interval_words(wins[nation], len(games))})"
                     for nation, share in shares.items()) or "no winner yet"
    verdict = "holds" if shares.empty or shares.max() <= COMPUTER_WIN_SHARE else "does not hold"
    near = [nation for nation in wins.index if _straddles(wins[nation], len(games), COMPUTER_WIN_SHARE)]
    notes = [f"the interval of {', '.join(near)} spans {COMPUTER_WIN_SHARE:.0%}: more seeds may turn the verdict"] if near else []
    return verdict, [f"winners of {len(games)} computer-only baseline games: {text}", *notes]


def criterion_no_dominant(plan: TournamentPlan, strategies: pd.DataFrame) -> tuple[str, list[str]]:
    if len(plan.rulesets) < 2:
        return "not measured", ["needs two or more rulesets"]
    verdicts, lines = [], []
    for nation in plan.nations:
        best = {label: best_strategy(strategies[(strategies["ruleset"] == label) & (strategies["nation"] == nation)])
                for label in plan.rulesets}
        named = [b for b in best.values() if b is not None]
        everywhere = sorted({b for b in named if named.count(b) == len(best)})
        verdicts.append("does not hold" if everywhere else "holds")
        counts = ", ".join(f"{name} {named.count(name)}" for name in sorted(set(named), key=lambda n: -named.count(n)))
        ties = sum(b is None for b in best.values())
        lines.append(f"{nation}: best strategy per ruleset: {counts or 'none'}" + (f"; tied in {ties}" if ties else "")
                     + (f"; {everywhere[0]} is best in all {len(best)}" if everywhere else ""))
    return _overall(verdicts), lines


def _overall(verdicts: list[str]) -> str:
    if "does not hold" in verdicts:
        return "does not hold"
    return "not measured" if "not measured" in verdicts or not verdicts else "holds"


def summary(plan: TournamentPlan, strategies: pd.DataFrame, levers: pd.DataFrame, runs: pd.DataFrame,
            refused: pd.DataFrame, manifest: dict[str, Any], per_arm: int, command: str) -> str:
    """The markdown summary of a tournament."""
    batch = manifest.get("plan", {})
    failed = len(manifest.get("failed", []))
    out = [f"# Tournament: {', '.join(plan.rulesets)} × {', '.join(plan.nations)}", "", f"`{command}`", "",
           f"{per_arm} runs per arm on paired seeds (run i of every arm plays the same seed; batch seed "
           f"{batch.get('seed')}), {batch.get('turns')} turns; {len(plan.points)} arms, {manifest.get('done_count', 0)} of "
           f"{manifest.get('total_runs', 0)} runs done, {failed} failed (`_batch/_failures.json`).", ""]
    out += ["## Balance criteria (issue 10)", ""]
    for title, (verdict, lines) in (
            ("Every lever moves an outcome beyond seed noise in some ruleset", criterion_levers(plan, levers)),
            ("In baseline, the US and China each have a strategy winning >= 40%", criterion_baseline_strategy(plan, strategies)),
            ("No nation wins more than 85% of computer-only baseline games", criterion_computer(plan, runs)),
            ("No single strategy is best for its nation in every ruleset", criterion_no_dominant(plan, strategies))):
        out.append(f"- **{title}: {verdict}.** " + "; ".join(lines) + ".")
    out += ["", "## Strategies: win share (median winning turn)", ""]
    for nation in plan.nations:
        out += _strategy_section(nation, strategies[strategies["nation"] == nation])
    out += ["## Levers that move an outcome beyond seed noise", "",
            "Effect of each lever's probe against no new orders on the same seeds at the final turn: the median of "
            "the per-seed differences (win: the mean, a change in win probability); an outcome is shown where its "
            "95% paired bootstrap interval excludes 0 (the figures are in levers.csv).", ""]
    for nation in plan.nations:
        out += _lever_section(nation, levers[levers["nation"] == nation])
    out += _refusals(refused)
    notes = plan.warnings + plan.notes
    if notes:
        out += ["## Notes", ""] + [f"- {printable(n)}" for n in notes] + [""]
    return "\n".join(out).rstrip() + "\n"


def _strategy_section(nation: str, table: pd.DataFrame) -> list[str]:
    if table.empty:
        return []
    names = list(dict.fromkeys(table["strategy"]))
    lines = [f"### {nation}", "", "| ruleset | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, mine in table.groupby("ruleset", sort=False):
        best = best_strategy(mine)
        cells = {row.strategy: (f"**{_cell(row)}**" if row.strategy == best else _cell(row)) for row in mine.itertuples()}
        lines.append(f"| {label} | " + " | ".join(cells.get(n, "") for n in names) + " |")
    return lines + ["", "Bold: the best strategy in the ruleset (computer-only aside; none when tied).", ""]


OUTCOME_LETTERS = {"win": "w", "capability": "c", "ai_compute_h100e": "h", "advanced_wafer_starts": "a", "gdp_index": "g",
                   "advanced_wafers_made": "m", "rival_capability": "C", "rival_ai_compute_h100e": "H",
                   "rival_advanced_wafers_made": "M"}


def _lever_section(nation: str, table: pd.DataFrame) -> list[str]:
    """A matrix lever x ruleset: the outcomes moved beyond noise, with the sign of the effect."""
    if table.empty:
        return []
    moved = beyond_noise(table)
    labels = list(dict.fromkeys(table["ruleset"]))
    lines = [f"### {nation}", "", "| lever | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for lever, rows in table.groupby("lever", sort=False):
        cells = []
        for label in labels:
            if label not in set(rows["ruleset"]):
                cells.append("n/a")
                continue
            if lever not in _measured(rows[rows["ruleset"] == label]):
                cells.append("n/m")
                continue
            hits = moved[(moved["lever"] == lever) & (moved["ruleset"] == label)]
            cells.append(" ".join(OUTCOME_LETTERS[r.outcome] + ("+" if r.effect > 0 else "−") for r in hits.itertuples()) or "·")
        lines.append(f"| {lever} | " + " | ".join(cells) + " |")
    quiet = [lever for lever in dict.fromkeys(table["lever"]) if lever in _measured(table) and lever not in set(moved["lever"])]
    lines += ["", "w win, c capability, h AI compute (H100e), a advanced wafer starts, g GDP index of the nation (at the final "
              "turn), m its advanced wafers made over the whole game; C the best rival's capability, H its rivals' AI compute, "
              "M their advanced wafers made over the game (rivals: its bloc's `rivals`); + or − the sign of the effect; "
              f"· nothing beyond noise; n/a not played there; n/m not measured (fewer than {MIN_PAIRS} seeds, no interval)."]
    if quiet:
        lines += ["", f"No outcome beyond noise in any ruleset: {', '.join(quiet)}."]
    return lines + [""]


def _refusals(refused: pd.DataFrame) -> list[str]:
    if refused.empty:
        return []
    lines = ["## Orders the games refused", "", "| arm | order | rulesets | runs | times | first reason |",
             "|---|---:|---:|---:|---:|---|"]
    for row in refused.head(MAX_REFUSALS_SHOWN).itertuples():
        lines.append(f"| {printable(row.arm)} | {row.order} | {row.rulesets} | {row.runs} | {row.times} | "
                     f"{printable(row.first_reason).replace('|', '/')} |")
    if len(refused) > MAX_REFUSALS_SHOWN:
        lines.append(f"\n… and {len(refused) - MAX_REFUSALS_SHOWN} more (the run records in `_batch/`).")
    return lines + [""]


def render(plan: TournamentPlan, strategies: pd.DataFrame, levers: pd.DataFrame) -> list[object]:
    """Rich tables for the terminal: win shares per nation (rulesets as rows), then the levers' count."""
    from rich.markup import escape
    from rich.table import Table

    items: list[object] = []
    for nation in plan.nations:
        mine = strategies[strategies["nation"] == nation]
        if mine.empty:
            continue
        names = list(dict.fromkeys(mine["strategy"]))
        table = Table(title=printable(f"{nation}: win share (median winning turn)"), title_justify="left")
        table.add_column("ruleset")
        for name in names:
            table.add_column(printable(name), justify="right")
        for label, rows in mine.groupby("ruleset", sort=False):
            best = best_strategy(rows)
            cells = {row.strategy: (f"[bold]{_cell(row)}[/bold]" if row.strategy == best else _cell(row)) for row in rows.itertuples()}
            table.add_row(escape(printable(label)), *(cells.get(n, "") for n in names))
        items.append(table)
    moved = beyond_noise(levers)
    for nation in plan.nations:
        mine, quiet = moved[moved["nation"] == nation], levers[levers["nation"] == nation]
        if not quiet.empty:
            measured, probed = len(_measured(quiet)), quiet["lever"].nunique()
            items.append(printable(
                f"{nation}: {mine['lever'].nunique()} of {measured} levers measured move an outcome beyond seed noise in "
                "some ruleset (levers.csv, summary.md)" + (f"; {probed - measured} not measured (fewer than "
                                                            f"{MIN_PAIRS} seeds)" if measured < probed else "")
                if measured else f"{nation}: {probed} levers probed, none measured: fewer than {MIN_PAIRS} seeds per arm "
                "give no interval (effects in levers.csv)"))
    return items
