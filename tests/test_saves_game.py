"""Saves of real games: resuming gives exactly the uninterrupted future; replays verify; autosaves rotate."""

from __future__ import annotations

import functools
import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.core import Action, Game
from techrace.launcher import main
from techrace.saves import (
    SaveError,
    autosave,
    container,
    first_divergence,
    list_saves,
    load_game,
    read_save,
    save_game,
    verify_replay,
)

TURNS = 12
SAVE_AT = (4, 9)


def player_actions(turn: int) -> list[Action]:
    """A human CN player's decisions: a subsidy most turns, a visa change now and then."""
    actions = [Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 1.0 + turn % 3})] if turn % 4 != 3 else []
    if turn in (2, 7):
        actions.append(Action("visa_policy", "CN", {"visa_openness": 0.3 + 0.1 * turn / 2}))
    return actions


def advance(game: Game, to_turn: int) -> None:
    while game.turn < to_turn:
        game.step(player_actions(game.turn) if game.player else [])


def events_of(game: Game) -> list[tuple[Any, ...]]:
    return [(e.turn, e.quarter, e.kind, e.text, e.cause, tuple(e.actors)) for e in game.events]


def plain(snapshot: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(snapshot, allow_nan=False))


def assert_same_future(resumed: Game, reference: Game) -> None:
    divergence = first_divergence(plain(reference.snapshot()), plain(resumed.snapshot()))
    assert divergence is None, f"resumed game diverges from the uninterrupted one: {divergence.describe()}"
    assert resumed.metric_rows == reference.metric_rows
    assert events_of(resumed) == events_of(reference)


@pytest.fixture(scope="module", params=[(1, None), (2, "CN"), (3, "CN")],
                ids=lambda p: f"seed{p[0]}-{p[1] or 'observer'}")
def played(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Game, Path]:
    """An uninterrupted 12-turn game that was saved at turns 4 and 9 on the way."""
    seed, player = request.param
    saves = tmp_path_factory.mktemp("saves")
    game = Game.from_ruleset("baseline", seed=seed, player=player)
    for turn in SAVE_AT:
        advance(game, turn)
        save_game(game, f"at-{turn}", saves_dir=saves)
    advance(game, TURNS)
    return game, saves


@pytest.mark.parametrize("save_turn", SAVE_AT)
def test_loading_and_playing_on_gives_the_uninterrupted_future(played: tuple[Game, Path], save_turn: int) -> None:
    reference, saves = played
    resumed = load_game(f"at-{save_turn}", saves_dir=saves)
    assert (resumed.turn, resumed.seed, resumed.player) == (save_turn, reference.seed, reference.player)
    advance(resumed, TURNS)
    assert_same_future(resumed, reference)


def test_replay_of_an_untouched_save_verifies(played: tuple[Game, Path]) -> None:
    _, saves = played
    assert verify_replay("at-9", saves_dir=saves) is None


def rewrite(path: Path, edit: Any) -> None:
    document = json.loads(gzip.decompress(path.read_bytes()))
    edit(document)
    document["checksum"] = container.checksum_of(document)  # a forger who also fixes the checksum
    path.write_bytes(gzip.compress(json.dumps(document).encode()))


@pytest.fixture()
def observed(tmp_path: Path) -> tuple[Game, Path]:
    game = Game.from_ruleset("baseline", seed=5, player="CN")
    advance(game, 6)
    return game, save_game(game, "observed", saves_dir=tmp_path)


def test_a_forged_state_value_is_reported_with_turn_actor_and_field(observed: tuple[Game, Path]) -> None:
    game, path = observed
    snapshot = plain(game.snapshot())
    labels, axes = snapshot["labels"], snapshot["axes"]
    field = next(name for name, ax in sorted(axes.items()) if ax and ax[0] == "foundry")

    def forge(document: dict[str, Any]) -> None:
        arrays = document["snapshot"]["state"]
        arrays = arrays.get("arrays", arrays)
        value = arrays[field]
        row = labels["foundry"].index("SMIC")
        if isinstance(value[row], list):
            value[row][0] += 1.0
        else:
            value[row] += 1.0

    rewrite(path, forge)
    divergence = verify_replay(path.name, saves_dir=path.parent)
    assert divergence is not None
    assert (divergence.turn, divergence.actor) == (6, "SMIC") and divergence.field.startswith(field)


def test_a_forged_action_log_diverges_at_the_turn_of_the_forgery(observed: tuple[Game, Path]) -> None:
    _, path = observed

    def forge(document: dict[str, Any]) -> None:
        document["action_log"][1] = [Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 4.5}).to_dict()]

    rewrite(path, forge)
    divergence = verify_replay(path.name, saves_dir=path.parent)
    assert divergence is not None and divergence.turn <= 2, divergence


