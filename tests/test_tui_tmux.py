"""The real `techrace play` process in a real terminal (tmux, 80x24): the goal on the first board, a
turn report after `n`, two turns, the event log, then quit; a key typed while the world is built."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TMUX = shutil.which("tmux") or "/usr/bin/tmux"

pytestmark = pytest.mark.skipif(not Path(TMUX).exists(), reason="tmux is not installed")


class Terminal:
    """A tmux session on a private socket, driven with send-keys and read with capture-pane."""

    def __init__(self, command: str, cwd: Path, size: tuple[int, int] = (80, 24), term: str = "xterm-256color") -> None:
        self.socket = f"techrace-test-{uuid.uuid4().hex[:12]}"
        self.session = "play"
        env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": term, "TECHRACE_CONFIG_DIR": str(cwd / "config")}
        for name in ("TMUX", "COLORTERM", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
            env.pop(name, None)
        # tmux sets TERM inside the pane itself: pass the terminal type to the game explicitly.
        config = shlex.quote(str(cwd / "config"))
        self._tmux("new-session", "-d", "-s", self.session, "-x", str(size[0]), "-y", str(size[1]),
                   "-c", str(cwd), f"env TERM={shlex.quote(term)} TECHRACE_CONFIG_DIR={config} {command}", env=env)

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True,
                                env=env, timeout=20, check=False)
        return result.stdout

    def screen(self, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.session)

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """Poll the screen until `text` shows (bounded); fail with the last screen otherwise."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        pytest.fail(f"{text!r} did not appear within {timeout:.0f} s; the screen was:\n{screen}")

    def alive(self) -> bool:
        return subprocess.run([TMUX, "-L", self.socket, "has-session", "-t", self.session],
                              capture_output=True, timeout=10, check=False).returncode == 0

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=10, check=False)
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)  # kill-server leaves the socket file behind


COMMAND = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "techrace", "play", "--ruleset", "baseline",
                                             "--nation", "CN", "--seed", "7"))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(COMMAND, cwd=tmp_path)
    try:
        yield term
    finally:
        term.close()


def test_goal_turn_report_and_event_log_in_a_real_80x24_terminal(terminal: Terminal, tmp_path: Path) -> None:
    terminal.wait_for("Turn 1/")
    screen = terminal.wait_for("End turn")
    assert "CN (China)" in screen and "─ Goal ─" in screen, "the goal is on the first board"
    assert "Win " in screen and "Lose " in screen and "44 turns left" in screen
    terminal.keys("n")
    screen = terminal.wait_for("Turn report")
    assert "Your figures" in screen and "Compute" in screen and "2025Q1" in screen
    terminal.keys("Enter")
    screen = terminal.wait_for("Turn 2/")
    assert "Turn report" not in screen and "43 turns left" in screen
    terminal.keys("n")
    terminal.wait_for("turn 2 of 44")
    terminal.keys("Enter")
    screen = terminal.wait_for("Turn 3/")
    assert "2025Q3" in screen  # the header names the quarter to be played next
    assert "Traceback" not in screen
    assert list((tmp_path / "saves" / "autosave").glob("*.json.gz")), "each turn is autosaved"
    terminal.keys("e")
    terminal.wait_for("Event log")
    screen = terminal.wait_for("2025Q2 [")  # the log shows what happened in the second turn
    assert "entries" in screen and "Traceback" not in screen
    terminal.keys("Escape")
    terminal.wait_for("End turn")
    terminal.keys("q")
    terminal.wait_for("since the last save will be lost")
    terminal.keys("y")
    deadline = time.monotonic() + 15
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not terminal.alive(), "the game quits after confirming"


def test_a_16_colour_terminal_gets_only_16_colour_codes(tmp_path: Path) -> None:
    term = Terminal(COMMAND, cwd=tmp_path, size=(80, 24), term="xterm")
    try:
        term.wait_for("End turn")
        raw = term.screen(escapes=True)
        assert "CN (China)" in raw
        assert "38;5;" not in raw and "48;5;" not in raw, "256-colour codes sent to a 16-colour terminal"
        assert "38;2;" not in raw and "48;2;" not in raw, "true-colour codes sent to a 16-colour terminal"
    finally:
        term.close()


def test_an_edited_ruleset_is_reloaded_under_watch_in_a_real_terminal(tmp_path: Path) -> None:
    """`techrace play --watch` at 80x24: an edit shows what changed and is in force after `n`; an invalid
    edit shows its file and line, and the game plays on under its rules."""
    mod = tmp_path / "live"
    mod.mkdir()
    (mod / "ruleset.yaml").write_text("name: live\ndescription: Edited during play.\nformat_version: 2\n"
                                      "extends: baseline\n")
    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "techrace", "play", "--ruleset", str(mod),
                                                 "--nation", "CN", "--seed", "7", "--watch"))
    term = Terminal(command, cwd=tmp_path)
    try:
        term.wait_for("End turn")  # an edit from here on is seen, even before the watcher runs (it checks once)
        (mod / "levers.yaml").write_text("levers:\n  preview_quarters: 2\n")
        screen = term.wait_for("Ruleset edited: 1 value changed")
        assert "preview_quarters: 1 -> 2" in screen and "In force when this turn ends" in screen
        assert "· new rule" in screen  # the header says rules wait for the turn's end (cut at 80 columns)
        term.keys("n")
        term.wait_for("Turn report")
        screen = term.wait_for("Ruleset reloaded")  # a notice over the report (its events start with it)
        assert "1 value changed" in screen
        term.keys("Enter")
        term.wait_for("Turn 2/")
        (mod / "levers.yaml").write_text("levers:\n  preview_quarters: -3\n")
        screen = term.wait_for("Ruleset not reloaded")
        assert "levers.yaml:2:3" in screen.replace("\n", "") or "must be at least 1" in screen
        term.keys("n")
        term.wait_for("Turn report")
        term.keys("Enter")
        screen = term.wait_for("Turn 3/")
        assert "Traceback" not in screen
        term.keys("w")
        screen = term.wait_for("Ruleset changes")
        assert "was not taken" in screen and "Reloads in force" in screen
    finally:
        term.close()


def test_keys_typed_while_the_world_is_built_reach_the_board(terminal: Terminal) -> None:
    """Typed ahead of the board (here `2`, the charts tab), a key is shown under the loading message and used
    once the board is ready; it used to vanish."""
    terminal.wait_for("Building the baseline world")
    terminal.keys("2")
    screen = terminal.wait_for("━ US")  # the charts' key line: the charts tab is open
    assert "Traceback" not in screen
