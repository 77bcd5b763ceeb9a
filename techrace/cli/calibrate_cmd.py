"""`techrace calibrate`: the model's figures next to the calibration sheet's ranges, as text or markdown."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

KIND_TITLES = {
    "state": "State at the start (2025Q1, or totals over 2025)",
    "trend": "Trend: growth over the first year of play next to the history before 2025",
}
MARKDOWN_PREFACE = """\
Each row is a check of the ruleset's `calibration:` section: a figure the model computes from its metrics
(`techrace run --out` columns), its median over the seeds with the lowest and highest seed in brackets,
the range the calibration sheet gives for it, the sheet's row, and `ok` when the median lies in the range.

- **State** rows compare the model's first quarter (2025Q1), or its totals over 2025, with the sheet's
  suggested starting state.
- **Trend** rows compare the model's growth over its first year of play with the history of the sheet's
  §6 (2010-2025). The game starts in 2025Q1, so there is no hindcast of 2020-2024: the model has no
  such years. These rows ask whether its early growth continues that history.

To add a check, add an entry under `calibration:` in a ruleset file (see `rulesets/baseline/calibration.yaml`
and the `CalibrationCheck` reference in docs/modding.md): `figure`, `source`, `measure` (`metric`, `nations`,
`reduce`: sum, max or share, and one of `at`, `growth_per_year` or `total`) and `range: [low, high]`, taken
from the sheet, never chosen to make the model pass. Then run `techrace calibrate --ruleset NAME`.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("calibrate", help="the model's figures next to the calibration sheet's ranges",
                              description="Play a few seeds headless, as far as the ruleset's calibration checks need, and "
                                          "print each check's model value (median, min-max over seeds) next to the sheet's range. "
                                          "Exit 0 when it ran, even if some checks are out of range.")
    p.add_argument("--ruleset", default="baseline", metavar="NAME|PATH", help="ruleset name or directory (default: baseline)")
    p.add_argument("--seeds", type=int, default=5, metavar="N", help="seeds 0..N-1 to play (default: 5)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE.md", help="also write the report as markdown")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from techrace.cli.run_cmd import check_output_file
    from techrace.core.calibration import check_seed_count
    from techrace.safe_text import printable

    check_seed_count(args.seeds)  # cheap checks first: nothing is played for a bad count or path
    if args.out is not None:
        check_output_file(args.out)
    ruleset, errors = _checked_ruleset(args.ruleset)
    for line in errors:  # every located error on its own line
        print(f"techrace: error: {printable(line)}", file=sys.stderr)
    if ruleset is None:
        return 2
    from techrace.core.calibration import calibrate

    report = calibrate(ruleset, args.seeds)
    if not report.rows:
        print(f"ruleset {printable(ruleset.name)} has no calibration checks (add a `calibration:` section; "
              "see docs/modding.md)", file=sys.stderr)
    print(printable(text_report(report), keep_newlines=True))
    if args.out is not None:
        from techrace.saves.atomic import atomic_write_bytes

        atomic_write_bytes(args.out.absolute(), markdown_report(report).encode("utf-8"), what="output file")
        print(f"wrote {printable(args.out)}", file=sys.stderr)
    return 0


def _checked_ruleset(name_or_path: str) -> tuple[Any, list[str]]:
    """The ruleset, or None and its located errors: the loader's, then checks reading quarters the game
    does not play (a valid ruleset, e.g. a mod that shortens the game, but not one to calibrate)."""
    import warnings

    from techrace.ruleset import RulesetError, RulesetNotice, inspect_ruleset
    from techrace.ruleset.crossref import calibration_quarter_errors
    from techrace.ruleset.layers import meta_mark

    try:
        inspected = inspect_ruleset(name_or_path)
    except RulesetError as exc:
        return None, exc.errors
    if inspected.errors or inspected.ruleset is None:
        return None, inspected.errors or ["ruleset could not be loaded"]
    data = inspected.ruleset.model_dump(mode="json", by_alias=True)
    outside = calibration_quarter_errors(data, inspected.merged.where, meta_mark(inspected.chain[0], "name"))
    if outside:
        return None, outside
    for notice in inspected.notices:
        warnings.warn(notice, RulesetNotice, stacklevel=2)
    return inspected.ruleset, []


# ------------------------------------------------------------------------------------------- formatting


def number(value: float, measure: Any, extra: int = 0) -> str:
    """A figure as a reader expects it: shares in percent, growth as x a year, big counts in K/M; `extra`
    more digits where the usual ones would hide which side of a range bound it lies."""
    if measure.reduce == "share":
        return f"{value * 100:.{1 + extra}f}%"
    if measure.growth_per_year is not None:
        return f"{value:.{2 + extra}f}x"
    size = abs(value)
    if size >= 1e9:
        mantissa, exponent = f"{value:.{2 + extra}e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    if size >= 1e6:
        return f"{value / 1e6:.{2 + extra}f}M"
    if size >= 1e4:
        return f"{value / 1e3:.{1 + extra}f}K"
    return f"{value:.{3 + extra}g}"


def digits_needed(median: float, bounds: tuple[float, float], measure: Any) -> int:
    """How many more digits show the median apart from each range bound it differs from: rounded alike,
    a median just out of range (1.3560 against 1.36) would read as inside it, and ok/out would look wrong."""
    for extra in range(7):
        if all(median == bound or number(median, measure, extra) != number(bound, measure, extra) for bound in bounds):
            return extra
    return 6


