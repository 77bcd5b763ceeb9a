"""`techrace run`: summary, bad input as one line with exit code 2, no traceback."""

from __future__ import annotations

import pytest

from techrace.launcher import main


def test_run_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--turns", "4", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "2025Q4" in out and "US" in out and "CN" in out and "capability" in out


def test_run_names_whole_events_and_says_when_no_quarter_was_played(capsys: pytest.CaptureFixture[str]) -> None:
    from techrace.core import Game

    assert main(["run", "--turns", "4", "--seed", "2"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    texts = {e.text for e in Game.from_ruleset("baseline", seed=2).run(4).events}
    count, _, shown = line.partition("; e.g. ")
    assert count.endswith(" events") and shown, line
    assert all(part in texts or part == "…" for part in shown.split("; ")), "only whole events, then an ellipsis"
    assert main(["run", "--turns", "0"]) == 0
    out = capsys.readouterr().out
    assert "no quarter played (the game starts in 2025Q1)" in out and "nation" not in out and "0 events." in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--ruleset", "no-such-ruleset"], "unknown ruleset"),
        (["run", "--seed", "-3"], "seed must be"),
        (["run", "--turns", "-1"], "turns must be"),
        (["run", "--turns", "many"], "invalid int value"),
        (["run", "--seed", "1.5"], "invalid int value"),
    ],
)
def test_bad_input_is_one_line_exit_2(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        code = main(argv)
        raise SystemExit(code)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert needle in err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
