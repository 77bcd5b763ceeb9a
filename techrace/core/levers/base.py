"""What every lever shares: its form (parameters), the checks on its values, its cost and its effect.

A lever is one object: a subclass of `Lever` registered in `techrace.core.levers.LEVERS`. The TUI's forms,
`ACTION_SPECS`, the docs' lever table and the tournament's list of levers are all read from the registry,
so adding a lever touches one module (plus its tests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from techrace.ruleset.layers import suggest
from techrace.ruleset.schema import TOOL_KINDS, Ruleset

if TYPE_CHECKING:
    from techrace.core.actions import Action
    from techrace.core.events import Event
    from techrace.core.model import WorldModel

_EMPTY = (None, "", [])  # a value left out (validate's test)
ParamType = Literal["float", "share", "nations", "entities", "tool_kinds", "control", "firm", "site", "choice", "shock", "flag"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ParamType
    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    required: bool = True
    unit: str = ""            # how a value is written in words, e.g. "$%s bn", "%s GW"
    when: str = ""            # a value the lever's own check asks for only sometimes: when, in words (forms show it
                              # for "optional"), e.g. "required for exports"


@dataclass(frozen=True)
class ActionSpec:
    """The form of a lever (what UIs build their forms from)."""

    kind: str
    label: str
    description: str
    params: tuple[ParamSpec, ...]
    needs_regulator: bool = False
    group: str = "industry"
    standing: bool = False
    effect: str = ""


class Lever:
    """One lever a nation (or its regulator) can pull. Subclasses set the class attributes and override
    `cost`, `apply` and, where they need to, `check` and `words`."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    description: ClassVar[str] = ""   # what it is
    effect: ClassVar[str] = ""        # what it will do, in plain words (shown in previews and the docs)
    group: ClassVar[str] = "industry"
    needs_regulator: ClassVar[bool] = False
    standing: ClassVar[bool] = False  # holds until changed
    params: ClassVar[tuple[ParamSpec, ...]] = ()

    @classmethod
    def spec(cls) -> ActionSpec:
        return ActionSpec(cls.kind, cls.label, cls.description, cls.params, cls.needs_regulator, cls.group,
                          cls.standing, cls.effect)

    # ------------------------------------------------------------------ checks
    def validate(self, ruleset: Ruleset, action: Action, controls: dict[str, str]) -> list[str]:
        """Every problem with the action's values, as messages a player can act on."""
        errors: list[str] = []
        regulator = regulator_of(ruleset, action.nation)
        if self.needs_regulator and regulator is None:
            errors.append(f"{action.nation} has no regulator in this ruleset")
        for param in self.params:
            value = action.params.get(param.name)
            if value in (None, "", []):
                if param.required:
                    errors.append(f"{param.label}: required")
                continue
            message = check_param(ruleset, action, param, value, controls, regulator)
            if message:
                errors.append(message)
        names = _param_names(type(self))
        unknown = sorted(name for name in action.params if name not in names)
        if unknown:
            errors.append(f"unknown parameter(s) {', '.join(unknown)}")
        return errors + (self.check(ruleset, action) if not errors else [])

    def accepts(self, ruleset: Ruleset, action: Action, controls: dict[str, str]) -> bool:
        """`validate`'s verdict (True when it finds no problem) without writing its messages: the computer
        players' ~1,000 orders a game are checked with it. Numbers and home firms are checked here, any other
        value by `check_param` itself, so both verdicts agree."""
        params, nation = action.params, action.nation
        if self.needs_regulator and regulator_of(ruleset, nation) is None:
            return False
        for name, required, shape, low, high, param in _plan(type(self)):
            value = params.get(name)
            if shape == "bounded" and type(value) is float:  # a float is never a value left out
                if not low <= value <= high:  # NaN and infinities fail too: the bounds are finite
                    return False
                continue
            if shape == "firm" and type(value) is str and value:
                if _per_ruleset(ruleset, "firms", _firm_nations).get(value) != nation:
                    return False
                continue
            if value in _EMPTY:
                if required:
                    return False
                continue
            if check_param(ruleset, action, param, value, controls, regulator_of(ruleset, nation)):
                return False
        return _param_names(type(self)).issuperset(params) and not self.check(ruleset, action)

    def check(self, ruleset: Ruleset, action: Action) -> list[str]:
        """Lever-specific checks beyond the values of single parameters."""
        return []

    def refusals(self, model: WorldModel, action: Action, queued: Sequence[Action] = ()) -> list[str]:
        """What the world this quarter, after the `queued` orders of the turn, makes of an order whose values are
        valid (e.g. enacting a rule already in force), as messages a player can act on: `validate` reads the
        ruleset alone, so a strategy file can be checked before any game, and this is `Game.validate`'s part."""
        return []

    # ------------------------------------------------------------------ money and effect
    def cost(self, model: WorldModel, action: Action) -> float:
        """Budget this action takes in the quarter it is ordered (USD bn)."""
        return 0.0

    def recurring(self, model: WorldModel, action: Action) -> float:
        """Budget it keeps taking every quarter after, while it stands (USD bn a quarter)."""
        return 0.0

    def replaced(self, model: WorldModel, action: Action) -> float:
        """What the standing order this action changes costs a quarter now (USD bn): this quarter's payment of it
        is already taken, since standing orders are paid before new orders (mechanisms/standing.py)."""
        return 0.0

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        raise NotImplementedError(f"lever {self.kind} does not apply")

    def words(self, action: Action, ruleset: Ruleset | None = None) -> str:
        """The order in words, e.g. "Subsidy: $3.0 bn to Huawei"."""
        shown = []
        for param in self.params:
            value = action.params.get(param.name)
            if value in (None, "", []):
                continue
            shown.append(f"{param.label.lower()} {_fmt(value, param, ruleset)}")
        return f"{self.label}: {', '.join(shown)}" if shown else self.label


