"""The Advisor tab: what limits the nation's compute and capability now (the core's `Game.constraints`), each
with how hard it binds (a bar and a percentage, never colour alone), the numbers behind it and the lever that
loosens it; then the standing orders with their cost a quarter and who decides each lever group."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from techrace.safe_text import printable
from techrace.tui.widgets.format import money

BAR = 10
INDENT = 5  # the explanation and remedy sit under the constraint's name, past the percentage
SLACK = 0.005  # constraints binding less than this are listed on one line as slack


def bar(share: float, width: int = BAR) -> str:
    filled = max(0, min(width, round(share * width)))
    return "█" * filled + "░" * (width - filled)


def constraint_lines(constraints: list[Any], measured: str | None) -> list[Any]:
    """Binding constraints, most binding first, with their numbers and remedy (indented under the bar, so
    wrapped lines stay in their column); slack ones on one line."""
    when = f" · measured in {measured}" if measured else ""
    out: list[Any] = [Text(f"What limits you now{when}", style="bold")]
    if measured is None or not constraints:  # nothing was bought or made yet: every figure would be zero
        out.append(Text("The advisor reads what the markets did in the last quarter: end a turn (n) first.",
                        style="italic"))
        return out
    for c in (c for c in constraints if c.binding >= SLACK):
        out.append(Text.assemble((f"{c.binding:4.0%} {bar(c.binding)} ", "bold"), (printable(c.label), "bold")))
        out.append(Padding(Text(printable(c.explanation), style="dim"), (0, 0, 0, INDENT)))
        out.append(Padding(Text.assemble(("→ ", "bold cyan"), (printable(c.remedy), "cyan")), (0, 0, 0, INDENT)))
    slack = [printable(c.label.lower()) for c in constraints if c.binding < SLACK]
    if slack:
        out.append(Text("Slack: " + ", ".join(slack), style="dim"))
    return out


def standing_lines(programmes: list[Any], charged: float | None, groups: list[Any], keys: bool) -> Text:
    """Standing orders with their cost a quarter, then which lever groups the advisor decides."""
    text = Text()
    total = sum(p.per_quarter for p in programmes)
    text.append("Standing orders", style="bold")
    text.append(f" · {money(total)} a quarter" if programmes else "", style="bold")
    if charged is not None and programmes:
        text.append(f" ({money(charged)} charged last quarter)", style="dim")
    text.append("\n")
    for p in programmes:
        text.append(f"  {printable(p.label)}", style="")
        text.append(f" · {money(p.per_quarter)}/q\n", style="dim")
    if not programmes:
        text.append("  none: a subsidy or power build-out is paid once unless you tick \"Every quarter\"\n", style="dim")
    mine = [g.group for g in groups if not g.advisor_next]
    theirs = [g.group for g in groups if g.advisor_next]
    text.append("Advisor decides: ", style="bold")
    text.append((", ".join(theirs) or "nothing") + "\n")
    text.append("You decide: ", style="bold")
    text.append((", ".join(mine) or "nothing (every group is with the advisor)") + "\n")
    changed = [g for g in groups if g.advisor_now != g.advisor_next]
    for g in changed:
        text.append(f"  {g.group}: {g.why}\n", style="cyan")
    if keys:
        text.append("p: stop a standing order, hand a group to the advisor or take it back\n", style="dim italic")
    return text


class AdvisorPanel(VerticalScroll):
    """The tab's content; scrolls when the terminal is short (focus it with a click or tab)."""

    DEFAULT_CSS = "AdvisorPanel { height: 1fr; padding: 0 1; } AdvisorPanel > Static { width: 1fr; }"

    def compose(self) -> Any:
        yield Static(id="advisor-text")

    def show(self, constraints: list[Any], measured: str | None, programmes: list[Any] | None = None,
             charged: float | None = None, groups: list[Any] | None = None, keys: bool = True) -> None:
        parts = constraint_lines(constraints, measured)
        if groups is not None:
            parts += [Text(""), standing_lines(programmes or [], charged, groups, keys)]
        self.query_one("#advisor-text", Static).update(Group(*parts))
        self.shown = "\n".join(p.plain if isinstance(p, Text) else p.renderable.plain for p in parts)

    shown = ""