def test_replay_command_exits_0_when_exact_and_1_on_a_divergence(
        observed: tuple[Game, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, path = observed
    assert main(["replay", "observed", "--verify", "--dir", str(path.parent)]) == 0
    assert capsys.readouterr().out.startswith("OK observed: replaying 6 turns")
    rewrite(path, lambda d: d["action_log"][0].append(
        Action("subsidy", "CN", {"firm": "SMIC", "usd_b": 2.5}).to_dict()))
    assert main(["replay", "observed", "--verify", "--dir", str(path.parent)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("DIVERGED observed: turn 1, actor ") and out.count("\n") == 1


def test_a_loaded_game_saves_to_the_same_bytes(observed: tuple[Game, Path]) -> None:
    _, path = observed
    again = save_game(load_game("observed", saves_dir=path.parent), "again", saves_dir=path.parent)
    assert again.read_bytes() == path.read_bytes()


def test_a_ruleset_that_no_longer_matches_its_hash_is_refused(observed: tuple[Game, Path]) -> None:
    _, path = observed
    rewrite(path, lambda d: d["snapshot"]["ruleset"].update(turns=45))
    with pytest.raises(SaveError, match="ruleset stored in the save does not match its content hash"):
        load_game("observed", saves_dir=path.parent)


def test_autosave_keeps_the_last_turns_of_this_game_only(tmp_path: Path) -> None:
    other = Game.from_ruleset("baseline", seed=99)
    autosave(other, saves_dir=tmp_path)
    game = Game.from_ruleset("baseline", seed=4, player="CN")
    for _ in range(5):
        game.step(player_actions(game.turn))
        autosave(game, keep=3, saves_dir=tmp_path)
    names = [info.name for info in list_saves(tmp_path)]
    assert names == ["autosave/baseline-s4-CN-t0003", "autosave/baseline-s4-CN-t0004",
                     "autosave/baseline-s4-CN-t0005", "autosave/baseline-s99-observer-t0000"]
    assert read_save("autosave/baseline-s4-CN-t0005", saves_dir=tmp_path)["turn"] == 5
    resumed = load_game(names[2], saves_dir=tmp_path)
    assert resumed.turn == 5 and resumed.metric_rows == game.metric_rows


def test_after_going_back_the_new_autosaves_are_kept(tmp_path: Path) -> None:
    game = Game.from_ruleset("baseline", seed=4, player="CN")
    for _ in range(4):
        game.step(player_actions(game.turn))
        autosave(game, keep=2, saves_dir=tmp_path)
    earlier = load_game("autosave/baseline-s4-CN-t0003", saves_dir=tmp_path)
    autosave(earlier, keep=2, saves_dir=tmp_path)
    assert [i.turn for i in list_saves(tmp_path)] == [3, 4]
    earlier.step([])
    earlier.step([])
    autosave(earlier, keep=2, saves_dir=tmp_path)
    assert [i.turn for i in list_saves(tmp_path)] == [3, 5]


def test_saving_outside_saves_needs_a_path_that_clearly_names_a_save(tmp_path: Path) -> None:
    game = Game.from_ruleset("baseline", seed=1)
    with pytest.raises(SaveError, match="does not end in .json.gz"):
        save_game(game, "../out", saves_dir=tmp_path / "saves")
    with pytest.raises(SaveError, match="does not end in .json.gz"):
        save_game(game, str(tmp_path / "elsewhere" / "game"), saves_dir=tmp_path / "saves")
    outside = save_game(game, str(tmp_path / "elsewhere" / "game.json.gz"), saves_dir=tmp_path / "saves")
    assert outside == (tmp_path / "elsewhere" / "game.json.gz").resolve()
    assert load_game(str(outside)).turn == 0


def test_run_load_and_save_on_the_command_line_matches_the_uninterrupted_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--seed", "3", "--turns", "5", "--save", "part", "--quiet"]) == 0
    assert main(["run", "--load", "part", "--turns", "4", "--save", "resumed", "--quiet"]) == 0
    assert main(["run", "--seed", "3", "--turns", "9", "--save", "whole", "--quiet"]) == 0
    saves = tmp_path / "saves"
    assert (saves / "resumed.json.gz").read_bytes() == (saves / "whole.json.gz").read_bytes()


def test_a_disk_full_during_save_game_keeps_the_previous_save_loadable(
        observed: tuple[Game, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from techrace.saves import atomic

    game, path = observed
    game.step([])
    real_fdopen = os.fdopen

    class HalfWrite:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> None:
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: HalfWrite(real_fdopen(fd, mode)))
    with pytest.raises(SaveError, match="No space left on device"):
        save_game(game, "observed", saves_dir=path.parent)
    monkeypatch.undo()
    assert load_game("observed", saves_dir=path.parent).turn == 6
    assert [p.name for p in path.parent.iterdir()] == ["observed.json.gz"]


# --- hand-edited saves whose checksum was recomputed -----------------------------------------------

@functools.cache
def small_save() -> tuple[bytes, tuple[tuple[Any, ...], ...]]:
    """A 2-turn save's bytes, and every path into its snapshot (lists sampled at their first 3 items)."""
    import tempfile

    game = Game.from_ruleset("baseline", seed=11, player="CN")
    advance(game, 2)
    with tempfile.TemporaryDirectory() as tmp:
        data = save_game(game, "small", saves_dir=Path(tmp)).read_bytes()

    def paths(value: Any, prefix: tuple[Any, ...]) -> Any:
        yield prefix
        items = value.items() if isinstance(value, dict) else enumerate(value[:3]) if isinstance(value, list) else ()
        for key, child in items:
            yield from paths(child, (*prefix, key))

    snapshot = json.loads(gzip.decompress(data))["snapshot"]
    return data, tuple(p for p in paths(snapshot, ()) if p)


def forged_save(tmp: Path, path: tuple[Any, ...], value: Any, delete: bool = False) -> None:
    document = json.loads(gzip.decompress(small_save()[0]))
    target = document["snapshot"]
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = value
    document["checksum"] = container.checksum_of(document)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "forged.json.gz").write_bytes(gzip.compress(json.dumps(document).encode()))


def test_a_state_array_of_the_wrong_shape_is_refused_by_name(tmp_path: Path) -> None:
    forged_save(tmp_path, ("state", "offline"), [])
    with pytest.raises(SaveError, match=r"forged: .*state field offline has shape \(0,\)"):
        load_game("forged", saves_dir=tmp_path)


def test_a_rule_naming_an_unknown_nation_is_refused(tmp_path: Path) -> None:
    rule = sorted(json.loads(gzip.decompress(small_save()[0]))["snapshot"]["records"]["controls"])[0]
    forged_save(tmp_path, ("records", "controls", rule, "destinations"), ["ZZ"])
    with pytest.raises(SaveError, match=f"rule '{rule}' names unknown ZZ"):
        load_game("forged", saves_dir=tmp_path)


json_values = st.one_of(st.none(), st.booleans(), st.integers(-2, 10**20), st.floats(-1e300, 1e300),
                        st.text(max_size=5), st.lists(st.integers(0, 3), max_size=3),
                        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0), json_values, st.booleans())
def test_fuzz_a_forged_snapshot_loads_and_plays_or_gives_a_save_error(
        tmp_path_factory: pytest.TempPathFactory, where: int, value: Any, delete: bool) -> None:
    paths = small_save()[1]
    tmp = tmp_path_factory.mktemp("forged")
    forged_save(tmp, paths[where % len(paths)], value, delete)
    try:
        game = load_game("forged", saves_dir=tmp)
    except SaveError as exc:
        assert "\n" not in str(exc)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # absurd but well-typed numbers may overflow
        game.step([])


def test_a_save_from_before_a_schema_field_was_added_still_loads_and_plays_the_same(
        observed: tuple[Game, Path]) -> None:
    import hashlib

    game, path = observed

    def older_schema(document: dict[str, Any]) -> None:
        ruleset = document["snapshot"]["ruleset"]
        del ruleset["extends"]  # a field with a default that older techrace builds did not write
        digest = hashlib.sha256(json.dumps(ruleset, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        document["ruleset"]["hash"] = document["snapshot"]["ruleset_hash"] = digest

    rewrite(path, older_schema)
    resumed = load_game("observed", saves_dir=path.parent)
    advance(resumed, 9)
    advance(game, 9)
    assert resumed.metric_rows == game.metric_rows and events_of(resumed) == events_of(game)


def test_replay_without_verify_prints_the_replayed_final_turn(
        observed: tuple[Game, Path], capsys: pytest.CaptureFixture[str]) -> None:
    game, path = observed
    assert main(["replay", "observed", "--dir", str(path.parent)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "nation"
    assert [line.split()[0] for line in lines[1:-1]] == game.nations
    assert lines[-1] == f"replayed observed: 6 turns, {sum(map(len, game.action_log))} logged actions, next quarter {game.quarter}"


def test_a_game_with_a_lifted_rule_saves_loads_and_plays_on_the_same(tmp_path: Path) -> None:
    """A player who lifts a control can load the save (the status `lifted` was refused as malformed), and the
    loaded game plays on exactly as the one never saved."""
    game = Game.from_ruleset("baseline", seed=3, player="US")
    game.step([Action("lift_control", "US", {"control": "oct2023_chips"})])
    game.step()
    path = save_game(game, tmp_path / "lifted.json.gz")
    loaded = load_game(path)
    assert loaded.model.state.control_status["oct2023_chips"] == "lifted"
    for _ in range(3):
        game.step()
        loaded.step()
    assert loaded.metric_rows == game.metric_rows
    assert verify_replay(path) is None
