"""Levers of a nation's government: subsidies, visas, pay, power, compute centralisation, military moves,
and handing lever groups to the advisor. Standing levers hold until changed (see mechanisms/standing.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from techrace.core.events import Event
from techrace.core.levers.base import (
    Lever,
    ParamSpec,
    firm_ids_of,
    firm_name,
    positions,
    site_ids,
    site_nations,
)
from techrace.core.mechanisms.standing import centralisation_cost, pay_cost, pay_subsidy, subsidy_columns
from techrace.ruleset.schema import LEVER_GROUPS

if TYPE_CHECKING:
    from techrace.core.actions import Action
    from techrace.core.model import WorldModel

RECURRING = ParamSpec("recurring", "flag", "Every quarter", "Pay it again every quarter until changed (0 stops it)",
                      default=False, required=False)


def _policy_event(model: WorldModel, action: Action, text: str) -> list[Event]:
    return [Event(model.state.turn, model.quarter, "policy", text, "a policy decision", (action.nation,))]


class Subsidy(Lever):
    kind, label, group = "subsidy", "Subsidy", "industry"
    description = "Pay part of your industrial budget to a domestic firm: a foundry's capacity and R&D, a toolmaker's lines and development, a chip firm's output or a lab's accelerator purchases."
    effect = "A one-off payment this quarter (or every quarter, if recurring): foundries build and research faster, toolmakers grow lines, chip firms make more, labs buy more accelerators."
    params = (ParamSpec("firm", "firm", "Firm", "A firm headquartered in your nation"),
              ParamSpec("usd_b", "float", "Amount", "USD bn paid this quarter", 0, 500, 1.0, unit="$%s bn"),
              RECURRING)

    def cost(self, model: WorldModel, action: Action) -> float:
        return float(action.params["usd_b"])

    def recurring(self, model: WorldModel, action: Action) -> float:
        return float(action.params["usd_b"]) if action.params.get("recurring") else 0.0

    def replaced(self, model: WorldModel, action: Action) -> float:
        if not action.params.get("recurring"):
            return 0.0
        n, employer = positions(model.static, "nations")[action.nation], positions(model.static, "employers")[action.params["firm"]]
        return float(model.state.subsidy_programme[n, employer])

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        static, s = model.static, model.state
        n, employer = positions(static, "nations")[action.nation], positions(static, "employers")[action.params["firm"]]
        amount = float(action.params["usd_b"])
        if action.params.get("recurring"):
            s.subsidy_programme[n, employer] = amount
        s.budget[n] -= amount
        pay_subsidy(static, s, employer, amount)
        return []

    def words(self, action: Action, ruleset=None) -> str:
        firm = firm_name(ruleset, action.params.get("firm", "")) if ruleset is not None else action.params.get("firm", "")
        every = " every quarter" if action.params.get("recurring") else ""
        return f"Subsidy: ${float(action.params.get('usd_b', 0)):.1f} bn to {firm}{every}"


class SubsidyLedger:
    """The computer players' plain subsidies (a home firm, an amount: ~1,000 orders a game) checked and held,
    then paid together by `book`, the same numbers as `Subsidy` checking, costing and applying them one by one.

    `holds` gives `Lever.accepts`' verdict and the budget check on its own copy of the budgets, and adds
    the payment to its own copies (plain lists) of the arrays it goes into, in the order held (the same
    float additions as `pay_subsidy`, one after another); `book` writes budgets and arrays back. Book before
    anything else reads the state (another order, the next policy group), and the state is then what it
    would have been."""

    def __init__(self, model: WorldModel):
        self.model = model
        self.firm_nation = firm_ids_of(model.static.ruleset)
        self.paid_into = subsidy_columns(model.static)
        low, high = Subsidy.params[1].minimum, Subsidy.params[1].maximum
        self.bounds = (float(low), float(high))
        self.budget: dict[int, float] = {}
        self.columns: dict[str, list[float]] = {}

    def holds(self, n: int, action: Action) -> bool | None:
        """True: accepted and held; False: refused (a foreign or unknown firm, an amount out of bounds, over
        budget); None: not a plain subsidy, for the general path."""
        params = action.params
        if action.kind != "subsidy" or len(params) != 2:
            return None
        try:  # ~1,000 calls a game: item reads, not `get`
            firm, usd_b = params["firm"], params["usd_b"]
        except KeyError:
            return None
        if type(firm) is not str or type(usd_b) is not float:
            return None
        return self.hold(n, action.nation, firm, usd_b)

    def hold(self, n: int, nation: str, firm: str, usd_b: float) -> bool:
        """`holds` for a plain subsidy already taken apart: nation `nation` (at `n`) pays `usd_b` to `firm`."""
        low, high = self.bounds
        if not (firm and low <= usd_b <= high and self.firm_nation.get(firm) == nation):
            return False
        budgets = self.budget
        budget = budgets[n] if n in budgets else float(self.model.state.budget[n])
        if usd_b > budget + 1e-9:
            return False
        budgets[n] = budget - usd_b
        columns = self.columns
        for name, i in self.paid_into[firm]:
            if name not in columns:
                columns[name] = getattr(self.model.state, name).tolist()
            columns[name][i] += usd_b
        return True

    def hold_plain(self, orders: Iterable[Action | tuple[str, str, float]],
                   allowed: Callable[[int], bool] | None = None) -> Iterator[Action]:
        """Hold each plain subsidy among `orders` (a `(nation, firm, usd_b)` tuple of `nation_orders`) as `hold`
        does, in order, and yield the other orders: one policy call's orders in one pass instead of a call per
        subsidy (the caller books before it applies a yielded order). `allowed(n)`: whether the computer
        decides nation n's subsidies (None: every nation's)."""
        nation_at, state = positions(self.model.static, "nations"), self.model.state
        (low, high), firm_nation, paid_into = self.bounds, self.firm_nation, self.paid_into
        for order in orders:
            if type(order) is not tuple:
                yield order
                continue
            nation, firm, usd_b = order
            n = nation_at[nation]
            if allowed is not None and not allowed(n):
                continue
            if not (firm and low <= usd_b <= high and firm_nation.get(firm) == nation):
                continue
            budgets = self.budget  # (a yielded order may have booked: new dicts)
            budget = budgets[n] if n in budgets else float(state.budget[n])
            if usd_b > budget + 1e-9:
                continue
            budgets[n] = budget - usd_b
            columns = self.columns
            for name, i in paid_into[firm]:
                if name not in columns:
                    columns[name] = getattr(state, name).tolist()
                columns[name][i] += usd_b

    def book(self) -> None:
        """Write the budgets and the arrays paid into back."""
        if not self.budget:  # nothing held since the last book
            return
        s = self.model.state
        for n, budget in self.budget.items():
            s.budget[n] = budget
        for name, column in self.columns.items():
            getattr(s, name)[:] = column
        self.budget, self.columns = {}, {}


class FabGrant(Lever):
    kind, label, group = "fab_grant", "Fab grant", "industry"
    description = ("Pay any foundry, your own or a foreign one, to build its next fabs at one of its sites on your soil "
                   "(a CHIPS-Act-style grant): new fabs otherwise go to its largest site on the node.")
    effect = ("The grant joins the foundry's cash now; the advanced fabs (7 nm and below in baseline) it starts after that on "
              "nodes it already makes go to that site until fabs worth the grant / `levers.grant_share_of_capex` (10x in "
              "baseline) are placed there. It adds no demand: the foundry builds only what its forecast asks for, and a "
              "node's first fab stays at home.")
    params = (ParamSpec("site", "site", "Site", "A fab site in your nation (whoever owns it)"),
              ParamSpec("usd_b", "float", "Amount", "USD bn paid this quarter", 0, 500, 1.0, unit="$%s bn"))

    def check(self, ruleset, action: Action) -> list[str]:
        owner = site_ids(ruleset).get(action.params.get("site", ""))
        if owner is not None and ruleset.foundries[owner].kind == "memory":
            return [f"Site: {action.params['site']} makes HBM for {firm_name(ruleset, owner)}; a fab grant builds logic fabs"]
        return []

    def refusals(self, model: WorldModel, action: Action, queued: Sequence[Action] = ()) -> list[str]:
        """A foreign foundry will not take a grant for a site its tools may not reach: an export rule in force
        bars tools or their servicing to fabs in the site's nation (it would build fabs it cannot equip)."""
        from techrace.core.levers.controls import rule_name, status_this_quarter
        from techrace.core.policies.fab_grants import barring_rules

        ruleset, site = model.static.ruleset, action.params.get("site")
        owner = site_ids(ruleset).get(site)
        if owner is None or firm_ids_of(ruleset).get(owner) == action.nation:
            return []  # a home foundry builds at home whatever others bar
        where = site_nations(ruleset)[site]
        barring = barring_rules(model.state.controls, lambda rid: status_this_quarter(model, rid), where)
        return [f"{firm_name(ruleset, owner)} will not build advanced fabs at {site}: {rule_name(model, barring[0])} "
                f"bars tools to fabs in {where}"] if barring else []

    def cost(self, model: WorldModel, action: Action) -> float:
        return float(action.params["usd_b"])

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        static, s = model.static, model.state
        n, site = positions(static, "nations")[action.nation], positions(static, "sites")[action.params["site"]]
        amount = float(action.params["usd_b"])
        foundry = int(static.site_foundry[site])
        s.budget[n] -= amount
        s.cash[foundry] += amount
        owed = amount / static.ruleset.levers.grant_share_of_capex
        s.site_grant[site] += owed
        return _policy_event(model, action, f"{action.nation} grants {firm_name(static.ruleset, static.foundries[foundry])} "
                             f"${amount:.1f} bn: its next ${owed:.0f} bn of fabs go to {action.params['site']}")

    def words(self, action: Action, ruleset=None) -> str:
        site = str(action.params.get("site", ""))
        owner = site_ids(ruleset).get(site) if ruleset is not None else None
        to = f"{firm_name(ruleset, owner)} for {site}" if owner else site
        return f"Fab grant: ${float(action.params.get('usd_b', 0) or 0):.1f} bn to {to}"


