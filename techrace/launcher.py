"""`techrace <command>`: dispatch to the face that owns the command.

Each face module registers its subcommands with argparse only; heavy imports (Mesa, Textual, Dask)
happen inside the command, so `techrace ruleset check` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

FACE_COMMAND_MODULES = ("techrace.cli.commands", "techrace.tui.commands", "techrace.batch.commands")


class UserError(Exception):
    """An error caused by the user's input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other user error
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="techrace", description="The geopolitical race for semiconductors and AI.")
    from techrace import __version__

    parser.add_argument("--version", action="version", version=f"techrace {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in FACE_COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # user errors from any layer: one line, no traceback
        if _is_user_error(exc):
            print(f"techrace: error: {exc}", file=sys.stderr)
            return 2
        raise


def _is_user_error(exc: Exception) -> bool:
    from techrace.errors import TechraceError

    return isinstance(exc, UserError | TechraceError)


if __name__ == "__main__":
    raise SystemExit(main())
