"""Shared test configuration.

Under CI (CI=true) hypothesis runs derandomised, so a green run stays green and a failure
reproduces; locally it explores new examples on every run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))  # tests import their helper modules by name

pytest_plugins = ("tui_helpers",)  # the `in_tmp` fixture of the terminal UI tests

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