def cells(row: Any) -> dict[str, str]:
    """The text of one report row, shared by the terminal table and the markdown table."""
    m = row.measure
    when = m.at or (f"{m.growth_per_year[0]}→{m.growth_per_year[1]}" if m.growth_per_year else f"{m.total[0]}–{m.total[1]}")
    extra = 0  # more digits for the median and, to compare them, the range
    if row.median is None:
        model = "n/a (no seed reached these quarters)"
    else:
        low, high = row.spread
        extra = digits_needed(row.median, (row.low, row.high), m)
        model = f"{number(row.median, m, extra)} ({number(low, m)}–{number(high, m)})"
    result = "n/a" if row.ok is None else "ok" if row.ok else "out"
    return {"check": row.check, "figure": row.figure, "when": when, "model": model,
            "range": f"{number(row.low, m, extra)}–{number(row.high, m, extra)}", "source": row.source, "result": result}


COLUMNS = (("check", "check"), ("figure", "figure"), ("when", "quarters"), ("model", "model: median (min–max)"),
           ("range", "sheet range"), ("result", "ok/out"), ("source", "source"))


def _header(report: Any) -> str:
    seeds = f"{report.seeds[0]}-{report.seeds[-1]}" if len(report.seeds) > 1 else str(report.seeds[0])
    return (f"ruleset {report.ruleset} (sha256 {report.ruleset_hash[:12]}), {len(report.seeds)} seeds ({seeds}), "
            f"{report.turns} quarters played")


def _summary(report: Any) -> str:
    out = [row.check for row in report.out]
    missing = sum(1 for row in report.rows if row.ok is None)
    ok = len(report.rows) - len(out) - missing
    text = f"{len(report.rows)} checks: {ok} ok, {len(out)} out" + (f", {missing} n/a" if missing else "")
    return text + (f" ({', '.join(out)})" if out else "")


NAMED_AT_LEAST = 0.05  # a constraint binding less than this on average is left out of the line (reading only)
NAMED_PER_NATION = 4   # and at most this many are named per nation


def held_lines(report: Any) -> list[str]:
    """One line per check that is out: what bound its nation while it was measured (the advisor's constraints,
    mean binding over the quarters and seeds), so a shortfall a constraint explains reads apart from a wrong drive."""
    lines = []
    for row in report.out:
        by_nation: dict[str, list[str]] = {}
        for hold in row.held_by:  # most binding first per nation
            named = by_nation.setdefault(hold.nation, [])
            if hold.binding >= NAMED_AT_LEAST and len(named) < NAMED_PER_NATION:
                named.append(f"{hold.constraint} {hold.binding * 100:.0f}%")
        by_nation = {nation: parts for nation, parts in by_nation.items() if parts}
        held = "; ".join(f"{nation}: {', '.join(parts)}" for nation, parts in by_nation.items())
        lines.append(f"{row.check}: {held or 'no constraint bound its nation (the drive itself differs from the sheet)'}")
    return lines


HELD_TITLE = ("What held the checks that are out (the advisor's constraints on the nation measured: the share of its "
              "labs' accelerator money, spent (capital) or unspent (chips, power), or of its suppliers' planned "
              "accelerators (HBM, wafers, packaging) each accounts for, mean over the quarters measured and the seeds)")


def text_report(report: Any) -> str:
    lines = [f"techrace calibrate: {_header(report)}"]
    for kind, title in KIND_TITLES.items():
        rows = [cells(r) for r in report.rows if r.kind == kind]
        if not rows:
            continue
        table = [[title for _, title in COLUMNS]] + [[r[key] for key, _ in COLUMNS] for r in rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
        lines += ["", title + ":"]
        for i, line in enumerate(table):
            lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
    held = held_lines(report)
    if held:
        lines += ["", HELD_TITLE + ":"] + [f"  {line}" for line in held]
    return "\n".join(lines + ["", _summary(report)])


def _md(text: str) -> str:
    """A table cell: pipes escaped and line breaks flattened so user text cannot break the table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_report(report: Any) -> str:
    lines = [f"# Calibration report: {_md(report.ruleset)}", "",
             f"Generated by `techrace calibrate --ruleset {_md(report.ruleset)} --seeds {len(report.seeds)}`: "
             f"{_md(_header(report))}. Ranges come from the calibration sheet (`../shared/calibration.md`).", "",
             MARKDOWN_PREFACE.rstrip(), "", f"**{_md(_summary(report))}.**"]
    for kind, title in KIND_TITLES.items():
        rows = [cells(r) for r in report.rows if r.kind == kind]
        if not rows:
            continue
        lines += ["", f"## {title}", "", "| " + " | ".join(t for _, t in COLUMNS) + " |",
                  "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(_md(r[key]) for key, _ in COLUMNS) + " |" for r in rows]
    held = held_lines(report)
    if held:
        explained = HELD_TITLE.split(" (", 1)[1].removesuffix(")")
        lines += ["", "## What held the checks that are out", "", explained[0].upper() + explained[1:] + ".", ""]
        lines += [f"- {_md(line)}" for line in held]
    return "\n".join(lines) + "\n"
