"""The terminal UI's plain parts: number formatting, option checks, save names, the commands' arguments."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techrace.errors import TechraceError
from techrace.tui import commands
from techrace.tui.options import GameOptions, check_options, random_seed
from techrace.tui.saving import save_name_problem
from techrace.tui.widgets.format import BARS, cell, heading, node, number, sparkline


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="techrace")
    commands.register(root.add_subparsers(dest="command"))
    return root


def test_play_and_observe_arguments_parse() -> None:
    args = parser().parse_args(["play", "--ruleset", "baseline", "--nation", "CN", "--seed", "7"])
    assert (args.ruleset, args.nation, args.seed, args.load) == ("baseline", "CN", 7, None)
    args = parser().parse_args(["observe", "--seed", "3"])
    assert (args.ruleset, args.seed) == ("baseline", 3)


@pytest.mark.parametrize("seed", ["-1", "abc", "1.5"])
def test_bad_seed_is_an_argument_error(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["play", "--seed", seed])
    assert "seed" in capsys.readouterr().err


def test_only_a_complete_choice_skips_the_new_game_screen() -> None:
    assert GameOptions("play", "baseline", "CN", 7).starts_at_once
    assert not GameOptions("play", "baseline", None, 7).starts_at_once
    assert not GameOptions("play", "baseline", "CN", None).starts_at_once
    assert GameOptions("play", load="mygame").starts_at_once
    assert GameOptions("observe").starts_at_once


def test_unknown_ruleset_or_nation_fails_before_the_ui() -> None:
    with pytest.raises(TechraceError, match="unknown ruleset"):
        check_options(GameOptions("play", ruleset="no-such-ruleset"))
    with pytest.raises(TechraceError, match="unknown nation 'XX'.*known: US, CN"):
        check_options(GameOptions("play", ruleset="baseline", nation="XX"))
    check_options(GameOptions("play", ruleset="baseline", nation="CN"))


def test_random_seeds_are_in_range_and_vary() -> None:
    seeds = {random_seed() for _ in range(20)}
    assert len(seeds) > 1 and all(0 <= s < 2**31 for s in seeds)


@pytest.mark.parametrize("name", ["", "../escape", "a/b", "..", ".hidden", "x" * 65, "bad name", "a\\b"])
def test_save_names_that_could_escape_or_confuse_are_refused(name: str) -> None:
    assert save_name_problem(name)


@pytest.mark.parametrize("name", ["china-2027", "CN_2025Q4", "game.1"])
def test_ordinary_save_names_are_accepted(name: str) -> None:
    assert save_name_problem(name) is None


@given(st.text(max_size=80))
def test_an_accepted_save_name_never_leaves_the_folder(name: str) -> None:
    if save_name_problem(name) is None:
        assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")


def test_numbers_are_short_and_readable() -> None:
    assert number(1_234_567) == "1.23M"
    assert number(45_600) == "45.6k"
    assert number(0.1234) == "0.12"
    assert number(2.5e28) == "2.50e+28"
    assert number(None) == "–" and number(float("nan")) == "–"
    assert node(3) == "3 nm" and node(0) == "–" and node(None) == "–"


def test_cells_and_headings_from_any_view_value() -> None:
    assert cell({"N5": 1000.0, "N7": 2500}) == "N5 1k, N7 2.5k"
    assert cell(["CN", "RU"]) == "CN, RU"
    assert cell(True) == "yes"
    assert heading("best_node_nm") == "Best node nm"


@given(st.lists(st.floats(min_value=-1e9, max_value=1e9), min_size=1, max_size=40))
def test_sparkline_has_one_bar_per_value_up_to_its_width(values: list[float]) -> None:
    line = sparkline(values, width=12)
    assert len(line) == min(len(values), 12)
    assert set(line) <= set(BARS)


def test_sparkline_rises_with_the_data() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == BARS
