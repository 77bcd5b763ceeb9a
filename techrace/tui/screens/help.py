"""The `?` screen: every panel, key and lever explained (levers straight from ACTION_SPECS)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

PANELS = """\
# techrace — how to play

*escape, q or ? closes this help; arrows and page keys scroll it.*

You run one nation's industrial and export policy, one quarter per turn, from 2025Q1. The ruleset's
victory conditions decide the game (shown on the final screen). Computer players run every other nation.

## Panels

- **Nation panel** (top left): your nation at a glance — AI compute in H100-equivalents, model
  capability, the best process node made at home, advanced wafer starts per month, engineers,
  the quarter's industrial budget (USD bn) and the GDP index (2025Q1 = 100). Arrows show the change since
  last turn (green is good for you); the sparkline is compute over the last 24 turns.
- **Orders** (left): the orders queued for the coming quarter and what they cost. Withdraw them with
  `u` (the last) or `delete` (the highlighted one) until you end the turn.
- **Rivals** tab: every nation's latest figures, strongest first, with trend sparklines.
- **Charts** tab: compute (log scale) and capability of every nation over the turns.
- **Foundries / Chip firms / Labs / Toolmakers** tabs: the industry — nodes, capacity and yield;
  designs and sales; clusters and training runs; tool output and servicing.
- **Controls** tab: the export-control rules in force, who issued them and what they cover.
- **Events** (bottom): what happened each quarter and *why* (the cause follows "because").

## Keys

| key | what it does |
|---|---|
| `n` | End turn: the quarter is played with your queued orders (in the background; the screen stays live) |
| `a` | Give an order: pick a lever, fill in its form; problems and the cost preview update as you type |
| `u` / `delete` | Withdraw the last / the highlighted queued order |
| `1`–`7` | Tabs: rivals, charts, foundries, chip firms, labs, toolmakers, controls |
| `ctrl+s` | Save the game under a name (an autosave is also written every turn) |
| `l` | Load a saved game |
| `ctrl+p` | Command palette: every main command by name |
| `?` | This help |
| `q` / `ctrl+q` | Quit (asks first when turns since the last save would be lost) |

Watching (`techrace observe`): `space` plays or pauses, `s` steps one quarter, `+` / `-` change the
speed. On the new-game screen: `ctrl+n` starts, `ctrl+o` loads a save, `ctrl+r` draws a new seed.

## Levers
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(PANELS + "\n(loading the list of levers…)", id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help").focus()
        self.load_levers()

    @work(thread=True, exit_on_error=False)
    def load_levers(self) -> None:
        text = PANELS + "\n" + levers_markdown()
        self.app.call_from_thread(self.query_one("#help-text", Markdown).update, text)


def levers_markdown() -> str:
    """One section per lever: what it does and each field, generated from the action specs."""
    from techrace.core import ACTION_SPECS

    lines: list[str] = [
        "Orders marked *regulator* need your nation to have an export regulator in the ruleset; military",
        "moves only appear where the ruleset allows them.",
        "",
    ]
    for spec in ACTION_SPECS.values():
        tag = " *(regulator)*" if spec.needs_regulator else ""
        lines.append(f"### {spec.label}{tag}")
        lines.append("")
        lines.append(spec.description)
        lines.append("")
        for param in spec.params:
            bounds = ""
            if param.minimum is not None and param.maximum is not None:
                bounds = f" ({param.minimum:g} to {param.maximum:g})"
            optional = ", optional" if not param.required else ""
            lines.append(f"- **{param.label}**{bounds}{optional}: {param.help}")
        lines.append("")
    return "\n".join(lines)
