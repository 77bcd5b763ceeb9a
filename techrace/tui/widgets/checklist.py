"""A multi-select that shows its state with a mark (`[x]` / `[ ]`), not colour alone, with
select-all and type-to-search.

Typing letters filters the rows (backspace edits the filter); space or enter toggles the highlighted
row; ctrl+a chooses every row in view, or clears them when all are already chosen. Choices hidden by
the filter stay chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

ON, OFF = "[x] ", "[ ] "


class Checklist(OptionList):
    """Rows are (label, value) pairs; `chosen` is the list of chosen values in row order."""

    BINDINGS = [
        Binding("space,enter", "toggle", "Toggle", show=False),
        Binding("ctrl+a", "toggle_all", "All / none", show=False),
    ]
    DEFAULT_CSS = "Checklist { height: auto; max-height: 8; }"

    class Changed(Message):
        def __init__(self, checklist: Checklist) -> None:
            super().__init__()
            self.checklist = checklist

        @property
        def control(self) -> Checklist:
            return self.checklist

    def __init__(self, choices: Iterable[tuple[str, str]], chosen: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = list(choices)
        self._chosen = {value for value in chosen if value in {v for _, v in self.choices}}
        self.search = ""

    @property
    def chosen(self) -> list[str]:
        return [value for _, value in self.choices if value in self._chosen]

    @property
    def visible(self) -> list[tuple[str, str]]:
        needle = self.search.lower()
        return [(label, value) for label, value in self.choices
                if not needle or needle in label.lower() or needle in value.lower()]

    def on_mount(self) -> None:
        self._rebuild()

    def _row(self, label: str, value: str) -> Text:
        on = value in self._chosen
        row = Text(ON if on else OFF, style="bold" if on else "")
        row.append(label)
        return row

    def _rebuild(self, keep: str | None = None) -> None:
        rows = self.visible
        self.clear_options()
        self.add_options([Option(self._row(label, value), id=value) for label, value in rows])
        values = [value for _, value in rows]
        if rows:
            self.highlighted = values.index(keep) if keep in values else 0
        self._title()

    def _title(self) -> None:
        count = f"{len(self._chosen)} of {len(self.choices)} chosen"
        find = f" · find: {self.search}▏" if self.search else " · type to find"
        self.border_subtitle = count + find + " · space toggles · ctrl+a all/none"

    def _redraw_row(self, value: str) -> None:
        label = dict((v, lab) for lab, v in self.choices)[value]
        index = [v for _, v in self.visible].index(value)
        self.replace_option_prompt_at_index(index, self._row(label, value))
        self._title()

    def set_chosen(self, value: str, on: bool) -> None:
        """Choose or un-choose one value (as a click or space would)."""
        if on == (value in self._chosen):
            return
        (self._chosen.add if on else self._chosen.discard)(value)
        if value in [v for _, v in self.visible]:
            self._redraw_row(value)
        self.post_message(self.Changed(self))

    def action_toggle(self) -> None:
        if self.highlighted is None or not self.visible:
            return
        value = self.visible[self.highlighted][1]
        self.set_chosen(value, value not in self._chosen)

    def action_toggle_all(self) -> None:
        values = [value for _, value in self.visible]
        everything = all(v in self._chosen for v in values)
        for value in values:
            (self._chosen.discard if everything else self._chosen.add)(value)
        self._rebuild(self._current())
        self.post_message(self.Changed(self))

    def _current(self) -> str | None:
        rows = self.visible
        if self.highlighted is None or self.highlighted >= len(rows):
            return None
        return rows[self.highlighted][1]

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click toggles the row; the form must not take it as "done"
        if event.option.id is not None:
            self.set_chosen(event.option.id, event.option.id not in self._chosen)

    def on_key(self, event: events.Key) -> None:
        if event.key == "backspace" and self.search:
            self._filter(self.search[:-1], event)
        elif event.is_printable and event.character and event.character != " " and len(self.search) < 40:
            self._filter(self.search + event.character, event)

    def _filter(self, search: str, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        current = self._current()
        self.search = search
        self._rebuild(current)
