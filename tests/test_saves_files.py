"""Save names stay inside saves/, writes are atomic, and listing shows every save, damaged ones too."""

from __future__ import annotations

import errno
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techrace.saves import SaveError, atomic, container, list_saves, locate_save, read_save
from techrace.saves.atomic import atomic_write_bytes


def document(turn: int = 3, seed: int = 7, player: str | None = "CN") -> dict[str, Any]:
    snapshot = {
        "format": 1, "ruleset": {"name": "baseline"}, "ruleset_hash": "cd" * 32, "seed": seed,
        "player": player, "turn": turn, "state": {"cash": [1.0, 2.0]}, "axes": {"cash": ["nation"]},
        "labels": {"nation": ["CN", "US"]}, "rng": {}, "history": {"metric_rows": [], "events": []},
        "action_log": [[] for _ in range(turn)],
    }
    return container.build_document(snapshot, "2025Q4")


def write(path: Path, doc: dict[str, Any]) -> Path:
    atomic_write_bytes(path, container.encode(doc))
    return path


# --- names -------------------------------------------------------------------------------------------

def test_a_bare_name_goes_into_the_saves_directory_with_the_extension(tmp_path: Path) -> None:
    assert locate_save("campaign", tmp_path) == tmp_path.resolve() / "campaign.json.gz"
    assert locate_save("campaign.json.gz", tmp_path) == tmp_path.resolve() / "campaign.json.gz"
    assert locate_save("autosave/t3", tmp_path) == tmp_path.resolve() / "autosave" / "t3.json.gz"


@pytest.mark.parametrize("name", [
    "..", "../x", "a/../../x", "/etc/passwd", "C:\\x", "C:x", "\\\\server\\share\\x", "a\\..\\..\\x",
    "", "  ", ".hidden", "a/.x", "a//b", "./x", "x\x00y", "x\ny", "game.json.gz.tmp-abc",
])
def test_names_that_could_escape_or_hide_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(SaveError):
        locate_save(name, tmp_path)


def test_a_symlink_leading_out_of_saves_is_refused(tmp_path: Path) -> None:
    outside, saves = tmp_path / "outside", tmp_path / "saves"
    outside.mkdir()
    saves.mkdir()
    (saves / "door").symlink_to(outside, target_is_directory=True)
    (saves / "evil.json.gz").symlink_to(write(outside / "secret.json.gz", document()))
    with pytest.raises(SaveError, match="symlink"):
        locate_save("door/game", saves)
    with pytest.raises(SaveError, match="symlink"):
        read_save("evil", saves_dir=saves)
    assert [info.name for info in list_saves(saves)] == []


def test_a_path_is_used_only_when_it_clearly_names_a_save(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "game.json.gz"
    assert locate_save(str(elsewhere), tmp_path / "saves") == elsewhere.resolve()
    for not_a_save in (str(tmp_path / "notes.md"), str(tmp_path / "game"), "../x", "./x", "~/x"):
        with pytest.raises(SaveError, match=r"does not end in \.json\.gz"):
            locate_save(not_a_save, tmp_path / "saves")


def test_a_relative_value_with_a_folder_is_a_name_in_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    saves = tmp_path / "saves"
    assert locate_save("autosave/t3", saves) == (saves / "autosave" / "t3.json.gz").resolve()
    assert locate_save("newsub/game", saves) == (saves / "newsub" / "game.json.gz").resolve()
    assert locate_save("./other/t3.json.gz", saves) == (tmp_path / "other" / "t3.json.gz").resolve()
    assert locate_save("../t3.json.gz", saves) == (tmp_path.parent / "t3.json.gz").resolve()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", ".", "..", "/", "\\", "C:", "~", " ", "-", "\x00", "autosave"]), max_size=10)
       .map("".join) | st.text(max_size=20))
