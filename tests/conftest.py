"""Shared test configuration.

Under CI (CI=true) hypothesis runs derandomised, so a green run stays green and a failure
reproduces; locally it explores new examples on every run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))  # tests import their helper modules by name

pytest_plugins = ("tui_helpers",)  # the `in_tmp` fixture of the terminal UI tests

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# Unused snapshot files. Run serially, syrupy fails a run that leaves a file in tests/__snapshots__ no test
# reads; under pytest-xdist (the default, see pyproject.toml) it skips that check ("only partially
# functional"). The controller hears each worker's collection, so it does the check instead, for a whole-suite
# run only (no paths, -k or -m: then every test was collected and a missing name is really unused).
SNAPSHOTS = Path(__file__).parent / "__snapshots__"
_collected_ids: set[str] = set()


def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    _collected_ids.update(ids)


def _unused_snapshots(ids: set[str]) -> list[str]:
    unused = []
    for folder in sorted(p for p in SNAPSHOTS.iterdir() if p.is_dir()):
        prefix = f"tests/{folder.name}.py::"
        names = {i.removeprefix(prefix) for i in ids if i.startswith(prefix)}
        unused += [f"{folder.name}/{f.name}" for f in sorted(folder.iterdir()) if f.is_file() and f.stem not in names]
    return unused


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    whole_suite = (config.args_source is pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword
                   and not config.option.markexpr)
    if not (_collected_ids and whole_suite and SNAPSHOTS.is_dir()):
        return  # serial (syrupy checks), a worker, or a partial run
    unused = _unused_snapshots(_collected_ids)
    if unused:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"{len(unused)} snapshot file(s) no test reads (delete them, or run "
                                f"`pytest -n 0 --snapshot-update`): {', '.join(unused)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
