"""Shown while the core is imported and the world is built (in a worker), so the terminal never looks hung.

Keys typed meanwhile are kept in order (`typed`) and shown under the message; once the board is ready the app
types them again there (`TechraceApp.type_ahead`), as a shell keeps what is typed ahead of its prompt.
`escape` forgets them; the app's own quit keys act at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

IMMEDIATE = ("ctrl+c", "ctrl+q")  # quitting (and how to quit) is never put off until the world is built
SHOWN_KEYS = 30  # the last keys named under the message; all of them are kept


class LoadingScreen(Screen[None]):
    DEFAULT_CSS = """
    LoadingScreen LoadingIndicator { height: 1; }  /* not the whole screen: the keys typed show below it */
    LoadingScreen #loading-keys { width: auto; margin-top: 1; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message
        self.typed: list[tuple[str, str | None]] = []  # (key, character) as Textual reported them

    def compose(self) -> ComposeResult:
        # No Header/Footer here: a load that fails at once pops this screen while they would still mount.
        with Middle():
            with Center():
                yield Static(self.message, id="loading-message")
            yield LoadingIndicator()
            with Center():
                yield Static("", id="loading-keys")

    def on_key(self, event: events.Key) -> None:
        if event.key in IMMEDIATE:
            return
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.typed.clear()
        else:
            self.typed.append((event.key, event.character))
        self.query_one("#loading-keys", Static).update(typed_line(self.typed))


def typed_line(typed: list[tuple[str, str | None]]) -> Text:
    """The keys kept so far as the player would name them (`a 2 enter ?`), and what becomes of them."""
    if not typed:
        return Text("")
    names = [char if char and char.isprintable() and not char.isspace() else key for key, char in typed]
    shown = " ".join(names[-SHOWN_KEYS:])
    if len(names) > SHOWN_KEYS:
        shown = f"({len(names)} keys) … {shown}"
    return Text(f"Keys typed: {shown} — used once the board is ready · escape forgets them", style="dim")
