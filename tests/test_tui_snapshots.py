"""SVG snapshots of the main screens at 80x24 and 120x40 with fixed seeds (no clock, no random seed,
no timing). Few and deliberate: the core's numbers change with the model, so after a deliberate change
regenerate them with `pytest tests/test_tui_snapshots.py --snapshot-update` and review the diff; the
pilot tests (test_tui_board.py, test_tui_flows.py) assert structure and text."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_helpers import end_turn, press_settled, settle

from techrace.core import Action
from techrace.tui.app import TechraceApp
from techrace.tui.options import GameOptions
from techrace.tui.settings import Settings

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves go to a temporary ./saves
SMALL, LARGE = (80, 24), (120, 40)


def playing(nation: str = "CN", seed: int = 7) -> TechraceApp:
    return TechraceApp(GameOptions("play", "baseline", nation, seed), autosaves=False, settings=Settings())


async def quiet(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_board_first_screen_80x24(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(playing(), terminal_size=SMALL, run_before=quiet)


def test_board_after_two_turns_120x40(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await end_turn(pilot, 2)
        screen = pilot.app.screen
        screen.session.queue(Action("visa_policy", "CN", {"visa_openness": 0.7}))  # type: ignore[attr-defined]
        screen.session.queue(Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 2.0}))  # type: ignore[attr-defined]
        screen.draw_side()  # type: ignore[attr-defined]
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=LARGE, run_before=run_before)


def test_turn_report_80x24(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        screen.session.queue(Action("power_buildout", "CN", {"extra_gw": 1.0}))  # type: ignore[attr-defined]
        await pilot.press("n")
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=SMALL, run_before=run_before)


def test_charts_tab_120x40(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await end_turn(pilot, 4)
        await pilot.press("2")
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=LARGE, run_before=run_before)


def test_order_form_with_a_checklist_80x24(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        menu = pilot.app.screen
        menu.query_one("OptionList").highlighted = [s.kind for s in menu.specs].index("entity_list")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"smic", "space")
        await effect_shown(pilot)

    assert snap_compare(playing("US", 7), terminal_size=SMALL, run_before=run_before)


async def effect_shown(pilot: Pilot) -> None:
    """Wait for the form's expected effect (worked out in a worker after typing pauses), then settle."""
    for _ in range(100):
        await pilot.pause(0.05)
        if getattr(pilot.app.screen, "effects", None) is not None:
            break
    await quiet(pilot)


def test_advisor_tab_80x24(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await end_turn(pilot)
        await pilot.press("v")
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=SMALL, run_before=run_before)


def test_standing_orders_dialog_120x40(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.screen.session.queue(Action("advisor", "CN", {"group": "power", "advisor": False}))  # type: ignore[attr-defined]
        await pilot.press("p")
        await quiet(pilot)

    assert snap_compare(playing(), terminal_size=LARGE, run_before=run_before)


def test_observe_screen_120x40(snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press_settled(pilot, "s", 2)
        await quiet(pilot)

    app = TechraceApp(GameOptions("observe", "baseline", seed=5), autosaves=False, settings=Settings())
    assert snap_compare(app, terminal_size=LARGE, run_before=run_before)


def test_end_screen(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    short = tmp_path / "short"
    short.mkdir()
    (short / "ruleset.yaml").write_text("name: short\nextends: baseline\ndescription: two quarters\nturns: 2\n")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press_settled(pilot, "s", 2)
        await quiet(pilot)

    app = TechraceApp(GameOptions("observe", str(short), seed=2), autosaves=False, settings=Settings())
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
