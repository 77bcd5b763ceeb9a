"""The one error every save problem becomes: the launcher prints it as one line and exits 2."""

from __future__ import annotations

from techrace.errors import TechraceError


class SaveError(TechraceError):
    """A save that cannot be written, found, read or trusted; the message names the problem."""
