"""Issue 12, items 8 and 9: what `run`, `saves` and `replay` print, and how they fail on a bad disk.

User-supplied text (ruleset names, save headers, file names, field names) reaches the terminal only
through `printable`; a non-UTF-8 terminal gets `?` rather than a traceback; every OSError (a full
disk, a device, a missing folder) is one line with exit code 2 and leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from techrace.launcher import main, user_error_message
from techrace.saves import container, save_game

ROOT = Path(__file__).resolve().parents[1]
EVIL = "evil\x1b]0;PWNED\x07\x1b[2J"


def techrace(*args: str, cwd: Path, stdout: Any = subprocess.PIPE, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "techrace", *args], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, text=True, timeout=180)


def assert_no_raw_controls(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text, text


@functools.cache
def game_save() -> bytes:
    """A 1-turn observer save of a real game."""
    import tempfile

    from techrace.core import Game

    game = Game.from_ruleset("baseline", seed=4)
    game.step([])
    with tempfile.TemporaryDirectory() as tmp:
        return save_game(game, "g", saves_dir=Path(tmp)).read_bytes()


def forged(saves: Path, name: str, edit: Any) -> None:
    document = json.loads(gzip.decompress(game_save()))
    edit(document)
    document["checksum"] = container.checksum_of(document)
    saves.mkdir(parents=True, exist_ok=True)
    (saves / f"{name}.json.gz").write_bytes(gzip.compress(json.dumps(document).encode()))


def evil_header(document: dict[str, Any]) -> None:
    document["ruleset"]["name"] = EVIL + " Ünï"
    document["player"] = document["snapshot"]["player"] = EVIL


# --- terminal injection -------------------------------------------------------------------------------

def test_run_shows_escape_sequences_in_a_ruleset_name_instead_of_obeying_them(tmp_path: Path) -> None:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text(
        f"name: {json.dumps(EVIL)}\ndescription: {json.dumps(EVIL)}\nformat_version: 1\nextends: baseline\n")
    done = techrace("run", "--ruleset", "./mod", "--turns", "1", cwd=tmp_path)
    assert_no_raw_controls(done.stdout, done.stderr)
    if done.returncode == 0:
        assert "techrace evil\\x1b]0;PWNED\\x07\\x1b[2J seed 0" in done.stdout
    else:  # a ruleset layer may refuse control characters in names outright: also safe
        assert done.returncode == 2 and done.stderr.count("\n") == 1


def test_saves_list_and_show_escape_a_crafted_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forged(tmp_path / "saves", "crafted", evil_header)
    (tmp_path / "saves" / f"{EVIL}.json.gz").write_bytes(game_save())  # a crafted file name
    listing = techrace("saves", "list", cwd=tmp_path)
    assert listing.returncode == 0 and listing.stderr == ""
    assert_no_raw_controls(listing.stdout)
    assert "evil\\x1b]0;PWNED\\x07\\x1b[2J Ünï" in listing.stdout and "\nevil\\x1b]0;PWNED" in listing.stdout
    assert main(["saves", "show", "crafted", "--dir", str(tmp_path / "saves")]) == 0
    out = capsys.readouterr().out
    assert_no_raw_controls(out)
    assert "nation    evil\\x1b]0;PWNED\\x07\\x1b[2J" in out


def test_replay_escapes_a_crafted_field_name_in_a_divergence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forged(tmp_path, "crafted", lambda d: d["snapshot"]["records"].update({EVIL: 1}))
    assert main(["replay", "crafted", "--verify", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert_no_raw_controls(out)
    assert out.startswith("DIVERGED crafted: ") and "evil\\x1b]0;PWNED" in out


def test_error_messages_escape_the_text_they_quote(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--ruleset", EVIL]) == 2
    err = capsys.readouterr().err
    assert_no_raw_controls(err)
    assert err.startswith("techrace: error: ") and err.count("\n") == 1


# --- terminals that are not UTF-8 -------------------------------------------------------------------

def test_an_ascii_terminal_gets_question_marks_not_a_traceback(tmp_path: Path) -> None:
    forged(tmp_path / "saves", "café", evil_header)
    listing = techrace("saves", "list", cwd=tmp_path, PYTHONIOENCODING="ascii")
    assert listing.returncode == 0, listing.stderr
    assert "caf?" in listing.stdout and "Traceback" not in listing.stderr
    shown = techrace("saves", "show", "no-such-ünï", cwd=tmp_path, PYTHONIOENCODING="ascii")
    assert shown.returncode == 2 and shown.stderr.count("\n") == 1  # stderr escapes what ASCII cannot show
    assert shown.stderr.startswith("techrace: error: no save 'no-such-\\xfcn\\xef'")
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "ruleset.yaml").write_text("name: Ünï-mod\nformat_version: 1\nextends: baseline\n",
                                                   encoding="utf-8")
    played = techrace("run", "--ruleset", "./mod", "--turns", "1", cwd=tmp_path, PYTHONIOENCODING="ascii")
    assert played.returncode == 0, played.stderr
    assert played.stdout.startswith("techrace ?n?-mod seed 0: 1 turns")


# --- disks and devices ------------------------------------------------------------------------------

@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` (needs root and mount rights; the test skips without them)."""
    where.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root and the mount command")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def fill(disk: Path) -> None:
    """Use up the free space of `disk`."""
    with contextlib.suppress(OSError), open(disk / "filler", "wb", buffering=0) as handle:
        while True:
            handle.write(b"\0" * 4096)


