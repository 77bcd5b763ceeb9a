"""Pilot tests of what a QA player found at 100x30: tab labels cut off, a form whose last field starts out of
view, chart end labels drawn over each other, and keys typed while the world loads."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList
from textual.widgets._tabbed_content import ContentTab
from tui_helpers import SIZE, board, settle, sync

from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.action_form import ActionForm
from techrace.tui.dialogs.lever_menu import LeverMenu
from techrace.tui.options import GameOptions
from techrace.tui.screens.game import GameScreen

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves and settings go to a temporary folder
SIZES = (SIZE, (80, 24), (109, 30), (110, 30), (120, 40))  # the smallest board, the QA size, both sides of -wide


@sync
async def test_every_tab_label_is_whole_on_the_board() -> None:
    for size in SIZES:
        app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            screen = board(pilot)
            bar = screen.query_one("#tabs #tabs-scroll")
            tabs = list(screen.query(ContentTab))
            assert len(tabs) == 8
            for tab in tabs:
                label = str(tab.label)
                assert tab.region.width == len(label) + 2, (size, label)  # one column of padding each side
                assert bar.region.contains_region(tab.region), (size, label, tab.region, bar.region)
            for key, tab in zip("12345678", tabs, strict=True):  # the chosen tab is told apart without colour
                await pilot.press(key)
                await pilot.pause()
                assert tab.has_class("-active")
                others = [other.rich_style.reverse for other in tabs if other is not tab]
                assert screen.query_one("Underline").display or (tab.rich_style.reverse and not any(others)), size
