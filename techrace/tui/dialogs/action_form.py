"""A form generated from an ActionSpec: one field per parameter, the game's validation and cost preview.

What it returns is the very Action the core logs, so a game played here replays headless.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

MULTI = ("nations", "entities", "tool_kinds")
SINGLE = ("control", "firm", "choice")


def param_choices(game: Any, player: str, param: Any) -> list[tuple[str, str]]:
    """(label, value) pairs a list or select parameter offers the player."""
    from techrace.core.actions import firm_ids, regulator_of, site_ids
    from techrace.ruleset.schema import TOOL_KINDS

    ruleset = game.ruleset
    if param.type == "nations":
        return [(f"{code} {spec.name}", code) for code, spec in ruleset.nations.items() if code != player]
    if param.type == "tool_kinds":
        return [(kind.replace("_", " "), kind) for kind in TOOL_KINDS]
    if param.type == "entities":
        firms = [(f"{fid} ({nation})", fid) for fid, nation in sorted(firm_ids(ruleset).items()) if nation != player]
        sites = [(f"{sid} (site of {owner})", sid) for sid, owner in sorted(site_ids(ruleset).items())
                 if firm_ids(ruleset).get(owner) != player]
        return firms + sites
    if param.type == "firm":
        return [(fid, fid) for fid, nation in sorted(firm_ids(ruleset).items()) if nation == player]
    if param.type == "choice":
        return [(c, c) for c in param.choices]
    if param.type == "control":
        regulator = regulator_of(ruleset, player)
        rules = {cid: rule.description or rule.kind for cid, rule in ruleset.controls.items()
                 if rule.regulator == regulator}
        for row in _safe_rows(game):
            cid = row.get("id") or row.get("rule") or row.get("control")
            if cid and row.get("regulator", regulator) == regulator and cid not in rules:
                rules[str(cid)] = str(row.get("description") or row.get("kind") or cid)
        return [(f"{cid}: {text}"[:70], cid) for cid, text in rules.items()]
    return []


def _safe_rows(game: Any) -> list[dict[str, Any]]:
    try:
        return list(game.view.controls())
    except Exception:
        return []


class ActionForm(ModalScreen[Any]):
    """Fields for every parameter; Queue is refused while the game reports a problem."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+enter,ctrl+j", "queue", "Queue")]

    def __init__(self, spec: Any, game: Any, player: str) -> None:
        super().__init__()
        self.spec, self.game, self.player = spec, game, player

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide form"):
            yield Static(f"[b]{self.spec.label}[/b] — {self.spec.description}", classes="question")
            with VerticalScroll(id="fields"):
                for param in self.spec.params:
                    required = "" if param.required else " (optional)"
                    yield Label(f"{param.label}{required}", classes="field-label")
                    yield self._field(param)
                    yield Static(param.help, classes="field-help")
            yield Static("", id="form-errors", classes="error")
            yield Static("", id="form-preview", classes="preview")
            with Horizontal(classes="buttons"):
                yield Button("Queue order", id="queue", variant="primary")
                yield Button("Cancel", id="cancel")

    def _field(self, param: Any) -> Any:
        wid = f"p-{param.name}"
        if param.type in ("float", "share"):
            value = "" if param.default is None else f"{param.default:g}"
            return Input(value=value, type="number", id=wid, placeholder="empty: none" if not param.required else "")
        choices = param_choices(self.game, self.player, param)
        if param.type in MULTI:
            return SelectionList[str](*choices, id=wid, classes="multi")
        default = param.default if param.default in [v for _, v in choices] else Select.NULL
        return Select(choices, id=wid, value=default, allow_blank=True, prompt=f"choose {param.label.lower()}")

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
            elif isinstance(widget, SelectionList):
                chosen = list(widget.selected)
                if chosen:
                    out[param.name] = chosen
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
            problems = list(self.game.validate(action))
        except Exception as exc:
            problems = [f"cannot check this order: {exc}"]
        errors = self.query_one("#form-errors", Static)
        preview = self.query_one("#form-preview", Static)
        errors.update("\n".join(f"• {p}" for p in problems))
        if problems:
            preview.update("")
            return problems
        try:
            result = self.game.preview(action)
            raw = getattr(result, "notes", ()) or ()
            notes = "".join(f"\n  {n}" for n in ([raw] if isinstance(raw, str) else raw))
            preview.update(f"Cost this quarter: ${float(result.budget_usd_b):.2f} bn of budget{notes}")
        except Exception as exc:
            preview.update(f"no preview: {exc}")
        return problems

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_checks()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_queue()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.refresh_checks()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.refresh_checks()

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