def test_out_and_save_on_a_full_disk_fail_on_one_line_and_keep_the_previous_files(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "64k") as disk:
        (disk / "metrics.csv").write_text("previous metrics\n")
        (disk / "game.json.gz").write_bytes(game_save())
        fill(disk)
        before = sorted(p.name for p in disk.iterdir())
        done = techrace("run", "--turns", "1", "--quiet", "--out", "disk/metrics.csv", cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "cannot write output file" in done.stderr and "No space left on device" in done.stderr
        done = techrace("run", "--turns", "1", "--quiet", "--save", "./disk/game.json.gz", cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "No space left on device; any previous save there is intact" in done.stderr
        assert (disk / "metrics.csv").read_text() == "previous metrics\n"
        assert (disk / "game.json.gz").read_bytes() == game_save()
        assert sorted(p.name for p in disk.iterdir()) == before  # no temporary file left behind


@pytest.mark.parametrize(("out", "problem"), [
    ("/dev/full", "it is a device"),
    (".", "it is a directory"),
    ("missing/metrics.csv", "directory missing does not exist"),
    ("notes.txt/metrics.csv", "directory notes.txt does not exist"),
    ("m" * 256 + ".csv", "the file name is 260 bytes"),
])
def test_an_out_file_that_cannot_be_written_is_refused_before_the_game(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], out: str, problem: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("notes")
    assert main(["run", "--turns", "44", "--out", out, "--save", "never"]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1
    assert not (tmp_path / "saves").exists()  # refused before playing
    if Path("/dev/full").exists():
        assert Path("/dev/full").is_char_device()  # never replaced by a CSV file


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_output_to_a_full_device_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "saves").mkdir()
    (tmp_path / "saves" / "g.json.gz").write_bytes(game_save())
    with open("/dev/full", "w") as full:
        done = techrace("saves", "list", cwd=tmp_path, stdout=full)
    assert done.returncode == 2
    assert done.stderr == "techrace: error: No space left on device\n"


def test_every_os_error_becomes_one_line_naming_the_cause_and_file() -> None:
    assert user_error_message(PermissionError(errno.EACCES, "Permission denied", "/srv/x.csv")) == \
        "Permission denied: /srv/x.csv"
    assert user_error_message(OSError(errno.ENOSPC, "No space left on device")) == "No space left on device"
    assert user_error_message(KeyError("bug")) is None  # a bug still shows its traceback