class VisaPolicy(Lever):
    kind, label, group, standing = "visa_policy", "Visa policy", "talent", True
    description = "Set how readily foreign engineers get visas."
    effect = ("Engineers elsewhere move to your pools faster where your pay is higher, and more of your diaspora abroad comes home; "
              "AI researchers who move bring their labs' know-how.")
    params = (ParamSpec("visa_openness", "share", "Openness", "0 closed, 1 open", 0, 1, 0.5),)

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        n = model.static.nations.index(action.nation)
        model.state.visa[n] = float(action.params["visa_openness"])
        return _policy_event(model, action, f"{action.nation} sets visa openness to {model.state.visa[n]:.2f}")


class PayPolicy(Lever):
    kind, label, group, standing = "pay_policy", "Pay policy", "talent", True
    description = "Set domestic engineering pay relative to the US; pay above your ruleset's level costs budget every quarter."
    effect = "Higher pay draws engineers from lower-paying nations where visas let them in, and keeps yours at home; it is paid every quarter from the next."
    params = (ParamSpec("pay_index", "float", "Pay index", "1.0 = US level", 0.1, 5, 1.0),)

    def recurring(self, model: WorldModel, action: Action) -> float:
        n = model.static.nations.index(action.nation)
        return pay_cost(model.static, n, float(action.params["pay_index"]))

    def replaced(self, model: WorldModel, action: Action) -> float:
        n = model.static.nations.index(action.nation)
        return pay_cost(model.static, n, float(model.state.pay[n]))

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        n = model.static.nations.index(action.nation)
        model.state.pay[n] = float(action.params["pay_index"])
        return _policy_event(model, action, f"{action.nation} sets engineering pay to {model.state.pay[n]:.2f}x the US level")


