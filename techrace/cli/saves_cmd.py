"""`techrace saves list|show` and `techrace replay SAVE [--verify]` (argparse only at import time).

Every command takes a save name or path under the one rule of `techrace.saves.locate_save` (a name
lives in the saves directory; a path must end in .json.gz). Everything read from a save is printed
through `printable`, so a crafted header cannot drive the terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    saves = subparsers.add_parser("saves", help="list saved games", description="Manage saved games.")
    saves_sub = saves.add_subparsers(dest="saves_command", metavar="SUBCOMMAND", parser_class=type(saves))
    listing = saves_sub.add_parser("list", help="list the saves (ruleset, nation, turns played, next quarter, date, size)",
                                   description="List every save in the saves directory, autosaves included.")
    listing.add_argument("--dir", type=Path, default=None, help="saves directory (default: ./saves)")
    listing.set_defaults(func=_list)
    show = saves_sub.add_parser("show", help="check a save and print its header",
                                description="Print what a save holds, then validate it (format, checksum).")
    show.add_argument("name", metavar="NAME", help="a save name in the saves directory, or a path ending in .json.gz")
    show.add_argument("--dir", type=Path, default=None, help="saves directory (default: ./saves)")
    show.set_defaults(func=_show)
    saves.set_defaults(func=_list, dir=None)

    replay = subparsers.add_parser(
        "replay", help="re-run a save headless from its seed and action log",
        description="Re-run a saved game from its ruleset, seed and action log. With --verify, compare "
                    "the result with the saved snapshot: print the first divergence and exit 1, or OK.")
    replay.add_argument("save", metavar="SAVE", help="a save name in the saves directory, or a path ending in .json.gz")
    replay.add_argument("--verify", action="store_true", help="check the replay against the saved snapshot")
    replay.add_argument("--dir", type=Path, default=None, help="saves directory (default: ./saves)")
    replay.set_defaults(func=_replay)


def _list(args: argparse.Namespace) -> int:
    from techrace.safe_text import printable
    from techrace.saves import list_saves
    from techrace.saves.paths import saves_root

    infos = list_saves(args.dir)
    if not infos:
        print(f"no saves in {printable(saves_root(args.dir))}")
        return 0
    # turns *played* and the quarter the next turn plays, as `saves show` and the terminal game's load dialog say
    rows = [("NAME", "RULESET", "NATION", "SEED", "PLAYED", "NEXT QUARTER", "SAVED (UTC)", "SIZE")]
    problems: list[str] = []
    for info in infos:
        rows.append((printable(info.name), printable(info.ruleset or "-"),
                     printable(info.player or ("-" if info.problem else "observer")),
                     "-" if info.seed is None else str(info.seed), "-" if info.turn is None else str(info.turn),
                     info.quarter or "-", info.saved.strftime("%Y-%m-%d %H:%M"), _size(info.size)))
        if info.problem:
            problems.append(printable(f"{info.name}: {info.problem}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {3, 4, 7}
    for row in rows:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())
    for line in problems:
        print(f"damaged: {line}")
    return 0


def _show(args: argparse.Namespace) -> int:
    """The header first (read without the body), then the full check: a damaged save still shows what it claims."""
    from techrace.safe_text import printable
    from techrace.saves import SaveError, read_header, read_save

    path, header = read_header(args.name, args.dir)
    fields = [
        ("file", str(path)), ("size", _size(path.stat().st_size)),
        ("format", f"{header.techrace_save} (written by techrace {header.techrace_version})"),
        ("ruleset", f"{header.ruleset.name} (sha256 {header.ruleset.hash[:12]})"),
        ("nation", header.player or "observer (all computer players)"), ("seed", str(header.seed)),
        ("turn", f"{header.turn} played, next quarter {header.quarter}"),
        ("model", _model_words(header.model)),
    ]
    for key, value in fields:
        print(f"{key:<9} {printable(value)}", flush=True)
    try:
        document = read_save(args.name, saves_dir=args.dir)
    except SaveError:
        print(f"{'checksum':<9} FAILED", flush=True)
        raise
    actions = sum(len(turn) for turn in document["action_log"])
    print(f"{'actions':<9} {actions} logged")
    reloads = document["snapshot"].get("reloads") or []
    if reloads:
        turns = ", ".join(str(r.get("turn")) for r in reloads if isinstance(r, dict))
        print(printable(f"{'reloads':<9} {len(reloads)} (ruleset edited during play, after turn {turns})"))
    print(f"{'checksum':<9} OK {document['checksum'][:19]}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from techrace.safe_text import printable
    from techrace.saves import read_save
    from techrace.saves.replay import replay_divergence, replay_document

    document = read_save(args.save, saves_dir=args.dir)
    label = printable(args.save)
    game = replay_document(document, label=args.save)
    turns, actions = document["turn"], sum(len(a) for a in document["action_log"][: document["turn"]])
    if not args.verify:
        for row in _final_rows(game):
            print(printable(row))
        print(f"replayed {label}: {turns} turns, {actions} logged actions, next quarter {game.quarter}")
        return 0
    divergence = replay_divergence(document, game)
    if divergence is not None:
        print(f"DIVERGED {label}: {printable(divergence.describe())}")
        why = _model_change(document.get("model"))
        if why:
            print(why)
        return 1
    print(f"OK {label}: replaying {turns} turns and {actions} logged actions reproduces the saved game exactly")
    return 0


def _model_words(model: str | None) -> str:
    """The model that played a save, and whether it is this techrace's."""
    from techrace.model_id import model_fingerprint

    if model is None:
        return "not recorded (saved before 1 December 2026)"
    return f"{model} ({'this techrace' if model == model_fingerprint() else 'another model than this techrace ' + model_fingerprint()})"


def _model_change(model: object) -> str:
    """Why a replay may diverge although nothing is wrong with the save: another model played it."""
    from techrace.model_id import model_fingerprint

    current = model_fingerprint()
    if model == current:
        return ""
    played = "a model it does not record (it was saved before 1 December 2026)" if model is None else f"model {model}"
    return (f"note: this save was played by {played}, and this techrace is model {current}: a changed model plays the "
            "same orders differently, so a divergence is expected; the save itself still loads and plays on")


def _final_rows(game: object) -> list[str]:
    """The last turn's metric rows as an aligned table, one line per nation."""
    rows = [r for r in getattr(game, "metric_rows", []) if r.get("turn") == getattr(game, "turn", None)]
    if not rows:
        return []
    columns = [c for c in rows[0] if c not in ("seed", "turn", "quarter")]
    cells = [columns] + [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True)))
            for line in cells]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.2f} MB"
