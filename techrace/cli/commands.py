"""Subcommands of the CLI face: `run`, `ruleset`, `saves`, `replay`, `calibrate` (argparse only at import time)."""

from __future__ import annotations

import argparse
import importlib

_MODULES = ("techrace.cli.run_cmd", "techrace.cli.ruleset_cmd", "techrace.cli.saves_cmd",
            "techrace.cli.calibrate_cmd")


def register(subparsers: argparse._SubParsersAction) -> None:
    for name in _MODULES:
        importlib.import_module(name).register(subparsers)
