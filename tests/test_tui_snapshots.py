"""SVG snapshots of the main screens with fixed seeds (no clock, no random seed, no timing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_helpers import press_settled, settle

from techrace.tui.app import TechraceApp
from techrace.tui.options import GameOptions

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves go to a temporary ./saves


def playing(nation: str = "CN", seed: int = 7) -> TechraceApp:
    return TechraceApp(GameOptions("play", "baseline", nation, seed), autosaves=False)


async def quiet(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_main_screen_after_one_turn(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        from techrace.core import Action

        pilot.app.screen.session.queue(Action("visa_policy", "CN", {"visa_openness": 0.7}))  # type: ignore[attr-defined]
        pilot.app.screen.draw_queue()  # type: ignore[attr-defined]
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=(100, 30), run_before=run_before)


def test_main_screen_fits_80x24(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(playing("US", 3), terminal_size=(80, 24), run_before=quiet)


def test_charts_tab(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press_settled(pilot, "n", 3)
        await pilot.press("2")
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=(100, 30), run_before=run_before)


def test_order_form_with_validation_and_preview(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        menu = pilot.app.screen
        menu.query_one("OptionList").highlighted = [s.kind for s in menu.specs].index("subsidy")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await quiet(pilot)

    assert snap_compare(playing("US", 7), terminal_size=(100, 30), run_before=run_before)


def test_observe_screen(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press_settled(pilot, "s", 2)
        await quiet(pilot)

    app = TechraceApp(GameOptions("observe", "baseline", seed=5), autosaves=False)
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_end_screen(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    short = tmp_path / "short"
    short.mkdir()
    (short / "ruleset.yaml").write_text("name: short\nextends: baseline\ndescription: two quarters\nturns: 2\n")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press_settled(pilot, "s", 2)
        await quiet(pilot)

    app = TechraceApp(GameOptions("observe", str(short), seed=2), autosaves=False)
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_help_screen(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=(100, 30), run_before=run_before)
