"""Terminal UI speed: cold start to first screen (real process in tmux) and a turn's redraw in UI time.

    python benchmarks/tui.py [--repeats 5] [--turns 12]

Cold start is measured from spawning `python -m techrace play` in a 100x30 tmux terminal to the first
capture-pane that shows the screen; redraw is the UI-thread time from a finished turn to the repainted
screen (`App.run_test`, 100x30), per tab: CPU time of the UI thread (`time.thread_time`, so the
worker's simulation does not count) from handing the TurnReport to the screen until the repaint has been
processed, including the pilot's own idle wait (reported as "idle pause" for reference).
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


def cold_start(args: list[str], marker: str, repeats: int) -> list[float]:
    """Seconds from spawning the process until `marker` is on the tmux screen."""
    tmux = shutil.which("tmux") or "/usr/bin/tmux"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    times: list[float] = []
    for _ in range(repeats):
        socket = f"techrace-bench-{uuid.uuid4().hex[:10]}"
        with tempfile.TemporaryDirectory() as cwd:
            command = " ".join([sys.executable, "-m", "techrace", *args])
            start = time.perf_counter()
            subprocess.run([tmux, "-L", socket, "new-session", "-d", "-s", "b", "-x", "100", "-y", "30",
                            "-c", cwd, command], env=env, check=True)
            try:
                while time.perf_counter() - start < 60:
                    screen = subprocess.run([tmux, "-L", socket, "capture-pane", "-p", "-t", "b"],
                                            capture_output=True, text=True, check=False).stdout
                    if marker in screen:
                        times.append(time.perf_counter() - start)
                        break
                    time.sleep(0.01)
                else:
                    raise RuntimeError(f"{marker!r} never appeared")
            finally:
                subprocess.run([tmux, "-L", socket, "kill-server"], capture_output=True, check=False)
                socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
                (socket_dir / socket).unlink(missing_ok=True)
    return times


async def redraws(turns: int) -> dict[str, list[float]]:
    """UI-thread seconds to redraw after a turn, per visible tab; and the step time in the worker."""
    from techrace.tui.app import TechraceApp
    from techrace.tui.options import GameOptions

    out: dict[str, list[float]] = {"rivals": [], "charts": [], "foundries": [], "step": [], "idle": []}
    app = TechraceApp(GameOptions("play", "baseline", "CN", 7), autosaves=False)
    async with app.run_test(size=(100, 30)) as pilot:
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
    timings = asyncio.run(redraws(options.turns))
    print("| measure | median (max) |")
    print("|---|---|")
    print(f"| cold start to the new-game screen (`techrace play`) | {ms(first)} |")
    print(f"| cold start to a playable board (`play --ruleset baseline --nation CN --seed 7`) | {ms(ready)} |")
    for tab in ("rivals", "charts", "foundries"):
        print(f"| redraw after a turn, {tab} tab visible (UI thread) | {ms(timings[tab])} |")
    print(f"| idle pause of the test pilot (included above) | {ms(timings['idle'])} |")
    print(f"| core step of one quarter (worker thread, wall time, for scale) | {ms(timings['step'])} |")


if __name__ == "__main__":
    main()
