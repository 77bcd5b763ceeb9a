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
    survive_any_terminal()
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
    except Exception as exc:  # user errors from any layer: one line each, no traceback
        lines = user_error_lines(exc)
        if lines is None:
            raise
        for line in lines:
            print(f"techrace: error: {line}", file=sys.stderr)
        return 2


def survive_any_terminal() -> None:
    """Make stdout and stderr replace what their encoding cannot show (e.g. `PYTHONIOENCODING=ascii`,
    a Latin-1 terminal) instead of raising UnicodeEncodeError half way through the output."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to protect
                pass


def user_error_lines(exc: BaseException) -> list[str] | None:
    """The lines to print for a user's error, control characters escaped, or None for a bug.

    An error listing several problems (a ruleset's or strategy files' `errors`) gives one line per
    problem: escaping the joined message would glue them together with a visible `\\x0a`.
    """
    from techrace.safe_text import printable

    message = user_error_message(exc)
    if message is None:
        return None
    listed = getattr(exc, "errors", None)
    if isinstance(listed, list) and listed and all(isinstance(line, str) for line in listed):
        return [printable(line) for line in listed]
    return [printable(message)]


def user_error_message(exc: BaseException) -> str | None:
    """The one-line message for an error the user or their machine caused, or None for a bug.

    Every OSError counts (a full disk, a read-only folder, a name too long, no permission): it names
    the cause and the file, never a traceback.
    """
    from techrace.errors import TechraceError

    if isinstance(exc, UserError | TechraceError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return None


if __name__ == "__main__":
    raise SystemExit(main())
