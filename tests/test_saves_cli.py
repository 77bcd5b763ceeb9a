"""`techrace saves list` and `techrace replay` as a user runs them: tables, one-line errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from techrace.launcher import main
from techrace.saves import container
from techrace.saves.atomic import atomic_write_bytes

ROOT = Path(__file__).resolve().parents[1]


def document(turn: int, seed: int, player: str | None) -> dict[str, Any]:
    snapshot = {
        "format": 1, "ruleset": {"name": "baseline"}, "ruleset_hash": "ef" * 32, "seed": seed, "player": player,
        "turn": turn, "state": {}, "axes": {}, "labels": {}, "rng": {}, "history": {}, "action_log": [[]] * turn,
    }
    return container.build_document(snapshot, "2026Q1")


@pytest.fixture()
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "saves"
    atomic_write_bytes(directory / "my-game.json.gz", container.encode(document(4, 7, "CN")))
    atomic_write_bytes(directory / "autosave" / "auto.json.gz", container.encode(document(2, 3, None)))
    data = container.encode(document(4, 7, "CN"))
    (directory / "cut.json.gz").write_bytes(data[: len(data) // 3])
    return directory


def test_saves_list_prints_a_table_of_every_save(saves: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["saves", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "RULESET", "NATION", "SEED", "PLAYED", "NEXT", "QUARTER", "SAVED", "(UTC)", "SIZE"]
    rows = {line.split()[0]: line.split() for line in lines[1:4]}
    assert rows["my-game"][1:6] == ["baseline", "CN", "7", "4", "2026Q1"]
    assert rows["autosave/auto"][1:6] == ["baseline", "observer", "3", "2", "2026Q1"]
    assert rows["cut"][1:6] == ["-", "-", "-", "-", "-"]
    assert any(line.startswith("damaged: cut: save is truncated") for line in lines)


def test_saves_list_and_saves_show_agree_on_turns_played_and_the_next_quarter(
        saves: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["saves", "list"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    played, nxt = header.index("PLAYED"), header.index("NEXT QUARTER")
    row = next(line for line in lines if line.startswith("my-game"))
    assert (row[played:played + 6].strip(), row[nxt:nxt + 12].strip()) == ("4", "2026Q1")
    assert main(["saves", "show", "my-game"]) == 0
    shown = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert shown["turn"].startswith("4 played, next quarter 2026Q1")


def test_saves_list_on_an_empty_directory_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["saves", "list", "--dir", str(tmp_path / "empty")]) == 0
    assert capsys.readouterr().out.startswith("no saves in")


@pytest.mark.parametrize(("save", "problem"), [
    ("cut", "cut: save is truncated"),
    ("nothere", "no save 'nothere'"),
    ("../escape", "save path '../escape' does not end in .json.gz"),
    ("../escape.json.gz", "no save file"),
])
def test_replay_of_a_bad_save_is_one_line_and_exit_2(saves: Path, capsys: pytest.CaptureFixture[str],
                                                     save: str, problem: str) -> None:
    assert main(["replay", save, "--verify"]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1 and "Traceback" not in err


def test_saves_show_prints_the_header_of_a_valid_save(saves: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["saves", "show", "my-game"]) == 0
    out = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert out["nation"] == "CN" and out["seed"] == "7" and out["turn"].startswith("4 played, next quarter 2026Q1")
    assert out["checksum"].startswith("OK sha256:")


@pytest.mark.parametrize(("name", "problem"), [
    ("../saves/my-game", "does not end in .json.gz"),
    ("saves/../../my-game", "may not contain '..'"),
    ("/etc/passwd", "does not end in .json.gz"),
    ("cut", "truncated"),
])
def test_saves_show_refuses_names_outside_saves_and_damaged_files(
        saves: Path, capsys: pytest.CaptureFixture[str], name: str, problem: str) -> None:
    assert main(["saves", "show", name]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1


def test_saves_show_accepts_a_path_that_ends_in_json_gz(saves: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["saves", "show", str(saves / "my-game.json.gz")]) == 0
    assert "checksum  OK sha256:" in capsys.readouterr().out


def test_a_real_process_reports_a_damaged_save_without_a_traceback(saves: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "techrace", "replay", "cut", "--verify"], cwd=saves.parent,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("techrace: error: cut: save is truncated") and "Traceback" not in done.stderr