class PowerBuildout(Lever):
    kind, label, group = "power_buildout", "Power build-out", "power"
    description = "Add AI datacenter power above the default build-out: now, or every quarter if recurring."
    effect = "More power lets your labs run and add accelerators where power is what limits them."
    params = (ParamSpec("extra_gw", "float", "Extra power", "Gigawatts added this quarter", 0, 50, 1.0, unit="%s GW"),
              RECURRING)

    def cost(self, model: WorldModel, action: Action) -> float:
        n = model.static.nations.index(action.nation)
        return float(action.params["extra_gw"]) * float(model.static.nation_params.power_cost[n])

    def recurring(self, model: WorldModel, action: Action) -> float:
        return self.cost(model, action) if action.params.get("recurring") else 0.0

    def replaced(self, model: WorldModel, action: Action) -> float:
        n = model.static.nations.index(action.nation)
        programme = float(model.state.power_programme[n]) * float(model.static.nation_params.power_cost[n])
        return programme if action.params.get("recurring") else 0.0

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        s, n = model.state, model.static.nations.index(action.nation)
        gw = float(action.params["extra_gw"])
        if action.params.get("recurring"):
            s.power_programme[n] = gw
        s.budget[n] -= self.cost(model, action)
        s.power_gw[n] += gw
        every = " now and every quarter until changed" if action.params.get("recurring") else ""
        return _policy_event(model, action, f"{action.nation} adds {gw:.1f} GW of AI datacenter power{every}")


