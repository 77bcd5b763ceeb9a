"""Strategies as data: the loader's located errors in the modder's words, and the executor's orders quarter by
quarter (once or every quarter, `when`, `from`/`until`, refusals, the advisor's groups)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from techrace.core import Action, Game
from techrace.core.levers import LEVERS
from techrace.core.strategy import StrategyPlayer, advisor_groups, ruleset_problems, shape_problems
from techrace.ruleset import load_ruleset
from techrace.ruleset.strategies import (
    Strategy,
    StrategyError,
    load_strategies,
    read_strategy,
    shipped_strategies_dir,
)

BASELINE = load_ruleset("baseline")
LOCATED = re.compile(r"^.+\.ya?ml:\d+:\d+: ")
HEAD = "name: test\nnation: {nation}\ndescription: a test\nformat_version: 1\n"


@pytest.fixture(scope="module")
def baseline():
    return BASELINE


def _write(folder: Path, name: str, body: str, nation: str = "US") -> Path:
    path = folder / name
    path.write_text(HEAD.format(nation=nation) + body, encoding="utf-8")
    return path


def _strategy(orders: list[dict], nation: str = "CN", **extra) -> Strategy:
    return Strategy.model_validate({"name": "t", "nation": nation, "description": "d", "format_version": 1,
                                    "orders": orders, **extra})


def _located_problems(tmp_path: Path, body: str, ruleset=None, nation: str = "US") -> list[str]:
    loaded, errors = read_strategy(_write(tmp_path, "s.yaml", body, nation))
    if loaded is None:
        return errors
    problems = shape_problems(loaded.strategy) + (ruleset_problems(loaded.strategy, ruleset) if ruleset else [])
    return [loaded.located(p.path, p.message) for p in problems]


def test_an_unknown_lever_is_located_at_its_line_with_a_suggestion(tmp_path):
    [line] = _located_problems(tmp_path, "orders:\n  - lever: entity_lst\n    params: {entities: [SMIC]}\n")
    assert LOCATED.match(line) and "s.yaml:6:5: " in line
    assert "orders.0.lever: unknown lever 'entity_lst' — did you mean 'entity_list'?" in line


def test_bad_parameters_are_located_at_the_parameter_in_the_levers_words(tmp_path):
    body = ("orders:\n  - lever: subsidy\n    params: {firm: INTEL_FOUNDRY, usd_b: 900}\n"
            "  - lever: pay_policy\n    params: {pay_idx: 1.2}\n"
            "  - lever: visa_policy\n    params: {visa_openness: [0.5]}\n")
    lines = _located_problems(tmp_path, body)
    assert any(":7:" in line and "orders.0.params.usd_b: Amount: must be at most 500" in line for line in lines)
    assert any(":9:" in line and "orders.1.params.pay_idx: pay_policy takes no parameter 'pay_idx' — did you mean "
               "'pay_index'?" in line for line in lines)
    assert any("orders.1.params: pay_policy needs 'pay_index'" in line for line in lines)
    assert any("orders.2.params.visa_openness: Openness: expected a single value, got a list" in line for line in lines)
    assert all(LOCATED.match(line) for line in lines)


def test_what_a_ruleset_lacks_is_told_apart_from_what_is_wrong_everywhere(tmp_path, baseline):
    body = "orders:\n  - lever: lift_control\n    params: {control: no_such_rule}\n"
    assert _located_problems(tmp_path, body) == []  # nothing wrong whatever the ruleset
    [line] = _located_problems(tmp_path, body, baseline)
    assert "orders.0.params.control: Control rule: unknown rule 'no_such_rule'" in line and ":7:" in line
    [military] = _located_problems(tmp_path, "orders:\n  - lever: military\n    params: {shock: taiwan_blockade}\n", baseline)
    assert "the ruleset does not allow US military moves" in military


def test_a_bad_condition_is_located_in_the_modders_words(tmp_path):
    body = ("orders:\n  - lever: visa_policy\n    params: {visa_openness: 0.9}\n"
            "    when: {all: [{metric: capabilty, nation: CN, value: 100}, {metric: gdp_index, nation: CN}]}\n")
    lines = _located_problems(tmp_path, body)
    assert any(":8:" in line and "orders.0.when.all.0.metric:" in line and "did you mean 'capability'?" in line
               for line in lines)
    assert any("orders.0.when.all.1: give exactly one of `value` or `of_nation`" in line for line in lines)


def test_unknown_nations_are_named_with_the_known_ones(tmp_path, baseline):
    [line] = _located_problems(tmp_path, "orders: []\n", baseline, nation="UK")
    assert ":2:" in line and "nation: unknown nation 'UK'" in line and "known: US, CN" in line
    body = "orders:\n  - lever: visa_policy\n    params: {visa_openness: 0.9}\n    when: {all: [{metric: gdp_index, nation: XX, value: 1}]}\n"
    [cond] = _located_problems(tmp_path, body, baseline)
    assert "orders.0.when.all.0.nation: unknown nation 'XX'" in cond


def test_schema_mistakes_and_yaml_mistakes_are_one_located_line_each(tmp_path):
    body = ("orders:\n  - lever: subsidy\n    every: weekly\n    from: 2026Q5\n    until: 2025Q1\n"
            "advisor: [industri]\ncolour: red\n")
    _, errors = read_strategy(_write(tmp_path, "s.yaml", body))
    assert any("orders.0.every: expected one of once, quarter, got 'weekly'" in e for e in errors)
    assert any("orders.0.from: expected a quarter like 2026Q1, got '2026Q5'" in e for e in errors)
    assert any("advisor.0:" in e and "did you mean 'industry'?" in e for e in errors)
    assert any("colour: unknown key 'colour'" in e for e in errors)
    assert all(LOCATED.match(e) and "[layer" not in e for e in errors)
    _, tabs = read_strategy(_write(tmp_path, "t.yaml", "orders:\n\t- lever: subsidy\n"))
    assert len(tabs) == 1 and "t.yaml:6:1:" in tabs[0] and "tab" in tabs[0]
    _, removed = read_strategy(_write(tmp_path, "r.yaml", "orders: !remove\n"))
    assert "orders: `!remove` belongs to ruleset mods" in removed[0]
    bad_format = tmp_path / "v.yaml"
    bad_format.write_text("name: v\nnation: US\ndescription: d\nformat_version: 7\n", encoding="utf-8")
    assert "format_version: this techrace reads strategy format 1, the file says 7" in read_strategy(bad_format)[1][0]


def test_a_probe_has_exactly_one_order_and_names_are_unique_per_nation_in_a_folder(tmp_path):
    mine = tmp_path / "mine"
    (mine / "probes").mkdir(parents=True)
    _write(mine / "probes", "p.yaml", "orders: []\n")
    _write(mine, "a.yaml", "orders: []\n")
    _write(mine, "b.yaml", "orders: []\n")
    with pytest.raises(StrategyError) as caught:
        load_strategies([mine], shipped=False)
    text = str(caught.value)
    assert "p.yaml:5:1: orders: a probe gives exactly one order" in text
    assert "b.yaml:1:1: name: strategy 'test' for US is already defined in" in text and "a.yaml" in text


def test_a_users_file_replaces_the_shipped_one_of_the_same_nation_and_name(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "x.yaml").write_text("name: compute-race\nnation: US\ndescription: mine\nformat_version: 1\n", encoding="utf-8")
    book = load_strategies([mine])
    [race] = [s for s in book.strategies if s.key == ("US", "compute-race")]
    assert race.strategy.description == "mine" and any("replaces" in n and "us-compute-race.yaml" in n for n in book.notes)
    with pytest.raises(StrategyError, match="not a folder of strategy files"):
        load_strategies([tmp_path / "missing"])


def test_every_shipped_strategy_and_probe_loads_and_fits_the_lever_registry(baseline):
    book = load_strategies()
    assert shipped_strategies_dir() is not None
    for nation in ("US", "CN"):
        strategies, probes = book.for_nation(nation)
        assert len(strategies) >= 5 and all(s.strategy.description for s in strategies)
        assert {p.strategy.orders[0].lever for p in probes} >= {"subsidy", "visa_policy", "pay_policy", "centralisation"}
    for loaded in book.strategies + book.probes:
        assert shape_problems(loaded.strategy) == [], loaded.file
    blocked = [p for s in book.strategies + book.probes for p in ruleset_problems(s.strategy, baseline)]
    assert blocked == []


@given(st.text(max_size=200))
def test_the_loader_never_raises_on_any_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_text(text, encoding="utf-8")
    loaded, errors = read_strategy(path)
    assert (loaded is None) == bool(errors)
    assert all(LOCATED.match(e) for e in errors)


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from(["SMIC", "US", "etch", "oct2023_chips", "taiwan_blockade", "", "x"]),
                   st.lists(st.sampled_from(["CN", "US", "SMIC", "etch", "zz"]), max_size=3),
                   st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@given(st.sampled_from(sorted(LEVERS)), st.dictionaries(st.sampled_from(["usd_b", "firm", "share", "entities", "tool_kinds",
       "destinations", "control", "shock", "group", "advisor", "recurring", "tpp", "pay_index", "other"]), VALUES, max_size=4))
def test_any_parameters_get_messages_never_a_crash(lever, params):
    """Whatever a file gives a lever (a mapping, a list, .inf), the checks answer in words and refuse non-finite
    numbers; an order they pass is one the lever registry validates."""
    try:
        strategy = _strategy([{"lever": lever, "params": params}], nation="US")
    except ValidationError as exc:  # the schema refuses numbers beyond +-1e36 (.inf) and .nan: a located line in a file
        assert "number too large" in str(exc) or "finite_number" in str(exc)
        return
    problems = shape_problems(strategy)
    if not problems:
        problems = ruleset_problems(strategy, BASELINE)
    assert all(p.message for p in problems)
    if any(isinstance(v, float) and v != v for v in params.values()):
        assert problems  # NaN is never a value


# ------------------------------------------------------------------ the executor


def _play(game: Game, player: StrategyPlayer, turns: int) -> list[list[Action]]:
    given_orders = []
    for _ in range(turns):
        orders = player.orders(game)
        given_orders.append(orders)
        game.step(orders)
    return given_orders


def _kinds(orders: list[Action]) -> list[str]:
    return [a.kind for a in orders if a.kind != "advisor"]


def test_once_is_given_once_and_quarter_every_quarter_inside_from_until(baseline):
    strategy = _strategy([
        {"lever": "visa_policy", "params": {"visa_openness": 0.6}},
        {"lever": "power_buildout", "params": {"extra_gw": 0.1}, "every": "quarter", "from": "2025Q2", "until": "2025Q3"},
        {"lever": "pay_policy", "params": {"pay_index": 0.55}, "from": "2025Q3"},
    ])
    game = Game.from_ruleset(baseline, seed=3, player="CN")
    turns = _play(game, StrategyPlayer(strategy), 5)
    assert [_kinds(t) for t in turns] == [["visa_policy"], ["power_buildout"], ["power_buildout", "pay_policy"], [], []]
    assert game.action_log[0][: len(turns[0])] == turns[0]  # what the executor returns is what the game logged


def test_when_waits_for_its_condition_on_last_quarters_metrics(baseline):
    never = {"all": [{"metric": "gdp_index", "nation": "CN", "op": "gt", "value": 1000}]}
    always = {"all": [{"metric": "capability", "nation": "US", "op": "gt", "of_nation": "CN", "ratio": 0.5}]}
    strategy = _strategy([{"lever": "visa_policy", "params": {"visa_openness": 0.6}, "when": never},
                          {"lever": "power_buildout", "params": {"extra_gw": 0.1}, "every": "quarter", "when": always}])
    turns = _play(Game.from_ruleset(baseline, seed=3, player="CN"), StrategyPlayer(strategy), 3)
    assert [_kinds(t) for t in turns] == [["power_buildout"]] * 3
    later = {"from": "2025Q3", "all": [{"metric": "gdp_index", "nation": "CN", "op": "gt", "value": 50}]}
    strategy = _strategy([{"lever": "visa_policy", "params": {"visa_openness": 0.6}, "when": later}])
    turns = _play(Game.from_ruleset(baseline, seed=3, player="CN"), StrategyPlayer(strategy), 4)
    assert [_kinds(t) for t in turns] == [[], [], ["visa_policy"], []]


def test_refused_orders_are_skipped_with_the_reason_and_a_once_order_is_tried_again(baseline):
    strategy = _strategy([{"lever": "subsidy", "params": {"firm": "SMIC", "usd_b": 400}},
                          {"lever": "lift_control", "params": {"control": "no_such_rule"}}])
    player = StrategyPlayer(strategy)
    turns = _play(Game.from_ruleset(baseline, seed=3, player="CN"), player, 2)
    assert [_kinds(t) for t in turns] == [[], []]
    assert [(r.turn, r.order) for r in player.refusals] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    assert "costs $400.00 bn but $" in player.refusals[0].reason and "is left this quarter" in player.refusals[0].reason
    assert "unknown rule 'no_such_rule'" in player.refusals[1].reason
    assert player.given == []


def test_the_advisor_keeps_exactly_its_groups_and_gets_them_back_after_an_order(baseline):
    strategy = _strategy([{"lever": "centralisation", "params": {"share": 0.5}}])
    assert advisor_groups(strategy) == ("industry", "talent", "power", "controls", "military")
    game = Game.from_ruleset(baseline, seed=3, player="CN")
    first = StrategyPlayer(strategy).orders(game)
    assert first[0] == Action("advisor", "CN", {"group": "compute", "advisor": False})
    game.step(first)
    cn = game.nations.index("CN")
    assert list(game.model.state.delegated[cn]) == [1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    kept = _strategy([{"lever": "centralisation", "params": {"share": 0.5}}], advisor="all")
    game = Game.from_ruleset(baseline, seed=3, player="CN")
    orders = StrategyPlayer(kept).orders(game)
    assert orders == [Action("centralisation", "CN", {"share": 0.5}),
                      Action("advisor", "CN", {"group": "compute", "advisor": True})]
    game.step(orders)
    assert game.model.state.delegated[cn].min() == 1.0
    nothing = _strategy([], advisor=[])
    assert len(StrategyPlayer(nothing).orders(Game.from_ruleset(baseline, seed=3, player="CN"))) == 6


def test_the_executor_is_deterministic_and_refuses_another_nations_game(baseline):
    strategy = load_strategies().for_nation("CN")[0][0].strategy
    logs = []
    for _ in range(2):
        game = Game.from_ruleset(baseline, seed=11, player="CN")
        _play(game, StrategyPlayer(strategy), 4)
        logs.append((game.action_log, game.metric_rows))
    assert logs[0] == logs[1]
    with pytest.raises(Exception, match="plays CN, but the game's player is US"):
        StrategyPlayer(strategy).orders(Game.from_ruleset(baseline, seed=1, player="US"))
