"""`techrace saves list` and `techrace replay SAVE [--verify]` (argparse only at import time).

`saves` commands take save *names*, which always resolve inside the saves directory. `replay` is
typed in the user's own shell, so like `run --load FILE` it also accepts an explicit file path.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    saves = subparsers.add_parser("saves", help="list saved games", description="Manage saved games.")
    saves_sub = saves.add_subparsers(dest="saves_command", metavar="SUBCOMMAND", parser_class=type(saves))
    listing = saves_sub.add_parser("list", help="list the saves (ruleset, nation, turn, quarter, date, size)",
                                   description="List every save in the saves directory, autosaves included.")
    listing.add_argument("--dir", type=Path, default=None, help="saves directory (default: ./saves)")
    listing.set_defaults(func=_list)
    show = saves_sub.add_parser("show", help="check a save and print its header",
                                description="Validate a save (format, checksum) and print what it holds.")
    show.add_argument("name", metavar="NAME", help="save name inside the saves directory")
    show.add_argument("--dir", type=Path, default=None, help="saves directory (default: ./saves)")
    show.set_defaults(func=_show)
    saves.set_defaults(func=_list, dir=None)

    replay = subparsers.add_parser(
        "replay", help="re-run a save headless from its seed and action log",
        description="Re-run a saved game from its ruleset, seed and action log. With --verify, compare "
                    "the result with the saved snapshot: print the first divergence and exit 1, or OK.")
    replay.add_argument("save", metavar="SAVE", help="a save name in the saves directory, or a file path")
    replay.add_argument("--verify", action="store_true", help="check the replay against the saved snapshot")
    replay.add_argument("--dir", type=Path, default=None, help="saves directory (default: ./saves)")
    replay.set_defaults(func=_replay)


def _list(args: argparse.Namespace) -> int:
    from techrace.saves import list_saves
    from techrace.saves.paths import saves_root

    infos = list_saves(args.dir)
    if not infos:
        print(f"no saves in {saves_root(args.dir)}")
        return 0
    rows = [("NAME", "RULESET", "NATION", "SEED", "TURN", "QUARTER", "SAVED (UTC)", "SIZE")]
    problems: list[str] = []
    for info in infos:
        rows.append((info.name, info.ruleset or "-", info.player or ("-" if info.problem else "observer"),
                     "-" if info.seed is None else str(info.seed), "-" if info.turn is None else str(info.turn),
                     info.quarter or "-", info.saved.strftime("%Y-%m-%d %H:%M"), _size(info.size)))
        if info.problem:
            problems.append(f"{info.name}: {info.problem}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {3, 4, 7}
    for row in rows:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())
    for line in problems:
        print(f"damaged: {line}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from techrace.saves import read_save, resolve_save

    path = resolve_save(args.name, args.dir)
    document = read_save(args.name, saves_dir=args.dir)
    actions = sum(len(turn) for turn in document["action_log"])
    fields = [
        ("file", str(path)), ("size", _size(path.stat().st_size)),
        ("format", f"{document['techrace_save']} (written by techrace {document['techrace_version']})"),
        ("ruleset", f"{document['ruleset']['name']} (sha256 {document['ruleset']['hash'][:12]})"),
        ("nation", document["player"] or "observer (all computer players)"), ("seed", str(document["seed"])),
        ("turn", f"{document['turn']} played, next quarter {document['quarter']}"),
        ("actions", f"{actions} logged"), ("checksum", "OK " + document["checksum"][:19]),
    ]
    for key, value in fields:
        print(f"{key:<9} {value}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from techrace.saves import read_save
    from techrace.saves.container import snapshot_of
    from techrace.saves.replay import first_divergence, replay_document

    document = read_save(args.save, saves_dir=args.dir, allow_outside=True)
    game = replay_document(document, label=args.save)
    turns, actions = document["turn"], sum(len(a) for a in document["action_log"][: document["turn"]])
    if not args.verify:
        for row in _final_rows(game):
            print(row)
        print(f"replayed {args.save}: {turns} turns, {actions} logged actions, next quarter {game.quarter}")
        return 0
    import json

    divergence = first_divergence(snapshot_of(document), json.loads(json.dumps(game.snapshot())))
    if divergence is not None:
        print(f"DIVERGED {args.save}: {divergence.describe()}")
        return 1
    print(f"OK {args.save}: replaying {turns} turns and {actions} logged actions reproduces the saved game exactly")
    return 0


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
