"""Issue 12, items 3 and 9: what a save holds is checked before anything plays it.

A non-finite number anywhere is refused on one line; metric history rows rewritten by hand (with the
checksum recomputed) are refused on load instead of failing later with a KeyError; a game whose
numbers went non-finite cannot be saved and says where. Hypothesis puts non-finite and oversized
values anywhere in a real save.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techrace.core import Game
from techrace.errors import TechraceError
from techrace.saves import SaveError, load_game, read_save, save_game

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def real_save() -> bytes:
    """A 2-turn save of a real game (a human CN player)."""
    import tempfile

    game = Game.from_ruleset("baseline", seed=11, player="CN")
    game.step([])
    game.step([])
    with tempfile.TemporaryDirectory() as tmp:
        return save_game(game, "small", saves_dir=Path(tmp)).read_bytes()


def real_document() -> dict[str, Any]:
    return json.loads(gzip.decompress(real_save()))


class Deep:
    """A list nested `depth` times, written into the JSON text directly (json.dumps would recurse)."""

    def __init__(self, depth: int) -> None:
        self.text = "[" * depth + "]" * depth

    def __repr__(self) -> str:
        return f"Deep({len(self.text) // 2})"


def forge(tmp: Path, document: dict[str, Any], name: str = "forged") -> Path:
    """Write `document` as a forger would: checksum recomputed, NaN and Infinity allowed in the text."""
    deep: list[str] = []

    def placeholder(value: Any) -> str:
        deep.append(value.text)
        return "__deep__"

    def dumps(value: Any, **options: Any) -> str:
        text = json.dumps(value, allow_nan=True, default=placeholder, **options)
        return text.replace('"__deep__"', deep[0]) if deep else text

    body = {key: value for key, value in document.items() if key != "checksum"}
    canonical = dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    document["checksum"] = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / f"{name}.json.gz"
    path.write_bytes(gzip.compress(dumps(document).encode()))
    return path


def first_float_path(value: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    if isinstance(value, float):
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        found = first_float_path(child, (*path, key))
        if found:
            return found
    return None


def put(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize("where", ["state", "history", "ruleset", "records"])
@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_non_finite_number_anywhere_in_a_save_is_refused_on_one_line(tmp_path: Path, where: str, number: float) -> None:
    document = real_document()
    path = first_float_path(document["snapshot"][where])
    assert path is not None, f"the snapshot's {where} holds no float to forge"
    put(document["snapshot"][where], path, number)
    forge(tmp_path, document)
    with pytest.raises(SaveError, match=r"^forged: save is corrupted: .*(NaN|Infinity).* is not a valid number") as caught:
        load_game("forged", saves_dir=tmp_path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("literal", "problem"), [
    ("1e999", "1e999 is out of range"), ("-1e400", "-1e400 is out of range"), ("9" * 400, "400 digits is out of range")])
def test_a_number_too_large_for_a_float_is_refused(tmp_path: Path, literal: str, problem: str) -> None:
    text = gzip.decompress(real_save()).decode()
    state_at = text.index('"state":')
    number_at = state_at + text[state_at:].index("[") + 1
    while text[number_at] == "[":
        number_at += 1
    end = min(text.index(",", number_at), text.index("]", number_at))
    (tmp_path / "huge.json.gz").write_bytes(gzip.compress((text[:number_at] + literal + text[end:]).encode()))
    with pytest.raises(SaveError, match=problem):
        read_save("huge", saves_dir=tmp_path)


ROW_FORGERIES = {
    "delete turn": (lambda rows: [r.pop("turn") for r in rows], "lacks turn"),
    "rename a column": (lambda rows: [r.__setitem__("capability_x", r.pop("capability")) for r in rows],
                        "lacks capability; has unknown capability_x"),
    "text for a number": (lambda rows: rows[0].__setitem__("capability", "high"), "capability is 'high', not a finite number"),
    "true for a number": (lambda rows: rows[0].__setitem__("engineers", True), "engineers is True, not a finite number"),
    "turn in the future": (lambda rows: rows[-1].__setitem__("turn", 99), "turn 99 is outside 1..2"),
    "turn as text": (lambda rows: rows[0].__setitem__("turn", "1"), "turn is '1', not a whole number"),
    "unknown nation": (lambda rows: rows[0].__setitem__("nation", "ZZ"), "unknown nation 'ZZ'"),
    "duplicated row": (lambda rows: (rows.insert(1, dict(rows[0])), rows.pop()), "a second row for turn 1"),
    "another seed": (lambda rows: rows[0].__setitem__("seed", 12), "seed 12 is not the game's seed 11"),
    "rows out of order": (lambda rows: rows.reverse(), "turn 1 after turn 2"),
    "more rows than turns": (lambda rows: rows.extend(dict(r) for r in list(rows)), r"\d+ metric rows for 2 turns"),
}


@pytest.mark.parametrize("forgery", sorted(ROW_FORGERIES))
def test_rewritten_history_rows_with_a_valid_checksum_are_refused_on_load(tmp_path: Path, forgery: str) -> None:
    edit, problem = ROW_FORGERIES[forgery]
    document = real_document()
    edit(document["snapshot"]["history"]["metric_rows"])
    forge(tmp_path, document)
    with pytest.raises(SaveError, match=f"^forged: save is malformed: (history.metric_rows.*: )?{problem}"):
        load_game("forged", saves_dir=tmp_path)


def test_a_history_forgery_is_a_one_line_error_for_run_not_a_key_error(tmp_path: Path) -> None:
    document = real_document()
    for row in document["snapshot"]["history"]["metric_rows"]:
        del row["turn"]
    forge(tmp_path / "saves", document)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "techrace", "run", "--load", "forged", "--turns", "1"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "KeyError" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("techrace: error: forged: save is malformed: history.metric_rows[0]: lacks turn")


def test_a_game_that_went_non_finite_cannot_be_saved_and_the_message_says_where(tmp_path: Path) -> None:
    game = Game.from_ruleset("baseline", seed=2)
    game.step([])
    game.metric_rows[3]["gdp_index"] = math.inf
    with pytest.raises(SaveError, match=r"non-finite number .* in history\.metric_rows\[3\]\.gdp_index$"):
        save_game(game, "broken", saves_dir=tmp_path)
    game.metric_rows[3]["gdp_index"] = 100.0
    state = game.model.state
    name = next(n for n in sorted(game.snapshot()["state"]) if getattr(state, n).dtype.kind == "f")
    getattr(state, name).flat[0] = math.nan
    with pytest.raises(SaveError, match=f"^cannot save broken: .*{name}.*non-finite"):
        save_game(game, "broken", saves_dir=tmp_path)
    assert not (tmp_path / "broken.json.gz").exists()


# --- hypothesis: non-finite and oversized values anywhere ---------------------------------------------

@functools.cache
def every_path() -> tuple[tuple[Any, ...], ...]:
    """Every path into the real save's document (lists sampled at their first 3 and last items)."""
    def walk(value: Any, prefix: tuple[Any, ...]) -> Any:
        yield prefix
        if isinstance(value, dict):
            for key, child in value.items():
                yield from walk(child, (*prefix, key))
        elif isinstance(value, list):
            for index in sorted({*range(min(3, len(value))), len(value) - 1} - {-1}):
                yield from walk(value[index], (*prefix, index))
    return tuple(p for p in walk(real_document(), ()) if p and p != ("checksum",))


