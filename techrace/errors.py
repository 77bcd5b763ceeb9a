"""Errors a user can cause: faces print them as one line and exit 2, never a traceback."""


class TechraceError(Exception):
    """Base of every error caused by user input (bad ruleset, save, seed, name ...)."""


class NonFiniteError(TechraceError):
    """A game's numbers became infinite or NaN (usually extreme ruleset values): the run fails, nothing is written."""
