"""`techrace play` and `techrace observe` (argparse only at import time; Textual and the core load lazily)."""

from __future__ import annotations

import argparse

WATCH_HELP = ("watch the ruleset's files: an edit is checked at once and put in force when the turn ends "
              "(the world's state kept); an invalid one is shown with its errors and the game plays on")


def register(subparsers: argparse._SubParsersAction) -> None:
    play = subparsers.add_parser(
        "play",
        help="play one nation in the terminal",
        description="Play one nation quarter by quarter. With --ruleset, --nation and --seed all given the "
        "game starts at once; otherwise a new-game screen asks for what is missing.",
    )
    play.add_argument("--ruleset", metavar="NAME", help="ruleset name or directory (default: pick on screen)")
    play.add_argument("--nation", metavar="CODE", help="the nation you play, e.g. CN or US")
    play.add_argument("--seed", metavar="S", type=_seed, help="random seed (default: a random one, shown)")
    play.add_argument("--load", metavar="SAVE", help="continue a saved game")
    play.add_argument("--watch", action="store_true", help=WATCH_HELP)
    play.set_defaults(func=_play)

    observe = subparsers.add_parser(
        "observe",
        help="watch computer players race, with play/pause, step and speed control",
        description="Watch a game with computer players only: space plays or pauses, s steps one quarter, "
        "+ and - change the speed.",
    )
    observe.add_argument("--ruleset", metavar="NAME", default="baseline", help="ruleset name or directory")
    observe.add_argument("--seed", metavar="S", type=_seed, help="random seed (default: a random one, shown)")
    observe.add_argument("--watch", action="store_true", help=WATCH_HELP)
    observe.set_defaults(func=_observe)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("seed must not be negative")
    return value


def _play(args: argparse.Namespace) -> int:
    from techrace.tui.options import GameOptions, check_options

    options = GameOptions(mode="play", ruleset=args.ruleset, nation=args.nation, seed=args.seed, load=args.load,
                          watch=args.watch)
    check_options(options)
    return _run(options)


def _observe(args: argparse.Namespace) -> int:
    from techrace.tui.options import GameOptions, check_options

    options = GameOptions(mode="observe", ruleset=args.ruleset, seed=args.seed, watch=args.watch)
    check_options(options)
    return _run(options)


def _run(options: object) -> int:
    from techrace.tui.app import TechraceApp

    TechraceApp(options).run()  # type: ignore[arg-type]
    return 0
