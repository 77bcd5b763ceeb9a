"""Terminal UI speed: cold start to first screen, the turn report after `n` (real process in tmux) and a
turn's redraw in UI time.

    python benchmarks/tui.py [--repeats 5] [--turns 12]

Cold start is measured from spawning `python -m techrace play` in a tmux terminal to the first
capture-pane that shows the screen. The turn report is measured in the real process too (80x24,
autosaves on): from sending `n` to the first capture that shows "Turn report", over `--turns` turns
(the report is closed with enter; then 1.5 s of reading, and again with none). Redraw is the UI-thread time from a finished turn
to the repainted screen (`App.run_test`, 120x40), per tab: CPU time of the UI thread
(`time.thread_time`, so the worker's simulation does not count) from handing the TurnReport to the
screen until the repaint has been processed, including the pilot's own idle wait (reported as
"idle pause" for reference).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


TMUX = shutil.which("tmux") or "/usr/bin/tmux"


class Pane:
    """A private tmux server running one techrace command in a temporary folder (saves, settings)."""

    def __init__(self, args: list[str], size: tuple[int, int], cwd: str) -> None:
        self.socket = f"techrace-bench-{uuid.uuid4().hex[:10]}"
        env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", "TECHRACE_CONFIG_DIR": cwd}
        env.pop("TMUX", None)
        command = " ".join([f"env TECHRACE_CONFIG_DIR={cwd}", sys.executable, "-m", "techrace", *args])
        self.started = time.perf_counter()
        subprocess.run([TMUX, "-L", self.socket, "new-session", "-d", "-s", "b", "-x", str(size[0]),
                        "-y", str(size[1]), "-c", cwd, command], env=env, check=True)

    def screen(self) -> str:
        return subprocess.run([TMUX, "-L", self.socket, "capture-pane", "-p", "-t", "b"],
                              capture_output=True, text=True, check=False).stdout

    def keys(self, *keys: str) -> float:
        subprocess.run([TMUX, "-L", self.socket, "send-keys", "-t", "b", *keys], check=False)
        return time.perf_counter()

    def wait_for(self, marker: str, since: float, timeout: float = 60.0) -> float:
        """Seconds from `since` until `marker` is on the screen (polled every 10 ms)."""
        while time.perf_counter() - since < timeout:
            if marker in self.screen():
                return time.perf_counter() - since
            time.sleep(0.01)
        raise RuntimeError(f"{marker!r} never appeared")

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, check=False)
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)


def cold_start(args: list[str], marker: str, repeats: int) -> list[float]:
    """Seconds from spawning the process until `marker` is on the tmux screen (100x30)."""
    times: list[float] = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cwd:
            pane = Pane(args, (100, 30), cwd)
            try:
                times.append(pane.wait_for(marker, pane.started))
            finally:
                pane.close()
    return times


def report_after_n(turns: int, reading: float) -> list[float]:
    """Seconds from sending `n` until the turn report is on the screen of the real game at 80x24;
    `reading`: seconds between closing one report and the next `n` (0: back to back, so the next turn
    also waits for the last autosave)."""
    times: list[float] = []
    with tempfile.TemporaryDirectory() as cwd:
        pane = Pane(["play", "--ruleset", "baseline", "--nation", "CN", "--seed", "7"], (80, 24), cwd)
        try:
            pane.wait_for("End turn", pane.started)
            time.sleep(1.0)  # let the first paint and the core's warm-up settle
            for turn in range(1, turns + 1):
                times.append(pane.wait_for("Turn report", pane.keys("n")))
                pane.wait_for(f"Turn {turn + 1}/", pane.keys("Enter"))
                time.sleep(reading)
        finally:
            pane.close()
    return times


async def redraws(turns: int, size: tuple[int, int] = (120, 40)) -> dict[str, list[float]]:
    """UI-thread seconds to redraw after a turn, per visible tab; and the step time in the worker."""
    from techrace.tui.app import TechraceApp
    from techrace.tui.options import GameOptions
    from techrace.tui.settings import Settings

    out: dict[str, list[float]] = {"rivals": [], "charts": [], "foundries": [], "step": [], "idle": []}
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False, settings=Settings(turn_report=False))
    async with app.run_test(size=size) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        session = screen.session  # type: ignore[attr-defined]
        for turn in range(turns):
            tab = ("rivals", "charts", "foundries")[turn % 3]
            screen.action_show_tab(tab)  # type: ignore[attr-defined]
            await pilot.pause()
            start = time.perf_counter()
            report = await asyncio.to_thread(session.end_turn)
            out["step"].append(time.perf_counter() - start)
            start = time.thread_time()
            await pilot.pause()
            out["idle"].append(time.thread_time() - start)
            start = time.thread_time()
            screen.turn_done(report)  # type: ignore[attr-defined]
            await pilot.pause()  # until the repaint has been processed
            out[tab].append(time.thread_time() - start)
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (max {max(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--turns", type=int, default=12)
    options = parser.parse_args()
    first = cold_start(["play"], "Nation you play", options.repeats)
    ready = cold_start(["play", "--ruleset", "baseline", "--nation", "CN", "--seed", "7"], "End turn",
                       options.repeats)
    reports = report_after_n(options.turns, reading=1.5)
    rushed = report_after_n(options.turns, reading=0.0)
    timings = asyncio.run(redraws(options.turns))
    print("| measure | median (max) |")
    print("|---|---|")
    print(f"| cold start to the new-game screen (`techrace play`) | {ms(first)} |")
    print(f"| cold start to a playable board (`play --ruleset baseline --nation CN --seed 7`) | {ms(ready)} |")
    print(f"| `n` to the turn report on screen (real process, 80x24, autosave on, 1.5 s between turns) | {ms(reports)} |")
    print(f"| the same, `n` at once after closing the last report (waits for its autosave) | {ms(rushed)} |")
    for tab in ("rivals", "charts", "foundries"):
        print(f"| redraw after a turn, {tab} tab visible (UI thread) | {ms(timings[tab])} |")
    print(f"| idle pause of the test pilot (included above) | {ms(timings['idle'])} |")
    print(f"| core step of one quarter (worker thread, wall time, for scale) | {ms(timings['step'])} |")


if __name__ == "__main__":
    main()
