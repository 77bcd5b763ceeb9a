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
victory conditions decide the game; the **Goal** panel shows them all the time. Computer players run
every other nation.

## Panels

- **Goal** (top): each victory condition (*Win*) and loss condition (*Lose*) of the ruleset as your
  nation sees it — a progress bar with its percentage, your figure against the target, the nearest
  rival — and the turns left before the last quarter.
- **Nation panel** (left): your nation at a glance — AI compute in H100-equivalents, model
  capability, the best process node made at home, advanced wafer starts per month, engineers, the
  GDP index (2025Q1 = 100), each with its change since last turn (▲/▼ and a number, green when it is
  good for you); the quarter's budget and what is left after your queued orders (*over* in red when
  they do not fit); and your standing policies — visa openness, pay against the US, the share of
  compute that can be pooled, AI power in GW — with any change a queued order will make (→).
- **Orders** (left): the orders queued for the coming quarter, in words, with their cost. `▸` marks
  the one `delete` withdraws; `o` selects the list so the arrows move the mark; `u` withdraws the
  last.
- **Rivals** tab: every nation's latest figures, most capable first, the gap to you, and trends;
  columns drop by importance on narrow terminals.
- **Charts** tab: compute (log scale) and capability of every nation over the turns; each line ends
  in its nation's letter (the key above gives letter and colour).
- **Foundries / Chip firms / Labs / Toolmakers** tabs: the industry — nodes, capacity and yield;
  designs and sales; clusters and training runs; tool output and servicing.
- **Controls** tab: the export-control rules in force, who issued them and what they cover.
- **Events** (bottom, on terminals 34 rows or taller): the latest events and *why* (after
  "because"); your orders appear once, with what they did (after →). `e` opens the full log.
- **Turn report** (after each turn): your figures before and after, what each order did and cost,
  where the goal stands and the events that concern you. `t` in the report (or `f2`) turns it off;
  `r` shows the last one again.
- **Advisor** tab (`v` or `8`): what limits your compute now, most binding first (a bar and a
  percentage, the numbers behind it, → the lever that loosens it), read from the last quarter;
  then your standing orders with their cost a quarter and which lever groups the advisor decides.

## Keys

| key | what it does |
|---|---|
| `n` | End turn: the quarter is played with your queued orders (in the background; the screen stays live) |
| `a` | Give an order: pick a lever, fill in its form (it opens at your current settings); problems and the cost preview update as you type |
| `u` / `delete` | Withdraw the last / the marked (▸) queued order |
| `o` | Select the orders list (arrows move the mark) |
| `v` | The Advisor tab: what limits your compute, your standing orders, who decides each lever group |
| `p` | Standing orders: stop a programme (its form opens at the values that stop it); hand a lever group to the advisor or take it back (`[x]` = the advisor decides) |
| `w` | Ruleset changes (`--watch`): edits waiting for the end of the turn, errors of an edit not taken, reloads in force |
| `e` | The full event log: filter by kind, nation and text (`/`), scroll with arrows and page keys |
| `r` | The last turn report again |
| `1`–`9` | Tabs: rivals, charts, foundries, sites, chip firms, labs, toolmakers, controls, advisor |
| `ctrl+s` | Save the game under a name (an autosave is also written every turn) |
| `l` | Load a saved game |
| `f2` | Settings (turn report on or off; kept for the next session) |
| `ctrl+p` | Command palette: every main command by name |
| `?` | This help |
| `q` / `ctrl+q` | Quit (asks first when turns since the last save would be lost) |

In a list of choices (firms, nations, tool kinds) `[x]` marks what is chosen: space toggles a row,
typing filters the rows, `ctrl+a` chooses all rows in view (again: none).

Watching (`techrace observe`): `space` plays or pauses, `s` steps one quarter, `+` / `-` change the
speed. On the new-game screen: `ctrl+n` starts, `ctrl+o` loads a save, `ctrl+r` draws a new seed.

Live rulesets (`techrace play --watch`, `techrace observe --watch`): save an edit of the ruleset's
files and it is checked at once; a valid edit is put in force when the turn ends (the world carries
on; the header says "new rules (w)"), an invalid one is shown with its file and line and the game
plays on under its rules.

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
            optional = f", {param.when}" if param.when else ", optional" if not param.required else ""
            lines.append(f"- **{param.label}**{bounds}{optional}: {param.help}")
        lines.append("")
    return "\n".join(lines)