class Centralisation(Lever):
    kind, label, group, standing = "centralisation", "Compute centralisation", "compute", True
    description = "Set the share of national AI compute to pool into one training run; pooling is built up over quarters and costs budget every quarter."
    effect = ("The nation's largest run grows towards this share of its usable compute, a few points a quarter and no faster than "
              "national sites are built for it (a few hundred MW a quarter), paid every quarter from the next; "
              "its labs give that share of their training compute to the national run and serve its model; lowering it is immediate and free.")
    params = (ParamSpec("share", "share", "Share", "0 to 1", 0, 1, 0.3),)

    def recurring(self, model: WorldModel, action: Action) -> float:
        static, s = model.static, model.state
        n = static.nations.index(action.nation)
        share = s.centralisation.copy()
        share[n] = float(action.params["share"])
        return float(centralisation_cost(static, s, share)[n])

    def replaced(self, model: WorldModel, action: Action) -> float:
        n = model.static.nations.index(action.nation)
        return float(centralisation_cost(model.static, model.state, model.state.centralisation)[n])

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        s, n = model.state, model.static.nations.index(action.nation)
        before = s.centralisation_target[n]
        s.centralisation_target[n] = float(action.params["share"])
        if s.centralisation_target[n] < s.centralisation[n]:
            s.centralisation[n] = s.centralisation_target[n]
        if abs(before - s.centralisation_target[n]) < 1e-9:
            return []
        why = "it trails its rival" if model.is_ai(n) else "a policy decision"
        return [Event(s.turn, model.quarter, "policy", f"{action.nation} aims to pool {s.centralisation_target[n]:.0%} of its AI compute for national runs",
                      why, (action.nation,))]


class Military(Lever):
    kind, label, group = "military", "Military move", "military"
    description = "Order a military move the ruleset prepares, e.g. a blockade or an invasion (only where the ruleset allows your nation military moves)."
    effect = "The move fires this quarter with the effects the ruleset gives it (fabs offline, exports halted, GDP losses)."
    params = (ParamSpec("shock", "shock", "Move", "A shock the ruleset marks as triggered by a military move"),)

    def check(self, ruleset, action: Action) -> list[str]:
        if not ruleset.nations[action.nation].military_moves:
            return [f"the ruleset does not allow {action.nation} military moves"]
        return []

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        return []  # fired in the shock phase of the same turn


class Advisor(Lever):
    kind, label, group, standing = "advisor", "Advisor", "industry", True
    description = "Hand a group of levers to your advisor (your nation's computer policy) or take it back."
    effect = "While a group is with the advisor, it decides those levers every quarter as a computer player would; your own order in the group takes it back."
    params = (ParamSpec("group", "choice", "Lever group", "Which levers", choices=LEVER_GROUPS),
              ParamSpec("advisor", "flag", "Advisor decides", "Yes: the advisor decides; no: you do", default=True))

    def apply(self, model: WorldModel, action: Action) -> list[Event]:
        s, n = model.state, model.static.nations.index(action.nation)
        g = LEVER_GROUPS.index(action.params["group"])
        s.delegated[n, g] = 1.0 if action.params["advisor"] else 0.0
        who = "hands" if action.params["advisor"] else "takes back"
        text = f"{action.nation} {who} {action.params['group']} {'to' if action.params['advisor'] else 'from'} the advisor"
        return _policy_event(model, action, text)

