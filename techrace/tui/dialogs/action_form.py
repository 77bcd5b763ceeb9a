"""A form generated from an ActionSpec: one field per parameter, the game's validation and cost preview.

Fields start at the nation's current settings (or the order of that lever already queued); a note
under a field says where the nation stands. What the form returns is the very Action the core logs,
so a game played here replays headless.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from techrace.safe_text import printable
from techrace.tui.orders import budget_left, field_notes, form_defaults, order_label, param_choices
from techrace.tui.widgets.checklist import Checklist

MULTI = ("nations", "entities", "tool_kinds")


class ActionForm(ModalScreen[Any]):
    """Fields for every parameter; Queue is refused while the game reports a problem."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("ctrl+j,ctrl+enter", "queue", "Queue order", key_display="ctrl+j")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    DEFAULT_CSS = "ActionForm.-short .buttons { display: none; }  /* the footer gives the keys */"

    def __init__(self, spec: Any, game: Any, player: str, queued: list[Any] | None = None) -> None:
        super().__init__()
        self.spec, self.game, self.player = spec, game, player
        self.queued = list(queued or [])
        self.defaults = form_defaults(game, player, spec, self.queued)
        self.notes = field_notes(game, player, spec, self.queued)
        self.choices = {p.name: param_choices(game, player, p) for p in spec.params
                        if p.type not in ("float", "share")}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide form"):
            yield Static(Text.assemble((self.spec.label, "bold"), f" — {self.spec.description}"), classes="question")
            with VerticalScroll(id="fields"):
                for param in self.spec.params:
                    required = "" if param.required else " (optional)"
                    yield Label(f"{param.label}{required}", classes="field-label")
                    yield self._field(param)
                    note = f" · {self.notes[param.name]}" if param.name in self.notes else ""
                    yield Static(Text(printable(param.help + note)), id=f"help-{param.name}", classes="field-help")
            yield Static("", id="form-errors", classes="error")
            yield Static("", id="form-preview", classes="preview")
            with Horizontal(classes="buttons"):
                yield Button("Queue order", id="queue", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()  # this form's own keys, not the board's

    def _field(self, param: Any) -> Any:
        wid = f"p-{param.name}"
        default = self.defaults.get(param.name)
        if param.type in ("float", "share"):
            value = "" if default is None else f"{float(default):g}"
            return Input(value=value, type="number", id=wid, placeholder="empty: none" if not param.required else "")
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
        if self.spec.params:
            self.query_one(f"#p-{self.spec.params[0].name}").focus()
        self.refresh_checks()

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
        if problems:
            preview.update("")
            return problems
        preview.update(self.preview_text(action))
        return problems

    def preview_text(self, action: Any) -> Text:
        """The order in words, what it costs now and every quarter after, the budget left after it and the
        queued orders, and what the game expects it to do (the core plays a copy of the world ahead)."""
        text = Text(printable(order_label(self.game, action)) + "\n", style="bold")
        try:
            result = self.game.preview(action, list(self.queued))
        except Exception as exc:
            return text + Text(f"no preview: {exc}")
        text.append(f"Cost this quarter: ${float(result.budget_usd_b):.2f} bn")
        if result.recurring_usd_b:
            text.append(f", then ${float(result.recurring_usd_b):.2f} bn every quarter while it stands")
        left = budget_left(self.game, self.player, [*self.queued, action])
        if left is not None:
            text.append(f"\nBudget left after your queued orders and this one: ${left:.2f} bn")
        text.append("\n" + printable(result.expected or result.notes), style="")
        return text

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_checks()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_queue()

    def on_checklist_changed(self, event: Checklist.Changed) -> None:
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
