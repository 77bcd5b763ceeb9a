"""The board's header: Textual's Header, its title redrawn in the same paint as the rest of the board.

Textual's Header updates its title from an async watcher, so after a turn the new "Turn n/N" came one
paint after the board, with a layout pass of the whole screen of its own (a Static's update asks for one,
in case its height changed; the title is one row that never wraps). Here the title is set when the
sub-title is, without a layout, and not again when Textual's own watcher hands the same title over.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Header
from textual.widgets._header import HeaderClockSpace, HeaderIcon, HeaderTitle


class BoardTitle(HeaderTitle):
    """The header's title line: updated without a layout pass, and only when it changes."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: Any = None

    def update(self, content: Any = "", *, layout: bool = False) -> None:
        if _same(content, self.shown):
            return
        self.shown = content
        super().update(content, layout=False)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Content) and isinstance(b, Content):
        return a.is_same(b)  # == compares the text alone
    return type(a) is type(b) and isinstance(a, str) and a == b


class BoardHeader(Header):
    """A header without a clock whose title follows the app's sub-title at once (see the module)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(show_clock=False, **kwargs)

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield BoardTitle()
        yield HeaderClockSpace()

    def on_mount(self) -> None:
        for obj in (self.app, self.screen):
            self.watch(obj, "title", self.show_title, init=False)
            self.watch(obj, "sub_title", self.show_title, init=False)

    def show_title(self) -> None:
        self.query_one(BoardTitle).update(self.format_title())
