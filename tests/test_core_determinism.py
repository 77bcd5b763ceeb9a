"""Same ruleset + seed + actions => identical outputs; different seeds => different ones."""

from __future__ import annotations

from pathlib import Path

from core_helpers import baseline, play

from techrace.cli.run_cmd import write_csv
from techrace.core import Action, Game
from techrace.launcher import main


def test_same_seed_same_rows_and_events() -> None:
    a, b = play(seed=5, turns=12), play(seed=5, turns=12)
    assert a.metric_rows == b.metric_rows
    assert [e.to_dict() for e in a.events] == [e.to_dict() for e in b.events]


def test_different_seeds_differ() -> None:
    assert play(seed=1, turns=12).metric_rows != play(seed=2, turns=12).metric_rows


def test_same_actions_same_future() -> None:
    def game_with_actions() -> Game:
        game = Game.from_ruleset(baseline(), seed=3, player="US")
        game.step([Action("entity_list", "US", {"entities": ["SMIC"]})])
        game.step([Action("power_buildout", "US", {"extra_gw": 1.0})])
        game.run(4)
        return game

    assert game_with_actions().metric_rows == game_with_actions().metric_rows


def test_run_out_file_is_byte_identical(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        assert main(["run", "--seed", "9", "--turns", "10", "--quiet", "--out", str(tmp_path / name)]) == 0
    assert main(["run", "--seed", "10", "--turns", "10", "--quiet", "--out", str(tmp_path / "c.csv")]) == 0
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.csv", "b.csv", "c.csv"))
    assert a == b
    assert a != c
    header = a.decode().splitlines()[0].split(",")
    assert header[:4] == ["seed", "turn", "quarter", "nation"]
    assert len(a.decode().splitlines()) == 1 + 10 * 7


def test_write_csv_leaves_no_temporary_files(tmp_path: Path) -> None:
    game = play(turns=2)
    write_csv(tmp_path / "m.csv", game.metric_rows)
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]