@cache
def _plan(lever: type[Lever]) -> tuple[tuple[str, bool, str, float | None, float | None, ParamSpec], ...]:
    """A lever's parameters as `accepts` reads them: name, required, how the value is checked, bounds."""
    def shape(p: ParamSpec) -> str:
        if p.type in ("float", "share") and p.minimum is not None and p.maximum is not None \
                and math.isfinite(p.minimum) and math.isfinite(p.maximum):
            return "bounded"
        return "firm" if p.type == "firm" else "other"
    return tuple((p.name, p.required, shape(p), p.minimum, p.maximum, p) for p in lever.params)


@cache
def _param_names(lever: type[Lever]) -> frozenset[str]:
    return frozenset(p.name for p in lever.params)


def _fmt(value: Any, param: ParamSpec, ruleset: Ruleset | None) -> str:
    if isinstance(value, list | tuple):
        return "/".join(str(v) for v in value)
    if param.type == "flag":
        return "yes" if value else "no"
    if param.type == "share" and isinstance(value, int | float):
        return f"{float(value):.0%}"
    if isinstance(value, int | float):
        text = f"{float(value):,.1f}" if abs(float(value)) < 1000 else f"{float(value):,.0f}"
        return param.unit % text if param.unit else text
    if param.type == "firm" and ruleset is not None:
        return firm_name(ruleset, str(value))
    return str(value)


def check_param(ruleset: Ruleset, action: Action, param: ParamSpec, value: Any, controls: dict[str, str],
                regulator: str | None) -> str:
    """The problem with one parameter's value ('' when fine)."""
    if param.type in ("float", "share"):
        if isinstance(value, bool):
            return f"{param.label}: expected a number, got {value!r}"
        try:
            number = float(value)
        except (TypeError, ValueError):
            return f"{param.label}: expected a number, got {value!r}"
        if number != number or number in (float("inf"), float("-inf")):
            return f"{param.label}: expected a finite number"
        if param.minimum is not None and number < param.minimum:
            return f"{param.label}: must be at least {param.minimum:g}"
        if param.maximum is not None and number > param.maximum:
            return f"{param.label}: must be at most {param.maximum:g}"
        return ""
    if param.type == "flag":
        return "" if isinstance(value, bool) else f"{param.label}: expected yes or no (true/false), got {value!r}"
    shape = _shape_problem(param, value)
    if shape:
        return shape
    if param.type == "nations":
        bad = [n for n in as_list(value) if n not in ruleset.nations]
        return f"{param.label}: unknown nation(s) {', '.join(bad)}{_nearest(bad, ruleset.nations)}" if bad else ""
    if param.type == "entities":
        firms, sites = _per_ruleset(ruleset, "firms", _firm_nations), _per_ruleset(ruleset, "sites", _site_foundries)
        bad = [e for e in as_list(value) if e not in firms and e not in sites]
        return f"{param.label}: unknown firm or site {', '.join(bad)}{_nearest(bad, [*firms, *sites])}" if bad else ""
    if param.type == "tool_kinds":
        bad = [k for k in as_list(value) if k not in TOOL_KINDS]
        return f"{param.label}: unknown tool kind(s) {', '.join(bad)} (known: {', '.join(TOOL_KINDS)})" if bad else ""
    if param.type == "control":
        if value not in controls:
            return f"{param.label}: unknown rule {value!r}{suggest(value, controls)}"
        mine = regulators_of(ruleset, action.nation)
        if regulator is not None and controls[value] not in mine:
            return f"{param.label}: rule {value!r} belongs to another regulator ({controls[value]}, not {'/'.join(mine)})"
        return ""
    if param.type == "firm":
        firms = _per_ruleset(ruleset, "firms", _firm_nations)
        if value not in firms:
            return f"{param.label}: unknown firm {value!r}{suggest(value, firms)}"
        return f"{param.label}: {value} is not headquartered in {action.nation}" if firms[value] != action.nation else ""
    if param.type == "site":
        sites = _per_ruleset(ruleset, "site nations", _site_nations)
        if value not in sites:
            return f"{param.label}: unknown site {value!r}{suggest(value, sites)}"
        return f"{param.label}: {value} is not in {action.nation} (it is in {sites[value]})" if sites[value] != action.nation else ""
    if param.type == "shock":
        moves = _per_ruleset(ruleset, "moves", military_moves)
        return f"{param.label}: unknown move {value!r} (known: {', '.join(moves) or 'none'})" if value not in moves else ""
    if param.type == "choice" and value not in param.choices:
        return f"{param.label}: expected one of {', '.join(param.choices)}"
    return ""


