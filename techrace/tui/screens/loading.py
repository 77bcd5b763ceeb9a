"""Shown while the core is imported and the world is built (in a worker), so the terminal never looks hung."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static


class LoadingScreen(Screen[None]):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        # No Header/Footer here: a load that fails at once pops this screen while they would still mount.
        with Middle():
            with Center():
                yield Static(self.message, id="loading-message")
            yield LoadingIndicator()
