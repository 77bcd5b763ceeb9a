"""The techrace terminal app: a small App object that routes between screens and owns games and saves.

Screens live in `screens/`, dialogs in `dialogs/`, widgets in `widgets/`. The core (Mesa) is imported in
a worker after the first screen is painted, so the terminal answers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from techrace.tui.options import GameOptions, random_seed
from techrace.tui.screens.loading import LoadingScreen
from techrace.tui.session import Session
from techrace.tui.settings import Settings, config_dir, load_settings, save_settings

STOP_CHECK_MS = 500  # how often the ruleset watcher looks whether it should stop
SETTLE_ROUNDS = 20  # a key typed ahead waits for at most this many rounds of changes the key before set off
SETTLE_PAUSE = 0.02  # seconds of each round (the pause lets the widgets pass on their messages)
SETTLE_TIMEOUT = 1.0  # seconds a round waits at most for a refresh


class TechraceApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "techrace"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]
    # The header shows the sub-title (it watches it and repaints its title). Textual's own sub_title also
    # repaints the whole screen on every change: after each turn (and at `n`) that was a paint of all of
    # the board, on top of the paint of what the turn changed.
    sub_title: Reactive[str] = Reactive("", compute=False, repaint=False)

    def __init__(self, options: GameOptions | None = None, *, autosaves: bool = True,
                 settings: Settings | None = None) -> None:
        """`settings`: given (tests, benchmarks) they are used and never written; else read from the
        player's settings file and written back when changed."""
        super().__init__()
        self.options = options or GameOptions()
        self.autosaves = autosaves
        self.session: Session | None = None
        self.keep_settings = settings is None
        self.settings_problem: str | None = None
        if settings is None:
            settings, self.settings_problem = load_settings()
        self.settings = settings

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        options = self.options
        if self.settings_problem:
            self.notify(self.settings_problem, title="Settings", severity="warning", timeout=10)
        if options.load:
            self.load_save(options.load)
        elif options.starts_at_once:
            seed = options.seed if options.seed is not None else random_seed()
            self.start_game(GameOptions(options.mode, options.ruleset or "baseline", options.nation, seed))
        else:
            self.show_new_game()
            # After the first paint and the ruleset list, so the import does not delay what the player sees.
            self.set_timer(0.5, self.warm_up_core)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def warm_up_core(self) -> None:
        """Import Mesa and the core while the player is still choosing (about a second here); the
        `techrace.core` package alone loads its names lazily, so the game module is named."""
        import techrace.core.game  # noqa: F401

    def show_new_game(self) -> None:
        from techrace.tui.screens.start import NewGameScreen

        self._show_page(NewGameScreen(self.options))

    def _show_page(self, screen: Screen[Any]) -> None:
        """Make `screen` the one page under any dialogs (the stack is: default, page, dialogs)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    # ------------------------------------------------------------------ games

    def start_game(self, options: GameOptions) -> None:
        who = options.nation or "computer players"
        self.push_screen(LoadingScreen(f"Building the {options.ruleset} world for {who}, seed {options.seed}…"))
        self.sub_title = f"seed {options.seed}"
        self._build_game(options)

    @work(thread=True, exclusive=True, group="game", exit_on_error=False)
    def _build_game(self, options: GameOptions) -> None:
        try:
            from techrace.core import Game

            game = Game.from_ruleset(options.ruleset or "baseline", seed=int(options.seed or 0),
                                     player=options.nation if options.mode == "play" else None)
        except Exception as exc:
            self.call_from_thread(self._game_failed, f"cannot start the game: {exc}")
            return
        session = Session(game, options.nation if options.mode == "play" else None, ruleset_source=options.ruleset)
        self.call_from_thread(self._game_ready, session)

    def load_save(self, name: str) -> None:
        self.push_screen(LoadingScreen(f"Loading {name}…"))
        self._load(name)

    @work(thread=True, exclusive=True, group="game", exit_on_error=False)
    def _load(self, name: str) -> None:
        try:
            from techrace.tui.saving import load

            game = load(name)
        except Exception as exc:
            self.call_from_thread(self._game_failed, f"cannot load {name!r}: {exc}")
            return
        session = Session(game, getattr(game, "player", None), saved_turn=game.turn, save_name=name)
        self.call_from_thread(self._game_ready, session)

    def _game_ready(self, session: Session) -> None:
        from techrace.tui.screens.game import GameScreen
        from techrace.tui.screens.observe import ObserveScreen

        typed = self._typed_while_loading()
        self.session = session
        self._show_page(ObserveScreen(session) if session.observing else GameScreen(session))
        if self.options.watch:
            self.watch_ruleset(session)
        if typed:
            self.run_worker(self.type_ahead(typed), group="type-ahead", exclusive=True, exit_on_error=False)

    def _typed_while_loading(self) -> list[tuple[str, str | None]]:
        loading = next((s for s in reversed(self.screen_stack) if isinstance(s, LoadingScreen)), None)
        return list(loading.typed) if loading is not None else []

    async def type_ahead(self, keys: list[tuple[str, str | None]]) -> None:
        """Type the keys pressed while the world was built, in order, as if typed on the board: each once what
        the one before set off has settled (a key that opens a menu, or a menu entry that opens a form, has it
        mounted and its field focused for the next), as the tests' Pilot waits between the keys it presses."""
        for key, character in keys:
            await self._settled()
            self.post_message(events.Key(key, character))

    async def _settled(self) -> None:
        """Until a round (a pause, the app's refresh, the top screen's) changes neither the screen on top
        nor its focus, and that screen is mounted: messages pass between widgets over several hops."""
        for _ in range(SETTLE_ROUNDS):
            screen = self.screen
            focused = screen.focused
            await asyncio.sleep(SETTLE_PAUSE)
            if not screen.is_mounted:  # just pushed: it may not even run yet
                continue
            for pump in (self, screen):
                with contextlib.suppress(TimeoutError, AssertionError):  # a screen closed meanwhile never refreshes
                    await asyncio.wait_for(pump.wait_for_refresh(), SETTLE_TIMEOUT)
            if self.screen is screen and screen.focused is focused:
                return

    def _game_failed(self, message: str) -> None:
        typed = len(self._typed_while_loading())
        if typed:
            keys = "1 key typed while it loaded was" if typed == 1 else f"{typed} keys typed while it loaded were"
            message += f" (the {keys} not used)"
        self.call_after_refresh(self._back_from_loading, message)

    def _back_from_loading(self, message: str) -> None:
        if isinstance(self.screen, LoadingScreen):
            self.pop_screen()
        if len(self.screen_stack) <= 1:
            self.show_new_game()
        self.notify(message, title="Error", severity="error", timeout=10)

    # ------------------------------------------------------------------ live rulesets (--watch)

    def watch_ruleset(self, session: Session) -> None:
        """Watch every layer of the game's ruleset (a new game or load stops the last watcher)."""
        from techrace.safe_text import printable
        from techrace.tui.watch import ruleset_source, watched_directories

        source = ruleset_source(session)
        try:
            directories = watched_directories(source)
        except Exception as exc:
            self.notify(f"cannot watch the ruleset {printable(source)!r}: {exc}", title="Live ruleset",
                        severity="error", timeout=10)
            return
        session.watching = True
        self._watch(session, source, directories)

    def _watch(self, session: Session, source: str, directories: list[Any]) -> None:
        """A daemon thread (not a worker: it never ends by itself) checks each batch of edits."""
        import threading

        self.stop_watching()
        self._watch_stop = stop = threading.Event()
        threading.Thread(target=self._watch_files, args=(session, source, directories, stop),
                         name="ruleset-watch", daemon=True).start()

    def _watch_files(self, session: Session, source: str, directories: list[Any], stop: Any) -> None:
        from watchfiles import watch

        from techrace.tui.watch import DEBOUNCE_MS, check_change, is_ruleset_file

        started = False  # an edit saved while the watcher was starting is caught by one check once it runs
        try:
            for changes in watch(*directories, debounce=DEBOUNCE_MS, stop_event=stop, rust_timeout=STOP_CHECK_MS,
                                 yield_on_timeout=True, watch_filter=lambda _, path: is_ruleset_file(path)):
                if not changes and started:
                    continue
                check = check_change(source, session.game)
                if stop.is_set():
                    return
                if changes or check.ruleset is not None or check.errors:
                    self.call_from_thread(self._ruleset_checked, session, check)
                started = True
        except Exception as exc:  # the app closed, or the folder went away: watching stops, the game goes on
            if not stop.is_set() and self.is_running:
                self.call_from_thread(self.notify, f"stopped watching the ruleset: {exc}", title="Live ruleset",
                                      severity="warning")

    def _ruleset_checked(self, session: Session, check: Any) -> None:
        from techrace.tui.watch import check_notice

        if session is not self.session:
            return
        held = session.pending_reload is not None
        session.ruleset_checked(check)
        title, message, severity = check_notice(check, held)
        self.notify(message, title=title, severity=severity, timeout=15 if check.errors else 8,  # type: ignore[arg-type]
                    markup=False)
        for screen in self.screen_stack:
            if hasattr(screen, "ruleset_checked"):
                screen.ruleset_checked()

    def stop_watching(self) -> None:
        stop = getattr(self, "_watch_stop", None)
        if stop is not None:
            stop.set()

    def on_unmount(self) -> None:
        self.stop_watching()

    # ------------------------------------------------------------------ saves

    def save_session(self, session: Session, name: str) -> None:
        self._save(session, name)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, session: Session, name: str) -> None:
        try:
            from techrace.tui.saving import save

            path = save(session.game, name)
        except Exception as exc:
            self.call_from_thread(self.notify, f"cannot save {name!r}: {exc}", title="Error", severity="error")
            return
        session.mark_saved(name)
        game = session.game
        self.call_from_thread(self.notify, f"{path}: {game.turn} turns played, next quarter {game.quarter}",
                              title="Saved")

    def autosave(self, session: Session) -> str | None:
        """Write this session's autosave after a played turn (called from the turn worker); a problem as text."""
        if not self.autosaves or session.observing:
            return None
        try:
            from techrace.tui.saving import autosave

            autosave(session.game, session.timeline)
        except ImportError:
            return None
        except Exception as exc:
            return str(exc)
        return None

    # ------------------------------------------------------------------ settings

    def action_settings(self) -> None:
        from techrace.tui.dialogs.settings_dialog import SettingsDialog

        where = str(config_dir() / "tui.json") if self.keep_settings else "this session only"

        def chosen(settings: Settings | None) -> None:
            if settings is not None:
                self.change_settings(**asdict(settings))

        self.push_screen(SettingsDialog(self.settings, where), chosen)

    def change_settings(self, **values: Any) -> None:
        """Apply new settings now and keep them for the next session (when they came from the file)."""
        self.settings = self.settings.changed(**values)
        problem = save_settings(self.settings) if self.keep_settings else None
        if problem:
            self.notify(problem, title="Settings", severity="warning")

    def action_load_dialog(self) -> None:
        from techrace.tui.dialogs.load_dialog import LoadDialog

        if getattr(self.screen, "busy", False):
            self.notify("Wait for the quarter to finish, then load.")
            return

        def chosen(name: str | None) -> None:
            if name:
                self._confirm_discard(lambda: self.load_save(name), "load another game")

        self.push_screen(LoadDialog(), chosen)

    # ------------------------------------------------------------------ quitting, help, errors

    async def action_quit(self) -> None:
        self._confirm_discard(self.exit, "quit")

    def _confirm_discard(self, then: Any, doing: str) -> None:
        from techrace.tui.dialogs.confirm import ConfirmDialog

        session = self.session
        if session is None or session.observing or session.unsaved_turns == 0 or not self._game_on_screen():
            then()
            return
        turns = session.unsaved_turns
        question = f"{turns} turn{'s' if turns != 1 else ''} since the last save will be lost. {doing.capitalize()} anyway?"
        self.push_screen(ConfirmDialog(question, yes=doing.capitalize(), no="Keep playing"),
                         lambda yes: then() if yes else None)

    def _game_on_screen(self) -> bool:
        from techrace.tui.screens.game import GameScreen

        return any(isinstance(s, GameScreen) for s in self.screen_stack)

    def action_help(self) -> None:
        from techrace.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every panel, key and lever explained (?)", self.action_help)
        yield SystemCommand("Settings", "Turn the turn report on or off (f2)", self.action_settings)
        yield SystemCommand("Load game", "Continue a saved game", self.action_load_dialog)
        yield SystemCommand("New game", "Back to the new-game screen", self._new_game_command)
        page = next((s for s in reversed(self.screen_stack) if hasattr(s, "palette_commands")), None)
        if page is not None:
            yield from page.palette_commands()

    def _new_game_command(self) -> None:
        self._confirm_discard(self.show_new_game, "start a new game")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that fails becomes a notice, never a traceback."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(str(event.worker.error), title="Error", severity="error", timeout=10)
