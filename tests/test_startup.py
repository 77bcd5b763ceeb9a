"""Start-up: what a fresh interpreter loads for each entry point (issue 15, item 4).

Mesa 3.5 brings pandas, pyarrow, scipy and networkx with it; only building a game needs it. These tests
look at `sys.modules` in a new process, never at a clock (benchmarks/startup.py measures the time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mesa

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ("mesa", "pandas", "pyarrow", "scipy", "networkx", "techrace.core.model")


def loaded_after(code: str, watched: tuple[str, ...] = ENGINE) -> list[str]:
    """The watched modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_core_loads_neither_mesa_nor_its_data_stack() -> None:
    assert loaded_after("import techrace.core") == []


def test_the_action_table_and_metric_columns_come_without_mesa() -> None:
    # what the terminal game's lever menu, the CSV writer of `techrace run` and the save checks read
    assert loaded_after("from techrace.core import ACTION_SPECS, COLUMNS; assert ACTION_SPECS and COLUMNS") == []


def test_a_game_still_runs_on_real_mesa() -> None:
    loaded = loaded_after("from techrace.core import Game; Game.from_ruleset('baseline', seed=1)")
    assert {"mesa", "techrace.core.model"} <= set(loaded)
    from techrace.core import Game, WorldModel

    game = Game.from_ruleset("baseline", seed=1)
    assert isinstance(game.model, WorldModel) and isinstance(game.model, mesa.Model)


def test_every_public_name_of_the_core_resolves_to_its_module_object() -> None:
    import importlib

    import techrace.core as core

    for name in core.__all__:
        home = importlib.import_module(f"techrace.core.{core._HOME[name]}")
        assert getattr(core, name) is getattr(home, name), name
        assert name in dir(core)
    try:
        core.NoSuchName  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchName" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_help_and_the_terminal_games_first_screen_stay_free_of_the_core() -> None:
    assert loaded_after("from techrace.launcher import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
                        "    pass") == []
    first_screen = ("from techrace.tui.app import TechraceApp\nfrom techrace.tui.options import GameOptions\n"
                    "from techrace.tui.screens.start import NewGameScreen\nfrom techrace.tui.settings import Settings\n"
                    "TechraceApp(GameOptions(), autosaves=False, settings=Settings())")
    assert loaded_after(first_screen, (*ENGINE, "techrace.core", "pydantic")) == []


def test_a_batchs_worker_processes_start_with_a_games_code_loaded() -> None:
    # the forkserver imports what a game needs once; each worker it forks maps Mesa's pandas and the ruleset
    # schema's pydantic before its first run (importing `techrace.core` alone had left ~1.8 s to every worker)
    probe = ("import os\nfrom techrace.batch.engines import LocalEngine\n"
             "engine = LocalEngine(1)\npid = engine.executor.submit(os.getpid).result()\n"
             "maps = open(f'/proc/{pid}/maps').read()\nengine.close()\n"
             "print(sorted(lib for lib in ('pandas/_libs', 'pydantic_core') if lib in maps))")
    if not Path("/proc/self/maps").exists():
        import pytest

        pytest.skip("reads the worker's memory map from /proc (Linux)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "['pandas/_libs', 'pydantic_core']"
