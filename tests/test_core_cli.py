"""`techrace run`: summary, bad input as one line with exit code 2, no traceback."""

from __future__ import annotations

import pytest

from techrace.launcher import main


def test_run_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--turns", "4", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "2025Q4" in out and "US" in out and "CN" in out and "capability" in out


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
