"""`techrace run`: play a game with computer players, print a summary, optionally write metrics."""

from __future__ import annotations

import argparse
import csv
import io
import os
import stat
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("run", help="play a game with computer players and print a summary",
                              description="Play a game with computer players only; print a summary table at the end.")
    p.add_argument("--ruleset", default="baseline", metavar="NAME|PATH", help="ruleset name or directory (default: baseline)")
    p.add_argument("--turns", type=int, default=None, metavar="N", help="quarters to play (default: the ruleset's game length)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE.csv", help="write one row per (turn, nation)")
    p.add_argument("--save", default=None, metavar="NAME|FILE",
                   help="save the game at the end: a name in saves/ or a file path (see `techrace saves`)")
    p.add_argument("--load", default=None, metavar="NAME|FILE", help="continue a saved game headless (a name in saves/ or a path)")
    p.add_argument("--quiet", action="store_true", help="no summary table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from techrace.safe_text import printable

    # Where the results go is checked first, before the simulation is even imported: a bad --out or
    # --save (a name too long, a file that is not a save, a device) costs nothing.
    if args.out is not None:
        check_output_file(args.out)
    if args.save:
        from techrace.saves.paths import locate_save

        locate_save(args.save, for_writing=True)
    game, start = _start_game(args)
    turns = args.turns if args.turns is not None else max(game.turns_total - game.turn, 0)
    game.run(turns)
    if args.out is not None:
        write_csv(args.out, game.metric_rows[start:])
    if args.save:
        from techrace.saves import save_game

        path = save_game(game, args.save)
        print(f"saved {printable(path)}", file=sys.stderr)
    if not args.quiet:
        print(printable(summary(game), keep_newlines=True))
    return 0


def _start_game(args: argparse.Namespace) -> tuple[Any, int]:
    """The loaded or new game and how many metric rows it already holds (not written again to --out)."""
    if args.load:  # a bad save is refused (bounded read, validation) before Mesa is even imported
        from techrace.saves import load_game

        game = load_game(args.load)
    from techrace.core import Game
    from techrace.core.game import check_seed, check_turns

    if args.turns is not None:
        check_turns(args.turns)
    if args.load:
        return game, len(game.metric_rows)
    return Game.from_ruleset(args.ruleset, seed=check_seed(args.seed)), 0


def check_output_file(path: Path) -> None:
    """TechraceError unless `path` can take a new file: checked before the game is played."""
    from techrace.errors import TechraceError
    from techrace.saves.paths import MAX_NAME_BYTES, file_kind

    if len(os.fsencode(path.name)) > MAX_NAME_BYTES:
        raise TechraceError(f"cannot write {str(path)[:60]}...: the file name is {len(os.fsencode(path.name))} bytes, "
                            f"at most {MAX_NAME_BYTES} are allowed")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise TechraceError(f"cannot write {path}: directory {directory} does not exist")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise TechraceError(f"cannot write {path}: it is {file_kind(mode)}; --out writes a new regular file")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise TechraceError(f"cannot write {path}: no permission to write in {directory}")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write metric rows atomically: a full disk or an interrupt leaves no half-written file."""
    from techrace.core import COLUMNS
    from techrace.saves.atomic import atomic_write_bytes

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in COLUMNS})
    atomic_write_bytes(path.absolute(), buffer.getvalue().encode("utf-8"), what="output file")


def summary(game: Any) -> str:
    """A short plain-text table of the final quarter, then the outcome and a few of the events."""
    last = [r for r in game.metric_rows if r["turn"] == game.turn]
    if not last:
        lines = [f"techrace {game.ruleset.name} seed {game.seed}: no quarter played (the game starts in {game.quarter})"]
    else:
        lines = [f"techrace {game.ruleset.name} seed {game.seed}: {game.turn} turns to {last[0]['quarter']}", "",
                 *_table(last)]
    outcome = game.outcome
    lines.append("")
    if outcome is not None:
        lines.append(f"Winner: {outcome.winner} — {outcome.reason}")
    else:
        lines.append("No winner yet (the game is not over).")
    lines.append(_events_line(game.events))
    return "\n".join(lines)


def _table(last: list[dict[str, Any]]) -> list[str]:
    """The final quarter's rows, the most capable nation first."""
    columns = [("nation", "nation", "{}"), ("compute H100e", "ai_compute_h100e", "{:,.0f}"),
               ("largest run FLOP", "largest_training_run_flop", "{:.2e}"), ("capability", "capability", "{:.1f}"),
               ("best node", "best_node_nm", "{:g} nm"), ("adv. wpm", "advanced_wafer_starts", "{:,.0f}"),
               ("accelerators/q", "accelerators_produced", "{:,.0f}"), ("GDP index", "gdp_index", "{:.1f}")]
    table = [[title for title, _, _ in columns]]
    for row in sorted(last, key=lambda r: -r["capability"]):
        table.append([("-" if row[key] is None else fmt.format(row[key])) for _, key, fmt in columns])
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = []
    for i, r in enumerate(table):
        lines.append("  ".join(c.rjust(w) if j else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True))))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _events_line(events: list[Any], room: int = 300) -> str:
    """How many events, and the first controls, shocks and technologies that fit in `room` characters, whole."""
    shown: list[str] = []
    for text in (e.text for e in events if e.kind in ("control", "shock", "technology")):
        if shown and sum(len(t) + 2 for t in shown) + len(text) > room:
            shown.append("…")
            break
        shown.append(text)
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    return f"{count}; e.g. " + "; ".join(shown) if shown else f"{count}."

