"""Pilot tests of the smaller defects of the player's view: no orders offered after the game is over,
a stale seed error, saves listed off the UI thread, autosaves that keep to their timeline, ruleset text
shown as text, `n` during an autosave."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, RichLog, Select
from textual.widgets._footer import FooterKey
from tui_helpers import end_turn, settle, sync, text_of

from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.load_dialog import LoadDialog
from techrace.tui.options import GameOptions
from techrace.tui.screens.end import EndScreen
from techrace.tui.screens.game import GameScreen
from techrace.tui.screens.start import NewGameScreen
from techrace.tui.screens.turn_report import TurnReportScreen

pytestmark = pytest.mark.usefixtures("in_tmp")  # saves and settings go to a temporary folder
SMALL = (80, 24)


@sync
async def test_no_orders_or_end_turn_are_offered_after_the_game_is_over(tmp_path: Path) -> None:
    short = tmp_path / "short"
    short.mkdir()
    (short / "ruleset.yaml").write_text("name: short\nextends: baseline\ndescription: two quarters\nturns: 2\n")
    app = TechraceApp(GameOptions("play", str(short), "CN", 1), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        board = app.screen
        await end_turn(pilot, 2)
        assert isinstance(app.screen, EndScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is board
        await pilot.pause()
        offered = {key.description for key in board.query(FooterKey)}
        assert "End turn" not in offered and "Order" not in offered and "Undo" not in offered
        assert "Events" in offered and "Save" in offered
        await pilot.press("n")
        await pilot.pause()
        assert board.session.game.turn == 2  # type: ignore[attr-defined]


@sync
async def test_a_new_seed_clears_the_seed_error() -> None:
    app = TechraceApp(GameOptions("play", "baseline", seed=5))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewGameScreen)
        screen.query_one("#nation", Select).value = "JP"
        screen.query_one("#seed", Input).value = ""
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "whole number" in text_of(screen.query_one("#newgame-error"))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert text_of(screen.query_one("#newgame-error")) == ""


@sync
async def test_start_pressed_while_the_nations_are_read_starts_the_game_once_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-N pressed as soon as the new-game screen shows (measured in tmux: the nations take a second or two
    on a busy machine) did nothing: its problem, "pick the nation you play", was cleared by the list arriving.
    It now says it waits, and the game starts when the nations are in."""
    import techrace.ruleset as ruleset_package

    real, release = ruleset_package.load_ruleset, threading.Event()

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=10)
        return real(*args, **kwargs)

    monkeypatch.setattr(ruleset_package, "load_ruleset", slow_load)
    app = TechraceApp(GameOptions("play", "baseline", seed=5))
    async with app.run_test(size=SMALL) as pilot:
        for _ in range(50):  # the ruleset list is in, the nations are held back
            await pilot.pause(0.05)
            if isinstance(app.screen, NewGameScreen) and app.screen.rulesets_shown:
                break
        screen = app.screen
        assert isinstance(screen, NewGameScreen) and screen.still_loading()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is screen and "starts when it is ready" in text_of(screen.query_one("#newgame-error"))
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, GameScreen) and app.screen.session.player == "US"


@sync
async def test_a_bad_seed_is_said_at_once_while_the_nations_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting is only for the lists: a seed that is not a number is refused at once, and Start does not wait."""
    import techrace.ruleset as ruleset_package

    real, release = ruleset_package.load_ruleset, threading.Event()
    monkeypatch.setattr(ruleset_package, "load_ruleset", lambda *a, **k: (release.wait(timeout=10), real(*a, **k))[1])
    app = TechraceApp(GameOptions("play", "baseline", seed=5))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NewGameScreen)
        screen.query_one("#seed", Input).value = "x"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "whole number" in text_of(screen.query_one("#newgame-error")) and not screen.start_waiting
        release.set()
        await settle(pilot)
        assert app.screen is screen


@sync
async def test_the_load_dialog_reads_saves_off_the_ui_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from techrace.tui import saving

    threads: list[str] = []
    real = saving.list_all
    release = threading.Event()

    def slow_list() -> tuple[list[Any], str | None]:
        """A saves folder that takes long to read: holds until the test has looked at the dialog."""
        threads.append(threading.current_thread().name)
        release.wait(timeout=10)
        return real()

    monkeypatch.setattr(saving, "list_all", slow_list)
    game = __import__("techrace.core", fromlist=["Game"]).Game.from_ruleset("baseline", seed=9, player="KR")
    game.run(2)
    saving.save(game, "korea")
    app = TechraceApp(GameOptions("play", "baseline", seed=1), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause(0.1)
        dialog = app.screen
        assert isinstance(dialog, LoadDialog), "the dialog is up while the saves are still being read"
        assert "reading the saves" in text_of(dialog.query_one("#load-error"))
        await pilot.press("down")  # the screen still answers keys
        release.set()
        await settle(pilot)
        table = dialog.query_one("#saves")
        assert threads and threads[0] != threading.main_thread().name
        assert table.row_count == 1  # type: ignore[attr-defined]
        headings = [str(c.label) for c in table.ordered_columns]  # type: ignore[attr-defined]
        assert "Played" in headings and "Next quarter" in headings
        row = [str(c) for c in table.get_row_at(0)]  # type: ignore[attr-defined]
        assert "2" in row and game.quarter in row  # 2 played; the title would say "Turn 3/44 · 2025Q3"


@sync
async def test_playing_on_from_a_loaded_save_keeps_the_other_timelines_autosaves(in_tmp: Path) -> None:
    autosaves = in_tmp / "saves" / "autosave"
    app = TechraceApp(GameOptions("play", "baseline", "KR", 3))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await end_turn(pilot, 6)
        first = sorted(p.name for p in autosaves.iterdir())
        assert len(first) == 5 and app.session.timeline in first[0]  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one(Input).value = "kr-six"
        await pilot.press("enter")
        await settle(pilot)
    again = TechraceApp(GameOptions("play", load=f"autosave/{first[0].removesuffix('.json.gz')}"))
    async with again.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await end_turn(pilot, 6)
        now = sorted(p.name for p in autosaves.iterdir())
        assert set(first) <= set(now), "another timeline's autosaves were deleted"
        assert len(now) == 10


@sync
async def test_ruleset_text_is_shown_as_text_never_as_markup_or_terminal_codes(tmp_path: Path) -> None:
    from textual.content import Content

    mod = tmp_path / "evil"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text('name: evil\nextends: baseline\ndescription: "x"\n'
                                      'nations:\n  CN:\n    name: "Chi[b]na\\e]0;pwn\\a"\n')
    app = TechraceApp(GameOptions("play", str(mod), "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        title = Content.from_markup(str(app.screen.query_one("#nation").border_title)).plain
        assert title == "CN (Chi[b]na\\x1b]0;pwn\\x07)"
        await end_turn(pilot)
        await pilot.press("e")
        await settle(pilot)
        shown = "\n".join(line.text for line in app.screen.query_one("#full-log", RichLog).lines)
        assert "\x1b" not in shown and "\x07" not in shown


@sync
async def test_n_during_the_autosave_plays_the_turn_right_after_it() -> None:
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GameScreen)
        screen.autosaving = True  # as while the last turn's autosave is being written
        await pilot.press("n")
        await settle(pilot)
        assert screen.session.game.turn == 0 and app.sub_title.startswith("playing")
        screen.autosaved(None)
        await settle(pilot)
        assert screen.session.game.turn == 1 and isinstance(app.screen, TurnReportScreen)
