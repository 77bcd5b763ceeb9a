"""Orders as the player reads them: labels in words, the choices a form offers, where a form starts,
and the budget left after the orders already queued.

Plain Python over the core's `Game` (no Textual), so the rules are unit-tested and the forms, the
orders panel, the event log and the turn report all say the same thing. When the core's lever
registry gives each lever its own words and expected effect, `order_label` and `field_notes` are the
two places to switch.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from techrace.tui.widgets.format import amount, money

# (lever, parameter) -> the column of `game.view.nations()` that holds the nation's current setting.
CURRENT_SETTING = {
    ("visa_policy", "visa_openness"): "visa",
    ("pay_policy", "pay_index"): "pay",
    ("centralisation", "share"): "centralisation",
}
# the key figures of a preview's expected effect (core.preview.KEY_FIGURES), in words
FIGURE_LABELS = {
    "capability": "Capability", "ai_compute_h100e": "Compute H100e", "advanced_wafer_starts": "Adv. wafers/mo",
    "accelerators_produced": "Accelerators", "engineers": "Engineers", "gdp_index": "GDP index",
    "lab_capex_usd_b": "Lab capex $bn", "domestic_accelerator_share": "Domestic share",
}
CHOICE_WIDTH = 72  # a dropdown row: long descriptions end at a word, with an ellipsis


def shorten(text: str, width: int = CHOICE_WIDTH) -> str:
    """`text` on one line of at most `width` characters, cut at a word boundary (never mid-word)."""
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder=" …")


def firm_names(ruleset: Any) -> dict[str, str]:
    """Display name of every firm id (foundries, toolmakers, chip firms, labs)."""
    out: dict[str, str] = {}
    for group in (ruleset.foundries, ruleset.toolmakers, ruleset.chip_firms, ruleset.labs):
        for fid, spec in group.items():
            out[fid] = str(getattr(spec, "name", fid) or fid)
    return out


def _name(ruleset: Any, ident: str) -> str:
    return firm_names(ruleset).get(ident, ident)


def _names(ruleset: Any, values: Any) -> str:
    items = [values] if isinstance(values, str) else list(values or [])
    return ", ".join(_name(ruleset, str(v)) for v in items) or "none"


def money_words(value: Any) -> str:
    """USD bn in an order's words: `$3.0 bn`, `$0.05 bn` (as many digits as the amount needs)."""
    return money(value, amount(abs(float(value))))


def _every(p: dict[str, Any]) -> str:
    return " every quarter" if p.get("recurring") else ""


def _words(ruleset: Any, kind: str, p: dict[str, Any]) -> str | None:
    """The parameters of a known lever in words; None for a lever this face does not know yet."""
    if kind == "subsidy":
        return f"{money_words(p.get('usd_b', 0))} to {_name(ruleset, str(p.get('firm', '?')))}{_every(p)}"
    if kind == "visa_policy":
        return f"openness {float(p.get('visa_openness', 0)):.2f}"
    if kind == "pay_policy":
        return f"{float(p.get('pay_index', 0)):.2f}x US pay"
    if kind == "power_buildout":
        return f"+{amount(p.get('extra_gw', 0))} GW{_every(p)}"
    if kind == "centralisation":
        return f"{float(p.get('share', 0)):.0%} of compute poolable"
    if kind == "entity_list":
        return _names(ruleset, p.get("entities"))
    if kind == "chip_threshold":
        text = f"TPP {float(p.get('tpp', 0)):,.0f} and up"
        if p.get("tpp_with_density") not in (None, ""):
            text += f" (or {float(p['tpp_with_density']):,.0f} at density {float(p.get('density') or 0):g})"
        return text if p.get("scope") == "imports" else f"{text} to {_names(ruleset, p.get('destinations'))}"
    if kind in ("tool_ban", "servicing_ban"):
        kinds = _names(ruleset, p.get("tool_kinds")).replace("_", " ")
        where = "to" if kind == "tool_ban" else "in"
        dests = "your own fabs" if p.get("scope") == "imports" else _names(ruleset, p.get("destinations"))
        text = f"{kinds} tools {where} {dests}"
        if p.get("node_nm_at_or_below") not in (None, ""):
            text += f", fabs at {float(p['node_nm_at_or_below']):g} nm and below"
        return text
    if kind == "licence_exception":
        return (f"{float(p.get('licence_share', 0)):.0%} of trade under {p.get('control')}, "
                f"{float(p.get('licence_revenue_share', 0)):.0%} of revenue to your government")
    if kind in ("lift_control", "enact_control"):
        return str(p.get("control", "?"))
    if kind == "retaliation":
        return f"{_names(ruleset, p.get('destinations'))} lose {float(p.get('mineral_cost_share', 0)):.0%} of tool output"
    if kind == "military":
        return str(p.get("shock", "?")).replace("_", " ")
    return None


