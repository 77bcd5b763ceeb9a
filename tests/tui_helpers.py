"""Shared pieces of the terminal UI tests: run async pilot tests, keep saves in a temporary folder,
and wait for workers."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot

SIZE = (100, 30)


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async pilot test in its own event loop (no async pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saves go to ./saves and settings to the config folder: keep both in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TECHRACE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


async def settle(pilot: Pilot) -> None:
    """Let workers (core import, world building, turns, saves) finish and the screen catch up."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def press_settled(pilot: Pilot, key: str, times: int = 1) -> None:
    """Press `key` `times` times, letting each turn (or step) finish before the next."""
    for _ in range(times):
        await pilot.press(key)
        await settle(pilot)


async def end_turn(pilot: Pilot, times: int = 1) -> None:
    """End the turn with `n` and close the turn report it shows (if it is on), `times` times."""
    from techrace.tui.screens.turn_report import TurnReportScreen

    for _ in range(times):
        await pilot.press("n")
        await settle(pilot)
        if isinstance(pilot.app.screen, TurnReportScreen):
            await pilot.press("enter")
            await settle(pilot)


def text_of(widget: Any) -> str:
    """What a widget shows, as plain text (rich tables and groups printed without colour)."""
    content = getattr(widget, "content", None)
    if content is None or content == "":
        content = widget.render()
    if isinstance(content, Text) or hasattr(content, "plain"):
        return content.plain
    if isinstance(content, str):
        return content
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(content)
    return captured.get()


def board(pilot: Pilot) -> Any:
    """The game board (GameScreen) the pilot's app shows now; fails the test if another screen is up."""
    from techrace.tui.screens.game import GameScreen

    screen = pilot.app.screen
    assert isinstance(screen, GameScreen)
    return screen


async def open_form(pilot: Pilot, kind: str) -> Any:
    """The lever menu, then `kind`'s order form, laid out (the form fits its fields to the dialog after a refresh)."""
    from textual.widgets import OptionList

    from techrace.tui.dialogs.action_form import ActionForm
    from techrace.tui.dialogs.lever_menu import LeverMenu

    await pilot.press("a")
    await pilot.pause()
    menu = pilot.app.screen
    assert isinstance(menu, LeverMenu)
    menu.query_one(OptionList).highlighted = [spec.kind for spec in menu.specs].index(kind)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    assert isinstance(pilot.app.screen, ActionForm)
    return pilot.app.screen
