"""Issue 12, item 2 and 9: one rule for save names and paths, checked before the game is played.

A name lives in saves/; a path is used only when it clearly names a save (it ends in .json.gz); a
file that is not a save (a user's notes, a FIFO, a device, a directory) is never overwritten; a name
too long for the file system is refused before playing, not after.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from techrace.launcher import main
from techrace.saves import SaveError, locate_save, save_name_problem

ROOT = Path(__file__).resolve().parents[1]


def techrace(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m techrace ARGS` as a user runs it, in `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "techrace", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def one_line_error(done: subprocess.CompletedProcess[str], needle: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("techrace: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert needle in done.stderr and "Traceback" not in done.stderr


def test_a_file_that_is_not_a_save_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "precious.md").write_text("precious\n")
    (tmp_path / "notes.json.gz").write_bytes(gzip.compress(b"my notes, not a save"))
    done = techrace("run", "--turns", "1", "--quiet", "--save", "precious.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "saves" / "precious.md.json.gz").is_file()  # a bare value is a name in saves/
    one_line_error(techrace("run", "--turns", "1", "--save", "./precious.md", cwd=tmp_path), "does not end in .json.gz")
    one_line_error(techrace("run", "--turns", "1", "--save", "./notes.json.gz", cwd=tmp_path),
                   "will not overwrite")
    assert (tmp_path / "precious.md").read_text() == "precious\n"
    assert gzip.decompress((tmp_path / "notes.json.gz").read_bytes()) == b"my notes, not a save"


def test_names_stay_in_saves_and_only_clear_save_paths_go_elsewhere(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["run", "--turns", "0", "--quiet", "--save", "newsub/game"]) == 0
    assert (work / "saves" / "newsub" / "game.json.gz").is_file()
    assert main(["run", "--turns", "0", "--quiet", "--save", "../x"]) == 2
    assert main(["run", "--turns", "0", "--quiet", "--save", "../kept.json.gz"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json.gz", "work"]  # no ../x.json.gz
    assert main(["run", "--load", "../kept.json.gz", "--turns", "0", "--quiet"]) == 0


def test_a_save_name_over_255_bytes_is_refused_before_the_game_is_played(tmp_path: Path) -> None:
    done = techrace("run", "--turns", "44", "--out", "metrics.csv", "--save", "a" * 300, cwd=tmp_path)
    one_line_error(done, "too long: the file name would be 308 bytes, at most 255")
    assert done.stdout == "" and sorted(p.name for p in tmp_path.iterdir()) == []  # nothing played or written


@pytest.mark.parametrize("name", ["é" * 125, "x" * 250, "sub/" + "y" * 250, "/tmp/" + "z" * 250 + ".json.gz"])
def test_long_names_count_bytes_of_the_file_name_with_its_extension(tmp_path: Path, name: str) -> None:
    with pytest.raises(SaveError, match="too long"):
        locate_save(name, tmp_path)
    assert locate_save("é" * 123, tmp_path).name == "é" * 123 + ".json.gz"  # 246 + 8 bytes: allowed


def test_a_fifo_a_device_or_a_directory_is_never_a_save_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    saves = tmp_path / "saves"
    (saves / "folder.json.gz").mkdir(parents=True)
    os.mkfifo(saves / "pipe.json.gz")
    (tmp_path / "null.json.gz").symlink_to(os.devnull)
    cases = {"pipe": "it is a FIFO", "folder": "it is a directory", "./null.json.gz": "it is a device"}
    for target, problem in cases.items():
        assert main(["run", "--turns", "44", "--out", "m.csv", "--save", target]) == 2
        err = capsys.readouterr().err
        assert problem in err and err.count("\n") == 1
    assert not (tmp_path / "m.csv").exists()  # refused before playing
    assert Path(os.devnull).is_char_device()


@pytest.mark.parametrize(("value", "problem"), [
    ("../x", "does not end in .json.gz"),
    ("/etc/passwd", "does not end in .json.gz"),
    ("a/../../b", "may not contain '..'"),
    (".hidden", "may not start a part with '.'"),
])
def test_one_rule_for_run_replay_and_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], value: str, problem: str) -> None:
    monkeypatch.chdir(tmp_path)
    commands = [["run", "--save", value], ["run", "--load", value], ["replay", value], ["saves", "show", value]]
    for argv in commands:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert problem in err and err.count("\n") == 1, (argv, err)


def test_the_dialog_helper_says_why_a_name_cannot_be_used(tmp_path: Path) -> None:
    (tmp_path / "notes.json.gz").write_text("plain text")
    assert save_name_problem("campaign", tmp_path) is None
    assert save_name_problem("autosave/t3", tmp_path) is None
    assert save_name_problem(str(tmp_path / "elsewhere.json.gz"), tmp_path) is None
    assert "does not end in .json.gz" in (save_name_problem("../x", tmp_path) or "")
    assert "cannot be empty" in (save_name_problem("  ", tmp_path) or "")
    assert "will not overwrite" in (save_name_problem("notes", tmp_path) or "")
    assert save_name_problem("notes", tmp_path, for_writing=False) is None  # loading it says what is wrong