def _sentence(ruleset: Any, kind: str, p: dict[str, Any]) -> str | None:
    """Orders that read as a sentence of their own rather than "Lever: values" (None for the others)."""
    if kind == "advisor":
        group = str(p.get("group", "?"))
        if p.get("advisor"):
            return f"Your advisor decides the {group} levers"
        return f"You take back the {group} levers from your advisor"
    if kind == "subsidy" and p.get("recurring") and not float(p.get("usd_b") or 0):
        return f"Stop subsidy to {_name(ruleset, str(p.get('firm', '?')))}"
    if kind == "power_buildout" and p.get("recurring") and not float(p.get("extra_gw") or 0):
        return "Stop power build-out"
    return None


def order_label(game: Any, action: Any) -> str:
    """An order in words, e.g. "Subsidy: $3.0 bn to SMIC" (never raw parameter names)."""
    from techrace.core import ACTION_SPECS

    spec = ACTION_SPECS.get(action.kind)
    title = spec.label if spec else action.kind.replace("_", " ").capitalize()
    if action.params.get("scope") == "imports":
        title += " (imports)"
    try:
        sentence = _sentence(game.ruleset, action.kind, dict(action.params))
        if sentence is not None:
            return sentence
        words = _words(game.ruleset, action.kind, dict(action.params))
    except (TypeError, ValueError):
        words = None
    if words is None:  # a lever added to the core later: its parameters under their own labels
        labels = {p.name: p.label for p in spec.params} if spec else {}
        words = ", ".join(f"{labels.get(k, k.replace('_', ' '))} {_value(v)}" for k, v in sorted(action.params.items()))
    return f"{title}: {words}" if words else title


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ---------------------------------------------------------------------------------------------- form choices



def param_choices(game: Any, player: str, param: Any, kind: str = "") -> list[tuple[str, str]]:
    """(label, value) pairs a list or select parameter of lever `kind` offers the player, labels cut at a word."""
    from techrace.core.actions import firm_ids, military_moves, regulators_of, site_ids, site_nations
    from techrace.ruleset.schema import TOOL_KINDS

    ruleset = game.ruleset
    names = firm_names(ruleset)
    if param.type == "nations":
        return [(f"{code} {spec.name}", code) for code, spec in ruleset.nations.items() if code != player]
    if param.type == "tool_kinds":
        return [(kind.replace("_", " "), kind) for kind in TOOL_KINDS]
    if param.type == "entities":
        firms = firm_ids(ruleset)
        out = [(_firm_label(fid, names, nation), fid) for fid, nation in sorted(firms.items()) if nation != player]
        out += [(f"{sid} (site of {names.get(owner, owner)})", sid) for sid, owner in sorted(site_ids(ruleset).items())
                if firms.get(owner) != player]
        return out
    if param.type == "firm":
        return [(_firm_label(fid, names, None), fid) for fid, nation in sorted(firm_ids(ruleset).items()) if nation == player]
    if param.type == "site":  # fab sites on the player's soil, whoever owns them (memory makers' HBM sites left out)
        where = site_nations(ruleset)
        return [(f"{sid} (site of {names.get(owner, owner)})", sid) for sid, owner in sorted(site_ids(ruleset).items())
                if where[sid] == player and ruleset.foundries[owner].kind == "logic"]
    if param.type == "choice":
        return [(c, c) for c in param.choices]
    if param.type == "shock":
        return [(shorten(f"{sid.replace('_', ' ')}: {ruleset.shocks[sid].description}"), sid)
                for sid in military_moves(ruleset)]
    if param.type == "control":
        rules = _rules_of(game, regulators_of(ruleset, player))
        refused = _refused_rules(game, player, kind, rules)
        return [(shorten(f"{cid}: {text}"), cid) for cid, (text, _) in rules.items() if cid not in refused]
    return []


def _refused_rules(game: Any, player: str, kind: str, rules: dict[str, tuple[str, str]]) -> set[str]:
    """The rules an order of lever `kind` would be refused on this quarter, by the lever's own check (enacting a
    rule in force or taking effect now, lifting or licensing one that ended): the form offers only the others,
    with the rules' dates applied as the turn will apply them (before the first turn every rule reads inactive)."""
    from techrace.core.actions import Action
    from techrace.core.levers import LEVERS

    lever, model = LEVERS.get(kind), getattr(game, "model", None)
    if lever is None or model is None:
        return set()
    return {cid for cid in rules if cid in model.state.controls
            and lever.refusals(model, Action(kind, player, {"control": cid}))}


