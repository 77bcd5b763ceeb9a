"""The main screen: the goal, the player's nation and orders, rivals, industry tabs, charts, events.

The quarter itself is simulated in a worker thread (which also builds the turn report); this screen
only redraws from the Game afterwards, and only the visible tab (hidden tabs redraw when opened).
Layout: the goal spans the board; the nation and orders panels sit left of the tabs; the strip of
latest events shows only on terminals at least 34 rows tall (the full log is `e` at any size).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from techrace.safe_text import printable
from techrace.tui.orders import money_words, nation_row, order_cost, order_label
from techrace.tui.screens.order_keys import OrderKeys
from techrace.tui.screens.turn_report import PAINTED_AFTER
from techrace.tui.session import Session, nation_label
from techrace.tui.widgets.advisor import AdvisorPanel
from techrace.tui.widgets.charts import RaceCharts
from techrace.tui.widgets.event_log import EventLog
from techrace.tui.widgets.format import money
from techrace.tui.widgets.goal_panel import GoalPanel
from techrace.tui.widgets.header import BoardHeader
from techrace.tui.widgets.history import by_nation
from techrace.tui.widgets.nation_panel import NationPanel, pending_policies
from techrace.tui.widgets.queue import QueuePanel
from techrace.tui.widgets.rivals import RivalsTable
from techrace.tui.widgets.tables import DictTable

VIEW_TABS = (
    ("foundries", "Foundries", "foundries"),
    ("sites", "Sites", "sites"),
    ("chip-firms", "Chips", "chip_firms"),
    ("labs", "Labs", "labs"),
    ("toolmakers", "Tools", "toolmakers"),
    ("controls", "Controls", "controls"),
)
TABS = ("rivals", "charts") + tuple(tab for tab, _, _ in VIEW_TABS) + ("advisor",)
ORDER_ACTIONS = ("end_turn", "levers", "undo", "undo_selected", "focus_orders", "standing")
AUTOSAVE_WAIT = 2.0  # seconds the autosave waits at most for the board and report to be painted


class GameScreen(OrderKeys, Screen[None]):
    """Playing one nation: queue orders with `a`, undo with `u`, end the turn with `n`."""

    BINDINGS = [
        Binding("n", "end_turn", "End turn"),
        Binding("a", "levers", "Order"),
        Binding("u", "undo", "Undo"),
        Binding("delete,backspace", "undo_selected", "Withdraw marked", show=False),
        Binding("o", "focus_orders", "Orders list", show=False),
        Binding("e", "events", "Events"),
        Binding("v", "show_tab('advisor')", "Advisor"),
        Binding("p", "standing", "Standing orders", show=False),
        Binding("w", "ruleset_changes", "Rules", show=False),
        Binding("r", "turn_report", "Turn report", show=False),
        Binding("f2", "app.settings", "Settings", show=False),
        Binding("ctrl+s", "save", "Save"),
        Binding("l", "app.load_dialog", "Load", show=False),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ] + [Binding(str(i + 1), f"show_tab('{tab}')", tab, show=False) for i, tab in enumerate(TABS)]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (117, "-wide")]
    DEFAULT_CSS = """
    GameScreen #side { width: 36; }
    GameScreen.-wide #side { width: 44; }
    GameScreen.-short #events { display: none; }
    /* at 80x24 the goal and nation panels leave the orders 4 rows: its border, one order and the summary */
    GameScreen.-short QueuePanel { min-height: 4; }
    /* Beside the side panel the tabs get width - 36 columns (64 at 100, 44 at 80) and their labels need 73
       in one row: on a narrow board they take two rows (the underline's row), the active one reversed. */
    GameScreen.-narrow #tabs #tabs-list { layout: grid; grid-size: 5; grid-columns: auto; }
    GameScreen.-narrow #tabs Underline { display: none; }
    GameScreen.-narrow #tabs ContentTab.-active { text-style: bold reverse; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.busy = False
        self.autosaving = False
        self.turn_waiting = False  # `n` was pressed while the last autosave was being written
        self.painted: threading.Event | None = None
        self.stale: set[str] = set(TABS)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield BoardHeader()
        yield GoalPanel(id="goal")
        with Horizontal(id="top"):
            with Vertical(id="side"):
                yield from self.compose_side()
            with TabbedContent(id="tabs"):
                with TabPane("Rivals", id="rivals"):
                    yield RivalsTable(id="rivals-table")
                with TabPane("Charts", id="charts"):
                    yield RaceCharts(id="race-charts")
                for tab, title, _ in VIEW_TABS:
                    with TabPane(title, id=tab):
                        yield DictTable(id=f"{tab}-table", empty=f"no {title.lower()}")
                with TabPane("Advisor", id="advisor"):
                    yield AdvisorPanel(id="advisor-panel")
        yield EventLog(id="events")
        yield Footer(compact=True)

    def compose_side(self) -> Iterable[Any]:
        yield NationPanel(id="nation")
        yield QueuePanel(id="queue")

    def on_mount(self) -> None:
        game = self.session.game
        who = self.session.player or "observing"
        self.app.title = f"techrace · {who} · {printable(game.ruleset.name)} · seed {getattr(game, 'seed', '?')}"
        self.redraw()
        if game.finished:
            self.call_after_refresh(self.show_end)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No orders or turns are offered once the game is over (while a quarter plays they say so).

        The footer is rebuilt only when this answer changes (at the end of the game): rebuilding it
        costs a style pass over every key, a good part of a redraw."""
        if action in ORDER_ACTIONS and self.session.game.finished:
            return False
        return True

    # ------------------------------------------------------------------ drawing

    def redraw(self) -> None:
        """Redraw from the game after a turn (visible tab now, the others when opened).

        A figure the board cannot draw becomes a notice; the game itself is untouched by drawing.
        """
        self.app.sub_title = self.status_line()
        self.stale = set(TABS)
        for part, draw in (
            ("goal", self.draw_goal),
            ("nation panel", self.draw_side),
            ("event log", lambda: self.query_one(EventLog).show(self.session.game, self.session.player)),
            ("tab", lambda: self.draw_tab(self.query_one(TabbedContent).active or "rivals")),
        ):
            try:
                draw()
            except Exception as exc:
                self.notify(f"cannot draw the {part}: {exc}", title="Display problem", severity="error")

    def status_line(self) -> str:
        game = self.session.game
        if game.finished:
            return f"Game over after {game.turn} turns"
        rules = " · new rules (w)" if self.session.pending_reload is not None else \
            " · rule errors (w)" if self.session.reload_errors else ""
        return f"Turn {game.turn + 1}/{game.turns_total} · {game.quarter}{rules}"

    def goal_nation(self) -> tuple[str | None, str]:
        """Whose goals the goal panel shows, and how to title them (the player needs no name)."""
        return self.session.player, ""

    def draw_goal(self) -> None:
        from techrace.ruleset import quarter_label

        game = self.session.game
        code, whose = self.goal_nation()
        goals = list(game.goals(code)) if code else []
        last = quarter_label(max(game.turns_total - 1, 0), game.ruleset.start_quarter)
        self.query_one(GoalPanel).show(goals, max(game.turns_total - game.turn, 0), last, whose)

    def draw_side(self) -> None:
        game, player = self.session.game, self.session.player
        rows = by_nation(self.session.history()).get(player or "", [])
        self.query_one(NationPanel).show(nation_label(game, player), rows, nation_row(game, player),
                                         self.session.budget_left(), pending_policies(self.session.queued))
        self.draw_queue()
        self.stale.add("advisor")  # the queue changes who decides each group
        if self.query_one(TabbedContent).active == "advisor":
            self.draw_tab("advisor")

    def draw_queue(self) -> None:
        session = self.session
        lines = []
        for action in session.queued:
            cost, label = order_cost(session.game, action), printable(order_label(session.game, action))
            lines.append(label + (f" · {money(cost)}" if cost > 0 and money_words(cost) not in label else ""))
        if session.queued:
            count = len(session.queued)
            summary = Text(f"{count} order{'s' if count != 1 else ''} · {money(session.queued_cost())}")
        else:
            summary = Text("a: give an order · n: end turn")
        panel = self.query_one(QueuePanel)
        panel.show(session.game.quarter, lines, summary)
        panel.border_subtitle = "o: select · del: withdraw" if session.queued else ""

    def draw_tab(self, tab: str) -> None:
        if tab not in self.stale:
            return
        self.stale.discard(tab)
        game = self.session.game
        if tab == "rivals":
            self.query_one(RivalsTable).show(self.session.history(), self.session.player)
        elif tab == "charts":
            self.query_one(RaceCharts).show(self.session.history(), list(game.ruleset.nations))
        elif tab == "advisor":
            self.draw_advisor()
        else:
            method = dict((t, m) for t, _, m in VIEW_TABS)[tab]
            try:
                rows = list(getattr(game.view, method)())
            except Exception as exc:
                self.notify(f"cannot show {tab}: {exc}", severity="error")
                rows = []
            if tab == "controls":  # rules in force first, then announced and prepared ones
                rows.sort(key=lambda row: str(row.get("status", "active")) != "active")
            self.query_one(f"#{tab}-table", DictTable).show_rows(rows)

    def draw_advisor(self) -> None:
        """What limits the player's nation now, its standing orders and who decides each lever group."""
        from techrace.tui.standing import lever_groups, programmes, standing_cost

        session = self.session
        game, code = session.game, self.goal_nation()[0]
        measured = game.model.quarter if game.turn else None
        groups = lever_groups(game, session.player, session.queued) if session.player else None
        self.query_one(AdvisorPanel).show(game.constraints(code) if code else [], measured,
                                          programmes(game, session.player), standing_cost(game, session.player),
                                          groups, keys=not game.finished)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            try:
                self.draw_tab(event.pane.id)
            except Exception as exc:
                self.notify(f"cannot draw {event.pane.id}: {exc}", title="Display problem", severity="error")

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    # ------------------------------------------------------------------ turns

    def _blocked(self) -> bool:
        if self.busy:
            self.notify("The quarter is still being played…")
            return True
        if self.session.game.finished:
            self.notify("The game is over.")
            return True
        return False

    def action_end_turn(self) -> None:
        if self._blocked():
            return
        self.busy = True
        self.app.sub_title = f"playing {self.session.game.quarter}…"
        if self.autosaving:  # the last turn's autosave still reads the game: this turn starts after it
            self.turn_waiting = True
            return
        self.play_turn()

    @work(thread=True, exclusive=True, group="turn", exit_on_error=False)
    def play_turn(self) -> None:
        """Simulate the quarter off the UI thread and hand the result back, then autosave.

        The autosave waits until the board and the turn report are painted (on 2 cores its gzip and
        JSON would otherwise slow the painting); the next turn waits for the autosave (`autosaving`)."""
        try:
            report = self.session.end_turn()
        except Exception as exc:
            self.app.call_from_thread(self.turn_failed, exc)
            return
        if self.session.observing or not getattr(self.app, "autosaves", False):
            self.app.call_from_thread(self.turn_done, report)
            return
        self.autosaving = True
        self.painted = painted = threading.Event()  # set by turn_done once its repaint is done
        try:
            self.app.call_from_thread(self.turn_done, report)
            painted.wait(timeout=AUTOSAVE_WAIT)
        finally:
            problem = self.app.autosave(self.session)  # type: ignore[attr-defined]
            self.app.call_from_thread(self.autosaved, problem)

    def autosaved(self, problem: str | None) -> None:
        self.autosaving = False
        if problem:
            self.notify(problem, title="Autosave failed", severity="warning")
        if self.turn_waiting:
            self.turn_waiting = False
            self.play_turn()

    def turn_done(self, report: Any) -> None:
        self.busy = False
        self.redraw()
        if self.session.reload_problem:
            self.notify(self.session.reload_problem, title="Ruleset not reloaded", severity="error", markup=False)
        elif self.session.just_reloaded is not None:
            count = len(self.session.just_reloaded)
            self.notify(f"{count} value{'s' if count != 1 else ''} changed · w: what changed",
                        title="Ruleset reloaded", markup=False)
        if self.session.game.finished:
            self.refresh_bindings()
        if self.session.summary_problem:
            self.notify(self.session.summary_problem, title="Turn report", severity="warning")
        summary = self.session.last_summary
        painted, self.painted = (self.painted.set if self.painted else None), None
        if summary is not None and getattr(self.app, "settings", None) and self.app.settings.turn_report:  # type: ignore[attr-defined]
            self.app.push_screen(self._report_screen(summary, painted), self._report_closed)
            return
        if self.session.game.finished:
            self.show_end()
            if painted:
                painted()
        elif painted:  # the autosave waits for this board's repaint
            self.set_timer(PAINTED_AFTER, painted)

    def _report_screen(self, summary: Any, painted: Any = None) -> Any:
        from techrace.tui.screens.turn_report import TurnReportScreen

        return TurnReportScreen(summary, painted)

    def _report_closed(self, then: str | None) -> None:
        if then == "turn_off":
            self.app.change_settings(turn_report=False)  # type: ignore[attr-defined]
            self.notify("Turn reports are off; f2 turns them back on, r shows the last one.")
        if self.session.game.finished:
            self.show_end()
        if then == "events":
            self.action_events()

    def action_turn_report(self) -> None:
        if self.session.last_summary is None:
            self.notify("No turn played in this session yet: n ends the turn.")
            return
        self.app.push_screen(self._report_screen(self.session.last_summary), self._report_closed)

    def ruleset_checked(self) -> None:
        """An edit of the ruleset was checked (`--watch`): the header says what waits for the turn's end."""
        if not self.busy:
            self.app.sub_title = self.status_line()

    def action_ruleset_changes(self) -> None:
        from techrace.tui.dialogs.ruleset_changes import RulesetChanges

        self.app.push_screen(RulesetChanges(self.session))

    def action_events(self) -> None:
        from techrace.tui.screens.events import EventLogScreen

        def back(_: Any = None) -> None:
            self.app.sub_title = self.status_line()

        self.app.push_screen(EventLogScreen(self.session.game, self.session.player), back)

    def turn_failed(self, exc: Exception) -> None:
        self.busy = False
        self.app.sub_title = self.status_line()
        self.draw_queue()  # the orders are back in the queue
        self.notify(f"the quarter could not be played: {exc}", title="Error", severity="error")

    def show_end(self) -> None:
        from techrace.tui.screens.end import EndScreen

        self.app.push_screen(EndScreen(self.session))

    # ------------------------------------------------------------------ files

    def action_save(self) -> None:
        from techrace.tui.dialogs.save_dialog import SaveDialog

        if self.busy:
            self.notify("Wait for the quarter to finish, then save.")
            return
        game = self.session.game
        suggestion = self.session.save_name or f"{self.session.player or 'observe'}-{game.quarter}"
        self.app.push_screen(SaveDialog(suggestion), self._save_named)

    def _save_named(self, name: str | None) -> None:
        if name:
            self.app.save_session(self.session, name)  # type: ignore[attr-defined]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("End turn", "Play the quarter with the queued orders (n)", self.action_end_turn)
        yield SystemCommand("Give an order", "Open the levers of your nation (a)", self.action_levers)
        yield SystemCommand("Undo last order", "Withdraw the last queued order (u)", self.action_undo)
        yield SystemCommand("Event log", "Every event, filtered by kind, nation and text (e)", self.action_events)
        yield SystemCommand("Turn report", "The report of the last turn played (r)", self.action_turn_report)
        yield SystemCommand("Save game", "Save under a name (ctrl+s)", self.action_save)
        yield SystemCommand("Standing orders", "Stop a programme; hand lever groups to the advisor (p)",
                            self.action_standing)
        yield SystemCommand("Ruleset changes", "Edits of the ruleset: waiting, refused, reloaded (w)",
                            self.action_ruleset_changes)
        for i, tab in enumerate(TABS):
            yield SystemCommand(f"Show {tab.replace('-', ' ')}", f"Switch to the {tab} tab ({i + 1})",
                                lambda tab=tab: self.action_show_tab(tab))
