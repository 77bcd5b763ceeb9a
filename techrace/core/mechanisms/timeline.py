"""The control timeline: rules announced, taking effect and expiring on their quarters."""

from __future__ import annotations

from collections.abc import Mapping

from techrace.core.events import Event
from techrace.core.mechanisms.economy import schedule_gdp_hit
from techrace.core.state import WorldState
from techrace.core.static import Static
from techrace.ruleset.schema import quarter_index


def advance_controls(static: Static, s: WorldState, quarter: str, activated: list[str] | None = None) -> list[Event]:
    """Move each rule along its dates: inactive -> announced -> active -> expired, never back; a lifted rule
    stays lifted (only enacting it again brings it back)."""
    events: list[Event] = []
    index = quarter_indices(static)
    now = index[quarter]
    names = regulator_names(static)
    for rule_id in sorted(s.controls):
        status = s.control_status[rule_id]
        if status in ("lifted", "expired"):  # ended for good: nothing to read
            continue
        rule = s.controls[rule_id]
        effective = rule.get("effective")
        expires = rule.get("expires")
        announced = rule.get("announced")
        new = status
        if expires and now >= index[expires]:
            new = "expired"
        elif effective and now >= index[effective]:
            new = "active"
        elif announced and now >= index[announced] and status == "inactive":
            new = "announced"
        if new == status:
            continue
        s.control_status[rule_id] = new
        regulator = rule["regulator"]
        if new == "active":
            in_force = effective and index[effective] < 0
            text = rule_label(rule, names) + (" (in force)" if in_force else " takes effect")
            cause = f"in force since {effective}" if in_force else f"its effective date is {effective}"
            events.append(Event(s.turn, quarter, "control", text, cause, (regulator, rule_id)))
            if not in_force:
                on_activate(static, s, rule)
                if activated is not None:
                    activated.append(rule_id)
        elif new == "announced":
            events.append(Event(s.turn, quarter, "control", f"{rule_label(rule, names)}: announced",
                                f"it takes effect {effective or 'later'}; buyers stock up until then", (regulator, rule_id)))
        else:
            events.append(Event(s.turn, quarter, "control", f"{rule_label(rule, names)}: ends",
                                f"expires {expires}", (regulator, rule_id)))
    return events


class QuarterIndex(dict):
    """Quarter label -> `quarter_index` from the game's start, parsed once per label: every rule's dates are
    read every quarter."""

    def __init__(self, start: str) -> None:
        super().__init__()
        self.start = start

    def __missing__(self, quarter: str) -> int:
        self[quarter] = found = quarter_index(quarter, self.start)
        return found


def quarter_indices(static: Static) -> QuarterIndex:
    """The game's `QuarterIndex` (kept in its cache, rebuilt if dropped)."""
    index = static.cache.get("quarter_index")
    if index is None:
        index = static.cache["quarter_index"] = QuarterIndex(static.start_quarter)
    return index


def regulator_names(static: Static) -> dict[str, str]:
    """Each regulator's display name by id (its id when it has none), once a game."""
    names = static.cache.get("regulator_names")
    if names is None:
        ruleset = static.ruleset
        names = static.cache["regulator_names"] = {rid: ruleset.regulator_name(rid) for rid in ruleset.regulators}
    return names


def rule_label(rule: dict, names: Mapping[str, str] | None = None) -> str:
    """`ISSUER: description`, the issuer being the regulator's name in `names` (its id without them). A
    description that already starts with the issuer is not prefixed again: a first word that is the id reads as
    the name (`BIS adds SMIC ...`), one that is the id's first part or a description starting with the name stays."""
    text = rule.get("description") or ""
    regulator = rule["regulator"]
    name = names.get(regulator, regulator) if names else regulator
    if not text:
        return name
    first = text.split(":")[0].split(" ")[0]
    if first == regulator:
        return name + text[len(regulator):]
    named = text == name or text.startswith((name + " ", name + ":"))
    return text if first == regulator.split("_")[0] or named else f"{name}: {text}"


def on_activate(static: Static, s: WorldState, rule: dict) -> None:
    """One-off consequences of a rule taking effect (mineral bans hit the targets' GDP)."""
    if rule["kind"] == "mineral" and rule.get("mineral_gdp_hit"):
        for code in rule.get("destinations", []):
            if code in static.nations:
                schedule_gdp_hit(s, static.nations.index(code), -float(rule["mineral_gdp_hit"]), 1)
