"""The new-game screen: a ruleset (with its description), a nation and a seed, or a save to continue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from techrace.safe_text import printable
from techrace.tui.options import GameOptions, random_seed


class NewGameScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "start", "Start"),
        Binding("ctrl+o", "load", "Load save"),
        Binding("ctrl+r", "reseed", "New seed"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, options: GameOptions) -> None:
        super().__init__()
        self.options = options
        self.seed = options.seed if options.seed is not None else random_seed()
        self.descriptions: dict[str, str] = {}
        self.nations: dict[str, str] = {}
        self.problem_shown = False
        self.nations_of: str | None = None  # the ruleset whose nations are listed (None: still loading)
        self.rulesets_shown = False
        self.start_waiting = False  # Start was asked for before the lists were loaded: start once they are

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="newgame"):
            with Vertical(id="ruleset-column"):
                yield Label("Ruleset", classes="field-label")
                yield OptionList(id="rulesets")
                with VerticalScroll(id="description-box"):
                    yield Static("", id="ruleset-description")
            with Vertical(id="setup-column"):
                yield Label("Nation you play", classes="field-label")
                yield Select([], id="nation", prompt="loading nations…", allow_blank=True)
                yield Label("Seed (random; same seed = same game)", classes="field-label")
                with Horizontal(id="seed-row"):
                    yield Input(str(self.seed), id="seed", restrict=r"[0-9]*", max_length=10)
                    yield Button("New seed", id="reseed")
                yield Static("", id="newgame-error", classes="error")
                with Horizontal(classes="buttons"):
                    yield Button("Start", id="start", variant="primary")
                    yield Button("Load save", id="load")
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = "new game"
        self.query_one("#rulesets", OptionList).focus()
        self.find_rulesets()

    @work(thread=True, exclusive=True, group="rulesets", exit_on_error=False)
    def find_rulesets(self) -> None:
        from techrace.ruleset import list_rulesets

        found = [(name, description) for name, _path, description in list_rulesets()]
        wanted = self.options.ruleset
        if wanted and wanted not in [name for name, _ in found]:
            found.insert(0, (wanted, f"(from {Path(wanted)})"))
        self.app.call_from_thread(self._show_rulesets, found)

    def _show_rulesets(self, found: list[tuple[str, str]]) -> None:
        listing = self.query_one("#rulesets", OptionList)
        listing.clear_options()
        self.descriptions, self.rulesets_shown = dict(found), True
        listing.add_options([Option(Text(printable(name)), id=name) for name, _ in found])
        names = [name for name, _ in found]
        wanted = self.options.ruleset or ("baseline" if "baseline" in names else (names[0] if names else None))
        if wanted in names:
            listing.highlighted = names.index(wanted)
        elif not names:
            self._problem("no rulesets found (looked in $TECHRACE_RULESETS, ./rulesets and the shipped ones)")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = str(event.option.id)
        self.query_one("#ruleset-description", Static).update(Text(printable(self.descriptions.get(name, ""))))
        self.nations_of = None
        self.load_nations(name)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#nation", Select).focus()

    @work(thread=True, exclusive=True, group="nations", exit_on_error=False)
    def load_nations(self, ruleset: str) -> None:
        from techrace.ruleset import load_ruleset

        try:
            nations = {code: spec.name for code, spec in load_ruleset(ruleset).nations.items()}
        except Exception as exc:
            self.app.call_from_thread(self._problem, f"ruleset {ruleset}: {str(exc).splitlines()[0]}")
            nations = {}
        self.app.call_from_thread(self._show_nations, nations, ruleset)

    def _show_nations(self, nations: dict[str, str], ruleset: str | None = None) -> None:
        self.nations, self.nations_of = nations, ruleset
        select = self.query_one("#nation", Select)
        current = select.value
        select.set_options([(Text(printable(f"{code} — {name}")), code) for code, name in nations.items()])
        select.prompt = "choose a nation" if nations else "no nations"
        for choice in (current, self.options.nation, *nations):
            if choice in nations:
                select.value = choice
                break
        if nations:
            self._problem("")
        if self.start_waiting and not self.still_loading():
            self.start_waiting = False
            self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"start": self.action_start, "load": self.action_load, "reseed": self.action_reseed}
        actions[str(event.button.id)]()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._recheck()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._recheck()

    def action_reseed(self) -> None:
        self.query_one("#seed", Input).value = str(random_seed())
        self._recheck()

    def _recheck(self) -> None:
        """A problem shown stays only while it is still true (a new seed clears "the seed must be ...")."""
        if self.problem_shown:
            self._problem("; ".join(self.choices()[3]))

    def action_load(self) -> None:
        self.app.action_load_dialog()  # type: ignore[attr-defined]

    def choices(self) -> tuple[str | None, str | None, int | None, list[str]]:
        """(ruleset, nation, seed, problems) as currently entered."""
        problems: list[str] = []
        listing = self.query_one("#rulesets", OptionList)
        ruleset = None
        if listing.highlighted is not None:
            ruleset = str(listing.get_option_at_index(listing.highlighted).id)
        else:
            problems.append("pick a ruleset")
        nation: Any = self.query_one("#nation", Select).value
        if nation is Select.NULL or nation not in self.nations:
            problems.append("pick the nation you play")
            nation = None
        text = self.query_one("#seed", Input).value.strip()
        seed = int(text) if text.isdigit() else None
        if seed is None:
            problems.append("the seed must be a whole number")
        return ruleset, nation, seed, problems

    def still_loading(self) -> bool:
        """Whether the ruleset list, or the highlighted ruleset's nations, are still being read (off the UI
        thread: a second or two on a busy machine)."""
        if not self.rulesets_shown:
            return True
        listing = self.query_one("#rulesets", OptionList)
        highlighted = listing.highlighted
        return highlighted is not None and self.nations_of != str(listing.get_option_at_index(highlighted).id)

    def action_start(self) -> None:
        ruleset, nation, seed, problems = self.choices()
        if problems and seed is not None and self.still_loading():
            # Start pressed before the lists arrived used to be lost (its problem, "pick the nation you play",
            # was cleared by the arriving list): it now waits for them
            self.start_waiting = True
            self._problem("")
            self.query_one("#newgame-error", Static).update(Text("Reading the ruleset: the game starts when it is ready…"))
            return
        if problems:
            self._problem("; ".join(problems))
            return
        self.app.start_game(GameOptions(mode="play", ruleset=ruleset, nation=nation, seed=seed))  # type: ignore[attr-defined]

    def _problem(self, text: str) -> None:
        self.problem_shown = bool(text)
        self.query_one("#newgame-error", Static).update(Text(printable(text)))
