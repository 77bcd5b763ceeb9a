"""A form generated from an ActionSpec: one field per parameter, the game's validation and cost preview.

Fields start at the nation's current settings (or the order of that lever already queued, or the values
the caller gives, e.g. those that stop a standing programme); a note under a field says where the nation
stands. A yes/no parameter (`recurring`, the advisor's `advisor`) is a checkbox. Validation and the cost run
as the player types; the expected effect (the core plays two copies of the world ahead, about 0.1 s) runs in a
worker once typing pauses, and shows as a table of figure and change. What the form returns is the very
Action the core logs, so a game played here replays headless.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.scalar import Scalar
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from techrace.safe_text import printable
from techrace.tui.orders import (
    FIGURE_LABELS,
    budget_left,
    field_notes,
    form_defaults,
    order_label,
    param_choices,
)
from techrace.tui.widgets.checklist import Checklist
from techrace.tui.widgets.format import money, signed

MULTI = ("nations", "entities", "tool_kinds")
PAIRS = 3  # figure-and-change pairs a row of the expected effect (8 key figures: at most 3 rows)
TALL = 30  # rows from which a form has its roomy layout (labels above bordered fields, buttons)
PREVIEW_ROWS, PREVIEW_MOST = 5, 7  # the preview's rows (app.tcss) and, with room, all it can say at once
PREVIEW_DELAY = 0.3  # seconds of no typing before the expected effect is worked out (in a worker)


class ActionForm(ModalScreen[Any]):
    """Fields for every parameter; Queue is refused while the game reports a problem."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("ctrl+j,ctrl+enter", "queue", "Queue order", key_display="ctrl+j")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall"), (36, "-roomy")]
    DEFAULT_CSS = "ActionForm.-short .buttons { display: none; }  /* the footer gives the keys */"

    def __init__(self, spec: Any, game: Any, player: str, queued: list[Any] | None = None,
                 values: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.spec, self.game, self.player = spec, game, player
        self.queued = list(queued or [])
        self.defaults = {**form_defaults(game, player, spec, self.queued), **(values or {})}
        self.notes = field_notes(game, player, spec, self.queued)
        self.choices = {p.name: param_choices(game, player, p, spec.kind) for p in spec.params
                        if p.type not in ("float", "share", "flag")}
        self._preview_timer: Timer | None = None
        self.effects: dict[str, float] | None = None  # the expected effect of the order last previewed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide form"):
            yield Static(Text.assemble((self.spec.label, "bold"), f" — {self.spec.description}"), classes="question")
            with VerticalScroll(id="fields"):
                for param in self.spec.params:
                    required = f" ({param.when})" if param.when else "" if param.required else " (optional)"
                    with Horizontal(classes="field-row"):  # label above the field; beside it below 30 rows
                        if param.type != "flag":  # a checkbox carries its own label, on one line
                            yield Label(f"{param.label}{required}", classes="field-label")
                        yield self._field(param)
                    note = f" · {self.notes[param.name]}" if param.name in self.notes else ""
                    yield Static(Text(printable(param.help + note)), id=f"help-{param.name}", classes="field-help")
            yield Static("", id="form-errors", classes="error")
            yield Static("", id="form-preview", classes="preview")
            with Horizontal(classes="buttons"):
                yield Button("Queue order", id="queue", variant="primary", compact=True)  # one row: room for fields
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()  # this form's own keys, not the board's

    def _field(self, param: Any) -> Any:
        wid = f"p-{param.name}"
        default = self.defaults.get(param.name)
        if param.type in ("float", "share"):
            value = "" if default is None else f"{float(default):g}"
            return Input(value=value, type="number", id=wid, placeholder="empty: none" if not param.required else "")
        if param.type == "flag":
            return Checkbox(param.label, value=bool(default), id=wid, compact=True, classes="field-label")
        choices = [(printable(label), value) for label, value in self.choices[param.name]]
        if param.type in MULTI:
            chosen = default if isinstance(default, list | tuple) else []
            return Checklist(choices, chosen, id=wid, classes="multi")
        if not choices:
            return Static(Text(f"nothing to choose: the ruleset offers no {param.label.lower()} here", style="italic"),
                          id=wid)
        start = default if default in [v for _, v in choices] else Select.NULL
        return Select([(Text(label), value) for label, value in choices], id=wid, value=start, allow_blank=True,
                      prompt=f"choose {param.label.lower()}")

    def on_mount(self) -> None:
        self.set_class(any(p.type in MULTI for p in self.spec.params), "-lists")
        self.compact_fields(self.app.size.height < TALL)
        if self.spec.params:
            self.show_help_of(self.spec.params[0].name)  # before the first layout: the focus event comes later
            self.query_one(f"#p-{self.spec.params[0].name}").focus()
        self.refresh_checks()
        self.call_after_refresh(self.fit_fields)

    def on_resize(self) -> None:
        self.compact_fields(self.size.height < TALL)
        self.call_after_refresh(self.fit_fields)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Below 30 rows a form with a list to tick (`-lists`: entity list, thresholds, tool and servicing bans)
        shows only the focused field's help line (app.tcss): with every help shown they scrolled by 3 to 13
        rows at 80x24, the entity list now not at all. Other forms fit with all their help."""
        focused = next((node for node in event.widget.ancestors_with_self if (node.id or "").startswith("p-")), None)
        if focused is not None and self.show_help_of(str(focused.id).removeprefix("p-")):
            self.call_after_refresh(self.fit_fields)

    def show_help_of(self, name: str) -> bool:
        """Mark field `name`'s help as the one a short form with a checklist shows; whether that changed."""
        changed = False
        for help_line in self.query(".field-help"):
            wanted = help_line.id == f"help-{name}"
            changed |= help_line.has_class("-focused") != wanted
            help_line.set_class(wanted, "-focused")
        return changed

    def compact_fields(self, compact: bool) -> None:
        """Below 30 rows inputs and choices lose their borders (one row each instead of three), so a form
        and its preview fit an 80x24 terminal without scrolling."""
        for widget in self.query("#fields Input, #fields Select"):
            widget.compact = compact  # type: ignore[attr-defined]

    def fit_fields(self) -> None:
        """Let the fields take every row the dialog has left beside its other parts (never fewer than 3).

        A fixed 45% of the screen left a subsidy's *Every quarter* box out of view at 100x30 with rows to
        spare, and pushed the preview out of the dialog at 80x24. At least one row is kept for problems."""
        dialog, fields = self.query_one(".form"), self.query_one("#fields")
        tallest = dialog.styles.max_height
        if tallest is None or not self.is_attached:
            return
        area = Size(self.size.width, self.size.height - self.query_one(Footer).outer_size.height)
        used = dialog.styles.gutter.height
        for part in dialog.children:
            if part is not fields and part.display:
                height = max(part.outer_size.height, 1) if part.id == "form-errors" else part.outer_size.height
                used += height + part.styles.margin.top + part.styles.margin.bottom
        rows = int(tallest.resolve(area, self.app.size)) - used
        rows -= self.grow_preview(rows - fields.virtual_size.height)
        if fields.styles.max_height != Scalar.from_number(max(rows, 3)):
            fields.styles.max_height = max(rows, 3)

    def grow_preview(self, spare: int) -> int:
        """Below 30 rows give the preview the rows the fields do not need, up to its longest (the order, its
        cost, the budget left, the effect's heading and three rows of figures), so it never scrolls at 80x24;
        the rows it took. Its height depends on the layout only: nothing moves when the effect arrives."""
        preview = self.query_one("#form-preview")
        if self.size.height >= TALL:
            return 0
        height = PREVIEW_ROWS + min(max(spare, 0), PREVIEW_MOST - PREVIEW_ROWS)
        grown = height - preview.outer_size.height
        if preview.styles.height != Scalar.from_number(height):
            preview.styles.height = height
        return grown

    def params(self) -> dict[str, Any]:
        """The form's values as the action's params (empty optional fields left out)."""
        out: dict[str, Any] = {}
        for param in self.spec.params:
            widget = self.query_one(f"#p-{param.name}")
            if isinstance(widget, Input):
                text = widget.value.strip()
                if not text:
                    continue
                try:
                    out[param.name] = float(text)
                except ValueError:
                    out[param.name] = text  # the game's validation names the problem
            elif isinstance(widget, Checklist):
                if widget.chosen:
                    out[param.name] = widget.chosen
            elif isinstance(widget, Select) and widget.value is not Select.NULL:
                out[param.name] = widget.value
            elif isinstance(widget, Checkbox) and (widget.value or param.required):
                out[param.name] = bool(widget.value)  # an optional flag left off is not written
        return out

    def action_value(self) -> Any:
        from techrace.core import Action

        return Action(self.spec.kind, self.player, self.params())

    def refresh_checks(self) -> list[str]:
        """Validate with the game and show the problems, or the cost preview when there are none."""
        action = self.action_value()
        try:
            problems = list(self.game.validate(action, list(self.queued)))
        except Exception as exc:
            problems = [f"cannot check this order: {exc}"]
        errors = self.query_one("#form-errors", Static)
        preview = self.query_one("#form-preview", Static)
        errors.update(Text("\n".join(f"• {printable(p)}" for p in problems)))
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if problems:
            preview.update("")
            return problems
        self.effects = None
        preview.update(self.preview_text(action))
        self._preview_timer = self.set_timer(PREVIEW_DELAY, lambda: self.expected_effect(action))
        return problems

    def preview_text(self, action: Any, result: Any = None) -> Any:
        """The order in words, what it costs now and every quarter after and the budget left after it and
        the queued orders (at once); then what the game expects it to do, once worked out (`result`)."""
        text = Text(printable(order_label(self.game, action)) + "\n", style="bold")
        try:
            now, every = self.game.order_cost(action)
        except Exception as exc:
            return text + Text(f"no preview: {exc}")
        text.append(f"Cost this quarter: {money(now)}")
        if every:
            text.append(f", then {money(every)} every quarter while it stands")
        left = budget_left(self.game, self.player, [*self.queued, action])
        if left is not None:
            text.append(f"\nBudget left after your queued orders and this one: {money(left)}")
        if result is None:
            return text + Text("\nExpected effect: working it out…", style="dim italic")
        quarters = self.game.ruleset.levers.preview_quarters
        taken = f" (takes {self.spec.group} from the advisor)" if "It also takes" in result.expected else ""
        text.append(f"\nExpected in {quarters} quarter{'s' if quarters != 1 else ''} vs. no order{taken}:")
        table = effects_table(result.effects)
        return Group(text, table) if table.row_count else text + Text(" no change in the key figures")

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def expected_effect(self, action: Any) -> None:
        """Play the world ahead with and without the order (off the UI thread); shown if still current."""
        try:
            result = self.game.preview(action, list(self.queued))
        except Exception as exc:
            result = exc
        self.app.call_from_thread(self._effect_ready, action, result)

    def _effect_ready(self, action: Any, result: Any) -> None:
        if not self.is_attached or action != self.action_value():
            return  # the player changed the order meanwhile: its own preview is on its way
        preview = self.query_one("#form-preview", Static)
        if isinstance(result, Exception):
            preview.update(self.preview_text(action) + Text(f"\nno expected effect: {result}"))
            return
        self.effects = dict(result.effects)
        preview.update(self.preview_text(action, result))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_checks()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_queue()

    def on_checklist_changed(self, event: Checklist.Changed) -> None:
        self.refresh_checks()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.refresh_checks()

    def on_select_changed(self, event: Select.Changed) -> None:
        """Show the whole description of the chosen item under the field (the dropdown row is cut at a word)."""
        param = next((p for p in self.spec.params if f"p-{p.name}" == event.select.id), None)
        if param is not None:
            full = self._full_description(param, event.value)
            help_text = param.help + (f" · {self.notes[param.name]}" if param.name in self.notes else "")
            self.query_one(f"#help-{param.name}", Static).update(Text(printable(full or help_text)))
        self.refresh_checks()

    def _full_description(self, param: Any, value: Any) -> str:
        if value is Select.NULL:
            return ""
        if param.type == "shock" and value in self.game.ruleset.shocks:
            return f"{value}: {self.game.ruleset.shocks[value].description}"
        if param.type == "control" and value in self.game.ruleset.controls:
            rule = self.game.ruleset.controls[value]
            return f"{value}: {rule.description or rule.kind}"
        return ""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "queue":
            self.action_queue()
        else:
            self.dismiss(None)

    def action_queue(self) -> None:
        if self.refresh_checks():
            self.app.bell()  # the problems are listed in the form itself
            return
        self.dismiss(self.action_value())

    def action_cancel(self) -> None:
        self.dismiss(None)


def effects_table(effects: dict[str, float]) -> Table:
    """Figure and change, three pairs a row, for the figures the order moves (in words, never raw keys)."""
    moved = [(FIGURE_LABELS.get(k, k.replace("_", " ")), v) for k, v in effects.items() if abs(v) > 1e-9]
    table = Table.grid(padding=(0, 1))
    for _ in range(PAIRS):
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
    for i in range(0, len(moved), PAIRS):
        cells: list[Any] = []
        for label, value in moved[i:i + PAIRS]:
            shown = signed(value)
            cells += [Text(label), Text(shown, style="bold green" if value > 0 else "bold red")]
        table.add_row(*cells)
    return table
