"""A save records the model that played it, so a replay by another model says why it diverges."""

from __future__ import annotations

from pathlib import Path

import pytest
from core_helpers import play

from techrace.launcher import main
from techrace.model_id import model_fingerprint
from techrace.saves import container, read_header
from techrace.saves.atomic import atomic_write_bytes
from techrace.saves.replay import replay_divergence, replay_document


def _write(path: Path, document: dict) -> Path:
    document["checksum"] = container.checksum_of(document)
    atomic_write_bytes(path, container.encode(document))
    return path


def test_a_save_records_this_techraces_model_and_show_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    game = play(seed=2, turns=2)
    path = _write(tmp_path / "g.json.gz", container.build_document(game.snapshot(), str(game.quarter)))
    assert read_header(str(path), None)[1].model == model_fingerprint()
    assert main(["saves", "show", str(path)]) == 0
    assert f"model     {model_fingerprint()} (this techrace)" in capsys.readouterr().out


def test_a_save_from_before_the_record_lists_shows_and_replays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    game = play(seed=2, turns=2)
    document = container.build_document(game.snapshot(), str(game.quarter))
    del document["model"]
    path = _write(tmp_path / "old.json.gz", document)
    assert read_header(str(path), None)[1].model is None
    assert main(["saves", "list", "--dir", str(tmp_path)]) == 0
    assert main(["saves", "show", str(path)]) == 0
    assert "model     not recorded (saved before 1 December 2026)" in capsys.readouterr().out
    assert main(["replay", str(path), "--verify"]) == 0  # the same model played it: identical, nothing to explain


def test_a_diverging_replay_of_another_models_save_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    game = play(seed=2, turns=2)
    document = container.build_document(game.snapshot(), str(game.quarter))
    document["model"] = "0" * 16
    document["snapshot"]["state"]["cash"][0] += 1.0  # as another model's numbers would differ
    path = _write(tmp_path / "other.json.gz", document)
    assert main(["replay", str(path), "--verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("DIVERGED")
    assert f"this save was played by model {'0' * 16}, and this techrace is model {model_fingerprint()}" in out


def test_fields_the_core_added_since_a_save_are_not_a_divergence() -> None:
    from techrace.core.saved_fields import ADDED_ON_LOAD

    game = play(seed=3, turns=3)
    snapshot = game.snapshot()
    for name in ADDED_ON_LOAD:
        del snapshot["state"][name], snapshot["axes"][name]
    document = container.build_document(snapshot, str(game.quarter))
    assert replay_divergence(document, replay_document(document)) is None