def _firm_label(fid: str, names: dict[str, str], nation: str | None) -> str:
    name = names.get(fid, fid)
    label = fid if name.upper().replace(" ", "_") == fid else f"{fid} · {name}"
    return f"{label} ({nation})" if nation else label


def _rules_of(game: Any, regulators: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Rules of the player's regulators known to the game (the ruleset's and those enacted in play), each with its
    description and its status now ("active", "inactive", "announced", "lifted", "expired"; "" when unknown)."""
    rules = {cid: (rule.description or rule.kind, "") for cid, rule in game.ruleset.controls.items()
             if rule.regulator in regulators}
    try:
        rows = list(game.view.controls())
    except Exception:  # the view is advice for the form; the game's validation still decides
        rows = []
    for row in rows:
        cid = row.get("control") or row.get("id")
        if not cid or row.get("regulator", regulators[0] if regulators else None) not in regulators:
            continue
        text = rules[cid][0] if cid in rules else str(row.get("description") or row.get("kind") or cid)
        rules[str(cid)] = (text, str(row.get("status") or ""))
    return rules


# ---------------------------------------------------------------------------------------------- where forms start


def nation_row(game: Any, code: str | None) -> dict[str, Any]:
    """The nation's row of `game.view.nations()` (empty when the view cannot give one)."""
    try:
        rows = game.view.nations()
    except Exception:
        return {}
    return next((row for row in rows if code in (row.get("nation"), row.get("code"))), {})


def form_defaults(game: Any, player: str, spec: Any, queued: Iterable[Any] = ()) -> dict[str, Any]:
    """Where each field of a lever's form starts: the last queued order of that lever, else the nation's
    current setting (visa, pay, centralisation), else the lever's own default capped by the budget left."""
    last = next((a for a in reversed(list(queued)) if a.kind == spec.kind), None)
    row = nation_row(game, player)
    left = budget_left(game, player, queued)
    out: dict[str, Any] = {}
    for param in spec.params:
        if last is not None and param.name in last.params:
            out[param.name] = last.params[param.name]
            continue
        column = CURRENT_SETTING.get((spec.kind, param.name))
        if column and isinstance(row.get(column), int | float):
            out[param.name] = float(row[column])
        elif param.name == "usd_b" and param.default is not None and left is not None:
            out[param.name] = round(max(0.0, min(float(param.default), left)), 2)
        else:
            out[param.name] = param.default
    return out


def field_notes(game: Any, player: str, spec: Any, queued: Iterable[Any] = ()) -> dict[str, str]:
    """A line under a field saying where the nation stands now (current setting, power, budget left)."""
    row = nation_row(game, player)
    left = budget_left(game, player, queued)
    notes: dict[str, str] = {}
    for param in spec.params:
        column = CURRENT_SETTING.get((spec.kind, param.name))
        if column and isinstance(row.get(column), int | float):
            notes[param.name] = f"now {float(row[column]):.2f}"
        elif param.name == "extra_gw" and isinstance(row.get("power_gw"), int | float):
            notes[param.name] = f"now {float(row['power_gw']):.1f} GW of AI power"
        if param.name in ("usd_b", "extra_gw") and left is not None:
            notes[param.name] = ", ".join(filter(None, (notes.get(param.name), f"budget left {money(left)}")))
        if param.name == "recurring":
            notes[param.name] = _programme_note(game, player, spec.kind)
    return notes


def _programme_note(game: Any, player: str, kind: str) -> str:
    """What the nation already pays every quarter through this lever (a recurring order replaces it)."""
    from techrace.tui.standing import programmes

    try:
        mine = [p.label for p in programmes(game, player) if p.kind == kind]
    except Exception:  # advice for the form; the game's validation still decides
        return ""
    if not mine:
        return "none standing now"
    return "now " + "; ".join(mine) + " (a new order every quarter for the same firm replaces it; 0 stops it)"


# ---------------------------------------------------------------------------------------------- budget


def order_cost(game: Any, action: Any) -> float:
    """The budget an order takes this quarter, as the game counts it (0 when it cannot say)."""
    try:
        return float(game.order_cost(action)[0])
    except Exception:  # advice for the board; it must never block it
        return 0.0


def budget_left(game: Any, player: str | None, queued: Iterable[Any] = ()) -> float | None:
    """This quarter's budget after standing orders and the queued orders, as the game counts it (negative when
    they do not fit: the game then refuses the turn's orders with the amount left)."""
    if player is None:
        return None
    try:
        return float(game.budget_left(player, list(queued)))
    except Exception:
        return None