hostile_values = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(min_value=60, max_value=600).map(lambda digits: 10**digits),
    st.floats(min_value=1e300, max_value=1.7e308).map(lambda x: -x),
    st.integers(min_value=10_000, max_value=200_000).map(lambda n: "x" * n),
    st.integers(min_value=1_000, max_value=300_000).map(lambda n: [0.5] * n),
    st.integers(min_value=50, max_value=5_000).map(Deep),
    st.integers(min_value=100, max_value=5_000).map(lambda n: {f"k{i}": i for i in range(n)}),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.integers(min_value=0), hostile_values)
def test_fuzz_a_non_finite_or_oversized_value_anywhere_is_refused_or_harmless(
        tmp_path_factory: pytest.TempPathFactory, where: int, value: Any) -> None:
    paths = every_path()
    document = real_document()
    put(document, paths[where % len(paths)], value)
    tmp = tmp_path_factory.mktemp("hostile")
    forge(tmp, document)
    try:
        game = load_game("forged", saves_dir=tmp)
    except SaveError as exc:
        assert "\n" not in str(exc)
        return
    non_finite = isinstance(value, float) and not math.isfinite(value)
    assert not non_finite, "a save holding a non-finite number loaded"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            game.step([])
        except TechraceError as exc:  # e.g. the core's NonFiniteError for an absurd but finite number
            assert "\n" not in str(exc)