_PER_RULESET: dict[tuple[int, str], tuple[Ruleset, Any]] = {}


def _per_ruleset(ruleset: Ruleset, name: str, build: Any) -> Any:
    """A table derived from a (frozen) ruleset, built once: validating an order is done ~25 times a turn."""
    key = (id(ruleset), name)
    hit = _PER_RULESET.get(key)
    if hit is None or hit[0] is not ruleset:  # the ruleset is held, so its id is not reused while cached
        if len(_PER_RULESET) >= 64:
            _PER_RULESET.clear()
        hit = _PER_RULESET[key] = (ruleset, build(ruleset))
    return hit[1]


def _regulators_by_nation(ruleset: Ruleset) -> dict[str, str]:
    found: dict[str, str] = {}
    for reg_id, reg in sorted(ruleset.regulators.items()):
        found.setdefault(reg.nation, reg_id)
    return found


def regulator_of(ruleset: Ruleset, nation: str) -> str | None:
    """The id of a nation's regulator, if it has one (the first by id when it has several: new rules are its)."""
    return _per_ruleset(ruleset, "regulators", _regulators_by_nation).get(nation)


def _all_regulators_by_nation(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for reg_id, reg in sorted(ruleset.regulators.items()):
        found[reg.nation] = (*found.get(reg.nation, ()), reg_id)
    return found


def regulators_of(ruleset: Ruleset, nation: str) -> tuple[str, ...]:
    """Every regulator of a nation, by id: a nation's orders may lift, enact or license the rules of any of them."""
    return _per_ruleset(ruleset, "all regulators", _all_regulators_by_nation).get(nation, ())


def _firm_nations(ruleset: Ruleset) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in (ruleset.foundries, ruleset.toolmakers, ruleset.chip_firms, ruleset.labs):
        for fid, spec in group.items():
            out[fid] = spec.nation
    return out


def firm_ids(ruleset: Ruleset) -> dict[str, str]:
    """Every firm id with its headquarters nation."""
    return dict(_per_ruleset(ruleset, "firms", _firm_nations))


def firm_ids_of(ruleset: Ruleset) -> dict[str, str]:
    """`firm_ids` without the copy (read only): the computer players' orders look their firms up."""
    return _per_ruleset(ruleset, "firms", _firm_nations)


def firm_name(ruleset: Ruleset, fid: str) -> str:
    for group in (ruleset.foundries, ruleset.toolmakers, ruleset.chip_firms, ruleset.labs):
        if fid in group:
            return group[fid].name
    return fid


def _site_foundries(ruleset: Ruleset) -> dict[str, str]:
    return {sid: fid for fid, f in ruleset.foundries.items() for sid in f.sites}


def site_ids(ruleset: Ruleset) -> dict[str, str]:
    """Every fab site id with its owning foundry."""
    return dict(_per_ruleset(ruleset, "sites", _site_foundries))


def _site_nations(ruleset: Ruleset) -> dict[str, str]:
    return {sid: site.nation for f in ruleset.foundries.values() for sid, site in f.sites.items()}


def site_nations(ruleset: Ruleset) -> dict[str, str]:
    """Every fab site id with the nation it stands in (whoever owns it)."""
    return dict(_per_ruleset(ruleset, "site nations", _site_nations))


def military_moves(ruleset: Ruleset) -> list[str]:
    """Shock ids a military move can fire."""
    return sorted(sid for sid, shock in ruleset.shocks.items() if shock.triggered_by_action)


def positions(static: Any, table: str) -> dict[str, int]:
    """Where each name of a static table (e.g. "nations") stands in it, built once a game: the computer
    players' ~1,000 orders a game look up their nation and firm."""
    found = static.cache.get(("position", table))
    if found is None:
        found = static.cache[("position", table)] = {}
        for i, value in enumerate(getattr(static, table)):
            found.setdefault(value, i)  # the first, as list.index
    return found


LIST_TYPES = ("nations", "entities", "tool_kinds")


def _shape_problem(param: ParamSpec, value: Any) -> str:
    """A list parameter takes names (a list or a comma-separated text), any other parameter one name:
    a badly typed value is refused with words, never by a TypeError deeper down."""
    if param.type in LIST_TYPES:
        ok = isinstance(value, str) or (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value))
        return "" if ok else f"{param.label}: expected a list of names, got {value!r}"
    return "" if isinstance(value, str) else f"{param.label}: expected a name, got {value!r}"


def as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", " ").split() if v.strip()]
    return [str(v) for v in value]


def _nearest(bad: list[Any], known: Any) -> str:
    """' — did you mean 'X'?' for one unknown name (several get none: which one it would be for is unclear)."""
    return suggest(bad[0], known) if len(bad) == 1 else ""
