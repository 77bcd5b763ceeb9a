"""Errors a user can cause: faces print them as one line and exit 2, never a traceback."""


class TechraceError(Exception):
    """Base of every error caused by user input (bad ruleset, save, seed, name ...)."""
