"""The player's goal, always on the board: each victory or loss condition with progress, the nearest
rival and the turns left, from `Game.goals(nation)`."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from techrace.safe_text import printable
from techrace.tui.widgets.format import bar, field_words


def goal_line(goal: Any, width: int | None = None) -> Text:
    """`Win  ████░░░░░░  43% capability 85.5 of 200; US 102.9`; a loss condition starts with `Lose` and its bar is
    the margin left (`Lose ████░░░░░░  43% safe GDP index 100.0; ...`, 0% = out of the game); the condition's
    description follows when there is room."""
    progress = float(getattr(goal, "progress", 0.0) or 0.0)
    loss = bool(getattr(goal, "loss", False))
    style = "green" if progress >= 0.75 else "yellow" if progress >= 0.4 else "red"
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("Lose " if loss else "Win  ", style="bold red" if loss else "bold")
    line.append(bar(progress), style=style)
    line.append(f" {progress:4.0%} {'safe ' if loss else ''}", style=style)  # a loss bar is the margin left
    line.append(printable(field_words(str(getattr(goal, "text", "") or getattr(goal, "kind", "")))))
    description = printable(getattr(goal, "description", "") or "")
    if description and width is not None and line.cell_len + 3 + len(description) <= width:
        line.append(f" · {description}", style="dim")
    if width is not None:
        line.truncate(width, overflow="ellipsis")  # one row per goal whatever the terminal's width
    return line


class GoalPanel(Static):
    """Titled "Goal"; the turns left and the last quarter in its subtitle."""

    DEFAULT_CSS = "GoalPanel { height: auto; max-height: 8; border: round $success; padding: 0 1; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Goal"
        self.goals: list[Any] = []
        self.relayout = True

    def show(self, goals: list[Any], turns_left: int, last_quarter: str, whose: str = "") -> None:
        self.relayout = len(goals) != len(self.goals) or not self.goals
        self.goals = list(goals)
        self.border_title = f"Goal · {whose}" if whose else "Goal"
        self.border_subtitle = f"{turns_left} turn{'s' if turns_left != 1 else ''} left · last quarter {last_quarter}"
        self.tooltip = "\n".join(printable(getattr(g, "description", "")) for g in self.goals) or None
        self._draw()

    def _draw(self) -> None:
        width = self.content_region.width or None

        if not self.goals:
            self.update(Text("no victory conditions in this ruleset", style="dim"))
            return
        text = Text("\n", no_wrap=True, overflow="ellipsis").join(goal_line(goal, width) for goal in self.goals)
        if self.relayout:  # one row per goal (lines are cut at the width): the height changes only with them
            self.styles.height = len(self.goals) + 2
        self.update(text, layout=self.relayout)
        self.relayout = False

    def on_resize(self) -> None:
        self.relayout = True  # lines drawn before the first layout had no width to be cut at
        self._draw()
