"""Live rulesets (`play --watch`): an edit of the ruleset's files is checked at once and put in force when
the turn ends (the world's state kept, the change shown); an invalid or refused edit is shown with its
located errors and the game plays on under its rules. The real process in tmux is in test_tui_tmux.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_helpers import end_turn, settle, sync, text_of

from techrace.core import Game
from techrace.tui.app import TechraceApp
from techrace.tui.dialogs.ruleset_changes import RulesetChanges
from techrace.tui.options import GameOptions
from techrace.tui.screens.game import GameScreen
from techrace.tui.session import Session
from techrace.tui.watch import check_change, check_notice, watched_directories

pytestmark = pytest.mark.usefixtures("in_tmp")
EDIT = "levers:\n  preview_quarters: 2\n"


def make_mod(root: Path) -> Path:
    mod = root / "mods" / "live"
    mod.mkdir(parents=True)
    (mod / "ruleset.yaml").write_text("name: live\ndescription: A mod edited during play.\n"
                                      "format_version: 2\nextends: baseline\n")
    return mod


def test_an_edit_is_checked_and_put_in_force_when_the_turn_ends(tmp_path: Path) -> None:
    mod = make_mod(tmp_path)
    assert watched_directories(str(mod))[0] == mod.resolve()  # the mod, then the rulesets it extends
    session = Session(Game.from_ruleset(str(mod), seed=3, player="CN"), "CN", ruleset_source=str(mod))
    game = session.game
    assert check_change(str(mod), game).ruleset is None, "nothing changed yet"
    (mod / "levers.yaml").write_text(EDIT)
    check = check_change(str(mod), game)
    assert check.valid and check.changes == ["~ levers.preview_quarters: 1 -> 2"]
    assert check_notice(check, False)[:2] == ("Ruleset edited: 1 value changed",
                                             "~ levers.preview_quarters: 1 -> 2\nIn force when this turn ends · w: every change")
    session.ruleset_checked(check)
    assert game.ruleset.levers.preview_quarters == 1, "nothing changes before the turn ends"
    session.end_turn()
    assert session.game.ruleset.levers.preview_quarters == 2 and len(session.game.reloads) == 1
    assert session.pending_reload is None and session.last_reload == check.changes
    assert session.last_summary is not None
    assert session.last_summary.events[0].text == "Ruleset reloaded: 1 value changed"
    assert check_change(str(mod), session.game).ruleset is None, "the game's rules are now the files' rules"


@pytest.mark.parametrize(("content", "where", "why"), [
    ("levers:\n  preview_quarters: -3\n", "levers.yaml:2:3", "must be at least 1"),
    ("levers:\n  preview_quarters: [\n", "levers.yaml:3:1", "bad YAML"),
])
def test_an_invalid_edit_names_file_and_line_and_drops_what_was_held(
        tmp_path: Path, content: str, where: str, why: str) -> None:
    mod = make_mod(tmp_path)
    session = Session(Game.from_ruleset(str(mod), seed=3, player="CN"), "CN", ruleset_source=str(mod))
    (mod / "levers.yaml").write_text(EDIT)
    session.ruleset_checked(check_change(str(mod), session.game))
    assert session.pending_reload is not None
    (mod / "levers.yaml").write_text(content)
    check = check_change(str(mod), session.game)
    assert not check.valid and where in check.errors[0] and why in check.errors[0]
    title, message, severity = check_notice(check, True)
    assert title == "Ruleset not reloaded" and severity == "error" and where in message
    session.ruleset_checked(check)
    assert session.pending_reload is None and session.reload_errors == check.errors
    session.end_turn()
    assert session.game.turn == 1 and session.game.ruleset.levers.preview_quarters == 1 and not session.game.reloads


def test_a_change_the_game_cannot_take_is_refused_with_the_reason(tmp_path: Path) -> None:
    mod = make_mod(tmp_path)
    game = Game.from_ruleset(str(mod), seed=3, player="CN")
    nations = (Path(__file__).resolve().parents[1] / "rulesets" / "baseline" / "nations.yaml").read_text()
    (mod / "nations.yaml").write_text(nations.replace("\n  CN:", "\n  CX:", 1))
    check = check_change(str(mod), game)
    assert not check.valid and "cannot take the changed ruleset" in check.errors[0]
    assert "start a new game" in check.errors[0]


async def wait_until(pilot: Pilot, done: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        await pilot.pause(0.1)
    assert done(), "the watcher did not answer in time"  # type: ignore[operator]


def edit_held_and_shown(app: TechraceApp, screen: GameScreen) -> bool:
    """The one-value edit is held for the turn's end and its toast is up (`notify` posts a message, so the toast
    lands a moment after the reload is held)."""
    return screen.session.pending_reload is not None and any(
        n.title == "Ruleset edited: 1 value changed" for n in app._notifications)


@sync
async def test_play_watch_reloads_between_turns_and_keeps_playing_through_errors(in_tmp: Path) -> None:
    mod = make_mod(in_tmp)
    app = TechraceApp(GameOptions("play", str(mod), "CN", 5, watch=True), autosaves=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GameScreen) and screen.session.watching
        await pilot.pause(0.5)  # the watcher is set up
        (mod / "levers.yaml").write_text(EDIT)
        await wait_until(pilot, lambda: edit_held_and_shown(app, screen))
        assert "new rules (w)" in app.sub_title
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, RulesetChanges)
        assert "levers.preview_quarters: 1 -> 2" in text_of(app.screen.query_one("#ruleset-changes"))
        await pilot.press("escape")
        await end_turn(pilot)
        game = screen.session.game
        assert game.ruleset.levers.preview_quarters == 2 and game.turn == 1
        assert any(e.text == "Ruleset reloaded: 1 value changed" for e in game.events)
        (mod / "levers.yaml").write_text("levers:\n  preview_quarters: -3\n")
        await wait_until(pilot, lambda: bool(screen.session.reload_errors)
                         and any(n.title == "Ruleset not reloaded" for n in app._notifications))  # the toast follows
        assert "rule errors (w)" in app.sub_title
        shown = [n.message for n in app._notifications if n.title == "Ruleset not reloaded"]
        assert shown and "levers.yaml:2:3" in shown[-1] and "plays on under its rules" in shown[-1]
        await end_turn(pilot)
        assert game.turn == 2 and screen.session.game.ruleset.levers.preview_quarters == 2
        await pilot.press("w")
        await pilot.pause()
        text = text_of(app.screen.query_one("#ruleset-changes"))
        assert "was not taken" in text and "must be at least 1" in text and "Reloads in force in this game (1" in text


@sync
async def test_an_edit_saved_while_the_watcher_starts_is_not_lost(in_tmp: Path) -> None:
    """The watcher sees only edits made after it runs, so it checks the files once when it starts: an edit
    saved between building the game and the watcher's start is still shown and held for the turn's end."""
    mod = make_mod(in_tmp)
    app = TechraceApp(GameOptions("play", str(mod), "CN", 5), autosaves=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GameScreen) and not screen.session.watching
        (mod / "levers.yaml").write_text(EDIT)  # saved before anything watches the files
        app.watch_ruleset(screen.session)
        await wait_until(pilot, lambda: edit_held_and_shown(app, screen))
        await end_turn(pilot)
        assert screen.session.game.ruleset.levers.preview_quarters == 2


@sync
async def test_starting_to_watch_unchanged_files_says_nothing(in_tmp: Path) -> None:
    mod = make_mod(in_tmp)
    app = TechraceApp(GameOptions("play", str(mod), "CN", 5, watch=True), autosaves=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.pause(1.5)  # past the watcher's first timeout (STOP_CHECK_MS), when it checks the files once
        assert app.screen.session.watching and app.screen.session.pending_reload is None
        assert not [n.title for n in app._notifications if "Ruleset" in n.title]
