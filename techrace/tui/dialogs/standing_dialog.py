"""Standing orders and the advisor (`p` on the board): stop a programme, hand a lever group to the advisor
or take it back.

A programme row opens its lever's form at the values that stop it (a subsidy or power build-out of 0 every
quarter, pooling held at its current share, pay back to the ruleset's level), so the player sees the preview
and confirms. A group row queues an `advisor` order (or withdraws the one queued), applied with the turn like
any order and listed in the orders panel.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from techrace.safe_text import printable
from techrace.tui.standing import advisor_toggle, lever_groups, programmes
from techrace.tui.widgets.format import money


class StandingDialog(ModalScreen[Any]):
    """Returns ("form", kind, values) for a programme to change, or None; group changes are queued here."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("space", "select", "Choose", show=False)]

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Standing orders and your advisor — enter: stop or change a programme, "
                         "toggle who decides a group; escape: close", classes="question")
            yield OptionList(id="standing")
        yield Footer()

    def on_mount(self) -> None:
        self.fill()

    def fill(self) -> None:
        session = self.session
        game, player = session.game, session.player
        listing = self.query_one(OptionList)
        keep = listing.highlighted
        listing.clear_options()
        rows: list[Option | None] = [Option(Text("Programmes paid every quarter", style="bold"), disabled=True)]
        self.programmes = programmes(game, player)
        for i, p in enumerate(self.programmes):
            label = Text(f"  {printable(p.label)} · {money(p.per_quarter)}/q")
            label.append(f"  → enter: {p.stop_words}", style="dim")
            rows.append(Option(label, id=f"programme-{i}"))
        if not self.programmes:
            rows.append(Option(Text("  none (tick \"Every quarter\" in a subsidy or power form to start one)", style="dim"),
                               disabled=True))
        rows.append(None)
        rows.append(Option(Text("Who decides each group of levers", style="bold"), disabled=True))
        self.groups = lever_groups(game, player, session.queued)
        for g in self.groups:
            mark = "[x]" if g.advisor_next else "[ ]"
            label = Text(f"  {mark} advisor  {g.group}", style="bold" if g.advisor_next != g.advisor_now else "")
            label.append(f" — {g.levers or 'no levers'}", style="dim")
            if g.why:
                label.append(f" ({g.why})", style="cyan")
            rows.append(Option(label, id=f"group-{g.group}"))
        listing.add_options(rows)
        first = next((i for i, o in enumerate(listing.options) if not o.disabled), None)
        listing.highlighted = keep if keep is not None and keep < listing.option_count else first

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id or "")

    def action_select(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self.choose(listing.get_option_at_index(listing.highlighted).id or "")

    def choose(self, option: str) -> None:
        if option.startswith("programme-"):
            p = self.programmes[int(option.removeprefix("programme-"))]
            self.dismiss(("form", p.kind, dict(p.stop)))
        elif option.startswith("group-"):
            self.toggle(option.removeprefix("group-"))

    def toggle(self, group: str) -> None:
        from techrace.tui.session import QueueError

        state = next(g for g in self.groups if g.group == group)
        what, value = advisor_toggle(self.session.player, state, self.session.queued)
        if what == "withdraw":
            self.session.undo(value)
        else:
            try:
                self.session.queue(value)
            except QueueError as exc:
                self.notify("; ".join(exc.messages), title="Order refused", severity="error")
                return
        self.fill()

    def action_close(self) -> None:
        self.dismiss(None)
