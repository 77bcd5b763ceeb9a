"""The board's order keys (a, p, u, delete, o): give an order through its form, stop a standing programme
or change who decides a lever group, withdraw queued orders. A mixin of GameScreen, which supplies
`session`, `draw_side`, `_blocked` and the widgets."""

from __future__ import annotations

from typing import Any

from techrace.tui.widgets.queue import QueueList, QueuePanel


class OrderKeys:
    """Mixed into GameScreen before Screen: it defines only actions, never a Screen method."""

    session: Any

    def action_levers(self) -> None:
        from techrace.tui.dialogs.lever_menu import LeverMenu, available_levers

        if self._blocked():
            return
        specs = available_levers(self.session.game, self.session.player or "")
        self.app.push_screen(LeverMenu(specs, self.session.game.quarter), self._lever_chosen)

    def _lever_chosen(self, kind: str | None, values: dict[str, Any] | None = None) -> None:
        if kind is None:
            return
        from techrace.core import ACTION_SPECS
        from techrace.tui.dialogs.action_form import ActionForm

        form = ActionForm(ACTION_SPECS[kind], self.session.game, self.session.player or "", self.session.queued, values)
        self.app.push_screen(form, self._order_given)

    def action_standing(self) -> None:
        """Stop a standing programme (its form, at the values that stop it) or change who decides a group."""
        from techrace.tui.dialogs.standing_dialog import StandingDialog

        if self._blocked():
            return

        def chosen(request: Any) -> None:
            self.draw_side()  # group changes were queued in the dialog
            if request is not None:
                _, kind, values = request
                self._lever_chosen(kind, values)

        self.app.push_screen(StandingDialog(self.session), chosen)

    def _order_given(self, action: Any) -> None:
        if action is None:
            return
        from techrace.tui.session import QueueError

        try:
            self.session.queue(action)
        except QueueError as exc:
            self.notify("; ".join(exc.messages), title="Order refused", severity="error")
            return
        self.draw_side()  # the queue, the budget left and the standing policies all change

    def action_undo(self) -> None:
        self._undo(None)

    def action_undo_selected(self) -> None:
        index = self.query_one(QueuePanel).selected
        if index is None:
            self.notify("No order is marked: queue one with a, or press o and pick one with the arrows.")
            return
        self._undo(index)

    def action_focus_orders(self) -> None:
        if not self.session.queued:
            self.notify("No orders queued yet: a gives one.")
            return
        self.query_one(QueueList).focus()

    def _undo(self, index: int | None) -> None:
        if self.session.undo(index) is None:
            self.notify("No orders to undo.")
            return
        self.draw_side()