def test_fuzz_any_name_resolves_inside_saves_or_is_refused(name: str) -> None:
    root = Path("/tmp/techrace-saves-fuzz").resolve()
    try:
        path = locate_save(name, root)
    except SaveError as exc:
        assert "\n" not in str(exc)
    else:  # inside saves/, or a path the user typed that ends in .json.gz
        assert path.name.endswith(".json.gz")
        assert path.is_relative_to(root) or name.endswith(".json.gz")


# --- atomic writes -----------------------------------------------------------------------------------

class HalfThenFull:
    """A file handle that writes half of what it is given, then fails like a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> HalfThenFull:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def test_a_full_disk_half_way_leaves_the_previous_save_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "game.json.gz", document(turn=3))
    before = target.read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: HalfThenFull(real_fdopen(fd, mode)))
    with pytest.raises(SaveError, match="No space left.*previous save there is intact"):
        atomic_write_bytes(target, container.encode(document(turn=5)))
    assert target.read_bytes() == before
    assert read_save("game", saves_dir=tmp_path)["turn"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.json.gz"]  # no temporary file left behind


def test_a_failed_rename_leaves_the_previous_save_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "game.json.gz", document(turn=3))

    def crash(src: str, dst: str) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(SaveError, match="Input/output error"):
        atomic_write_bytes(target, container.encode(document(turn=5)))
    assert read_save("game", saves_dir=tmp_path)["turn"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.json.gz"]


def test_an_interrupt_mid_write_leaves_the_save_intact_and_is_not_swallowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "game.json.gz", document(turn=3))

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, container.encode(document(turn=5)))
    assert read_save("game", saves_dir=tmp_path)["turn"] == 3


def test_a_successful_write_replaces_the_save(tmp_path: Path) -> None:
    target = write(tmp_path / "deep" / "game.json.gz", document(turn=3))
    write(target, document(turn=6))
    assert read_save("deep/game", saves_dir=tmp_path)["turn"] == 6


# --- reading and listing ----------------------------------------------------------------------------

def test_a_missing_save_names_the_saves_that_exist(tmp_path: Path) -> None:
    write(tmp_path / "alpha.json.gz", document())
    with pytest.raises(SaveError, match="no save 'beta' in .*saves there: alpha"):
        read_save("beta", saves_dir=tmp_path)


def test_read_errors_name_the_save_and_the_problem(tmp_path: Path) -> None:
    data = container.encode(document())
    (tmp_path / "cut.json.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(SaveError, match="^cut: save is truncated"):
        read_save("cut", saves_dir=tmp_path)


def test_list_shows_good_and_damaged_saves_but_not_temporary_files(tmp_path: Path) -> None:
    write(tmp_path / "b-game.json.gz", document(turn=5, seed=11, player=None))
    write(tmp_path / "autosave" / "a.json.gz", document(turn=2))
    (tmp_path / "broken.json.gz").write_bytes(b"\x1f\x8bnot really")
    (tmp_path / ".b-game.json.gz.tmp-x1y2").write_bytes(b"half a save")
    (tmp_path / "notes.txt").write_text("not a save")
    infos = list_saves(tmp_path)
    assert [i.name for i in infos] == ["autosave/a", "b-game", "broken"]
    auto, game, broken = infos
    assert (game.ruleset, game.player, game.seed, game.turn, game.quarter) == ("baseline", None, 11, 5, "2025Q4")
    assert game.size == (tmp_path / "b-game.json.gz").stat().st_size and game.problem is None
    assert auto.player == "CN" and auto.turn == 2
    assert broken.turn is None and "corrupted" in (broken.problem or "")


def test_listing_a_missing_saves_directory_is_empty(tmp_path: Path) -> None:
    assert list_saves(tmp_path / "none") == []


def test_a_tampered_save_on_disk_is_refused(tmp_path: Path) -> None:
    doc = document()
    doc["snapshot"]["state"]["cash"][0] = 1e9
    (tmp_path / "cheat.json.gz").write_bytes(gzip.compress(json.dumps(doc).encode()))
    with pytest.raises(SaveError, match="cheat: save is tampered"):
        read_save("cheat", saves_dir=tmp_path)
